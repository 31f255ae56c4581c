import Fluent
import SQLKit

struct M003CreateTickets: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("tickets")
            .id()
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("number", .int, .required)
            .field("subject", .string, .required)
            .field("status", .string, .required)
            .field("waiting_since", .datetime)
            .field("plan", .string, .required)
            .field("flags", .string, .required)
            .field("requester_id", .uuid, .required, .references("people", "id"))
            .field("organization_id", .uuid, .required, .references("organizations", "id"))
            .field("assignee_id", .uuid, .references("people", "id"))
            .unique(on: "number")
            .create()
        // The queue reads tickets waiting on support, oldest first.
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "tickets_queue").on("tickets").column("status").column("waiting_since").run()
            try await sql.create(index: "tickets_organization").on("tickets").column("organization_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("tickets").delete()
    }
}
