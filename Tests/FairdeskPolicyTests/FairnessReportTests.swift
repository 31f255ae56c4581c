import Foundation
import Testing
@testable import FairdeskPolicy

@Suite struct FairnessReportTests {
    private func utc(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text)!
    }

    private let hour: TimeInterval = 3600

    private func answer(_ number: Int, at answeredAt: String, waitedHours: Double, outOfOrder: Bool = false,
                        reason: String? = nil) -> AnsweredTicket {
        let at = utc(answeredAt)
        return AnsweredTicket(number: number, waitingSince: at.addingTimeInterval(-waitedHours * hour), answeredAt: at,
                              outOfOrder: outOfOrder, reason: reason)
    }

    // MARK: Periods

    @Test func weeksStartOnMondayAtMidnightUTC() {
        // 2025-03-09 is a Sunday, 2025-03-10 a Monday.
        #expect(FairnessReport.periodStart(containing: utc("2025-03-09T23:59:59Z"), period: .week) == utc("2025-03-03T00:00:00Z"))
        #expect(FairnessReport.periodStart(containing: utc("2025-03-10T00:00:00Z"), period: .week) == utc("2025-03-10T00:00:00Z"))
        #expect(FairnessReport.periodStart(containing: utc("1970-01-01T12:00:00Z"), period: .week) == utc("1969-12-29T00:00:00Z"))
        #expect(FairnessReport.periodStart(containing: utc("1969-12-28T12:00:00Z"), period: .week) == utc("1969-12-22T00:00:00Z"))
    }

    @Test func daysStartAtMidnightUTC() {
        #expect(FairnessReport.periodStart(containing: utc("2025-03-09T23:59:59Z"), period: .day) == utc("2025-03-09T00:00:00Z"))
        #expect(FairnessReport.periodStart(containing: utc("2025-03-10T00:00:00Z"), period: .day) == utc("2025-03-10T00:00:00Z"))
    }

    @Test func anAnswerOnSundayNightBelongsToTheOldWeekAndMondayMidnightToTheNew() {
        let report = FairnessReport.build(
            answered: [answer(1, at: "2025-03-09T23:59:00Z", waitedHours: 2), answer(2, at: "2025-03-10T00:00:00Z", waitedHours: 5)],
            waiting: [], period: .week, from: utc("2025-03-03T00:00:00Z"), to: utc("2025-03-17T00:00:00Z")
        )
        #expect(report.rows.map(\.start) == [utc("2025-03-03T00:00:00Z"), utc("2025-03-10T00:00:00Z")])
        #expect(report.rows.map(\.end) == [utc("2025-03-10T00:00:00Z"), utc("2025-03-17T00:00:00Z")])
        #expect(report.rows.map(\.answered) == [1, 1])
        #expect(report.rows.map(\.medianWait) == [2 * hour, 5 * hour])
    }

    @Test func emptyPeriodsAreListed() {
        let report = FairnessReport.build(
            answered: [answer(1, at: "2025-03-01T10:00:00Z", waitedHours: 1), answer(2, at: "2025-03-03T10:00:00Z", waitedHours: 3)],
            waiting: [], period: .day, from: utc("2025-03-01T00:00:00Z"), to: utc("2025-03-04T00:00:00Z")
        )
        #expect(report.period == .day)
        #expect(report.rows.count == 3)
        let empty = report.rows[1]
        #expect(empty.start == utc("2025-03-02T00:00:00Z"))
        #expect(empty.answered == 0)
        #expect(empty.medianWait == nil && empty.p90Wait == nil && empty.outOfOrderShare == nil)
        #expect(empty.outOfOrder == 0)
    }

    @Test func rowsAreCutToTheRange() {
        let report = FairnessReport.build(
            answered: [answer(1, at: "2025-03-05T08:00:00Z", waitedHours: 1), answer(2, at: "2025-03-05T14:00:00Z", waitedHours: 1)],
            waiting: [], period: .week, from: utc("2025-03-05T12:00:00Z"), to: utc("2025-03-12T12:00:00Z")
        )
        #expect(report.rows.map(\.start) == [utc("2025-03-05T12:00:00Z"), utc("2025-03-10T00:00:00Z")])
        #expect(report.rows.map(\.end) == [utc("2025-03-10T00:00:00Z"), utc("2025-03-12T12:00:00Z")])
        #expect(report.rows.map(\.answered) == [1, 0])
        #expect(report.totals.answered == 1)
    }

    @Test func anEmptyRangeHasNoRows() {
        let report = FairnessReport.build(answered: [answer(1, at: "2025-03-05T08:00:00Z", waitedHours: 1)], waiting: [],
                                          period: .day, from: utc("2025-03-05T00:00:00Z"), to: utc("2025-03-05T00:00:00Z"))
        #expect(report.rows.isEmpty)
        #expect(report.totals.answered == 0)
    }

    // MARK: Statistics

    @Test func percentilesOfOneValue() {
        let report = FairnessReport.build(answered: [answer(1, at: "2025-03-05T08:00:00Z", waitedHours: 7)], waiting: [],
                                          period: .day, from: utc("2025-03-05T00:00:00Z"), to: utc("2025-03-06T00:00:00Z"))
        #expect(report.totals.medianWait == 7 * hour)
        #expect(report.totals.p90Wait == 7 * hour)
    }

    @Test func percentilesOfTenValuesByNearestRank() {
        let answers = (1...10).reversed().map { answer($0, at: "2025-03-05T12:00:00Z", waitedHours: Double($0)) }
        let report = FairnessReport.build(answered: answers, waiting: [], period: .day,
                                          from: utc("2025-03-05T00:00:00Z"), to: utc("2025-03-06T00:00:00Z"))
        #expect(report.totals.medianWait == 5 * hour)
        #expect(report.totals.p90Wait == 9 * hour)
    }

    @Test func percentilesOfElevenValues() {
        #expect(FairnessReport.percentile(50, ofSorted: (1...11).map(Double.init)) == 6)
        #expect(FairnessReport.percentile(90, ofSorted: (1...11).map(Double.init)) == 10)
        #expect(FairnessReport.percentile(90, ofSorted: []) == nil)
    }

    @Test func outOfOrderAnswersAreCountedAndShared() {
        let answers = [
            answer(1, at: "2025-03-05T09:00:00Z", waitedHours: 1),
            answer(2, at: "2025-03-05T10:00:00Z", waitedHours: 1, outOfOrder: true, reason: "quick answer"),
            answer(3, at: "2025-03-05T11:00:00Z", waitedHours: 1),
            answer(4, at: "2025-03-05T12:00:00Z", waitedHours: 1),
        ]
        let report = FairnessReport.build(answered: answers, waiting: [], period: .day,
                                          from: utc("2025-03-05T00:00:00Z"), to: utc("2025-03-06T00:00:00Z"))
        #expect(report.rows[0].outOfOrder == 1)
        #expect(report.rows[0].outOfOrderShare == 0.25)
    }

    @Test func aWaitIsNeverNegative() {
        let ticket = AnsweredTicket(number: 1, waitingSince: utc("2025-03-05T10:00:00Z"), answeredAt: utc("2025-03-05T09:59:00Z"),
                                    outOfOrder: false, reason: nil)
        #expect(ticket.wait == 0)
    }

    // MARK: Reasons and lists

    @Test func reasonsAreCountedMostFrequentFirst() {
        let answers = [
            answer(1, at: "2025-03-05T09:00:00Z", waitedHours: 1, outOfOrder: true, reason: "same customer"),
            answer(2, at: "2025-03-05T10:00:00Z", waitedHours: 1, outOfOrder: true, reason: "quick answer"),
            answer(3, at: "2025-03-06T11:00:00Z", waitedHours: 1, outOfOrder: true, reason: " quick answer "),
            answer(4, at: "2025-03-06T12:00:00Z", waitedHours: 1, outOfOrder: true, reason: "   "),
            answer(5, at: "2025-03-06T13:00:00Z", waitedHours: 1, outOfOrder: false, reason: "ignored: in order"),
            answer(6, at: "2025-03-20T13:00:00Z", waitedHours: 1, outOfOrder: true, reason: "outside the range"),
        ]
        let report = FairnessReport.build(answered: answers, waiting: [], period: .week,
                                          from: utc("2025-03-03T00:00:00Z"), to: utc("2025-03-10T00:00:00Z"))
        #expect(report.reasons == [
            .init(reason: "quick answer", count: 2),
            .init(reason: FairnessReport.missingReason, count: 1),
            .init(reason: "same customer", count: 1),
        ])
    }

    @Test func theTenLongestAnsweredWaitsInRange() {
        var answers = (1...12).map { answer($0, at: "2025-03-05T12:00:00Z", waitedHours: Double($0 % 6)) }
        answers.append(answer(99, at: "2025-02-01T12:00:00Z", waitedHours: 500))
        let report = FairnessReport.build(answered: answers, waiting: [], period: .week,
                                          from: utc("2025-03-03T00:00:00Z"), to: utc("2025-03-10T00:00:00Z"))
        #expect(report.longestAnswered.map(\.number) == [5, 11, 4, 10, 3, 9, 2, 8, 1, 7])
    }

    @Test func theTenLongestWaitingOldestFirst() {
        let waiting = (1...12).map { WaitingTicket(number: $0, waitingSince: utc("2025-03-05T00:00:00Z").addingTimeInterval(Double(12 - $0 / 2) * hour)) }
        let report = FairnessReport.build(answered: [], waiting: waiting, period: .day,
                                          from: utc("2025-03-05T00:00:00Z"), to: utc("2025-03-06T00:00:00Z"))
        #expect(report.longestWaiting.map(\.number) == [12, 10, 11, 8, 9, 6, 7, 4, 5, 2])
    }

    @Test func totalsCoverTheWholeRange() {
        let answers = [
            answer(1, at: "2025-03-03T09:00:00Z", waitedHours: 1),
            answer(2, at: "2025-03-11T10:00:00Z", waitedHours: 3, outOfOrder: true, reason: "related to the ticket in hand"),
            answer(3, at: "2025-03-16T23:59:59Z", waitedHours: 2),
            answer(4, at: "2025-03-17T00:00:00Z", waitedHours: 50),
        ]
        let report = FairnessReport.build(answered: answers, waiting: [], period: .week,
                                          from: utc("2025-03-03T00:00:00Z"), to: utc("2025-03-17T00:00:00Z"))
        #expect(report.totals.start == utc("2025-03-03T00:00:00Z"))
        #expect(report.totals.end == utc("2025-03-17T00:00:00Z"))
        #expect(report.totals.answered == 3)
        #expect(report.totals.medianWait == 2 * hour)
        #expect(report.totals.p90Wait == 3 * hour)
        #expect(report.totals.outOfOrder == 1)
        #expect(report.rows.map(\.answered) == [1, 2])
    }
}
