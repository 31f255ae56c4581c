import Fluent

struct M002CreatePeople: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("people")
            .id()
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("name", .string)
            .field("role", .string, .required)
            .field("password_hash", .string)
            .field("must_change_password", .bool, .required)
            .field("disabled", .bool, .required)
            .field("organization_id", .uuid, .references("organizations", "id"))
            .create()
        try await database.schema("person_addresses")
            .id()
            .field("created_at", .datetime)
            .field("address", .string, .required)
            .field("key", .string, .required)
            .field("person_id", .uuid, .required, .references("people", "id", onDelete: .cascade))
            .unique(on: "key")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("person_addresses").delete()
        try await database.schema("people").delete()
    }
}
