import FairdeskMail
import FairdeskPolicy
import Fluent
import Foundation
import Vapor

/// The support policy on the desk's and the portal's ticket pages: Next, the reason an
/// out-of-order answer needs, investigations, information requests, calls and sessions,
/// and the customer's uploads against the checklist. Thin handlers over `TicketQueue`,
/// `Investigations`, `InfoRequests` and `TicketSessions` (the API calls the same).
enum PolicyDeskController {
    static func register(_ web: any RoutesBuilder) {
        web.post(DeskPaths.next, use: next)
        web.post(DeskPaths.ticketInvestigation, use: investigate)
        web.get(DeskPaths.ticketInfoRequest, use: infoRequestPage)
        web.post(DeskPaths.ticketInfoRequest, use: requestInfo)
        web.post(DeskPaths.ticketSessionSchedule, use: schedule)
        web.post(DeskPaths.ticketSessionLog, use: logSession)
        web.post(PortalPaths.ticketProvide, use: provide)
    }

    // MARK: Models

    /// The desk's policy panel of ticket `number` for `viewer`.
    static func deskModel(number: Int, viewer: UUID, services: FairdeskServices, on db: any Database,
                          now: Date = Date()) async throws -> PolicyPanels.Desk {
        let ticket = try await Queries.ticket(number: number, on: db)
        let ticketID = try ticket.requireID()
        let queue = TicketQueue(database: db, configuration: services.configuration)
        let candidate = try TicketQueue.Candidate(ticket)
        let older = try await queue.isOutOfOrder(candidate, for: viewer, now: now)
        let holdLapsed = ticket.heldAt.map { $0 < now.addingTimeInterval(-queue.policy.holdTimeout) } ?? true
        var heldBy: String?
        if let holder = ticket.heldBy, !holdLapsed {
            heldBy = try await Person.find(holder, on: db).map { $0.name ?? "an agent" } ?? "an agent"
        }
        let sessions = try await TicketSessions.list(ticketID: ticketID, on: db)
        let names = try await staffNames(Set(sessions.flatMap(\.agentIDs)), on: db)
        let plan = Plans.plan(id: ticket.plan)
        return PolicyPanels.Desk(
            number: number, status: ticket.status, olderWaiting: older, heldBy: heldBy,
            heldByViewer: ticket.heldBy == viewer && !holdLapsed,
            stage: ticket.investigationStage.flatMap(InvestigationStage.init(rawValue:)), stageSince: ticket.stageSince,
            checklist: try await checks(ticketID: ticketID, services: services, on: db),
            sessions: sessions.map { session(for: $0, names: names) },
            planName: plan.name, planChannels: plan.channels)
    }

    static func checks(ticketID: UUID, services: FairdeskServices, on db: any Database) async throws -> [PolicyPanels.Check] {
        try await InfoRequests(services: services, database: db).checklist(ticketID: ticketID).entries.map {
            PolicyPanels.Check(title: $0.item.title, status: $0.status.rawValue, evidence: $0.item.evidence)
        }
    }

    private static func staffNames(_ ids: Set<UUID>, on db: any Database) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        let people = try await Person.query(on: db).filter(\.$id ~~ ids).all()
        return Dictionary(people.compactMap { person in person.id.map { ($0, person.name ?? "an agent") } }, uniquingKeysWith: { a, _ in a })
    }

    private static func session(for row: TicketSessions.Row, names: [UUID: String]) -> PolicyPanels.Session {
        var happened: String?
        if let start = row.startedAt, let end = row.endedAt {
            happened = "\(Format.date(start)), \(Int((end.timeIntervalSince(start) / 60).rounded())) min"
        }
        return PolicyPanels.Session(
            channel: row.kind?.title ?? row.channel,
            scheduledFor: row.scheduledFor.map { TicketSessions.describe($0, in: row.customerTimezone.flatMap(TimeZone.init(identifier:))) },
            happened: happened, agents: row.agentIDs.compactMap { names[$0] }.joined(separator: ", "),
            summary: row.summary, escalationReason: row.escalationReason)
    }

    /// The portal's policy panel of a ticket the customer may see.
    static func portalModel(ticket: Ticket, services: FairdeskServices, on db: any Database, now: Date = Date()) async throws -> PolicyPanels.Portal {
        let ticketID = try ticket.requireID()
        let estimate = try await TicketQueue(database: db, configuration: services.configuration).transparency(of: ticketID, now: now)
        let checklist = try await InfoRequests(services: services, database: db).checklist(ticketID: ticketID)
        var wanted: [(key: String, title: String)] = []
        for entry in checklist.missing where !wanted.contains(where: { $0.key == entry.item.itemKey }) {
            wanted.append((entry.item.itemKey, entry.item.title))
        }
        return PolicyPanels.Portal(
            number: ticket.number, estimate: estimate,
            stage: ticket.status == .investigating ? ticket.investigationStage.flatMap(InvestigationStage.init(rawValue:)) : nil,
            checklist: checklist.entries.map { PolicyPanels.Check(title: $0.item.title, status: $0.status.rawValue, evidence: nil) },
            wanted: wanted, maxUploadBytes: services.configuration.maxUploadBytes)
    }

    // MARK: Next

    /// The oldest waiting ticket nobody else holds; back to the queue when nothing waits.
    @Sendable static func next(_ req: Request) async throws -> Response {
        let session = try req.requireStaffSession()
        let services = req.fairdesk
        let head = try await req.write { db in
            try await TicketQueue(database: db, configuration: services.configuration).next(for: session.personID, now: Date())
        }
        guard let head else { return req.seeOther(DeskPaths.queue(view: .waiting) + "&empty=1") }
        return req.seeOther(DeskPaths.ticket(head.number))
    }

    // MARK: Out of order

    /// The reason fields of a form (`ooo_reason`, `ooo_text`); nil when none was chosen.
    struct OutOfOrderFields: Content {
        var ooo_reason: String?
        var ooo_text: String?

        /// What the form says: no reason, a reason, or an incomplete choice (the message).
        enum Choice {
            case success(OutOfOrderReason?)
            case failure(String)
        }

        func reason() -> Choice {
            guard let code = ooo_reason, !code.isEmpty else { return .success(nil) }
            guard let reason = OutOfOrderReason(code: code, text: ooo_text) else {
                return .failure(code == "other" ? "Say in a few words why this one goes first." : "Choose one of the reasons offered.")
            }
            return .success(reason)
        }
    }

    // MARK: Investigation

    struct InvestigationForm: Content {
        var stage: String?
        var note: String?
    }

    @Sendable static func investigate(_ req: Request) async throws -> Response {
        let (session, number) = try await req.visibleDeskTicket()
        let form = try req.content.decode(InvestigationForm.self)
        let note = Uploads.normalized(form.note ?? "")
        func again(_ errors: [String: String]) async throws -> Response {
            try await TicketPagesController.deskPage(req, session: session, number: number,
                                                     investigation: .init(text: note, errors: errors), status: .unprocessableEntity)
        }
        guard let stage = InvestigationStage(rawValue: form.stage ?? "") else { return try await again(["note": "Choose a stage."]) }
        guard !note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return try await again(["note": "Say what the investigation is about and what comes next."])
        }
        let reason: OutOfOrderReason?
        switch try req.content.decode(OutOfOrderFields.self).reason() {
        case .failure(let problem): return try await again(["outOfOrderReason": problem])
        case .success(let chosen): reason = chosen
        }
        do {
            _ = try await Investigations.move(number: number, to: stage, note: note, actor: session.personID, outOfOrder: reason,
                                              services: req.fairdesk, on: req.db)
        } catch let refusal as OutOfOrderRefusal {
            return try await again(["outOfOrderReason": refusalText(refusal)])
        }
        return req.seeOther(DeskPaths.ticket(number) + "?notice=\(TicketPages.Notice.investigating.rawValue)")
    }

    static func refusalText(_ refusal: OutOfOrderRefusal) -> String {
        "#\(refusal.olderNumber) has waited longer and nobody else holds it. Choose why this one goes first, or take #\(refusal.olderNumber)."
    }

    // MARK: Information requests

    @Sendable static func infoRequestPage(_ req: Request) async throws -> Response {
        let session = try req.requireStaffSession()
        return try await infoRequestPage(req, session: session, number: try req.intParameter("number"))
    }

    static func infoRequestPage(_ req: Request, session: WebSession, number: Int, chosen: Set<String> = [], note: String = "",
                                errors: [String: String] = [:], status: HTTPResponseStatus = .ok) async throws -> Response {
        let ticket = try await Queries.visibleTicket(number: number, scope: session.scope, on: req.db)
        let ticketID = try ticket.requireID()
        let store = InfoRequests(services: req.fairdesk, database: req.db)
        let found = try await store.detections(ticketID: ticketID, organizationID: ticket.$organization.id)
        let catalog = try await DiagnosticCatalogStore(req.db).active()
        let checklist = try await store.checklist(ticketID: ticketID)
        let older = try await TicketQueue(database: req.db, configuration: req.fairdesk.configuration)
            .isOutOfOrder(try .init(ticket), for: session.personID, now: Date())
        let model = InfoRequestPage.Model(
            number: number, subject: ticket.subject,
            items: catalog.map { item in
                InfoRequestPage.Item(key: item.key.rawValue, title: item.title, explanation: item.explanation,
                                     found: found.filter { $0.item == item.key }.map { "\($0.what): \($0.evidence)" },
                                     pending: checklist.entries.contains { $0.key == item.key && $0.status != .provided })
            },
            chosen: chosen, note: note, errors: errors, olderWaiting: older)
        return InfoRequestPage.view(model, viewer: req.viewer, csrfToken: req.csrfToken).response(status)
    }

    struct InfoRequestForm: Content {
        var items: [String]?
        var note: String?
    }

    @Sendable static func requestInfo(_ req: Request) async throws -> Response {
        let (session, number) = try await req.visibleDeskTicket()
        let form = try req.content.decode(InfoRequestForm.self)
        let keys = form.items ?? []
        let note = Uploads.normalized(form.note ?? "")
        func again(_ errors: [String: String]) async throws -> Response {
            try await infoRequestPage(req, session: session, number: number, chosen: Set(keys), note: note, errors: errors,
                                      status: .unprocessableEntity)
        }
        let reason: OutOfOrderReason?
        switch try req.content.decode(OutOfOrderFields.self).reason() {
        case .failure(let problem): return try await again(["outOfOrderReason": problem])
        case .success(let chosen): reason = chosen
        }
        do {
            _ = try await InfoRequests(services: req.fairdesk, database: req.db)
                .create(number: number, keys: keys, note: note, author: session.personID, outOfOrder: reason)
        } catch let problem as InfoRequests.Problem {
            switch problem {
            case .noItems: return try await again(["items": "Tick at least one item."])
            case .unknownItems: return try await again(["items": "Some items are no longer in the catalog; tick them again."])
            case .allProvided: return try await again(["items": "The ticket already has everything you ticked; nothing was sent."])
            }
        } catch let refusal as OutOfOrderRefusal {
            return try await again(["outOfOrderReason": refusalText(refusal)])
        }
        return req.seeOther(DeskPaths.ticket(number) + "?notice=\(TicketPages.Notice.requested.rawValue)")
    }

    // MARK: Calls and sessions

    struct ScheduleForm: Content {
        var channel: String?
        var scheduledFor: String?
        var customerTimezone: String?
        var reason: String?
    }

    @Sendable static func schedule(_ req: Request) async throws -> Response {
        let (session, number) = try await req.visibleDeskTicket()
        let form = try req.content.decode(ScheduleForm.self)
        let values = ["channel": form.channel ?? "", "scheduledFor": form.scheduledFor ?? "",
                      "customerTimezone": form.customerTimezone ?? "", "reason": form.reason ?? ""]
        do {
            let channel = try TicketSessions.realTime(form.channel)
            let zone = try TicketSessions.timeZone(form.customerTimezone)
            guard let time = localTime(form.scheduledFor, in: zone) else {
                throw TicketSessions.FieldError(field: "scheduledFor", message: "a date and time")
            }
            try await TicketSessions.schedule(number: number, channel: channel, at: time, customerZone: zone, reason: form.reason,
                                              actor: session.personID, services: req.fairdesk, on: req.db)
        } catch let error as TicketSessions.FieldError {
            return try await TicketPagesController.deskPage(req, session: session, number: number,
                                                            session: .init(errors: [error.field: sentence(error.message)]),
                                                            sessionValues: values, status: .unprocessableEntity)
        }
        return req.seeOther(DeskPaths.ticket(number) + "?notice=\(TicketPages.Notice.scheduled.rawValue)")
    }

    struct LogForm: Content {
        var channel: String?
        var startedAt: String?
        var endedAt: String?
        var agents: [String]?
        var summary: String?
        var reason: String?
    }

    @Sendable static func logSession(_ req: Request) async throws -> Response {
        let (session, number) = try await req.visibleDeskTicket()
        let form = try req.content.decode(LogForm.self)
        let summary = Uploads.normalized(form.summary ?? "")
        let values = ["channel": form.channel ?? "", "startedAt": form.startedAt ?? "", "endedAt": form.endedAt ?? "",
                      "summary": summary, "reason": form.reason ?? ""]
        do {
            let channel = try TicketSessions.realTime(form.channel)
            let utc = TimeZone(identifier: "UTC")!
            guard let start = localTime(form.startedAt, in: utc) else { throw TicketSessions.FieldError(field: "startedAt", message: "a date and time") }
            guard let end = localTime(form.endedAt, in: utc) else { throw TicketSessions.FieldError(field: "endedAt", message: "a date and time") }
            try await TicketSessions.log(number: number, channel: channel, startedAt: start, endedAt: end,
                                         agents: (form.agents ?? []).compactMap(UUID.init(uuidString:)), summary: summary,
                                         reason: form.reason, actor: session.personID, services: req.fairdesk, on: req.db)
        } catch let error as TicketSessions.FieldError {
            return try await TicketPagesController.deskPage(req, session: session, number: number,
                                                            session: .init(errors: [error.field: sentence(error.message)]),
                                                            sessionValues: values, status: .unprocessableEntity)
        }
        return req.seeOther(DeskPaths.ticket(number) + "?notice=\(TicketPages.Notice.logged.rawValue)")
    }

    /// `2026-11-25T15:00` (what `<input type="datetime-local">` sends) in `zone`.
    static func localTime(_ raw: String?, in zone: TimeZone) -> Date? {
        guard let raw = raw?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        let parts = raw.split(whereSeparator: { "-T: ".contains($0) }).compactMap { Int($0) }
        guard parts.count >= 5, (1...12).contains(parts[1]), (1...31).contains(parts[2]), (0...23).contains(parts[3]),
              (0...59).contains(parts[4]) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: parts[3], minute: parts[4]))
    }

    private static func sentence(_ message: String) -> String {
        message.prefix(1).uppercased() + message.dropFirst() + (message.hasSuffix(".") ? "" : ".")
    }

    // MARK: Portal uploads

    struct ProvideForm: Content {
        var item: String?
        var body: String?
        var files: [UploadedFile]?
    }

    /// The customer sends files (and words) for one item of the checklist. It enters as
    /// their message through `MailIngestor`, like a portal reply; the item is ticked with
    /// "sent for this item" as evidence, whatever the detector makes of the bytes.
    @Sendable static func provide(_ req: Request) async throws -> Response {
        let session = try TicketPagesController.requireCustomerSession(req)
        let number = try req.intParameter("number")
        let ticket = try await Queries.visibleTicket(number: number, scope: session.scope, on: req.db)
        let ticketID = try ticket.requireID()
        let form = try req.content.decode(ProvideForm.self)
        let store = InfoRequests(services: req.fairdesk, database: req.db)
        let open = try await store.checklist(ticketID: ticketID).missing
        guard let item = open.first(where: { $0.item.itemKey == form.item }) else {
            return try await TicketPagesController.portalPage(req, session: session, number: number,
                                                              provide: .init(errors: ["item": "Choose one of the items we asked for."]),
                                                              status: .unprocessableEntity)
        }
        let text = Uploads.normalized(form.body ?? "")
        let check = Uploads.check(ReplyForm(body: text.isEmpty ? "(sent for: \(item.item.title))" : text, files: form.files),
                                  limit: req.fairdesk.configuration.maxUploadBytes)
        let files: [ReplyFile]
        switch check {
        case .failure(let problem):
            return try await TicketPagesController.portalPage(req, session: session, number: number, provide: problem.form,
                                                              status: problem.status)
        case .success(let (_, checked)):
            files = checked
        }
        guard !files.isEmpty || !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return try await TicketPagesController.portalPage(req, session: session, number: number,
                                                              provide: .init(errors: ["files": "Choose a file, or write the information in the box."]),
                                                              status: .unprocessableEntity)
        }
        let body = "Sent for the information request: \(item.item.title)\n\n" + text
        try await TicketPagesController.enterPortalMessage(req, session: session, ticket: ticket, body: body, files: files)
        let names = files.map(\.filename).joined(separator: ", ")
        let evidence = "sent for this item in the portal" + (names.isEmpty ? "" : ": \(names)")
        // The ingestion may already have recognized it; only items still asked are ticked.
        let stillAsked = try await store.checklist(ticketID: ticketID).entries
            .filter { $0.item.id == item.item.id && $0.item.state == InfoRequests.Status.asked.rawValue }
        if !stillAsked.isEmpty {
            try await req.write { db in
                try await InfoRequests(services: req.fairdesk, database: db)
                    .provide(stillAsked.map { ($0.item, evidence) }, ticketID: ticketID, actor: session.personID, now: Date())
            }
        }
        return req.seeOther(PortalPaths.ticket(number) + "?notice=\(TicketPages.Notice.provided.rawValue)")
    }
}
