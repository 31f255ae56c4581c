import ArgumentParser
import FairdeskServer
import Foundation

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run Fairdesk: the web server, the SMTP listener and the delivery worker.",
        discussion: "With no settings at all: HTTP on 127.0.0.1:8080, SMTP on 127.0.0.1:2525 for support@localhost, data in ./fairdesk-data (SQLite), outgoing mail written to ./fairdesk-data/outgoing/."
    )

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration = try options.resolve()
        let app = try await FairdeskApp.make(configuration, arguments: ["fairdesk", "serve"], background: true)
        if let admin = try await Accounts.ensureAdmin(app) {
            print("""
                First start: created the admin account.
                  email:    \(admin.email)
                  password: \(admin.password)   (shown once; you will be asked to change it at first sign-in)
                """)
            fflush(nil)
        }
        do {
            try await app.execute()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Create or update the database schema.")

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let app = try await FairdeskApp.make(try options.resolve(), background: false)
        try await app.asyncShutdown()
        print("database is up to date")
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage staff accounts.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create an agent or admin account.")

        @ArgumentParser.Option(help: "agent or admin") var role: String
        @ArgumentParser.Option(help: "Sign-in email address") var email: String
        @ArgumentParser.Option(help: "Display name") var name: String?
        @ArgumentParser.Option(help: "Password (at least 12 characters); generated and printed once when omitted") var password: String?
        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let app = try await FairdeskApp.make(try options.resolve(), background: false)
            do {
                let created = try await Accounts.createStaff(app, email: email, name: name, role: role, password: password)
                print("created \(role) \(created.email)")
                if password == nil { print("password: \(created.password)   (shown once; change it at first sign-in)") }
            } catch let error as Accounts.AccountError {
                try await app.asyncShutdown()
                throw ValidationError(error.description)
            }
            try await app.asyncShutdown()
        }
    }
}

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Manage API tokens.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create an API token for a staff account; prints it once.")

        @ArgumentParser.Option(help: "The staff account's email address") var email: String
        @ArgumentParser.Option(help: "What the token is for") var name: String = "api"
        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let app = try await FairdeskApp.make(try options.resolve(), background: false)
            do {
                print(try await Accounts.createToken(app, email: email, name: name))
            } catch let error as Accounts.AccountError {
                try await app.asyncShutdown()
                throw ValidationError(error.description)
            }
            try await app.asyncShutdown()
        }
    }
}
