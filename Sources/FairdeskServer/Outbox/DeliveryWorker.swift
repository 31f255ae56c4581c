import FairdeskTransport
import Fluent
import Foundation
import Logging
import NIOPosix

/// Where outgoing mail goes.
protocol MailSink: Sendable {
    /// Throws `DeliveryError` (or any error, read as temporary).
    func deliver(from: String, to recipients: [String], raw: [UInt8], name: String) async throws
}

enum DeliveryError: Error, CustomStringConvertible {
    case temporary(String)
    case permanent(String)

    var description: String {
        switch self {
        case .temporary(let text): return "temporary: \(text)"
        case .permanent(let text): return "permanent: \(text)"
        }
    }
}

/// Without a relay: one `.eml` per message in `<data>/outgoing/`, named so a directory
/// listing sorts in sending order.
struct FileMailSink: MailSink {
    let directory: String

    func deliver(from: String, to recipients: [String], raw: [UInt8], name: String) async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let stamp = String(format: "%017.6f", Date().timeIntervalSince1970).replacingOccurrences(of: ".", with: "-")
        let path = "\(directory)/\(stamp)-\(name).eml"
        let temporary = "\(directory)/.\(stamp)-\(name).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(raw)) else {
            throw DeliveryError.temporary("cannot write \(temporary)")
        }
        guard rename(temporary, path) == 0 else { throw DeliveryError.temporary("cannot rename to \(path): errno \(errno)") }
    }
}

/// Through an SMTP relay (`FAIRDESK_SMTP_URL`).
struct RelayMailSink: MailSink {
    let configuration: SMTPClientConfiguration
    let logger: Logger

    func deliver(from: String, to recipients: [String], raw: [UInt8], name: String) async throws {
        let client = SMTPClient(configuration: configuration, eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger)
        do {
            _ = try await client.send(from: from, to: recipients, message: raw)
        } catch let error as SMTPClientError {
            throw error.isPermanent ? DeliveryError.permanent(error.description) : DeliveryError.temporary(error.description)
        }
    }
}

/// Sends queued mail. Each process runs one worker; a message is claimed by a conditional
/// UPDATE (claimed_until in the past → ours until a lease runs out), which the database
/// serializes, so two workers never send the same message. A worker that dies mid-send
/// loses its lease and the message is retried: delivery is at-least-once, never zero.
struct DeliveryWorker: Sendable {
    let services: FairdeskServices
    let database: any Database
    let sink: any MailSink
    let logger: Logger
    let workerID: String
    static let lease: TimeInterval = 300
    static let maxAttempts = 12

    /// Backoff after `attempts` failures: 1 min, 2, 4, … capped at 4 h.
    static func backoff(afterAttempts attempts: Int) -> TimeInterval {
        min(60 * pow(2, Double(max(0, attempts - 1))), 4 * 3600)
    }

    func run() async {
        while !Task.isCancelled {
            do {
                let sent = try await runOnce()
                if sent == 0 { try await Task.sleep(for: .seconds(services.configuration.outboxPollSeconds)) }
            } catch is CancellationError {
                return
            } catch {
                logger.error("outbox pass failed", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(5))
            }
        }
    }

    /// Claims and sends what is due now; returns how many it handled.
    @discardableResult
    func runOnce(now: Date = Date()) async throws -> Int {
        let due = try await OutboxMessage.query(on: database)
            .filter(\.$status == .queued)
            .filter(\.$nextAttemptAt <= now)
            .group(.or) { $0.filter(\.$claimedUntil == nil).filter(\.$claimedUntil < now) }
            .sort(\.$nextAttemptAt)
            .limit(20)
            .all()
        var handled = 0
        for candidate in due {
            guard let claimed = try await claim(candidate, now: now) else { continue }
            await send(claimed, now: now)
            handled += 1
        }
        return handled
    }

    private func claim(_ candidate: OutboxMessage, now: Date) async throws -> OutboxMessage? {
        let id = try candidate.requireID()
        let workerID = self.workerID
        try await services.writes.transaction(on: database) { db in
            try await OutboxMessage.query(on: db)
            .filter(\.$id == id)
            .filter(\.$status == .queued)
            .group(.or) { $0.filter(\.$claimedUntil == nil).filter(\.$claimedUntil < now) }
            .set(\.$claimedBy, to: workerID)
            .set(\.$claimedUntil, to: now.addingTimeInterval(Self.lease))
            .update()
        }
        guard let row = try await OutboxMessage.find(id, on: database), row.claimedBy == workerID, row.status == .queued else { return nil }
        return row
    }

    private func send(_ row: OutboxMessage, now: Date) async {
        let recipients = (try? JSONDecoder().decode([String].self, from: Data(row.recipients.utf8))) ?? []
        do {
            let raw = try await services.blobs.get(BlobReference(name: row.rawBlob, size: row.rawSize), owner: row.ownerID)
            var name = "mail"
            if let ticketID = row.$ticket.id, let ticket = try await Ticket.find(ticketID, on: database) {
                name = "ticket\(ticket.number)"
            }
            name += "-" + (row.id?.uuidString.prefix(8).lowercased() ?? "")
            try await sink.deliver(from: row.mailFrom, to: recipients, raw: raw, name: name)
            row.status = .sent
            row.sentAt = Date()
            row.claimedUntil = nil
            row.lastError = nil
            try await record(row, kind: "mail.sent", detail: "delivered to \(recipients.joined(separator: ", "))")
            services.metrics.deliveries.increment()
        } catch {
            services.metrics.deliveryFailures.increment()
            row.attempts += 1
            row.lastError = String(describing: error).prefix(500).description
            row.claimedUntil = nil
            let permanent: Bool
            if case DeliveryError.permanent = error { permanent = true } else { permanent = row.attempts >= Self.maxAttempts }
            if permanent {
                row.status = .failed
            } else {
                row.nextAttemptAt = now.addingTimeInterval(Self.backoff(afterAttempts: row.attempts))
            }
            do {
                try await record(row, kind: permanent ? "mail.failed" : "mail.deferred",
                                 detail: "attempt \(row.attempts): \(row.lastError ?? "")")
            } catch {
                logger.error("cannot record a delivery failure", metadata: ["error": "\(error)"])
            }
            logger.warning("delivery failed", metadata: ["outbox": "\(row.id?.uuidString ?? "?")", "permanent": "\(permanent)", "error": "\(error)"])
        }
    }

    /// Saves the row and its timeline event in one transaction.
    private func record(_ row: OutboxMessage, kind: String, detail: String) async throws {
        try await services.writes.transaction(on: database) { db in
            try await row.save(on: db)
            guard let ticketID = row.$ticket.id else { return }
            try await TicketEvent(ticketID: ticketID, actorID: nil, kind: kind, detail: "\(detail) (Message-ID \(row.messageID))").create(on: db)
        }
    }
}
