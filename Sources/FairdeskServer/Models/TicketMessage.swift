import Fluent
import Foundation

enum MessageKind: String, Codable, Sendable {
    case inbound, outbound, note
}

/// One message on a ticket's timeline. Bodies and raw mail are encrypted blobs owned by
/// the ticket's organization; only metadata is in the database.
// See Organization.swift for why @unchecked Sendable is safe for Fluent models.
final class TicketMessage: Model, @unchecked Sendable {
    static let schema = "ticket_messages"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    @Enum(key: "kind") var kind: MessageKind
    /// RFC 5322 Message-ID without brackets.
    @OptionalField(key: "message_id") var messageID: String?
    @OptionalField(key: "in_reply_to") var inReplyTo: String?
    /// Space-separated msg-ids.
    @Field(key: "references") var references: String
    @Field(key: "from_address") var fromAddress: String
    @OptionalField(key: "from_name") var fromName: String?
    /// JSON array of addresses.
    @Field(key: "to_addresses") var toAddresses: String
    @Field(key: "cc_addresses") var ccAddresses: String
    @Field(key: "subject") var subject: String
    /// The Date header (inbound) or sending time (outbound).
    @OptionalField(key: "sent_at") var sentAt: Date?
    @Field(key: "body_blob") var bodyBlob: String
    @Field(key: "body_size") var bodySize: Int
    @OptionalField(key: "raw_blob") var rawBlob: String?
    @Field(key: "raw_size") var rawSize: Int
    /// Why the message is on this ticket: `token`, `message-id`, `subject-tag`, `new`, ...
    @Field(key: "thread_reason") var threadReason: String
    @Field(key: "automatic") var automatic: Bool
    /// JSON array of parser defects.
    @Field(key: "defects") var defects: String

    @Parent(key: "ticket_id") var ticket: Ticket
    @OptionalParent(key: "author_id") var author: Person?
    @Children(for: \.$message) var attachments: [TicketAttachment]

    init() {}
}
