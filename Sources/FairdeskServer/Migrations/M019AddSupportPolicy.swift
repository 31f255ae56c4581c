import Fluent
import SQLKit

/// The support policy's storage (DESIGN.md §1–3): who holds a queued ticket, the stage of
/// a long investigation, every answer with its wait (the fairness report and the wait
/// estimate read these), the admins' edits of the policy's texts and of the diagnostic
/// catalog, information requests with their checklist, and calls or remote sessions.
struct M019AddSupportPolicy: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        for (name, type) in [("held_by", DatabaseSchema.DataType.uuid), ("held_at", .datetime),
                             ("investigation_stage", .string), ("investigating_since", .datetime), ("stage_since", .datetime)] {
            try await database.schema("tickets").field(.definition(name: .key(.init(stringLiteral: name)), dataType: type, constraints: [])).update()
        }

        try await database.schema("queue_answers")
            .id()
            .field("created_at", .datetime, .required)
            .field("ticket_id", .uuid, .required, .references("tickets", "id", onDelete: .cascade))
            .field("agent_id", .uuid, .references("people", "id", onDelete: .setNull))
            .field("number", .int, .required)
            .field("waiting_since", .datetime, .required)
            .field("answered_at", .datetime, .required)
            .field("how", .string, .required)
            .field("out_of_order", .bool, .required)
            .field("reason", .string)
            .create()

        try await database.schema("policy_templates")
            .id()
            .field("updated_at", .datetime)
            .field("key", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("updated_by", .uuid, .references("people", "id", onDelete: .setNull))
            .unique(on: "key")
            .create()

        try await database.schema("diagnostic_items")
            .id()
            .field("updated_at", .datetime)
            .field("key", .string, .required)
            .field("title", .string, .required)
            .field("explanation", .string, .required)
            .field("position", .int, .required)
            .field("active", .bool, .required)
            .field("updated_by", .uuid, .references("people", "id", onDelete: .setNull))
            .unique(on: "key")
            .create()

        try await database.schema("info_requests")
            .id()
            .field("created_at", .datetime, .required)
            .field("ticket_id", .uuid, .required, .references("tickets", "id", onDelete: .cascade))
            .field("requested_by", .uuid, .references("people", "id", onDelete: .setNull))
            .field("note", .string, .required)
            .field("reminded_at", .datetime)
            .field("closed_at", .datetime)
            .create()

        try await database.schema("info_request_items")
            .id()
            .field("created_at", .datetime, .required)
            .field("request_id", .uuid, .required, .references("info_requests", "id", onDelete: .cascade))
            .field("ticket_id", .uuid, .required, .references("tickets", "id", onDelete: .cascade))
            .field("item_key", .string, .required)
            .field("title", .string, .required)
            .field("asked", .bool, .required)
            .field("state", .string, .required)
            .field("evidence", .string)
            .field("provided_at", .datetime)
            .create()

        try await database.schema("ticket_sessions")
            .id()
            .field("created_at", .datetime, .required)
            .field("ticket_id", .uuid, .required, .references("tickets", "id", onDelete: .cascade))
            .field("channel", .string, .required)
            .field("scheduled_for", .datetime)
            .field("customer_timezone", .string)
            .field("escalation_reason", .string)
            .field("started_at", .datetime)
            .field("ended_at", .datetime)
            .field("agents", .string, .required)
            .field("summary", .string)
            .field("created_by", .uuid, .references("people", "id", onDelete: .setNull))
            .create()

        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "queue_answers_time").on("queue_answers").column("answered_at").run()
            try await sql.create(index: "tickets_held").on("tickets").column("held_by").run()
            try await sql.create(index: "tickets_investigating").on("tickets").column("investigation_stage").run()
            try await sql.create(index: "info_request_items_ticket").on("info_request_items").column("ticket_id").column("state").run()
            try await sql.create(index: "info_requests_open").on("info_requests").column("closed_at").column("created_at").run()
            try await sql.create(index: "ticket_sessions_ticket").on("ticket_sessions").column("ticket_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["ticket_sessions", "info_request_items", "info_requests", "diagnostic_items", "policy_templates", "queue_answers"] {
            try await database.schema(table).delete()
        }
        for name in ["stage_since", "investigating_since", "investigation_stage", "held_at", "held_by"] {
            try await database.schema("tickets").deleteField(.key(.init(stringLiteral: name))).update()
        }
    }
}
