import FairdeskPolicy
import Foundation
import Plot

/// The fairness report for admins (DESIGN.md §2): how many tickets were answered, how long
/// they waited, how often and why a ticket was taken out of order, and who waited longest.
/// Charts are inline SVG drawn here (`SVGChart`); the same numbers are in tables below them.
enum FairnessReportPage {
    struct Model: Sendable {
        /// What the form shows (as typed, when it was refused).
        var period: String
        var days: String
        /// nil when the query was refused (`errors` says why).
        var report: FairnessReport?
        var errors: [String: String] = [:]
        var now: Date
    }

    static func page(_ model: Model, viewer: Viewer?, csrfToken: String) -> HTML {
        Layout.page(
            title: "Fairness", viewer: viewer, csrfToken: csrfToken,
            .h1("Fairness report"),
            .p(.class("muted"), .text("First come, first served: how long tickets waited for an answer, and how often an agent took one out of order, and why. Periods are UTC days or weeks starting Monday.")),
            form(model),
            .unwrap(model.report) { report(for: $0, now: model.now) }
        )
    }

    private static func form(_ model: Model) -> Node<HTML.BodyContext> {
        .form(
            .class("toolbar report-form"), .action(DeskPaths.fairness.link()), .method(.get),
            .div(.class(model.errors["period"] == nil ? "field" : "field invalid"),
                 .label(.for("period"), .text("Per")),
                 .select(.attribute(named: "name", value: "period"), .id("period"),
                         .attribute(named: "aria-invalid", value: model.errors["period"] == nil ? nil : "true"),
                         QueuePages.option(value: "day", label: "day", selected: model.period != "week"),
                         QueuePages.option(value: "week", label: "week", selected: model.period == "week")),
                 .unwrap(model.errors["period"]) { .p(.class("error"), .attribute(named: "role", value: "alert"), .exactText($0)) }),
            .div(.class(model.errors["days"] == nil ? "field" : "field invalid"),
                 .label(.for("days"), .text("Days back")),
                 .input(.type(.number), .name("days"), .id("days"), .value(HTMLEscaping.attribute(model.days)),
                        .attribute(named: "min", value: "1"), .attribute(named: "max", value: "\(FairnessQuery.maxDays)"),
                        .attribute(named: "aria-invalid", value: model.errors["days"] == nil ? nil : "true")),
                 .unwrap(model.errors["days"]) { .p(.class("error"), .attribute(named: "role", value: "alert"), .exactText($0)) }),
            .button(.type(.submit), .text("Show"))
        )
    }

    private static func report(for report: FairnessReport, now: Date) -> Node<HTML.BodyContext> {
        let unit = report.period == .week ? "week" : "day"
        let labels = report.rows.map { shortDate($0.start) }
        let totals = report.totals
        return .group(
            .p(.class("count"),
               .text("From \(longDate(totals.start)) to \(Age.utc(totals.end)): "),
               .strong("\(totals.answered)"), .text(totals.answered == 1 ? " ticket answered" : " tickets answered"),
               .if(totals.answered > 0, .group(
                   .text("; median wait \(duration(totals.medianWait)), 90% within \(duration(totals.p90Wait)); "),
                   .text("\(totals.outOfOrder) out of order (\(percent(totals.outOfOrderShare)))."))),
               .if(totals.answered == 0, .text("."))),
            .if(totals.answered == 0,
                .p(.class("empty"), .text("No answers in this range yet. Answers show here once agents reply to tickets from the queue.")),
                else: .group(
                    .div(.class("charts"),
                         chart(SVGChart(title: "Tickets answered per \(unit)", kind: .bars, format: .count, labels: labels,
                                        series: [.init(name: "answered", values: report.rows.map { Double($0.answered) })])),
                         chart(SVGChart(title: "Wait before the answer per \(unit), in hours (median and 90th percentile)", kind: .lines,
                                        format: .hours, labels: labels,
                                        series: [.init(name: "median", values: report.rows.map { $0.medianWait.map(hours) }),
                                                 .init(name: "90th percentile", values: report.rows.map { $0.p90Wait.map(hours) })])),
                         chart(SVGChart(title: "Share answered out of order per \(unit)", kind: .bars, format: .percent, labels: labels,
                                        series: [.init(name: "out of order", values: report.rows.map(\.outOfOrderShare))], fixedTop: 1))),
                    .h2("Why tickets were taken out of order"),
                    reasonsTable(report),
                    .h2("Longest waits answered"),
                    longestAnsweredTable(report))),
            .h2("Waiting longest now"),
            waitingTable(report, now: now),
            // The charts' numbers, last: long for a long range.
            .if(totals.answered > 0, .group(.h2("Per \(unit)"), periodsTable(report)))
        )
    }

    private static func chart(_ chart: SVGChart) -> Node<HTML.BodyContext> {
        .element(named: "figure", nodes: [.class("chart-figure"), .raw(chart.render())])
    }

    private static func periodsTable(_ report: FairnessReport) -> Node<HTML.BodyContext> {
        .table(
            .class("list numbers"),
            .thead(.tr(.th("Period"), .th("Answered"), .th("Median wait"), .th("90th percentile"), .th("Out of order"))),
            .tbody(.forEach(report.rows) { row in
                .tr(.td(.text(report.period == .week ? "week of \(longDate(row.start))" : longDate(row.start))),
                    .td(.text("\(row.answered)")),
                    .td(.text(row.answered == 0 ? "–" : duration(row.medianWait))),
                    .td(.text(row.answered == 0 ? "–" : duration(row.p90Wait))),
                    .td(.text(row.answered == 0 ? "–" : "\(row.outOfOrder) (\(percent(row.outOfOrderShare)))")))
            })
        )
    }

    private static func reasonsTable(_ report: FairnessReport) -> Node<HTML.BodyContext> {
        guard !report.reasons.isEmpty else {
            return .p(.class("empty"), .text("Every ticket in this range was answered in order."))
        }
        return .table(
            .class("list reasons"),
            .thead(.tr(.th("Reason"), .th("Times"))),
            .tbody(.forEach(report.reasons) { reason in
                .tr(.td(.exactText(reason.reason)), .td(.text("\(reason.count)")))
            })
        )
    }

    private static func longestAnsweredTable(_ report: FairnessReport) -> Node<HTML.BodyContext> {
        .table(
            .class("list"),
            .thead(.tr(.th("Ticket"), .th("Waited"), .th("Waiting since"), .th("Answered"), .th("Out of order"))),
            .tbody(.forEach(report.longestAnswered) { answer in
                .tr(.td(.class("number"), .a(.href(DeskPaths.ticket(answer.number)), .text("#\(answer.number)"))),
                    .td(.text(duration(answer.wait))),
                    .td(.text(Age.utc(answer.waitingSince))),
                    .td(.text(Age.utc(answer.answeredAt))),
                    .td(.if(answer.outOfOrder, .exactText(answer.reason ?? FairnessReport.missingReason), else: .text("no"))))
            })
        )
    }

    private static func waitingTable(_ report: FairnessReport, now: Date) -> Node<HTML.BodyContext> {
        guard !report.longestWaiting.isEmpty else {
            return .p(.class("empty"), .text("No ticket is waiting on support."))
        }
        return .table(
            .class("list"),
            .thead(.tr(.th("Ticket"), .th("Waiting since"), .th("Waiting for"))),
            .tbody(.forEach(report.longestWaiting) { ticket in
                .tr(.td(.class("number"), .a(.href(DeskPaths.ticket(ticket.number)), .text("#\(ticket.number)"))),
                    .td(.text(Age.utc(ticket.waitingSince))),
                    .td(.text(duration(now.timeIntervalSince(ticket.waitingSince)))))
            })
        )
    }

    // MARK: Words for numbers

    static func hours(_ seconds: TimeInterval) -> Double { seconds / 3600 }

    /// "< 1 min", "45 min", "3 h 05 min", "2 d 4 h"; "–" for no value.
    static func duration(_ seconds: TimeInterval?) -> String {
        guard let seconds else { return "–" }
        let minutes = Int(max(0, seconds) / 60)
        switch minutes {
        case 0: return "< 1 min"
        case ..<60: return "\(minutes) min"
        case ..<(24 * 60): return String(format: "%d h %02d min", minutes / 60, minutes % 60)
        default: return "\(minutes / (24 * 60)) d \(minutes % (24 * 60) / 60) h"
        }
    }

    static func percent(_ share: Double?) -> String {
        share.map { "\(Int(($0 * 100).rounded()))%" } ?? "–"
    }

    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static func components(_ date: Date) -> DateComponents {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        return calendar.dateComponents([.year, .month, .day], from: date)
    }

    /// "3 Mar" (UTC), for chart labels.
    static func shortDate(_ date: Date) -> String {
        let parts = components(date)
        return "\(parts.day ?? 0) \(monthNames[max(0, min(11, (parts.month ?? 1) - 1))])"
    }

    /// "2025-03-03" (UTC).
    static func longDate(_ date: Date) -> String {
        let parts = components(date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }
}
