import Foundation
import Plot

/// "Ask for information": the catalog with what the ticket already has marked, so the
/// agent ticks only what is missing and the customer gets one clear request.
enum InfoRequestPage {
    struct Item: Sendable {
        var key: String
        var title: String
        var explanation: String
        /// Evidence that the ticket already has it (empty: not found).
        var found: [String]
        /// Asked in an earlier request and not yet provided.
        var pending: Bool
    }

    struct Model: Sendable {
        var number: Int
        var subject: String
        var items: [Item]
        var chosen: Set<String>
        var note: String
        var errors: [String: String]
        var olderWaiting: Int?
    }

    static func view(_ model: Model, viewer: Viewer?, csrfToken: String) -> HTML {
        let itemsError = model.errors["items"]
        return Layout.page(
            title: "Ask for information · #\(model.number)", viewer: viewer, csrfToken: csrfToken,
            .h1(.exactText("Ask for information · #\(model.number) \(model.subject)")),
            .p(.a(.href(DeskPaths.ticket(model.number)), .text("Back to the ticket"))),
            .p(.text("Tick only what you need to understand the problem. Items the ticket already has are marked, with the evidence, and are left out of the mail.")),
            .form(
                .action(DeskPaths.ticketInfoRequest(model.number)), .method(.post),
                Layout.csrfField(csrfToken),
                .fieldset(
                    .class(itemsError == nil ? "catalog" : "catalog invalid"),
                    .element(named: "legend", nodes: [.text("Items")]),
                    .unwrap(itemsError) { .p(.class("error"), .attribute(named: "role", value: "alert"), .exactText($0)) },
                    .forEach(model.items) { item in
                        let id = "item-\(item.key)"
                        return .div(
                            .class(item.found.isEmpty ? "catalog-item" : "catalog-item provided"),
                            .input(.type(.checkbox), .name("items[]"), .id(HTMLEscaping.attribute(id)), .value(HTMLEscaping.attribute(item.key)),
                                   .attribute(named: "checked", value: model.chosen.contains(item.key) ? "checked" : nil)),
                            .label(.for(HTMLEscaping.attribute(id)), .exactText(item.title)),
                            .if(!item.found.isEmpty, .div(
                                .class("evidence"),
                                .strong(.text("Already provided: ")),
                                .ul(.forEach(item.found.prefix(3)) { .li(.exactText($0)) }))),
                            .if(item.pending, .p(.class("muted"), .text("Asked earlier and still missing."))),
                            .details(.summary("What the customer is told"), .pre(.class("explanation"), .exactText(item.explanation))))
                    }),
                .div(.class("field"),
                     .label(.for("info-note"), .text("A few words of your own before the list (optional)")),
                     .textarea(.name("note"), .id("info-note"), .rows(4), .exactText(model.note))),
                PolicyPanels.outOfOrderFields(olderWaiting: model.olderWaiting, idPrefix: "info", errors: model.errors),
                .button(.type(.submit), .text("Send the request"))))
    }
}
