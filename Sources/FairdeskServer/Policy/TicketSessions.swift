import FairdeskPolicy
import Fluent
import Foundation
import SQLKit
import Vapor

/// The policy's `Channel`, named apart from SwiftNIO's `Channel` in server code.
typealias SupportChannel = FairdeskPolicy.Channel

/// Phone calls, video calls and remote sessions on a ticket: scheduled (an escalation on
/// plans without the channel, which needs a recorded reason) and logged when they happen
/// (start, end, agents present, summary), because the timeline is the audit trail.
enum TicketSessions {
    struct Row: Sendable, Decodable {
        var id: UUID
        var createdAt: Date
        var channel: String
        var scheduledFor: Date?
        var customerTimezone: String?
        var escalationReason: String?
        var startedAt: Date?
        var endedAt: Date?
        /// JSON array of person ids.
        var agents: String
        var summary: String?

        var kind: SupportChannel? { SupportChannel(rawValue: channel) }
        var agentIDs: [UUID] { Queries.decodeList(agents).compactMap(UUID.init(uuidString:)) }
    }

    static func list(ticketID: UUID, on db: any Database) async throws -> [Row] {
        try await Rows(db).sql.select()
            .columns("id", "created_at", "channel", "scheduled_for", "customer_timezone", "escalation_reason", "started_at",
                     "ended_at", "agents", "summary")
            .from("ticket_sessions").where("ticket_id", .equal, ticketID).orderBy("created_at")
            .all(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)
    }

    /// A refusal that names the field to fix.
    struct FieldError: AbortError {
        var field: String
        var message: String
        var status: HTTPResponseStatus { .unprocessableEntity }
        var reason: String { "\(field): \(message)" }
    }

    static func realTime(_ raw: String?) throws -> SupportChannel {
        guard let channel = raw.flatMap(SupportChannel.init(rawValue:)), channel.isRealTime else {
            throw FieldError(field: "channel", message: "one of \(SupportChannel.allCases.filter(\.isRealTime).map(\.rawValue).joined(separator: ", "))")
        }
        return channel
    }

    static func timeZone(_ raw: String?) throws -> TimeZone {
        let name = (raw ?? "").trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, let zone = TimeZone(identifier: name) else {
            throw FieldError(field: "customerTimezone", message: "a time zone name such as Europe/Berlin or America/New_York")
        }
        return zone
    }

    /// "2026-11-25 14:00 UTC (15:00 Europe/Berlin)".
    static func describe(_ date: Date, in zone: TimeZone?) -> String {
        guard let zone, zone.identifier != "UTC", zone.identifier != "GMT" else { return Format.date(date) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let local = String(format: "%04d-%02d-%02d %02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0)
        return "\(Format.date(date)) (\(local) \(zone.identifier), the customer's time)"
    }

    /// Schedules a call or remote session. On a plan without `channel` it is an escalation
    /// and needs `reason` (why email is not working); refused otherwise, nothing written.
    @discardableResult
    static func schedule(number: Int, channel: SupportChannel, at time: Date, customerZone: TimeZone, reason: String?, actor: UUID,
                         services: FairdeskServices, on db: any Database, now: Date = Date()) async throws -> UUID {
        try await services.writes.transaction(on: db) { db in
            let ticket = try await Queries.ticket(number: number, on: db)
            let plan = Plans.plan(id: ticket.plan)
            let decision = Escalation.decide(plan: plan, channel: channel, reason: reason)
            let escalation: String?
            switch decision {
            case .allowed: escalation = nil
            case .needsReason:
                throw FieldError(field: "reason", message: "on the \(plan.name) plan a \(channel.title) is an escalation: "
                                 + "record why email is not working before scheduling one")
            case .escalated(let why): escalation = why
            }
            let rows = try Rows(db)
            let ticketID = try ticket.requireID()
            let id = try await rows.insert("ticket_sessions", [
                "ticket_id": ticketID, "channel": channel.rawValue, "scheduled_for": time, "customer_timezone": customerZone.identifier,
                "escalation_reason": escalation, "started_at": Date?.none, "ended_at": Date?.none, "agents": "[]",
                "summary": String?.none, "created_by": actor,
            ])
            try await rows.event(ticket: ticketID, actor: actor, kind: escalation == nil ? "session.scheduled" : "escalation.scheduled",
                                 detail: "\(channel.title) on \(describe(time, in: customerZone))", reason: escalation)
            return id
        }
    }

    /// Logs a call or session that happened. On a plan without the channel, and with no
    /// escalation of that channel scheduled on the ticket, a reason is needed as well.
    @discardableResult
    static func log(number: Int, channel: SupportChannel, startedAt: Date, endedAt: Date, agents: [UUID], summary: String,
                    reason: String?, actor: UUID, services: FairdeskServices, on db: any Database) async throws -> UUID {
        guard endedAt > startedAt else { throw FieldError(field: "endedAt", message: "the end must come after the start") }
        guard endedAt.timeIntervalSince(startedAt) <= 24 * 3600 else { throw FieldError(field: "endedAt", message: "a session of more than a day? Check the dates") }
        let summary = summary.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !summary.isEmpty else { throw FieldError(field: "summary", message: "say what was found, decided or done") }
        guard !agents.isEmpty else { throw FieldError(field: "agents", message: "choose the agents who took part") }
        return try await services.writes.transaction(on: db) { db in
            let ticket = try await Queries.ticket(number: number, on: db)
            let ticketID = try ticket.requireID()
            let staff = try await Person.query(on: db).filter(\.$id ~~ agents).all().filter { $0.role != .customer }
            guard staff.count == Set(agents).count else { throw FieldError(field: "agents", message: "only agents and admins can be listed") }
            let plan = Plans.plan(id: ticket.plan)
            var escalation: String? = nil
            if !plan.channels.contains(channel) {
                let scheduled = try await list(ticketID: ticketID, on: db).contains { $0.channel == channel.rawValue && $0.escalationReason != nil }
                if !scheduled {
                    switch Escalation.decide(plan: plan, channel: channel, reason: reason) {
                    case .allowed: break
                    case .needsReason:
                        throw FieldError(field: "reason", message: "on the \(plan.name) plan a \(channel.title) is an escalation: "
                                         + "record why email was not working")
                    case .escalated(let why): escalation = why
                    }
                }
            }
            let rows = try Rows(db)
            let id = try await rows.insert("ticket_sessions", [
                "ticket_id": ticketID, "channel": channel.rawValue, "scheduled_for": Date?.none, "customer_timezone": String?.none,
                "escalation_reason": escalation, "started_at": startedAt, "ended_at": endedAt,
                "agents": MailIngestor.json(agents.map(\.uuidString)), "summary": String(summary.prefix(10_000)), "created_by": actor,
            ])
            let minutes = Int((endedAt.timeIntervalSince(startedAt) / 60).rounded())
            let names = staff.map { $0.name ?? "an agent" }.sorted().joined(separator: ", ")
            try await rows.event(ticket: ticketID, actor: actor, kind: "session.logged",
                                 detail: "\(channel.title), \(Format.date(startedAt)), \(minutes) min, with \(names)",
                                 reason: escalation)
            return id
        }
    }
}
