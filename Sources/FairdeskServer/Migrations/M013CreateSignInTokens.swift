import Fluent
import SQLKit

/// Single-use, expiring links mailed to people: password reset (staff) and sign-in
/// (customers, who have no password). Only a SHA-256 of the token is stored. Failed
/// sign-ins are kept for a while to throttle guessing, per account and per address.
struct M013CreateSignInTokens: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("sign_in_tokens")
            .id()
            .field("created_at", .datetime, .required)
            .field("token_hash", .string, .required)
            .field("purpose", .string, .required)
            .field("address", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .field("person_id", .uuid, .required, .references("people", "id", onDelete: .cascade))
            .unique(on: "token_hash")
            .create()
        try await database.schema("login_failures")
            .id()
            .field("created_at", .datetime, .required)
            .field("key", .string, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "login_failures_key").on("login_failures").column("key").column("created_at").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("login_failures").delete()
        try await database.schema("sign_in_tokens").delete()
    }
}
