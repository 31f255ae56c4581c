import FairdeskMail
import FairdeskPolicy
import Fluent
import Foundation
import SQLKit

/// What the policy does with each inbound customer message, inside the ingestion
/// transaction: urgency claims are flagged (never moved) and explained once per ticket;
/// demands for a call or remote session before email was tried get the polite answer once;
/// diagnostics the customer sent tick the open information request (DESIGN.md §1–3).
struct PolicyResponder {
    let services: FairdeskServices
    let database: any Database

    struct Inbound {
        var ticket: Rows.Ticket
        var message: Message
        var messageID: UUID
        var sender: MailAddress
        var senderPerson: UUID
        /// Whether Fairdesk may answer this message at all (not automatic mail, not a loop).
        var mayAutoReply: Bool
        var parent: OutgoingComposer.Parent
        var opened: Bool
    }

    /// Returns the blob files the caller must make durable before its commit.
    func respond(to inbound: Inbound, now: Date) async throws -> [MailIngestor.BlobWrite] {
        guard !inbound.message.isAutomatic else { return [] }
        let rows = try Rows(database)
        let ticket = inbound.ticket
        var writes: [MailIngestor.BlobWrite] = []
        var flags = ticket.flagSet
        let subject = inbound.message.subject ?? ""
        // Only the customer's new words: quoted history was judged when it arrived.
        let body = QuoteDetection.visibleText(inbound.message.fullText)
        let plan = Plans.plan(id: ticket.plan)

        if let claim = UrgencyDetector.detect(subject: subject, body: body, headerSignals: inbound.message.urgencySignals) {
            flags.insert("urgency-claimed")
            try await rows.event(ticket: ticket.id, actor: inbound.senderPerson, kind: "urgency.claimed",
                                 detail: claim.evidence.joined(separator: "; "), reason: "urgency never moves a ticket in the queue")
            if inbound.mayAutoReply, try await !hasEvent(ticket.id, kind: Self.urgencyExplained) {
                writes += try await send(PolicyTemplates.urgencyExplanation, inbound: inbound, eventKind: Self.urgencyExplained, now: now)
            }
        }
        if let demand = CallDemandDetector.detect(subject: subject, body: body) {
            flags.insert("call-demanded")
            let channels = demand.channels.map(\.title).sorted().joined(separator: ", ")
            try await rows.event(ticket: ticket.id, actor: inbound.senderPerson, kind: "call.demanded",
                                 detail: "\(channels): \(demand.evidence.joined(separator: "; "))")
            let explained = try await hasEvent(ticket.id, kind: Self.callDemandAnswered)
            let scheduled = try await hasSessions(ticket.id)
            let answered = explained || scheduled
            if inbound.mayAutoReply, Escalation.shouldAnswer(demand, plan: plan, alreadyAnswered: answered) {
                writes += try await send(PolicyTemplates.callDemandAnswer, inbound: inbound, eventKind: Self.callDemandAnswered, now: now)
            }
        }
        if flags != ticket.flagSet {
            try await rows.updateTicket(ticket.id, ["flags": flags.sorted().joined(separator: ",")])
        }
        try await InfoRequests(services: services, database: database)
            .recognize(in: inbound.message, messageID: inbound.messageID, ticketID: ticket.id, from: inbound.sender.address, now: now)
        return writes
    }

    static let urgencyExplained = "policy.urgency_explained"
    static let callDemandAnswered = "policy.call_demand_answered"

    private func send(_ base: PolicyTemplate, inbound: Inbound, eventKind: String, now: Date) async throws -> [MailIngestor.BlobWrite] {
        let template = try await PolicyTexts(database).template(base)
        let queue = TicketQueue(database: database, configuration: services.configuration)
        let estimate = try await queue.transparency(of: inbound.ticket.id, now: now)
        let values = [
            "name": inbound.sender.name ?? "", "number": String(inbound.ticket.number),
            "position": estimate.map { String($0.position) } ?? "",
            "estimate": estimate?.sentence ?? "",
        ]
        let thread = OutgoingComposer.Thread(ticketID: inbound.ticket.id, number: inbound.ticket.number,
                                             subject: inbound.ticket.subject, organizationID: inbound.ticket.organizationId)
        return try await OutgoingComposer(services: services, database: database).policyMail(
            thread: thread, inbound: inbound.parent, to: inbound.sender,
            subject: PolicyTemplates.render(template.subject, values: values),
            body: PolicyTemplates.render(template.body, values: values), eventKind: eventKind, now: now)
    }

    private func hasEvent(_ ticket: UUID, kind: String) async throws -> Bool {
        let sql = try Rows(database).sql
        struct Row: Decodable { var id: UUID }
        return try await sql.select().column("id").from("ticket_events")
            .where("ticket_id", .equal, ticket).where("kind", .equal, kind).limit(1).first(decoding: Row.self) != nil
    }

    private func hasSessions(_ ticket: UUID) async throws -> Bool {
        let sql = try Rows(database).sql
        struct Row: Decodable { var id: UUID }
        return try await sql.select().column("id").from("ticket_sessions")
            .where("ticket_id", .equal, ticket).limit(1).first(decoding: Row.self) != nil
    }
}
