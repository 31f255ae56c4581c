import Fluent
import Foundation
import Logging

/// Mails the one reminder of information requests whose customer has been silent for
/// `--info-reminder-after`. Every process runs one; `InfoRequests.sendDueReminders` claims
/// each request with a compare-and-set, so none is reminded twice.
struct ReminderWorker: Sendable {
    let services: FairdeskServices
    let database: any Database
    let logger: Logger
    /// How often to look; a reminder is due after hours or days, so a minute is plenty.
    static let interval: Duration = .seconds(60)

    func run() async {
        while !Task.isCancelled {
            do {
                let sent = try await InfoRequests(services: services, database: database).sendDueReminders()
                if sent > 0 { logger.info("information request reminders sent", metadata: ["count": "\(sent)"]) }
                try await Task.sleep(for: Self.interval)
            } catch is CancellationError {
                return
            } catch {
                logger.error("reminder pass failed", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: Self.interval)
            }
        }
    }
}
