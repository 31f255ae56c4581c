import Fluent
import Foundation

enum OutboxStatus: String, Codable, Sendable {
    case queued, sent, failed
}

/// A message waiting to be sent. A delivery worker claims it (row lock) so several server
/// processes never send the same message twice.
// See Organization.swift for why @unchecked Sendable is safe for Fluent models.
final class OutboxMessage: Model, @unchecked Sendable {
    static let schema = "outbox"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    @Field(key: "mail_from") var mailFrom: String
    /// JSON array of recipient addresses.
    @Field(key: "recipients") var recipients: String
    @Field(key: "raw_blob") var rawBlob: String
    @Field(key: "raw_size") var rawSize: Int
    @Field(key: "owner_id") var ownerID: UUID
    @Field(key: "message_id") var messageID: String
    @Enum(key: "status") var status: OutboxStatus
    @Field(key: "attempts") var attempts: Int
    @Field(key: "next_attempt_at") var nextAttemptAt: Date
    @OptionalField(key: "claimed_by") var claimedBy: String?
    @OptionalField(key: "claimed_until") var claimedUntil: Date?
    @OptionalField(key: "last_error") var lastError: String?
    @OptionalField(key: "sent_at") var sentAt: Date?

    @OptionalParent(key: "ticket_id") var ticket: Ticket?

    init() {}
}
