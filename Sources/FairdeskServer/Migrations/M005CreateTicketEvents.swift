import Fluent
import SQLKit

struct M005CreateTicketEvents: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("ticket_events")
            .id()
            .field("created_at", .datetime)
            .field("kind", .string, .required)
            .field("detail", .string, .required)
            .field("reason", .string)
            .field("ticket_id", .uuid, .required, .references("tickets", "id", onDelete: .cascade))
            .field("actor_id", .uuid, .references("people", "id"))
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "ticket_events_ticket").on("ticket_events").column("ticket_id").column("created_at").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("ticket_events").delete()
    }
}
