import Fluent
import SQLKit

struct M004CreateTicketMessages: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("ticket_messages")
            .id()
            .field("created_at", .datetime)
            .field("kind", .string, .required)
            .field("message_id", .string)
            .field("in_reply_to", .string)
            .field("references", .string, .required)
            .field("from_address", .string, .required)
            .field("from_name", .string)
            .field("to_addresses", .string, .required)
            .field("cc_addresses", .string, .required)
            .field("subject", .string, .required)
            .field("sent_at", .datetime)
            .field("body_blob", .string, .required)
            .field("body_size", .int, .required)
            .field("raw_blob", .string)
            .field("raw_size", .int, .required)
            .field("thread_reason", .string, .required)
            .field("automatic", .bool, .required)
            .field("defects", .string, .required)
            .field("ticket_id", .uuid, .required, .references("tickets", "id", onDelete: .cascade))
            .field("author_id", .uuid, .references("people", "id"))
            .create()
        try await database.schema("ticket_attachments")
            .id()
            .field("created_at", .datetime)
            .field("filename", .string)
            .field("content_type", .string, .required)
            .field("disposition", .string)
            .field("content_id", .string)
            .field("size", .int, .required)
            .field("blob", .string, .required)
            .field("message_id", .uuid, .required, .references("ticket_messages", "id", onDelete: .cascade))
            .field("ticket_id", .uuid, .required, .references("tickets", "id", onDelete: .cascade))
            .create()
        if let sql = database as? any SQLDatabase {
            // Threading looks replies up by the Message-IDs we stored.
            try await sql.create(index: "ticket_messages_message_id").on("ticket_messages").column("message_id").run()
            try await sql.create(index: "ticket_messages_ticket").on("ticket_messages").column("ticket_id").column("created_at").run()
            try await sql.create(index: "ticket_attachments_message").on("ticket_attachments").column("message_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("ticket_attachments").delete()
        try await database.schema("ticket_messages").delete()
    }
}
