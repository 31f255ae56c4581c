import FairdeskPolicy
import Foundation
import Vapor

/// The investigations board, the fairness report, the policy's texts and the diagnostic
/// catalog. Handlers decode, authorize, call the named queries and stores
/// (`Investigations`, `FairnessQueries`, `PolicyTexts`, `DiagnosticCatalogStore`) and
/// render a view; a form's problems show the page again with what was typed (422).
enum PolicyPagesController {
    static func register(_ web: any RoutesBuilder) {
        web.get(DeskPaths.investigations, use: investigations)
        web.get(DeskPaths.fairness, use: fairness)
        web.get(DeskPaths.policyTexts, use: policyTexts)
        web.post(DeskPaths.policyText, use: savePolicyText)
        web.get(DeskPaths.catalog, use: catalog)
        // A constant segment wins over `:key` in the router, and no key is "new"
        // (added items' keys start with "custom-").
        web.post(DeskPaths.catalogNew, use: addCatalogItem)
        web.post(DeskPaths.catalogItem, use: saveCatalogItem)
    }

    /// The largest position an admin may give a catalog item.
    static let maxPosition = 100_000

    // MARK: Investigations

    @Sendable static func investigations(_ req: Request) async throws -> Response {
        _ = try req.requireStaffSession()
        let rows = try await Investigations.board(on: req.db)
        return InvestigationsBoard.page(.init(rows: rows, now: Date()), viewer: req.viewer, csrfToken: req.csrfToken).response()
    }

    // MARK: Fairness

    /// A refused `?period=`/`?days=` shows the form again with the problem next to the
    /// field (400), rather than a bare error page.
    @Sendable static func fairness(_ req: Request) async throws -> Response {
        _ = try req.requireAdminSession()
        let periodText = (req.query[String.self, at: "period"] ?? "").trimmingCharacters(in: .whitespaces)
        let daysText = (req.query[String.self, at: "days"] ?? "").trimmingCharacters(in: .whitespaces)
        let now = Date()
        var model = FairnessReportPage.Model(period: periodText.isEmpty ? ReportPeriod.day.rawValue : periodText,
                                             days: daysText.isEmpty ? String(FairnessQuery.defaultDays) : daysText,
                                             report: nil, now: now)
        do {
            guard daysText.isEmpty || Int(daysText) != nil else {
                throw Abort(.badRequest, reason: "days: a whole number from 1 to \(FairnessQuery.maxDays)")
            }
            let query = FairnessQuery(period: periodText.isEmpty ? nil : periodText, days: Int(daysText))
            let period = try query.parsedPeriod()
            let days = try query.parsedDays()
            model.report = try await FairnessQueries.report(period: period, days: days, now: now, on: req.db)
        } catch let abort as Abort where abort.status == .badRequest {
            model.errors = fieldProblem(abort.reason, fields: ["period", "days"], otherwise: "days")
            return FairnessReportPage.page(model, viewer: req.viewer, csrfToken: req.csrfToken).response(.badRequest)
        }
        return FairnessReportPage.page(model, viewer: req.viewer, csrfToken: req.csrfToken).response()
    }

    /// "days: from 1 to 366" → ["days": "From 1 to 366."]: the queries name the field
    /// first, as the API's reasons do.
    static func fieldProblem(_ reason: String, fields: Set<String>, otherwise: String) -> [String: String] {
        guard let colon = reason.range(of: ": ") else { return [otherwise: reason] }
        let field = String(reason[..<colon.lowerBound])
        var text = String(reason[colon.upperBound...])
        if let first = text.first { text = first.uppercased() + text.dropFirst() }
        if !text.hasSuffix(".") { text += "." }
        return fields.contains(field) ? [field: text] : [otherwise: reason]
    }

    // MARK: Policy texts

    @Sendable static func policyTexts(_ req: Request) async throws -> Response {
        _ = try req.requireAdminSession()
        var notice: String?
        if let key = req.query[String.self, at: "saved"], let template = PolicyTemplates.named(key) {
            notice = "Saved “\(template.title)”."
        } else if let key = req.query[String.self, at: "reset"], let template = PolicyTemplates.named(key) {
            notice = "“\(template.title)” is back to the default text."
        }
        let model = PolicyTextsPages.Model(try await PolicyTexts(req.db).all(), notice: notice)
        return PolicyTextsPages.page(model, viewer: req.viewer, csrfToken: req.csrfToken).response()
    }

    struct PolicyTextForm: Content {
        var subject: String?
        var body: String?
        /// "save" or "reset" (the button pressed).
        var action: String?
    }

    @Sendable static func savePolicyText(_ req: Request) async throws -> Response {
        let session = try req.requireAdminSession()
        guard let key = req.parameters.get("key"), let base = PolicyTemplates.named(key) else { throw Abort(.notFound) }
        let form = try req.content.decode(PolicyTextForm.self)
        let actor = session.personID, address = req.clientAddress
        let anchor = "#policy-\(key)"

        // Saving the default text unchanged is a reset: "edited" should mean it differs.
        let subject = (form.subject ?? "").trimmingCharacters(in: .whitespaces)
        let body = multiline(form.body ?? "")
        if form.action == PolicyTextsPages.resetAction || (subject == base.subject && body == base.body) {
            try await req.write { db in
                try await PolicyTexts(db).reset(key: key)
                try await Audit.record("policy-text.reset", object: "policy-text:\(key)", actor: actor, address: address, on: db)
            }
            return req.seeOther(DeskPaths.policyTexts.link() + "?reset=\(key)" + anchor)
        }

        let problems = PolicyTexts.problems(base, subject: subject, body: body)
        guard problems.isEmpty else {
            var model = PolicyTextsPages.Model(try await PolicyTexts(req.db).all())
            if let index = model.entries.firstIndex(where: { $0.key == key }) {
                model.entries[index].subject = subject
                model.entries[index].body = body
                model.entries[index].errors = problems
            }
            return PolicyTextsPages.page(model, viewer: req.viewer, csrfToken: req.csrfToken).response(.unprocessableEntity)
        }
        try await req.write { db in
            try await PolicyTexts(db).save(key: key, subject: subject, body: body, by: actor)
            try await Audit.record("policy-text.saved", object: "policy-text:\(key)", actor: actor, address: address, on: db)
        }
        return req.seeOther(DeskPaths.policyTexts.link() + "?saved=\(key)" + anchor)
    }

    // MARK: The diagnostic catalog

    @Sendable static func catalog(_ req: Request) async throws -> Response {
        _ = try req.requireAdminSession()
        let items = try await DiagnosticCatalogStore(req.db).all()
        func title(_ parameter: String) -> String? {
            guard let key = req.query[String.self, at: parameter] else { return nil }
            return items.first { $0.key.rawValue == key }?.title
        }
        var notice: String?
        if let title = title("saved") {
            notice = "Saved “\(title)”."
        } else if let title = title("added") {
            notice = "Added “\(title)” at the end of the catalog."
        } else if let title = title("reset") {
            notice = "“\(title)” is back to its default text."
        } else if req.query[String.self, at: "removed"] != nil {
            notice = "The item was removed from the catalog. Requests already sent keep it."
        }
        return CatalogPages.page(.init(items, notice: notice), viewer: req.viewer, csrfToken: req.csrfToken).response()
    }

    struct CatalogForm: Content {
        var title: String?
        var explanation: String?
        var position: String?
        /// A check box: present ("on") when ticked, absent when not.
        var active: String?
        /// "save" or "reset" (the button pressed).
        var action: String?
    }

    @Sendable static func saveCatalogItem(_ req: Request) async throws -> Response {
        let session = try req.requireAdminSession()
        let key = try req.parameters.require("key")
        let items = try await DiagnosticCatalogStore(req.db).all()
        guard let existing = items.first(where: { $0.key.rawValue == key }) else { throw Abort(.notFound) }
        let form = try req.content.decode(CatalogForm.self)
        let actor = session.personID, address = req.clientAddress

        if form.action == PolicyTextsPages.resetAction {
            guard existing.edited else { return req.seeOther(DeskPaths.catalog.link() + "#item-\(key)") }
            try await req.write { db in
                try await DiagnosticCatalogStore(db).reset(existing.key)
                try await Audit.record("catalog-item.reset", object: "catalog-item:\(key)", actor: actor, address: address, on: db)
            }
            return req.seeOther(DeskPaths.catalog.link() + (existing.seeded ? "?reset=\(key)#item-\(key)" : "?removed=1"))
        }

        let title = (form.title ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let explanation = multiline(form.explanation ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let positionText = (form.position ?? "").trimmingCharacters(in: .whitespaces)
        let active = form.active.map { !$0.isEmpty && $0 != "off" && $0 != "false" } ?? false
        var problems = DiagnosticCatalogStore.problems(title: title, explanation: explanation)
        let position = Int(positionText).flatMap { (0...maxPosition).contains($0) ? $0 : nil }
        if position == nil { problems["position"] = "A whole number from 0 to \(maxPosition)." }
        guard problems.isEmpty, let position else {
            var model = CatalogPages.Model(items)
            if let index = model.items.firstIndex(where: { $0.key == key }) {
                model.items[index].title = title
                model.items[index].explanation = explanation
                model.items[index].position = positionText
                model.items[index].active = active
                model.items[index].errors = problems
            }
            return CatalogPages.page(model, viewer: req.viewer, csrfToken: req.csrfToken).response(.unprocessableEntity)
        }
        var item = existing
        item.title = title
        item.explanation = explanation
        item.position = position
        item.active = active
        item.edited = true
        let saved = item
        try await req.write { db in
            try await DiagnosticCatalogStore(db).save(saved, by: actor)
            try await Audit.record("catalog-item.saved", object: "catalog-item:\(key)", detail: active ? "offered" : "switched off",
                                   actor: actor, address: address, on: db)
        }
        return req.seeOther(DeskPaths.catalog.link() + "?saved=\(key)#item-\(key)")
    }

    @Sendable static func addCatalogItem(_ req: Request) async throws -> Response {
        let session = try req.requireAdminSession()
        let form = try req.content.decode(CatalogForm.self)
        let title = (form.title ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let explanation = multiline(form.explanation ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let problems = DiagnosticCatalogStore.problems(title: title, explanation: explanation)
        guard problems.isEmpty else {
            var model = CatalogPages.Model(try await DiagnosticCatalogStore(req.db).all())
            model.new = .init(title: title, explanation: explanation, errors: problems)
            return CatalogPages.page(model, viewer: req.viewer, csrfToken: req.csrfToken).response(.unprocessableEntity)
        }
        let actor = session.personID, address = req.clientAddress
        // Key and position are chosen inside the write, so two admins adding at once
        // cannot pick the same key.
        let key = try await req.write { db in
            let store = try DiagnosticCatalogStore(db)
            let items = try await store.all()
            let key = DiagnosticCatalogStore.newKey(title: title, existing: Set(items.map(\.key.rawValue)))
            let position = min(maxPosition, (items.map(\.position).max() ?? 0) + 10)
            try await store.save(.init(key: key, title: title, explanation: explanation, active: true, position: position,
                                       seeded: false, edited: true), by: actor)
            try await Audit.record("catalog-item.added", object: "catalog-item:\(key.rawValue)", detail: title,
                                   actor: actor, address: address, on: db)
            return key.rawValue
        }
        return req.seeOther(DeskPaths.catalog.link() + "?added=\(key)#item-\(key)")
    }

    // MARK: Helpers

    /// Browsers send a text area's line breaks as CRLF; texts are stored with LF.
    static func multiline(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }
}
