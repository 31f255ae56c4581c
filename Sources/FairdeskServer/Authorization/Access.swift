import Fluent
import Foundation
import SQLKit

/// Who may see what: the one place that decides (DESIGN.md §4). Every route — pages, API,
/// downloads, search, notifications, counts — asks here, and answers "not found" when
/// the answer is no, so a refusal never confirms that something exists.
///
/// Agents and admins see every ticket. A customer sees the tickets they requested and,
/// when their organization shares tickets among its team (the default), the tickets of
/// their organization. Internal notes are never shown to customers. A visitor without a
/// session sees nothing.
enum Access {
    /// What a signed-in person may see, decided once per request.
    enum Scope: Sendable, Equatable {
        /// Agents and admins.
        case everything
        /// A customer: their own tickets, and their organization's when it shares.
        case customer(personID: UUID, organizationID: UUID?, teamShares: Bool)

        var includesNotes: Bool { self == .everything }
    }

    /// The facts about a ticket the decision needs.
    struct TicketFacts: Sendable {
        var requesterID: UUID
        var organizationID: UUID
    }

    /// May someone with `scope` see this ticket (and its messages, attachments, events)?
    static func canSee(_ ticket: TicketFacts, scope: Scope?) -> Bool {
        switch scope {
        case nil:
            return false
        case .everything:
            return true
        case .customer(let personID, let organizationID, let teamShares):
            if ticket.requesterID == personID { return true }
            return teamShares && organizationID != nil && ticket.organizationID == organizationID
        }
    }

    /// The scope of a person: loads their role and their organization's sharing setting.
    static func scope(of personID: UUID, on db: any Database) async throws -> Scope? {
        guard let person = try await Person.find(personID, on: db), !person.disabled else { return nil }
        if person.role.isStaff { return .everything }
        var shares = false
        if let organizationID = person.$organization.id {
            shares = try await Organization.find(organizationID, on: db)?.sharesTickets ?? false
        }
        return .customer(personID: personID, organizationID: person.$organization.id, teamShares: shares)
    }

    /// The same rule as `canSee`, as an SQL condition on a query over `tickets` (for
    /// lists, counts and search), so a page never fetches what it may not show.
    static func ticketFilter(_ scope: Scope) -> any SQLExpression {
        switch scope {
        case .everything:
            return SQLLiteral.boolean(true)
        case .customer(let personID, let organizationID, let teamShares):
            let own = SQLBinaryExpression(left: SQLColumn("requester_id", table: "tickets"), op: SQLBinaryOperator.equal, right: SQLBind(personID))
            guard teamShares, let organizationID else { return own }
            let team = SQLBinaryExpression(left: SQLColumn("organization_id", table: "tickets"), op: SQLBinaryOperator.equal, right: SQLBind(organizationID))
            return SQLGroupExpression(SQLBinaryExpression(left: own, op: SQLBinaryOperator.or, right: team))
        }
    }

    /// `ticketFilter` for Fluent queries on `Ticket`.
    static func apply(_ scope: Scope, to query: QueryBuilder<Ticket>) -> QueryBuilder<Ticket> {
        switch scope {
        case .everything:
            return query
        case .customer(let personID, let organizationID, let teamShares):
            guard teamShares, let organizationID else { return query.filter(\.$requester.$id == personID) }
            return query.group(.or) { group in
                group.filter(\.$requester.$id == personID).filter(\.$organization.$id == organizationID)
            }
        }
    }
}
