import FairdeskPolicy
import Foundation
import Plot

/// The investigations board: tickets that left the queue for a long investigation, one
/// list per stage (reproduce → investigate → fix → test), so they stay in sight while
/// other tickets come and go (DESIGN.md §2). Plain lists: it works without script.
enum InvestigationsBoard {
    struct Card: Sendable, Equatable {
        var number: Int
        var subject: String
        var organization: String?
        var requester: String?
        var assignee: String?
        var investigatingSince: Date?
        var stageSince: Date?
        /// The customer's latest message, when it came after the ticket entered its stage.
        var customerWroteAt: Date?
    }

    struct Column: Sendable, Equatable {
        /// nil: tickets under investigation without a stage (older data).
        var stage: InvestigationStage?
        var cards: [Card]

        var title: String { stage?.title ?? "Stage not set" }
        var id: String { "stage-\(stage?.rawValue ?? "none")" }
    }

    struct Model: Sendable {
        var columns: [Column]
        var now: Date

        var isEmpty: Bool { columns.allSatisfy(\.cards.isEmpty) }

        /// Every stage gets a column, in the order work goes; a column for tickets
        /// without a stage only when there are any.
        init(rows: [Investigations.Row], now: Date) {
            func card(_ row: Investigations.Row) -> Card {
                var wrote: Date?
                if let last = row.lastCustomerMessage, last > (row.stageSince ?? row.investigatingSince ?? .distantPast) {
                    wrote = last
                }
                return Card(number: row.number, subject: row.subject, organization: row.organizationName,
                            requester: row.requesterName, assignee: row.assigneeName, investigatingSince: row.investigatingSince,
                            stageSince: row.stageSince, customerWroteAt: wrote)
            }
            var columns = InvestigationStage.allCases.map { stage in
                Column(stage: stage, cards: rows.filter { $0.stage == stage }.map(card))
            }
            let unstaged = rows.filter { $0.stage == nil }.map(card)
            if !unstaged.isEmpty { columns.append(Column(stage: nil, cards: unstaged)) }
            self.columns = columns
            self.now = now
        }
    }

    static func page(_ model: Model, viewer: Viewer?, csrfToken: String) -> HTML {
        Layout.page(
            title: "Investigations", viewer: viewer, csrfToken: csrfToken,
            .h1("Investigations"),
            .p(.class("muted"), .text("Tickets out of the queue for a longer investigation, by stage. Move a ticket on from its page.")),
            .if(model.isEmpty,
                .p(.class("empty"), .text("No ticket is under investigation. When a problem needs reproducing, investigating, fixing or testing, start an investigation from the ticket's page and it will wait here.")),
                else: .div(.class("board"), .forEach(model.columns) { column(for: $0, now: model.now) }))
        )
    }

    private static func column(for column: Column, now: Date) -> Node<HTML.BodyContext> {
        .section(
            .class("board-column"), .attribute(named: "aria-labelledby", value: column.id),
            .h2(.id(column.id), .text(column.title + " "), .span(.class("count"), .text("\(column.cards.count)"))),
            .if(column.cards.isEmpty,
                .p(.class("muted"), .text("None.")),
                else: .ol(.class("cards"), .forEach(column.cards) { card($0, now: now) }))
        )
    }

    private static func card(_ card: Card, now: Date) -> Node<HTML.ListContext> {
        .li(
            .class("card"), .attribute(named: "data-row"),
            .p(.class("card-title"), .a(.href(DeskPaths.ticket(card.number)), .text("#\(card.number)")), .text(" "),
               .exactText(card.subject.isEmpty ? "(no subject)" : card.subject)),
            .p(.class("muted"),
               .exactText([card.organization, card.requester].compactMap { $0?.isEmpty == false ? $0 : nil }.joined(separator: " · "))),
            .p(.text("Assignee: "), .exactText(card.assignee.flatMap { $0.isEmpty ? nil : $0 } ?? "nobody")),
            .p(.class("card-times"),
               .text("Investigating for "), duration(since: card.investigatingSince, now: now),
               .text(" · in this stage for "), duration(since: card.stageSince, now: now)),
            .unwrap(card.customerWroteAt) { wrote in
                .p(.class("card-alert"), .text("Customer wrote "), TicketTable.timeAgo(wrote, now: now, ago: true))
            }
        )
    }

    /// "5 min", "3 h", "2 d"; "under a minute" rather than "for now".
    private static func duration(since date: Date?, now: Date) -> Node<HTML.BodyContext> {
        guard let date else { return .text("?") }
        let short = Age.short(since: date, now: now)
        return .time(.datetime(date.formatted(.iso8601)), .title(Age.utc(date)), .text(short == "now" ? "under a minute" : short))
    }
}
