import Foundation
import Plot

/// A staff member's API tokens: list, create (the secret shown once), revoke.
enum TokenPages {
    struct Row: Sendable, Equatable {
        var id: UUID
        var name: String
        var createdAt: Date?
        /// To the hour (`BearerTokenMiddleware.useResolution`); nil: never used.
        var lastUsedAt: Date? = nil
    }

    struct Tokens: Sendable {
        var rows: [Row]
        /// The secret of the token just created: shown on this response only, never stored.
        var createdSecret: String?
        var formName = ""
        var errors: [String: String] = [:]
        var notice: String?
        var now: Date
    }

    static func tokens(_ model: Tokens, viewer: Viewer?, csrfToken: String) -> HTML {
        Layout.page(
            title: "API tokens", viewer: viewer, csrfToken: csrfToken, notice: model.notice,
            .h1("API tokens"),
            .p(.class("muted"), .text("A token acts as you in the JSON API under /api/v1: send it as "),
               .code("Authorization: Bearer <token>"), .text(".")),
            .unwrap(model.createdSecret) { secret in
                .div(.class("notice secret"), .attribute(named: "role", value: "status"),
                     .p(.strong("Copy your new token now: it is shown only this once.")),
                     .p(.code(.id("new-token"), .text(secret))))
            },
            .if(model.rows.isEmpty,
                .p(.class("empty"), .text("You have no API tokens.")),
                else: .table(
                    .class("list"),
                    .thead(.tr(.th("Name"), .th("Created"), .th("Last used"), .th(.span(.class("hidden"), .text("Actions"))))),
                    .tbody(.forEach(model.rows) { row in
                        .tr(.attribute(named: "data-row"),
                            .td(.exactText(row.name)),
                            .td(.text(row.createdAt.map(Age.utc) ?? "")),
                            .td(.text(row.lastUsedAt.map(Age.utc) ?? "never")),
                            .td(.form(.class("inline"), .action(DeskPaths.tokenRevoke(row.id)), .method(.post),
                                      Layout.csrfField(csrfToken),
                                      .button(.type(.submit), .class("secondary"), .attribute(named: "aria-label", value: HTMLEscaping.attribute("Revoke \(row.name)")),
                                              .text("Revoke")))))
                    })
                )),
            .section(.class("narrow"),
                     .h2("Create a token"),
                     .form(.action(DeskPaths.tokens.link()), .method(.post),
                           Layout.csrfField(csrfToken),
                           .field("Name (where it will be used)", name: "name", value: model.formName, error: model.errors["name"]),
                           .button(.type(.submit), .text("Create token"))))
        )
    }
}
