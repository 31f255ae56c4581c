import Crypto
import Foundation
import Vapor

/// The long-lived pieces every handler and job uses, built once by `configure`.
public struct FairdeskServices: Sendable {
    public let configuration: FairdeskConfiguration
    let masterKey: MasterKey
    let keyRing: KeyRing
    let blobs: BlobStore
    let threading: ThreadingToken
    let metrics: FairdeskMetrics
    /// Every write transaction goes through it (see WriteGate).
    let writes: WriteGate
    /// False when this start created the master key file.
    let masterKeyExisted: Bool

    /// The key owner of blobs that belong to no organization (mail that needs attention).
    static let installationOwner = UUID(uuidString: "00000000-0000-0000-0000-00000000f0d5") ?? UUID()
}

struct FairdeskServicesKey: StorageKey {
    typealias Value = FairdeskServices
}

extension Application {
    /// Set by `configure`; a handler reaching for it earlier is a programming error.
    public var fairdesk: FairdeskServices {
        get {
            guard let services = storage[FairdeskServicesKey.self] else {
                fatalError("configure(_:configuration:) has not run")
            }
            return services
        }
        set { storage[FairdeskServicesKey.self] = newValue }
    }
}

extension Request {
    var fairdesk: FairdeskServices { application.fairdesk }
}
