import Fluent
import SQLKit

/// Browser sessions, in the database so several server processes share them. Only a
/// SHA-256 of the cookie's token is stored.
struct M012CreateWebSessions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("web_sessions")
            .id()
            .field("created_at", .datetime, .required)
            .field("token_hash", .string, .required)
            .field("csrf_token", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .field("person_id", .uuid, .required, .references("people", "id", onDelete: .cascade))
            .unique(on: "token_hash")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "web_sessions_person").on("web_sessions").column("person_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("web_sessions").delete()
    }
}
