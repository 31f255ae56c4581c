import Fluent
import Foundation
import Vapor

/// Staff accounts and API tokens, for the command line (`fairdesk user`, `fairdesk token`)
/// and the first start.
public enum Accounts {
    public struct Created: Sendable {
        public var email: String
        public var password: String
    }

    public enum AccountError: Error, CustomStringConvertible {
        case exists(String)
        case unknown(String)
        case invalid(String)

        public var description: String {
            switch self {
            case .exists(let email): return "\(email) already has an account"
            case .unknown(let email): return "no staff account for \(email)"
            case .invalid(let reason): return reason
            }
        }
    }

    /// On the first start (no admin yet), creates `admin@<hostname>` with a one-time
    /// password that must be changed at first sign-in. Returns it so it can be printed once.
    public static func ensureAdmin(_ app: Application) async throws -> Created? {
        if try await Person.query(on: app.db).filter(\.$role == .admin).first() != nil { return nil }
        let email = "admin@\(app.fairdesk.configuration.hostname)"
        return try await createStaff(app, email: email, name: "Administrator", role: "admin", password: nil, mustChange: true)
    }

    /// Creates an agent or admin. Without a password, generates one (printed once).
    public static func createStaff(_ app: Application, email: String, name: String?, role: String, password: String?, mustChange: Bool = false) async throws -> Created {
        guard let role = PersonRole(rawValue: role), role.isStaff else { throw AccountError.invalid("--role must be agent or admin") }
        guard email.contains("@"), !email.contains(" ") else { throw AccountError.invalid("--email must be an email address") }
        if let password, password.count < 12 { throw AccountError.invalid("--password must have at least 12 characters") }
        if try await PeopleDirectory(database: app.db).person(forAddress: email) != nil { throw AccountError.exists(email) }
        let secret = password ?? generatePassword()
        let hash = try await app.password.async.hash(secret)
        try await app.db.transaction { db in
            let person = Person(name: name, role: role, organizationID: nil)
            person.passwordHash = hash
            person.mustChangePassword = password == nil || mustChange
            try await person.create(on: db)
            try await PersonAddress(address: email, personID: person.requireID()).create(on: db)
        }
        return Created(email: email, password: secret)
    }

    /// A new API token for a staff member; the clear token is returned once.
    public static func createToken(_ app: Application, email: String, name: String) async throws -> String {
        guard let person = try await PeopleDirectory(database: app.db).person(forAddress: email), person.role.isStaff else {
            throw AccountError.unknown(email)
        }
        return try await APITokens.create(for: person, name: name, on: app.db)
    }

    static func generatePassword() -> String {
        // 20 characters from an alphabet without look-alikes: about 110 bits.
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
    }
}

/// Opens the application for a command: configuration resolved, database ready, migrated.
public enum FairdeskApp {
    public static func make(_ configuration: FairdeskConfiguration, arguments: [String] = ["fairdesk"], background: Bool) async throws -> Application {
        var environment = Environment(name: "production", arguments: arguments)
        environment.arguments = arguments
        let app = try await Application.make(environment)
        do {
            try await configure(app, configuration: configuration, startBackgroundWork: background)
            try await tuneSQLite(app)
            try await app.autoMigrate()
            try await refreshSQLiteStatistics(app)
            // A new master key over a database full of keys wrapped by the old one would
            // make every blob unreadable: refuse, and say how to recover.
            if !app.fairdesk.masterKeyExisted, try await DataKey.query(on: app.db).count() > 0 {
                try? FileManager.default.removeItem(atPath: configuration.masterKeyPath)
                throw MasterKeyMissing(path: configuration.masterKeyPath)
            }
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        return app
    }
}

/// The master key file is gone but the database holds data keys wrapped by it.
public struct MasterKeyMissing: Error, CustomStringConvertible {
    public var path: String
    public var description: String {
        "the master key \(path) is missing, but the database holds data keys wrapped by it; restore the file from your backup (a new key could not read any stored mail)"
    }
}
