#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import Foundation

/// The installation's root secret: 32 random bytes in a file outside the database
/// (mode 0600), created on first start. A copy of the database alone therefore reveals
/// no message, attachment or vault file.
///
/// Nothing is encrypted or authenticated with the raw key. Every use gets its own
/// subkey, derived by HKDF-SHA256 under a distinct label, so one key never serves two
/// purposes and a leaked subkey (say, the session key) exposes nothing else.
public struct MasterKey: Sendable {
    static let byteCount = 32

    /// Only HKDF reads this.
    let key: SymmetricKey

    /// Names blobs (keyed hash of their plaintext).
    public let blobNamingKey: SymmetricKey
    /// HMAC of the tokens in outgoing Message-IDs.
    public let threadingKey: SymmetricKey
    /// Blind index for search over encrypted text.
    public let searchIndexKey: SymmetricKey
    /// Signs or encrypts browser sessions.
    public let sessionKey: SymmetricKey
    /// Wraps the per-organization data keys stored in the database.
    let wrappingKey: SymmetricKey

    public init(testingKey: SymmetricKey) {
        self.init(key: testingKey)
    }

    init(key: SymmetricKey) {
        self.key = key
        blobNamingKey = Self.subkey(of: key, label: "fairdesk blob naming v1")
        threadingKey = Self.subkey(of: key, label: "fairdesk threading token v1")
        searchIndexKey = Self.subkey(of: key, label: "fairdesk blind index v1")
        sessionKey = Self.subkey(of: key, label: "fairdesk session v1")
        wrappingKey = Self.subkey(of: key, label: "fairdesk data key wrapping v1")
    }

    private static func subkey(of key: SymmetricKey, label: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Array(label.utf8), outputByteCount: 32)
    }
}

// MARK: - The key file

extension MasterKey {
    /// Loads the key file at `path`, or creates it (and its folder, mode 0700) when
    /// there is none. Refuses a file that others could read or that is not exactly 32
    /// bytes, rather than run with a leaked or damaged key.
    public static func loadOrCreate(at path: String) throws -> MasterKey {
        if let existing = try load(at: path) { return existing }
        try create(at: path)
        // Read back what is on disk: if another process won the race to create the file,
        // its key is the one to use.
        guard let created = try load(at: path) else {
            throw MasterKeyError.io(path: path, operation: "open", errno: ENOENT)
        }
        return created
    }

    /// The key in `path`, or nil when there is no such file.
    private static func load(at path: String) throws(MasterKeyError) -> MasterKey? {
        let fd: Int32
        do throws(StorageFiles.Failure) {
            fd = try StorageFiles.open(path, O_RDONLY)
        } catch {
            if error.errno == ENOENT { return nil }
            throw MasterKeyError(error)
        }
        defer { StorageFiles.close(fd) }
        // Checked on the open descriptor, not the path, so the file cannot be swapped
        // between the check and the read. Symbolic links are followed on purpose:
        // secret mounts (Kubernetes, Docker) are links into a read-only volume.
        let info: stat
        do throws(StorageFiles.Failure) {
            info = try StorageFiles.status(of: fd, path: path)
        } catch {
            throw MasterKeyError(error)
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .notARegularFile(path: path) }
        let permissions = UInt32(info.st_mode) & 0o7777
        guard permissions & ~0o600 == 0 else { throw .permissionsTooBroad(path: path, mode: permissions) }
        guard info.st_size == byteCount else { throw .wrongSize(path: path, size: Int(info.st_size)) }
        let bytes: [UInt8]
        do throws(StorageFiles.Failure) {
            bytes = try StorageFiles.readAll(fd, path: path)
        } catch {
            throw MasterKeyError(error)
        }
        guard bytes.count == byteCount else { throw .wrongSize(path: path, size: bytes.count) }
        return MasterKey(key: SymmetricKey(data: bytes))
    }

    /// Writes a new key to a temporary file, then links it into place. `link` fails
    /// instead of replacing an existing file, so two processes starting at once on a new
    /// installation cannot overwrite each other's key, and a crash never leaves a
    /// half-written key file under the real name.
    private static func create(at path: String) throws(MasterKeyError) {
        let folder = StorageFiles.parent(of: path)
        let temporary = folder + "/.master-key.tmp." + StorageFiles.randomSuffix()
        do throws(StorageFiles.Failure) {
            let created = try StorageFiles.makeDirectories(folder, mode: 0o700)
            let fd = try StorageFiles.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: 0o600)
            defer { unlink(temporary) }
            do {
                defer { StorageFiles.close(fd) }
                let key = SymmetricKey(size: .bits256)
                // `withUnsafeBytes` only rethrows untyped errors, so carry the failure out.
                let failure: StorageFiles.Failure? = key.withUnsafeBytes { bytes in
                    do throws(StorageFiles.Failure) {
                        try StorageFiles.writeAll(fd, bytes, path: temporary)
                        return nil
                    } catch {
                        return error
                    }
                }
                if let failure { throw failure }
                try StorageFiles.fsyncFile(fd, path: temporary)
            }
            if link(temporary, path) != 0, errno != EEXIST {
                throw StorageFiles.Failure(path: path, operation: "link", errno: errno)
            }
            try StorageFiles.syncDirectory(folder)
            for directory in created {
                try StorageFiles.syncDirectory(StorageFiles.parent(of: directory))
            }
        } catch {
            throw MasterKeyError(error)
        }
    }
}

// MARK: - Wrapping data keys

extension MasterKey {
    /// Version byte, nonce, encrypted 32-byte key, tag.
    static let wrapFormatVersion: UInt8 = 1
    static let wrappedByteCount = 1 + 12 + 32 + 16

    /// Encrypts an organization's data key for storage in the database. The owner id is
    /// authenticated, so a wrapped key copied to another organization's row does not open.
    func wrap(_ dataKey: SymmetricKey, owner: UUID) throws -> [UInt8] {
        let header = [Self.wrapFormatVersion]
        let sealed = try dataKey.withUnsafeBytes { keyBytes in
            try AES.GCM.seal(keyBytes, using: wrappingKey, authenticating: header + StorageFiles.bytes(of: owner))
        }
        var wrapped = header
        sealed.nonce.withUnsafeBytes { wrapped.append(contentsOf: $0) }
        wrapped.append(contentsOf: sealed.ciphertext)
        wrapped.append(contentsOf: sealed.tag)
        return wrapped
    }

    func unwrap(_ wrapped: [UInt8], owner: UUID) throws(MasterKeyError) -> SymmetricKey {
        guard wrapped.count == Self.wrappedByteCount else {
            throw .unwrapFailed(owner: owner, reason: "it is \(wrapped.count) bytes, not \(Self.wrappedByteCount)")
        }
        guard wrapped[0] == Self.wrapFormatVersion else {
            throw .unwrapFailed(owner: owner, reason: "unknown format version \(wrapped[0])")
        }
        do {
            let sealed = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: wrapped[1..<13]),
                ciphertext: wrapped[13..<45],
                tag: wrapped[45...]
            )
            let key = try AES.GCM.open(sealed, using: wrappingKey, authenticating: wrapped[..<1] + StorageFiles.bytes(of: owner))
            return SymmetricKey(data: key)
        } catch {
            throw .unwrapFailed(
                owner: owner,
                reason: "it does not open with this master key: the key file is not the one this database was created with (was one restored without the other?), or the stored key belongs to another owner or is damaged"
            )
        }
    }
}

public enum MasterKeyError: Error, CustomStringConvertible {
    case notARegularFile(path: String)
    case permissionsTooBroad(path: String, mode: UInt32)
    case wrongSize(path: String, size: Int)
    case io(path: String, operation: String, errno: Int32)
    case unwrapFailed(owner: UUID, reason: String)

    init(_ failure: StorageFiles.Failure) {
        self = .io(path: failure.path, operation: failure.operation, errno: failure.errno)
    }

    public var description: String {
        switch self {
        case .notARegularFile(let path):
            return "The master key \(path) is not a regular file. Point the key path at the 32-byte key file."
        case .permissionsTooBroad(let path, let mode):
            return "The master key \(path) has permissions \(String(mode, radix: 8)), so other users may read it; Fairdesk needs 600 or narrower. Fix: chmod 600 '\(path)', and consider whether the key has leaked."
        case .wrongSize(let path, let size):
            return "The master key \(path) holds \(size) bytes instead of \(MasterKey.byteCount): it is damaged or not a Fairdesk key. Restore it from backup. Do not delete it: without the original key, every stored message and attachment is unreadable."
        case .io(let path, let operation, let errno):
            return "The master key \(path) could not be read or created (\(operation): \(StorageFiles.errorText(errno))). Check that the folder exists and that the Fairdesk user may write to it."
        case .unwrapFailed(let owner, let reason):
            return "The data key of owner \(owner) cannot be unwrapped: \(reason)."
        }
    }
}
