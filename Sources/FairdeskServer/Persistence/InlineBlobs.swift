import Fluent
import Foundation
import SQLKit

/// The `blobs` table: sealed small blobs (see `BlobStore.inlineLimit`).
struct DatabaseInlineBlobs: InlineBlobSource {
    let database: any Database

    func load(name: String, owner: UUID) async throws -> [UInt8]? {
        struct Row: Decodable { var sealed: Data }
        return try await Rows(database).sql.select().column("sealed").from("blobs")
            .where("owner_id", .equal, owner).where("name", .equal, name).limit(1)
            .first(decoding: Row.self).map { Array($0.sealed) }
    }
}

/// A blob on its way into storage: sealed for the `blobs` table when small, else already
/// in a file that still needs its fsync.
struct PendingBlob: Sendable {
    var reference: BlobReference
    var owner: UUID
    /// The sealed bytes for the table; nil when the blob is in a file.
    var sealed: [UInt8]?
}

extension BlobStore {
    /// Encrypts `plaintext`: sealed in memory when small, written to its file (not yet
    /// durable) when large. Finish with `Rows.store(_:)` inside the write transaction and
    /// `syncFiles(_:)` before it commits.
    func prepare(_ plaintext: [UInt8], owner: UUID) async throws -> PendingBlob {
        if plaintext.count <= Self.inlineLimit {
            let sealed = try await seal(plaintext, owner: owner)
            return PendingBlob(reference: sealed.reference, owner: owner, sealed: sealed.contents)
        }
        return PendingBlob(reference: try await put(plaintext, owner: owner, durable: false), owner: owner, sealed: nil)
    }

    /// Makes the file-backed blobs among `blobs` durable.
    func syncFiles(_ blobs: [PendingBlob]) async throws {
        let files = blobs.filter { $0.sealed == nil }.map { ($0.reference, $0.owner) }
        guard !files.isEmpty else { return }
        try await StorageFiles.offload { try self.sync(files) }
    }
}

extension Rows {
    /// Inserts the sealed small blobs; a row already there holds the same content (names
    /// are keyed hashes of owner and content), so conflicts are ignored.
    func store(_ blobs: [PendingBlob]) async throws {
        let sealed = blobs.filter { $0.sealed != nil }
        guard !sealed.isEmpty else { return }
        let now = Date()
        var insert = sql.insert(into: "blobs").columns("owner_id", "name", "size", "sealed", "created_at")
        for blob in sealed {
            insert = insert.values(SQLBind(blob.owner), SQLBind(blob.reference.name), SQLBind(blob.reference.size),
                                   SQLBind(Data(blob.sealed ?? [])), SQLBind(now))
        }
        try await insert.ignoringConflicts(with: ["owner_id", "name"]).run()
    }

    /// Stores one blob inside the caller's transaction: a row when small; a file when
    /// large, returned so the caller fsyncs it before committing.
    func put(_ plaintext: [UInt8], owner: UUID, blobs: BlobStore) async throws -> (reference: BlobReference, file: MailIngestor.BlobWrite?) {
        let pending = try await blobs.prepare(plaintext, owner: owner)
        try await store([pending])
        return (pending.reference, pending.sealed == nil ? MailIngestor.BlobWrite(reference: pending.reference, owner: owner) : nil)
    }
}
