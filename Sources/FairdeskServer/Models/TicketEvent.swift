import Fluent
import Foundation

/// One entry of a ticket's append-only timeline: who did what, when, and why. Events are
/// never updated or deleted.
// See Organization.swift for why @unchecked Sendable is safe for Fluent models.
final class TicketEvent: Model, @unchecked Sendable {
    static let schema = "ticket_events"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    /// e.g. `ticket.opened`, `message.received`, `status.changed`, `mail.sent`, `mail.failed`.
    @Field(key: "kind") var kind: String
    /// What changed, for a person (e.g. `waiting_on_customer → waiting_on_support`).
    @Field(key: "detail") var detail: String
    @OptionalField(key: "reason") var reason: String?

    @Parent(key: "ticket_id") var ticket: Ticket
    /// Nil for Fairdesk itself.
    @OptionalParent(key: "actor_id") var actor: Person?

    init() {}

    init(ticketID: UUID, actorID: UUID?, kind: String, detail: String, reason: String? = nil) {
        self.$ticket.id = ticketID
        self.$actor.id = actorID
        self.kind = kind
        self.detail = detail
        self.reason = reason
    }
}
