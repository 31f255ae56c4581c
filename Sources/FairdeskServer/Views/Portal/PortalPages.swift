import Foundation
import Plot

/// The customer portal's home (their tickets, and their team's) and the new-ticket form.
enum PortalPages {
    struct Row: Sendable, Equatable {
        var number: Int
        var subject: String
        var status: TicketStatus
        /// Who asked, when it was a teammate; nil for the customer's own tickets.
        var requester: String?
        var lastActivity: Date?
    }

    /// The customer's organization, when it is a team (not a personal one).
    struct Team: Sendable, Equatable {
        var name: String
        var shares: Bool
    }

    struct Home: Sendable {
        var rows: [Row]
        var team: Team?
        var supportAddress: String
        var after: String?
        var next: String?
        var now: Date
    }

    /// A ticket's status in the customer's words.
    static func statusWords(_ status: TicketStatus) -> String {
        switch status {
        case .waitingOnSupport: return "we are on it"
        case .waitingOnCustomer: return "waiting for you"
        case .investigating: return "under investigation"
        case .resolved: return "resolved"
        }
    }

    static func home(_ model: Home, viewer: Viewer?, csrfToken: String) -> HTML {
        let showRequester = model.rows.contains { $0.requester != nil }
        return Layout.page(
            title: "Your tickets", viewer: viewer, csrfToken: csrfToken,
            .h1("Your tickets"),
            .unwrap(model.team) { team in
                .p(.class("muted"), .exactText(team.shares
                    ? "\(team.name) shares tickets among its team: you see your colleagues' tickets too, and they see yours."
                    : "You see the tickets you asked. \(team.name) does not share tickets among its team."))
            },
            .p(.a(.class("button"), .href(PortalPaths.newTicket.link()), .text("Open a new ticket")),
               .text(" or write to "), .a(.href(HTMLEscaping.attribute("mailto:\(model.supportAddress)")), .exactText(model.supportAddress)), .text(".")),
            .if(model.rows.isEmpty,
                .p(.class("empty"), .text(model.after == nil
                    ? "You have no tickets yet. When you write to us, your messages and our answers show up here."
                    : "No more tickets. "),
                   .if(model.after != nil, .a(.href(PortalPaths.home.link()), .text("Back to the first page")))),
                else: .table(
                    .class("list tickets"),
                    .thead(.tr(.th("#"), .th("Subject"), .th("Status"), .if(showRequester, .th("Asked by")), .th("Last activity"))),
                    .tbody(.forEach(model.rows) { row in
                        .tr(.attribute(named: "data-row"),
                            .td(.class("number"), .text("#\(row.number)")),
                            .td(.a(.href(PortalPaths.ticket(row.number)), .exactText(row.subject))),
                            .td(.span(.class("status \(row.status.rawValue)"), .text(statusWords(row.status)))),
                            .if(showRequester, .td(.exactText(row.requester ?? "you"))),
                            .td(TicketTable.timeAgo(row.lastActivity, now: model.now, ago: true)))
                    })
                )),
            TicketTable.pager(first: model.after == nil ? nil : PortalPaths.home.link(),
                              next: model.next.map { PortalPaths.home.link() + "?after=\(ListQueries.queryEncoded($0))" })
        )
    }

    struct NewTicket: Sendable {
        var subject = ""
        var message = ""
        /// Problems by field: `subject`, `message`, `attachments`.
        var errors: [String: String] = [:]
        var maxUploadBytes: Int
    }

    static func newTicket(_ model: NewTicket, viewer: Viewer?, csrfToken: String) -> HTML {
        Layout.page(
            title: "New ticket", viewer: viewer, csrfToken: csrfToken,
            .section(.class("narrow wide"),
                     .h1("Open a new ticket"),
                     .p(.class("muted"), .text("It joins the queue like an email would: we answer in the order requests arrive.")),
                     .if(!model.errors.isEmpty,
                         .p(.class("error"), .attribute(named: "role", value: "alert"),
                            .text("Nothing was sent yet: please fix what is marked below."))),
                     .form(.action(PortalPaths.newTicket.link()), .method(.post), .enctype(.multipartData),
                           Layout.csrfField(csrfToken),
                           .field("Subject", name: "subject", value: model.subject, error: model.errors["subject"]),
                           FormParts.textarea("Message", name: "message", value: model.message, error: model.errors["message"]),
                           FormParts.files("Attachments (optional: logs, screenshots, crash dumps; up to \(FormParts.bytes(model.maxUploadBytes)) in all)",
                                           name: "attachments[]", id: "attachments", error: model.errors["attachments"]),
                           .button(.type(.submit), .text("Send")))))
    }
}

/// Form pieces the list pages share beyond `Node.field` (text areas, file inputs,
/// selects, check boxes), each labelled and naming its error.
enum FormParts {
    static func textarea(_ label: String, name: String, value: String, required: Bool = true, error: String?) -> Node<HTML.FormContext> {
        .div(.class(error == nil ? "field" : "field invalid"),
             .label(.for(name), .text(label)),
             .textarea(.name(name), .id(name), .rows(10), .required(required),
                       .attribute(named: "aria-invalid", value: error == nil ? nil : "true"),
                       .exactText(value)),
             .unwrap(error) { .p(.class("error"), .exactText($0)) })
    }

    static func files(_ label: String, name: String, id: String, error: String?) -> Node<HTML.FormContext> {
        .div(.class(error == nil ? "field" : "field invalid"),
             .label(.for(id), .text(label)),
             .input(.type(.file), .name(name), .id(id), .multiple(true),
                    .attribute(named: "aria-invalid", value: error == nil ? nil : "true")),
             .unwrap(error) { .p(.class("error"), .exactText($0)) })
    }

    static func select(_ label: String, name: String, options: [(value: String, label: String)], selected: String,
                       error: String?) -> Node<HTML.FormContext> {
        .div(.class(error == nil ? "field" : "field invalid"),
             .label(.for(name), .text(label)),
             .select(.attribute(named: "name", value: name), .id(name),
                     .forEach(options) { QueuePages.option(value: $0.value, label: $0.label, selected: $0.value == selected) }),
             .unwrap(error) { .p(.class("error"), .exactText($0)) })
    }

    static func checkbox(_ label: String, name: String, checked: Bool) -> Node<HTML.FormContext> {
        .div(.class("field check"),
             .label(.input(.type(.checkbox), .name(name), .id(name), .value("on"), .checked(checked)), .text(" " + label)))
    }

    /// "25 MB": a size for people.
    static func bytes(_ count: Int) -> String {
        ByteCountFormatter.string(fromByteCount: Int64(count), countStyle: .file)
    }
}
