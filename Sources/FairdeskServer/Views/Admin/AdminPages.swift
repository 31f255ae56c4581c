import Foundation
import Plot

/// Admins' pages: mail that needs attention, staff accounts.
enum AdminPages {
    struct AttentionRow: Sendable, Equatable {
        var id: UUID
        var receivedAt: Date?
        var sender: String
        var reason: String
        var channel: String
        var size: Int
    }

    struct Attention: Sendable {
        var rows: [AttentionRow]
        /// The list is cut at this many (newest first).
        var limit: Int
        var notice: String?
        var now: Date
    }

    static func attention(_ model: Attention, viewer: Viewer?, csrfToken: String) -> HTML {
        Layout.page(
            title: "Mail that needs attention", viewer: viewer, csrfToken: csrfToken, notice: model.notice,
            .h1("Mail that needs attention"),
            .p(.class("muted"), .text("Stored, but not on a ticket. Fix the cause (claim a domain, add a person), then reprocess.")),
            .if(model.rows.isEmpty,
                .p(.class("empty"), .text("Nothing needs attention: every message received is on a ticket.")),
                else: .table(
                    .class("list"),
                    .thead(.tr(.th("Received"), .th("Sender"), .th("Reason"), .th("Channel"), .th("Size"), .th(.span(.class("hidden"), .text("Actions"))))),
                    .tbody(.forEach(model.rows) { row in
                        .tr(.attribute(named: "data-row"),
                            .td(TicketTable.timeAgo(row.receivedAt, now: model.now)),
                            .td(.exactText(row.sender.isEmpty ? "(no envelope sender)" : row.sender)),
                            .td(.exactText(row.reason)),
                            .td(.exactText(row.channel)),
                            .td(.text(FormParts.bytes(row.size))),
                            .td(.form(.class("inline"), .action(DeskPaths.attentionReprocess(row.id)), .method(.post),
                                      Layout.csrfField(csrfToken),
                                      .button(.type(.submit), .class("secondary"), .text("Reprocess"))),
                                .text(" "),
                                .a(.href(DeskPaths.attentionRaw(row.id)), .text("Raw message"))))
                    })
                )),
            .if(model.rows.count >= model.limit, .p(.class("muted"), .text("The \(model.limit) most recent are listed.")))
        )
    }

    struct StaffRow: Sendable, Equatable {
        var id: UUID
        var name: String?
        var email: String
        var role: PersonRole
        var disabled: Bool
        /// False until they chose a password through the mailed link.
        var hasPassword: Bool
    }

    struct StaffForm: Sendable, Equatable {
        var email = ""
        var name = ""
        var role = PersonRole.agent.rawValue
    }

    struct Staff: Sendable {
        var rows: [StaffRow]
        /// The signed-in admin (who cannot disable themselves).
        var viewerID: UUID
        var form = StaffForm()
        var errors: [String: String] = [:]
        var notice: String?
    }

    static func staff(_ model: Staff, viewer: Viewer?, csrfToken: String) -> HTML {
        Layout.page(
            title: "Staff", viewer: viewer, csrfToken: csrfToken, notice: model.notice,
            .h1("Staff"),
            .table(
                .class("list"),
                .thead(.tr(.th("Name"), .th("Email"), .th("Role"), .th("Status"), .th(.span(.class("hidden"), .text("Actions"))))),
                .tbody(.forEach(model.rows) { row in
                    .tr(.attribute(named: "data-row"),
                        .td(.a(.href(DeskPaths.person(row.id)), .exactText(row.name.flatMap { $0.isEmpty ? nil : $0 } ?? row.email))),
                        .td(.exactText(row.email)),
                        .td(.text(PeoplePages.roleLabel(row.role))),
                        .td(.text(row.disabled ? "disabled" : row.hasPassword ? "active" : "invited (no password yet)")),
                        .td(.if(row.id != model.viewerID,
                                .form(.class("inline"), .action(DeskPaths.personDisabled(row.id)), .method(.post),
                                      Layout.csrfField(csrfToken),
                                      .input(.type(.hidden), .name("disabled"), .value(row.disabled ? "false" : "true")),
                                      .button(.type(.submit), .class("secondary"), .text(row.disabled ? "Enable" : "Disable"))),
                                else: .span(.class("muted"), .text("you")))))
                })
            ),
            .section(.class("narrow"),
                     .h2("Add an agent or admin"),
                     .p(.class("muted"), .text("They get an email with a link to choose their own password. The link works once, within an hour; after that they can use “Forgot your password?” on the sign-in page.")),
                     .form(.action(DeskPaths.staff.link()), .method(.post),
                           Layout.csrfField(csrfToken),
                           .field("Email", name: "email", type: .email, value: model.form.email, error: model.errors["email"]),
                           .field("Name", name: "name", value: model.form.name, error: model.errors["name"]),
                           FormParts.select("Role", name: "role", options: [(value: "agent", label: "agent: works the queue"),
                                                                             (value: "admin", label: "admin: also configures Fairdesk")],
                                            selected: model.form.role, error: model.errors["role"]),
                           .button(.type(.submit), .text("Add and send the link"))))
        )
    }
}
