import FairdeskPolicy
import Foundation
import Vapor

struct PersonDTO: Content {
    var id: UUID
    var name: String?
    var role: String
    var organizationID: UUID?
    var addresses: [String]
}

struct OrganizationDTO: Content {
    var id: UUID
    var name: String
    var isPersonal: Bool
    var sharesTickets: Bool
    var plan: String
    var domains: [String]
}

struct TicketSummaryDTO: Content {
    var number: Int
    var subject: String
    var status: String
    var waitingSince: Date?
    var createdAt: Date?
    var updatedAt: Date?
    var requesterID: UUID
    var organizationID: UUID
    /// The same person as `assignee.id`; kept for clients that only need the id.
    var assigneeID: UUID?
    var assignee: AssigneeDTO?
    var flags: [String]
    /// The agent who took it with Next (until they answer or the hold lapses).
    var heldBy: UUID? = nil
    /// reproduce, investigate, fix or test while `status` is investigating.
    var investigationStage: String? = nil
}

/// The agent or admin a ticket is assigned to.
struct AssigneeDTO: Content, Equatable {
    var id: UUID
    var name: String?
    /// Their first address (for staff, the sign-in address).
    var email: String?
}

struct TicketPageDTO: Content {
    var tickets: [TicketSummaryDTO]
    /// Pass as `after` to get the next page; nil on the last page.
    var next: String?
}

struct AttachmentDTO: Content {
    var id: UUID
    var filename: String?
    var contentType: String
    var disposition: String?
    var size: Int
    var url: String
}

struct TimelineEntryDTO: Content {
    /// `message` or `event`.
    var type: String
    var at: Date?
    // Messages
    var id: UUID?
    var kind: String?
    var messageID: String?
    var from: String?
    var fromName: String?
    var to: [String]?
    var subject: String?
    var body: String?
    var automatic: Bool?
    var threadReason: String?
    var defects: [String]?
    var attachments: [AttachmentDTO]?
    var rawURL: String?
    // Events
    var event: String?
    var detail: String?
    var reason: String?
    var actorID: UUID?
}

struct TicketDetailDTO: Content {
    var ticket: TicketSummaryDTO
    var timeline: [TimelineEntryDTO]
}

/// `GET /search`: tickets, best match first (see `Search.tickets`).
struct SearchResultsDTO: Content {
    var hits: [SearchHit]
}

struct ReplyRequest: Content {
    struct File: Content {
        var filename: String
        var contentType: String?
        /// Base64 of the file's bytes.
        var data: String
    }
    var body: String
    var attachments: [File]?
    /// Why this ticket is answered before an older one (required when it is).
    var outOfOrder: OutOfOrderRequest?
}

/// `{"reason": "quick_answer" | "related" | "same_customer" | "other", "text": "…"}`.
struct OutOfOrderRequest: Content {
    var reason: String
    var text: String?

    func parsed() throws -> OutOfOrderReason {
        guard let parsed = OutOfOrderReason(code: reason, text: text) else {
            throw Abort(.unprocessableEntity, reason: "outOfOrder.reason: one of \(OutOfOrderReason.choices.map(\.code).joined(separator: ", ")); other needs a text")
        }
        return parsed
    }
}

struct NoteRequest: Content {
    var body: String
}

/// `PUT /tickets/{number}/assignee`.
struct AssigneeRequest: Content {
    /// A person id or an email address of an agent or admin; nil (JSON null) unassigns.
    var assignee: String?
    var reason: String?
    /// Whether the body named `assignee` at all: a missing key (a typo, say) must not
    /// read as "unassign".
    var assigneeGiven: Bool

    enum CodingKeys: String, CodingKey {
        case assignee, reason
    }

    init(assignee: String?, reason: String? = nil) {
        self.assignee = assignee
        self.reason = reason
        self.assigneeGiven = true
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        assigneeGiven = container.contains(.assignee)
        assignee = try container.decodeIfPresent(String.self, forKey: .assignee)
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(assignee, forKey: .assignee)  // an explicit null unassigns
        try container.encodeIfPresent(reason, forKey: .reason)
    }
}

struct StatusRequest: Content {
    var status: String
    var reason: String?
}

struct InboundResultDTO: Content {
    var status: String
    var inboundID: UUID
    var ticket: Int?
    var reason: String?
}

extension InboundResultDTO {
    init(_ outcome: IngestOutcome) {
        switch outcome {
        case .stored(let id, let number, let opened):
            self.init(status: opened ? "opened" : "threaded", inboundID: id, ticket: number)
        case .duplicate(let id):
            self.init(status: "duplicate", inboundID: id)
        case .needsAttention(let id, let reason):
            self.init(status: "needs_attention", inboundID: id, reason: reason)
        }
    }
}

struct AttentionDTO: Content {
    var id: UUID
    var receivedAt: Date?
    var messageID: String?
    var envelopeFrom: String
    var channel: String
    var size: Int
    var reason: String?
}

struct DomainRequest: Content {
    var domain: String
}

struct OrganizationRequest: Content {
    var name: String
    var domains: [String]?
}

extension Ticket {
    /// `assignee` is the person `$assignee.id` names (see `Queries.assignees`).
    func summary(assignee: AssigneeDTO?) throws -> TicketSummaryDTO {
        TicketSummaryDTO(number: number, subject: subject, status: status.rawValue, waitingSince: waitingSince,
                         createdAt: createdAt, updatedAt: updatedAt, requesterID: $requester.id,
                         organizationID: $organization.id, assigneeID: $assignee.id, assignee: assignee,
                         flags: flagSet.sorted(), heldBy: heldBy, investigationStage: investigationStage)
    }
}
