import Foundation
import Plot

/// The desk's search results (the box in every page's header).
enum SearchPage {
    struct Model {
        var query: String
        var hits: [SearchHit]
        /// Why the query was refused (empty, too long), shown instead of results.
        var problem: String?
    }

    static func page(_ model: Model, viewer: Viewer?, csrfToken: String) -> HTML {
        Layout.page(
            title: model.query.isEmpty ? "Search" : "Search: \(model.query)", viewer: viewer, csrfToken: csrfToken,
            .h1(.text("Search")),
            .form(.class("toolbar"), .action(DeskPaths.search.link()), .method(.get),
                  .label(.for("search-q"), .text("Find tickets")),
                  .input(.type(.search), .name("q"), .id("search-q"), .value(HTMLEscaping.attribute(model.query))),
                  .button(.type(.submit), .text("Search"))),
            .p(.class("muted"), .text("Words must all appear; \"quotes\" find a phrase; #12 finds ticket 12. Subjects, senders, organizations and message text are searched.")),
            .unwrap(model.problem) { .p(.class("error"), .attribute(named: "role", value: "alert"), .exactText($0)) },
            .if(model.problem == nil && model.hits.isEmpty && !model.query.isEmpty, .p(.text("No ticket matches."))),
            .if(!model.hits.isEmpty, .table(
                .class("list"),
                .thead(.tr(.th("#"), .th("Subject"), .th("Status"), .th("Match"))),
                .tbody(.forEach(model.hits) { hit in
                    .tr(.attribute(named: "data-row"),
                        .td(.class("number"), .text("#\(hit.ticket.number)")),
                        .td(.a(.href(DeskPaths.ticket(hit.ticket.number)), .exactText(hit.ticket.subject))),
                        .td(.text(TicketTable.statusLabel(TicketStatus(rawValue: hit.ticket.status) ?? .waitingOnSupport))),
                        .td(.unwrap(hit.snippet, { .exactText($0) }, else: .span(.class("muted"), .text("ticket number")))))
                })
            ))
        )
    }
}
