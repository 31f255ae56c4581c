import FairdeskPolicy
import Fluent
import Foundation
import SQLKit
import Vapor

/// Long investigations (reproduce → investigate → fix → test): out of the queue, on their
/// own board, with the stage shown to the customer (DESIGN.md §2).
enum Investigations {
    /// Moves ticket `number` to `stage` with the agent's note (why, what next). From the
    /// queue this is an answer like a reply: out of order it needs `outOfOrder`.
    static func move(number: Int, to stage: InvestigationStage, note: String, actor: UUID, outOfOrder: OutOfOrderReason?,
                     services: FairdeskServices, on db: any Database, now: Date = Date()) async throws -> Ticket {
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !note.isEmpty else { throw Abort(.unprocessableEntity, reason: "note: say what the investigation is about and what comes next") }
        return try await services.writes.transaction(on: db) { db in
            let ticket = try await Queries.ticket(number: number, on: db)
            guard ticket.status != .resolved else {
                throw Abort(.unprocessableEntity, reason: "status: ticket #\(number) is resolved; reopen it first")
            }
            try await TicketQueue(database: db, configuration: services.configuration)
                .recordAnswer(.init(ticket), by: actor, how: .investigation, reason: outOfOrder, now: now)
            let before = ticket.status
            let previousStage = ticket.investigationStage.flatMap(InvestigationStage.init(rawValue:))
            ticket.status = .investigating
            ticket.waitingSince = nil
            ticket.heldBy = nil
            ticket.heldAt = nil
            if before != .investigating { ticket.investigatingSince = now }
            if previousStage != stage || before != .investigating { ticket.stageSince = now }
            ticket.investigationStage = stage.rawValue
            try await ticket.save(on: db)
            let id = try ticket.requireID()
            if before != .investigating {
                try await TicketEvent(ticketID: id, actorID: actor, kind: "status.changed",
                                      detail: "\(before.rawValue) → \(TicketStatus.investigating.rawValue)", reason: nil).create(on: db)
            }
            try await TicketEvent(ticketID: id, actorID: actor, kind: "investigation.stage", detail: stage.rawValue,
                                  reason: String(note.prefix(2000))).create(on: db)
            return ticket
        }
    }

    /// A row of the investigations board.
    struct Row: Sendable, Decodable {
        var number: Int
        var subject: String
        var investigationStage: String?
        var investigatingSince: Date?
        var stageSince: Date?
        var organizationName: String?
        var requesterName: String?
        var assigneeName: String?
        /// The customer's latest message, to show who has written since.
        var lastCustomerMessage: Date?

        var stage: InvestigationStage? { investigationStage.flatMap(InvestigationStage.init(rawValue:)) }
    }

    /// Every ticket under investigation, longest first.
    static func board(on db: any Database) async throws -> [Row] {
        guard let sql = db as? any SQLDatabase else { return [] }
        return try await sql.raw("""
            SELECT t.\(ident: "number"), t.\(ident: "subject"), t.\(ident: "investigation_stage"), t.\(ident: "investigating_since"), \
            t.\(ident: "stage_since"), o.\(ident: "name") AS \(ident: "organization_name"), r.\(ident: "name") AS \(ident: "requester_name"), \
            a.\(ident: "name") AS \(ident: "assignee_name"), \
            (SELECT MAX(m.\(ident: "created_at")) FROM \(ident: "ticket_messages") m WHERE m.\(ident: "ticket_id") = t.\(ident: "id") \
             AND m.\(ident: "kind") = \(bind: MessageKind.inbound.rawValue)) AS \(ident: "last_customer_message") \
            FROM \(ident: "tickets") t \
            LEFT JOIN \(ident: "organizations") o ON o.\(ident: "id") = t.\(ident: "organization_id") \
            LEFT JOIN \(ident: "people") r ON r.\(ident: "id") = t.\(ident: "requester_id") \
            LEFT JOIN \(ident: "people") a ON a.\(ident: "id") = t.\(ident: "assignee_id") \
            WHERE t.\(ident: "status") = \(bind: TicketStatus.investigating.rawValue) \
            ORDER BY t.\(ident: "investigating_since"), t.\(ident: "number") LIMIT 500
            """).all(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)
    }
}
