import Crypto
import FairdeskMail
import Fluent
import Foundation
import SQLKit
import Vapor

/// How a message reached Fairdesk.
struct InboundDelivery: Sendable {
    var raw: [UInt8]
    /// SMTP MAIL FROM (empty for the null sender `<>`).
    var envelopeFrom: String
    var envelopeTo: [String]
    /// `smtp`, `lmtp`, `http`, `mailgate`, `portal`.
    var channel: String
    /// The ticket this message belongs to, when the caller already knows and has checked
    /// that the sender may write on it (a portal reply); the Threader honours it first.
    var ticketHint: Int? = nil
}

enum IngestOutcome: Sendable, Equatable {
    /// Stored on ticket `number`; `opened` when the message opened it.
    case stored(inboundID: UUID, ticketNumber: Int, opened: Bool)
    /// The same bytes were stored before: nothing new was written.
    case duplicate(inboundID: UUID)
    /// Stored, but not on a ticket: an admin must look (the reason says why).
    case needsAttention(inboundID: UUID, reason: String)
}

/// Turns inbound mail into ticket messages. Every path ends with the raw message durably
/// stored (blob fsynced, row committed) before it returns, so a caller may acknowledge
/// the sender (SMTP 250, HTTP 2xx) exactly when `ingest` returns.
struct MailIngestor: Sendable {
    let services: FairdeskServices
    let database: any Database
    let logger: Logger

    func ingest(_ delivery: InboundDelivery, now: Date = Date()) async throws -> IngestOutcome {
        let started = ContinuousClock.now
        defer { services.metrics.ingestLatency.record(ContinuousClock.now - started) }

        let digest = Self.digest(delivery.raw, key: services.masterKey.blobNamingKey)
        if let id = try await Rows(database).inboundID(digest: digest) {
            services.metrics.duplicatesIgnored.increment()
            return .duplicate(inboundID: id)
        }
        let message = Message.parse(delivery.raw, limits: MailLimits(maxMessageBytes: max(services.configuration.maxMessageBytes, MailLimits.default.maxMessageBytes)))
        do {
            return try await process(delivery, message: message, digest: digest, existing: nil, now: now)
        } catch where (error as? any DatabaseError)?.isConstraintFailure == true {
            // Another process stored the same bytes a moment ago: that copy counts.
            if let id = try await Rows(database).inboundID(digest: digest) {
                services.metrics.duplicatesIgnored.increment()
                return .duplicate(inboundID: id)
            }
            throw error
        }
    }

    /// Runs a message that needed attention through the pipeline again (after an admin
    /// fixed the cause, e.g. claimed a domain or added a person).
    func reprocess(_ record: InboundMail, now: Date = Date()) async throws -> IngestOutcome {
        let raw = try await services.blobs.get(BlobReference(name: record.rawBlob, size: record.rawSize), owner: record.ownerID)
        let message = Message.parse(raw)
        let delivery = InboundDelivery(raw: raw, envelopeFrom: record.envelopeFrom,
                                       envelopeTo: record.envelopeTo.split(separator: ",").map(String.init), channel: record.channel)
        return try await process(delivery, message: message, digest: record.digest, existing: record, now: now)
    }

    // MARK: The pipeline

    private func process(_ delivery: InboundDelivery, message: Message, digest: String, existing: InboundMail?, now: Date) async throws -> IngestOutcome {
        let sender = Self.senderAddress(message, envelopeFrom: delivery.envelopeFrom)
        if let problem = attentionReason(message: message, sender: sender) {
            return try await keepForAttention(delivery, message: message, digest: digest, existing: existing, reason: problem)
        }
        guard let sender else { throw Abort(.internalServerError) }

        // Who sent it is settled (and committed) first, and the organization's data key
        // made, outside the storage transaction: SQLite has one writer, and the key ring
        // writes through its own connection.
        let person = try await resolveSender(sender)
        let organizationID = try person.organizationId.orThrow("customer without organization")
        _ = try await services.keyRing.dataKey(for: organizationID)

        // The message's blobs are encrypted before the transaction, and large ones written
        // to files and fsynced, so concurrent deliveries do that work in parallel and the
        // serialized part is rows alone (small blobs are rows too, committed with the
        // rows naming them). A failure later leaves an orphan file (harmless: content-
        // addressed, a redelivery reuses it), never a row whose blob is missing.
        let blobs = try await storeBlobs(delivery, message: message, owner: organizationID)

        let outcome: IngestOutcome
        do {
            outcome = try await storeOnTicket(delivery, message: message, digest: digest, existing: existing, now: now,
                                              sender: sender, person: person, organizationID: organizationID, blobs: blobs)
        } catch is UnmatchedReport {
            return try await keepForAttention(delivery, message: message, digest: digest, existing: existing,
                                              reason: "a delivery report (bounce) for mail Fairdesk cannot find; not made a ticket")
        }
        services.metrics.messagesIngested.increment()
        return outcome
    }

    /// The sender's person, created if new. A known sender costs one read and no write
    /// transaction. Two first messages from one new sender may race (PostgreSQL runs
    /// them concurrently): the loser's insert hits the unique address, and a fresh attempt
    /// finds the winner's row.
    private func resolveSender(_ sender: MailAddress) async throws -> Rows.Sender {
        if let known = try await Rows(database).sender(addressKey: PersonAddress.matchKey(sender.address)),
           known.organizationId != nil, known.name != nil || (sender.name ?? "").isEmpty {
            return known
        }
        var attempt = 0
        while true {
            do {
                return try await services.writes.transaction(on: database) { db in
                    try await PeopleDirectory(database: db).customer(for: sender)
                }
            } catch where (error as? any DatabaseError)?.isConstraintFailure == true && attempt < 3 {
                attempt += 1
            }
        }
    }

    /// The raw message, the text body and the attachments, encrypted: small ones sealed
    /// for the transaction, large ones in files already durable.
    struct StoredBlobs: Sendable {
        var raw: PendingBlob
        var body: PendingBlob
        var attachments: [PendingBlob]

        var all: [PendingBlob] { [raw, body] + attachments }
    }

    private func storeBlobs(_ delivery: InboundDelivery, message: Message, owner: UUID) async throws -> StoredBlobs {
        let blobs = services.blobs
        let raw = try await blobs.prepare(delivery.raw, owner: owner)
        let body = try await blobs.prepare(Array(message.fullText.utf8), owner: owner)
        var attachments: [PendingBlob] = []
        for file in message.attachments {
            attachments.append(try await blobs.prepare(file.bytes, owner: owner))
        }
        let stored = StoredBlobs(raw: raw, body: body, attachments: attachments)
        try await blobs.syncFiles(stored.all)
        return stored
    }

    private func storeOnTicket(_ delivery: InboundDelivery, message: Message, digest: String, existing: InboundMail?, now: Date,
                               sender: MailAddress, person: Rows.Sender, organizationID: UUID, blobs: StoredBlobs) async throws -> IngestOutcome {
        let services = self.services
        // Tokenized before the transaction, like the blobs are encrypted before it.
        let searchBody = BlindText(message.fullText, using: BlindTokens(services))
        return try await services.writes.transaction(on: database) { db -> IngestOutcome in
            let rows = try Rows(db)
            try await rows.store(blobs.all)
            let match = try await Threader(database: db, token: services.threading)
                .match(message, senderOrganizationID: organizationID, ticketHint: delivery.ticketHint)

            if match.ticket == nil, Threader.isDeliveryReport(message) {
                throw UnmatchedReport()
            }
            var ticket: Rows.Ticket
            var opened = false
            var events: [Rows.Event] = []
            if let found = match.ticket {
                ticket = found
                try await reopenIfNeeded(&ticket, rows: rows, now: now, actor: person.id, events: &events)
            } else {
                let number = try await Self.nextTicketNumber(db)
                let subject = String((message.subject.flatMap { $0.isEmpty ? nil : $0 } ?? "(no subject)").prefix(500))
                let flags = message.isAutomatic ? "automatic" : ""
                let plan = person.plan ?? Organization.defaultPlan
                let id = try await rows.insert("tickets", [
                    "number": number, "subject": subject, "status": TicketStatus.waitingOnSupport.rawValue,
                    "waiting_since": now, "plan": plan, "flags": flags, "requester_id": person.id,
                    "organization_id": organizationID, "assignee_id": UUID?.none,
                ], timestamps: .createdAndUpdated)
                ticket = Rows.Ticket(id: id, number: number, subject: subject, status: .waitingOnSupport, waitingSince: now,
                                     plan: plan, flags: flags, organizationId: organizationID, requesterId: person.id)
                opened = true
                events.append(.init(ticket: id, actor: person.id, kind: "ticket.opened",
                                    detail: "#\(number) opened by mail from \(sender.address)", reason: match.reason))
            }
            let references = message.references.suffix(50).joined(separator: " ")
            let storedID = try await rows.insert("ticket_messages", [
                "kind": MessageKind.inbound.rawValue, "message_id": message.messageID, "in_reply_to": message.inReplyTo,
                "references": references, "from_address": sender.address, "from_name": sender.name,
                "to_addresses": Self.json(message.to.map(\.address)), "cc_addresses": Self.json(message.cc.map(\.address)),
                "subject": String((message.subject ?? "").prefix(1000)), "sent_at": message.date,
                "body_blob": blobs.body.reference.name, "body_size": blobs.body.reference.size,
                "raw_blob": blobs.raw.reference.name, "raw_size": blobs.raw.reference.size,
                "thread_reason": match.reason, "automatic": message.isAutomatic,
                "defects": Self.json(message.defects.prefix(100).map(\.description)),
                "ticket_id": ticket.id, "author_id": person.id,
            ])
            try await SearchIndex(services: services, database: db).add(
                message: storedID, kind: .inbound, ticket: ticket.id, subject: message.subject ?? "",
                from: sender.address, name: sender.name, body: searchBody)
            try await rows.insertMany("ticket_attachments",
                                      columns: ["filename", "content_type", "disposition", "content_id", "size", "blob", "message_id", "ticket_id"],
                                      rows: zip(message.attachments, blobs.attachments).map { file, blob in
                                          [file.filename, file.contentType, file.disposition, file.contentID, file.size, blob.reference.name, storedID, ticket.id]
                                      })

            if Threader.isDeliveryReport(message) {
                events.append(.init(ticket: ticket.id, actor: nil, kind: "mail.bounced",
                                    detail: "a delivery report came back for mail on this ticket: \(message.subject ?? "")",
                                    reason: match.reason))
            }
            let signals = message.automaticSignals.map(\.description).joined(separator: "; ")
            events.append(.init(ticket: ticket.id, actor: person.id, kind: "message.received",
                                detail: "mail from \(sender.address) via \(delivery.channel)" + (signals.isEmpty ? "" : " (automatic: \(signals))"),
                                reason: match.reason))
            try await rows.insert(events)

            let inboundID: UUID
            if let existing {
                let record = Self.record(existing, delivery: delivery, messageID: message.messageID, digest: digest,
                                         raw: blobs.raw.reference, owner: organizationID, status: .processed, reason: nil)
                record.$ticketMessage.id = storedID
                try await record.save(on: db)
                inboundID = try record.requireID()
            } else {
                inboundID = try await rows.insert("inbound_mail", [
                    "digest": digest, "message_id": message.messageID, "raw_blob": blobs.raw.reference.name, "raw_size": blobs.raw.reference.size,
                    "owner_id": organizationID, "envelope_from": delivery.envelopeFrom,
                    "envelope_to": delivery.envelopeTo.joined(separator: ","), "channel": delivery.channel,
                    "status": InboundStatus.processed.rawValue, "reason": String?.none, "ticket_message_id": storedID,
                ])
            }

            let parent = OutgoingComposer.Parent(messageID: message.messageID, references: references)
            let mayAutoReply = Self.mayAutoReply(message, sender: sender.address, configuration: services.configuration)
            var writes: [BlobWrite] = []
            if opened, mayAutoReply {
                let composer = OutgoingComposer(services: services, database: db)
                let thread = OutgoingComposer.Thread(ticketID: ticket.id, number: ticket.number, subject: ticket.subject,
                                                     organizationID: organizationID)
                let estimate = try await TicketQueue(database: db, configuration: services.configuration).transparency(of: ticket.id, now: now)
                writes += try await composer.acknowledgement(thread: thread, inbound: parent, to: sender, estimate: estimate, now: now)
            }
            writes += try await PolicyResponder(services: services, database: db).respond(
                to: .init(ticket: ticket, message: message, messageID: storedID, sender: sender, senderPerson: person.id,
                          mayAutoReply: mayAutoReply, parent: parent, opened: opened),
                now: now)
            // Durable before the rows naming them commit: a crash in between leaves an
            // orphan blob (harmless), never a row whose blob is torn.
            try services.blobs.sync(writes.map { ($0.reference, $0.owner) })
            return .stored(inboundID: inboundID, ticketNumber: ticket.number, opened: opened)
        }
    }

    private func keepForAttention(_ delivery: InboundDelivery, message: Message, digest: String, existing: InboundMail?, reason: String) async throws -> IngestOutcome {
        let owner = FairdeskServices.installationOwner
        let raw = try await services.blobs.put(delivery.raw, owner: owner, durable: true)
        let record = Self.record(existing, delivery: delivery, messageID: message.messageID, digest: digest,
                                 raw: raw, owner: owner, status: .needsAttention, reason: reason)
        try await services.writes.transaction(on: database) { db in try await record.save(on: db) }
        services.metrics.needsAttention.increment()
        logger.warning("inbound mail needs attention", metadata: ["inbound": "\(record.id?.uuidString ?? "?")", "reason": "\(reason)"])
        return .needsAttention(inboundID: try record.requireID(), reason: reason)
    }

    private func attentionReason(message: Message, sender: MailAddress?) -> String? {
        guard let sender else {
            return "no usable sender: the message has no From, Sender or envelope sender address"
        }
        if services.configuration.isSupportAddress(sender.address) {
            return "sent from our own support address \(sender.address): stored, not threaded, to rule out a mail loop"
        }
        return nil
    }

    /// A customer's reply puts a ticket that waited on them (or was resolved) back in the
    /// queue, at the time of the reply (DESIGN.md §2).
    private func reopenIfNeeded(_ ticket: inout Rows.Ticket, rows: Rows, now: Date, actor: UUID, events: inout [Rows.Event]) async throws {
        // Waiting on support already: it keeps its place in line (and any agent's hold).
        // Investigating: it stays on the board; the reply is on its timeline.
        guard ticket.status != .waitingOnSupport, ticket.status != .investigating else { return }
        let before = ticket.status
        ticket.status = .waitingOnSupport
        ticket.waitingSince = now
        try await rows.updateTicket(ticket.id, ["status": TicketStatus.waitingOnSupport.rawValue, "waiting_since": now])
        events.append(.init(ticket: ticket.id, actor: actor, kind: "status.changed",
                            detail: "\(before.rawValue) → \(TicketStatus.waitingOnSupport.rawValue)",
                            reason: "the customer wrote"))
    }

    // MARK: Helpers

    /// A delivery report that names no mail of ours: kept for an admin, never a ticket.
    struct UnmatchedReport: Error {}

    /// The intake record of a delivery (new, or the one being reprocessed).
    private static func record(_ existing: InboundMail?, delivery: InboundDelivery, messageID: String?, digest: String,
                               raw: BlobReference, owner: UUID, status: InboundStatus, reason: String?) -> InboundMail {
        let record = existing ?? InboundMail()
        record.digest = digest
        record.messageID = messageID
        record.rawBlob = raw.name
        record.rawSize = raw.size
        record.ownerID = owner
        record.envelopeFrom = delivery.envelopeFrom
        record.envelopeTo = delivery.envelopeTo.joined(separator: ",")
        record.channel = delivery.channel
        record.status = status
        record.reason = reason
        return record
    }

    struct BlobWrite: Sendable {
        var reference: BlobReference
        var owner: UUID
    }

    /// The person to thread by: From, else Sender, else the envelope sender.
    static func senderAddress(_ message: Message, envelopeFrom: String) -> MailAddress? {
        for candidate in [message.from, message.sender] {
            if let address = candidate, Self.isUsable(address.address) { return address }
        }
        return Self.isUsable(envelopeFrom) ? MailAddress(address: envelopeFrom) : nil
    }

    private static func isUsable(_ address: String) -> Bool {
        guard let at = address.lastIndex(of: "@") else { return false }
        return at > address.startIndex && address.index(after: at) < address.endIndex && !address.contains(" ")
    }

    /// RFC 3834 §2: never answer automatic mail, bounces, lists, or ourselves.
    static func mayAutoReply(_ message: Message, sender: String, configuration: FairdeskConfiguration) -> Bool {
        !message.isAutomatic && !configuration.isSupportAddress(sender)
            && message.headers["X-Auto-Response-Suppress"] == nil
    }

    static func digest(_ raw: [UInt8], key: SymmetricKey) -> String {
        var input = Array("fairdesk inbound v1\0".utf8)
        input += raw
        return HMAC<SHA256>.authenticationCode(for: input, using: key).map { String(format: "%02x", $0) }.joined()
    }

    static func json(_ values: [String]) -> String {
        guard let data = try? JSONEncoder().encode(values) else { return "[]" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Increments the ticket counter in SQL so concurrent processes never share a number.
    static func nextTicketNumber(_ db: any Database) async throws -> Int {
        guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError, reason: "ticket numbers need an SQL database") }
        struct Row: Decodable { var value: Int }
        let row = try await sql.raw("UPDATE counters SET value = value + 1 WHERE name = 'ticket_number' RETURNING value")
            .first(decoding: Row.self)
        return try row.orThrow("the ticket_number counter is missing; run fairdesk migrate").value
    }
}

extension Optional {
    func orThrow(_ reason: String) throws -> Wrapped {
        guard let self else { throw Abort(.internalServerError, reason: reason) }
        return self
    }
}
