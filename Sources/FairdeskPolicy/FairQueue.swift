import Foundation

/// A ticket waiting on support, as the queue sees it.
public struct QueuedTicket: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var number: Int
    /// When the ticket started waiting on support: its place in line.
    public var waitingSince: Date
    /// The agent working on it, if any, and since when.
    public var heldBy: UUID?
    public var heldAt: Date?

    public init(id: UUID, number: Int, waitingSince: Date, heldBy: UUID? = nil, heldAt: Date? = nil) {
        self.id = id
        self.number = number
        self.waitingSince = waitingSince
        self.heldBy = heldBy
        self.heldAt = heldAt
    }
}

/// First come, first served (DESIGN.md §2, seed 003): tickets are answered in the order
/// they started waiting on support. An agent may take another ticket, with a reason.
public struct FairQueue: Sendable {
    /// A hold older than this is free again: an agent who opened a ticket and went home
    /// must not keep it from everyone else.
    public var holdTimeout: TimeInterval

    public init(holdTimeout: TimeInterval = 1800) {
        self.holdTimeout = holdTimeout
    }

    /// Whether another agent holds `ticket` right now. A hold counts until it is more than
    /// `holdTimeout` old; a hold with no time is not trusted (nobody can tell whether it is
    /// stale, and a ticket must never stay stuck), and a hold from a clock ahead of ours
    /// counts.
    public func isHeld(_ ticket: QueuedTicket, byOtherThan agent: UUID, now: Date) -> Bool {
        guard let holder = ticket.heldBy, holder != agent, let heldAt = ticket.heldAt else { return false }
        return now.timeIntervalSince(heldAt) <= holdTimeout
    }

    /// The ticket "Next" gives `agent`: the oldest waiting (by waitingSince, then number)
    /// not held by another agent; the agent's own hold counts as theirs.
    public func next(in queue: [QueuedTicket], for agent: UUID, now: Date) -> QueuedTicket? {
        queue.filter { !isHeld($0, byOtherThan: agent, now: now) }.min(by: Self.inLine)
    }

    /// Whether answering `pick` is out of order for `agent`: true when `next(...)` exists
    /// and is another ticket.
    public func isOutOfOrder(_ pick: QueuedTicket, in queue: [QueuedTicket], agent: UUID, now: Date) -> Bool {
        guard let next = next(in: queue, for: agent, now: now) else { return false }
        return next.id != pick.id
    }

    /// 1-based position of `ticket` among all waiting tickets (held ones count: they wait
    /// too); nil when it is not in `queue`.
    public func position(of ticket: QueuedTicket, in queue: [QueuedTicket]) -> Int? {
        guard queue.contains(where: { $0.id == ticket.id }) else { return nil }
        let current = queue.first { $0.id == ticket.id } ?? ticket
        return queue.filter { $0.id != ticket.id && Self.inLine($0, current) }.count + 1
    }

    /// When a customer's reply puts a ticket waiting on the customer back in line: the
    /// reply's time. A reply on a ticket already waiting on support (held by an agent or
    /// not) keeps its place: writing again must never cost a customer their turn, nor buy
    /// them a better one.
    public static func waitingSince(current: Date?, isWaitingOnSupport: Bool, replyAt: Date) -> Date {
        if isWaitingOnSupport, let current { return current }
        return replyAt
    }

    /// Queue order: earlier waitingSince first; the lower ticket number breaks a tie.
    static func inLine(_ a: QueuedTicket, _ b: QueuedTicket) -> Bool {
        if a.waitingSince != b.waitingSince { return a.waitingSince < b.waitingSince }
        return a.number < b.number
    }
}

/// Why an agent answered a ticket out of order. Every out-of-order pick is recorded with
/// one and shows in the fairness report.
public enum OutOfOrderReason: Sendable, Hashable, CustomStringConvertible {
    case quickAnswer
    case relatedToCurrent
    case sameCustomer
    case other(String)

    /// The longest "other" text kept, in characters (longer text is cut, not refused).
    public static let textLimit = 500

    /// Codes "quick_answer", "related", "same_customer", "other" (other needs non-blank
    /// text, trimmed, at most `textLimit` characters); nil for anything else. `text` is
    /// ignored for the other codes.
    public init?(code: String?, text: String?) {
        switch code?.trimmingCharacters(in: .whitespacesAndNewlines) {
        case "quick_answer": self = .quickAnswer
        case "related": self = .relatedToCurrent
        case "same_customer": self = .sameCustomer
        case "other":
            let trimmed = (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { return nil }
            self = .other(String(trimmed.prefix(Self.textLimit)))
        default: return nil
        }
    }

    public var code: String {
        switch self {
        case .quickAnswer: "quick_answer"
        case .relatedToCurrent: "related"
        case .sameCustomer: "same_customer"
        case .other: "other"
        }
    }

    /// For people: "quick answer", "related to the ticket in hand", "same customer", or the
    /// agent's own words.
    public var description: String {
        switch self {
        case .quickAnswer: "quick answer"
        case .relatedToCurrent: "related to the ticket in hand"
        case .sameCustomer: "same customer"
        case .other(let text): text
        }
    }

    /// The choices of the agent's form, in order; "other" asks for text.
    public static let choices: [(code: String, title: String)] = [
        ("quick_answer", "Quick answer"),
        ("related", "Related to the ticket in hand"),
        ("same_customer", "Same customer"),
        ("other", "Other (please say why)"),
    ]
}
