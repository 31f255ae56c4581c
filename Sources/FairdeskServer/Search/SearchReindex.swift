import Fluent
import Foundation
import SQLKit
import Vapor

/// Builds the search index from the stored (encrypted) messages: for an installation
/// that had mail before search existed, and after anything the index repeats has changed
/// (an organization renamed). Safe to run again, and while Fairdesk serves.
public enum SearchReindex {
    public struct Result: Sendable, Equatable {
        /// Messages given a (new or replaced) document.
        public var indexed = 0
        /// Of those, messages whose body could not be read (their organization's key was
        /// shredded, or the blob is missing or damaged): indexed by subject, sender and
        /// organization only.
        public var withoutBody = 0
    }

    /// Tickets per batch: their messages are read and decrypted, then written in one
    /// transaction.
    static let ticketsPerBatch = 100

    /// Indexes every message that has no document yet, or with `everything`, replaces
    /// every message's document. Tickets are visited in number order, so documents keep
    /// (roughly) the order in which the mail came, which the index reads as "newest".
    /// Merges the index into as few parts as possible. SQLite's FTS5 index grows in
    /// segments that a query must all walk; after a bulk load (an import, `bench seed`, a
    /// reindex) one merged segment answers faster. On PostgreSQL: refreshes the planner's
    /// statistics of the index table. Safe while serving (one write transaction).
    public static func optimize(_ app: Application) async throws {
        guard let sql = app.db as? any SQLDatabase else { return }
        switch try SearchDialect(sql) {
        case .sqlite:
            try await app.fairdesk.writes.transaction(on: app.db) { db in
                try await Rows(db).sql.raw("INSERT INTO search_fts(search_fts) VALUES('optimize')").run()
            }
        case .postgres:
            try await sql.raw("ANALYZE search_documents").run()
        }
    }

    public static func run(_ app: Application, everything: Bool, progress: @Sendable (Result) -> Void = { _ in }) async throws -> Result {
        try await run(services: app.fairdesk, database: app.db, everything: everything, progress: progress)
    }

    static func run(services: FairdeskServices, database: any Database, everything: Bool,
                    progress: @Sendable (Result) -> Void = { _ in }) async throws -> Result {
        let sql = try Rows(database).sql
        var result = Result()
        var after = 0
        while true {
            struct Number: Decodable { var number: Int }
            let numbers = try await sql.select().column("number").from("tickets")
                .where("number", .greaterThan, after).orderBy("number").limit(ticketsPerBatch)
                .all(decoding: Number.self).map(\.number)
            guard let last = numbers.last else { break }
            after = last

            let messages = try await Self.messages(ofTickets: numbers, missingOnly: !everything, sql: sql)
            var documents: [SearchDocument] = []
            for message in messages {
                var document = SearchDocument(
                    messageID: message.id, ticketID: message.ticketId, isNote: message.kind == MessageKind.note.rawValue,
                    ticketNumber: message.number, ticketSubject: message.ticketSubject, organizationName: message.organizationName,
                    subject: message.subject, senderAddress: message.fromAddress, senderName: message.fromName, body: "")
                do {
                    let body = try await services.blobs.get(BlobReference(name: message.bodyBlob, size: message.bodySize),
                                                            owner: message.organizationId)
                    document.body = String(decoding: body, as: UTF8.self)
                } catch is BlobStoreError {
                    // Shredded, missing or damaged: what is in the database is still findable.
                    result.withoutBody += 1
                }
                documents.append(document)
            }
            if !documents.isEmpty {
                let batch = documents
                try await services.writes.transaction(on: database) { db in
                    // Replacing even when filling gaps: a message stored meanwhile was indexed by
                    // its writer, and must not make this batch fail.
                    try await SearchIndex(services: services, database: db).index(batch, replacing: true)
                }
                result.indexed += documents.count
                progress(result)
            }
        }
        return result
    }

    private struct Message: Decodable {
        var id: UUID
        var kind: String
        var subject: String
        var fromAddress: String
        var fromName: String?
        var bodyBlob: String
        var bodySize: Int
        var ticketId: UUID
        var number: Int
        var ticketSubject: String
        var organizationId: UUID
        var organizationName: String
    }

    /// The messages of these tickets, in ticket and then arrival order; with
    /// `missingOnly`, only those without a document. Automatic outgoing mail is never
    /// indexed (see `OutgoingComposer.compose`).
    private static func messages(ofTickets numbers: [Int], missingOnly: Bool, sql: any SQLDatabase) async throws -> [Message] {
        let missing: SQLQueryString = missingOnly
            ? " AND NOT EXISTS (SELECT 1 FROM search_documents AS d WHERE d.message_id = m.id)" : ""
        let query: SQLQueryString = """
            SELECT m.id, m.kind, m.subject, m.from_address, m.from_name, m.body_blob, m.body_size, \
            t.id AS ticket_id, t.number, t.subject AS ticket_subject, t.organization_id, o.name AS organization_name \
            FROM tickets AS t \
            JOIN ticket_messages AS m ON m.ticket_id = t.id \
            JOIN organizations AS o ON o.id = t.organization_id \
            WHERE t.number IN (\(binds: numbers))\(missing) \
            AND NOT (m.kind = \(bind: MessageKind.outbound.rawValue) AND m.automatic = \(bind: true)) \
            ORDER BY t.number, m.created_at
            """
        return try await sql.raw(query).all(decoding: Message.self, keyDecodingStrategy: .convertFromSnakeCase)
    }
}
