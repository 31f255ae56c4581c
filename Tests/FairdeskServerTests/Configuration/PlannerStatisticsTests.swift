import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import FairdeskServer

extension ServerSuite {
    /// SQLite's planner gets statistics for an index a migration added (without them it
    /// preferred a new index that did not fit the queue's query: docs/PERFORMANCE.md).
    @Suite struct PlannerStatisticsTests {
        @Test func anIndexWithoutStatisticsOnATableWithRowsIsAnalyzed() async throws {
            try await withTestApp { app in
                let sql = try #require(app.db as? any SQLDatabase)
                guard sql.dialect.name == "sqlite" else { return }
                _ = try await app.ingest(SupportPolicyTests.mail(from: "a@one.example", subject: "One", body: "Hi.", id: "s1@one.example"))
                try await sql.raw("ANALYZE").run()
                try await sql.raw("CREATE INDEX tickets_probe ON tickets(subject)").run()
                struct Row: Decodable { var idx: String? }
                func stats() async throws -> Set<String> {
                    Set(try await sql.raw("SELECT idx FROM sqlite_stat1").all(decoding: Row.self).compactMap(\.idx))
                }
                #expect(try await !stats().contains("tickets_probe"))
                try await refreshSQLiteStatistics(app)
                #expect(try await stats().contains("tickets_probe"))
            }
        }
    }
}
