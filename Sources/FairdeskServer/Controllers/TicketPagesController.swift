import FairdeskMail
import FairdeskPolicy
import Fluent
import Foundation
import SQLKit
import Vapor

/// The ticket pages of the desk and the portal: timeline, reply, note, status, assignee,
/// downloads.
///
/// Every route asks `Access.canSee` about the ticket it touches (through
/// `Queries.visibleTicket` and friends) and answers "not found" when the answer is no.
/// Visitors without a session are sent to the sign-in page, whatever the URL: that
/// confirms nothing about what exists.
enum TicketPagesController {
    static func register(_ web: any RoutesBuilder) {
        web.get(DeskPaths.ticket, use: deskTicket)
        web.post(DeskPaths.ticketReply, use: deskReply)
        web.post(DeskPaths.ticketNote, use: deskNote)
        web.post(DeskPaths.ticketStatus, use: deskStatus)
        web.post(DeskPaths.ticketAssignee, use: deskAssignee)
        web.get(DeskPaths.messageFrame, use: messageFrame)
        web.get(DeskPaths.messageRaw, use: rawMessage)
        web.get(DeskPaths.attachment, use: deskAttachment)
        web.get(PortalPaths.ticket, use: portalTicket)
        web.post(PortalPaths.ticketReply, use: portalReply)
        web.get(PortalPaths.attachment, use: portalAttachment)
    }

    // MARK: Desk

    @Sendable static func deskTicket(_ req: Request) async throws -> Response {
        let session = try req.requireStaffSession()
        return try await deskPage(req, session: session, number: try req.intParameter("number"), notice: notice(req))
    }

    /// The desk's page, also re-rendered with a form's errors (and the given status).
    static func deskPage(_ req: Request, session: WebSession, number: Int, notice: TicketPages.Notice? = nil,
                         reply: TicketPages.Form = .init(), note: TicketPages.Form = .init(),
                         investigation: TicketPages.Form = .init(), session sessionForm: TicketPages.Form = .init(),
                         sessionValues: [String: String] = [:], status: HTTPResponseStatus = .ok) async throws -> Response {
        let page = try await Queries.ticketPage(number: number, scope: session.scope, viewer: session.personID,
                                                services: req.fairdesk, on: req.db)
        var policy = try await PolicyDeskController.deskModel(number: number, viewer: session.personID, services: req.fairdesk, on: req.db)
        policy.investigation = investigation
        policy.session = sessionForm
        policy.sessionValues = sessionValues
        let model = TicketPages.Desk(
            header: page.header, timeline: page.timeline, staff: try await Queries.assignableStaffList(on: req.db),
            viewerID: session.personID, replyTo: page.replyTo,
            maxUploadBytes: req.fairdesk.configuration.maxUploadBytes, now: Date(), notice: notice, reply: reply, note: note,
            policy: policy)
        return TicketPages.desk(model, viewer: req.viewer, csrfToken: req.csrfToken).response(status)
    }

    /// The reply form: text and files (multipart). Goes out through the outbox, like a
    /// reply over the API (`Queries.reply`).
    @Sendable static func deskReply(_ req: Request) async throws -> Response {
        let (session, number) = try await req.visibleDeskTicket()
        let form = try req.content.decode(ReplyForm.self)
        switch Uploads.check(form, limit: req.fairdesk.configuration.maxUploadBytes) {
        case .failure(let problem):
            return try await deskPage(req, session: session, number: number, reply: problem.form, status: problem.status)
        case .success(let (text, files)):
            let reason: OutOfOrderReason?
            switch try req.content.decode(PolicyDeskController.OutOfOrderFields.self).reason() {
            case .failure(let problem):
                return try await deskPage(req, session: session, number: number,
                                          reply: .init(text: text, errors: ["outOfOrderReason": problem, "files": files.isEmpty ? nil : "Nothing was sent: choose the files again."].compactMapValues { $0 }),
                                          status: .unprocessableEntity)
            case .success(let chosen): reason = chosen
            }
            do {
                _ = try await Queries.reply(number: number, body: text, files: files, author: session.personID, outOfOrder: reason,
                                            services: req.fairdesk, on: req.db)
            } catch let refusal as OutOfOrderRefusal {
                var errors = ["outOfOrderReason": PolicyDeskController.refusalText(refusal)]
                if !files.isEmpty { errors["files"] = "Nothing was sent: choose the files again." }
                return try await deskPage(req, session: session, number: number, reply: .init(text: text, errors: errors),
                                          status: .unprocessableEntity)
            }
            return req.seeOther(DeskPaths.ticket(number) + "?notice=\(TicketPages.Notice.replied.rawValue)")
        }
    }

    struct NoteForm: Content {
        var body: String?
    }

    @Sendable static func deskNote(_ req: Request) async throws -> Response {
        let (session, number) = try await req.visibleDeskTicket()
        let text = Uploads.normalized(try req.content.decode(NoteForm.self).body ?? "")
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return try await deskPage(req, session: session, number: number,
                                      note: .init(text: text, errors: ["body": "Write the note before adding it."]),
                                      status: .unprocessableEntity)
        }
        _ = try await Queries.addNote(number: number, body: text, author: session.personID, authorName: session.name,
                                      services: req.fairdesk, on: req.db)
        return req.seeOther(DeskPaths.ticket(number) + "?notice=\(TicketPages.Notice.noted.rawValue)")
    }

    struct StatusForm: Content {
        var status: String?
        var reason: String?
    }

    @Sendable static func deskStatus(_ req: Request) async throws -> Response {
        let (session, number) = try await req.visibleDeskTicket()
        let form = try req.content.decode(StatusForm.self)
        guard let status = TicketStatus(rawValue: form.status ?? "") else {
            throw Abort(.unprocessableEntity, reason: "Choose one of the statuses the form offers.")
        }
        let reason = form.reason.map { String($0.trimmingCharacters(in: .whitespacesAndNewlines).prefix(1000)) }
        try await req.write { db in
            let ticket = try await Queries.ticket(number: number, on: db)
            try await Queries.setStatus(ticket, to: status, actor: session.personID, reason: reason?.isEmpty == false ? reason : nil,
                                        on: db, now: Date())
        }
        return req.seeOther(DeskPaths.ticket(number) + "?notice=\(TicketPages.Notice.status.rawValue)")
    }

    struct AssigneeForm: Content {
        /// A person id; empty for nobody.
        var assignee: String?
        var reason: String?
    }

    @Sendable static func deskAssignee(_ req: Request) async throws -> Response {
        let (session, number) = try await req.visibleDeskTicket()
        let form = try req.content.decode(AssigneeForm.self)
        let reference = (form.assignee ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let reason = form.reason.map { String($0.trimmingCharacters(in: .whitespacesAndNewlines).prefix(1000)) }
        try await req.write { db in
            let ticket = try await Queries.ticket(number: number, on: db)
            let assignee = reference.isEmpty ? nil : try await Queries.assignableStaff(reference, on: db)
            try await Queries.assign(ticket, to: assignee, actor: session.personID, reason: reason?.isEmpty == false ? reason : nil, on: db)
        }
        let notice: TicketPages.Notice = reference.isEmpty ? .unassigned : .assigned
        return req.seeOther(DeskPaths.ticket(number) + "?notice=\(notice.rawValue)")
    }

    /// The Content-Security-Policy of the frame document: nothing may load but the images
    /// the document carries, and the document runs sandboxed (no scripts, no forms, an
    /// opaque origin) even when opened outside its `<iframe sandbox="">`.
    static let frameContentSecurityPolicy = "default-src 'none'; img-src data:; sandbox"

    /// The HTML part of a message, sanitized, for `<iframe sandbox="">` on the desk. The
    /// raw message is parsed again here: only the text is stored apart.
    @Sendable static func messageFrame(_ req: Request) async throws -> Response {
        let session = try req.requireStaffSession()
        let (message, ticket) = try await Queries.visibleMessage(id: try req.uuidParameter("messageID"), scope: session.scope, on: req.db)
        guard let rawBlob = message.rawBlob, message.kind == .inbound else { throw Abort(.notFound) }
        let raw = try await req.fairdesk.blobs.get(BlobReference(name: rawBlob, size: message.rawSize), owner: ticket.$organization.id)
        let limit = max(req.fairdesk.configuration.maxMessageBytes, MailLimits.default.maxMessageBytes)
        let parsed = Message.parse(raw, limits: MailLimits(maxMessageBytes: limit))
        let document: String
        if let html = parsed.htmlBody {
            document = HTMLSanitizer.document(html, inlineImages: inlineImages(of: parsed))
        } else {
            document = HTMLSanitizer.emptyDocument("This message has no HTML part: its text above is all there is.")
        }
        try await audit(req, "message.html.viewed", object: "message:\(try message.requireID())", detail: message.subject,
                        session: session, ticket: try ticket.requireID())
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/html; charset=utf-8")
        headers.replaceOrAdd(name: .contentSecurityPolicy, value: frameContentSecurityPolicy)
        headers.replaceOrAdd(name: "X-Frame-Options", value: "SAMEORIGIN")
        headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        headers.replaceOrAdd(name: "Referrer-Policy", value: "no-referrer")
        return Response(status: .ok, headers: headers, body: .init(string: document))
    }

    /// Images the message carries for its HTML (`cid:`), as `data:` URLs; raster types
    /// only, and not more than `inlineImageBudget` bytes in all.
    static func inlineImages(of message: Message) -> [String: String] {
        var images: [String: String] = [:]
        var budget = inlineImageBudget
        for file in message.attachments {
            let type = file.contentType.lowercased()
            guard let id = file.contentID, HTMLSanitizer.rasterImageTypes.contains(type), file.size <= budget else { continue }
            budget -= file.size
            images[id.trimmingCharacters(in: CharacterSet(charactersIn: "<> "))] = "data:\(type);base64,\(Data(file.bytes).base64EncodedString())"
        }
        return images
    }

    static let inlineImageBudget = 8 << 20

    @Sendable static func rawMessage(_ req: Request) async throws -> Response {
        let session = try req.requireStaffSession()
        let (message, ticket) = try await Queries.visibleMessage(id: try req.uuidParameter("messageID"), scope: session.scope, on: req.db)
        guard let rawBlob = message.rawBlob else { throw Abort(.notFound) }
        let bytes = try await req.fairdesk.blobs.get(BlobReference(name: rawBlob, size: message.rawSize), owner: ticket.$organization.id)
        let id = try message.requireID()
        try await audit(req, "message.raw.viewed", object: "message:\(id)", detail: message.subject, session: session,
                        ticket: try ticket.requireID())
        return TicketController.download(bytes, contentType: "message/rfc822",
                                         filename: "ticket-\(ticket.number)-\(id.uuidString.prefix(8).lowercased()).eml")
    }

    @Sendable static func deskAttachment(_ req: Request) async throws -> Response {
        let session = try req.requireStaffSession()
        return try await attachment(req, session: session)
    }

    // MARK: Portal

    /// A signed-in customer's session; staff and visitors are answered elsewhere.
    static func requireCustomerSession(_ req: Request) throws -> WebSession {
        let session = try req.requireWebSession()
        guard !session.isStaff else { throw Abort(.notFound) }
        return session
    }

    @Sendable static func portalTicket(_ req: Request) async throws -> Response {
        let session = try req.requireWebSession()
        let number = try req.intParameter("number")
        // Staff see every ticket, on the desk.
        if session.isStaff { return req.seeOther(DeskPaths.ticket(number)) }
        return try await portalPage(req, session: session, number: number, notice: notice(req))
    }

    static func portalPage(_ req: Request, session: WebSession, number: Int, notice: TicketPages.Notice? = nil,
                           reply: TicketPages.Form = .init(), provide: TicketPages.Form = .init(),
                           status: HTTPResponseStatus = .ok) async throws -> Response {
        let page = try await Queries.ticketPage(number: number, scope: session.scope, viewer: session.personID,
                                                services: req.fairdesk, on: req.db)
        let ticket = try await Queries.visibleTicket(number: number, scope: session.scope, on: req.db)
        var policy = try await PolicyDeskController.portalModel(ticket: ticket, services: req.fairdesk, on: req.db)
        policy.provide = provide
        let model = TicketPages.Portal(header: page.header, timeline: page.timeline,
                                       maxUploadBytes: req.fairdesk.configuration.maxUploadBytes, now: Date(),
                                       notice: notice, reply: reply, policy: policy)
        return TicketPages.portal(model, viewer: req.viewer, csrfToken: req.csrfToken).response(status)
    }

    /// A customer's reply on the portal enters exactly like their email: an RFC 5322
    /// message from their address, threaded to the ticket's latest message, through
    /// `MailIngestor` (raw message kept, ticket back in the queue, "via portal").
    @Sendable static func portalReply(_ req: Request) async throws -> Response {
        let session = try requireCustomerSession(req)
        let number = try req.intParameter("number")
        let ticket = try await Queries.visibleTicket(number: number, scope: session.scope, on: req.db)
        let form = try req.content.decode(ReplyForm.self)
        let (text, files): (String, [ReplyFile])
        switch Uploads.check(form, limit: req.fairdesk.configuration.maxUploadBytes) {
        case .failure(let problem):
            return try await portalPage(req, session: session, number: number, reply: problem.form, status: problem.status)
        case .success(let checked):
            (text, files) = checked
        }
        try await enterPortalMessage(req, session: session, ticket: ticket, body: text, files: files)
        return req.seeOther(PortalPaths.ticket(number) + "?notice=\(TicketPages.Notice.replied.rawValue)")
    }

    /// A customer's words (and files) from the portal, entered as their mail on `ticket`.
    static func enterPortalMessage(_ req: Request, session: WebSession, ticket: Ticket, body: String, files: [ReplyFile]) async throws {
        guard !session.email.isEmpty else {
            throw Abort(.unprocessableEntity, reason: "Your account has no email address, so a reply cannot be sent for you. Write to support by email.")
        }
        let number = ticket.number
        let configuration = req.fairdesk.configuration
        let parent = try await Queries.latestMessage(of: ticket, on: req.db)
        let mail = PortalMail.message(
            from: MailAddress(name: session.name, address: session.email), to: configuration.primarySupportAddress,
            ticketNumber: number, subject: ticket.subject, parent: parent, body: body, files: files, now: Date(),
            messageID: "portal.\(OutgoingComposer.uniquePart())\(OutgoingComposer.uniquePart())@\(configuration.hostname)")
        let delivery = InboundDelivery(raw: mail.render(), envelopeFrom: session.email,
                                       envelopeTo: [configuration.primarySupportAddress], channel: "portal", ticketHint: number)
        let outcome = try await MailIngestor(services: req.fairdesk, database: req.db, logger: req.logger).ingest(delivery)
        guard case .stored = outcome else {
            req.logger.error("a portal message was not stored on its ticket", metadata: ["ticket": "\(number)", "outcome": "\(outcome)"])
            throw Abort(.internalServerError)
        }
    }

    @Sendable static func portalAttachment(_ req: Request) async throws -> Response {
        let session = try requireCustomerSession(req)
        return try await attachment(req, session: session)
    }

    // MARK: Shared

    /// An attachment for whoever may see its ticket (never a note's for a customer),
    /// audited. A download unless `?inline=1` asks for a raster image: then the image.
    static func attachment(_ req: Request, session: WebSession) async throws -> Response {
        let (attachment, ticket) = try await Queries.visibleAttachment(id: try req.uuidParameter("attachmentID"),
                                                                       scope: session.scope, on: req.db)
        let bytes = try await req.fairdesk.blobs.get(BlobReference(name: attachment.blob, size: attachment.size),
                                                     owner: ticket.$organization.id)
        let filename = attachment.filename ?? "attachment"
        try await audit(req, "attachment.viewed", object: "attachment:\(try attachment.requireID())", detail: filename,
                        session: session, ticket: try ticket.requireID())
        let type = attachment.contentType.lowercased()
        // Shown in the page only for raster images; anything else (HTML, SVG, unknown) is
        // a download whatever the URL asks.
        let inline = req.query[String.self, at: "inline"] == "1" && HTMLSanitizer.rasterImageTypes.contains(type)
        return TicketController.download(bytes, contentType: inline ? type : Uploads.safeContentType(type),
                                         filename: filename, inline: inline)
    }

    /// Records who looked at confidential content (DESIGN.md §4).
    static func audit(_ req: Request, _ action: String, object: String, detail: String, session: WebSession,
                      ticket: UUID) async throws {
        let address = req.clientAddress
        let text = "via \(session.isStaff ? "desk" : "portal"): \(detail.prefix(500))"
        try await req.write { db in
            try await Audit.record(action, object: object, detail: text, actor: session.personID,
                                   ticket: ticket, address: address, on: db)
        }
    }

    static func notice(_ req: Request) -> TicketPages.Notice? {
        req.query[String.self, at: "notice"].flatMap(TicketPages.Notice.init(rawValue:))
    }
}

// MARK: - Forms

extension Request {
    /// The session and ticket number of a desk form or page about one ticket: staff only,
    /// and the ticket must be one the session may see ("not found" otherwise).
    func visibleDeskTicket() async throws -> (session: WebSession, number: Int) {
        let session = try requireStaffSession()
        let number = try intParameter("number")
        _ = try await Queries.visibleTicket(number: number, scope: session.scope, on: db)
        return (session, number)
    }
}

/// The reply form of both pages: `body` and `files[]` (multipart/form-data).
struct ReplyForm: Content {
    var body: String?
    var files: [UploadedFile]?
}

/// A file of a multipart form, with the type the browser declared.
struct UploadedFile: Content, MultipartPartConvertible {
    var filename: String
    var contentType: String?
    var bytes: [UInt8]

    init?(multipart: MultipartPart) {
        guard let filename = multipart.filename else { return nil }
        self.filename = filename
        self.contentType = multipart.headers.first(name: .contentType)
        self.bytes = Array(multipart.body.readableBytesView)
    }

    var multipart: MultipartPart? { nil }
}

/// Checks of the reply form, the same on the desk and the portal.
enum Uploads {
    struct Problem: Error {
        var form: TicketPages.Form
        var status: HTTPResponseStatus
    }

    /// The text and files to send, or the form to show again with the problem next to
    /// its field: 413 when the files are over `limit` bytes in all, 422 without text.
    static func check(_ form: ReplyForm, limit: Int) -> Result<(String, [ReplyFile]), Problem> {
        let text = normalized(form.body ?? "")
        // A file input left empty still sends a part, with no name and no bytes.
        let files = (form.files ?? []).filter { !$0.filename.isEmpty || !$0.bytes.isEmpty }.map { file in
            ReplyFile(filename: filename(file.filename), contentType: safeContentType(file.contentType ?? ""), bytes: file.bytes)
        }
        let total = files.reduce(0) { $0 + $1.bytes.count }
        if total > limit {
            return .failure(Problem(form: .init(text: text, errors: [
                "files": "The files are \(Format.size(total)) in all; the limit is \(Format.size(limit)) (\(limit) bytes). Nothing was sent.",
            ]), status: .payloadTooLarge))
        }
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            var errors = ["body": "Write a reply before sending it."]
            if !files.isEmpty { errors["files"] = "Nothing was sent: choose the files again." }
            return .failure(Problem(form: .init(text: text, errors: errors), status: .unprocessableEntity))
        }
        return .success((text, files))
    }

    /// Browsers send CRLF line breaks; bodies are stored with LF.
    static func normalized(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }

    /// The last path component (some browsers send a full path), without control
    /// characters, at most 255 characters.
    static func filename(_ raw: String) -> String {
        let last = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let clean = String(last.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
            .trimmingCharacters(in: .whitespaces)
        return clean.isEmpty ? "attachment" : String(clean.prefix(255))
    }

    /// `type/subtype` when it is one (RFC 2045 tokens), else `application/octet-stream`.
    static func safeContentType(_ raw: String) -> String {
        let value = raw.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        let token = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789!#$&^_.+-")
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.count <= 100 && $0.unicodeScalars.allSatisfy(token.contains) })
        else { return "application/octet-stream" }
        return value
    }
}

/// The message a portal reply becomes.
enum PortalMail {
    /// From the customer to support, answering `parent` (In-Reply-To, References) with
    /// the ticket's `[#N]` in the subject, so it threads however it is read again.
    static func message(from: MailAddress, to support: String, ticketNumber: Int, subject: String, parent: TicketMessage?,
                        body: String, files: [ReplyFile], now: Date, messageID: String) -> OutgoingMessage {
        var references = parent.map { $0.references.split(separator: " ").map(String.init) } ?? []
        if let parentID = parent?.messageID { references.append(parentID) }
        let tagged = Threader.subjectTag(subject) == ticketNumber ? subject : "[#\(ticketNumber)] \(subject)"
        return OutgoingMessage(
            from: from, to: [MailAddress(address: support)], subject: "Re: \(tagged)", date: now, messageID: messageID,
            inReplyTo: parent?.messageID, references: Array(references.suffix(20)), textBody: body,
            attachments: files.map { OutgoingAttachment(filename: $0.filename, contentType: $0.contentType, bytes: $0.bytes) })
    }
}

// MARK: - Queries

/// A ticket page's model, loaded for a viewer's scope.
struct TicketPageData: Sendable {
    var header: TicketPages.Header
    var timeline: Timeline.Model
    /// Where an agent's reply goes: the sender of the latest mail a person wrote (as
    /// `OutgoingComposer.reply` picks it), else the requester's address.
    var replyTo: String?
}

extension Ticket {
    var accessFacts: Access.TicketFacts {
        Access.TicketFacts(requesterID: $requester.id, organizationID: $organization.id)
    }
}

extension Queries {
    /// Ticket `number` if `scope` may see it; "not found" otherwise, as for a ticket that
    /// does not exist.
    static func visibleTicket(number: Int, scope: Access.Scope, on db: any Database) async throws -> Ticket {
        let found = try await ticket(number: number, on: db)
        guard Access.canSee(found.accessFacts, scope: scope) else { throw Abort(.notFound) }
        return found
    }

    /// A message and its ticket if `scope` may see them (notes: staff only).
    static func visibleMessage(id: UUID, scope: Access.Scope, on db: any Database) async throws -> (TicketMessage, Ticket) {
        guard let message = try await TicketMessage.find(id, on: db),
              let ticket = try await Ticket.find(message.$ticket.id, on: db),
              Access.canSee(ticket.accessFacts, scope: scope),
              message.kind != .note || scope.includesNotes
        else { throw Abort(.notFound) }
        return (message, ticket)
    }

    /// An attachment and its ticket if `scope` may see them (a note's: staff only).
    static func visibleAttachment(id: UUID, scope: Access.Scope, on db: any Database) async throws -> (TicketAttachment, Ticket) {
        guard let attachment = try await TicketAttachment.find(id, on: db),
              let ticket = try await Ticket.find(attachment.$ticket.id, on: db),
              Access.canSee(ticket.accessFacts, scope: scope)
        else { throw Abort(.notFound) }
        if !scope.includesNotes {
            guard let message = try await TicketMessage.find(attachment.$message.id, on: db), message.kind != .note else {
                throw Abort(.notFound)
            }
        }
        return (attachment, ticket)
    }

    /// The message a reply answers: the ticket's latest mail (not a note) with a Message-ID.
    static func latestMessage(of ticket: Ticket, on db: any Database) async throws -> TicketMessage? {
        try await TicketMessage.query(on: db)
            .filter(\.$ticket.$id == ticket.requireID())
            .filter(\.$kind != .note)
            .filter(\.$messageID != nil)
            .sort(\.$createdAt, .descending)
            .first()
    }

    /// Agents and admins who can be assigned, by name.
    static func assignableStaffList(on db: any Database) async throws -> [TicketPages.PersonLink] {
        let staff = try await Person.query(on: db).filter(\.$role ~~ [.agent, .admin]).filter(\.$disabled == false).all()
        let labels = try await assignees(Set(try staff.map { try $0.requireID() }), on: db)
        return labels.values.map { TicketPages.PersonLink(id: $0.id, label: label($0)) }
            .sorted { $0.label.localizedCaseInsensitiveCompare($1.label) == .orderedAscending }
    }

    /// The ticket page for `scope` (404 when it may not see the ticket): the header and
    /// the timeline from `Queries.detail`, notes and internal events only for staff.
    static func ticketPage(number: Int, scope: Access.Scope, viewer: UUID, services: FairdeskServices,
                           on db: any Database) async throws -> TicketPageData {
        let ticket = try await visibleTicket(number: number, scope: scope, on: db)
        let forStaff = scope.includesNotes
        let loaded = try await detail(of: ticket, services: services, on: db, includeNotes: forStaff)

        var ids: Set<UUID> = [ticket.$requester.id]
        if let assignee = ticket.$assignee.id { ids.insert(assignee) }
        for entry in loaded.timeline { if let actor = entry.actorID { ids.insert(actor) } }
        let people = try await assignees(ids, on: db)
        let staffIDs = Set(try await Person.query(on: db).filter(\.$id ~~ ids).filter(\.$role ~~ [.agent, .admin]).all()
            .compactMap(\.id))
        let organization = try await Organization.find(ticket.$organization.id, on: db)

        func who(_ id: UUID?) -> String {
            guard let id else { return "Fairdesk" }
            if !forStaff {
                if id == viewer { return "You" }
                if staffIDs.contains(id) { return "Support" }
            }
            return people[id].map(label) ?? "Someone"
        }

        var entries: [Timeline.Entry] = []
        for entry in loaded.timeline {
            if entry.type == "message", let id = entry.id {
                let kind = MessageKind(rawValue: entry.kind ?? "") ?? .inbound
                let viaPortal = entry.threadReason == "portal"
                entries.append(.message(Timeline.Message(
                    id: id, kind: kind, at: entry.at, fromName: entry.fromName, fromAddress: entry.from ?? "",
                    to: entry.to ?? [], subject: entry.subject ?? "", body: entry.body ?? "", viaPortal: viaPortal,
                    threadReason: forStaff && kind == .inbound && !viaPortal ? entry.threadReason : nil,
                    attachments: (entry.attachments ?? []).map {
                        Timeline.Attachment(id: $0.id, filename: $0.filename ?? "attachment", contentType: $0.contentType, size: $0.size)
                    },
                    hasRaw: entry.rawURL != nil,
                    offersHTML: forStaff && kind == .inbound && entry.rawURL != nil && !viaPortal)))
            } else if let kind = entry.event {
                if forStaff {
                    // The note itself says who wrote it, and when.
                    guard kind != "note.added" else { continue }
                    let why = entry.reason.map { kind == "message.received" ? "threading: \($0)" : $0 }
                    entries.append(.event(Timeline.Event(at: entry.at, actor: who(entry.actorID),
                                                         what: TicketPages.eventText(kind: kind, detail: entry.detail ?? "", forCustomer: false),
                                                         why: why)))
                } else if TicketPages.customerEventKinds.contains(kind) {
                    entries.append(.event(Timeline.Event(at: entry.at, actor: who(entry.actorID),
                                                         what: TicketPages.eventText(kind: kind, detail: entry.detail ?? "", forCustomer: true),
                                                         why: nil)))
                }
            }
        }

        let requester = people[ticket.$requester.id]
        let header = TicketPages.Header(
            number: ticket.number, subject: ticket.subject, status: ticket.status,
            requester: .init(id: ticket.$requester.id, label: requester.map(label) ?? "Unknown"),
            organization: .init(id: ticket.$organization.id, label: organization?.name ?? "Unknown"),
            assignee: ticket.$assignee.id.map { id in .init(id: id, label: people[id].map(label) ?? "Unknown") },
            waitingSince: ticket.status == .waitingOnSupport ? ticket.waitingSince : nil, createdAt: ticket.createdAt,
            flags: ticket.flagSet.sorted())
        return TicketPageData(header: header,
                              timeline: Timeline.Model(includeNotes: forStaff, links: forStaff ? .desk : .portal, entries: entries),
                              replyTo: loaded.timeline.last { $0.kind == MessageKind.inbound.rawValue && $0.automatic == false }?.from
                                ?? requester?.email)
    }

    /// "Name <address>", or whichever of the two is known.
    private static func label(_ person: AssigneeDTO) -> String {
        switch (person.name, person.email) {
        case (let name?, let email?): return "\(name) <\(email)>"
        case (nil, let email?): return email
        case (let name?, nil): return name
        case (nil, nil): return "Someone"
        }
    }
}
