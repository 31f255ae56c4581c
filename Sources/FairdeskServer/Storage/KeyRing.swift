import Crypto
import Foundation

/// Where wrapped data keys live. The server keeps them in the `data_keys` table; tests
/// use `InMemoryWrappedKeyStore`.
public protocol WrappedKeyStore: Sendable {
    func load(owner: UUID) async throws -> [UInt8]?
    /// Stores a key unless one exists; returns the stored one (so two processes racing agree on one key).
    func insertIfAbsent(_ wrapped: [UInt8], owner: UUID) async throws -> [UInt8]
    func delete(owner: UUID) async throws
}

public actor InMemoryWrappedKeyStore: WrappedKeyStore {
    private var keys: [UUID: [UInt8]] = [:]

    public init() {}

    public func load(owner: UUID) -> [UInt8]? {
        keys[owner]
    }

    public func insertIfAbsent(_ wrapped: [UInt8], owner: UUID) -> [UInt8] {
        if let existing = keys[owner] { return existing }
        keys[owner] = wrapped
        return wrapped
    }

    public func delete(owner: UUID) {
        keys[owner] = nil
    }
}

/// Per-organization data keys: created on first use, cached unwrapped in memory, and
/// deleted to crypto-shred everything encrypted with them.
///
/// The cache is per process. A key shredded by another `fairdesk serve` process stays
/// usable here until this process restarts; the database row is the truth, the cache
/// only saves an unwrap per blob.
public actor KeyRing {
    private let master: MasterKey
    private let store: any WrappedKeyStore
    private var cache: [UUID: SymmetricKey] = [:]
    /// Counts shreds. A lookup suspended at the store while its owner is shredded must
    /// not put the shredded key back into the cache when it resumes (actor reentrancy).
    private var shredCount = 0

    public init(master: MasterKey, store: some WrappedKeyStore) {
        self.master = master
        self.store = store
    }

    /// The owner's data key, created and stored on first use.
    public func dataKey(for owner: UUID) async throws -> SymmetricKey {
        if let cached = cache[owner] { return cached }
        let shredsBefore = shredCount
        let wrapped: [UInt8]
        if let stored = try await store.load(owner: owner) {
            wrapped = stored
        } else {
            // Another process may be creating this owner's key right now; whichever
            // insert lands first wins, and both processes then use the stored key.
            let fresh = try master.wrap(SymmetricKey(size: .bits256), owner: owner)
            wrapped = try await store.insertIfAbsent(fresh, owner: owner)
        }
        let key = try master.unwrap(wrapped, owner: owner)
        if shredCount == shredsBefore { cache[owner] = key }
        return key
    }

    /// The owner's data key, or nil when it never existed or was shredded.
    public func existingDataKey(for owner: UUID) async throws -> SymmetricKey? {
        if let cached = cache[owner] { return cached }
        let shredsBefore = shredCount
        guard let wrapped = try await store.load(owner: owner) else { return nil }
        let key = try master.unwrap(wrapped, owner: owner)
        if shredCount == shredsBefore { cache[owner] = key }
        return key
    }

    /// Deletes the owner's key, which makes every blob encrypted with it unreadable,
    /// backups included.
    public func shred(owner: UUID) async throws {
        try await store.delete(owner: owner)
        // After the delete, not before: a lookup that read the key while the delete was
        // pending must neither keep it in the cache nor have put it there.
        shredCount += 1
        cache[owner] = nil
    }
}
