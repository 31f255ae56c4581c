import Fluent
import Foundation
import Testing
import Vapor
@testable import FairdeskServer

/// Runs `body` against an application built by the real `configure`, on a fresh data
/// directory: SQLite by default, PostgreSQL when FAIRDESK_TEST_POSTGRES_URL is set (the
/// schema is reverted and rebuilt, so suites touching the database run serialized).
/// `adjust` changes settings before the application is built (e.g. a small upload limit).
func withTestApp(
    supportAddresses: [String] = ["support@fairdesk.test"],
    adjust: (inout FairdeskConfiguration) -> Void = { _ in },
    _ body: (Application) async throws -> Void
) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fairdesk-test-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var configuration = FairdeskConfiguration(dataDirectory: directory, httpPort: 0, smtpPort: 0, hostname: "fairdesk.test",
                                              supportAddresses: supportAddresses)
    configuration.databaseURL = ProcessInfo.processInfo.environment["FAIRDESK_TEST_POSTGRES_URL"]
    adjust(&configuration)
    let app = try await Application.make(.testing)
    do {
        try await configure(app, configuration: configuration, startBackgroundWork: false)
        try await tuneSQLite(app)
        if configuration.databaseURL != nil { try await app.autoRevert() }
        try await app.autoMigrate()
        try await body(app)
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
    try await app.asyncShutdown()
}

/// A message from lines joined with CRLF.
func rawMail(_ lines: String...) -> [UInt8] {
    Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
}

extension Application {
    func ingest(_ raw: [UInt8], from envelope: String = "", channel: String = "test") async throws -> IngestOutcome {
        try await MailIngestor(services: fairdesk, database: db, logger: logger)
            .ingest(InboundDelivery(raw: raw, envelopeFrom: envelope, envelopeTo: [fairdesk.configuration.primarySupportAddress], channel: channel))
    }

    func ticket(_ number: Int) async throws -> Ticket {
        try await Queries.ticket(number: number, on: db)
    }

    /// A staff member and an API token for them.
    func staffToken(role: String = "agent", email: String = "agent@fairdesk.test") async throws -> String {
        _ = try await Accounts.createStaff(self, email: email, name: "Agent Smith", role: role, password: "correct horse battery")
        return try await Accounts.createToken(self, email: email, name: "test")
    }
}

extension IngestOutcome {
    var ticketNumber: Int? {
        if case .stored(_, let number, _) = self { return number }
        return nil
    }
}
