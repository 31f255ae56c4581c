import FairdeskPolicy
import Fluent
import Foundation
import SQLKit
import Vapor

/// `?period=day|week&days=N` of the fairness report (page and API).
struct FairnessQuery: Content {
    var period: String?
    var days: Int?

    static let defaultDays = 28
    static let maxDays = 366

    func parsedPeriod() throws -> ReportPeriod {
        guard let raw = period, !raw.isEmpty else { return .day }
        guard let period = ReportPeriod(rawValue: raw) else {
            throw Abort(.badRequest, reason: "period: day or week")
        }
        return period
    }

    func parsedDays() throws -> Int {
        guard let days else { return Self.defaultDays }
        guard (1...Self.maxDays).contains(days) else { throw Abort(.badRequest, reason: "days: from 1 to \(Self.maxDays)") }
        return days
    }
}

/// The fairness report's data: answers in the range, and the longest-waiting tickets now.
enum FairnessQueries {
    /// The start of the report: `days` whole UTC days back, so the first row is complete
    /// (weeks start on the Monday on or before it).
    static func start(days: Int, period: ReportPeriod, now: Date) -> Date {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let today = calendar.startOfDay(for: now)
        let first = calendar.date(byAdding: .day, value: -(days - 1), to: today) ?? today
        guard period == .week else { return first }
        let weekday = calendar.component(.weekday, from: first)  // 1 = Sunday … 7 = Saturday
        return calendar.date(byAdding: .day, value: -((weekday + 5) % 7), to: first) ?? first
    }

    static func report(period: ReportPeriod, days: Int, now: Date, on db: any Database) async throws -> FairnessReport {
        let sql = try Rows(db).sql
        let from = start(days: days, period: period, now: now)
        struct Answer: Decodable {
            var number: Int
            var waitingSince: Date
            var answeredAt: Date
            var outOfOrder: Bool
            var reason: String?
        }
        let answers = try await sql.select().columns("number", "waiting_since", "answered_at", "out_of_order", "reason")
            .from("queue_answers").where("answered_at", .greaterThanOrEqual, SQLBind(from))
            .where("answered_at", .lessThanOrEqual, SQLBind(now))
            .all(decoding: Answer.self, keyDecodingStrategy: .convertFromSnakeCase)
        struct Waiting: Decodable {
            var number: Int
            var waitingSince: Date
        }
        let waiting = try await sql.select().columns("number", "waiting_since").from("tickets")
            .where("status", .equal, TicketStatus.waitingOnSupport.rawValue)
            .orderBy("waiting_since").orderBy("number").limit(10)
            .all(decoding: Waiting.self, keyDecodingStrategy: .convertFromSnakeCase)
        return FairnessReport.build(
            answered: answers.map { AnsweredTicket(number: $0.number, waitingSince: $0.waitingSince, answeredAt: $0.answeredAt,
                                                   outOfOrder: $0.outOfOrder, reason: $0.reason) },
            waiting: waiting.map { WaitingTicket(number: $0.number, waitingSince: $0.waitingSince) },
            period: period, from: from, to: now)
    }
}

struct FairnessReportDTO: Content {
    struct Row: Content {
        var start: Date
        var end: Date
        var answered: Int
        var medianWaitSeconds: Double?
        var p90WaitSeconds: Double?
        var outOfOrder: Int
        var outOfOrderShare: Double?
    }
    struct Reason: Content {
        var reason: String
        var count: Int
    }
    struct Answered: Content {
        var number: Int
        var waitingSince: Date
        var answeredAt: Date
        var waitSeconds: Double
        var outOfOrder: Bool
        var reason: String?
    }
    struct Waiting: Content {
        var number: Int
        var waitingSince: Date
    }
    var period: String
    var rows: [Row]
    var totals: Row
    var reasons: [Reason]
    var longestAnswered: [Answered]
    var longestWaiting: [Waiting]

    init(_ report: FairnessReport) {
        func row(_ row: FairnessReport.Row) -> Row {
            Row(start: row.start, end: row.end, answered: row.answered, medianWaitSeconds: row.medianWait, p90WaitSeconds: row.p90Wait,
                outOfOrder: row.outOfOrder, outOfOrderShare: row.outOfOrderShare)
        }
        period = report.period.rawValue
        rows = report.rows.map(row)
        totals = row(report.totals)
        reasons = report.reasons.map { Reason(reason: $0.reason, count: $0.count) }
        longestAnswered = report.longestAnswered.map {
            Answered(number: $0.number, waitingSince: $0.waitingSince, answeredAt: $0.answeredAt, waitSeconds: $0.wait,
                     outOfOrder: $0.outOfOrder, reason: $0.reason)
        }
        longestWaiting = report.longestWaiting.map { Waiting(number: $0.number, waitingSince: $0.waitingSince) }
    }
}
