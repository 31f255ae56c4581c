import Fluent
import SQLKit

/// Runs write transactions: on SQLite, in batches with one commit (group commit); on
/// PostgreSQL, each in its own transaction, concurrently.
///
/// SQLite has a single writer. In WAL mode a deferred transaction that has read and then
/// wants to write fails with SQLITE_BUSY_SNAPSHOT when another writer committed in
/// between, so concurrent transactions must be queued in-process (one process per SQLite
/// file is the supported set-up). While one batch runs, new work queues; the next batch
/// takes everything queued and runs it in one transaction, each body inside its own
/// savepoint. A body that throws rolls back to its savepoint only: the others commit,
/// and only that caller sees the error. Every caller is answered after the commit (the
/// commit's fsync covers the whole batch), so a caller may acknowledge durably stored
/// work (SMTP 250) exactly when `transaction` returns.
actor WriteGate {
    /// Most bodies in one transaction; bounds how long the first caller of a batch waits.
    static let maxBatch = 128

    private let serializes: Bool
    private var pending: [Job] = []
    private var draining = false
    /// Transactions begun (for tests and metrics): fewer than bodies when batching works.
    private(set) var batchCount = 0
    /// Bodies waiting for the next batch.
    var queuedCount: Int { pending.count }

    /// Told the size of each batch as it starts (a metric).
    private let observe: @Sendable (Int) -> Void

    init(serializes: Bool, observe: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.serializes = serializes
        self.observe = observe
    }

    /// Runs `body` in a database transaction (shared with other queued bodies on SQLite)
    /// and returns once that transaction committed.
    nonisolated func transaction<T: Sendable>(on database: any Database, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard serializes else { return try await database.transaction(body) }
        let result = ResultBox<T>()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let job = Job(
                database: database,
                run: { db in result.value = try await body(db) },
                finish: { error in
                    if let error { continuation.resume(throwing: error) } else { continuation.resume() }
                }
            )
            Task { await self.submit(job) }
        }
        guard let value = result.value else { throw WriteGateError.noResult }
        return value
    }

    private func submit(_ job: Job) {
        pending.append(job)
        guard !draining else { return }
        draining = true
        Task { await self.drain() }
    }

    private func drain() async {
        while !pending.isEmpty {
            let count = min(pending.count, Self.maxBatch)
            let batch = Array(pending.prefix(count))
            pending.removeFirst(count)
            batchCount += 1
            observe(batch.count)
            await Self.run(batch)
        }
        draining = false
    }

    /// One transaction for the batch. Returns after every job was answered.
    private static func run(_ batch: [Job]) async {
        let failures: [ObjectIdentifier: any Error]
        do {
            failures = try await batch[0].database.transaction { db -> [ObjectIdentifier: any Error] in
                guard let sql = db as? any SQLDatabase else { throw WriteGateError.notSQL }
                if batch.count == 1 {
                    try await batch[0].run(db)
                    return [:]
                }
                var failures: [ObjectIdentifier: any Error] = [:]
                for (index, job) in batch.enumerated() {
                    let savepoint = SQLIdentifier("fd_batch_\(index)")
                    try await sql.raw("SAVEPOINT \(savepoint)").run()
                    do {
                        try await job.run(db)
                        try await sql.raw("RELEASE SAVEPOINT \(savepoint)").run()
                    } catch {
                        failures[ObjectIdentifier(job)] = error
                        try await sql.raw("ROLLBACK TO SAVEPOINT \(savepoint)").run()
                        try await sql.raw("RELEASE SAVEPOINT \(savepoint)").run()
                    }
                }
                return failures
            }
        } catch {
            // The transaction did not commit: nothing of the batch was stored.
            for job in batch {
                job.finish(error)
            }
            return
        }
        for job in batch {
            job.finish(failures[ObjectIdentifier(job)])
        }
    }

    /// A queued body. `run` stores its result in the caller's box; `finish` answers the caller.
    private final class Job: Sendable {
        let database: any Database
        let run: @Sendable (any Database) async throws -> Void
        let finish: @Sendable ((any Error)?) -> Void

        init(database: any Database, run: @escaping @Sendable (any Database) async throws -> Void,
             finish: @escaping @Sendable ((any Error)?) -> Void) {
            self.database = database
            self.run = run
            self.finish = finish
        }
    }

    /// Written by the body inside the batch, read by the caller after `finish`: the
    /// continuation orders the two, so no lock is needed.
    private final class ResultBox<T: Sendable>: @unchecked Sendable {
        var value: T?
    }
}

enum WriteGateError: Error, CustomStringConvertible {
    case notSQL
    case noResult

    var description: String {
        switch self {
        case .notSQL: return "write batches need an SQL database"
        case .noResult: return "a write transaction finished without a result"
        }
    }
}
