import Crypto
import Fluent
import Foundation
import SQLKit
import Vapor

/// The signed-in person of a browser request.
struct WebSession: Sendable {
    let id: UUID
    let personID: UUID
    let role: PersonRole
    let name: String?
    let email: String
    let mustChangePassword: Bool
    /// The value every form of this session must send back as `_csrf`.
    let csrfToken: String
    let scope: Access.Scope
    let lastSeenAt: Date

    var isStaff: Bool { role.isStaff }
}

struct WebSessionKey: StorageKey {
    typealias Value = WebSession
}

extension Request {
    var webSession: WebSession? {
        get { storage[WebSessionKey.self] }
        set { storage[WebSessionKey.self] = newValue }
    }

    /// The session, or a redirect to the sign-in page.
    func requireWebSession() throws -> WebSession {
        guard let session = webSession else { throw WebRedirect(to: WebPaths.signIn.link()) }
        return session
    }

    /// Agents and admins; anyone else is answered "not found" (never confirm a page exists).
    /// Someone whose password was set for them (a new agent) chooses their own first.
    func requireStaffSession() throws -> WebSession {
        let session = try requireWebSession()
        guard session.isStaff else { throw Abort(.notFound) }
        if session.mustChangePassword { throw WebRedirect(to: WebPaths.changePassword.link()) }
        return session
    }

    func requireAdminSession() throws -> WebSession {
        let session = try requireWebSession()
        guard session.role == .admin else { throw Abort(.notFound) }
        return session
    }

    /// The CSRF value forms must carry: the session's, or before sign-in the value of the
    /// `fairdesk_csrf` cookie (set by `CSRFMiddleware`).
    var csrfToken: String {
        webSession?.csrfToken ?? storage[PresessionCSRFKey.self] ?? ""
    }
}

/// Thrown by a handler to send the browser elsewhere (e.g. to the sign-in page).
struct WebRedirect: Error {
    let to: String
}

/// Sessions in the `web_sessions` table, shared by every server process.
enum WebSessions {
    static let cookieName = "fairdesk_session"
    /// A session ends this long after sign-in, however active.
    static let lifetime: TimeInterval = 7 * 24 * 3600
    /// ... or after this long without a request.
    static let idleTimeout: TimeInterval = 12 * 3600
    /// `last_seen_at` is written at most this often, not on every request.
    static let touchInterval: TimeInterval = 5 * 60

    /// A random token (256 bits), URL-safe.
    static func randomToken() -> String {
        let key = SymmetricKey(size: .bits256)
        let bytes = key.withUnsafeBytes { Data($0) }
        return bytes.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Stored instead of a token: the same SHA-256 as API tokens.
    static func hash(_ token: String) -> String {
        APITokens.hash(token)
    }

    /// Starts a session for a person; returns the cookie's token (shown to nobody else).
    static func create(for personID: UUID, on db: any Database, now: Date = Date()) async throws -> String {
        let token = randomToken()
        let rows = try Rows(db)
        try await rows.sql.insert(into: "web_sessions")
            .columns("id", "created_at", "token_hash", "csrf_token", "expires_at", "last_seen_at", "person_id")
            .values(SQLBind(UUID()), SQLBind(now), SQLBind(hash(token)), SQLBind(randomToken()),
                    SQLBind(now.addingTimeInterval(lifetime)), SQLBind(now), SQLBind(personID))
            .run()
        return token
    }

    /// The live session a cookie names, with its person; nil when unknown, expired, idle
    /// too long or the person is disabled.
    static func find(token: String, on db: any Database, now: Date = Date()) async throws -> WebSession? {
        struct Row: Decodable {
            var id: UUID
            var csrfToken: String
            var expiresAt: Date
            var lastSeenAt: Date
            var personId: UUID
            var role: PersonRole
            var name: String?
            var disabled: Bool
            var mustChangePassword: Bool
            var organizationId: UUID?
            var sharesTickets: Bool?
            var email: String?
        }
        let sql = try Rows(db).sql
        guard let row = try await sql.select()
            .column(SQLColumn("id", table: "web_sessions"))
            .column(SQLColumn("csrf_token", table: "web_sessions"))
            .column(SQLColumn("expires_at", table: "web_sessions"))
            .column(SQLColumn("last_seen_at", table: "web_sessions"))
            .column(SQLColumn("person_id", table: "web_sessions"))
            .column(SQLColumn("role", table: "people"))
            .column(SQLColumn("name", table: "people"))
            .column(SQLColumn("disabled", table: "people"))
            .column(SQLColumn("must_change_password", table: "people"))
            .column(SQLColumn("organization_id", table: "people"))
            .column(SQLColumn("shares_tickets", table: "organizations"))
            // The person's first address, in the same round trip (this runs on every page).
            .column(SQLRaw("(SELECT address FROM person_addresses WHERE person_addresses.person_id = web_sessions.person_id ORDER BY created_at LIMIT 1)"), as: "email")
            .from("web_sessions")
            .join("people", on: SQLColumn("person_id", table: "web_sessions"), .equal, SQLColumn("id", table: "people"))
            .join("organizations", method: SQLJoinMethod.left, on: SQLColumn("organization_id", table: "people"), .equal, SQLColumn("id", table: "organizations"))
            .where(SQLColumn("token_hash", table: "web_sessions"), .equal, SQLBind(hash(token)))
            .limit(1)
            .first(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)
        else { return nil }
        guard !row.disabled, row.expiresAt > now, now.timeIntervalSince(row.lastSeenAt) < idleTimeout else { return nil }
        let email = row.email ?? ""
        let scope: Access.Scope = row.role.isStaff
            ? .everything
            : .customer(personID: row.personId, organizationID: row.organizationId, teamShares: row.sharesTickets ?? false)
        return WebSession(id: row.id, personID: row.personId, role: row.role, name: row.name, email: email,
                          mustChangePassword: row.mustChangePassword, csrfToken: row.csrfToken, scope: scope,
                          lastSeenAt: row.lastSeenAt)
    }

    /// Records activity, at most every `touchInterval` (the idle timeout counts from it).
    static func touch(_ session: WebSession, on db: any Database, now: Date = Date()) async throws {
        try await Rows(db).sql.update("web_sessions").set("last_seen_at", to: SQLBind(now)).where("id", .equal, session.id).run()
    }

    static func destroy(token: String, on db: any Database) async throws {
        try await Rows(db).sql.delete(from: "web_sessions").where("token_hash", .equal, hash(token)).run()
    }

    /// Ends every session of a person (after a password change or reset), except `keeping`.
    static func destroyAll(of personID: UUID, keeping: UUID? = nil, on db: any Database) async throws {
        let delete = try Rows(db).sql.delete(from: "web_sessions").where("person_id", .equal, personID)
        if let keeping { delete.where("id", .notEqual, keeping) }
        try await delete.run()
    }

    /// The session cookie: HttpOnly, SameSite=Lax (a mailed link still arrives signed in),
    /// Secure when the public URL is https.
    static func cookie(_ token: String, secure: Bool) -> HTTPCookies.Value {
        HTTPCookies.Value(string: token, expires: Date().addingTimeInterval(lifetime), maxAge: Int(lifetime), path: "/",
                          isSecure: secure, isHTTPOnly: true, sameSite: .lax)
    }

    static func expiredCookie(secure: Bool) -> HTTPCookies.Value {
        HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/",
                          isSecure: secure, isHTTPOnly: true, sameSite: .lax)
    }
}

/// Loads the session a request's cookie names.
struct WebSessionMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let token = request.cookies[WebSessions.cookieName]?.string, !token.isEmpty,
           let session = try await WebSessions.find(token: token, on: request.db) {
            request.webSession = session
            if Date().timeIntervalSince(session.lastSeenAt) > WebSessions.touchInterval {
                try await request.write { db in try await WebSessions.touch(session, on: db) }
            }
        }
        return try await next.respond(to: request)
    }
}

struct PresessionCSRFKey: StorageKey {
    typealias Value = String
}

/// Every state-changing browser request must carry the CSRF value in the `_csrf` form
/// field: the session's, or (before sign-in) the `fairdesk_csrf` cookie's, which this
/// middleware sets (double submit; SameSite=Strict so other sites cannot read or send it).
struct CSRFMiddleware: AsyncMiddleware {
    static let cookieName = "fairdesk_csrf"
    let maxBodyBytes: Int

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        var newCookie: String?
        if request.webSession == nil {
            if let existing = request.cookies[Self.cookieName]?.string, existing.count >= 32 {
                request.storage[PresessionCSRFKey.self] = existing
            } else {
                let token = WebSessions.randomToken()
                request.storage[PresessionCSRFKey.self] = token
                newCookie = token
            }
        }
        if request.method != .GET && request.method != .HEAD {
            // The form body is read here, before the route, to find the field.
            do {
                _ = try await request.body.collect(max: maxBodyBytes).get()
            } catch let error as any AbortError where error.status == .payloadTooLarge {
                throw Abort(.payloadTooLarge, reason: "The upload is larger than the limit of \(ByteCountFormatter.string(fromByteCount: Int64(maxBodyBytes), countStyle: .file)) (--max-upload-bytes). Nothing was saved.")
            }
            let sent = (try? request.content.get(String.self, at: "_csrf")) ?? ""
            let expected = request.csrfToken
            guard !expected.isEmpty, Self.constantTimeEqual(sent, expected) else {
                throw Abort(.forbidden, reason: "This form has expired or did not come from Fairdesk. Go back, reload the page and try again.")
            }
        }
        let response = try await next.respond(to: request)
        if let newCookie {
            response.cookies[Self.cookieName] = HTTPCookies.Value(string: newCookie, path: "/", isSecure: false, isHTTPOnly: true, sameSite: .strict)
        }
        return response
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}

/// Headers for every response: a strict Content-Security-Policy (no inline script or
/// style, nothing from elsewhere), no sniffing, no framing by other sites, no referrer
/// leaking ticket URLs.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    static let contentSecurityPolicy = [
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
        "form-action 'self'", "frame-ancestors 'self'", "frame-src 'self'", "base-uri 'none'", "connect-src 'self'",
    ].joined(separator: "; ")

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        let headers = [
            ("Content-Security-Policy", Self.contentSecurityPolicy),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "same-origin"),
            ("X-Frame-Options", "SAMEORIGIN"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
            ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
        ]
        for (name, value) in headers where !response.headers.contains(name: name) {
            response.headers.replaceOrAdd(name: name, value: value)
        }
        if request.webSession != nil, !response.headers.contains(name: .cacheControl) {
            // Signed-in pages hold customer data: never in a shared cache.
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
        return response
    }
}
