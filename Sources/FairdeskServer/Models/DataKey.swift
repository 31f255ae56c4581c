import Fluent
import Foundation

/// An owner's data key, wrapped by the installation master key. Deleting the row
/// crypto-shreds everything the owner's blobs hold.
// See Organization.swift for why @unchecked Sendable is safe for Fluent models.
final class DataKey: Model, @unchecked Sendable {
    static let schema = "data_keys"

    @ID(custom: "owner_id", generatedBy: .user) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    @Field(key: "wrapped") var wrapped: Data

    init() {}

    init(owner: UUID, wrapped: Data) {
        self.id = owner
        self.wrapped = wrapped
    }
}
