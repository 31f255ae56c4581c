import FairdeskMail
import Fluent
import Foundation
import SQLKit
import Vapor

/// Fills an installation with generated tickets for benchmarks (`fairdesk bench seed`):
/// organizations with customers, tickets in every state, messages with real encrypted
/// bodies and raw messages, timeline events and the blind search index — the same rows
/// and blobs that mail produces, written in bulk.
///
/// Bodies come from a pool per organization (blobs are deduplicated per owner), so a
/// million tickets do not need a million encryptions; every message still has a body
/// that decrypts, and the search index covers every message.
public enum BenchSeed {
    public struct Options: Sendable {
        public var tickets: Int
        public var messagesPerTicket: Int
        public var organizations: Int
        public var peoplePerOrganization: Int
        public var bodiesPerOrganization: Int
        public var seed: UInt64

        public init(tickets: Int = 1_000_000, messagesPerTicket: Int = 5, organizations: Int = 10_000,
                    peoplePerOrganization: Int = 5, bodiesPerOrganization: Int = 6, seed: UInt64 = 2026) {
            self.tickets = tickets
            self.messagesPerTicket = messagesPerTicket
            self.organizations = organizations
            self.peoplePerOrganization = peoplePerOrganization
            self.bodiesPerOrganization = bodiesPerOrganization
            self.seed = seed
        }
    }

    public struct Progress: Sendable {
        public var tickets: Int
        public var messages: Int
    }

    /// Tickets per transaction.
    static let batch = 2_000

    public static func run(_ app: Application, options: Options, progress: @Sendable (Progress) -> Void) async throws {
        guard options.tickets > 0, options.messagesPerTicket > 0, options.organizations > 0,
              options.peoplePerOrganization > 0, options.bodiesPerOrganization > 0 else {
            throw Abort(.badRequest, reason: "every count must be at least 1")
        }
        let services = app.fairdesk
        let sql = try Rows(app.db).sql
        if sql.dialect.name == "sqlite" {
            // A benchmark fixture, not customer mail: no fsync per commit while seeding.
            try await sql.raw("PRAGMA synchronous=OFF").run()
        }
        var random = SeededRandom(seed: options.seed)
        let blind = BlindTokens(services)
        let searchIndex = try SearchIndex(sql: sql, blind: blind)

        // Organizations, their people, and their pools of bodies.
        struct Org: Sendable {
            var id: UUID
            var name: String
            var people: [(id: UUID, address: String, name: String)]
            var bodies: [(text: String, body: BlobReference, raw: BlobReference, blind: BlindText)]
        }
        var organizations: [Org] = []
        let organizationsPerBatch = 200
        for start in stride(from: 0, to: options.organizations, by: organizationsPerBatch) {
            let range = start..<min(start + organizationsPerBatch, options.organizations)
            var created: [Org] = []
            var blobs: [PendingBlob] = []
            for number in range {
                let id = UUID()
                let domain = "customer\(number).example"
                let name = Words.company(&random) + " \(number)"
                var people: [(UUID, String, String)] = []
                for person in 0..<options.peoplePerOrganization {
                    let personName = Words.person(&random)
                    people.append((UUID(), "\(personName.split(separator: " ")[0].lowercased()).\(person)@\(domain)", personName))
                }
                _ = try await services.keyRing.dataKey(for: id)
                var bodies: [(String, BlobReference, BlobReference, BlindText)] = []
                for _ in 0..<options.bodiesPerOrganization {
                    let text = Words.paragraphs(&random)
                    let raw = "From: \(people[0].1)\r\nTo: \(services.configuration.primarySupportAddress)\r\nSubject: Support request\r\n"
                        + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + text.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n"
                    let body = try await services.blobs.prepare(Array(text.utf8), owner: id)
                    let rawBlob = try await services.blobs.prepare(Array(raw.utf8), owner: id)
                    blobs += [body, rawBlob]
                    bodies.append((text, body.reference, rawBlob.reference, BlindText(text, using: blind)))
                }
                created.append(Org(id: id, name: name, people: people, bodies: bodies))
            }
            let (batchOrganizations, batchBlobs) = (created, blobs)
            try await services.writes.transaction(on: app.db) { db in
                let (created, blobs) = (batchOrganizations, batchBlobs)
                let rows = try Rows(db)
                try await rows.store(blobs)
                try await rows.insertManyWithIDs("organizations", columns: ["name", "is_personal", "shares_tickets", "plan", "updated_at"],
                                                 rows: created.map { ($0.id, [$0.name, false, true, Organization.defaultPlan, Date()]) })
                try await rows.insertManyWithIDs("organization_domains", columns: ["domain", "organization_id"],
                                                 rows: created.enumerated().map { (UUID(), ["customer\(range.lowerBound + $0.offset).example", $0.element.id]) })
                let people = created.flatMap { org in org.people.map { (org.id, $0) } }
                try await rows.insertManyWithIDs("people", columns: ["name", "role", "password_hash", "must_change_password", "disabled", "organization_id", "updated_at"],
                                                 rows: people.map { ($0.1.id, [$0.1.name, PersonRole.customer.rawValue, String?.none, false, false, $0.0, Date()]) })
                try await rows.insertManyWithIDs("person_addresses", columns: ["address", "key", "person_id"],
                                                 rows: people.map { (UUID(), [$0.1.address, PersonAddress.matchKey($0.1.address), $0.1.id]) })
            }
            organizations += created
        }

        // Tickets, messages, events, index — in batches, each one transaction.
        let now = Date()
        let span: TimeInterval = 365 * 24 * 3600
        var firstNumber = try await nextNumbers(options.tickets, on: app.db, services: services)
        var written = Progress(tickets: 0, messages: 0)
        while written.tickets < options.tickets {
            let count = min(batch, options.tickets - written.tickets)
            var tickets: [(UUID, [Rows.Value])] = []
            var messages: [(UUID, [Rows.Value])] = []
            var events: [Rows.Event] = []
            var entries: [SearchIndex.Entry] = []
            for offset in 0..<count {
                let number = firstNumber + offset
                let org = organizations[Int(random.next() % UInt64(organizations.count))]
                let requester = org.people[Int(random.next() % UInt64(org.people.count))]
                // Older tickets have smaller numbers; the newest are still open.
                let opened = now.addingTimeInterval(-span * (1 - Double(written.tickets + offset) / Double(options.tickets)))
                let roll = random.next() % 100
                let status: TicketStatus = written.tickets + offset > options.tickets * 9 / 10 && roll < 60 ? .waitingOnSupport
                    : roll < 15 ? .waitingOnCustomer : roll < 20 ? .waitingOnSupport : .resolved
                let subject = Words.subject(&random)
                let ticketID = UUID()
                let lastActivity = opened.addingTimeInterval(Double(options.messagesPerTicket) * 3600)
                tickets.append((ticketID, [number, subject, status.rawValue, status == .waitingOnSupport ? lastActivity : Date?.none,
                                           Organization.defaultPlan, "", requester.id, org.id, UUID?.none, lastActivity, opened]))
                events.append(.init(ticket: ticketID, actor: requester.id, kind: "ticket.opened", detail: "#\(number) opened by mail from \(requester.address)", reason: "new"))
                for index in 0..<options.messagesPerTicket {
                    let inbound = index % 2 == 0
                    let body = org.bodies[Int(random.next() % UInt64(org.bodies.count))]
                    let messageID = UUID()
                    let from = inbound ? requester.address : services.configuration.primarySupportAddress
                    messages.append((messageID, [
                        (inbound ? MessageKind.inbound : .outbound).rawValue, "<seed.\(number).\(index)@\(inbound ? "customer.example" : "fairdesk")>",
                        String?.none, "", from, inbound ? requester.name : "Support", "[]", "[]", index == 0 ? subject : "Re: [#\(number)] \(subject)",
                        opened.addingTimeInterval(Double(index) * 3600), body.body.name, body.body.size, body.raw.name, body.raw.size,
                        index == 0 ? "new" : "message-id", false, "[]", ticketID, inbound ? requester.id : UUID?.none,
                        opened.addingTimeInterval(Double(index) * 3600),
                    ]))
                    let document = SearchDocument(messageID: messageID, ticketID: ticketID, isNote: false, ticketNumber: number,
                                                  ticketSubject: subject, organizationName: org.name, subject: subject,
                                                  senderAddress: from, senderName: inbound ? requester.name : "Support", body: "")
                    entries.append(searchIndex.entry(for: document, body: body.blind))
                }
            }
            let batchTickets = tickets, batchMessages = messages, batchEvents = events, batchEntries = entries
            try await services.writes.transaction(on: app.db) { db in
                let rows = try Rows(db)
                for chunk in batchTickets.chunked(400) {
                    try await rows.insertManyWithIDs("tickets", columns: ["number", "subject", "status", "waiting_since", "plan", "flags",
                                                                          "requester_id", "organization_id", "assignee_id", "updated_at", "created_at"],
                                                     rows: chunk, createdAt: false)
                }
                for chunk in batchMessages.chunked(300) {
                    try await rows.insertManyWithIDs("ticket_messages", columns: [
                        "kind", "message_id", "in_reply_to", "references", "from_address", "from_name", "to_addresses", "cc_addresses",
                        "subject", "sent_at", "body_blob", "body_size", "raw_blob", "raw_size", "thread_reason", "automatic", "defects",
                        "ticket_id", "author_id", "created_at",
                    ], rows: chunk, createdAt: false)
                }
                for chunk in batchEvents.chunked(500) { try await rows.insert(Array(chunk)) }
                try await SearchIndex(sql: rows.sql, blind: blind).write(batchEntries, replacing: false)
            }
            firstNumber += count
            written.tickets += count
            written.messages += messages.count
            progress(written)
        }
        if sql.dialect.name == "sqlite" {
            try await sql.raw("PRAGMA synchronous=FULL").run()
            try await sql.raw("ANALYZE").run()
        } else {
            try await sql.raw("ANALYZE").run()
        }
    }

    /// Reserves `count` ticket numbers; returns the first.
    private static func nextNumbers(_ count: Int, on db: any Database, services: FairdeskServices) async throws -> Int {
        try await services.writes.transaction(on: db) { db in
            struct Row: Decodable { var value: Int }
            let sql = try Rows(db).sql
            let row = try await sql.raw("UPDATE counters SET value = value + \(bind: count) WHERE name = 'ticket_number' RETURNING value")
                .first(decoding: Row.self)
            return try row.orThrow("the ticket_number counter is missing").value - count + 1
        }
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

extension Rows {
    /// Inserts rows whose ids the caller chose (they are referenced before they exist).
    func insertManyWithIDs(_ table: String, columns: [String], rows: some Collection<(UUID, [Value])>, createdAt: Bool = true) async throws {
        guard !rows.isEmpty else { return }
        let now = Date()
        var insert = sql.insert(into: table).columns(["id"] + (createdAt ? ["created_at"] : []) + columns)
        for (id, values) in rows {
            insert = insert.values([SQLBind(id)] + (createdAt ? [SQLBind(now)] : []) + values.map { SQLBind($0) })
        }
        try await insert.run()
    }
}

/// SplitMix64: reproducible data from a seed.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Words to make plausible support mail from.
enum Words {
    static let first = ["Anna", "Ben", "Chloé", "David", "Eva", "Farid", "Grete", "Hiro", "Ines", "Jonas", "Kemal", "Lena",
                        "Mateo", "Nora", "Oskar", "Priya", "Quentin", "Rosa", "Sven", "Tariq", "Ulla", "Vera", "Wei", "Zoë"]
    static let last = ["Andersen", "Bauer", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Haddad", "Ivanova", "Jansen",
                       "Kowalski", "López", "Müller", "Nakamura", "Okafor", "Petrov", "Rossi", "Schmidt", "Tanaka", "Weber"]
    static let companies = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne", "Tyrell", "Cyberdyne"]
    static let topics = ["export", "import", "licence", "installer", "crash", "printing", "sync", "login", "report", "plugin",
                         "update", "database", "performance", "memory", "network", "certificate", "backup", "API", "dashboard", "invoice"]
    static let verbs = ["fails", "crashes", "hangs", "is slow", "shows an error", "stops", "loses data", "cannot start", "times out"]
    static let filler = ["after the update", "on Windows 11", "on macOS", "since Monday", "for some users", "with large files",
                         "when offline", "in the German version", "behind our proxy", "with the new licence", "at 80 percent",
                         "during the nightly run", "on the terminal server", "in the browser", "with two monitors"]
    static let sentences = ["Could you please have a look?", "We attached the log file.", "The error message says access denied.",
                            "It worked fine last week.", "We already restarted the service.", "Our version is 4.2.1.",
                            "This blocks our month-end closing.", "Is there a workaround?", "Thank you for your help.",
                            "The event log shows error 1000.", "We use the 64-bit edition.", "Reinstalling did not help."]

    static func pick(_ list: [String], _ random: inout SeededRandom) -> String { list[Int(random.next() % UInt64(list.count))] }

    static func person(_ random: inout SeededRandom) -> String { pick(first, &random) + " " + pick(last, &random) }
    static func company(_ random: inout SeededRandom) -> String { pick(companies, &random) }

    static func subject(_ random: inout SeededRandom) -> String {
        "\(pick(topics, &random).capitalized) \(pick(verbs, &random)) \(pick(filler, &random))"
    }

    static func paragraphs(_ random: inout SeededRandom) -> String {
        var lines = ["Hello support,", ""]
        for _ in 0..<(2 + Int(random.next() % 3)) {
            var paragraph: [String] = ["The \(pick(topics, &random)) \(pick(verbs, &random)) \(pick(filler, &random))."]
            for _ in 0..<(1 + Int(random.next() % 4)) { paragraph.append(pick(sentences, &random)) }
            lines.append(paragraph.joined(separator: " "))
            lines.append("")
        }
        lines.append("Best regards,")
        lines.append(person(&random))
        return lines.joined(separator: "\n")
    }
}
