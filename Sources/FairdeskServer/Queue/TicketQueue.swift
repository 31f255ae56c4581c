import FairdeskPolicy
import Fluent
import Foundation
import SQLKit
import Vapor

/// How an agent took a ticket out of the queue; recorded with each answer.
enum QueueTake: String, Sendable {
    case reply
    case infoRequest = "info_request"
    case investigation
}

/// An agent answered a waiting ticket while an older one, held by nobody else, waited, and
/// gave no reason (first come, first served: DESIGN.md §2). Nothing was written.
struct OutOfOrderRefusal: AbortError {
    var olderNumber: Int
    var status: HTTPResponseStatus { .unprocessableEntity }
    var reason: String {
        "outOfOrderReason: ticket #\(olderNumber) has waited longer and nobody else holds it; "
            + "say why this one goes first (\(OutOfOrderReason.choices.map(\.code).joined(separator: ", ")); other needs a text)"
    }
}

/// The queue in SQL: the same rules as `FairQueue` (the pure statement of the policy,
/// which the tests hold this to), over the `tickets` table so that a million tickets and
/// several server processes work.
struct TicketQueue {
    let database: any Database
    let configuration: FairdeskConfiguration

    init(database: any Database, configuration: FairdeskConfiguration) {
        self.database = database
        self.configuration = configuration
    }

    var policy: FairQueue { FairQueue(holdTimeout: TimeInterval(configuration.holdTimeoutSeconds)) }

    /// The ticket at the head of the queue for one agent.
    struct Head: Sendable, Decodable, Equatable {
        var id: UUID
        var number: Int
        var heldBy: UUID?
        var heldAt: Date?
    }

    private var sql: any SQLDatabase {
        get throws {
            guard let sql = database as? any SQLDatabase else { throw Abort(.internalServerError, reason: "Fairdesk needs an SQL database") }
            return sql
        }
    }

    private var isPostgres: Bool { (database as? any SQLDatabase)?.dialect.name == "postgresql" }

    /// Waiting on support, and held by nobody, by `agent`, or by a hold that has lapsed.
    private func free(for agent: UUID, now: Date) -> SQLQueryString {
        let lapsed = now.addingTimeInterval(-policy.holdTimeout)
        return """
            \(ident: "status") = \(bind: TicketStatus.waitingOnSupport.rawValue) \
            AND (\(ident: "held_by") IS NULL OR \(ident: "held_by") = \(bind: agent) OR \(ident: "held_at") < \(bind: lapsed))
            """
    }

    /// The ticket "Next" would give `agent` now: the oldest waiting on support that no other
    /// agent holds. With `lock` (PostgreSQL, inside a transaction) the row is locked and
    /// rows other transactions have locked are skipped, so two processes pressing Next at
    /// the same moment get two different tickets.
    func head(for agent: UUID, now: Date, lock: Bool = false) async throws -> Head? {
        let locking: SQLQueryString = lock && isPostgres ? " FOR UPDATE SKIP LOCKED" : ""
        let query: SQLQueryString = """
            SELECT \(ident: "id"), \(ident: "number"), \(ident: "held_by"), \(ident: "held_at") FROM \(ident: "tickets") \
            WHERE \(free(for: agent, now: now)) \
            ORDER BY \(ident: "waiting_since"), \(ident: "number") LIMIT 1\(locking)
            """
        return try await sql.raw(query).first(decoding: Head.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    /// "Next": hands `agent` the head of the queue and holds it for them; their other holds
    /// are let go (an agent has one ticket in hand). Nil when nothing waits. Run it inside
    /// a write transaction.
    func next(for agent: UUID, now: Date) async throws -> Head? {
        let sql = try self.sql
        // A concurrent claim can make the row fail the re-check after it was picked; then
        // the statement finds nothing and the next one is tried.
        for _ in 0..<8 {
            guard let head = try await head(for: agent, now: now, lock: true) else { return nil }
            struct Claimed: Decodable { var id: UUID }
            let claimed = try await sql.raw("""
                UPDATE \(ident: "tickets") SET \(ident: "held_by") = \(bind: agent), \(ident: "held_at") = \(bind: now) \
                WHERE \(ident: "id") = \(bind: head.id) AND \(free(for: agent, now: now)) RETURNING \(ident: "id")
                """).first(decoding: Claimed.self)
            guard claimed != nil else { continue }
            try await sql.raw("""
                UPDATE \(ident: "tickets") SET \(ident: "held_by") = NULL, \(ident: "held_at") = NULL \
                WHERE \(ident: "held_by") = \(bind: agent) AND \(ident: "id") <> \(bind: head.id)
                """).run()
            let alreadyMine = head.heldBy == agent && (head.heldAt.map { $0 >= now.addingTimeInterval(-policy.holdTimeout) } ?? false)
            if !alreadyMine {
                try await Rows(database).event(ticket: head.id, actor: agent, kind: "queue.taken", detail: "took #\(head.number) with Next")
            }
            return head
        }
        return nil
    }

    /// The ticket as the queue needs it.
    struct Candidate: Sendable {
        var id: UUID
        var number: Int
        var status: TicketStatus
        var waitingSince: Date?
    }

    /// Records that `agent` answered `ticket` (a reply, an information request, or the move
    /// to an investigation). When the ticket waits on support but is not the agent's head
    /// of the queue, a reason is required: without one this throws `OutOfOrderRefusal`
    /// before anything is written; with one, the pick is an event on the timeline. Tickets
    /// that are not waiting on support are not in the queue: nothing is recorded.
    @discardableResult
    func recordAnswer(_ ticket: Candidate, by agent: UUID, how: QueueTake, reason: OutOfOrderReason?, now: Date) async throws -> Bool {
        guard ticket.status == .waitingOnSupport, let waitingSince = ticket.waitingSince else { return false }
        let head = try await head(for: agent, now: now)
        let outOfOrder = head.map { $0.id != ticket.id } ?? false
        if outOfOrder, reason == nil, let head { throw OutOfOrderRefusal(olderNumber: head.number) }
        let rows = try Rows(database)
        try await rows.insert("queue_answers", [
            "ticket_id": ticket.id, "agent_id": agent, "number": ticket.number, "waiting_since": waitingSince,
            "answered_at": now, "how": how.rawValue, "out_of_order": outOfOrder, "reason": outOfOrder ? reason?.description : nil,
        ])
        if outOfOrder, let head, let reason {
            try await rows.event(ticket: ticket.id, actor: agent, kind: "queue.out_of_order",
                                 detail: "answered before #\(head.number), which has waited longer", reason: reason.description)
        }
        try await rows.updateTicket(ticket.id, ["held_by": UUID?.none, "held_at": Date?.none])
        return outOfOrder
    }

    /// Whether answering `ticket` now would be out of order for `agent` (the forms ask for a
    /// reason up front when it is).
    func isOutOfOrder(_ ticket: Candidate, for agent: UUID, now: Date) async throws -> Int? {
        guard ticket.status == .waitingOnSupport else { return nil }
        guard let head = try await head(for: agent, now: now), head.id != ticket.id else { return nil }
        return head.number
    }

    // MARK: Transparency

    /// A waiting ticket's place in line (1 = next), or nil when it is not waiting on support.
    func position(of ticketID: UUID) async throws -> Int? {
        struct Row: Decodable { var count: Int }
        let query: SQLQueryString = """
            SELECT COUNT(*) AS \(ident: "count") FROM \(ident: "tickets") AS \(ident: "t"), \(ident: "tickets") AS \(ident: "me") \
            WHERE \(ident: "me").\(ident: "id") = \(bind: ticketID) \
            AND \(ident: "me").\(ident: "status") = \(bind: TicketStatus.waitingOnSupport.rawValue) \
            AND \(ident: "t").\(ident: "status") = \(bind: TicketStatus.waitingOnSupport.rawValue) \
            AND (\(ident: "t").\(ident: "waiting_since") < \(ident: "me").\(ident: "waiting_since") \
                 OR (\(ident: "t").\(ident: "waiting_since") = \(ident: "me").\(ident: "waiting_since") \
                     AND \(ident: "t").\(ident: "number") <= \(ident: "me").\(ident: "number")))
            """
        let count = try await sql.raw(query).first(decoding: Row.self)?.count ?? 0
        return count > 0 ? count : nil
    }

    /// The customer's estimated wait at `position`, from the answers of the recent past.
    func estimate(position: Int, now: Date) async throws -> WaitEstimate {
        let window = TimeInterval(configuration.waitEstimateDays) * 86400
        struct Row: Decodable { var count: Int }
        let answers = try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "count").from("queue_answers")
            .where("answered_at", .greaterThanOrEqual, SQLBind(now.addingTimeInterval(-window)))
            .where("answered_at", .lessThanOrEqual, SQLBind(now))
            .first(decoding: Row.self)?.count ?? 0
        return WaitEstimator(window: window).estimate(position: position, answersInWindow: answers)
    }

    /// Position and estimate of a ticket, or nil when it is not waiting on support.
    func transparency(of ticketID: UUID, now: Date) async throws -> WaitEstimate? {
        guard let position = try await position(of: ticketID) else { return nil }
        return try await estimate(position: position, now: now)
    }
}

extension TicketQueue.Candidate {
    init(_ ticket: Ticket) throws {
        self.init(id: try ticket.requireID(), number: ticket.number, status: ticket.status, waitingSince: ticket.waitingSince)
    }
}
