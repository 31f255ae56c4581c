import Fluent
import SQLKit

struct M006CreateInboundMail: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("inbound_mail")
            .id()
            .field("created_at", .datetime)
            .field("digest", .string, .required)
            .field("message_id", .string)
            .field("raw_blob", .string, .required)
            .field("raw_size", .int, .required)
            .field("owner_id", .uuid, .required)
            .field("envelope_from", .string, .required)
            .field("envelope_to", .string, .required)
            .field("channel", .string, .required)
            .field("status", .string, .required)
            .field("reason", .string)
            .field("ticket_message_id", .uuid, .references("ticket_messages", "id", onDelete: .setNull))
            // A redelivered message (same bytes) is stored once: the unique digest decides.
            .unique(on: "digest")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "inbound_mail_status").on("inbound_mail").column("status").column("created_at").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("inbound_mail").delete()
    }
}
