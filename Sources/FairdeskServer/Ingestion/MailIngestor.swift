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
    /// `smtp`, `lmtp`, `http`, `mailgate`.
    var channel: String
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
        if let existing = try await InboundMail.query(on: database).filter(\.$digest == digest).first(), let id = existing.id {
            services.metrics.duplicatesIgnored.increment()
            return .duplicate(inboundID: id)
        }
        let message = Message.parse(delivery.raw, limits: MailLimits(maxMessageBytes: max(services.configuration.maxMessageBytes, MailLimits.default.maxMessageBytes)))
        do {
            return try await process(delivery, message: message, digest: digest, existing: nil, now: now)
        } catch where (error as? any DatabaseError)?.isConstraintFailure == true {
            // Another process stored the same bytes a moment ago: that copy counts.
            if let existing = try await InboundMail.query(on: database).filter(\.$digest == digest).first(), let id = existing.id {
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
        let organizationID = try person.$organization.id.orThrow("customer without organization")
        _ = try await services.keyRing.dataKey(for: organizationID)

        let outcome: IngestOutcome
        do {
            outcome = try await storeOnTicket(delivery, message: message, digest: digest, existing: existing, now: now,
                                              sender: sender, person: person, organizationID: organizationID)
        } catch is UnmatchedReport {
            return try await keepForAttention(delivery, message: message, digest: digest, existing: existing,
                                              reason: "a delivery report (bounce) for mail Fairdesk cannot find; not made a ticket")
        }
        services.metrics.messagesIngested.increment()
        return outcome
    }

    /// The sender's person, created if new. Two first messages from one new sender may
    /// race (PostgreSQL runs them concurrently): the loser's insert hits the unique
    /// address, and a fresh attempt finds the winner's row.
    private func resolveSender(_ sender: MailAddress) async throws -> Person {
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

    private func storeOnTicket(_ delivery: InboundDelivery, message: Message, digest: String, existing: InboundMail?, now: Date,
                               sender: MailAddress, person: Person, organizationID: UUID) async throws -> IngestOutcome {
        let services = self.services
        return try await services.writes.transaction(on: database) { db -> IngestOutcome in
            var writes: [BlobWrite] = []
            let match = try await Threader(database: db, token: services.threading)
                .match(message, senderOrganizationID: organizationID)

            if match.ticket == nil, Threader.isDeliveryReport(message) {
                throw UnmatchedReport()
            }
            let ticket: Ticket
            var opened = false
            if let found = match.ticket {
                ticket = found
                try await reopenIfNeeded(ticket, db: db, now: now, actor: person)
            } else {
                let organization = try await Organization.find(organizationID, on: db).orThrow("organization vanished")
                let number = try await Self.nextTicketNumber(db)
                let subject = message.subject.flatMap { $0.isEmpty ? nil : $0 } ?? "(no subject)"
                ticket = Ticket(number: number, subject: String(subject.prefix(500)), requesterID: try person.requireID(),
                                organizationID: organizationID, plan: organization.plan, waitingSince: now)
                if message.isAutomatic { ticket.flagSet.insert("automatic") }
                try await ticket.create(on: db)
                opened = true
                try await TicketEvent(ticketID: try ticket.requireID(), actorID: person.id, kind: "ticket.opened",
                                      detail: "#\(number) opened by mail from \(sender.address)", reason: match.reason).create(on: db)
            }
            if message.isUrgentByHeaders, !ticket.flagSet.contains("urgency-claimed") {
                ticket.flagSet.insert("urgency-claimed")
                try await ticket.save(on: db)
            }

            // Blobs first, then the rows that name them.
            let raw = try await services.blobs.put(delivery.raw, owner: organizationID, durable: false)
            writes.append(BlobWrite(reference: raw, owner: organizationID))
            let body = try await services.blobs.put(Array(message.fullText.utf8), owner: organizationID, durable: false)
            writes.append(BlobWrite(reference: body, owner: organizationID))

            let stored = TicketMessage()
            stored.kind = .inbound
            stored.messageID = message.messageID
            stored.inReplyTo = message.inReplyTo
            stored.references = message.references.suffix(50).joined(separator: " ")
            stored.fromAddress = sender.address
            stored.fromName = sender.name
            stored.toAddresses = Self.json(message.to.map(\.address))
            stored.ccAddresses = Self.json(message.cc.map(\.address))
            stored.subject = String((message.subject ?? "").prefix(1000))
            stored.sentAt = message.date
            stored.bodyBlob = body.name
            stored.bodySize = body.size
            stored.rawBlob = raw.name
            stored.rawSize = raw.size
            stored.threadReason = match.reason
            stored.automatic = message.isAutomatic
            stored.defects = Self.json(message.defects.prefix(100).map(\.description))
            stored.$ticket.id = try ticket.requireID()
            stored.$author.id = person.id
            try await stored.create(on: db)

            for file in message.attachments {
                let blob = try await services.blobs.put(file.bytes, owner: organizationID, durable: false)
                writes.append(BlobWrite(reference: blob, owner: organizationID))
                let attachment = TicketAttachment()
                attachment.filename = file.filename
                attachment.contentType = file.contentType
                attachment.disposition = file.disposition
                attachment.contentID = file.contentID
                attachment.size = file.size
                attachment.blob = blob.name
                attachment.$message.id = try stored.requireID()
                attachment.$ticket.id = try ticket.requireID()
                try await attachment.create(on: db)
            }

            if Threader.isDeliveryReport(message) {
                try await TicketEvent(ticketID: try ticket.requireID(), actorID: nil, kind: "mail.bounced",
                                      detail: "a delivery report came back for mail on this ticket: \(message.subject ?? "")",
                                      reason: match.reason).create(on: db)
            }
            let signals = message.automaticSignals.map(\.description).joined(separator: "; ")
            try await TicketEvent(ticketID: try ticket.requireID(), actorID: person.id, kind: "message.received",
                                  detail: "mail from \(sender.address) via \(delivery.channel)" + (signals.isEmpty ? "" : " (automatic: \(signals))"),
                                  reason: match.reason).create(on: db)

            let record = Self.record(existing, delivery: delivery, messageID: message.messageID, digest: digest,
                                     raw: raw, owner: organizationID, status: .processed, reason: nil)
            record.$ticketMessage.id = try stored.requireID()
            try await record.save(on: db)

            if opened, Self.mayAutoReply(message, sender: sender.address, configuration: services.configuration) {
                let composer = OutgoingComposer(services: services, database: db)
                writes += try await composer.acknowledgement(ticket: ticket, inbound: stored, to: sender, now: now)
            }
            // The blobs are made durable before the rows naming them commit: a crash in
            // between leaves an orphan blob (harmless), never a row whose blob is torn —
            // which a redelivery, seen as a duplicate, would not repair.
            try services.blobs.sync(writes.map { ($0.reference, $0.owner) })
            return .stored(inboundID: try record.requireID(), ticketNumber: ticket.number, opened: opened)
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
    private func reopenIfNeeded(_ ticket: Ticket, db: any Database, now: Date, actor: Person) async throws {
        guard ticket.status != .waitingOnSupport else { return }
        let before = ticket.status
        ticket.status = .waitingOnSupport
        ticket.waitingSince = now
        try await ticket.save(on: db)
        try await TicketEvent(ticketID: try ticket.requireID(), actorID: actor.id, kind: "status.changed",
                              detail: "\(before.rawValue) → \(TicketStatus.waitingOnSupport.rawValue)",
                              reason: "the customer wrote").create(on: db)
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
