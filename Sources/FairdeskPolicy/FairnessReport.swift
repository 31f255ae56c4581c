import Foundation

/// A ticket that was answered: how long it waited and whether it was taken out of order.
public struct AnsweredTicket: Sendable, Equatable {
    public var number: Int
    public var waitingSince: Date
    public var answeredAt: Date
    public var outOfOrder: Bool
    /// The recorded out-of-order reason (`OutOfOrderReason.description`), if any.
    public var reason: String?

    public init(number: Int, waitingSince: Date, answeredAt: Date, outOfOrder: Bool = false, reason: String? = nil) {
        self.number = number
        self.waitingSince = waitingSince
        self.answeredAt = answeredAt
        self.outOfOrder = outOfOrder
        self.reason = reason
    }

    /// How long it waited. Never negative: an answer stamped before the wait began (clocks
    /// of two servers disagreeing) counts as no wait rather than as a negative one.
    public var wait: TimeInterval { max(0, answeredAt.timeIntervalSince(waitingSince)) }
}

public struct WaitingTicket: Sendable, Equatable {
    public var number: Int
    public var waitingSince: Date

    public init(number: Int, waitingSince: Date) {
        self.number = number
        self.waitingSince = waitingSince
    }
}

public enum ReportPeriod: String, Sendable, CaseIterable {
    case day, week
}

/// How fair the queue was, for admins (DESIGN.md §2): answers and waits per period, how
/// often and why tickets were taken out of order, and who waited longest.
public struct FairnessReport: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public var start: Date
        public var end: Date
        public var answered: Int
        public var medianWait: TimeInterval?
        public var p90Wait: TimeInterval?
        public var outOfOrder: Int
        public var outOfOrderShare: Double?

        public init(start: Date, end: Date, answered: Int, medianWait: TimeInterval?, p90Wait: TimeInterval?,
                    outOfOrder: Int, outOfOrderShare: Double?) {
            self.start = start
            self.end = end
            self.answered = answered
            self.medianWait = medianWait
            self.p90Wait = p90Wait
            self.outOfOrder = outOfOrder
            self.outOfOrderShare = outOfOrderShare
        }
    }

    public struct ReasonCount: Sendable, Equatable {
        public var reason: String
        public var count: Int

        public init(reason: String, count: Int) {
            self.reason = reason
            self.count = count
        }
    }

    public var period: ReportPeriod
    /// Every period in [from, to), oldest first, including empty ones (answered 0, nil waits).
    public var rows: [Row]
    /// Out-of-order reasons over the whole range, most frequent first (then alphabetical).
    public var reasons: [ReasonCount]
    /// The 10 longest waits answered in the range, longest first.
    public var longestAnswered: [AnsweredTicket]
    /// The 10 tickets still waiting longest, oldest first.
    public var longestWaiting: [WaitingTicket]
    /// The whole range.
    public var totals: Row

    /// How many tickets each "longest" list shows.
    public static let listLength = 10
    /// The reason shown for an out-of-order answer recorded without one (data from before
    /// reasons were required, or an import).
    public static let missingReason = "(no reason recorded)"

    /// Periods are UTC days, or ISO weeks starting Monday 00:00 UTC. The first and last rows
    /// are cut to [from, to) when those dates fall inside a period, so a row never counts
    /// time outside the range. An answer belongs to the period of its `answeredAt`; answers
    /// outside [from, to) are left out. Percentiles are by nearest rank (the median of an
    /// even count is the lower middle value).
    public static func build(answered: [AnsweredTicket], waiting: [WaitingTicket], period: ReportPeriod,
                             from: Date, to: Date) -> FairnessReport {
        let inRange = answered.filter { $0.answeredAt >= from && $0.answeredAt < to }

        var rows: [Row] = []
        var start = from
        while start < to {
            let end = min(to, periodStart(containing: start, period: period).addingTimeInterval(length(of: period)))
            let members = inRange.filter { $0.answeredAt >= start && $0.answeredAt < end }
            rows.append(row(start: start, end: end, answers: members))
            start = end
        }

        var counts: [String: Int] = [:]
        for ticket in inRange where ticket.outOfOrder {
            let reason = ticket.reason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            counts[reason.isEmpty ? missingReason : reason, default: 0] += 1
        }
        let reasons = counts
            .map { ReasonCount(reason: $0.key, count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.reason < $1.reason }

        let longestAnswered = inRange
            .sorted { $0.wait != $1.wait ? $0.wait > $1.wait : $0.number < $1.number }
            .prefix(listLength)
        let longestWaiting = waiting
            .sorted { $0.waitingSince != $1.waitingSince ? $0.waitingSince < $1.waitingSince : $0.number < $1.number }
            .prefix(listLength)

        return FairnessReport(
            period: period,
            rows: rows,
            reasons: reasons,
            longestAnswered: Array(longestAnswered),
            longestWaiting: Array(longestWaiting),
            totals: row(start: from, end: max(from, to), answers: inRange)
        )
    }

    // MARK: Periods

    static func length(of period: ReportPeriod) -> TimeInterval {
        switch period {
        case .day: 86400
        case .week: 7 * 86400
        }
    }

    /// The start of the UTC day or ISO week holding `date`. Plain arithmetic on the Unix
    /// epoch: UTC has no daylight saving, and 1970-01-01 was a Thursday, three days after
    /// the Monday 1969-12-29 that weeks count from.
    static func periodStart(containing date: Date, period: ReportPeriod) -> Date {
        let day = (date.timeIntervalSince1970 / 86400).rounded(.down)
        switch period {
        case .day:
            return Date(timeIntervalSince1970: day * 86400)
        case .week:
            let sinceMonday = (day + 3).truncatingRemainder(dividingBy: 7)
            let offset = sinceMonday < 0 ? sinceMonday + 7 : sinceMonday
            return Date(timeIntervalSince1970: (day - offset) * 86400)
        }
    }

    // MARK: Statistics

    static func row(start: Date, end: Date, answers: [AnsweredTicket]) -> Row {
        let waits = answers.map(\.wait).sorted()
        let outOfOrder = answers.filter(\.outOfOrder).count
        return Row(
            start: start,
            end: end,
            answered: answers.count,
            medianWait: percentile(50, ofSorted: waits),
            p90Wait: percentile(90, ofSorted: waits),
            outOfOrder: outOfOrder,
            outOfOrderShare: answers.isEmpty ? nil : Double(outOfOrder) / Double(answers.count)
        )
    }

    /// Nearest rank: the smallest value with at least `percent`% of all values at or below
    /// it, i.e. the ⌈percent × n / 100⌉-th. Integer arithmetic, so 90% of 10 is exactly 9.
    static func percentile(_ percent: Int, ofSorted values: [TimeInterval]) -> TimeInterval? {
        guard !values.isEmpty else { return nil }
        let rank = (percent * values.count + 99) / 100
        return values[min(values.count, max(1, rank)) - 1]
    }
}
