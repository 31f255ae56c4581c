import Foundation

/// A customer's place in the queue and how long the wait is likely to be, from the rate
/// at which requests were actually answered (DESIGN.md §2). When there is too little to go
/// on, it says so instead of guessing.
public struct WaitEstimate: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case estimate(low: TimeInterval, high: TimeInterval)
        case insufficientData
    }

    public var position: Int
    public var kind: Kind
    /// How many answers the estimate rests on, and over how long.
    public var answersInWindow: Int
    public var window: TimeInterval

    public init(position: Int, kind: Kind, answersInWindow: Int, window: TimeInterval) {
        self.position = position
        self.kind = kind
        self.answersInWindow = answersInWindow
        self.window = window
    }

    /// A sentence for the customer: "You are number 4 in the queue. At the rate we have
    /// answered over the last 14 days, we expect to reach your request in about 3 to 6
    /// hours." Durations are in minutes under two hours, hours under two days, days beyond.
    public var sentence: String {
        let place = "You are number \(position) in the queue."
        switch kind {
        case .insufficientData:
            return place + " We have answered too few requests recently to estimate the wait honestly."
        case .estimate(let low, let high):
            return place + " At the rate we have answered over \(Self.spanPhrase(window)), we expect to reach your request in about \(Self.rangePhrase(low, high))."
        }
    }

    // MARK: Wording

    /// A duration as a count and a unit, rounded for people.
    struct Amount: Equatable {
        var value: Int
        var unit: String

        var text: String { "\(value) \(unit)\(value == 1 ? "" : "s")" }
    }

    static func amount(_ duration: TimeInterval) -> Amount {
        let seconds = max(0, duration)
        if seconds < 2 * 3600 {
            var minutes = max(1, Int((seconds / 60).rounded()))
            // "about 45 minutes", not "about 43 minutes": the estimate is not that precise.
            if minutes >= 10 { minutes = Int((Double(minutes) / 5).rounded()) * 5 }
            return Amount(value: minutes, unit: "minute")
        }
        if seconds < 2 * 86400 {
            return Amount(value: Int((seconds / 3600).rounded()), unit: "hour")
        }
        return Amount(value: Int((seconds / 86400).rounded()), unit: "day")
    }

    /// "3 to 6 hours", "45 minutes to 2 hours", "2 days" when both ends round alike.
    static func rangePhrase(_ low: TimeInterval, _ high: TimeInterval) -> String {
        let from = amount(low)
        let to = amount(high)
        if from == to { return to.text }
        if from.unit == to.unit { return "\(from.value) to \(to.text)" }
        return "\(from.text) to \(to.text)"
    }

    /// "the last 14 days", "the last day", "the last 36 hours".
    static func spanPhrase(_ window: TimeInterval) -> String {
        let hours = window / 3600
        if window >= 86400, window.truncatingRemainder(dividingBy: 86400) == 0 {
            let days = Int(window / 86400)
            return days == 1 ? "the last day" : "the last \(days) days"
        }
        if hours >= 1 {
            let whole = Int(hours.rounded())
            return whole == 1 ? "the last hour" : "the last \(whole) hours"
        }
        let minutes = max(1, Int((window / 60).rounded()))
        return minutes == 1 ? "the last minute" : "the last \(minutes) minutes"
    }
}

/// Estimates the wait from answers in a recent window.
///
/// The expected wait for position p is p / rate, the rate being the answers in the window
/// divided by its length. The range is one standard deviation either side, from two
/// sources of spread: reaching the p-th answer of a Poisson process varies by 1/√p
/// (relative), and a rate measured from n answers is uncertain by about 1/√n. Together
/// that is s = √(1/p + 1/n); the range is expected × (1 − s) to expected × (1 + s), kept
/// within half and twice the expected wait, so the low end is never "right away" and the
/// high end never absurd. With n = 10 and p = 4 that is about ×0.5 to ×1.6.
public struct WaitEstimator: Sendable {
    public var window: TimeInterval
    /// Fewer answers than this in the window and the estimate is declined.
    public var minimumAnswers: Int

    public init(window: TimeInterval = 14 * 86400, minimumAnswers: Int = 10) {
        self.window = window
        self.minimumAnswers = minimumAnswers
    }

    /// `answeredAt`: when tickets were answered (first reply after waiting); only those
    /// inside [now − window, now] count. A position below 1 is treated as 1: whoever asks is
    /// at least next.
    public func estimate(position: Int, answeredAt: [Date], now: Date) -> WaitEstimate {
        let start = now.addingTimeInterval(-window)
        return estimate(position: position, answersInWindow: answeredAt.filter { $0 >= start && $0 <= now }.count)
    }

    /// The same from the number of answers inside the window (what a database counts).
    public func estimate(position: Int, answersInWindow answers: Int) -> WaitEstimate {
        let place = max(1, position)
        guard answers >= max(1, minimumAnswers), window > 0 else {
            return WaitEstimate(position: place, kind: .insufficientData, answersInWindow: answers, window: window)
        }
        let expected = Double(place) * window / Double(answers)
        let spread = (1 / Double(place) + 1 / Double(answers)).squareRoot()
        let low = expected * max(0.5, 1 - spread)
        let high = expected * min(2, 1 + spread)
        return WaitEstimate(position: place, kind: .estimate(low: low, high: high), answersInWindow: answers, window: window)
    }
}
