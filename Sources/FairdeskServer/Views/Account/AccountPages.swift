import Foundation
import Plot

/// Sign-in, sign-in links, password reset and change: models and views.
enum AccountPages {
    struct SignIn {
        var email = ""
        var error: String?
        var notice: String?
    }

    static func signIn(_ model: SignIn, csrfToken: String) -> HTML {
        Layout.page(
            title: "Sign in", viewer: nil, csrfToken: csrfToken, notice: model.notice,
            .section(.class("narrow"),
                     .h1("Sign in"),
                     .form(.action(WebPaths.signIn.link()), .method(.post),
                           Layout.csrfField(csrfToken),
                           .unwrap(model.error) { .p(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
                           .field("Email", name: "email", type: .email, value: model.email, autocomplete: "username"),
                           .field("Password", name: "password", type: .password, autocomplete: "current-password"),
                           .button(.type(.submit), .text("Sign in"))),
                     .p(.a(.href(WebPaths.forgotPassword.link()), .text("Forgot your password?")))),
            .section(.class("narrow"),
                     .h2("Customers"),
                     .p("Wrote to support before? Get a sign-in link by email — no password needed."),
                     .form(.action(WebPaths.signInLinkRequest.link()), .method(.post),
                           Layout.csrfField(csrfToken),
                           .field("Your email address", name: "email", type: .email, autocomplete: "email"),
                           .button(.type(.submit), .text("Email me a sign-in link"))))
        )
    }

    /// A page that only says something (link sent, link expired, …).
    static func message(title: String, text: String, viewer: Viewer?, csrfToken: String, link: (String, String)? = nil) -> HTML {
        Layout.page(title: title, viewer: viewer, csrfToken: csrfToken,
                    .section(.class("narrow"), .h1(.text(title)), .p(.text(text)),
                             .unwrap(link) { .p(.a(.href($0.0), .text($0.1))) }))
    }

    /// A mailed link opens this page; the POST consumes the token, so a mail scanner that
    /// follows links cannot use it up.
    static func confirmSignInLink(token: String, csrfToken: String) -> HTML {
        Layout.page(title: "Sign in", viewer: nil, csrfToken: csrfToken,
                    .section(.class("narrow"), .h1("Sign in"),
                             .form(.action(WebPaths.signInLink(token: token)), .method(.post),
                                   Layout.csrfField(csrfToken),
                                   .button(.type(.submit), .attribute(named: "autofocus"), .text("Continue to your tickets")))))
    }

    static func forgotPassword(csrfToken: String, error: String? = nil) -> HTML {
        Layout.page(title: "Forgot password", viewer: nil, csrfToken: csrfToken,
                    .section(.class("narrow"), .h1("Reset your password"),
                             .p("We will email a link to reset it. The link works once, for an hour."),
                             .form(.action(WebPaths.forgotPassword.link()), .method(.post),
                                   Layout.csrfField(csrfToken),
                                   .field("Email", name: "email", type: .email, autocomplete: "username", error: error),
                                   .button(.type(.submit), .text("Email me a link")))))
    }

    struct NewPassword {
        var action: String
        var needsCurrent: Bool
        var errors: [String: String] = [:]
    }

    static func newPassword(_ model: NewPassword, title: String, viewer: Viewer?, csrfToken: String, notice: String? = nil) -> HTML {
        Layout.page(title: title, viewer: viewer, csrfToken: csrfToken, notice: notice,
                    .section(.class("narrow"), .h1(.text(title)),
                             .form(.action(model.action), .method(.post),
                                   Layout.csrfField(csrfToken),
                                   .if(model.needsCurrent,
                                       .field("Current password", name: "current", type: .password, autocomplete: "current-password",
                                              error: model.errors["current"])),
                                   .field("New password (at least \(PasswordRules.minimumLength) characters)", name: "password", type: .password,
                                          autocomplete: "new-password", error: model.errors["password"]),
                                   .field("New password again", name: "confirm", type: .password, autocomplete: "new-password",
                                          error: model.errors["confirm"]),
                                   .button(.type(.submit), .text("Save password")))))
    }
}

enum PasswordRules {
    static let minimumLength = 12

    /// Problems with a new password, by field name.
    static func problems(password: String, confirm: String) -> [String: String] {
        var problems: [String: String] = [:]
        if password.count < minimumLength {
            problems["password"] = "Use at least \(minimumLength) characters; a few unrelated words make a good one."
        } else if password.count > 1000 {
            problems["password"] = "Use at most 1000 characters."
        }
        if confirm != password { problems["confirm"] = "The two passwords differ." }
        return problems
    }
}
