import Foundation
import Plot

/// The texts the policy sends on its own (the answer to a claim of urgency, to a demand
/// for a call, information requests and reminders), each editable by admins and
/// restorable to the default.
enum PolicyTextsPages {
    struct Entry: Sendable, Equatable {
        var key: String
        var title: String
        var subject: String
        var body: String
        var placeholders: [String]
        var edited: Bool
        var updatedAt: Date?
        /// Problems with what was typed, by field ("subject", "body").
        var errors: [String: String] = [:]
    }

    struct Model: Sendable {
        var entries: [Entry]
        var notice: String?

        init(_ entries: [PolicyTexts.Entry], notice: String? = nil) {
            self.entries = entries.map {
                Entry(key: $0.template.key, title: $0.template.title, subject: $0.template.subject, body: $0.template.body,
                      placeholders: $0.template.placeholders, edited: $0.edited, updatedAt: $0.updatedAt)
            }
            self.notice = notice
        }
    }

    /// The form's buttons: `action=save` or `action=reset`.
    static let resetAction = "reset"

    static func page(_ model: Model, viewer: Viewer?, csrfToken: String) -> HTML {
        Layout.page(
            title: "Policy texts", viewer: viewer, csrfToken: csrfToken, notice: model.notice,
            .h1("Policy texts"),
            .p(.class("muted"),
               .text("What Fairdesk writes on its own. Placeholders in double braces, such as "), .code("{{name}}"),
               .text(", are filled in when the mail is sent; each text offers its own. The subject gets “Re:” and the ticket's tag in front.")),
            .forEach(model.entries) { entry(for: $0, csrfToken: csrfToken) }
        )
    }

    private static func entry(for entry: Entry, csrfToken: String) -> Node<HTML.BodyContext> {
        let key = HTMLEscaping.attribute(entry.key)
        let subjectError = entry.errors["subject"], bodyError = entry.errors["body"]
        return .section(
            .class("admin policy-text"), .id("policy-\(key)"),
            .h2(.exactText(entry.title), .text(" "),
                .if(entry.edited, .span(.class("badge edited"), .text("edited")), else: .span(.class("badge"), .text("default")))),
            .p(.class("muted"), .text("Placeholders: "),
               .forEach(Array(entry.placeholders.enumerated()), { index, name in
                   .group(.if(index > 0, .text(", ")), .code(.exactText("{{\(name)}}")))
               }),
               .unwrap(entry.updatedAt) { .group(.text(" · changed "), .text(Age.utc($0))) }),
            .form(
                .action(DeskPaths.policyText(entry.key)), .method(.post),
                Layout.csrfField(csrfToken),
                .div(.class(subjectError == nil ? "field" : "field invalid"),
                     .label(.for("subject-\(key)"), .text("Subject")),
                     .input(.type(.text), .name("subject"), .id("subject-\(key)"), .value(HTMLEscaping.attribute(entry.subject)),
                            .required(true), .attribute(named: "maxlength", value: "200"),
                            .attribute(named: "aria-invalid", value: subjectError == nil ? nil : "true"),
                            .attribute(named: "aria-describedby", value: subjectError == nil ? nil : "subject-\(key)-error")),
                     .unwrap(subjectError) { .p(.class("error"), .id("subject-\(key)-error"), .exactText($0)) }),
                .div(.class(bodyError == nil ? "field" : "field invalid"),
                     .label(.for("body-\(key)"), .text("Text")),
                     .textarea(.name("body"), .id("body-\(key)"), .rows(14), .required(true),
                               .attribute(named: "aria-invalid", value: bodyError == nil ? nil : "true"),
                               .attribute(named: "aria-describedby", value: bodyError == nil ? nil : "body-\(key)-error"),
                               .exactText(entry.body)),
                     .unwrap(bodyError) { .p(.class("error"), .id("body-\(key)-error"), .exactText($0)) }),
                .div(.class("toolbar"),
                     .button(.type(.submit), .name("action"), .value("save"), .text("Save")),
                     .if(entry.edited,
                         .button(.type(.submit), .class("secondary"), .name("action"), .value(resetAction),
                                 .attribute(named: "formnovalidate"), .text("Restore the default"))))
            )
        )
    }
}

extension DeskPaths {
    static func policyText(_ key: String) -> String { policyText.link(["key": key]) }
    static func catalogItem(_ key: String) -> String { catalogItem.link(["key": key]) }
}
