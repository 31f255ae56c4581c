import Foundation
import Testing
@testable import FairdeskPolicy

@Suite struct WaitEstimateTests {
    private let now = Date(timeIntervalSince1970: 1_741_600_000) // 2025-03-10 09:46:40 UTC
    private let day: TimeInterval = 86400
    private let estimator = WaitEstimator()

    /// `count` answers spread evenly over the last `span` seconds.
    private func answers(_ count: Int, over span: TimeInterval) -> [Date] {
        (0..<count).map { now.addingTimeInterval(-span * Double($0) / Double(count)) }
    }

    @Test func defaultsAreTwoWeeksAndTenAnswers() {
        #expect(estimator.window == 14 * 86400)
        #expect(estimator.minimumAnswers == 10)
    }

    // MARK: Enough data

    @Test func nineAnswersAreTooFew() {
        let estimate = estimator.estimate(position: 4, answeredAt: answers(9, over: 14 * day), now: now)
        #expect(estimate.kind == .insufficientData)
        #expect(estimate.answersInWindow == 9)
        #expect(estimate.sentence == "You are number 4 in the queue. We have answered too few requests recently to estimate the wait honestly.")
    }

    @Test func tenAnswersAreEnough() {
        let estimate = estimator.estimate(position: 4, answeredAt: answers(10, over: 14 * day), now: now)
        #expect(estimate.answersInWindow == 10)
        guard case .estimate = estimate.kind else {
            Issue.record("expected an estimate, got \(estimate.kind)")
            return
        }
    }

    @Test func answersOutsideTheWindowAreIgnored() {
        let old = answers(20, over: 10 * day).map { $0.addingTimeInterval(-30 * day) }
        let future = [now.addingTimeInterval(60), now.addingTimeInterval(day)]
        let estimate = estimator.estimate(position: 1, answeredAt: answers(9, over: 14 * day) + old + future, now: now)
        #expect(estimate.answersInWindow == 9)
        #expect(estimate.kind == .insufficientData)
    }

    @Test func theWindowIncludesBothEnds() {
        let edges = [now, now.addingTimeInterval(-14 * day)]
        let estimate = WaitEstimator(minimumAnswers: 2).estimate(position: 1, answeredAt: edges, now: now)
        #expect(estimate.answersInWindow == 2)
    }

    @Test func theMinimumIsConfigurable() {
        let estimate = WaitEstimator(window: day, minimumAnswers: 3).estimate(position: 2, answeredAt: answers(3, over: day), now: now)
        #expect(estimate.window == day)
        #expect(estimate.kind != .insufficientData)
    }

    // MARK: The range

    @Test func theRangeIsOneStandardDeviationClampedToHalfAndDouble() {
        // 14 answers in 14 days: one a day, so position 4 is expected in 4 days;
        // s = √(1/4 + 1/14) ≈ 0.567 → low clamped to ×0.5, high ×1.567.
        let estimate = estimator.estimate(position: 4, answeredAt: answers(14, over: 14 * day), now: now)
        guard case .estimate(let low, let high) = estimate.kind else {
            Issue.record("expected an estimate")
            return
        }
        #expect(abs(low - 2 * day) < 1)
        #expect(abs(high - 4 * day * (1 + (0.25 + 1.0 / 14).squareRoot())) < 1)
    }

    @Test func aLongQueueWithManyAnswersGetsANarrowRange() {
        // 1344 answers in 14 days (four an hour); position 100 is expected in 25 hours.
        let estimate = estimator.estimate(position: 100, answeredAt: answers(1344, over: 14 * day), now: now)
        guard case .estimate(let low, let high) = estimate.kind else {
            Issue.record("expected an estimate")
            return
        }
        let spread = (1.0 / 100 + 1.0 / 1344).squareRoot()
        #expect(abs(low - 25 * 3600 * (1 - spread)) < 1)
        #expect(abs(high - 25 * 3600 * (1 + spread)) < 1)
    }

    @Test func positionOneCannotBeDoubledBeyondTwice() {
        let estimate = estimator.estimate(position: 1, answeredAt: answers(14, over: 14 * day), now: now)
        #expect(estimate.kind == .estimate(low: day / 2, high: 2 * day))
    }

    @Test func aPositionBelowOneCountsAsNext() {
        let estimate = estimator.estimate(position: 0, answeredAt: answers(14, over: 14 * day), now: now)
        #expect(estimate.position == 1)
    }

    // MARK: Sentences

    @Test func daysAreSaidInDays() {
        let estimate = estimator.estimate(position: 4, answeredAt: answers(14, over: 14 * day), now: now)
        #expect(estimate.sentence == "You are number 4 in the queue. At the rate we have answered over the last 14 days, we expect to reach your request in about 2 to 6 days.")
    }

    @Test func hoursAreSaidInHours() {
        // One answer an hour: position 4 in 2 to 6 hours.
        let estimate = estimator.estimate(position: 4, answeredAt: answers(336, over: 14 * day), now: now)
        #expect(estimate.sentence == "You are number 4 in the queue. At the rate we have answered over the last 14 days, we expect to reach your request in about 2 to 6 hours.")
    }

    @Test func minutesAreSaidInMinutes() {
        // Four answers an hour: position 1 in 7.5 to 30 minutes.
        let estimate = estimator.estimate(position: 1, answeredAt: answers(1344, over: 14 * day), now: now)
        #expect(estimate.sentence.hasSuffix("in about 8 to 30 minutes."))
    }

    @Test func rangesAcrossUnitsNameBothUnits() {
        // Four answers an hour: position 6 expected in 90 minutes, ×0.59 to ×1.41.
        let estimate = estimator.estimate(position: 6, answeredAt: answers(1344, over: 14 * day), now: now)
        #expect(estimate.sentence.hasSuffix("in about 55 minutes to 2 hours."))
    }

    private static let roundings: [(TimeInterval, String)] = [
        (30, "1 minute"), (420, "7 minutes"), (2580, "45 minutes"), (7140, "120 minutes"),
        (7200, "2 hours"), (170_640, "47 hours"), (172_800, "2 days"), (1_175_040, "14 days"),
    ]

    @Test(arguments: roundings)
    func durationsAreRoundedForPeople(duration: TimeInterval, text: String) {
        #expect(WaitEstimate.amount(duration).text == text)
    }

    @Test func equalEndsAreSaidOnce() {
        #expect(WaitEstimate.rangePhrase(3 * 86400, 3.2 * 86400) == "3 days")
    }

    private static let spans: [(TimeInterval, String)] = [
        (1_209_600, "the last 14 days"), (86400, "the last day"), (129_600, "the last 36 hours"), (3600, "the last hour"),
    ]

    @Test(arguments: spans)
    func windowsAreNamedPlainly(window: TimeInterval, text: String) {
        #expect(WaitEstimate.spanPhrase(window) == text)
    }

    @Test func aCountGivesTheSameEstimateAsTheDates() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let dates = (0..<12).map { now.addingTimeInterval(-Double($0) * 3600) } + [now.addingTimeInterval(-30 * 86400)]
        let estimator = WaitEstimator()
        #expect(estimator.estimate(position: 4, answeredAt: dates, now: now) == estimator.estimate(position: 4, answersInWindow: 12))
    }
}
