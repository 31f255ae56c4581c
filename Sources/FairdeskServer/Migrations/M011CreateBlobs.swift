import Fluent

/// Small blobs, sealed (AES-GCM with the owner's data key, exactly as a blob file), kept
/// in the database so they commit with the rows that name them (`BlobStore.inlineLimit`).
struct M011CreateBlobs: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("blobs")
            .field("owner_id", .uuid, .required)
            .field("name", .string, .required)
            .field("size", .int, .required)
            .field("sealed", .data, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "owner_id", "name")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("blobs").delete()
    }
}
