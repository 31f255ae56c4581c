#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The POSIX file operations the master key and the blob store share. Foundation's
/// file APIs cannot express what durability needs here (`O_EXCL`, `fsync` of a file and
/// of its folder, `link` that never replaces), so these call the C library directly.
enum StorageFiles {
    /// A failed system call, mapped by each caller to its own typed error.
    struct Failure: Error {
        var path: String
        var operation: String
        var errno: Int32
    }

    static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// Opens `path`, retrying when a signal interrupts the call.
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0) throws(Failure) -> Int32 {
        while true {
            #if canImport(Darwin)
            let fd = Darwin.open(path, flags | O_CLOEXEC, mode)
            #else
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            #endif
            if fd >= 0 { return fd }
            if errno != EINTR { throw Failure(path: path, operation: "open", errno: errno) }
        }
    }

    static func close(_ fd: Int32) {
        // Nothing useful can be done when close fails: the data that mattered was
        // written and fsynced (or deliberately not) before this point.
        #if canImport(Darwin)
        _ = Darwin.close(fd)
        #else
        _ = Glibc.close(fd)
        #endif
    }

    static func status(of fd: Int32, path: String) throws(Failure) -> stat {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure(path: path, operation: "fstat", errno: errno) }
        return info
    }

    /// Reads the whole file behind `fd`.
    static func readAll(_ fd: Int32, path: String) throws(Failure) -> [UInt8] {
        let expected = Int(try status(of: fd, path: path).st_size)
        var bytes = [UInt8](repeating: 0, count: expected)
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { buffer in
                read(fd, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if count > 0 {
                filled += count
            } else if count == 0 {
                break  // the file shrank since fstat; return what is there
            } else if errno != EINTR {
                throw Failure(path: path, operation: "read", errno: errno)
            }
        }
        if filled < bytes.count { bytes.removeSubrange(filled...) }
        return bytes
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(Failure) {
        var written = 0
        while written < bytes.count {
            let count = write(fd, bytes.baseAddress! + written, bytes.count - written)
            if count >= 0 {
                written += count
            } else if errno != EINTR {
                throw Failure(path: path, operation: "write", errno: errno)
            }
        }
    }

    static func fsyncFile(_ fd: Int32, path: String) throws(Failure) {
        guard fsync(fd) == 0 else { throw Failure(path: path, operation: "fsync", errno: errno) }
    }

    /// Makes a new, renamed or linked directory entry durable: a file's own fsync does
    /// not cover the name that points to it.
    static func syncDirectory(_ path: String) throws(Failure) {
        let fd = try open(path, O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        try fsyncFile(fd, path: path)
    }

    /// Creates `path` and any missing parents with `mode` (like `mkdir -p`), and returns
    /// the folders it created, outermost first, so the caller can make them durable.
    @discardableResult
    static func makeDirectories(_ path: String, mode: mode_t) throws(Failure) -> [String] {
        var missing: [String] = []
        var candidate = path
        while !candidate.isEmpty, candidate != "/", candidate != "." {
            var info = stat()
            if stat(candidate, &info) == 0 {
                guard info.st_mode & S_IFMT == S_IFDIR else {
                    throw Failure(path: candidate, operation: "mkdir", errno: ENOTDIR)
                }
                break
            }
            missing.append(candidate)
            candidate = parent(of: candidate)
        }
        var created: [String] = []
        for directory in missing.reversed() {
            if mkdir(directory, mode) == 0 {
                created.append(directory)
            } else if errno != EEXIST {  // another process may create it at the same time
                throw Failure(path: directory, operation: "mkdir", errno: errno)
            }
        }
        return created
    }

    /// The folder holding `path`: "." for a bare name, "/" for a name in the root.
    static func parent(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        if slash == trimmed.startIndex { return "/" }
        return String(trimmed[..<slash])
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// A random suffix that keeps temporary names of concurrent writers apart.
    static func randomSuffix() -> String {
        var generator = SystemRandomNumberGenerator()
        return hex((0..<8).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    static func bytes(of owner: UUID) -> [UInt8] {
        withUnsafeBytes(of: owner.uuid) { Array($0) }
    }

    /// Runs blocking file work (large reads and writes, fsync) on a Dispatch thread, so
    /// it does not hold one of the few threads of Swift's cooperative pool.
    static func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try work() })
            }
        }
    }
}
