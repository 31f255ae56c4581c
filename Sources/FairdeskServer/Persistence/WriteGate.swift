import Fluent

/// Lets one write transaction at a time through on SQLite, and all of them on PostgreSQL.
///
/// SQLite has a single writer. In WAL mode a deferred transaction that has read and then
/// wants to write fails with SQLITE_BUSY_SNAPSHOT when another writer committed in
/// between — a busy handler cannot help — so concurrent ingest transactions failed under
/// load (the sender got 451). Queueing them in-process (FIFO) avoids the conflict; one
/// process per SQLite file is the supported set-up.
actor WriteGate {
    private let serializes: Bool
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(serializes: Bool) {
        self.serializes = serializes
    }

    /// Runs `body` in a database transaction, after the transactions queued before it.
    nonisolated func transaction<T: Sendable>(on database: any Database, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard serializes else { return try await database.transaction(body) }
        await acquire()
        do {
            let result = try await database.transaction(body)
            await release()
            return result
        } catch {
            await release()
            throw error
        }
    }

    private func acquire() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}
