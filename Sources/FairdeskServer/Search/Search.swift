import Fluent
import Foundation
import SQLKit
import Vapor

/// What the search box understood: words (all must match) and "quoted phrases" (their
/// words in that order), normalized as `SearchText` does.
struct SearchQuery: Sendable, Equatable {
    /// Each term is one word or a phrase of several; every term must match.
    var terms: [[String]]
    /// The ticket a query of just a number (`123` or `#123`) names.
    var ticketNumber: Int?

    /// Longest query, in characters.
    static let maxLength = 500
    /// Terms beyond this are ignored: each one is another lookup in the index.
    static let maxTerms = 32

    init(_ text: String) throws(SearchQueryError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .empty }
        guard text.count <= Self.maxLength else { throw .tooLong(limit: Self.maxLength) }

        let digits = trimmed.hasPrefix("#") ? trimmed.dropFirst() : Substring(trimmed)
        if !digits.isEmpty, digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            ticketNumber = Int(digits)
        }

        // Outside quotes, spaces separate terms; a quote opens a phrase up to the next
        // quote (or the end). A term whose text splits into several words (an address,
        // "foo-bar", "東京") is a phrase too.
        var pieces: [String] = []
        var current = ""
        var quoted = false
        for character in trimmed {
            if character == "\"" {
                pieces.append(current)
                current = ""
                quoted.toggle()
            } else if !quoted, character.isWhitespace {
                pieces.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        pieces.append(current)

        var terms: [[String]] = []
        for piece in pieces {
            let words = SearchText.words(in: piece)
            if !words.isEmpty, !terms.contains(words), terms.count < Self.maxTerms {
                terms.append(words)
            }
        }
        self.terms = terms
    }

    /// Every word of the query (for snippets).
    var words: Set<String> { Set(terms.joined()) }

    /// FTS5's MATCH syntax: each term a quoted string of tokens (a phrase when several),
    /// all ANDed, and when `scope` names tokens, one of them too. Tokens are hex, so no
    /// quoting inside is ever needed.
    func ftsMatch(_ blind: BlindTokens, scope: [String] = []) -> String {
        var parts = terms.map { term in "\"" + term.map(blind.token(for:)).joined(separator: " ") + "\"" }
        if !scope.isEmpty {
            parts.append("scope : (" + scope.map { "\"" + $0 + "\"" }.joined(separator: " OR ") + ")")
        }
        return parts.joined(separator: " AND ")
    }

    /// A `tsquery` literal: `'a' & ('b' <-> 'c')`, and `& ('s1' | 's2')` for `scope`.
    func tsquery(_ blind: BlindTokens, scope: [String] = []) -> String {
        var parts = terms.map { term in
            let tokens = term.map { "'" + blind.token(for: $0) + "'" }
            return tokens.count == 1 ? tokens[0] : "(" + tokens.joined(separator: " <-> ") + ")"
        }
        if !scope.isEmpty {
            parts.append("(" + scope.map { "'" + $0 + "'" }.joined(separator: " | ") + ")")
        }
        return parts.joined(separator: " & ")
    }
}

/// Why a query was refused. The API names its field `q`.
enum SearchQueryError: Error, Equatable, AbortError {
    case empty
    case tooLong(limit: Int)

    var status: HTTPResponseStatus { .badRequest }

    var reason: String {
        switch self {
        case .empty: return "q: type something to search for"
        case .tooLong(let limit): return "q: a search may be at most \(limit) characters long"
        }
    }
}

/// One ticket found.
struct SearchHit: Content {
    var ticket: TicketSummaryDTO
    /// The message that matched best; nil when only the ticket number did.
    var messageID: UUID?
    /// Text around the first word of the query in that message's body (decrypted for
    /// this answer, never stored), when the body has one; else the body's beginning.
    var snippet: String?
}

/// The search box: tickets by number, subject, sender, organization and the words of
/// their messages, through the blind index (SearchIndex), within what `scope` may see.
enum Search {
    /// The most matching messages ranked per query. A common word can match a large
    /// share of five million messages; so matches are read newest first, the first
    /// `candidateLimit` that the scope may see are ranked (`rank` on SQLite, ts_rank on
    /// PostgreSQL), and the best of those are answered. Rare words (what people search
    /// for) match fewer than this, and are ranked in full. 500 (about a hundred tickets)
    /// halved search time from 2,000 at five million messages (docs/PERFORMANCE.md).
    static let candidateLimit = 500
    static let defaultLimit = 20
    static let maxLimit = 100
    /// Snippet length in characters, and how far into a body to look for the words.
    static let snippetLength = 200
    static let snippetSearchBytes = 256 << 10

    /// Tickets matching `text`, best first (then newest), at most `limit`. A query of
    /// just a number puts that ticket first. Only tickets `scope` may see, and internal
    /// notes only for staff (`Access`).
    static func tickets(query text: String, scope: Access.Scope, limit: Int = defaultLimit, on db: any Database,
                        services: FairdeskServices, snippets: Bool = true) async throws -> [SearchHit] {
        let query = try SearchQuery(text)
        let limit = min(max(limit, 1), maxLimit)

        var found: [(ticketID: UUID, messageID: UUID?)] = []
        if let number = query.ticketNumber,
           let ticket = try await Access.apply(scope, to: Ticket.query(on: db)).filter(\.$number == number).first() {
            found.append((try ticket.requireID(), nil))
        }
        if !query.terms.isEmpty {
            for match in try await matches(query, scope: scope, limit: limit, on: db, services: services)
            where !found.contains(where: { $0.ticketID == match.ticketId }) {
                found.append((match.ticketId, match.messageId))
            }
        }
        found = Array(found.prefix(limit))
        guard !found.isEmpty else { return [] }

        let tickets = try await Ticket.query(on: db).filter(\.$id ~~ found.map(\.ticketID)).all()
        let summaries = try await Queries.summaries(of: tickets, on: db)
        var byID: [UUID: (ticket: Ticket, summary: TicketSummaryDTO)] = [:]
        for (ticket, summary) in zip(tickets, summaries) { byID[try ticket.requireID()] = (ticket, summary) }

        let texts = snippets ? try await snippetTexts(for: found.compactMap(\.messageID), words: query.words, tickets: byID.mapValues(\.ticket),
                                                         on: db, services: services) : [:]
        return found.compactMap { ticketID, messageID in
            guard let ticket = byID[ticketID] else { return nil }
            return SearchHit(ticket: ticket.summary, messageID: messageID, snippet: messageID.flatMap { texts[$0] })
        }
    }

    struct Match: Decodable, Sendable {
        var ticketId: UUID
        var messageId: UUID
        var score: Double
        var doc: Int
        /// The ticket's subject (SQLite only: ranking happens here, see `rank`).
        var subject: String?
    }

    /// The best-matching message of each of the best tickets: the index finds the
    /// matching documents, the join to `tickets` applies `Access.ticketFilter`, and
    /// ranking and de-duplication run over at most `candidateLimit` of them.
    static func matches(_ query: SearchQuery, scope: Access.Scope, limit: Int, on db: any Database,
                        services: FairdeskServices) async throws -> [Match] {
        let sql = try Rows(db).sql
        let found = try await matchQuery(query, scope: scope, limit: limit, blind: BlindTokens(services), sql: sql)
            .all(decoding: Match.self, keyDecodingStrategy: .convertFromSnakeCase)
        return try SearchDialect(sql) == .sqlite ? rank(found, query: query, limit: limit) : found
    }

    /// Ranks SQLite's candidates (newest first): tickets whose subject holds more of the
    /// query's terms first, then the newest match; one message per ticket. Done here rather
    /// than with FTS5's bm25, which computes each term's document frequency by walking its
    /// whole doclist: at five million messages that was most of a search's time
    /// (docs/PERFORMANCE.md). Subjects are stored in the clear (the ticket list shows them).
    static func rank(_ candidates: [Match], query: SearchQuery, limit: Int) -> [Match] {
        var subjectScores: [UUID: Double] = [:]
        var best: [UUID: Match] = [:]
        for var candidate in candidates {
            let score = subjectScores[candidate.ticketId] ?? {
                let words = SearchText.words(in: candidate.subject ?? "")
                let missing = query.terms.filter { !contains(words, $0) }.count
                subjectScores[candidate.ticketId] = Double(missing)
                return Double(missing)
            }()
            candidate.score = score
            if let kept = best[candidate.ticketId], (kept.score, -kept.doc) <= (score, -candidate.doc) { continue }
            best[candidate.ticketId] = candidate
        }
        return best.values.sorted { ($0.score, -$0.doc) < ($1.score, -$1.doc) }.prefix(limit).map { $0 }
    }

    /// Whether `words` holds `term` (one word, or a phrase's words in a row).
    private static func contains(_ words: [String], _ term: [String]) -> Bool {
        guard !term.isEmpty, words.count >= term.count else { return false }
        return (0...(words.count - term.count)).contains { start in Array(words[start..<start + term.count]) == term }
    }

    /// The SQL of `matches`, apart so its plan can be examined (EXPLAIN).
    static func matchQuery(_ query: SearchQuery, scope: Access.Scope, limit: Int, blind: BlindTokens,
                           sql: any SQLDatabase) throws -> SQLRawBuilder {
        let visible = Access.ticketFilter(scope)
        let notes: SQLQueryString = scope.includesNotes ? "" : " AND d.is_note = \(bind: false)"
        let narrowing = scopeTokens(scope, blind: blind)
        let candidates: SQLQueryString
        switch try SearchDialect(sql) {
        case .sqlite:
            // The FTS5 table drives the join, newest rowid first, and stops at the limit;
            // `rank` orders the candidates (no bm25: see there).
            return sql.raw("""
                SELECT d.ticket_id, d.message_id, 0.0 AS score, d.id AS doc, tickets.subject AS subject \
                FROM search_fts \
                JOIN search_documents AS d ON d.id = search_fts.rowid \
                JOIN tickets ON tickets.id = d.ticket_id \
                WHERE search_fts MATCH \(bind: query.ftsMatch(blind, scope: narrowing)) AND \(visible)\(notes) \
                ORDER BY search_fts.rowid DESC \
                LIMIT \(literal: candidateLimit)
                """)
        case .postgres:
            // ts_rank: higher is better, so negated to sort like bm25.
            let tsquery = query.tsquery(blind, scope: narrowing)
            candidates = """
                SELECT d.ticket_id, d.message_id, \
                CAST(-ts_rank(d.terms, CAST(\(bind: tsquery) AS tsquery)) AS DOUBLE PRECISION) AS score, d.id AS doc \
                FROM search_documents AS d \
                JOIN tickets ON tickets.id = d.ticket_id \
                WHERE d.terms @@ CAST(\(bind: tsquery) AS tsquery) AND \(visible)\(notes) \
                ORDER BY d.id DESC \
                LIMIT \(literal: candidateLimit)
                """
        }
        let ranked: SQLQueryString = """
            SELECT ticket_id, message_id, score, doc FROM (\
            SELECT ticket_id, message_id, score, doc, \
            ROW_NUMBER() OVER (PARTITION BY ticket_id ORDER BY score, doc DESC) AS place \
            FROM (\(candidates)) AS candidates\
            ) AS ranked \
            WHERE place = 1 \
            ORDER BY score, doc DESC \
            LIMIT \(literal: limit)
            """
        return sql.raw(ranked)
    }

    /// Index tokens of the tickets a customer may see: those they requested and, when
    /// their organization shares, the organization's. Matching one of them narrows the
    /// index to the customer's tickets before anything is ranked, so a customer's search
    /// costs what their own mail costs, not what everyone's does. It only narrows:
    /// `Access.ticketFilter` still decides. So it must admit every ticket that filter
    /// admits (if Access ever grants more, widen it here). The tokens are the ticket's
    /// requester and organization when the message was indexed; should a ticket ever
    /// move, `fairdesk search reindex --all` brings them up to date.
    static func scopeTokens(_ scope: Access.Scope, blind: BlindTokens) -> [String] {
        switch scope {
        case .everything:
            return []
        case .customer(let personID, let organizationID, let teamShares):
            var tokens = [blind.requesterToken(personID)]
            if teamShares, let organizationID { tokens.append(blind.organizationToken(organizationID)) }
            return tokens
        }
    }

    // MARK: Snippets

    /// Snippets of these messages' bodies, decrypted now. A body that cannot be read
    /// (its organization's key was shredded) just has none.
    private static func snippetTexts(for messageIDs: [UUID], words: Set<String>, tickets: [UUID: Ticket],
                                     on db: any Database, services: FairdeskServices) async throws -> [UUID: String] {
        guard !messageIDs.isEmpty else { return [:] }
        struct Row: Decodable { var id: UUID; var ticketId: UUID; var bodyBlob: String; var bodySize: Int }
        let rows = try await Rows(db).sql.select().columns("id", "ticket_id", "body_blob", "body_size").from("ticket_messages")
            .where("id", .in, messageIDs)
            .all(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)
        var texts: [UUID: String] = [:]
        for row in rows {
            guard let owner = tickets[row.ticketId]?.$organization.id,
                  let body = try? await services.blobs.get(BlobReference(name: row.bodyBlob, size: row.bodySize), owner: owner)
            else { continue }
            texts[row.id] = snippet(of: String(decoding: body.prefix(snippetSearchBytes), as: UTF8.self), words: words)
        }
        return texts
    }

    /// About `snippetLength` characters around the first of `words` in `body`, on one
    /// line, "…" where cut; the beginning of the body when none of the words is in it
    /// (the match was in the subject, sender or organization).
    static func snippet(of body: String, words: Set<String>) -> String {
        var at = body.startIndex
        SearchText.forEachWord(in: body) { word, range in
            guard words.contains(word) else { return true }
            at = range.lowerBound
            return false
        }
        var start = body.index(at, offsetBy: -snippetLength / 4, limitedBy: body.startIndex) ?? body.startIndex
        if start > body.startIndex, let space = body[start..<at].firstIndex(where: \.isWhitespace) {
            start = body.index(after: space)
        }
        var end = body.index(start, offsetBy: snippetLength, limitedBy: body.endIndex) ?? body.endIndex
        if end < body.endIndex, let space = body[at..<end].lastIndex(where: \.isWhitespace) {
            end = space
        }
        let text = body[start..<end].split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return (start > body.startIndex ? "…" : "") + text + (end < body.endIndex ? "…" : "")
    }
}
