import Fluent
import Foundation
import SQLKit
import Vapor

/// Failed sign-ins, counted per account and per client address over a window, so
/// password guessing is slowed without locking anyone out for long.
enum LoginThrottle {
    static let window: TimeInterval = 15 * 60
    static let perAccount = 5
    static let perAddress = 30

    static func accountKey(_ email: String) -> String { "account:" + PersonAddress.matchKey(email) }
    static func addressKey(_ address: String) -> String { "address:" + address }

    /// Minutes to wait when either key has too many recent failures; nil when free to try.
    static func wait(account: String, address: String, on db: any Database, now: Date = Date()) async throws -> Int? {
        let sql = try Rows(db).sql
        struct Row: Decodable { var count: Int; var first: Date? }
        for (key, limit) in [(accountKey(account), perAccount), (addressKey(address), perAddress)] {
            let row = try await sql.select()
                .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "count")
                .column(SQLFunction("MIN", args: SQLColumn("created_at")), as: "first")
                .from("login_failures")
                .where("key", .equal, key).where("created_at", .greaterThan, now.addingTimeInterval(-window))
                .first(decoding: Row.self)
            if let row, row.count >= limit {
                let until = (row.first ?? now).addingTimeInterval(window)
                return max(1, Int((until.timeIntervalSince(now) / 60).rounded(.up)))
            }
        }
        return nil
    }

    static func recordFailure(account: String, address: String, on db: any Database, now: Date = Date()) async throws {
        try await Rows(db).insertMany("login_failures", columns: ["key"], rows: [[accountKey(account)], [addressKey(address)]])
        // Old rows are of no further use.
        try await Rows(db).sql.delete(from: "login_failures").where("created_at", .lessThan, now.addingTimeInterval(-2 * window)).run()
    }

    static func clear(account: String, on db: any Database) async throws {
        try await Rows(db).sql.delete(from: "login_failures").where("key", .equal, accountKey(account)).run()
    }
}

/// Single-use links mailed to people: `reset` (a staff password) and `sign-in`
/// (customers, who have no password). Only a hash of the token is stored.
enum SignInTokens {
    enum Purpose: String { case reset, signIn = "sign-in" }
    static let lifetime: TimeInterval = 60 * 60

    static func create(for personID: UUID, address: String, purpose: Purpose, on db: any Database, now: Date = Date()) async throws -> String {
        let token = WebSessions.randomToken()
        try await Rows(db).insert("sign_in_tokens", [
            "token_hash": WebSessions.hash(token), "purpose": purpose.rawValue, "address": address,
            "expires_at": now.addingTimeInterval(lifetime), "used_at": Date?.none, "person_id": personID,
        ])
        return token
    }

    /// Whether a token is unused and unexpired (for the confirmation page).
    static func isLive(_ token: String, purpose: Purpose, on db: any Database, now: Date = Date()) async throws -> Bool {
        struct Row: Decodable { var personId: UUID }
        return try await Rows(db).sql.select().column("person_id").from("sign_in_tokens")
            .where("token_hash", .equal, WebSessions.hash(token)).where("purpose", .equal, purpose.rawValue)
            .where("used_at", .is, SQLLiteral.null).where("expires_at", .greaterThan, now)
            .first(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase) != nil
    }

    /// Uses a token up: the person it was for, or nil when unknown, used or expired. One
    /// statement, so two clicks racing cannot both succeed.
    static func consume(_ token: String, purpose: Purpose, on db: any Database, now: Date = Date()) async throws -> UUID? {
        struct Row: Decodable { var personId: UUID }
        return try await Rows(db).sql.update("sign_in_tokens").set("used_at", to: SQLBind(now))
            .where("token_hash", .equal, WebSessions.hash(token)).where("purpose", .equal, purpose.rawValue)
            .where("used_at", .is, SQLLiteral.null).where("expires_at", .greaterThan, now)
            .returning("person_id")
            .first(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)?.personId
    }
}

/// The audit log: who looked at confidential content, and security events.
enum Audit {
    static func record(_ action: String, object: String, detail: String = "", actor: UUID?, ticket: UUID? = nil,
                       address: String? = nil, on db: any Database) async throws {
        try await Rows(db).insert("audit_events", [
            "action": action, "object": object, "detail": detail, "address": address, "actor_id": actor, "ticket_id": ticket,
        ])
    }
}
