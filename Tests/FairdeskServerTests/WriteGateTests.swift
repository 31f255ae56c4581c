import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import FairdeskServer

extension ServerSuite {
    /// Group commit: many concurrent write transactions share commits, each caller gets its
    /// own result, and one body's failure rolls back that body only.
    @Suite struct WriteGateTests {
        @Test func concurrentBodiesCommitTogetherAndFailAlone() async throws {
            try await withTestApp { app in
                let gate = app.fairdesk.writes
                let database = app.db
                let count = 40
                let results = try await withThrowingTaskGroup(of: (Int, Result<Int, any Error>).self) { group in
                    for index in 0..<count {
                        group.addTask {
                            do {
                                let value = try await gate.transaction(on: database) { db -> Int in
                                    let sql = try #require(db as? any SQLDatabase)
                                    try await sql.raw("INSERT INTO counters (name, value) VALUES (\(bind: "gate-\(index)"), \(bind: index))").run()
                                    if index % 7 == 3 {
                                        // Same name twice: the unique constraint fails this body.
                                        try await sql.raw("INSERT INTO counters (name, value) VALUES (\(bind: "gate-\(index)"), 0)").run()
                                    }
                                    return index * 10
                                }
                                return (index, .success(value))
                            } catch {
                                return (index, .failure(error))
                            }
                        }
                    }
                    var results: [Int: Result<Int, any Error>] = [:]
                    for try await (index, result) in group { results[index] = result }
                    return results
                }

                let sql = try #require(app.db as? any SQLDatabase)
                struct Row: Decodable { var name: String }
                let stored = Set(try await sql.raw("SELECT name FROM counters WHERE name LIKE 'gate-%'").all(decoding: Row.self).map(\.name))
                for index in 0..<count {
                    let failing = index % 7 == 3
                    switch results[index] {
                    case .success(let value):
                        #expect(!failing, "body \(index) should have failed")
                        #expect(value == index * 10)
                        #expect(stored.contains("gate-\(index)"), "body \(index) succeeded but its row is missing")
                    case .failure(let error):
                        #expect(failing, "body \(index) failed: \(error)")
                        #expect((error as? any DatabaseError)?.isConstraintFailure == true, "body \(index): \(error)")
                        #expect(!stored.contains("gate-\(index)"), "the failed body \(index) left its first row behind")
                    case nil:
                        Issue.record("no result for body \(index)")
                    }
                }
                #expect(stored.count == (0..<count).filter { $0 % 7 != 3 }.count)
            }
        }

        @Test func waitingBodiesShareOneCommit() async throws {
            // A body that waits until the others have queued: they then run as one batch.
            let gate = WriteGate(serializes: true)
            try await withTestApp { app in
                let database = app.db
                let (released, release) = AsyncStream<Void>.makeStream()
                async let first: Int = gate.transaction(on: database) { _ in
                    for await _ in released { break }
                    return 0
                }
                while await gate.batchCount == 0 { await Task.yield() }
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 1...20 {
                        group.addTask { try await gate.transaction(on: database) { _ in index } }
                    }
                    while await gate.queuedCount < 20 { await Task.yield() }
                    release.yield()
                    var sum = 0
                    for try await value in group { sum += value }
                    #expect(sum == (1...20).reduce(0, +))
                }
                _ = try await first
                #expect(await gate.batchCount == 2, "21 bodies: the first alone, then the 20 that queued behind it")
            }
        }
    }
}
