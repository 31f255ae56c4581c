import Fluent
import Foundation
import SQLKit
import Vapor

/// Reflection-free reads and writes for the hot paths (mail in, mail out).
///
/// A Fluent model finds its fields by reflection (`Mirror`) several times per create or
/// fetch; in profiles of ingest that was most of the CPU time, about a millisecond per
/// row. These go through SQLKit with the columns spelled out once, here, next to the
/// models they mirror. Values are bound exactly as Fluent binds them (same encoders), so
/// rows written here and rows written by Fluent are indistinguishable.
struct Rows {
    let sql: any SQLDatabase

    init(_ database: any Database) throws {
        guard let sql = database as? any SQLDatabase else { throw Abort(.internalServerError, reason: "Fairdesk needs an SQL database") }
        self.sql = sql
    }

    typealias Value = any Encodable & Sendable

    /// Inserts one row; `id` and `created_at` are filled in.
    @discardableResult
    func insert(_ table: String, _ columns: KeyValuePairs<String, Value>, id: UUID = UUID(), timestamps: Timestamps = .created) async throws -> UUID {
        var names = ["id", "created_at"]
        let now = Date()
        var values: [any SQLExpression] = [SQLBind(id), SQLBind(now)]
        if timestamps == .createdAndUpdated {
            names.append("updated_at")
            values.append(SQLBind(now))
        }
        for (name, value) in columns {
            names.append(name)
            values.append(SQLBind(value))
        }
        try await sql.insert(into: table).columns(names).values(values).run()
        return id
    }

    enum Timestamps { case created, createdAndUpdated }

    /// Inserts several rows of one table in one statement (each statement costs a round
    /// trip to the database thread); `id` and `created_at` are filled in.
    func insertMany(_ table: String, columns: [String], rows: [[Value]]) async throws {
        guard !rows.isEmpty else { return }
        let now = Date()
        var insert = sql.insert(into: table).columns(["id", "created_at"] + columns)
        for (index, row) in rows.enumerated() {
            // A microsecond apart, so the timeline keeps their order.
            let createdAt = now.addingTimeInterval(Double(index) / 1_000_000)
            insert = insert.values([SQLBind(UUID()), SQLBind(createdAt)] + row.map { SQLBind($0) })
        }
        try await insert.run()
    }

    /// A timeline entry (see `TicketEvent`).
    struct Event: Sendable {
        var ticket: UUID
        var actor: UUID?
        var kind: String
        var detail: String
        var reason: String? = nil
    }

    func insert(_ events: [Event]) async throws {
        try await insertMany("ticket_events", columns: ["kind", "detail", "reason", "ticket_id", "actor_id"],
                             rows: events.map { [$0.kind, $0.detail, $0.reason, $0.ticket, $0.actor] })
    }

    // MARK: Tickets

    struct Ticket: Decodable, Sendable {
        var id: UUID
        var number: Int
        var subject: String
        var status: TicketStatus
        var waitingSince: Date?
        var plan: String
        var flags: String
        var organizationId: UUID
        var requesterId: UUID

        var flagSet: Set<String> { Set(flags.split(separator: ",").map(String.init)) }
    }

    private static let ticketColumns = ["id", "number", "subject", "status", "waiting_since", "plan", "flags", "organization_id", "requester_id"]

    func ticket(number: Int) async throws -> Ticket? {
        try await sql.select().columns(Self.ticketColumns).from("tickets").where("number", .equal, number).limit(1)
            .first(decoding: Ticket.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    func ticket(id: UUID) async throws -> Ticket? {
        try await sql.select().columns(Self.ticketColumns).from("tickets").where("id", .equal, id).limit(1)
            .first(decoding: Ticket.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    /// The ticket of the most recently stored message with one of these Message-IDs.
    func ticketID(forMessageIDs ids: [String]) async throws -> UUID? {
        struct Row: Decodable { var ticketId: UUID }
        return try await sql.select().column("ticket_id").from("ticket_messages")
            .where("message_id", .in, ids)
            .orderBy("created_at", .descending).limit(1)
            .first(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)?.ticketId
    }

    func updateTicket(_ id: UUID, _ columns: KeyValuePairs<String, Value>) async throws {
        var update = sql.update("tickets").set("updated_at", to: SQLBind(Date()))
        for (name, value) in columns {
            update = update.set(SQLIdentifier(name), to: SQLBind(value))
        }
        try await update.where("id", .equal, id).run()
    }

    /// Appends an event to a ticket's timeline.
    func event(ticket: UUID, actor: UUID?, kind: String, detail: String, reason: String? = nil) async throws {
        try await insert([Event(ticket: ticket, actor: actor, kind: kind, detail: detail, reason: reason)])
    }

    // MARK: People

    struct Sender: Decodable, Sendable {
        var id: UUID
        var name: String?
        var organizationId: UUID?
        var plan: String?
    }

    /// The person an address belongs to, with their organization's plan.
    func sender(addressKey key: String) async throws -> Sender? {
        try await sql.select()
            .column(SQLColumn("id", table: "people"))
            .column(SQLColumn("name", table: "people"))
            .column(SQLColumn("organization_id", table: "people"))
            .column(SQLColumn("plan", table: "organizations"))
            .from("person_addresses")
            .join("people", on: SQLColumn("person_id", table: "person_addresses"), .equal, SQLColumn("id", table: "people"))
            .join("organizations", method: SQLJoinMethod.left, on: SQLColumn("organization_id", table: "people"), .equal, SQLColumn("id", table: "organizations"))
            .where(SQLColumn("key", table: "person_addresses"), .equal, SQLBind(key))
            .limit(1)
            .first(decoding: Sender.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    // MARK: Inbound mail

    func inboundID(digest: String) async throws -> UUID? {
        struct Row: Decodable { var id: UUID }
        return try await sql.select().column("id").from("inbound_mail").where("digest", .equal, digest).limit(1)
            .first(decoding: Row.self)?.id
    }
}
