import Fluent
import SQLKit

/// Who viewed confidential content (attachments, raw messages) and other security
/// events, append-only (DESIGN.md §4: access is audited).
struct M014CreateAuditEvents: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("audit_events")
            .id()
            .field("created_at", .datetime, .required)
            .field("action", .string, .required)
            .field("object", .string, .required)
            .field("detail", .string, .required)
            .field("address", .string)
            .field("actor_id", .uuid, .references("people", "id", onDelete: .setNull))
            .field("ticket_id", .uuid, .references("tickets", "id", onDelete: .setNull))
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "audit_events_ticket").on("audit_events").column("ticket_id").column("created_at").run()
            try await sql.create(index: "audit_events_time").on("audit_events").column("created_at").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("audit_events").delete()
    }
}
