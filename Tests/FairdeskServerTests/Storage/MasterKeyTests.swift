import Crypto
import Foundation
import Testing
@testable import FairdeskServer

@Suite struct MasterKeyTests {
    let folder: TemporaryFolder

    init() throws {
        folder = try TemporaryFolder()
    }

    @Test func createsKeyFileWithOwnerOnlyPermissionsAndReloadsTheSameKey() throws {
        let path = folder.path + "/data/keys/master.key"

        let created = try MasterKey.loadOrCreate(at: path)
        let reloaded = try MasterKey.loadOrCreate(at: path)

        #expect(try StorageTesting.permissions(of: path) == 0o600)
        #expect(try StorageTesting.permissions(of: folder.path + "/data/keys") == 0o700)
        #expect(try StorageTesting.permissions(of: folder.path + "/data") == 0o700)
        #expect(try StorageTesting.read(path) == StorageTesting.bytes(of: created.key))
        #expect(reloaded.key == created.key)
        #expect(reloaded.blobNamingKey == created.blobNamingKey)
        #expect(StorageTesting.files(under: folder.path + "/data/keys") == ["master.key"])
    }

    @Test func twoInstallationsGetDifferentKeys() throws {
        let first = try MasterKey.loadOrCreate(at: folder.path + "/one/master.key")
        let second = try MasterKey.loadOrCreate(at: folder.path + "/two/master.key")

        #expect(first.key != second.key)
    }

    @Test func processesStartingTogetherAgreeOnOneKey() async throws {
        let path = folder.path + "/master.key"

        let keys = try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for _ in 0..<8 {
                group.addTask { StorageTesting.bytes(of: try MasterKey.loadOrCreate(at: path).key) }
            }
            return try await group.reduce(into: Set<[UInt8]>()) { $0.insert($1) }
        }

        #expect(keys.count == 1)
        #expect(StorageTesting.files(under: folder.path) == ["master.key"])
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o700])
    func refusesKeyFileWithBroaderPermissions(mode: Int) throws {
        let path = folder.path + "/master.key"
        let original = try MasterKey.loadOrCreate(at: path)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)

        let error = #expect(throws: MasterKeyError.self) { try MasterKey.loadOrCreate(at: path) }

        guard case .permissionsTooBroad(let reportedPath, let reportedMode) = error else {
            Issue.record("expected permissionsTooBroad, got \(String(describing: error))")
            return
        }
        #expect(reportedPath == path)
        #expect(reportedMode == UInt32(mode))
        #expect(error?.description.contains("chmod 600 '\(path)'") == true)
        // Refusing must not mean replacing: the key is still the original.
        #expect(try StorageTesting.read(path) == StorageTesting.bytes(of: original.key))
    }

    @Test func acceptsReadOnlyKeyFile() throws {
        let path = folder.path + "/master.key"
        let original = try MasterKey.loadOrCreate(at: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o400], ofItemAtPath: path)

        #expect(try MasterKey.loadOrCreate(at: path).key == original.key)
    }

    @Test(arguments: [0, 16, 31, 33])
    func refusesKeyFileOfWrongSize(size: Int) throws {
        let path = folder.path + "/master.key"
        let original = try StorageTesting.read(try createKey(at: path))
        let damaged = Array((original + original).prefix(size))
        try StorageTesting.write(damaged, to: path)

        let error = #expect(throws: MasterKeyError.self) { try MasterKey.loadOrCreate(at: path) }

        guard case .wrongSize(let reportedPath, let reportedSize) = error else {
            Issue.record("expected wrongSize, got \(String(describing: error))")
            return
        }
        #expect(reportedPath == path)
        #expect(reportedSize == size)
        #expect(error?.description.contains("Do not delete it") == true)
        #expect(try StorageTesting.read(path) == damaged)
    }

    @Test func refusesFolderInPlaceOfKeyFile() throws {
        let path = folder.path + "/master.key"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)

        let error = #expect(throws: MasterKeyError.self) { try MasterKey.loadOrCreate(at: path) }

        guard case .notARegularFile(path) = error else {
            Issue.record("expected notARegularFile, got \(String(describing: error))")
            return
        }
    }

    @Test func subkeysDifferFromEachOtherAndFromTheMasterKey() {
        let master = MasterKey(testingKey: SymmetricKey(size: .bits256))

        let keys = [master.key, master.blobNamingKey, master.threadingKey, master.searchIndexKey, master.sessionKey, master.wrappingKey]

        #expect(Set(keys.map(StorageTesting.bytes(of:))).count == keys.count)
        #expect(keys.allSatisfy { $0.bitCount == 256 })
    }

    @Test func subkeysDependOnlyOnTheMasterKey() {
        let secret = SymmetricKey(size: .bits256)

        let first = MasterKey(testingKey: secret)
        let second = MasterKey(testingKey: secret)

        #expect(first.sessionKey == second.sessionKey)
        #expect(first.searchIndexKey == second.searchIndexKey)
    }

    @Test func wrappedDataKeyOpensOnlyForItsOwnerAndMasterKey() throws {
        let master = MasterKey(testingKey: SymmetricKey(size: .bits256))
        let dataKey = SymmetricKey(size: .bits256)
        let owner = UUID()

        let wrapped = try master.wrap(dataKey, owner: owner)

        #expect(wrapped.count == MasterKey.wrappedByteCount)
        #expect(!StorageTesting.contains(wrapped, StorageTesting.bytes(of: dataKey)))
        #expect(try master.unwrap(wrapped, owner: owner) == dataKey)
        #expect(throws: MasterKeyError.self) { try master.unwrap(wrapped, owner: UUID()) }
        let otherMaster = MasterKey(testingKey: SymmetricKey(size: .bits256))
        #expect(throws: MasterKeyError.self) { try otherMaster.unwrap(wrapped, owner: owner) }
        var tampered = wrapped
        tampered[20] ^= 0x01
        #expect(throws: MasterKeyError.self) { try master.unwrap(tampered, owner: owner) }
    }

    private func createKey(at path: String) throws -> String {
        _ = try MasterKey.loadOrCreate(at: path)
        return path
    }
}
