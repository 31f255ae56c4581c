import Crypto
import Fluent
import Vapor

/// The signed-in person of an API request.
struct Actor: Sendable {
    let personID: UUID
    let role: PersonRole
    let name: String?
}

struct ActorKey: StorageKey {
    typealias Value = Actor
}

extension Request {
    var actor: Actor? {
        get { storage[ActorKey.self] }
        set { storage[ActorKey.self] = newValue }
    }

    /// The actor, or 401 for a request without valid credentials.
    func requireActor() throws -> Actor {
        guard let actor else { throw Abort(.unauthorized, headers: ["WWW-Authenticate": "Bearer"]) }
        return actor
    }

    func requireStaff() throws -> Actor {
        let actor = try requireActor()
        // Customers get the portal (web desk issue); the staff API answers 404, not 403,
        // so it confirms nothing to them.
        guard actor.role.isStaff else { throw Abort(.notFound) }
        return actor
    }

    func requireAdmin() throws -> Actor {
        let actor = try requireActor()
        guard actor.role == .admin else { throw Abort(.notFound) }
        return actor
    }
}

/// `Authorization: Bearer <token>`: tokens are stored as SHA-256 only.
struct BearerTokenMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let bearer = request.headers.bearerAuthorization {
            let hash = APITokens.hash(bearer.token)
            if let token = try await APIToken.query(on: request.db).filter(\.$tokenHash == hash).with(\.$person).first(),
               !token.person.disabled {
                request.actor = Actor(personID: try token.person.requireID(), role: token.person.role, name: token.person.name)
                try await Self.noteUse(of: token, request: request)
            } else {
                throw Abort(.unauthorized, headers: ["WWW-Authenticate": "Bearer"], reason: "unknown or revoked API token")
            }
        }
        return try await next.respond(to: request)
    }

    /// How stale `last_used_at` may get: the tokens page says "used today", not the second,
    /// and a write per API call would queue behind mail on SQLite's single writer.
    static let useResolution: TimeInterval = 3600

    /// Records when a token was last used (the tokens page shows it; stale tokens can be
    /// revoked), at most once per `useResolution`.
    static func noteUse(of token: APIToken, request: Request, now: Date = Date()) async throws {
        if let last = token.lastUsedAt, now.timeIntervalSince(last) < useResolution { return }
        let id = try token.requireID()
        try await request.write { db in
            try await APIToken.query(on: db).filter(\.$id == id).set(\.$lastUsedAt, to: now).update()
        }
    }
}

enum APITokens {
    static func hash(_ token: String) -> String {
        SHA256.hash(data: Array(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Creates a token for a person; the clear token is returned once and never stored.
    static func create(for person: Person, name: String, on database: any Database) async throws -> String {
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<4).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
        let token = "fd_" + secret
        let row = APIToken()
        row.name = name
        row.tokenHash = hash(token)
        row.$person.id = try person.requireID()
        try await row.create(on: database)
        return token
    }
}
