/// The ways support can talk with a customer. Email (and the portal, which is email by
/// other means) is the channel of first resort; the others are escalations on plans that
/// do not include them (DESIGN.md §1).
public enum Channel: String, Sendable, Hashable, Codable, CaseIterable {
    case email
    case portal
    case phone
    case videoCall = "video_call"
    case remoteAccess = "remote_access"

    /// A real-time channel: it needs both parties at the same moment.
    public var isRealTime: Bool {
        switch self {
        case .email, .portal: false
        case .phone, .videoCall, .remoteAccess: true
        }
    }

    public var title: String {
        switch self {
        case .email: "email"
        case .portal: "portal"
        case .phone: "phone call"
        case .videoCall: "video call"
        case .remoteAccess: "remote access"
        }
    }
}
