import FairdeskMail
import Fluent
import Foundation

/// Decides which ticket an inbound message belongs to, and records why (DESIGN.md §1):
/// 0. the caller's ticket hint (`portal`: a reply written on the portal's ticket page,
///    whose sender's access the caller checked);
/// 1. a signed token of ours in In-Reply-To / References;
/// 2. a Message-ID we stored, named in In-Reply-To / References;
/// 3. the subject tag `[#N]`, only when the sender belongs to ticket N's organization;
/// otherwise a new ticket. Subject text alone never threads.
struct Threader {
    struct Match {
        var ticket: Rows.Ticket?
        /// `portal`, `token`, `message-id`, `subject-tag`, or `new` with what was ignored.
        var reason: String
    }

    let database: any Database
    let token: ThreadingToken

    func match(_ message: Message, senderOrganizationID: UUID, ticketHint: Int? = nil) async throws -> Match {
        let rows = try Rows(database)
        if let ticketHint, let ticket = try await rows.ticket(number: ticketHint) {
            return Match(ticket: ticket, reason: "portal")
        }
        // Most recent reference first: In-Reply-To, then References from the end.
        var ids: [String] = []
        if let inReplyTo = message.inReplyTo { ids.append(inReplyTo) }
        ids += message.references.reversed()
        // A bounce (RFC 3464) names the failed message only inside the copy it returns.
        ids += Self.returnedMessageIDs(message)
        ids = Array(ids.prefix(60))

        for id in ids {
            if let number = token.ticketNumber(in: id), let ticket = try await rows.ticket(number: number) {
                return Match(ticket: ticket, reason: "token")
            }
        }
        if !ids.isEmpty, let ticketID = try await rows.ticketID(forMessageIDs: ids),
           let ticket = try await rows.ticket(id: ticketID) {
            return Match(ticket: ticket, reason: "message-id")
        }
        if let number = Self.subjectTag(message.subject ?? "") {
            if let ticket = try await rows.ticket(number: number) {
                if ticket.organizationId == senderOrganizationID {
                    return Match(ticket: ticket, reason: "subject-tag")
                }
                return Match(ticket: nil, reason: "new (subject tag [#\(number)] ignored: the sender is not in that ticket's organization)")
            }
            return Match(ticket: nil, reason: "new (subject tag [#\(number)] names no ticket)")
        }
        return Match(ticket: nil, reason: "new")
    }

    /// The Message-IDs of the messages a delivery report returns (a `message/rfc822` or
    /// `text/rfc822-headers` part), for threading bounces to the mail that bounced.
    static func returnedMessageIDs(_ message: Message) -> [String] {
        guard isDeliveryReport(message) else { return [] }
        return message.attachments
            .filter { ["message/rfc822", "message/global", "text/rfc822-headers", "message/global-headers"].contains($0.contentType) }
            .prefix(3)
            .compactMap { Message.parse($0.bytes).messageID }
    }

    static func isDeliveryReport(_ message: Message) -> Bool {
        message.automaticSignals.contains { signal in
            switch signal {
            case .deliveryReport, .systemSender, .nullReturnPath: return true
            default: return false
            }
        }
    }

    /// The number in the first `[#N]` of a subject.
    static func subjectTag(_ subject: String) -> Int? {
        var rest = Substring(subject)
        while let open = rest.range(of: "[#") {
            let after = rest[open.upperBound...]
            let digits = after.prefix(while: { $0.isASCII && $0.isNumber })
            if !digits.isEmpty, digits.count <= 9, after.dropFirst(digits.count).first == "]", let number = Int(digits) {
                return number
            }
            rest = after
        }
        return nil
    }
}
