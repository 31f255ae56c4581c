#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import Foundation

/// Names a stored blob. `name` is the hex keyed hash of the owner and the plaintext;
/// `size` is the plaintext length in bytes.
public struct BlobReference: Sendable, Hashable, Codable {
    public var name: String
    public var size: Int

    public init(name: String, size: Int) {
        self.name = name
        self.size = size
    }
}

public enum BlobStoreError: Error, CustomStringConvertible {
    /// The owner's data key is gone: its blobs can never be read again.
    case shredded(owner: UUID)
    case missing(name: String)
    case corrupt(name: String, reason: String)
    case io(path: String, errno: Int32)

    init(_ failure: StorageFiles.Failure) {
        self = .io(path: failure.path, errno: failure.errno)
    }

    public var description: String {
        switch self {
        case .shredded(let owner):
            return "The data key of owner \(owner) was deleted (crypto-shredded); its files cannot be decrypted."
        case .missing(let name):
            return "Blob \(name) is not in the blob store."
        case .corrupt(let name, let reason):
            return "Blob \(name) is damaged: \(reason)."
        case .io(let path, let errno):
            return "Blob store file \(path): \(StorageFiles.errorText(errno))."
        }
    }
}

/// Encrypted, content-addressed files: `<root>/<owner-uuid>/<name[0..<2]>/<name>`.
///
/// A file is a header (magic "FDBL", format version), the AES-GCM nonce, the ciphertext
/// and the tag. The owner's data key encrypts it; the header, the owner and the name are
/// authenticated, so a file copied to another owner's folder or renamed does not open.
public struct BlobStore: Sendable {
    public let root: String
    private let namingKey: SymmetricKey
    private let keyRing: KeyRing
    /// Where sealed small blobs live (the database); nil keeps every blob in a file.
    private let inline: (any InlineBlobSource)?

    /// Blobs up to this size are sealed into the caller's database transaction instead of
    /// a file of their own (`seal`): creating and fsyncing a file per small blob cost more
    /// than everything else in ingest, and a row commits atomically with the rows naming it.
    public static let inlineLimit = 64 << 10

    static let magic: [UInt8] = Array("FDBL".utf8)
    static let formatVersion: UInt8 = 1
    static let headerCount = magic.count + 1
    static let nonceCount = 12
    static let tagCount = 16
    static let overhead = headerCount + nonceCount + tagCount

    /// Temporary files start with this, which no blob name (hex digits) does.
    static let temporaryPrefix = ".tmp."
    /// A temporary file untouched for this long was left by a crash, not by a writer at
    /// work (writing even a large blob takes seconds), so `put` may delete it.
    static let staleTemporaryFileAge: TimeInterval = 15 * 60

    public init(root: String, master: MasterKey, keyRing: KeyRing, inline: (any InlineBlobSource)? = nil) {
        self.root = root
        self.namingKey = master.blobNamingKey
        self.keyRing = keyRing
        self.inline = inline
    }

    /// Encrypts `plaintext` for `owner` into the same sealed form a file holds, for the
    /// caller to store with `InlineBlobSource`'s table. Nothing is written.
    public func seal(_ plaintext: [UInt8], owner: UUID) async throws -> SealedBlob {
        let key = try await keyRing.dataKey(for: owner)
        let reference = BlobReference(name: name(of: plaintext, owner: owner), size: plaintext.count)
        let contents = try Self.sealedContents(plaintext, name: reference.name, owner: owner, key: key)
        return SealedBlob(reference: reference, owner: owner, contents: contents)
    }

    /// Stores `plaintext` durably for `owner`, see `put(_:owner:durable:)`.
    public func put(_ plaintext: [UInt8], owner: UUID) async throws -> BlobReference {
        try await put(plaintext, owner: owner, durable: true)
    }

    /// Encrypts and stores `plaintext` for `owner`, once: identical content for one owner
    /// gets one name and one file, and the name reveals nothing without the key.
    ///
    /// The ciphertext goes to a temporary file in the blob's folder, which is renamed into
    /// place, so a crash leaves either nothing or the whole blob under the blob's name.
    /// With `durable`, the file and its folders are fsynced before this returns; without,
    /// the caller must call `sync(_:)` on the returned reference before acknowledging.
    public func put(_ plaintext: [UInt8], owner: UUID, durable: Bool) async throws -> BlobReference {
        let key = try await keyRing.dataKey(for: owner)
        let reference = BlobReference(name: name(of: plaintext, owner: owner), size: plaintext.count)
        let paths = Paths(root: root, owner: owner, name: reference.name)
        try await StorageFiles.offload {
            try Self.writeBlob(plaintext, at: paths, owner: owner, key: key, durable: durable)
        }
        return reference
    }

    /// Makes blobs written with `durable: false` durable: fsyncs each file, then each
    /// folder on the way up to the root once (new folders need their parent synced too).
    public func sync(_ references: [(BlobReference, UUID)]) throws {
        var folders: [String] = []
        var seen: Set<String> = []
        for (reference, owner) in references {
            let paths = try Paths(validating: reference, root: root, owner: owner)
            do throws(StorageFiles.Failure) {
                let fd = try StorageFiles.open(paths.file, O_RDONLY)
                defer { StorageFiles.close(fd) }
                try StorageFiles.fsyncFile(fd, path: paths.file)
            } catch {
                throw error.errno == ENOENT ? BlobStoreError.missing(name: reference.name) : BlobStoreError(error)
            }
            for folder in paths.foldersInnermostFirst where seen.insert(folder).inserted {
                folders.append(folder)
            }
        }
        for folder in folders {
            do throws(StorageFiles.Failure) {
                try StorageFiles.syncDirectory(folder)
            } catch {
                throw BlobStoreError(error)
            }
        }
    }

    /// The plaintext of a stored blob. Throws `.shredded` when the owner's key is gone,
    /// `.missing` when there is no such file, and `.corrupt` when the file fails
    /// authentication.
    public func get(_ reference: BlobReference, owner: UUID) async throws -> [UInt8] {
        let paths = try Paths(validating: reference, root: root, owner: owner)
        let sealed = reference.size <= Self.inlineLimit ? try await inline?.load(name: reference.name, owner: owner) : nil
        guard let key = try await keyRing.existingDataKey(for: owner) else {
            // No key: either it was shredded, leaving files nothing can open, or the owner
            // never stored anything.
            throw sealed != nil || exists(reference, owner: owner) ? BlobStoreError.shredded(owner: owner) : BlobStoreError.missing(name: reference.name)
        }
        if let sealed {
            return try Self.checkedPlaintext(sealed, reference: reference, owner: owner, key: key)
        }
        return try await StorageFiles.offload {
            let contents: [UInt8]
            do throws(StorageFiles.Failure) {
                let fd = try StorageFiles.open(paths.file, O_RDONLY)
                defer { StorageFiles.close(fd) }
                contents = try StorageFiles.readAll(fd, path: paths.file)
            } catch {
                throw error.errno == ENOENT ? BlobStoreError.missing(name: reference.name) : BlobStoreError(error)
            }
            return try Self.checkedPlaintext(contents, reference: reference, owner: owner, key: key)
        }
    }

    private static func checkedPlaintext(_ contents: [UInt8], reference: BlobReference, owner: UUID, key: SymmetricKey) throws -> [UInt8] {
        let plaintext = try decrypt(contents, name: reference.name, owner: owner, key: key)
        guard plaintext.count == reference.size else {
            throw BlobStoreError.corrupt(name: reference.name, reason: "it holds \(plaintext.count) bytes, the reference says \(reference.size)")
        }
        return plaintext
    }

    /// Whether the blob's file is in place. Temporary files never count.
    public func exists(_ reference: BlobReference, owner: UUID) -> Bool {
        guard let paths = try? Paths(validating: reference, root: root, owner: owner) else { return false }
        var info = stat()
        return lstat(paths.file, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    /// The hex HMAC-SHA256 of the owner and the plaintext. The owner is hashed in so that
    /// equal content of two organizations gets unrelated names.
    func name(of plaintext: [UInt8], owner: UUID) -> String {
        var hmac = HMAC<SHA256>(key: namingKey)
        hmac.update(data: StorageFiles.bytes(of: owner))
        hmac.update(data: plaintext)
        return StorageFiles.hex(hmac.finalize())
    }
}

// MARK: - Sealed small blobs

/// A small blob sealed for the database (see `BlobStore.inlineLimit`).
public struct SealedBlob: Sendable {
    public var reference: BlobReference
    public var owner: UUID
    /// Header, nonce, ciphertext and tag: what a file would hold.
    public var contents: [UInt8]
}

/// Reads sealed small blobs back (the server keeps them in a database table).
public protocol InlineBlobSource: Sendable {
    func load(name: String, owner: UUID) async throws -> [UInt8]?
}

// MARK: - Files

extension BlobStore {
    struct Paths: Sendable {
        var name: String
        var root: String
        var ownerFolder: String
        var folder: String
        var file: String

        init(root: String, owner: UUID, name: String) {
            self.name = name
            self.root = root
            ownerFolder = root + "/" + owner.uuidString.lowercased()
            folder = ownerFolder + "/" + name.prefix(2)
            file = folder + "/" + name
        }

        /// Refuses names that are not blob names: a reference can come from an import
        /// file, and a name like "../x" must not reach the file system.
        init(validating reference: BlobReference, root: String, owner: UUID) throws {
            guard BlobStore.isBlobName(reference.name) else {
                throw BlobStoreError.corrupt(name: reference.name, reason: "not a blob name")
            }
            self.init(root: root, owner: owner, name: reference.name)
        }

        var foldersInnermostFirst: [String] { [folder, ownerFolder, root] }
    }

    static func isBlobName(_ name: String) -> Bool {
        name.utf8.count == 2 * SHA256.byteCount
            && name.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    /// The sealed form of a small blob: the bytes its file would hold.
    static func sealedContents(_ plaintext: [UInt8], name: String, owner: UUID, key: SymmetricKey) throws -> [UInt8] {
        let header = magic + [formatVersion]
        let sealed: AES.GCM.SealedBox
        do {
            sealed = try AES.GCM.seal(plaintext, using: key, authenticating: authenticatedData(header: header, owner: owner, name: name))
        } catch {
            throw BlobStoreError.corrupt(name: name, reason: "it could not be encrypted (\(error))")
        }
        var contents = header
        contents.reserveCapacity(header.count + nonceCount + plaintext.count + tagCount)
        sealed.nonce.withUnsafeBytes { contents.append(contentsOf: $0) }
        contents.append(contentsOf: sealed.ciphertext)
        contents.append(contentsOf: sealed.tag)
        return contents
    }

    /// Folders whose stale temporary files this process has already cleared: listing a
    /// folder on every write was a large share of ingest time; crashed writers' leftovers
    /// only need clearing once per start.
    private static let cleanedFolders = FolderSet()

    private final class FolderSet: @unchecked Sendable {
        private let lock = NSLock()
        private var folders: Set<String> = []

        /// True the first time a folder is named.
        func firstVisit(_ folder: String) -> Bool {
            lock.lock()
            defer { lock.unlock() }
            return folders.insert(folder).inserted
        }
    }

    private static func writeBlob(_ plaintext: [UInt8], at paths: Paths, owner: UUID, key: SymmetricKey, durable: Bool) throws {
        let name = paths.name
        do throws(StorageFiles.Failure) {
            if try isIntact(at: paths, name: name, size: plaintext.count, owner: owner, key: key) {
                // Written before, possibly by a `durable: false` put that has not synced
                // yet; a durable put must not acknowledge on the strength of that.
                if durable { try syncInPlace(paths) }
                return
            }
            try StorageFiles.makeDirectories(paths.folder, mode: 0o700)
            if cleanedFolders.firstVisit(paths.folder) {
                removeStaleTemporaryFiles(in: paths.folder)
            }

            let header = magic + [formatVersion]
            let sealed: AES.GCM.SealedBox
            do {
                sealed = try AES.GCM.seal(plaintext, using: key, authenticating: authenticatedData(header: header, owner: owner, name: name))
            } catch {
                // Sealing fails only for messages of many gigabytes; report it as the size.
                throw StorageFiles.Failure(path: paths.file, operation: "encrypt", errno: EFBIG)
            }

            let temporary = paths.folder + "/" + temporaryPrefix + name + "." + StorageFiles.randomSuffix()
            let fd = try StorageFiles.open(temporary, O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
            var renamed = false
            defer { if !renamed { unlink(temporary) } }
            do {
                defer { StorageFiles.close(fd) }
                var prefix = header
                sealed.nonce.withUnsafeBytes { prefix.append(contentsOf: $0) }
                try writeBytes(prefix, to: fd, path: temporary)
                try writeBytes(sealed.ciphertext, to: fd, path: temporary)
                try writeBytes(sealed.tag, to: fd, path: temporary)
                if durable { try StorageFiles.fsyncFile(fd, path: temporary) }
            }
            // Replaces a damaged file of the same name, if there was one.
            guard rename(temporary, paths.file) == 0 else {
                throw StorageFiles.Failure(path: paths.file, operation: "rename", errno: errno)
            }
            renamed = true
            if durable {
                for folder in paths.foldersInnermostFirst { try StorageFiles.syncDirectory(folder) }
            }
        } catch {
            throw BlobStoreError(error)
        }
    }

    /// Whether the blob's file exists and decrypts. A file that does not (a write lost in
    /// a power failure after a `durable: false` put, or a file left from a shredded key)
    /// is replaced rather than trusted, or the blob would be lost for good.
    private static func isIntact(at paths: Paths, name: String, size: Int, owner: UUID, key: SymmetricKey) throws(StorageFiles.Failure) -> Bool {
        let fd: Int32
        do throws(StorageFiles.Failure) {
            fd = try StorageFiles.open(paths.file, O_RDONLY)
        } catch {
            if error.errno == ENOENT { return false }
            throw error
        }
        defer { StorageFiles.close(fd) }
        guard try StorageFiles.status(of: fd, path: paths.file).st_size == overhead + size else { return false }
        let contents = try StorageFiles.readAll(fd, path: paths.file)
        return (try? decrypt(contents, name: name, owner: owner, key: key)) != nil
    }

    private static func syncInPlace(_ paths: Paths) throws(StorageFiles.Failure) {
        let fd = try StorageFiles.open(paths.file, O_RDONLY)
        defer { StorageFiles.close(fd) }
        try StorageFiles.fsyncFile(fd, path: paths.file)
        for folder in paths.foldersInnermostFirst { try StorageFiles.syncDirectory(folder) }
    }

    /// Deletes temporary files a crashed writer left behind. Best effort: a file that
    /// cannot be examined or removed now will be tried again by a later put.
    private static func removeStaleTemporaryFiles(in folder: String) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        let now = Date().timeIntervalSince1970
        for entry in entries where entry.hasPrefix(temporaryPrefix) {
            let path = folder + "/" + entry
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            #if canImport(Darwin)
            let modified = TimeInterval(info.st_mtimespec.tv_sec)
            #else
            let modified = TimeInterval(info.st_mtim.tv_sec)
            #endif
            if now - modified > staleTemporaryFileAge {
                unlink(path)
            }
        }
    }

    private static func writeBytes(_ data: some ContiguousBytes, to fd: Int32, path: String) throws(StorageFiles.Failure) {
        // `withUnsafeBytes` only rethrows untyped errors, so carry the failure out.
        var failure: StorageFiles.Failure?
        data.withUnsafeBytes { bytes in
            do throws(StorageFiles.Failure) {
                try StorageFiles.writeAll(fd, bytes, path: path)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }

    private static func authenticatedData(header: [UInt8], owner: UUID, name: String) -> [UInt8] {
        header + StorageFiles.bytes(of: owner) + Array(name.utf8)
    }

    /// Decrypts a blob file's contents.
    static func decrypt(_ contents: [UInt8], name: String, owner: UUID, key: SymmetricKey) throws(BlobStoreError) -> [UInt8] {
        guard contents.count >= overhead else {
            throw .corrupt(name: name, reason: "it is \(contents.count) bytes, shorter than any blob")
        }
        guard contents.starts(with: magic) else { throw .corrupt(name: name, reason: "it is not a Fairdesk blob") }
        let version = contents[magic.count]
        guard version == formatVersion else { throw .corrupt(name: name, reason: "unknown format version \(version)") }
        let header = Array(contents[..<headerCount])
        let nonceEnd = headerCount + nonceCount
        let tagStart = contents.count - tagCount
        do {
            let sealed = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: contents[headerCount..<nonceEnd]),
                ciphertext: contents[nonceEnd..<tagStart],
                tag: contents[tagStart...]
            )
            let plaintext = try AES.GCM.open(sealed, using: key, authenticating: authenticatedData(header: header, owner: owner, name: name))
            return Array(plaintext)
        } catch {
            throw .corrupt(
                name: name,
                reason: "it fails authentication (altered, moved from another owner, or encrypted with a key since replaced)"
            )
        }
    }
}
