import FairdeskMail
import Fluent
import Foundation

/// A file an agent sends with a reply.
struct ReplyFile: Sendable {
    var filename: String
    var contentType: String
    var bytes: [UInt8]
}

/// Builds outgoing mail for a ticket (threading headers, `[#N]` tag, a signed Message-ID),
/// stores it on the timeline and queues it in the outbox. Runs inside the caller's
/// transaction; returns the blobs written so the caller can make them durable.
struct OutgoingComposer {
    let services: FairdeskServices
    let database: any Database

    /// The mail a customer gets when their message opens a ticket. Automatic mail:
    /// `Auto-Submitted: auto-replied` (RFC 3834 §5).
    func acknowledgement(ticket: Ticket, inbound: TicketMessage, to recipient: MailAddress, now: Date) async throws -> [MailIngestor.BlobWrite] {
        let body = """
            Hello\(recipient.name.map { " \($0)" } ?? ""),

            we have received your message and opened ticket #\(ticket.number) for it.

            We answer in the order messages arrive, first come, first served. You will hear \
            from us by email; to add anything, just reply to this message and keep [#\(ticket.number)] \
            in the subject.

            Your support team
            """
        return try await compose(ticket: ticket, to: [recipient], subject: "[#\(ticket.number)] \(ticket.subject)",
                                 body: body, files: [], author: nil, replyingTo: inbound,
                                 autoSubmitted: "auto-replied", eventKind: "mail.acknowledged", now: now).writes
    }

    /// An agent's reply to the ticket's requester. The ticket then waits on the customer.
    func reply(ticket: Ticket, body: String, files: [ReplyFile], author: Person, now: Date) async throws -> (message: TicketMessage, writes: [MailIngestor.BlobWrite]) {
        let lastInbound = try await TicketMessage.query(on: database)
            .filter(\.$ticket.$id == ticket.requireID())
            .filter(\.$kind == .inbound)
            .filter(\.$automatic == false)
            .sort(\.$createdAt, .descending)
            .first()
        let requester = try await Person.find(ticket.$requester.id, on: database).orThrow("requester vanished")
        let address: String
        if let lastInbound {
            address = lastInbound.fromAddress
        } else {
            let known = try await PersonAddress.query(on: database).filter(\.$person.$id == requester.requireID()).first()
            address = try known.orThrow("the requester has no email address").address
        }
        let subject = Threader.subjectTag(ticket.subject) == ticket.number ? "Re: \(ticket.subject)" : "Re: [#\(ticket.number)] \(ticket.subject)"
        let result = try await compose(ticket: ticket, to: [MailAddress(name: requester.name, address: address)], subject: subject,
                                       body: body, files: files, author: author, replyingTo: lastInbound,
                                       autoSubmitted: nil, eventKind: "mail.queued", now: now)
        if ticket.status != .waitingOnCustomer {
            let before = ticket.status
            ticket.status = .waitingOnCustomer
            ticket.waitingSince = nil
            try await ticket.save(on: database)
            try await TicketEvent(ticketID: try ticket.requireID(), actorID: author.id, kind: "status.changed",
                                  detail: "\(before.rawValue) → \(TicketStatus.waitingOnCustomer.rawValue)",
                                  reason: "support replied").create(on: database)
        }
        return (result.message, result.writes)
    }

    private func compose(ticket: Ticket, to recipients: [MailAddress], subject: String, body: String, files: [ReplyFile],
                         author: Person?, replyingTo parent: TicketMessage?, autoSubmitted: String?, eventKind: String,
                         now: Date) async throws -> (message: TicketMessage, writes: [MailIngestor.BlobWrite]) {
        let configuration = services.configuration
        let owner = ticket.$organization.id
        let messageID = services.threading.messageID(ticketNumber: ticket.number, unique: Self.uniquePart(), hostname: configuration.hostname)
        var references = parent.map { $0.references.split(separator: " ").map(String.init) } ?? []
        if let parentID = parent?.messageID { references.append(parentID) }
        references = Array(references.suffix(20))

        let outgoing = OutgoingMessage(
            from: MailAddress(name: "Support", address: configuration.primarySupportAddress),
            to: recipients,
            subject: subject,
            date: now,
            messageID: messageID,
            inReplyTo: parent?.messageID,
            references: references,
            autoSubmitted: autoSubmitted,
            textBody: body,
            attachments: files.map { OutgoingAttachment(filename: $0.filename, contentType: $0.contentType, bytes: $0.bytes) }
        )
        let raw = outgoing.render()
        var writes: [MailIngestor.BlobWrite] = []
        let rawBlob = try await services.blobs.put(raw, owner: owner, durable: false)
        writes.append(.init(reference: rawBlob, owner: owner))
        let bodyBlob = try await services.blobs.put(Array(body.utf8), owner: owner, durable: false)
        writes.append(.init(reference: bodyBlob, owner: owner))

        let message = TicketMessage()
        message.kind = .outbound
        message.messageID = messageID
        message.inReplyTo = parent?.messageID
        message.references = references.joined(separator: " ")
        message.fromAddress = configuration.primarySupportAddress
        message.fromName = author?.name
        message.toAddresses = MailIngestor.json(recipients.map(\.address))
        message.ccAddresses = "[]"
        message.subject = subject
        message.sentAt = now
        message.bodyBlob = bodyBlob.name
        message.bodySize = bodyBlob.size
        message.rawBlob = rawBlob.name
        message.rawSize = rawBlob.size
        message.threadReason = "outgoing"
        message.automatic = autoSubmitted != nil
        message.defects = "[]"
        message.$ticket.id = try ticket.requireID()
        message.$author.id = author?.id
        try await message.create(on: database)

        for file in files {
            let blob = try await services.blobs.put(file.bytes, owner: owner, durable: false)
            writes.append(.init(reference: blob, owner: owner))
            let attachment = TicketAttachment()
            attachment.filename = file.filename
            attachment.contentType = file.contentType
            attachment.disposition = "attachment"
            attachment.size = file.bytes.count
            attachment.blob = blob.name
            attachment.$message.id = try message.requireID()
            attachment.$ticket.id = try ticket.requireID()
            try await attachment.create(on: database)
        }

        let outbox = OutboxMessage()
        outbox.mailFrom = configuration.primarySupportAddress
        outbox.recipients = MailIngestor.json(recipients.map(\.address))
        outbox.rawBlob = rawBlob.name
        outbox.rawSize = rawBlob.size
        outbox.ownerID = owner
        outbox.messageID = messageID
        outbox.status = .queued
        outbox.attempts = 0
        outbox.nextAttemptAt = now
        outbox.$ticket.id = try ticket.requireID()
        try await outbox.create(on: database)

        try await TicketEvent(ticketID: try ticket.requireID(), actorID: author?.id, kind: eventKind,
                              detail: "to \(recipients.map(\.address).joined(separator: ", ")): \(subject)").create(on: database)
        return (message, writes)
    }

    /// 16 random hex characters: Message-IDs must be unique (RFC 5322 §3.6.4).
    static func uniquePart() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(format: "%016llx", generator.next() as UInt64)
    }
}
