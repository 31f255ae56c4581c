import FairdeskMail
import FairdeskPolicy
import Fluent
import Foundation
import SQLKit
import Vapor

/// "Ask for the minimum information" (DESIGN.md §3): the agent ticks only the catalog items
/// a ticket needs, Fairdesk leaves out what the customer already sent (with the evidence),
/// sends one request, ticks items off as they arrive by mail or portal upload, and reminds
/// the customer once after a quiet period.
struct InfoRequests {
    let services: FairdeskServices
    let database: any Database

    /// How much of each attachment the detector reads (signatures and text heads).
    static let headBytes = 256 << 10
    /// Messages of a ticket read when the request form opens (newest first).
    static let messagesScanned = 50

    private var sql: any SQLDatabase { get throws { try Rows(database).sql } }

    // MARK: The checklist

    /// One item of a ticket's checklist.
    struct Item: Sendable, Decodable {
        var id: UUID
        var requestId: UUID
        var itemKey: String
        var title: String
        var state: String
        var evidence: String?
        var providedAt: Date?
        var createdAt: Date
    }

    /// Asked (the customer has not written since), provided (with evidence), or missing
    /// (the customer wrote since and it still is not there).
    enum Status: String, Sendable {
        case asked, provided, missing
    }

    struct ChecklistEntry: Sendable {
        var item: Item
        var status: Status
        var key: DiagnosticItemKey { DiagnosticItemKey(rawValue: item.itemKey) }
    }

    struct Checklist: Sendable {
        var entries: [ChecklistEntry]
        var requestedAt: Date?
        var remindedAt: Date?
        var missing: [ChecklistEntry] { entries.filter { $0.status != .provided } }
    }

    /// The ticket's items, newest request first.
    func checklist(ticketID: UUID) async throws -> Checklist {
        let sql = try self.sql
        let items = try await sql.select()
            .columns("id", "request_id", "item_key", "title", "state", "evidence", "provided_at", "created_at")
            .from("info_request_items").where("ticket_id", .equal, ticketID)
            .orderBy("created_at", .descending)
            .all(decoding: Item.self, keyDecodingStrategy: .convertFromSnakeCase)
        guard let newest = items.first else { return Checklist(entries: [], requestedAt: nil, remindedAt: nil) }
        struct Request: Decodable { var createdAt: Date; var remindedAt: Date? }
        let request = try await sql.select().columns("created_at", "reminded_at").from("info_requests")
            .where("id", .equal, newest.requestId).first(decoding: Request.self, keyDecodingStrategy: .convertFromSnakeCase)
        struct Latest: Decodable { var latest: Date? }
        let latest = try await sql.raw("""
            SELECT MAX(\(ident: "created_at")) AS \(ident: "latest") FROM \(ident: "ticket_messages") \
            WHERE \(ident: "ticket_id") = \(bind: ticketID) AND \(ident: "kind") = \(bind: MessageKind.inbound.rawValue) \
            AND \(ident: "automatic") = \(bind: false)
            """).first(decoding: Latest.self)?.latest
        let entries = items.map { item -> ChecklistEntry in
            if item.state == Status.provided.rawValue { return ChecklistEntry(item: item, status: .provided) }
            let wroteSince = latest.map { $0 > item.createdAt } ?? false
            return ChecklistEntry(item: item, status: wroteSince ? .missing : .asked)
        }
        return Checklist(entries: entries, requestedAt: request?.createdAt, remindedAt: request?.remindedAt)
    }

    // MARK: Recognizing what is already there

    /// What the customer's messages and attachments on the ticket already provide.
    func detections(ticketID: UUID, organizationID: UUID) async throws -> [Detection] {
        let messages = try await TicketMessage.query(on: database)
            .filter(\.$ticket.$id == ticketID).filter(\.$kind == .inbound).filter(\.$automatic == false)
            .sort(\.$createdAt, .descending).limit(Self.messagesScanned).all()
        let attachments = try await TicketAttachment.query(on: database)
            .filter(\.$ticket.$id == ticketID).filter(\.$message.$id ~~ messages.compactMap(\.id)).all()
        var input = DiagnosticInput()
        for message in messages.reversed() {
            let body = try await services.blobs.get(BlobReference(name: message.bodyBlob, size: message.bodySize), owner: organizationID)
            input.texts.append(.init(label: Self.label(of: message), body: String(decoding: body, as: UTF8.self)))
        }
        for file in attachments {
            let bytes = try await services.blobs.get(BlobReference(name: file.blob, size: file.size), owner: organizationID)
            input.files.append(.init(label: "attachment \"\(file.filename ?? "unnamed")\"", filename: file.filename,
                                     contentType: file.contentType, size: file.size, head: Array(bytes.prefix(Self.headBytes))))
        }
        return DiagnosticDetector().detect(input)
    }

    static func label(of message: TicketMessage) -> String {
        let day = message.createdAt.map { Format.date($0) } ?? ""
        return "message from \(message.fromAddress)\(day.isEmpty ? "" : ", \(day)")"
    }

    /// At ingestion: ticks open items of the ticket that this message provides.
    func recognize(in message: Message, messageID: UUID, ticketID: UUID, from address: String, now: Date) async throws {
        let sql = try self.sql
        let open = try await sql.select()
            .columns("id", "request_id", "item_key", "title", "state", "evidence", "provided_at", "created_at")
            .from("info_request_items").where("ticket_id", .equal, ticketID).where("state", .equal, Status.asked.rawValue)
            .all(decoding: Item.self, keyDecodingStrategy: .convertFromSnakeCase)
        guard !open.isEmpty else { return }
        let label = "message from \(address), \(Format.date(now))"
        let input = DiagnosticInput(
            texts: [.init(label: label, body: message.fullText)],
            files: message.attachments.map { file in
                .init(label: "attachment \"\(file.filename ?? "unnamed")\"", filename: file.filename, contentType: file.contentType,
                      size: file.size, head: Array(file.bytes.prefix(Self.headBytes)))
            })
        let detections = DiagnosticDetector().detect(input)
        try await markProvided(open, by: detections, ticketID: ticketID, actor: nil, now: now)
    }

    /// Marks the items that `detections` cover as provided, with the first evidence for each,
    /// and closes requests with nothing left missing.
    func markProvided(_ items: [Item], by detections: [Detection], ticketID: UUID, actor: UUID?, now: Date) async throws {
        var evidence: [String: String] = [:]
        for detection in detections where evidence[detection.item.rawValue] == nil {
            evidence[detection.item.rawValue] = "\(detection.what): \(detection.evidence)"
        }
        let provided = items.compactMap { item in evidence[item.itemKey].map { (item, $0) } }
        guard !provided.isEmpty else { return }
        try await provide(provided, ticketID: ticketID, actor: actor, now: now)
    }

    /// Records items as provided (detected, or uploaded for the item in the portal).
    func provide(_ provided: [(Item, String)], ticketID: UUID, actor: UUID?, now: Date) async throws {
        let sql = try self.sql
        for (item, evidence) in provided {
            try await sql.update("info_request_items")
                .set("state", to: SQLBind(Status.provided.rawValue)).set("evidence", to: SQLBind(String(evidence.prefix(1000))))
                .set("provided_at", to: SQLBind(now))
                .where("id", .equal, item.id).where("state", .equal, Status.asked.rawValue).run()
        }
        let rows = try Rows(database)
        try await rows.event(ticket: ticketID, actor: actor, kind: "info.provided",
                             detail: provided.map { "\($0.0.title) (\($0.1))" }.joined(separator: "; "))
        for requestID in Set(provided.map(\.0.requestId)) {
            struct Count: Decodable { var count: Int }
            let left = try await sql.raw("""
                SELECT COUNT(*) AS \(ident: "count") FROM \(ident: "info_request_items") \
                WHERE \(ident: "request_id") = \(bind: requestID) AND \(ident: "state") <> \(bind: Status.provided.rawValue)
                """).first(decoding: Count.self)?.count ?? 0
            if left == 0 {
                try await sql.update("info_requests").set("closed_at", to: SQLBind(now)).where("id", .equal, requestID).run()
                try await rows.event(ticket: ticketID, actor: nil, kind: "info.complete", detail: "every requested item is provided")
            }
        }
    }

    // MARK: Asking

    /// What a new request did.
    struct Created: Sendable {
        var requestID: UUID
        /// Items the mail asked for.
        var asked: [DiagnosticItemKey]
        /// Items left out because the ticket already has them, with the evidence.
        var alreadyProvided: [(key: DiagnosticItemKey, evidence: String)]
        var messageID: String
    }

    /// Problems with a request, by field name.
    enum Problem: Error {
        case noItems
        case unknownItems([String])
        case allProvided
    }

    /// Sends one request for the `keys` the ticket still lacks, as the agent's reply (the
    /// ticket then waits on the customer). Refused, with nothing written, when no item is
    /// chosen, an item is not in the catalog, or everything chosen is already there.
    func create(number: Int, keys: [String], note: String, author: UUID, outOfOrder: OutOfOrderReason?,
                now: Date = Date()) async throws -> Created {
        let catalog = try await DiagnosticCatalogStore(database).active()
        let byKey = Dictionary(catalog.map { ($0.key.rawValue, $0) }, uniquingKeysWith: { first, _ in first })
        let chosen = keys.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        guard !chosen.isEmpty else { throw Problem.noItems }
        let unknown = chosen.filter { byKey[$0] == nil }
        guard unknown.isEmpty else { throw Problem.unknownItems(unknown) }
        let ticket = try await Queries.ticket(number: number, on: database)
        let ticketID = try ticket.requireID()
        let owner = ticket.$organization.id
        let detected = try await detections(ticketID: ticketID, organizationID: owner)
        var evidence: [String: String] = [:]
        for detection in detected where evidence[detection.item.rawValue] == nil {
            evidence[detection.item.rawValue] = "\(detection.what): \(detection.evidence)"
        }
        let missing = chosen.filter { evidence[$0] == nil }.compactMap { byKey[$0] }
        let found = evidence
        guard !missing.isEmpty else { throw Problem.allProvided }
        _ = try await services.keyRing.dataKey(for: owner)
        let services = self.services
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        return try await services.writes.transaction(on: database) { db in
            let ticket = try await Queries.ticket(number: number, on: db)
            try await TicketQueue(database: db, configuration: services.configuration)
                .recordAnswer(.init(ticket), by: author, how: .infoRequest, reason: outOfOrder, now: now)
            let rows = try Rows(db)
            let requestID = try await rows.insert("info_requests", [
                "ticket_id": ticketID, "requested_by": author, "note": note, "reminded_at": Date?.none, "closed_at": Date?.none,
            ])
            try await rows.insertMany("info_request_items",
                                      columns: ["request_id", "ticket_id", "item_key", "title", "asked", "state", "evidence", "provided_at"],
                                      rows: chosen.compactMap { byKey[$0] }.map { item in
                                          let provided = found[item.key.rawValue]
                                          return [requestID, ticketID, item.key.rawValue, item.title, provided == nil,
                                                  (provided == nil ? Status.asked : Status.provided).rawValue, provided,
                                                  provided == nil ? Date?.none : now]
                                      })
            let template = try await PolicyTexts(db).template(PolicyTemplates.infoRequest)
            let requester = try await Person.find(ticket.$requester.id, on: db)
            let values = Self.values(number: number, name: requester?.name, items: missing, services: services, askedOn: now)
            var body = PolicyTemplates.render(template.body, values: values)
            if !note.isEmpty { body = note + "\n\n" + body }
            let person = try await Person.find(author, on: db).orThrow("author vanished")
            let composed = try await OutgoingComposer(services: services, database: db)
                .reply(ticket: ticket, body: body, files: [], author: person, now: now)
            try services.blobs.sync(composed.writes.map { ($0.reference, $0.owner) })
            try await rows.event(ticket: ticketID, actor: author, kind: "info.requested",
                                 detail: missing.map(\.title).joined(separator: ", "),
                                 reason: chosen.count > missing.count ? "left out, already provided: "
                                     + chosen.filter { found[$0] != nil }.compactMap { byKey[$0]?.title }.joined(separator: ", ") : nil)
            return Created(requestID: requestID, asked: missing.map(\.key),
                           alreadyProvided: chosen.filter { found[$0] != nil }.map { (DiagnosticItemKey(rawValue: $0), found[$0]!) },
                           messageID: composed.messageID)
        }
    }

    /// The placeholders of the request and reminder texts.
    static func values(number: Int, name: String?, items: [DiagnosticCatalogStore.Item], services: FairdeskServices,
                       askedOn: Date) -> [String: String] {
        let list = items.enumerated().map { index, item in
            "\(index + 1). \(item.title)\n\n" + item.explanation.split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.isEmpty ? "" : "   \($0)" }.joined(separator: "\n")
        }.joined(separator: "\n\n")
        return [
            "name": name ?? "", "number": String(number), "items": list,
            "portal_link": services.configuration.publicBaseURL + PortalPaths.ticket(number),
            "asked_on": Format.date(askedOn),
        ]
    }

    // MARK: Reminders

    /// Sends the one reminder of each open request whose customer has been silent for
    /// `--info-reminder-after`. Each request is claimed with a compare-and-set on
    /// `reminded_at`, so several processes never remind twice. Returns how many went out.
    func sendDueReminders(now: Date = Date()) async throws -> Int {
        let quiet = TimeInterval(services.configuration.infoReminderAfterSeconds)
        struct Due: Decodable { var id: UUID; var ticketId: UUID; var createdAt: Date }
        let due = try await sql.raw("""
            SELECT r.\(ident: "id"), r.\(ident: "ticket_id"), r.\(ident: "created_at") FROM \(ident: "info_requests") r \
            JOIN \(ident: "tickets") t ON t.\(ident: "id") = r.\(ident: "ticket_id") \
            WHERE r.\(ident: "closed_at") IS NULL AND r.\(ident: "reminded_at") IS NULL \
            AND r.\(ident: "created_at") < \(bind: now.addingTimeInterval(-quiet)) \
            AND t.\(ident: "status") = \(bind: TicketStatus.waitingOnCustomer.rawValue) \
            AND NOT EXISTS (SELECT 1 FROM \(ident: "ticket_messages") m WHERE m.\(ident: "ticket_id") = r.\(ident: "ticket_id") \
                AND m.\(ident: "kind") = \(bind: MessageKind.inbound.rawValue) AND m.\(ident: "created_at") > r.\(ident: "created_at")) \
            ORDER BY r.\(ident: "created_at") LIMIT 50
            """).all(decoding: Due.self, keyDecodingStrategy: .convertFromSnakeCase)
        var sent = 0
        for request in due {
            if try await remind(request.id, ticketID: request.ticketId, askedOn: request.createdAt, now: now) { sent += 1 }
        }
        return sent
    }

    private func remind(_ requestID: UUID, ticketID: UUID, askedOn: Date, now: Date) async throws -> Bool {
        let ticket = try await Ticket.find(ticketID, on: database).orThrow("ticket vanished")
        _ = try await services.keyRing.dataKey(for: ticket.$organization.id)
        let services = self.services
        return try await services.writes.transaction(on: database) { db in
            let sql = try Rows(db).sql
            struct Claimed: Decodable { var id: UUID }
            let claimed = try await sql.raw("""
                UPDATE \(ident: "info_requests") SET \(ident: "reminded_at") = \(bind: now) \
                WHERE \(ident: "id") = \(bind: requestID) AND \(ident: "reminded_at") IS NULL RETURNING \(ident: "id")
                """).first(decoding: Claimed.self)
            guard claimed != nil else { return false }
            let store = InfoRequests(services: services, database: db)
            let missing = try await store.checklist(ticketID: ticketID).entries
                .filter { $0.item.requestId == requestID && $0.status != .provided }
            guard !missing.isEmpty else { return false }
            let catalog = Dictionary(try await DiagnosticCatalogStore(db).all().map { ($0.key.rawValue, $0) }, uniquingKeysWith: { a, _ in a })
            let items = missing.map { entry in
                catalog[entry.item.itemKey] ?? DiagnosticCatalogStore.Item(key: entry.key, title: entry.item.title, explanation: "",
                                                                            active: true, position: 0, seeded: false, edited: false)
            }
            let ticket = try await Ticket.find(ticketID, on: db).orThrow("ticket vanished")
            let requester = try await Person.find(ticket.$requester.id, on: db)
            let template = try await PolicyTexts(db).template(PolicyTemplates.infoReminder)
            let values = Self.values(number: ticket.number, name: requester?.name, items: items, services: services, askedOn: askedOn)
            let writes = try await OutgoingComposer(services: services, database: db).reminder(
                ticket: ticket, subject: PolicyTemplates.render(template.subject, values: values),
                body: PolicyTemplates.render(template.body, values: values), now: now)
            try services.blobs.sync(writes.map { ($0.reference, $0.owner) })
            return true
        }
    }
}
