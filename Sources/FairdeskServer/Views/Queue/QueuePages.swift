import Foundation
import Plot

/// The agents' queue and its views: model and view.
enum QueuePages {
    struct Queue: Sendable {
        var filter: QueueFilter
        var rows: [TicketRow]
        /// Tickets waiting on support under the same filter (organization, access).
        var waitingCount: Int
        /// The name of the organization filtered by, if any.
        var organizationName: String?
        /// The cursor this page started after (nil: the first page).
        var after: String?
        /// The cursor of the next page (nil: the last page).
        var next: String?
        var now: Date
    }

    static func title(_ view: DeskPaths.View) -> String {
        switch view {
        case .waiting: return "Waiting on support"
        case .mine: return "Assigned to me"
        case .waitingOnCustomer: return "Waiting on customer"
        case .open: return "All open"
        case .resolved: return "Resolved"
        }
    }

    static func queue(_ model: Queue, viewer: Viewer?, csrfToken: String) -> HTML {
        let filter = model.filter
        return Layout.page(
            title: title(filter.view), viewer: viewer, csrfToken: csrfToken,
            .h1(.text(title(filter.view))),
            .p(.class("count"),
               .strong(.text(String(model.waitingCount))),
               .text(model.waitingCount == 1 ? " ticket waiting on support" : " tickets waiting on support"),
               .unwrap(model.organizationName) { .exactText(" from \($0)") }),
            viewTabs(filter),
            filters(model),
            // "Next" hands out the oldest waiting ticket nobody else holds (first come, first
            // served), and holds it for this agent so a colleague's Next gets another one.
            .form(.class("toolbar next"), .action(DeskPaths.next.link()), .method(.post),
                  Layout.csrfField(csrfToken),
                  .button(.type(.submit), .attribute(named: "data-key", value: "n"), .text("Next ticket")),
                  .span(.class("muted"), .text(" or press "), .element(named: "kbd", text: "n"),
                        .text("; j / k move through the list."))),
            .if(model.rows.isEmpty,
                emptyState(model),
                else: TicketTable.table(model.rows, now: model.now, showStatus: filter.statuses.count > 1,
                                        firstRowKey: nil)),
            TicketTable.pager(first: model.after == nil ? nil : filter.link(),
                              next: model.next.map { filter.link(after: $0) })
        )
    }

    private static func viewTabs(_ filter: QueueFilter) -> Node<HTML.BodyContext> {
        .nav(.class("toolbar views"), .attribute(named: "aria-label", value: "Views"),
             .forEach(DeskPaths.View.allCases) { view in
                 var target = QueueFilter(view: view, organization: filter.organization)
                 target.limit = filter.limit
                 return .a(.href(target.link()), .attribute(named: "aria-current", value: view == filter.view ? "page" : nil),
                           .text(title(view)))
             })
    }

    /// A GET form: the status (where the view has several) and the organization filter.
    private static func filters(_ model: Queue) -> Node<HTML.BodyContext> {
        let filter = model.filter
        guard filter.offersStatusFilter || filter.organization != nil else { return .empty }
        return .form(
            .class("toolbar filters"), .action(DeskPaths.queue.link()), .method(.get),
            .input(.type(.hidden), .name("view"), .value(filter.view.rawValue)),
            .unwrap(filter.organization) { id in
                .group(.input(.type(.hidden), .name("organization"), .value(id.uuidString)),
                       .span(.text("Organization: "),
                             .a(.href(DeskPaths.organization(id)), .exactText(model.organizationName ?? "unknown organization")),
                             .text(" · "),
                             .a(.href(QueueFilter(view: filter.view, status: filter.status, limit: filter.limit).link()),
                                .text("all organizations"))))
            },
            .if(filter.offersStatusFilter, .group(
                .label(.for("status"), .text("Status")),
                .select(.attribute(named: "name", value: "status"), .id("status"),
                        option(value: "", label: "Any open", selected: filter.status == nil),
                        .forEach(filter.viewStatuses) { status in
                            option(value: status.rawValue, label: TicketTable.statusLabel(status), selected: filter.status == status)
                        }),
                .button(.type(.submit), .class("secondary"), .text("Show"))
            )),
            .if(filter.limit != QueueFilter.defaultLimit, .input(.type(.hidden), .name("limit"), .value(String(filter.limit))))
        )
    }

    private static func emptyState(_ model: Queue) -> Node<HTML.BodyContext> {
        let filter = model.filter
        if model.after != nil {
            return .p(.class("empty"), .text("No more tickets here. "), .a(.href(filter.link()), .text("Back to the first page")))
        }
        if filter.isFiltered {
            return .p(.class("empty"), .text("No tickets match these filters. "),
                      .a(.href(QueueFilter(view: filter.view).link()), .text("Show all of \(title(filter.view).lowercased())")))
        }
        switch filter.view {
        case .waiting:
            return .p(.class("empty"), .text("Nobody is waiting on support. New mail lands here, oldest first."))
        case .mine:
            return .p(.class("empty"), .text("No open ticket is assigned to you. "),
                      .a(.href(DeskPaths.queue(view: .waiting)), .text("Take the next one from the queue")))
        case .waitingOnCustomer:
            return .p(.class("empty"), .text("No ticket is waiting on a customer."))
        case .open:
            return .p(.class("empty"), .text("No open tickets: everything is resolved."))
        case .resolved:
            return .p(.class("empty"), .text("No ticket has been resolved yet."))
        }
    }

    /// An `<option>` with its label as text (Plot's own writes a self-closed element).
    static func option(value: String, label: String, selected: Bool) -> Node<HTML.SelectContext> {
        .element(named: "option", nodes: [
            .attribute(named: "value", value: HTMLEscaping.attribute(value), ignoreIfValueIsEmpty: false),
            .if(selected, .attribute(named: "selected")),
            .exactText(label),
        ])
    }
}
