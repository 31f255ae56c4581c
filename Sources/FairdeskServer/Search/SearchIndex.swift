import Fluent
import Foundation
import SQLKit

/// The plaintext of one message as search sees it. It is only ever held in memory: the
/// index stores its words' blind tokens (`BlindTokens`).
struct SearchDocument: Sendable {
    var messageID: UUID
    var ticketID: UUID
    /// Internal notes are indexed too, marked, so that customers never match them.
    var isNote: Bool
    // What every document of a ticket carries, so a query can combine, say, the
    // organization's name with a word from any one message.
    var ticketNumber: Int
    var ticketSubject: String
    var organizationName: String
    // The message's own.
    var subject: String
    var senderAddress: String
    var senderName: String?
    var body: String
}

/// Writes the blind index: one document per ticket message, in the `search_documents`
/// table (and on SQLite the FTS5 table `search_fts` beside it; see M015CreateSearchIndex).
///
/// A document has two fields of words: `meta` (ticket number and subject, the message's
/// subject when it says something else, sender address and name, organization name),
/// which ranks higher, and `body`. Each is its words' tokens in order, so phrases match.
/// A third, `scope`, holds tokens for the ticket's requester and organization, which let
/// a customer's search narrow the index to their tickets before ranking (see
/// `Search.matchQuery`).
struct SearchIndex {
    let sql: any SQLDatabase
    let blind: BlindTokens
    let dialect: SearchDialect

    init(sql: any SQLDatabase, blind: BlindTokens) throws {
        self.sql = sql
        self.blind = blind
        self.dialect = try SearchDialect(sql)
    }

    init(services: FairdeskServices, database: any Database) throws {
        try self.init(sql: try Rows(database).sql, blind: BlindTokens(services))
    }

    /// Indexes a message just stored, inside the writer's transaction, so that the
    /// message and its index entry commit together. Reads one row (the ticket, with its
    /// organization's name). `body` may be tokenized before the transaction (`BlindText`)
    /// to keep the serialized part short.
    func add(message id: UUID, kind: MessageKind, ticket ticketID: UUID, subject: String,
             from address: String, name: String?, body: BlindText) async throws {
        struct Row: Decodable {
            var number: Int
            var subject: String
            var requesterId: UUID
            var organizationId: UUID
            var organizationName: String
        }
        let ticket = try await sql.select()
            .column(SQLColumn("number", table: "tickets"))
            .column(SQLColumn("subject", table: "tickets"))
            .column(SQLColumn("requester_id", table: "tickets"))
            .column(SQLColumn("organization_id", table: "tickets"))
            .column(SQLAlias(SQLColumn("name", table: "organizations"), as: SQLIdentifier("organization_name")))
            .from("tickets")
            .join("organizations", on: SQLColumn("organization_id", table: "tickets"), .equal, SQLColumn("id", table: "organizations"))
            .where(SQLColumn("id", table: "tickets"), .equal, SQLBind(ticketID))
            .limit(1)
            .first(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)
            .orThrow("ticket \(ticketID) vanished while its message was indexed")
        let document = SearchDocument(messageID: id, ticketID: ticketID, isNote: kind == .note, ticketNumber: ticket.number,
                                      ticketSubject: ticket.subject, organizationName: ticket.organizationName,
                                      subject: subject, senderAddress: address, senderName: name, body: "")
        var entry = entry(for: document, body: body)
        entry.scope = blind.scopeTokens(requester: ticket.requesterId, organization: ticket.organizationId)
        try await write([entry], replacing: false)
    }

    func add(message id: UUID, kind: MessageKind, ticket: UUID, subject: String,
             from address: String, name: String?, body: String) async throws {
        try await add(message: id, kind: kind, ticket: ticket, subject: subject, from: address, name: name,
                      body: BlindText(body, using: blind))
    }

    /// Indexes messages from their plaintext fields, for bulk loads (a seeding tool can
    /// pass thousands at once, or tokenize with `entry(for:body:)` and `write`) and for
    /// rebuilding. Reads only the tickets' requester and organization, one query per
    /// `rowsPerStatement` messages. With `replacing`, a message's existing document is
    /// replaced; without, a message must not have one yet.
    func index(_ documents: [SearchDocument], replacing: Bool = false) async throws {
        try await write(documents.map { entry(for: $0, body: nil) }, replacing: replacing)
    }

    /// Removes the documents of these messages.
    func remove(messages ids: [UUID]) async throws {
        guard !ids.isEmpty else { return }
        // On SQLite a trigger removes the FTS5 rows with them.
        try await sql.delete(from: "search_documents").where("message_id", .in, ids).run()
    }

    // MARK: Entries

    /// One document, tokenized: a row of the index.
    struct Entry: Sendable {
        var messageID: UUID
        var ticketID: UUID
        var isNote: Bool
        var meta: BlindText
        var body: BlindText
        /// The ticket's requester and organization (`BlindTokens.scopeTokens`); `write`
        /// reads them from the ticket when empty.
        var scope: [String] = []
    }

    func entry(for document: SearchDocument, body prepared: BlindText?) -> Entry {
        var cache: [String: String] = [:]
        var meta = "\(document.ticketNumber) \(document.ticketSubject)\n"
        // A reply's subject ("Re: [#12] Crash on start") repeats the ticket's: only a
        // subject that says something new is worth its words.
        if !document.subject.lowercased().contains(document.ticketSubject.lowercased()) {
            meta += document.subject + "\n"
        }
        meta += "\(document.senderAddress) \(document.senderName ?? "")\n\(document.organizationName)"
        return Entry(messageID: document.messageID, ticketID: document.ticketID, isNote: document.isNote,
                     meta: BlindText(meta, using: blind, cache: &cache),
                     body: prepared ?? BlindText(document.body, using: blind, cache: &cache))
    }

    // MARK: Writing

    /// Rows per INSERT statement: SQLite allows 32,766 bound values.
    static let rowsPerStatement = 500

    /// Stores tokenized documents (see `index`).
    func write(_ entries: [Entry], replacing: Bool) async throws {
        for start in stride(from: 0, to: entries.count, by: Self.rowsPerStatement) {
            var chunk = Array(entries[start..<min(start + Self.rowsPerStatement, entries.count)])
            try await fillScope(&chunk)
            if replacing { try await remove(messages: chunk.map(\.messageID)) }
            switch dialect {
            case .sqlite: try await writeSQLite(chunk)
            case .postgres: try await writePostgres(chunk)
            }
        }
    }

    /// Reads the requester and organization of the tickets whose entries lack them, in
    /// one query, so a bulk load needs not know them.
    private func fillScope(_ entries: inout [Entry]) async throws {
        let tickets = Set(entries.filter(\.scope.isEmpty).map(\.ticketID))
        guard !tickets.isEmpty else { return }
        struct Row: Decodable { var id: UUID; var requesterId: UUID; var organizationId: UUID }
        let rows = try await sql.select().columns("id", "requester_id", "organization_id").from("tickets")
            .where("id", .in, Array(tickets))
            .all(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)
        var scopes: [UUID: [String]] = [:]
        for row in rows { scopes[row.id] = blind.scopeTokens(requester: row.requesterId, organization: row.organizationId) }
        for index in entries.indices where entries[index].scope.isEmpty {
            entries[index].scope = try scopes[entries[index].ticketID].orThrow("ticket \(entries[index].ticketID) of a search document is missing")
        }
    }

    /// The document rows, then the FTS5 rows under the same rowid.
    private func writeSQLite(_ entries: [Entry]) async throws {
        struct Created: Decodable { var id: Int; var messageId: UUID }
        var insert = sql.insert(into: "search_documents").columns("message_id", "ticket_id", "is_note")
        for entry in entries {
            insert = insert.values(SQLBind(entry.messageID), SQLBind(entry.ticketID), SQLBind(entry.isNote))
        }
        let created = try await insert.returning("id", "message_id")
            .all(decoding: Created.self, keyDecodingStrategy: .convertFromSnakeCase)
        let rowids = Dictionary(created.map { ($0.messageId, $0.id) }, uniquingKeysWith: { first, _ in first })
        var fts = sql.insert(into: "search_fts").columns("rowid", "meta", "body", "scope")
        for entry in entries {
            let rowid = try rowids[entry.messageID].orThrow("the search document of message \(entry.messageID) was not created")
            fts = fts.values(SQLBind(rowid), SQLBind(entry.meta.spaced), SQLBind(entry.body.spaced),
                             SQLBind(entry.scope.joined(separator: " ")))
        }
        try await fts.run()
    }

    private func writePostgres(_ entries: [Entry]) async throws {
        var insert = sql.insert(into: "search_documents").columns("message_id", "ticket_id", "is_note", "terms")
        for entry in entries {
            let terms: SQLQueryString = "CAST(\(bind: Self.tsvector(meta: entry.meta, body: entry.body, scope: entry.scope)) AS tsvector)"
            insert = insert.values(SQLBind(entry.messageID), SQLBind(entry.ticketID), SQLBind(entry.isNote), terms)
        }
        try await insert.run()
    }

    /// PostgreSQL keeps positions up to 16,383 and 256 positions per word.
    static let maxPosition = 16_383
    static let maxPositionsPerToken = 256

    /// The document as a `tsvector` literal: `'token':1A,2A 'other':9 ...`. Built here,
    /// not by `to_tsvector`, so PostgreSQL's text parser (which reads "1e10" as a number)
    /// never sees the tokens. Meta words carry weight A, so `ts_rank` ranks them higher;
    /// the body starts one position later than a phrase could reach from the meta. Words
    /// past the last position are kept without one: they match as words, not in phrases;
    /// so are the scope tokens, which are no words.
    static func tsvector(meta: BlindText, body: BlindText, scope: [String] = []) -> String {
        var positions: [String: [String]] = [:]
        var order: [String] = []
        func add(_ token: String, _ position: String?) {
            if positions[token] == nil {
                positions[token] = []
                order.append(token)
            }
            if let position, positions[token, default: []].count < maxPositionsPerToken {
                positions[token, default: []].append(position)
            }
        }
        var position = 1
        for token in meta.tokens {
            add(token, position <= maxPosition ? "\(position)A" : nil)
            position += 1
        }
        position += 1
        for token in body.tokens {
            add(token, position <= maxPosition ? "\(position)" : nil)
            position += 1
        }
        for token in scope { add(token, nil) }
        return order.map { token in
            let list = positions[token] ?? []
            return list.isEmpty ? "'\(token)'" : "'\(token)':" + list.joined(separator: ",")
        }.joined(separator: " ")
    }
}

/// The two databases keep the index differently (FTS5 beside a table; a tsvector column).
enum SearchDialect: Sendable {
    case sqlite, postgres

    init(_ sql: any SQLDatabase) throws {
        switch sql.dialect.name {
        case "sqlite": self = .sqlite
        case "postgresql": self = .postgres
        default: throw SearchIndexError.unsupportedDatabase(sql.dialect.name)
        }
    }
}

enum SearchIndexError: Error, CustomStringConvertible {
    case unsupportedDatabase(String)

    var description: String {
        switch self {
        case .unsupportedDatabase(let name): return "search needs SQLite or PostgreSQL, not \(name)"
        }
    }
}
