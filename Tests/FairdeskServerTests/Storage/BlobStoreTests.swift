import Crypto
import Foundation
import Testing
@testable import FairdeskServer

@Suite struct BlobStoreTests {
    let folder: TemporaryFolder
    let master = MasterKey(testingKey: SymmetricKey(size: .bits256))
    let keys = InMemoryWrappedKeyStore()
    let keyRing: KeyRing
    let blobs: BlobStore
    let owner = UUID()

    init() throws {
        folder = try TemporaryFolder()
        keyRing = KeyRing(master: master, store: keys)
        blobs = BlobStore(root: folder.path + "/blobs", master: master, keyRing: keyRing)
    }

    private func path(of reference: BlobReference, owner: UUID) -> String {
        BlobStore.Paths(root: blobs.root, owner: owner, name: reference.name).file
    }

    // MARK: Round trips

    @Test(arguments: [0, 1, 4099, 30 * 1024 * 1024])
    func roundTrip(size: Int) async throws {
        let content = StorageTesting.sampleBytes(size)

        let reference = try await blobs.put(content, owner: owner)

        #expect(reference.size == size)
        #expect(BlobStore.isBlobName(reference.name))
        #expect(blobs.exists(reference, owner: owner))
        let file = path(of: reference, owner: owner)
        #expect(file.hasSuffix("/\(owner.uuidString.lowercased())/\(reference.name.prefix(2))/\(reference.name)"))
        #expect(try StorageTesting.read(file).count == size + BlobStore.overhead)
        #expect(try await blobs.get(reference, owner: owner) == content)
    }

    @Test func filesAndFoldersAreForTheServerUserOnly() async throws {
        let reference = try await blobs.put(Array("secret".utf8), owner: owner)

        let file = path(of: reference, owner: owner)
        #expect(try StorageTesting.permissions(of: file) == 0o600)
        #expect(try StorageTesting.permissions(of: StorageFiles.parent(of: file)) == 0o700)
        #expect(try StorageTesting.permissions(of: blobs.root + "/" + owner.uuidString.lowercased()) == 0o700)
        #expect(try StorageTesting.permissions(of: blobs.root) == 0o700)
    }

    // MARK: Deduplication

    @Test func sameContentForOneOwnerIsStoredOnce() async throws {
        let content = Array("the same attachment, forwarded twice".utf8)
        let first = try await blobs.put(content, owner: owner)
        let inode = try StorageTesting.inode(of: path(of: first, owner: owner))

        let second = try await blobs.put(content, owner: owner)

        #expect(second == first)
        #expect(StorageTesting.files(under: blobs.root).count == 1)
        // Not rewritten: a rewrite renames a new file into place, which has a new inode.
        #expect(try StorageTesting.inode(of: path(of: first, owner: owner)) == inode)
    }

    @Test func sameContentForAnotherOwnerGetsItsOwnNameAndFile() async throws {
        let content = Array("a log file two customers both sent".utf8)
        let otherOwner = UUID()

        let mine = try await blobs.put(content, owner: owner)
        let theirs = try await blobs.put(content, owner: otherOwner)

        #expect(mine.name != theirs.name)
        #expect(StorageTesting.files(under: blobs.root).count == 2)
        #expect(try await blobs.get(mine, owner: owner) == content)
        #expect(try await blobs.get(theirs, owner: otherOwner) == content)
    }

    @Test func nameRevealsNothingWithoutTheKey() async throws {
        let content = Array("guessable content".utf8)

        let reference = try await blobs.put(content, owner: owner)

        #expect(reference.name != StorageFiles.hex(SHA256.hash(data: content)))
        let otherInstallation = BlobStore(root: blobs.root, master: MasterKey(testingKey: SymmetricKey(size: .bits256)), keyRing: keyRing)
        #expect(otherInstallation.name(of: content, owner: owner) != reference.name)
    }

    // MARK: Confidentiality and integrity

    @Test func fileOnDiskHoldsNoPlaintext() async throws {
        let canary = Array("FAIRDESK-CANARY: the customer's password is hunter2".utf8)
        let content = Array("Dear support,\n".utf8) + canary + Array(repeating: 0x20, count: 100) + canary

        let reference = try await blobs.put(content, owner: owner)

        let onDisk = try StorageTesting.read(path(of: reference, owner: owner))
        #expect(!StorageTesting.contains(onDisk, canary))
        #expect(!StorageTesting.contains(onDisk, Array("hunter2".utf8)))
        #expect(!StorageTesting.contains(onDisk, Array("Dear support".utf8)))
    }

    /// Header, nonce, ciphertext, tag.
    @Test(arguments: [0, 4, 5, 16, 17, 500, -1])
    func tamperingWithAnyByteIsDetected(offset: Int) async throws {
        let reference = try await blobs.put(StorageTesting.sampleBytes(1000), owner: owner)
        let file = path(of: reference, owner: owner)
        var bytes = try StorageTesting.read(file)
        bytes[offset >= 0 ? offset : bytes.count + offset] ^= 0x01
        try StorageTesting.write(bytes, to: file)

        let error = await #expect(throws: BlobStoreError.self) { try await blobs.get(reference, owner: owner) }

        #expect(StorageTesting.kind(error) == "corrupt")
    }

    @Test func truncatedFileIsCorrupt() async throws {
        let reference = try await blobs.put(StorageTesting.sampleBytes(1000), owner: owner)
        let file = path(of: reference, owner: owner)
        try StorageTesting.write(Array(try StorageTesting.read(file).prefix(20)), to: file)

        let error = await #expect(throws: BlobStoreError.self) { try await blobs.get(reference, owner: owner) }

        #expect(StorageTesting.kind(error) == "corrupt")
    }

    @Test func anotherOwnerCannotReadTheBlob() async throws {
        let reference = try await blobs.put(Array("organization A's crash dump".utf8), owner: owner)
        let otherOwner = UUID()
        _ = try await blobs.put(Array("organization B's own file".utf8), owner: otherOwner)

        let notThere = await #expect(throws: BlobStoreError.self) { try await blobs.get(reference, owner: otherOwner) }
        #expect(StorageTesting.kind(notThere) == "missing")

        // Even with the file copied into the other owner's folder, it does not open.
        let copy = path(of: reference, owner: otherOwner)
        try FileManager.default.createDirectory(atPath: StorageFiles.parent(of: copy), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: path(of: reference, owner: owner), toPath: copy)
        let copied = await #expect(throws: BlobStoreError.self) { try await blobs.get(reference, owner: otherOwner) }
        #expect(StorageTesting.kind(copied) == "corrupt")
    }

    @Test func referenceWithWrongSizeIsCorrupt() async throws {
        var reference = try await blobs.put(Array("twelve bytes".utf8), owner: owner)
        reference.size = 11

        let error = await #expect(throws: BlobStoreError.self) { try await blobs.get(reference, owner: owner) }

        #expect(StorageTesting.kind(error) == "corrupt")
    }

    @Test(arguments: ["../../../etc/passwd", "", "AB" + String(repeating: "0", count: 62), String(repeating: "0", count: 63)])
    func referenceThatIsNotABlobNameIsRefused(name: String) async throws {
        let reference = BlobReference(name: name, size: 0)

        let error = await #expect(throws: BlobStoreError.self) { try await blobs.get(reference, owner: owner) }

        #expect(StorageTesting.kind(error) == "corrupt")
        #expect(!blobs.exists(reference, owner: owner))
    }

    @Test func unknownBlobIsMissing() async throws {
        _ = try await keyRing.dataKey(for: owner)
        let reference = BlobReference(name: String(repeating: "ab", count: 32), size: 1)

        let error = await #expect(throws: BlobStoreError.self) { try await blobs.get(reference, owner: owner) }

        #expect(StorageTesting.kind(error) == "missing")
        #expect(!blobs.exists(reference, owner: owner))
    }

    // MARK: Crypto-shredding

    @Test func shreddedBlobsCannotBeReadEvenWithTheMasterKey() async throws {
        let content = Array("a contract under NDA".utf8)
        let reference = try await blobs.put(content, owner: owner)
        let file = path(of: reference, owner: owner)

        try await keyRing.shred(owner: owner)

        let error = await #expect(throws: BlobStoreError.self) { try await blobs.get(reference, owner: owner) }
        #expect(StorageTesting.kind(error) == "shredded")
        // The file is still there, as in a backup, and nothing derived from the master key opens it.
        let onDisk = try StorageTesting.read(file)
        let restarted = KeyRing(master: master, store: keys)
        let candidates = [
            master.key, master.blobNamingKey, master.threadingKey, master.searchIndexKey, master.sessionKey,
            master.wrappingKey, try await restarted.dataKey(for: owner),
        ]
        for key in candidates {
            #expect(throws: BlobStoreError.self) {
                try BlobStore.decrypt(onDisk, name: reference.name, owner: owner, key: key)
            }
        }
        let afterRestart = BlobStore(root: blobs.root, master: master, keyRing: restarted)
        let stillUnreadable = await #expect(throws: BlobStoreError.self) { try await afterRestart.get(reference, owner: owner) }
        #expect(StorageTesting.kind(stillUnreadable) == "corrupt")
    }

    @Test func contentStoredAgainAfterShreddingIsReadable() async throws {
        let content = Array("sent again after the organization was shredded".utf8)
        let before = try await blobs.put(content, owner: owner)
        try await keyRing.shred(owner: owner)

        let after = try await blobs.put(content, owner: owner)

        #expect(after == before)
        #expect(try await blobs.get(after, owner: owner) == content)
    }

    // MARK: Crashes and durability

    @Test func leftoverTemporaryFileIsNotTheBlobAndIsCleanedUpByPut() async throws {
        let content = Array("message being written when the power went out".utf8)
        let reference = BlobReference(name: blobs.name(of: content, owner: owner), size: content.count)
        let blobFolder = StorageFiles.parent(of: path(of: reference, owner: owner))
        try FileManager.default.createDirectory(atPath: blobFolder, withIntermediateDirectories: true)
        let crashed = blobFolder + "/" + BlobStore.temporaryPrefix + reference.name + ".0123456789abcdef"
        try StorageTesting.write(Array("FDBL\u{1}half a blo".utf8), to: crashed)
        let longAgo = Date().addingTimeInterval(-2 * BlobStore.staleTemporaryFileAge)
        try FileManager.default.setAttributes([.modificationDate: longAgo], ofItemAtPath: crashed)
        // Another process's write in progress: recent, so it must be left alone.
        let inProgress = blobFolder + "/" + BlobStore.temporaryPrefix + reference.name + ".fedcba9876543210"
        try StorageTesting.write(Array("FDBL".utf8), to: inProgress)

        #expect(!blobs.exists(reference, owner: owner))
        let error = await #expect(throws: BlobStoreError.self) { try await blobs.get(reference, owner: owner) }
        #expect(StorageTesting.kind(error) == "missing")

        let stored = try await blobs.put(content, owner: owner)

        #expect(stored == reference)
        #expect(try await blobs.get(stored, owner: owner) == content)
        #expect(!FileManager.default.fileExists(atPath: crashed))
        #expect(FileManager.default.fileExists(atPath: inProgress))
    }

    /// A `durable: false` write lost in a power failure can leave an empty file under the
    /// blob's name. Redelivery must repair it, not trust it.
    @Test func putReplacesADamagedFileOfTheSameName() async throws {
        let content = StorageTesting.sampleBytes(5000)
        let reference = try await blobs.put(content, owner: owner, durable: false)
        try StorageTesting.write([], to: path(of: reference, owner: owner))

        _ = try await blobs.put(content, owner: owner)

        #expect(try await blobs.get(reference, owner: owner) == content)
    }

    @Test func batchedPutsBecomeDurableWithSync() async throws {
        let otherOwner = UUID()
        var written: [(BlobReference, UUID)] = []
        for index in 0..<5 {
            let content = Array("message \(index)".utf8)
            written.append((try await blobs.put(content, owner: owner, durable: false), owner))
            written.append((try await blobs.put(content, owner: otherOwner, durable: false), otherOwner))
        }

        try blobs.sync(written)

        for (reference, blobOwner) in written {
            #expect(blobs.exists(reference, owner: blobOwner))
        }
        #expect(try await blobs.get(written[9].0, owner: otherOwner) == Array("message 4".utf8))
    }

    @Test func syncOfAMissingBlobFails() async throws {
        let reference = BlobReference(name: String(repeating: "cd", count: 32), size: 1)

        let error = #expect(throws: BlobStoreError.self) { try blobs.sync([(reference, owner)]) }

        #expect(StorageTesting.kind(error) == "missing")
    }
}
