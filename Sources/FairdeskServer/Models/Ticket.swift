import Fluent
import Foundation

enum TicketStatus: String, Codable, Sendable, CaseIterable {
    /// In the queue: the next move is support's. `waitingSince` says since when.
    case waitingOnSupport = "waiting_on_support"
    case waitingOnCustomer = "waiting_on_customer"
    /// A long investigation (reproduce, investigate, fix, test): out of the queue, on the
    /// investigations board, with `investigationStage`.
    case investigating
    case resolved
}

/// A support request, `#number`. Its timeline is its messages and events.
// See Organization.swift for why @unchecked Sendable is safe for Fluent models.
final class Ticket: Model, @unchecked Sendable {
    static let schema = "tickets"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    @Field(key: "number") var number: Int
    @Field(key: "subject") var subject: String
    @Enum(key: "status") var status: TicketStatus
    /// When the ticket started waiting on support; the queue is ordered by it. Nil when
    /// the ticket is not waiting on support.
    @OptionalField(key: "waiting_since") var waitingSince: Date?
    /// The plan in force for this ticket (copied from the organization when it opened).
    @Field(key: "plan") var plan: String
    /// Flags for agents, e.g. `automatic`, `urgency-claimed` (comma-separated, sorted).
    @Field(key: "flags") var flags: String

    /// The agent who took this ticket with "Next", and when; a hold older than
    /// `--hold-timeout` is free again (FairQueue).
    @OptionalField(key: "held_by") var heldBy: UUID?
    @OptionalField(key: "held_at") var heldAt: Date?
    /// `InvestigationStage` raw value while the ticket is investigating.
    @OptionalField(key: "investigation_stage") var investigationStage: String?
    @OptionalField(key: "investigating_since") var investigatingSince: Date?
    @OptionalField(key: "stage_since") var stageSince: Date?

    @Parent(key: "requester_id") var requester: Person
    @Parent(key: "organization_id") var organization: Organization
    @OptionalParent(key: "assignee_id") var assignee: Person?

    init() {}

    init(number: Int, subject: String, requesterID: UUID, organizationID: UUID, plan: String, waitingSince: Date) {
        self.number = number
        self.subject = subject
        self.status = .waitingOnSupport
        self.waitingSince = waitingSince
        self.plan = plan
        self.flags = ""
        self.$requester.id = requesterID
        self.$organization.id = organizationID
    }

    var flagSet: Set<String> {
        get { Set(flags.split(separator: ",").map(String.init)) }
        set { flags = newValue.sorted().joined(separator: ",") }
    }
}
