import Fluent
import SQLKit

/// The blind search index (see SearchIndex): one row per ticket message, holding keyed
/// hashes of its words in order, never the words.
///
/// SQLite: `search_documents` names the message, its ticket and whether it is a note; a
/// contentless FTS5 table `search_fts` holds the tokens under the same rowid. Contentless
/// because the tokens are all it could store anyway, and a copy of them would double the
/// index; `contentless_delete` lets a document be replaced; the `ascii` tokenizer reads
/// the space-separated hex tokens as they are. A trigger removes the FTS5 row with its
/// document (FTS5 tables take no foreign keys).
///
/// PostgreSQL: the same table with the tokens in a `tsvector` column under a GIN index.
struct M015CreateSearchIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw SearchIndexError.unsupportedDatabase("\(type(of: database))") }
        switch try SearchDialect(sql) {
        case .sqlite:
            try await sql.raw("""
                CREATE TABLE search_documents (
                    id INTEGER PRIMARY KEY,
                    message_id UUID NOT NULL UNIQUE REFERENCES ticket_messages (id) ON DELETE CASCADE,
                    ticket_id UUID NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
                    is_note BOOLEAN NOT NULL
                )
                """).run()
            try await sql.raw("""
                CREATE VIRTUAL TABLE search_fts USING fts5(
                    meta, body, scope, content = '', contentless_delete = 1, tokenize = 'ascii', detail = full
                )
                """).run()
            try await sql.raw("""
                CREATE TRIGGER search_documents_delete AFTER DELETE ON search_documents BEGIN
                    DELETE FROM search_fts WHERE rowid = old.id;
                END
                """).run()
        case .postgres:
            try await sql.raw("""
                CREATE TABLE search_documents (
                    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    message_id UUID NOT NULL UNIQUE REFERENCES ticket_messages (id) ON DELETE CASCADE,
                    ticket_id UUID NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
                    is_note BOOLEAN NOT NULL,
                    terms TSVECTOR NOT NULL
                )
                """).run()
            try await sql.raw("CREATE INDEX search_documents_terms ON search_documents USING GIN (terms)").run()
        }
        // Deleting a ticket finds its documents by this (the cascade), and so does the rebuild.
        try await sql.create(index: "search_documents_ticket").on("search_documents").column("ticket_id").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        if try SearchDialect(sql) == .sqlite {
            try await sql.raw("DROP TABLE IF EXISTS search_fts").run()
        }
        try await sql.raw("DROP TABLE IF EXISTS search_documents").run()
    }
}
