import Fluent

struct M001CreateOrganizations: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("organizations")
            .id()
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("name", .string, .required)
            .field("is_personal", .bool, .required)
            .field("shares_tickets", .bool, .required)
            .field("plan", .string, .required)
            .create()
        try await database.schema("organization_domains")
            .id()
            .field("created_at", .datetime)
            .field("domain", .string, .required)
            .field("organization_id", .uuid, .required, .references("organizations", "id", onDelete: .cascade))
            .unique(on: "domain")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("organization_domains").delete()
        try await database.schema("organizations").delete()
    }
}
