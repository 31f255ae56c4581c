import FairdeskMail
import FairdeskPolicy
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

    /// What composing stored: the new message, and the blob files the caller must make
    /// durable before its transaction commits (small blobs are rows in it already).
    struct Composed: Sendable {
        var id: UUID
        var messageID: String
        var writes: [MailIngestor.BlobWrite]
    }

    /// The ticket a message goes out on.
    struct Thread: Sendable {
        var ticketID: UUID
        var number: Int
        var subject: String
        var organizationID: UUID
    }

    /// The message being answered, for In-Reply-To and References.
    struct Parent: Sendable {
        var messageID: String?
        var references: String
    }

    /// The mail a customer gets when their message opens a ticket. Automatic mail:
    /// `Auto-Submitted: auto-replied` (RFC 3834 §5).
    func acknowledgement(thread: Thread, inbound: Parent, to recipient: MailAddress, estimate: WaitEstimate?,
                         now: Date) async throws -> [MailIngestor.BlobWrite] {
        let body = """
            Hello\(recipient.name.map { " \($0)" } ?? ""),

            we have received your message and opened ticket #\(thread.number) for it.

            We answer in the order messages arrive, first come, first served. \(estimate?.sentence ?? "")

            You will hear from us by email; to add anything, just reply to this message and keep \
            [#\(thread.number)] in the subject. You can also follow the ticket in the portal: \
            \(services.configuration.publicBaseURL)\(PortalPaths.ticket(thread.number))

            Your support team
            """
        return try await compose(thread: thread, to: [recipient], subject: "[#\(thread.number)] \(thread.subject)",
                                 body: body, files: [], author: nil, replyingTo: inbound,
                                 autoSubmitted: "auto-replied", eventKind: "mail.acknowledged", now: now).writes
    }

    /// Mail the policy sends on its own (the urgency explanation, the answer to a demand
    /// for a call): automatic, `Auto-Submitted: auto-replied`, threaded on the message that
    /// prompted it, recorded as `eventKind` on the timeline.
    func policyMail(thread: Thread, inbound: Parent, to recipient: MailAddress, subject: String, body: String,
                    eventKind: String, now: Date) async throws -> [MailIngestor.BlobWrite] {
        let tagged = Threader.subjectTag(subject) == thread.number ? subject : "\(subject) [#\(thread.number)]"
        return try await compose(thread: thread, to: [recipient], subject: tagged, body: body, files: [], author: nil,
                                 replyingTo: inbound, autoSubmitted: "auto-replied", eventKind: eventKind, now: now).writes
    }

    /// Where mail to a ticket's requester goes: the address of their latest message (or
    /// their first known address), and that message for threading.
    private func requesterThread(_ ticket: Ticket) async throws -> (recipient: MailAddress, parent: Parent?) {
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
        return (MailAddress(name: requester.name, address: address),
                lastInbound.map { Parent(messageID: $0.messageID, references: $0.references) })
    }

    private static func replySubject(_ ticket: Ticket) -> String {
        Threader.subjectTag(ticket.subject) == ticket.number ? "Re: \(ticket.subject)" : "Re: [#\(ticket.number)] \(ticket.subject)"
    }

    /// The one reminder of an information request: automatic (`Auto-Submitted:
    /// auto-generated`, RFC 3834 §5), to the requester, on the ticket's thread.
    func reminder(ticket: Ticket, subject: String, body: String, now: Date) async throws -> [MailIngestor.BlobWrite] {
        let (recipient, parent) = try await requesterThread(ticket)
        let thread = Thread(ticketID: try ticket.requireID(), number: ticket.number, subject: ticket.subject, organizationID: ticket.$organization.id)
        let tagged = Threader.subjectTag(subject) == ticket.number ? subject : "\(subject) [#\(ticket.number)]"
        return try await compose(thread: thread, to: [recipient], subject: tagged, body: body, files: [], author: nil,
                                 replyingTo: parent, autoSubmitted: "auto-generated", eventKind: "info.reminded", now: now).writes
    }

    /// An agent's reply to the ticket's requester. The ticket then waits on the customer.
    func reply(ticket: Ticket, body: String, files: [ReplyFile], author: Person, now: Date) async throws -> Composed {
        let (recipient, parent) = try await requesterThread(ticket)
        let thread = Thread(ticketID: try ticket.requireID(), number: ticket.number, subject: ticket.subject, organizationID: ticket.$organization.id)
        let result = try await compose(thread: thread, to: [recipient], subject: Self.replySubject(ticket),
                                       body: body, files: files, author: author, replyingTo: parent,
                                       autoSubmitted: nil, eventKind: "mail.queued", now: now)
        // A reply during an investigation (progress, a question) keeps the investigation on.
        if ticket.status != .waitingOnCustomer, ticket.status != .investigating {
            let before = ticket.status
            ticket.status = .waitingOnCustomer
            ticket.waitingSince = nil
            ticket.heldBy = nil
            ticket.heldAt = nil
            try await ticket.save(on: database)
            try await TicketEvent(ticketID: try ticket.requireID(), actorID: author.id, kind: "status.changed",
                                  detail: "\(before.rawValue) → \(TicketStatus.waitingOnCustomer.rawValue)",
                                  reason: "support replied").create(on: database)
        }
        return result
    }

    private func compose(thread: Thread, to recipients: [MailAddress], subject: String, body: String, files: [ReplyFile],
                         author: Person?, replyingTo parent: Parent?, autoSubmitted: String?, eventKind: String,
                         now: Date) async throws -> Composed {
        let configuration = services.configuration
        let owner = thread.organizationID
        let messageID = services.threading.messageID(ticketNumber: thread.number, unique: Self.uniquePart(), hostname: configuration.hostname)
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
        let rows = try Rows(database)
        var writes: [MailIngestor.BlobWrite] = []
        let rawBlob = try await rows.put(raw, owner: owner, blobs: services.blobs)
        let bodyBlob = try await rows.put(Array(body.utf8), owner: owner, blobs: services.blobs)
        writes += [rawBlob.file, bodyBlob.file].compactMap { $0 }

        let recipientList = MailIngestor.json(recipients.map(\.address))
        let stored = try await rows.insert("ticket_messages", [
            "kind": MessageKind.outbound.rawValue, "message_id": messageID, "in_reply_to": parent?.messageID,
            "references": references.joined(separator: " "), "from_address": configuration.primarySupportAddress,
            "from_name": author?.name, "to_addresses": recipientList, "cc_addresses": "[]", "subject": subject,
            "sent_at": now, "body_blob": bodyBlob.reference.name, "body_size": bodyBlob.reference.size, "raw_blob": rawBlob.reference.name,
            "raw_size": rawBlob.reference.size, "thread_reason": "outgoing", "automatic": autoSubmitted != nil, "defects": "[]",
            "ticket_id": thread.ticketID, "author_id": author?.id,
        ])
        // Automatic mail (acknowledgements, the policy's texts, reminders) says the same on
        // every ticket: indexing it would only make every search match every ticket.
        if autoSubmitted == nil {
            try await SearchIndex(services: services, database: database).add(
                message: stored, kind: .outbound, ticket: thread.ticketID,
                subject: subject, from: configuration.primarySupportAddress, name: author?.name, body: body)
        }
        for file in files {
            let blob = try await rows.put(file.bytes, owner: owner, blobs: services.blobs)
            if let written = blob.file { writes.append(written) }
            try await rows.insert("ticket_attachments", [
                "filename": file.filename, "content_type": file.contentType, "disposition": "attachment",
                "content_id": String?.none, "size": file.bytes.count, "blob": blob.reference.name,
                "message_id": stored, "ticket_id": thread.ticketID,
            ])
        }
        try await rows.insert("outbox", [
            "mail_from": configuration.primarySupportAddress, "recipients": recipientList, "raw_blob": rawBlob.reference.name,
            "raw_size": rawBlob.reference.size, "owner_id": owner, "message_id": messageID, "status": OutboxStatus.queued.rawValue,
            "attempts": 0, "next_attempt_at": now, "claimed_by": String?.none, "claimed_until": Date?.none,
            "last_error": String?.none, "sent_at": Date?.none, "ticket_id": thread.ticketID,
        ])
        try await rows.event(ticket: thread.ticketID, actor: author?.id, kind: eventKind,
                             detail: "to \(recipients.map(\.address).joined(separator: ", ")): \(subject)")
        return Composed(id: stored, messageID: messageID, writes: writes)
    }

    /// Mail about an account (a sign-in link, a password reset), on no ticket. Automatic
    /// mail (`Auto-Submitted: auto-generated`), owned by the installation.
    func accountMail(to recipient: MailAddress, subject: String, body: String, now: Date) async throws -> [MailIngestor.BlobWrite] {
        let configuration = services.configuration
        let owner = FairdeskServices.installationOwner
        let messageID = "account.\(Self.uniquePart())\(Self.uniquePart())@\(configuration.hostname)"
        let outgoing = OutgoingMessage(
            from: MailAddress(name: "Support", address: configuration.primarySupportAddress), to: [recipient],
            subject: subject, date: now, messageID: messageID, inReplyTo: nil, references: [],
            autoSubmitted: "auto-generated", textBody: body, attachments: [])
        let rows = try Rows(database)
        let raw = try await rows.put(outgoing.render(), owner: owner, blobs: services.blobs)
        try await rows.insert("outbox", [
            "mail_from": configuration.primarySupportAddress, "recipients": MailIngestor.json([recipient.address]),
            "raw_blob": raw.reference.name, "raw_size": raw.reference.size, "owner_id": owner, "message_id": messageID,
            "status": OutboxStatus.queued.rawValue, "attempts": 0, "next_attempt_at": now, "claimed_by": String?.none,
            "claimed_until": Date?.none, "last_error": String?.none, "sent_at": Date?.none, "ticket_id": UUID?.none,
        ])
        return raw.file.map { [$0] } ?? []
    }

    /// 16 random hex characters: Message-IDs must be unique (RFC 5322 §3.6.4).
    static func uniquePart() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(format: "%016llx", generator.next() as UInt64)
    }
}
