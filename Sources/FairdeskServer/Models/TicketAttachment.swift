import Fluent
import Foundation

/// A file on a message: metadata here, bytes in the blob store (identical files of one
/// organization share a blob).
// See Organization.swift for why @unchecked Sendable is safe for Fluent models.
final class TicketAttachment: Model, @unchecked Sendable {
    static let schema = "ticket_attachments"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    @OptionalField(key: "filename") var filename: String?
    @Field(key: "content_type") var contentType: String
    @OptionalField(key: "disposition") var disposition: String?
    @OptionalField(key: "content_id") var contentID: String?
    @Field(key: "size") var size: Int
    @Field(key: "blob") var blob: String

    @Parent(key: "message_id") var message: TicketMessage
    @Parent(key: "ticket_id") var ticket: Ticket

    init() {}
}
