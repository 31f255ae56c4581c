import Fluent
import SQLKit

/// Indexes for the desk's and the portal's lists, so each page reads only its rows at a
/// million tickets: a person's tickets (person page, portal), an agent's assigned tickets
/// ("mine"), and an organization's members.
struct M018AddListIndexes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "tickets_requester").on("tickets").column("requester_id").column("number").run()
        try await sql.create(index: "tickets_assignee").on("tickets").column("assignee_id").column("number").run()
        try await sql.create(index: "people_organization").on("people").column("organization_id").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for name in ["people_organization", "tickets_assignee", "tickets_requester"] {
            try await sql.drop(index: name).run()
        }
    }
}
