import Foundation
import Plot

/// One ticket in a desk list (the queue, a person's or an organization's tickets).
struct TicketRow: Sendable, Equatable {
    var number: Int
    var subject: String
    var status: TicketStatus
    var requesterID: UUID
    var requester: String
    var organizationID: UUID
    var organization: String
    /// Waiting on support since, else opened at: what the age counts from.
    var since: Date?
    var assignee: String?
    var flags: [String]
}

/// The table of tickets every desk list shows. Rows carry `data-row` (j/k in desk.js).
/// What customers wrote is written with `exactText` (see `HTMLEscaping`).
enum TicketTable {
    /// `firstRowKey`: a shortcut for the first row's link (`n` on the queue's first page).
    static func table(_ rows: [TicketRow], now: Date, showStatus: Bool, showOrganization: Bool = true,
                      firstRowKey: String? = nil) -> Node<HTML.BodyContext> {
        .table(
            .class("list tickets"),
            .thead(.tr(
                .th("#"), .th("Subject"), .if(showStatus, .th("Status")), .th("Requester"), .if(showOrganization, .th("Organization")),
                .th("Age"), .th("Assignee"), .th("Flags")
            )),
            .tbody(.forEach(rows.enumerated()) { index, row in
                .tr(
                    .attribute(named: "data-row"),
                    .td(.class("number"), .text("#\(row.number)")),
                    .td(.a(.href(DeskPaths.ticket(row.number)),
                           .attribute(named: "data-key", value: index == 0 ? firstRowKey : nil),
                           .exactText(row.subject))),
                    .if(showStatus, .td(.text(statusLabel(row.status)))),
                    .td(.a(.href(DeskPaths.person(row.requesterID)), .exactText(row.requester))),
                    .if(showOrganization, .td(.a(.href(DeskPaths.organization(row.organizationID)), .exactText(row.organization)))),
                    .td(.class("age"), timeAgo(row.since, now: now)),
                    .td(.unwrap(row.assignee, { .exactText($0) }, else: .span(.class("muted"), .text("nobody")))),
                    .td(.forEach(row.flags) { .span(.class("flag"), .exactText(flagLabel($0))) })
                )
            })
        )
    }

    /// "Next page" and "First page", as links (keyset cursors, never page numbers).
    static func pager(first: String?, next: String?) -> Node<HTML.BodyContext> {
        .if(first != nil || next != nil,
            .nav(.class("pager"), .attribute(named: "aria-label", value: "Pages"),
                 .unwrap(first) { .a(.href($0), .text("First page")) },
                 .unwrap(next) { .a(.href($0), .attribute(named: "rel", value: "next"), .text("Next page")) }))
    }

    static func statusLabel(_ status: TicketStatus) -> String {
        switch status {
        case .waitingOnSupport: return "waiting on support"
        case .waitingOnCustomer: return "waiting on customer"
        case .investigating: return "investigating"
        case .resolved: return "resolved"
        }
    }

    static func flagLabel(_ flag: String) -> String {
        switch flag {
        case "automatic": return "automatic mail"
        case "urgency-claimed": return "claims urgency"
        case "call-demanded": return "asks for a call"
        default: return flag
        }
    }

    /// "3 h" (or "3 h ago" with `ago`), with the exact time (UTC) for the curious.
    static func timeAgo(_ date: Date?, now: Date, ago: Bool = false) -> Node<HTML.BodyContext> {
        guard let date else { return .empty }
        let short = Age.short(since: date, now: now)
        let text = !ago ? short : short == "now" ? "just now" : "\(short) ago"
        return .time(.datetime(date.formatted(.iso8601)), .title(Age.utc(date)), .text(text))
    }
}

/// How long ago, at a glance.
enum Age {
    /// "now", "5 min", "3 h", "2 d".
    static func short(since date: Date, now: Date) -> String {
        let seconds = max(0, now.timeIntervalSince(date))
        switch seconds {
        case ..<60: return "now"
        case ..<3600: return "\(Int(seconds / 60)) min"
        case ..<86400: return "\(Int(seconds / 3600)) h"
        default: return "\(Int(seconds / 86400)) d"
        }
    }

    /// `2025-01-03 14:05 UTC`.
    static func utc(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d UTC", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0,
                      parts.hour ?? 0, parts.minute ?? 0)
    }
}
