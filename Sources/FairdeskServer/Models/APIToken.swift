import Fluent
import Foundation

/// A bearer token for the JSON API. Only its SHA-256 is stored.
// See Organization.swift for why @unchecked Sendable is safe for Fluent models.
final class APIToken: Model, @unchecked Sendable {
    static let schema = "api_tokens"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    @Field(key: "name") var name: String
    @Field(key: "token_hash") var tokenHash: String
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?

    @Parent(key: "person_id") var person: Person

    init() {}
}
