import Foundation

/// A support plan, as far as the policy needs it: which channels it includes
/// (DESIGN.md §5). Prices, terms and billing live elsewhere.
public struct Plan: Sendable, Hashable {
    public var id: String
    public var name: String
    public var channels: Set<Channel>

    public init(id: String, name: String, channels: Set<Channel>) {
        self.id = id
        self.name = name
        self.channels = channels
    }

    public func includes(_ channel: Channel) -> Bool {
        channels.contains(channel)
    }
}

public enum Plans {
    /// Free support is email first (seed 003): email and the portal, nothing real-time.
    public static let free = Plan(id: "free", name: "Free", channels: [.email, .portal])

    /// A service agreement includes every channel (seed 002).
    public static let serviceAgreement = Plan(
        id: "service_agreement",
        name: "Service agreement",
        channels: [.email, .portal, .phone, .videoCall, .remoteAccess]
    )

    public static let all: [Plan] = [free, serviceAgreement]

    /// The plan with `id`. An unknown id (a plan removed from the installation, a typo in an
    /// import) falls back to Free: the strictest policy is the safe default, because a
    /// mistake then costs a customer a polite email instead of costing the vendor calls it
    /// never sold.
    public static func plan(id: String) -> Plan {
        all.first { $0.id == id } ?? free
    }
}

public enum EscalationDecision: Sendable, Equatable {
    case allowed
    case needsReason
    case escalated(reason: String)
}

/// Phone, video and remote access are an escalation on plans that do not include them
/// (DESIGN.md §1): possible once email has been shown not to work, and that has to be
/// written down.
public enum Escalation {
    /// The longest reason kept, in characters; longer reasons are cut, not refused, so an
    /// agent who wrote a lot does not lose it all.
    public static let reasonLimit = 2000

    /// Scheduling `channel` on a ticket under `plan`: allowed outright when the plan
    /// includes the channel; otherwise only with a non-blank reason why email is not
    /// working (trimmed, at most `reasonLimit` characters) → `.escalated`; blank or nil →
    /// `.needsReason`.
    public static func decide(plan: Plan, channel: Channel, reason: String?) -> EscalationDecision {
        if plan.includes(channel) { return .allowed }
        let trimmed = (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return .needsReason }
        return .escalated(reason: String(trimmed.prefix(reasonLimit)))
    }

    /// Whether to send the policy's polite answer to a call demand: only when at least one
    /// demanded channel is outside the plan, and not already answered on this ticket.
    public static func shouldAnswer(_ demand: CallDemand, plan: Plan, alreadyAnswered: Bool) -> Bool {
        guard !alreadyAnswered else { return false }
        return !demand.channels.isSubset(of: plan.channels)
    }
}
