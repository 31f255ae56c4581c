import Fluent
import Foundation

/// A customer's team. Everything a customer sends is owned by their organization: its
/// data key encrypts their blobs, and its members may see each other's tickets.
// Fluent models are mutable reference types by design; an instance is confined to the
// task that loaded it and never shared across tasks, which is what makes this safe.
final class Organization: Model, @unchecked Sendable {
    static let schema = "organizations"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    @Field(key: "name") var name: String
    /// Made automatically for a sender from an unclaimed domain: a team of one.
    @Field(key: "is_personal") var isPersonal: Bool
    /// Members see each other's tickets (on by default, DESIGN.md §4).
    @Field(key: "shares_tickets") var sharesTickets: Bool
    /// The support plan (`free` until plans are built).
    @Field(key: "plan") var plan: String

    @Children(for: \.$organization) var domains: [OrganizationDomain]

    init() {}

    /// The plan of a new organization.
    static let defaultPlan = "free"

    init(id: UUID? = nil, name: String, isPersonal: Bool, plan: String = Organization.defaultPlan) {
        self.id = id
        self.name = name
        self.isPersonal = isPersonal
        self.sharesTickets = true
        self.plan = plan
    }
}
