import Fluent
import SQLKit

struct M007CreateOutbox: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("outbox")
            .id()
            .field("created_at", .datetime)
            .field("mail_from", .string, .required)
            .field("recipients", .string, .required)
            .field("raw_blob", .string, .required)
            .field("raw_size", .int, .required)
            .field("owner_id", .uuid, .required)
            .field("message_id", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("next_attempt_at", .datetime, .required)
            .field("claimed_by", .string)
            .field("claimed_until", .datetime)
            .field("last_error", .string)
            .field("sent_at", .datetime)
            .field("ticket_id", .uuid, .references("tickets", "id", onDelete: .setNull))
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "outbox_due").on("outbox").column("status").column("next_attempt_at").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("outbox").delete()
    }
}
