import Foundation
import Plot

/// What every page's frame needs to know about who is looking.
struct Viewer: Sendable {
    var name: String
    var isStaff: Bool
    var isAdmin: Bool
    var csrfToken: String
}

/// The frame of every page: head, navigation by role, a notice, the page's content.
/// Plot escapes text but writes attribute values as given: a value from a user or a
/// mail goes through `HTMLEscaping.attribute` (see there).
enum Layout {
    static func page(title: String, viewer: Viewer?, csrfToken: String, notice: String? = nil,
                     _ content: Node<HTML.BodyContext>...) -> HTML {
        HTML(
            .lang(.english),
            .head(
                .meta(.charset(.utf8)),
                .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
                // Not Plot's `.title`: it also writes the title into `og:`/`twitter:` meta
                // attributes unescaped, and a title can be a mail's subject.
                .element(named: "title", nodes: [.exactText("\(title) · Fairdesk")]),
                .stylesheet(WebPaths.asset("desk.css")),
                .script(.src(WebPaths.asset("desk.js")), .attribute(named: "defer"))
            ),
            .body(
                .header(.class("top"),
                        .a(.class("brand"), .href(WebPaths.home.link()), .text("Fairdesk")),
                        .unwrap(viewer) { navigation(for: $0) }),
                .main(
                    .id("main"),
                    .unwrap(notice) { .p(.class("notice"), .attribute(named: "role", value: "status"), .text($0)) },
                    .group(content)
                ),
                .footer(.class("bottom"), .p(.text("Press ? for keyboard shortcuts.")))
            )
        )
    }

    private static func navigation(for viewer: Viewer) -> Node<HTML.BodyContext> {
        .nav(
            .attribute(named: "aria-label", value: "Main"),
            .ul(
                .if(viewer.isStaff, .group(
                    .li(.a(.href(DeskPaths.queue(view: .waiting)), .attribute(named: "data-key", value: "g q"), .text("Queue"))),
                    .li(.a(.href(DeskPaths.queue(view: .mine)), .text("Mine"))),
                    .li(.a(.href(DeskPaths.queue(view: .waitingOnCustomer)), .text("Waiting on customer"))),
                    .li(.a(.href(DeskPaths.queue(view: .open)), .text("All open"))),
                    .li(.a(.href(DeskPaths.queue(view: .resolved)), .text("Resolved"))),
                    .li(.a(.href(DeskPaths.investigations.link()), .text("Investigations")))
                )),
                .if(viewer.isAdmin, .li(.a(.href(DeskPaths.attention.link()), .text("Needs attention")))),
                .if(viewer.isAdmin, .li(.a(.href(DeskPaths.staff.link()), .text("Staff")))),
                .if(viewer.isAdmin, .group(
                    .li(.a(.href(DeskPaths.fairness.link()), .text("Fairness"))),
                    .li(.a(.href(DeskPaths.policyTexts.link()), .text("Policy texts"))),
                    .li(.a(.href(DeskPaths.catalog.link()), .text("Catalog")))
                )),
                .if(viewer.isStaff, .li(.a(.href(DeskPaths.tokens.link()), .text("API tokens")))),
                .if(!viewer.isStaff, .group(
                    .li(.a(.href(PortalPaths.home.link()), .text("My tickets"))),
                    .li(.a(.href(PortalPaths.newTicket.link()), .text("New ticket")))
                )),
                .li(.class("who"), .a(.href(WebPaths.changePassword.link()), .text(viewer.name))),
                .li(.form(.class("inline"), .action(WebPaths.signOut.link()), .method(.post),
                          csrfField(viewer.csrfToken),
                          .button(.type(.submit), .class("link"), .text("Sign out"))))
            ),
            .if(viewer.isStaff,
                .form(.class("search"), .action(DeskPaths.search.link()), .method(.get),
                      .attribute(named: "role", value: "search"),
                      .label(.for("q"), .class("hidden"), .text("Search tickets")),
                      .input(.type(.search), .name("q"), .id("q"), .placeholder(HTMLEscaping.attribute("Search: #12, words, \"a phrase\", sender")),
                             .attribute(named: "data-key", value: "/"))))
        )
    }

    /// The hidden field every form carries (see `CSRFMiddleware`).
    static func csrfField(_ token: String) -> Node<HTML.FormContext> {
        .input(.type(.hidden), .name("_csrf"), .value(token))
    }
}

extension Node where Context == HTML.FormContext {
    /// A labelled input; `error` is shown next to it and named to screen readers.
    static func field(_ label: String, name: String, type: HTMLInputType = .text, value: String = "",
                      autocomplete: String? = nil, required: Bool = true, error: String? = nil) -> Node {
        .div(.class(error == nil ? "field" : "field invalid"),
             .label(.for(name), .text(label)),
             .input(.type(type), .name(name), .id(name), .value(HTMLEscaping.attribute(value)), .required(required),
                    .attribute(named: "autocomplete", value: autocomplete),
                    .attribute(named: "aria-invalid", value: error == nil ? nil : "true")),
             .unwrap(error) { .p(.class("error"), .text($0)) })
    }
}
