import Fluent
import SQLKit

/// A person's addresses by person, oldest first. The session middleware, assignee labels
/// and ticket lists read "the first address of this person" on every page; without this
/// index SQLite built a temporary index over every address for each such statement
/// (about 40 ms per page with 50,000 people; measured with `web_bench.py` at a million
/// tickets).
///
/// Also tickets by status, newest first: the resolved and waiting-on-customer views read
/// `status = ? ORDER BY number DESC LIMIT n`; with only (status, waiting_since) SQLite
/// sorted every ticket of that status (0.9 s for 760,000 resolved tickets).
struct M020AddPersonAddressIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "person_addresses_person").on("person_addresses").column("person_id").column("created_at").run()
        try await sql.create(index: "tickets_status_number").on("tickets").column("status").column("number").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: "tickets_status_number").run()
        try await sql.drop(index: "person_addresses_person").run()
    }
}
