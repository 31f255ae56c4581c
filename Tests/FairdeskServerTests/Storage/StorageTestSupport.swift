import Crypto
import Foundation
@testable import FairdeskServer

/// A fresh folder for one test, removed when the test's suite instance goes away.
final class TemporaryFolder: Sendable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.path + "/fairdesk-storage-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// File and byte helpers for the storage tests (a namespace, so they cannot clash with
/// helpers of other test files in this target).
enum StorageTesting {
    static func permissions(of path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    static func inode(of path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.systemFileNumber] as? NSNumber)?.intValue ?? -1
    }

    /// Every regular file below `folder`, as sorted relative paths.
    static func files(under folder: String) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: folder)
        var found: [String] = []
        while let entry = enumerator?.nextObject() as? String {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder + "/" + entry, isDirectory: &isFolder), !isFolder.boolValue {
                found.append(entry)
            }
        }
        return found.sorted()
    }

    static func read(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count)
        where haystack[start] == needle[0] && haystack[start..<start + needle.count].elementsEqual(needle) {
            return true
        }
        return false
    }

    /// Deterministic, patternless content of any size (xorshift), fast enough for 30 MB.
    static func sampleBytes(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                buffer[index] = UInt8(truncatingIfNeeded: state)
            }
            initialized = count
        }
    }

    static func bytes(of key: SymmetricKey) -> [UInt8] {
        key.withUnsafeBytes { Array($0) }
    }

    /// The case of a blob store error, for assertions that do not care about the payload.
    static func kind(_ error: BlobStoreError?) -> String? {
        switch error {
        case .shredded: "shredded"
        case .missing: "missing"
        case .corrupt: "corrupt"
        case .io: "io"
        case nil: nil
        }
    }
}
