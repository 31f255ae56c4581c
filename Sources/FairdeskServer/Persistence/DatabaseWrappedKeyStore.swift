import Fluent
import Foundation

/// Wrapped data keys in the `data_keys` table, so every server process sharing the
/// database shares the keys. Deleting a row crypto-shreds that owner's blobs.
struct DatabaseWrappedKeyStore: WrappedKeyStore {
    let database: any Database
    let writes: WriteGate

    func load(owner: UUID) async throws -> [UInt8]? {
        try await DataKey.find(owner, on: database).map { Array($0.wrapped) }
    }

    func insertIfAbsent(_ wrapped: [UInt8], owner: UUID) async throws -> [UInt8] {
        if let existing = try await load(owner: owner) { return existing }
        do {
            let row = DataKey(owner: owner, wrapped: Data(wrapped))
            try await writes.transaction(on: database) { db in try await row.create(on: db) }
            return wrapped
        } catch where (error as? any DatabaseError)?.isConstraintFailure == true {
            // Another process created it first: theirs is the key.
            guard let existing = try await load(owner: owner) else { throw error }
            return existing
        }
    }

    func delete(owner: UUID) async throws {
        try await writes.transaction(on: database) { db in
            try await DataKey.query(on: db).filter(\.$id == owner).delete()
        }
    }
}
