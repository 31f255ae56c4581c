import Crypto
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import FairdeskServer

extension ServerSuite {
    @Suite struct SearchTests {
        /// A plain UTF-8 message.
        static func mail(from: String, subject: String, _ body: String) -> [UInt8] {
            rawMail("From: \(from)", "To: support@fairdesk.test", "Subject: \(subject)", "MIME-Version: 1.0",
                    "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit", "", body)
        }

        /// The numbers of the tickets found, in order.
        static func search(_ app: Application, _ query: String, as scope: Access.Scope = .everything) async throws -> [Int] {
            try await Search.tickets(query: query, scope: scope, limit: 20, on: app.db, services: app.fairdesk).map(\.ticket.number)
        }

        static func found(_ app: Application, _ query: String, as scope: Access.Scope = .everything) async throws -> Set<Int> {
            Set(try await search(app, query, as: scope))
        }

        static func bearer(_ token: String) -> HTTPHeaders {
            var headers = HTTPHeaders()
            headers.bearerAuthorization = BearerAuthorization(token: token)
            return headers
        }

        /// What the customer writing from `address` may see.
        static func scope(_ app: Application, _ address: String) async throws -> Access.Scope {
            let person = try #require(try await PeopleDirectory(database: app.db).person(forAddress: address))
            return try #require(try await Access.scope(of: try person.requireID(), on: app.db))
        }

        static func sql(_ app: Application) throws -> any SQLDatabase {
            try #require(app.db as? any SQLDatabase)
        }

        @Test func wordsAreAndedAndPhrasesKeepTheirOrder() async throws {
            try await withTestApp { app in
                _ = try await app.ingest(Self.mail(from: "Jane Doe <jane@customer.example>", subject: "License trouble",
                                                   "The license server rejects the activation key since Monday."))
                _ = try await app.ingest(Self.mail(from: "bob@other.example", subject: "Printing",
                                                   "Printing the activation report fails."))

                #expect(try await Self.found(app, "activation") == [1, 2])
                #expect(try await Self.found(app, "rejects") == [1])
                #expect(try await Self.found(app, "activation printing") == [2], "every word must match")
                #expect(try await Self.found(app, "activation zeppelin") == [])
                #expect(try await Self.found(app, "\"rejects the activation\"") == [1])
                #expect(try await Self.found(app, "\"activation rejects\"") == [], "a phrase keeps its order")
                #expect(try await Self.found(app, "\"the activation\"") == [1, 2])
                #expect(try await Self.found(app, "\"server rejects\" monday") == [1])
                #expect(try await Self.found(app, "!!!") == [], "no words, nothing found")
            }
        }

        @Test func caseAndDiacriticsDoNotMatter() async throws {
            try await withTestApp { app in
                _ = try await app.ingest(Self.mail(from: "a@one.example", subject: "Office", "Our office in Zürich cannot print."))
                _ = try await app.ingest(Self.mail(from: "b@two.example", subject: "Branch", "We met at the zurich branch in the BAHNHOFSTRASSE."))
                _ = try await app.ingest(Self.mail(from: "c@three.example", subject: "Ｗｉｄｅ", "ﬁle naïve café Ελλάδα"))

                #expect(try await Self.found(app, "zurich") == [1, 2])
                #expect(try await Self.found(app, "ZÜRICH") == [1, 2])
                #expect(try await Self.found(app, "Zürich print") == [1])
                #expect(try await Self.found(app, "bahnhofstraße") == [2], "ß folds to ss")
                #expect(try await Self.found(app, "FILE NAIVE CAFE") == [3], "compatibility forms and accents")
                #expect(try await Self.found(app, "ελλαδα") == [3])
                #expect(try await Self.found(app, "wide") == [3], "full-width letters in the subject")
            }
        }

        @Test func findsByNumberSubjectSenderAndOrganization() async throws {
            try await withTestApp { app in
                let initech = Organization(name: "Initech Labs", isPersonal: false)
                try await initech.create(on: app.db)
                try await OrganizationDomain(domain: "initech.example", organizationID: try initech.requireID()).create(on: app.db)
                _ = try await app.ingest(Self.mail(from: "Peter Gibbons <peter@initech.example>", subject: "TPS report cover sheet", "Hello there."))
                _ = try await app.ingest(Self.mail(from: "Jane Doe <jane@customer.example>", subject: "Question", "About ticket 1, hello."))

                #expect(try await Self.search(app, "#1").first == 1)
                #expect(try await Self.search(app, "1") == [1, 2], "the ticket first, then the text that says 1")
                #expect(try await Self.search(app, "#2").first == 2)
                #expect(try await Self.found(app, "#999") == [])
                #expect(try await Self.found(app, "tps") == [1])
                #expect(try await Self.found(app, "\"cover sheet\"") == [1])
                #expect(try await Self.found(app, "peter@initech.example") == [1])
                #expect(try await Self.found(app, "PETER@Initech.Example") == [1])
                #expect(try await Self.found(app, "gibbons") == [1])
                #expect(try await Self.found(app, "initech.example") == [1], "the domain")
                #expect(try await Self.found(app, "jane") == [2], "the local part")
                #expect(try await Self.found(app, "\"Initech Labs\"") == [1], "the organization")
                #expect(try await Self.found(app, "labs hello") == [1], "organization and body words combine")
                #expect(try await Self.found(app, "hello") == [1, 2])
            }
        }

        @Test func repliesAndInternalNotesAreFound() async throws {
            try await withTestApp { app in
                let token = try await app.staffToken()
                _ = try await app.ingest(Self.mail(from: "jane@customer.example", subject: "Crash", "It crashes."))
                try await app.testing().test(.POST, "/api/v1/tickets/1/reply", headers: Self.bearer(token), beforeRequest: { req in
                    try req.content.encode(ReplyRequest(body: "Please reinstall the frobnicator.", attachments: nil))
                }) { response in #expect(response.status == .created) }
                try await app.testing().test(.POST, "/api/v1/tickets/1/notes", headers: Self.bearer(token), beforeRequest: { req in
                    try req.content.encode(NoteRequest(body: "Probably the flux capacitor."))
                }) { response in #expect(response.status == .created) }

                #expect(try await Self.found(app, "frobnicator") == [1])
                #expect(try await Self.found(app, "\"flux capacitor\"") == [1])
                #expect(try await Self.found(app, "smith capacitor") == [1], "the note's author")
                let hit = try #require(try await Search.tickets(query: "capacitor", scope: .everything, on: app.db, services: app.fairdesk).first)
                #expect(hit.snippet == "Probably the flux capacitor.")
            }
        }

        @Test func customersFindOnlyTheirTeamsTicketsAndNeverNotes() async throws {
            try await withTestApp { app in
                let acme = Organization(name: "Acme", isPersonal: false)
                try await acme.create(on: app.db)
                try await OrganizationDomain(domain: "acme.example", organizationID: try acme.requireID()).create(on: app.db)
                _ = try await app.ingest(Self.mail(from: "alice@acme.example", subject: "One", "quasar alpha"))
                _ = try await app.ingest(Self.mail(from: "bob@acme.example", subject: "Two", "quasar beta"))
                _ = try await app.ingest(Self.mail(from: "carol@other.example", subject: "Three", "quasar gamma"))
                let token = try await app.staffToken()
                try await app.testing().test(.POST, "/api/v1/tickets/1/notes", headers: Self.bearer(token), beforeRequest: { req in
                    try req.content.encode(NoteRequest(body: "quasar secretnote"))
                }) { response in #expect(response.status == .created) }

                let alice = try await Self.scope(app, "alice@acme.example")
                let carol = try await Self.scope(app, "carol@other.example")

                #expect(try await Self.found(app, "quasar") == [1, 2, 3])
                #expect(try await Self.found(app, "secretnote") == [1])
                #expect(try await Self.found(app, "quasar", as: alice) == [1, 2], "her own and her teammate's")
                #expect(try await Self.found(app, "secretnote", as: alice) == [], "never internal notes")
                #expect(try await Self.found(app, "quasar secretnote", as: alice) == [])
                #expect(try await Self.found(app, "gamma", as: alice) == [])
                #expect(try await Self.found(app, "#3", as: alice) == [], "not even by number")
                #expect(try await Self.found(app, "quasar", as: carol) == [3])
                #expect(try await Self.found(app, "#1", as: carol) == [])

                acme.sharesTickets = false
                try await acme.save(on: app.db)
                let aliceAlone = try await Self.scope(app, "alice@acme.example")
                #expect(try await Self.found(app, "quasar", as: aliceAlone) == [1])
            }
        }

        @Test func nothingSearchableIsStoredInPlaintext() async throws {
            try await withTestApp { app in
                _ = try await app.ingest(Self.mail(from: "jane@customer.example", subject: "Module failure",
                                                   "The Xylophonicity module fails at startup."))
                #expect(try await Self.found(app, "xylophonicity") == [1])

                // Not in any file under the data directory (blobs; on SQLite the database and its WAL).
                let root = app.fairdesk.configuration.dataDirectory
                let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
                var examined = 0
                for file in files {
                    var isDirectory: ObjCBool = false
                    guard FileManager.default.fileExists(atPath: root + "/" + file, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
                    let bytes = try Data(contentsOf: URL(fileURLWithPath: root + "/" + file))
                    for form in ["Xylophonicity", "xylophonicity", "XYLOPHONICITY"] {
                        #expect(bytes.range(of: Data(form.utf8)) == nil, "\(file) holds \(form)")
                    }
                    examined += 1
                }
                #expect(examined > 0)

                // Every term in the index is a blind token, the word's among them.
                let sql = try Self.sql(app)
                struct Term: Decodable { var term: String }
                let terms: [String]
                switch try SearchDialect(sql) {
                case .sqlite:
                    try await sql.raw("CREATE VIRTUAL TABLE search_vocabulary USING fts5vocab(search_fts, row)").run()
                    terms = try await sql.raw("SELECT term FROM search_vocabulary").all(decoding: Term.self).map(\.term)
                    try await sql.raw("DROP TABLE search_vocabulary").run()
                case .postgres:
                    terms = try await sql.raw("SELECT word AS term FROM ts_stat('SELECT terms FROM search_documents')").all(decoding: Term.self).map(\.term)
                }
                #expect(terms.count > 10)
                #expect(terms.allSatisfy(BlindTokens.isToken), "\(terms.filter { !BlindTokens.isToken($0) })")
                #expect(terms.contains(BlindTokens(app.fairdesk).token(for: "xylophonicity")))
            }
        }

        @Test func reindexFillsAMissingIndexAndIsIdempotent() async throws {
            try await withTestApp { app in
                let token = try await app.staffToken()
                _ = try await app.ingest(Self.mail(from: "Jane Doe <jane@customer.example>", subject: "Crash on start", "It crashes in Zürich."))
                _ = try await app.ingest(Self.mail(from: "bob@other.example", subject: "Printing", "The printer jams."))
                try await app.testing().test(.POST, "/api/v1/tickets/2/notes", headers: Self.bearer(token), beforeRequest: { req in
                    try req.content.encode(NoteRequest(body: "jams every tuesday"))
                }) { response in #expect(response.status == .created) }
                let queries = ["zurich", "crash", "jane", "\"printer jams\"", "tuesday", "#2", "received"]
                var before: [String: [Int]] = [:]
                for query in queries { before[query] = try await Self.search(app, query) }
                #expect(before["zurich"] == [1])
                #expect(before["received"] == [], "automatic mail (the acknowledgements) is not indexed")

                // As on an installation that had mail before search existed.
                let sql = try Self.sql(app)
                try await sql.raw("DELETE FROM search_documents").run()
                #expect(try await Self.found(app, "zurich") == [])
                #expect(try await TicketMessage.query(on: app.db).count() == 5, "two messages, two acknowledgements, one note")
                let messages = 3

                let first = try await SearchReindex.run(services: app.fairdesk, database: app.db, everything: false)
                #expect(first == SearchReindex.Result(indexed: messages, withoutBody: 0))
                for query in queries { #expect(try await Self.search(app, query) == before[query], "\(query)") }

                let again = try await SearchReindex.run(services: app.fairdesk, database: app.db, everything: false)
                #expect(again.indexed == 0, "nothing was missing")
                let everything = try await SearchReindex.run(services: app.fairdesk, database: app.db, everything: true)
                #expect(everything.indexed == messages)
                struct Count: Decodable { var count: Int }
                let documents = try await sql.raw("SELECT COUNT(*) AS count FROM search_documents").first(decoding: Count.self)?.count
                #expect(documents == messages, "one document per message, however often it runs")
                for query in queries { #expect(try await Self.search(app, query) == before[query], "\(query)") }
            }
        }

        /// The index does the work: the FTS5 table drives the query, newest first, and
        /// every other table is reached by key, for staff and customers alike (SQLite's
        /// plan; PostgreSQL chooses by its statistics).
        @Test func theQueryPlanScansNoTable() async throws {
            try await withTestApp { app in
                let sql = try Self.sql(app)
                guard try SearchDialect(sql) == .sqlite else { return }
                _ = try await app.ingest(Self.mail(from: "alice@acme.example", subject: "One", "quasar alpha"))
                let alice = try await Self.scope(app, "alice@acme.example")
                struct Step: Decodable { var detail: String }
                for scope in [Access.Scope.everything, alice] {
                    let query = try Search.matchQuery(try SearchQuery("quasar \"alpha beta\""), scope: scope, limit: 20,
                                                      blind: BlindTokens(app.fairdesk), sql: sql).query
                    let plan = try await sql.raw("EXPLAIN QUERY PLAN \(query)").all(decoding: Step.self).map(\.detail)
                    #expect(plan.contains { $0.hasPrefix("SCAN search_fts VIRTUAL TABLE") }, "\(plan)")
                    #expect(plan.contains { $0.hasPrefix("SEARCH d USING INTEGER PRIMARY KEY") }, "\(plan)")
                    #expect(plan.contains { $0.hasPrefix("SEARCH tickets USING") }, "\(plan)")
                    #expect(!plan.contains { $0.hasPrefix("SCAN d") || $0.hasPrefix("SCAN tickets") || $0.hasPrefix("SCAN search_documents") }, "\(plan)")
                }
            }
        }

        /// Tickets whose subject holds the query's words come first; otherwise the newest
        /// match first; one hit per ticket.
        @Test func subjectMatchesRankAboveNewerBodyMatches() async throws {
            try await withTestApp { app in
                _ = try await app.ingest(Self.mail(from: "a@one.example", subject: "Printer offline", "It says offline."))
                _ = try await app.ingest(Self.mail(from: "b@two.example", subject: "Question", "Our printer shows offline since Monday."))
                _ = try await app.ingest(Self.mail(from: "c@three.example", subject: "Printer", "The printer is offline again."))
                _ = try await app.ingest(Self.mail(from: "d@four.example", subject: "Other", "Nothing to see."))
                #expect(try await Self.search(app, "printer offline") == [1, 3, 2])
                #expect(try await Self.search(app, "\"printer offline\"") == [1])
                #expect(try await Self.search(app, "offline") == [1, 3, 2])
            }
        }

        @Test func rankingPrefersSubjectsThenNewestAndKeepsOneMessagePerTicket() {
            let one = UUID(), two = UUID()
            let candidates = [
                Search.Match(ticketId: two, messageId: UUID(), score: 0, doc: 9, subject: "Backup fails"),
                Search.Match(ticketId: one, messageId: UUID(), score: 0, doc: 8, subject: "Hello"),
                Search.Match(ticketId: two, messageId: UUID(), score: 0, doc: 3, subject: "Backup fails"),
                Search.Match(ticketId: one, messageId: UUID(), score: 0, doc: 7, subject: "Hello"),
            ]
            let query = try! SearchQuery("backup \"fails\"")
            let ranked = Search.rank(candidates, query: query, limit: 10)
            #expect(ranked.map(\.ticketId) == [two, one])
            #expect(ranked.map(\.doc) == [9, 8], "each ticket's newest matching message")
            #expect(Search.rank(candidates, query: query, limit: 1).count == 1)
        }

        @Test func theAPISearchesForStaff() async throws {
            try await withTestApp { app in
                let token = try await app.staffToken()
                _ = try await app.ingest(Self.mail(from: "jane@customer.example", subject: "Crash",
                                                   "Since the update the editor crashes whenever I open a large project file."))
                try await app.testing().test(.GET, "/api/v1/search?q=crashes%20editor&limit=5", headers: Self.bearer(token)) { response in
                    #expect(response.status == .ok)
                    let results = try response.content.decode(SearchResultsDTO.self)
                    #expect(results.hits.map(\.ticket.number) == [1])
                    #expect(results.hits.first?.ticket.subject == "Crash")
                    #expect(results.hits.first?.snippet?.contains("the editor crashes whenever") == true)
                }
                try await app.testing().test(.GET, "/api/v1/search?q=%231", headers: Self.bearer(token)) { response in
                    let results = try response.content.decode(SearchResultsDTO.self)
                    #expect(results.hits.first?.ticket.number == 1)
                    #expect(results.hits.first?.messageID == nil, "found by its number")
                }
                let tooLong = String(repeating: "a", count: SearchQuery.maxLength + 1)
                for query in ["?q=", "?q=%20%20", "", "?q=\(tooLong)"] {
                    try await app.testing().test(.GET, "/api/v1/search\(query)", headers: Self.bearer(token)) { response in
                        #expect(response.status == .badRequest, "\(query.prefix(20))")
                        #expect(response.body.string.contains("q:"), "the reason names the field")
                    }
                }
                try await app.testing().test(.GET, "/api/v1/search?q=crash") { response in
                    #expect(response.status == .unauthorized)
                }
                let jane = try #require(try await PeopleDirectory(database: app.db).person(forAddress: "jane@customer.example"))
                let customerToken = try await APITokens.create(for: jane, name: "x", on: app.db)
                try await app.testing().test(.GET, "/api/v1/search?q=crash", headers: Self.bearer(customerToken)) { response in
                    #expect(response.status == .notFound)
                }
            }
        }
    }
}

@Suite struct SearchTextTests {
    @Test func wordsAreFoldedDecomposedAndStripped() {
        #expect(SearchText.words(in: "Zürich, ZURICH & zurich!") == ["zurich", "zurich", "zurich"])
        #expect(SearchText.words(in: "Straße STRASSE") == ["strasse", "strasse"])
        #expect(SearchText.words(in: "ﬁle ＡＢＣ１２ x²") == ["file", "abc12", "x2"])
        #expect(SearchText.words(in: "İstanbul Ελλάδα Москва") == ["istanbul", "ελλαδα", "москва"])
        #expect(SearchText.words(in: "don't over-engineer_it") == ["don", "t", "over", "engineer", "it"])
    }

    @Test func addressesAndVersionsAreTheirWordsInOrder() {
        #expect(SearchText.words(in: "<Jane.Doe@Customer.Example>") == ["jane", "doe", "customer", "example"])
        #expect(SearchText.words(in: "v2.10.3") == ["v2", "10", "3"])
    }

    @Test func scriptsWithoutSpacesAreOneCharacterPerWord() {
        #expect(SearchText.words(in: "東京へ行く") == ["東", "京", "へ", "行", "く"])
        // The voiced kana keeps its mark: が is not か.
        #expect(SearchText.words(in: "が") != SearchText.words(in: "か"))
    }

    @Test func longRunsAreCutAlike() {
        let long = String(repeating: "ab", count: 100)
        #expect(SearchText.words(in: long) == [String(long.prefix(SearchText.maxWordLength))])
        #expect(SearchText.words(in: "Ü" + long).first?.count == SearchText.maxWordLength)
    }

    @Test func queriesParseWordsPhrasesAndNumbers() throws {
        let query = try SearchQuery(#"crash "license server" jane@x.example crash"#)
        #expect(query.terms == [["crash"], ["license", "server"], ["jane", "x", "example"]])
        #expect(query.ticketNumber == nil)
        #expect(try SearchQuery("#42").ticketNumber == 42)
        #expect(try SearchQuery(" 42 ").terms == [["42"]])
        #expect(try SearchQuery(#""unclosed phrase"#).terms == [["unclosed", "phrase"]])
        #expect(throws: SearchQueryError.empty) { try SearchQuery("  ") }
        #expect(throws: SearchQueryError.tooLong(limit: 500)) { try SearchQuery(String(repeating: "x ", count: 251)) }
    }

    @Test func blindTokensAreKeyedAndShort() {
        let one = BlindTokens(key: .init(size: .bits256))
        let other = BlindTokens(key: .init(size: .bits256))
        #expect(one.token(for: "zurich") == one.token(for: "zurich"))
        #expect(one.token(for: "zurich") != other.token(for: "zurich"))
        #expect(BlindTokens.isToken(one.token(for: "zurich")))
        // It is HMAC-SHA256, cut short.
        for word in ["", "zurich", "東", String(repeating: "x", count: 200)] {
            let mac = HMAC<SHA256>.authenticationCode(for: Array(word.utf8), using: one.key)
            #expect(one.token(for: word) == mac.prefix(BlindTokens.byteCount).map { String(format: "%02x", $0) }.joined())
        }
    }

    @Test func tsvectorsKeepPositionsAndWeights() {
        let literal = SearchIndex.tsvector(meta: BlindText(tokens: ["aa", "bb"]), body: BlindText(tokens: ["bb", "cc"]))
        #expect(literal == "'aa':1A 'bb':2A,4 'cc':5")
    }

    @Test func snippetsShowTheFirstMatchOnOneLine() {
        let body = String(repeating: "filler words here\n", count: 20) + "The printer jams\nevery Tuesday." + String(repeating: " more", count: 80)
        let snippet = Search.snippet(of: body, words: ["tuesday"])
        #expect(snippet.hasPrefix("…") && snippet.hasSuffix("…"))
        #expect(snippet.contains("printer jams every Tuesday. more"))
        #expect(!snippet.contains("\n"))
        #expect(snippet.count <= Search.snippetLength + 2)
        #expect(Search.snippet(of: "Short body.", words: ["absent"]) == "Short body.")
    }
}
