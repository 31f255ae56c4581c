import Fluent

struct M009CreateDataKeys: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("data_keys")
            .field("owner_id", .uuid, .identifier(auto: false))
            .field("created_at", .datetime)
            .field("wrapped", .data, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("data_keys").delete()
    }
}
