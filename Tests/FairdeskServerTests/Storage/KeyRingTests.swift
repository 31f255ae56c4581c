import Crypto
import Foundation
import Testing
@testable import FairdeskServer

@Suite struct KeyRingTests {
    let master = MasterKey(testingKey: SymmetricKey(size: .bits256))

    @Test func dataKeyIsCreatedOnceAndStoredOnlyWrapped() async throws {
        let store = InMemoryWrappedKeyStore()
        let owner = UUID()

        let first = try await KeyRing(master: master, store: store).dataKey(for: owner)
        let again = try await KeyRing(master: master, store: store).dataKey(for: owner)

        #expect(first == again)
        let stored = try #require(await store.load(owner: owner))
        #expect(!StorageTesting.contains(stored, StorageTesting.bytes(of: first)))
    }

    @Test func ownersGetDifferentKeys() async throws {
        let ring = KeyRing(master: master, store: InMemoryWrappedKeyStore())

        let first = try await ring.dataKey(for: UUID())
        let second = try await ring.dataKey(for: UUID())

        #expect(first != second)
    }

    @Test func existingDataKeyDoesNotCreateOne() async throws {
        let store = InMemoryWrappedKeyStore()
        let ring = KeyRing(master: master, store: store)
        let owner = UUID()

        #expect(try await ring.existingDataKey(for: owner) == nil)
        #expect(await store.load(owner: owner) == nil)
        let created = try await ring.dataKey(for: owner)
        #expect(try await ring.existingDataKey(for: owner) == created)
    }

    @Test func twoKeyRingsRacingOnOneStoreAgreeOnEachKey() async throws {
        let store = InMemoryWrappedKeyStore()
        let rings = [KeyRing(master: master, store: store), KeyRing(master: master, store: store)]
        let owners = (0..<50).map { _ in UUID() }

        let keys = try await withThrowingTaskGroup(of: (UUID, [UInt8]).self) { group in
            for owner in owners {
                for ring in rings {
                    group.addTask { (owner, StorageTesting.bytes(of: try await ring.dataKey(for: owner))) }
                }
            }
            return try await group.reduce(into: [UUID: Set<[UInt8]>]()) { $0[$1.0, default: []].insert($1.1) }
        }

        #expect(keys.count == owners.count)
        #expect(keys.values.allSatisfy { $0.count == 1 })
    }

    /// Forces the losing side of the race: both processes read "no key", both create one,
    /// and only the stored one may be used.
    @Test func keyRingThatLosesTheInsertUsesTheStoredKey() async throws {
        let store = BlindLoadStore()
        let owner = UUID()

        let winner = try await KeyRing(master: master, store: store).dataKey(for: owner)
        let loser = try await KeyRing(master: master, store: store).dataKey(for: owner)

        #expect(loser == winner)
        #expect(await store.inserts == 2)
    }

    @Test func shreddingDeletesTheKeyEverywhereItLived() async throws {
        let store = InMemoryWrappedKeyStore()
        let ring = KeyRing(master: master, store: store)
        let owner = UUID()
        let original = try await ring.dataKey(for: owner)

        try await ring.shred(owner: owner)

        #expect(await store.load(owner: owner) == nil)
        #expect(try await ring.existingDataKey(for: owner) == nil)
        #expect(try await ring.dataKey(for: owner) != original)
    }

    @Test func keyWrappedByAnotherMasterKeyIsAnErrorNotANewKey() async throws {
        let store = InMemoryWrappedKeyStore()
        let owner = UUID()
        _ = try await KeyRing(master: master, store: store).dataKey(for: owner)
        let stored = await store.load(owner: owner)
        let otherMaster = MasterKey(testingKey: SymmetricKey(size: .bits256))

        let error = await #expect(throws: MasterKeyError.self) {
            try await KeyRing(master: otherMaster, store: store).dataKey(for: owner)
        }

        guard case .unwrapFailed(owner, _) = error else {
            Issue.record("expected unwrapFailed, got \(String(describing: error))")
            return
        }
        #expect(await store.load(owner: owner) == stored)
    }
}

/// A store whose reads never see a key, as when two processes both read before either
/// inserts.
private actor BlindLoadStore: WrappedKeyStore {
    private let keys = InMemoryWrappedKeyStore()
    private(set) var inserts = 0

    func load(owner: UUID) async throws -> [UInt8]? { nil }

    func insertIfAbsent(_ wrapped: [UInt8], owner: UUID) async throws -> [UInt8] {
        inserts += 1
        return await keys.insertIfAbsent(wrapped, owner: owner)
    }

    func delete(owner: UUID) async throws {
        await keys.delete(owner: owner)
    }
}
