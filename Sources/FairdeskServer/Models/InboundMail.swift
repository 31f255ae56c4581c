import Fluent
import Foundation

enum InboundStatus: String, Codable, Sendable {
    case processed
    /// Stored, but not turned into a ticket message: listed for admins with the reason.
    case needsAttention = "needs_attention"
}

/// Every message received, exactly once (the raw bytes are the audit trail). The digest
/// (a keyed hash of the raw bytes) makes redelivery idempotent.
// See Organization.swift for why @unchecked Sendable is safe for Fluent models.
final class InboundMail: Model, @unchecked Sendable {
    static let schema = "inbound_mail"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    @Field(key: "digest") var digest: String
    @OptionalField(key: "message_id") var messageID: String?
    @Field(key: "raw_blob") var rawBlob: String
    @Field(key: "raw_size") var rawSize: Int
    /// The key owner of the raw blob: an organization, or the installation.
    @Field(key: "owner_id") var ownerID: UUID
    @Field(key: "envelope_from") var envelopeFrom: String
    @Field(key: "envelope_to") var envelopeTo: String
    /// `smtp`, `lmtp`, `http`, `mailgate`.
    @Field(key: "channel") var channel: String
    @Enum(key: "status") var status: InboundStatus
    @OptionalField(key: "reason") var reason: String?

    @OptionalParent(key: "ticket_message_id") var ticketMessage: TicketMessage?

    init() {}
}
