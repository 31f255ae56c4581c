import FairdeskMail
import Fluent
import Foundation
import Vapor

/// The lists: the desk's queue and views, the portal's tickets, people, organizations,
/// mail that needs attention, API tokens. Handlers decode, authorize, call a named query
/// (`ListQueries`) and render a view; a form's problems show the form again (422).
enum ListPagesController {
    static func register(_ web: any RoutesBuilder) {
        web.get(DeskPaths.queue, use: queue)
        web.get(PortalPaths.home, use: portalHome)
        web.get(PortalPaths.newTicket, use: newTicketPage)
        web.post(PortalPaths.newTicket, use: newTicket)
        web.get(DeskPaths.attention, use: attention)
        web.post(DeskPaths.attentionReprocess, use: reprocess)
        web.get(DeskPaths.attentionRaw, use: attentionRaw)
        web.get(DeskPaths.person, use: person)
        web.post(DeskPaths.personSettings, use: updatePerson)
        web.post(DeskPaths.personDisabled, use: setPersonDisabled)
        web.get(DeskPaths.organization, use: organization)
        web.post(DeskPaths.organizationSettings, use: updateOrganization)
        web.post(DeskPaths.organizationDomains, use: addDomain)
        web.post(DeskPaths.organizationDomainRemove, use: removeDomain)
        web.get(DeskPaths.staff, use: staff)
        web.post(DeskPaths.staff, use: createStaff)
        web.get(DeskPaths.tokens, use: tokens)
        web.post(DeskPaths.tokens, use: createToken)
        web.post(DeskPaths.tokenRevoke, use: revokeToken)
    }

    // MARK: The queue

    @Sendable static func queue(_ req: Request) async throws -> Response {
        let session = try req.requireStaffSession()
        let filter = try QueueFilter.parse(view: req.query["view"], organization: req.query["organization"],
                                           status: req.query["status"], limit: req.query["limit"])
        let model = try await ListQueries.queue(filter, viewer: session.personID, scope: session.scope, after: cursor(req),
                                                on: req.db, now: Date())
        return QueuePages.queue(model, viewer: req.viewer, csrfToken: req.csrfToken).response()
    }

    // MARK: The portal

    @Sendable static func portalHome(_ req: Request) async throws -> Response {
        let session = try req.requireWebSession()
        if session.isStaff { return req.seeOther(DeskPaths.queue(view: .waiting)) }
        let model = try await ListQueries.portalHome(session, supportAddress: req.fairdesk.configuration.primarySupportAddress,
                                                     after: cursor(req), on: req.db, now: Date())
        return PortalPages.home(model, viewer: req.viewer, csrfToken: req.csrfToken).response()
    }

    @Sendable static func newTicketPage(_ req: Request) async throws -> Response {
        let session = try req.requireWebSession()
        if session.isStaff { return req.seeOther(DeskPaths.queue(view: .waiting)) }
        return PortalPages.newTicket(.init(maxUploadBytes: req.fairdesk.configuration.maxUploadBytes),
                                     viewer: req.viewer, csrfToken: req.csrfToken).response()
    }

    struct NewTicketForm: Content {
        var subject: String?
        var message: String?
        var attachments: [File]?
    }

    /// A new ticket from the portal enters the queue exactly as mail does (see
    /// `ListQueries.openPortalTicket`); then the customer sees its page.
    @Sendable static func newTicket(_ req: Request) async throws -> Response {
        let session = try req.requireWebSession()
        if session.isStaff { return req.seeOther(DeskPaths.queue(view: .waiting)) }
        let form = try req.content.decode(NewTicketForm.self)
        let limit = req.fairdesk.configuration.maxUploadBytes
        let subject = ListQueries.singleLine(form.subject ?? "").trimmingCharacters(in: .whitespaces)
        var model = PortalPages.NewTicket(subject: subject, message: form.message ?? "", maxUploadBytes: limit)
        // A file input left empty still sends a part, with no name and no bytes.
        let files = (form.attachments ?? []).filter { !$0.filename.isEmpty || $0.data.readableBytes > 0 }
        let total = files.reduce(0) { $0 + $1.data.readableBytes }
        if total > limit {
            model.errors["attachments"] = "The attachments come to \(FormParts.bytes(total)); the limit is \(FormParts.bytes(limit)) in all. Nothing was sent: attach fewer or smaller files."
            return PortalPages.newTicket(model, viewer: req.viewer, csrfToken: req.csrfToken).response(.payloadTooLarge)
        }
        model.errors = ListQueries.newTicketProblems(subject: subject, message: model.message)
        guard model.errors.isEmpty else {
            return PortalPages.newTicket(model, viewer: req.viewer, csrfToken: req.csrfToken).response(.unprocessableEntity)
        }
        // Vapor's `File` keeps no declared type: it is the file name extension's.
        let attachments = files.map { file in
            OutgoingAttachment(filename: plainFilename(file.filename),
                               contentType: file.contentType.map { "\($0.type)/\($0.subType)" } ?? "application/octet-stream",
                               bytes: Array(file.data.readableBytesView))
        }
        let outcome = try await ListQueries.openPortalTicket(customer: session.personID, subject: subject, message: model.message,
                                                             files: attachments, services: req.fairdesk, on: req.db,
                                                             logger: req.logger, now: Date())
        switch outcome {
        case .stored(_, let number, _):
            return req.seeOther(PortalPaths.ticket(number))
        case .duplicate:
            return req.seeOther(PortalPaths.home.link())
        case .needsAttention:
            return AccountPages.message(title: "Message received",
                                        text: "We have your message. It needs a look from our team before it becomes a ticket; we will write to you.",
                                        viewer: req.viewer, csrfToken: req.csrfToken, link: (PortalPaths.home.link(), "Your tickets"))
                .response(.accepted)
        }
    }

    /// The last path component, without control characters: a browser may send a path.
    static func plainFilename(_ name: String) -> String {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let plain = ListQueries.singleLine(last).trimmingCharacters(in: .whitespaces)
        return plain.isEmpty ? "attachment" : String(plain.prefix(200))
    }

    // MARK: Mail that needs attention

    @Sendable static func attention(_ req: Request) async throws -> Response {
        _ = try req.requireAdminSession()
        let limit = 500
        let rows = try await MailController.needingAttention(on: req.db, limit: limit).map { row in
            AdminPages.AttentionRow(id: row.id, receivedAt: row.receivedAt, sender: row.envelopeFrom,
                                    reason: row.reason ?? "", channel: row.channel, size: row.size)
        }
        var notice: String?
        if let number = req.query[Int.self, at: "reprocessed"] {
            notice = "Reprocessed: the message is now on ticket #\(number)."
        } else if req.query[String.self, at: "still"] != nil {
            notice = "Reprocessed, but the message still needs attention (the reason is in the list)."
        }
        return AdminPages.attention(.init(rows: rows, limit: limit, notice: notice, now: Date()),
                                    viewer: req.viewer, csrfToken: req.csrfToken).response()
    }

    @Sendable static func reprocess(_ req: Request) async throws -> Response {
        let session = try req.requireAdminSession()
        let id = try req.uuidParameter("inboundID")
        let outcome = try await MailController.reprocess(id, services: req.fairdesk, on: req.db, logger: req.logger)
        let result = InboundResultDTO(outcome)
        try await Audit.record("inbound.reprocessed", object: "inbound:\(id)",
                               detail: result.status + (result.ticket.map { " #\($0)" } ?? ""),
                               actor: session.personID, address: req.clientAddress, on: req.db)
        if let number = result.ticket { return req.seeOther(DeskPaths.attention.link() + "?reprocessed=\(number)") }
        return req.seeOther(DeskPaths.attention.link() + "?still=1")
    }

    @Sendable static func attentionRaw(_ req: Request) async throws -> Response {
        let session = try req.requireAdminSession()
        return try await MailController.rawDownload(req.uuidParameter("inboundID"), actor: session.personID, via: "desk", req: req)
    }

    // MARK: People and organizations

    @Sendable static func person(_ req: Request) async throws -> Response {
        let session = try req.requireStaffSession()
        var model = try await ListQueries.personPage(req.uuidParameter("personID"), scope: session.scope, after: cursor(req),
                                                     forAdmin: session.role == .admin, on: req.db, now: Date())
        model.notice = savedNotice(req)
        return PeoplePages.person(model, viewer: req.viewer, csrfToken: req.csrfToken).response()
    }

    struct PersonForm: Content {
        var name: String?
        var organization: String?
    }

    @Sendable static func updatePerson(_ req: Request) async throws -> Response {
        let session = try req.requireAdminSession()
        let id = try req.uuidParameter("personID")
        let form = try req.content.decode(PersonForm.self)
        do {
            try await ListQueries.updatePerson(id, name: form.name ?? "", organization: form.organization, actor: session.personID,
                                               address: req.clientAddress, services: req.fairdesk, on: req.db)
        } catch let problems as FormProblems {
            var model = try await ListQueries.personPage(id, scope: session.scope, after: nil, forAdmin: true, on: req.db, now: Date())
            model.form = .init(name: form.name ?? "", organization: form.organization ?? model.form.organization)
            model.errors = problems.fields
            return PeoplePages.person(model, viewer: req.viewer, csrfToken: req.csrfToken).response(.unprocessableEntity)
        }
        return req.seeOther(DeskPaths.person(id) + "?saved=1")
    }

    struct DisabledForm: Content {
        var disabled: String?
    }

    @Sendable static func setPersonDisabled(_ req: Request) async throws -> Response {
        let session = try req.requireAdminSession()
        let id = try req.uuidParameter("personID")
        guard let value = try req.content.decode(DisabledForm.self).disabled, let disabled = Bool(value) else {
            throw Abort(.unprocessableEntity, reason: "disabled: send true or false.")
        }
        do {
            let person = try await ListQueries.setDisabled(id, disabled: disabled, actor: session.personID, address: req.clientAddress,
                                                           services: req.fairdesk, on: req.db)
            return req.seeOther(person.role.isStaff ? DeskPaths.staff.link() : DeskPaths.person(id) + "?saved=1")
        } catch let problems as FormProblems {
            var model = try await ListQueries.personPage(id, scope: session.scope, after: nil, forAdmin: true, on: req.db, now: Date())
            model.errors = problems.fields
            return PeoplePages.person(model, viewer: req.viewer, csrfToken: req.csrfToken).response(.unprocessableEntity)
        }
    }

    @Sendable static func organization(_ req: Request) async throws -> Response {
        let session = try req.requireStaffSession()
        var model = try await ListQueries.organizationPage(req.uuidParameter("organizationID"), scope: session.scope, after: cursor(req),
                                                           on: req.db, now: Date())
        model.notice = savedNotice(req)
        return PeoplePages.organization(model, viewer: req.viewer, csrfToken: req.csrfToken).response()
    }

    struct OrganizationForm: Content {
        var name: String?
        /// A check box: present ("on") when ticked, absent when not.
        var sharesTickets: String?
        var domain: String?

        enum CodingKeys: String, CodingKey {
            case name, domain
            case sharesTickets = "shares_tickets"
        }
    }

    @Sendable static func updateOrganization(_ req: Request) async throws -> Response {
        let session = try req.requireAdminSession()
        let id = try req.uuidParameter("organizationID")
        let form = try req.content.decode(OrganizationForm.self)
        let shares = form.sharesTickets.map { !$0.isEmpty && $0 != "off" && $0 != "false" } ?? false
        return try await organizationChange(req, session: session, id: id, form: form, shares: shares) {
            try await ListQueries.updateOrganization(id, name: form.name ?? "", sharesTickets: shares, actor: session.personID,
                                                     address: req.clientAddress, services: req.fairdesk, on: req.db)
        }
    }

    @Sendable static func addDomain(_ req: Request) async throws -> Response {
        let session = try req.requireAdminSession()
        let id = try req.uuidParameter("organizationID")
        let form = try req.content.decode(OrganizationForm.self)
        return try await organizationChange(req, session: session, id: id, form: form, shares: nil) {
            try await ListQueries.addDomain(id, domain: form.domain ?? "", actor: session.personID, address: req.clientAddress,
                                            services: req.fairdesk, on: req.db)
        }
    }

    @Sendable static func removeDomain(_ req: Request) async throws -> Response {
        let session = try req.requireAdminSession()
        let id = try req.uuidParameter("organizationID")
        try await ListQueries.removeDomain(id, domain: req.uuidParameter("domainID"), actor: session.personID,
                                           address: req.clientAddress, services: req.fairdesk, on: req.db)
        return req.seeOther(DeskPaths.organization(id) + "?saved=1")
    }

    /// Runs an organization change; on a form problem shows the page again with what was
    /// typed (`shares`: the submitted check box, when the form had it).
    private static func organizationChange(_ req: Request, session: WebSession, id: UUID, form: OrganizationForm, shares: Bool?,
                                           _ change: () async throws -> Void) async throws -> Response {
        do {
            try await change()
        } catch let problems as FormProblems {
            var model = try await ListQueries.organizationPage(id, scope: session.scope, after: nil, on: req.db, now: Date())
            if shares != nil { model.form.name = form.name ?? "" }
            if let shares { model.form.sharesTickets = shares }
            model.form.domain = form.domain ?? ""
            model.errors = problems.fields
            return PeoplePages.organization(model, viewer: req.viewer, csrfToken: req.csrfToken).response(.unprocessableEntity)
        }
        return req.seeOther(DeskPaths.organization(id) + "?saved=1")
    }

    // MARK: Staff accounts

    @Sendable static func staff(_ req: Request) async throws -> Response {
        let session = try req.requireAdminSession()
        var model = AdminPages.Staff(rows: try await ListQueries.staff(on: req.db), viewerID: session.personID)
        if let created = req.query[UUID.self, at: "created"], let row = model.rows.first(where: { $0.id == created }) {
            model.notice = "\(row.email) was added as \(PeoplePages.roleLabel(row.role)). A link to choose a password is on its way to them."
        }
        return AdminPages.staff(model, viewer: req.viewer, csrfToken: req.csrfToken).response()
    }

    struct StaffForm: Content {
        var email: String?
        var name: String?
        var role: String?
    }

    /// New agents and admins choose their own password through a mailed single-use link:
    /// no password is ever shown to (or known by) the admin, nor left in a browser's
    /// history or on a screen, and the link proves the address works. A one-time password
    /// shown on the next page would let the admin sign in as the new person.
    @Sendable static func createStaff(_ req: Request) async throws -> Response {
        let session = try req.requireAdminSession()
        let form = try req.content.decode(StaffForm.self)
        let email = (form.email ?? "").trimmingCharacters(in: .whitespaces)
        let name = (form.name ?? "").trimmingCharacters(in: .whitespaces)
        let role = form.role ?? ""
        let id: UUID
        do {
            id = try await ListQueries.createStaff(email: email, name: name, role: role, actor: session.personID,
                                                   address: req.clientAddress, services: req.fairdesk, on: req.db)
        } catch let problems as FormProblems {
            let model = AdminPages.Staff(rows: try await ListQueries.staff(on: req.db), viewerID: session.personID,
                                         form: .init(email: email, name: name, role: role), errors: problems.fields)
            return AdminPages.staff(model, viewer: req.viewer, csrfToken: req.csrfToken).response(.unprocessableEntity)
        }
        try await AccountController.mailLink(
            req, to: email, personID: id, purpose: .reset, subject: "Your Fairdesk account",
            text: "An account was made for you on Fairdesk. Follow this link to choose your password. It works once, within an hour; after that, use “Forgot your password?” on the sign-in page:")
        return req.seeOther(DeskPaths.staff.link() + "?created=\(id.uuidString)")
    }

    // MARK: API tokens

    @Sendable static func tokens(_ req: Request) async throws -> Response {
        let session = try req.requireStaffSession()
        let model = TokenPages.Tokens(rows: try await ListQueries.tokens(of: session.personID, on: req.db),
                                      notice: req.query[String.self, at: "revoked"] != nil ? "The token was revoked: it no longer works." : nil,
                                      now: Date())
        return TokenPages.tokens(model, viewer: req.viewer, csrfToken: req.csrfToken).response()
    }

    struct TokenForm: Content {
        var name: String?
    }

    /// Answers with the page itself (no redirect): the secret is in this response only.
    @Sendable static func createToken(_ req: Request) async throws -> Response {
        let session = try req.requireStaffSession()
        let name = try req.content.decode(TokenForm.self).name ?? ""
        var model = TokenPages.Tokens(rows: [], now: Date())
        var status = HTTPResponseStatus.ok
        do {
            model.createdSecret = try await ListQueries.createToken(for: session.personID, name: name, address: req.clientAddress,
                                                                    services: req.fairdesk, on: req.db)
        } catch let problems as FormProblems {
            model.formName = name
            model.errors = problems.fields
            status = .unprocessableEntity
        }
        model.rows = try await ListQueries.tokens(of: session.personID, on: req.db)
        return TokenPages.tokens(model, viewer: req.viewer, csrfToken: req.csrfToken).response(status)
    }

    @Sendable static func revokeToken(_ req: Request) async throws -> Response {
        let session = try req.requireStaffSession()
        try await ListQueries.revokeToken(req.uuidParameter("tokenID"), of: session.personID, address: req.clientAddress,
                                          services: req.fairdesk, on: req.db)
        return req.seeOther(DeskPaths.tokens.link() + "?revoked=1")
    }

    // MARK: Helpers

    /// `?after=`: a keyset cursor from a previous page (`Queries.tickets` checks it).
    private static func cursor(_ req: Request) -> String? {
        guard let after = req.query[String.self, at: "after"], !after.isEmpty else { return nil }
        return after
    }

    private static func savedNotice(_ req: Request) -> String? {
        req.query[String.self, at: "saved"] != nil ? "Saved." : nil
    }
}
