import FairdeskPolicy
import Foundation
import Plot

/// The diagnostic catalog (DESIGN.md §3): the items an agent can ask a customer for, with
/// the customer-facing explanation of how to get each. Admins edit, reorder, switch off
/// and add items; seeded items can be restored to their default text.
enum CatalogPages {
    struct Item: Sendable, Equatable {
        var key: String
        var title: String
        var explanation: String
        var active: Bool
        /// As typed (a refused position is shown as it was typed).
        var position: String
        var seeded: Bool
        var edited: Bool
        var errors: [String: String] = [:]
    }

    struct NewItem: Sendable, Equatable {
        var title = ""
        var explanation = ""
        var errors: [String: String] = [:]
    }

    struct Model: Sendable {
        var items: [Item]
        var new = NewItem()
        var notice: String?

        init(_ items: [DiagnosticCatalogStore.Item], notice: String? = nil) {
            self.items = items.map {
                Item(key: $0.key.rawValue, title: $0.title, explanation: $0.explanation, active: $0.active,
                     position: String($0.position), seeded: $0.seeded, edited: $0.edited)
            }
            self.notice = notice
        }
    }

    static func page(_ model: Model, viewer: Viewer?, csrfToken: String) -> HTML {
        Layout.page(
            title: "Diagnostic catalog", viewer: viewer, csrfToken: csrfToken, notice: model.notice,
            .h1("Diagnostic catalog"),
            .p(.class("muted"), .text("What agents can ask a customer for. The explanation is what the customer reads: what the item is and how to get it. Items switched off are not offered; requests already sent keep their text. Lower positions come first.")),
            .forEach(model.items) { item(for: $0, csrfToken: csrfToken) },
            newItem(model.new, csrfToken: csrfToken)
        )
    }

    private static func item(for item: Item, csrfToken: String) -> Node<HTML.BodyContext> {
        let id = HTMLEscaping.attribute(item.key)
        return .section(
            .class(item.active ? "admin catalog-item" : "admin catalog-item inactive"), .id("item-\(id)"),
            .h2(.exactText(item.title), .text(" "),
                .if(!item.active, .span(.class("badge off"), .text("switched off"))),
                .if(item.seeded && item.edited, .span(.class("badge edited"), .text("edited"))),
                .if(!item.seeded, .span(.class("badge"), .text("added")))),
            .form(
                .action(DeskPaths.catalogItem(item.key)), .method(.post),
                Layout.csrfField(csrfToken),
                textField("Title", name: "title", id: "title-\(id)", value: item.title, maxLength: 120, error: item.errors["title"]),
                textArea("Explanation for the customer", name: "explanation", id: "explanation-\(id)", value: item.explanation,
                         error: item.errors["explanation"]),
                .div(.class("toolbar"),
                     .div(.class(item.errors["position"] == nil ? "field position" : "field position invalid"),
                          .label(.for("position-\(id)"), .text("Position")),
                          .input(.type(.number), .name("position"), .id("position-\(id)"), .value(HTMLEscaping.attribute(item.position)),
                                 .attribute(named: "min", value: "0"), .attribute(named: "max", value: "\(PolicyPagesController.maxPosition)"),
                                 .attribute(named: "aria-invalid", value: item.errors["position"] == nil ? nil : "true")),
                          .unwrap(item.errors["position"]) { .p(.class("error"), .exactText($0)) }),
                     .div(.class("field check"),
                          .label(.input(.type(.checkbox), .name("active"), .id("active-\(id)"), .value("on"), .checked(item.active)),
                                 .text(" Offered to agents")))),
                .div(.class("toolbar"),
                     .button(.type(.submit), .name("action"), .value("save"), .text("Save")),
                     .if(item.seeded && item.edited,
                         .button(.type(.submit), .class("secondary"), .name("action"), .value(PolicyTextsPages.resetAction),
                                 .attribute(named: "formnovalidate"), .text("Restore the default"))),
                     .if(!item.seeded,
                         .button(.type(.submit), .class("secondary"), .name("action"), .value(PolicyTextsPages.resetAction),
                                 .attribute(named: "formnovalidate"), .text("Remove"))))
            )
        )
    }

    private static func newItem(_ new: NewItem, csrfToken: String) -> Node<HTML.BodyContext> {
        .section(
            .class("admin catalog-new"), .id("new-item"),
            .h2("Add an item"),
            .form(
                .action(DeskPaths.catalogNew.link()), .method(.post),
                Layout.csrfField(csrfToken),
                textField("Title", name: "title", id: "new-title", value: new.title, maxLength: 120, error: new.errors["title"]),
                textArea("Explanation for the customer", name: "explanation", id: "new-explanation", value: new.explanation,
                         error: new.errors["explanation"]),
                .button(.type(.submit), .text("Add to the catalog"))
            )
        )
    }

    // Ids differ per item (many forms on one page); names are the same in each form.

    private static func textField(_ label: String, name: String, id: String, value: String, maxLength: Int,
                                  error: String?) -> Node<HTML.FormContext> {
        .div(.class(error == nil ? "field" : "field invalid"),
             .label(.for(id), .text(label)),
             .input(.type(.text), .name(name), .id(id), .value(HTMLEscaping.attribute(value)), .required(true),
                    .attribute(named: "maxlength", value: "\(maxLength)"),
                    .attribute(named: "aria-invalid", value: error == nil ? nil : "true"),
                    .attribute(named: "aria-describedby", value: error == nil ? nil : "\(id)-error")),
             .unwrap(error) { .p(.class("error"), .id("\(id)-error"), .exactText($0)) })
    }

    private static func textArea(_ label: String, name: String, id: String, value: String, error: String?) -> Node<HTML.FormContext> {
        .div(.class(error == nil ? "field" : "field invalid"),
             .label(.for(id), .text(label)),
             .textarea(.name(name), .id(id), .rows(6), .required(true),
                       .attribute(named: "aria-invalid", value: error == nil ? nil : "true"),
                       .attribute(named: "aria-describedby", value: error == nil ? nil : "\(id)-error"),
                       .exactText(value)),
             .unwrap(error) { .p(.class("error"), .id("\(id)-error"), .exactText($0)) })
    }
}
