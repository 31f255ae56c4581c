import Fluent
import Foundation

/// An email domain an organization claims: new senders from it join the organization.
// See Organization.swift for why @unchecked Sendable is safe for Fluent models.
final class OrganizationDomain: Model, @unchecked Sendable {
    static let schema = "organization_domains"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    /// Lower-cased.
    @Field(key: "domain") var domain: String

    @Parent(key: "organization_id") var organization: Organization

    init() {}

    init(domain: String, organizationID: UUID) {
        self.domain = domain.lowercased()
        self.$organization.id = organizationID
    }
}
