import Fluent
import Foundation

enum PersonRole: String, Codable, Sendable, CaseIterable {
    case customer, agent, admin

    var isStaff: Bool { self != .customer }
}

/// A customer, agent or admin. Customers belong to an organization; staff do not.
// See Organization.swift for why @unchecked Sendable is safe for Fluent models.
final class Person: Model, @unchecked Sendable {
    static let schema = "people"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    @OptionalField(key: "name") var name: String?
    @Enum(key: "role") var role: PersonRole
    /// Bcrypt; nil for customers who only write email.
    @OptionalField(key: "password_hash") var passwordHash: String?
    /// A generated first password must be replaced at first sign-in.
    @Field(key: "must_change_password") var mustChangePassword: Bool
    @Field(key: "disabled") var disabled: Bool

    @OptionalParent(key: "organization_id") var organization: Organization?
    @Children(for: \.$person) var addresses: [PersonAddress]

    init() {}

    init(id: UUID? = nil, name: String?, role: PersonRole, organizationID: UUID?) {
        self.id = id
        self.name = name
        self.role = role
        self.$organization.id = organizationID
        self.mustChangePassword = false
        self.disabled = false
    }
}
