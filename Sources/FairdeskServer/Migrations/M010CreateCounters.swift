import Fluent

struct M010CreateCounters: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("counters")
            .field("name", .string, .identifier(auto: false))
            .field("value", .int, .required)
            .create()
        try await NamedCounter(name: "ticket_number", value: 0).create(on: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema("counters").delete()
    }
}
