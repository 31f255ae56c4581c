import FairdeskPolicy
import Fluent
import Foundation
import Vapor

/// The support policy over the JSON API: Next, investigations, information requests,
/// calls and remote sessions, the fairness report, and the policy's texts. The desk's
/// forms call the same functions.
enum PolicyController {
    static func register(_ api: any RoutesBuilder) {
        api.post(APIPaths.queueNext, use: next)
        api.get(APIPaths.investigations, use: investigations)
        api.post(APIPaths.ticketInvestigation, use: investigate)
        api.get(APIPaths.diagnosticItems, use: diagnosticItems)
        api.get(APIPaths.ticketInfoRequests, use: checklist)
        api.post(APIPaths.ticketInfoRequests, use: requestInfo)
        api.get(APIPaths.ticketSessions, use: sessions)
        api.post(APIPaths.ticketSessions, use: addSession)
        api.get(APIPaths.fairnessReport, use: fairness)
        api.get(APIPaths.policyTemplates, use: templates)
        api.put(APIPaths.policyTemplate, use: saveTemplate)
    }

    // MARK: Queue

    /// The oldest waiting ticket nobody else holds, now held by the caller; 204 when the
    /// queue is empty.
    @Sendable static func next(_ req: Request) async throws -> Response {
        let actor = try req.requireStaff()
        let services = req.fairdesk
        let head = try await services.writes.transaction(on: req.db) { db in
            try await TicketQueue(database: db, configuration: services.configuration).next(for: actor.personID, now: Date())
        }
        guard let head else { return Response(status: .noContent) }
        let ticket = try await Queries.ticket(number: head.number, on: req.db)
        return try await Queries.summary(of: ticket, on: req.db).encodeResponse(for: req)
    }

    struct InvestigationRequest: Content {
        var stage: String
        var note: String
        var outOfOrder: OutOfOrderRequest?
    }

    @Sendable static func investigate(_ req: Request) async throws -> TicketSummaryDTO {
        let actor = try req.requireStaff()
        let request = try req.content.decode(InvestigationRequest.self)
        guard let stage = InvestigationStage(rawValue: request.stage) else {
            throw Abort(.unprocessableEntity, reason: "stage: one of \(InvestigationStage.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let ticket = try await Investigations.move(number: try req.intParameter("number"), to: stage, note: request.note,
                                                   actor: actor.personID, outOfOrder: try request.outOfOrder?.parsed(),
                                                   services: req.fairdesk, on: req.db)
        return try await Queries.summary(of: ticket, on: req.db)
    }

    struct InvestigationDTO: Content {
        var number: Int
        var subject: String
        var stage: String?
        var investigatingSince: Date?
        var stageSince: Date?
        var organization: String?
        var requester: String?
        var assignee: String?
        var lastCustomerMessage: Date?
    }

    @Sendable static func investigations(_ req: Request) async throws -> [InvestigationDTO] {
        _ = try req.requireStaff()
        return try await Investigations.board(on: req.db).map {
            InvestigationDTO(number: $0.number, subject: $0.subject, stage: $0.investigationStage, investigatingSince: $0.investigatingSince,
                             stageSince: $0.stageSince, organization: $0.organizationName, requester: $0.requesterName,
                             assignee: $0.assigneeName, lastCustomerMessage: $0.lastCustomerMessage)
        }
    }

    // MARK: Information

    struct DiagnosticItemDTO: Content {
        var key: String
        var title: String
        var explanation: String
        var active: Bool
    }

    @Sendable static func diagnosticItems(_ req: Request) async throws -> [DiagnosticItemDTO] {
        _ = try req.requireStaff()
        return try await DiagnosticCatalogStore(req.db).all().map {
            DiagnosticItemDTO(key: $0.key.rawValue, title: $0.title, explanation: $0.explanation, active: $0.active)
        }
    }

    struct ChecklistDTO: Content {
        struct Item: Content {
            var key: String
            var title: String
            /// asked, provided or missing.
            var status: String
            var evidence: String?
            var requestedAt: Date
            var providedAt: Date?
        }
        struct Found: Content {
            var key: String
            var what: String
            var evidence: String
            var value: String?
        }
        var items: [Item]
        /// What the ticket's messages and attachments already provide.
        var alreadyProvided: [Found]
    }

    @Sendable static func checklist(_ req: Request) async throws -> ChecklistDTO {
        _ = try req.requireStaff()
        let ticket = try await Queries.ticket(number: try req.intParameter("number"), on: req.db)
        let store = InfoRequests(services: req.fairdesk, database: req.db)
        let list = try await store.checklist(ticketID: try ticket.requireID())
        let found = try await store.detections(ticketID: try ticket.requireID(), organizationID: ticket.$organization.id)
        return ChecklistDTO(
            items: list.entries.map { .init(key: $0.item.itemKey, title: $0.item.title, status: $0.status.rawValue,
                                            evidence: $0.item.evidence, requestedAt: $0.item.createdAt, providedAt: $0.item.providedAt) },
            alreadyProvided: found.map { .init(key: $0.item.rawValue, what: $0.what, evidence: $0.evidence, value: $0.value) })
    }

    struct InfoRequestBody: Content {
        var items: [String]
        var note: String?
        var outOfOrder: OutOfOrderRequest?
    }

    struct InfoRequestResult: Content {
        struct LeftOut: Content {
            var key: String
            var evidence: String
        }
        var asked: [String]
        var alreadyProvided: [LeftOut]
        var messageID: String
    }

    @Sendable static func requestInfo(_ req: Request) async throws -> Response {
        let actor = try req.requireStaff()
        let body = try req.content.decode(InfoRequestBody.self)
        do {
            let created = try await InfoRequests(services: req.fairdesk, database: req.db).create(
                number: try req.intParameter("number"), keys: body.items, note: body.note ?? "", author: actor.personID,
                outOfOrder: try body.outOfOrder?.parsed())
            let result = InfoRequestResult(asked: created.asked.map(\.rawValue),
                                           alreadyProvided: created.alreadyProvided.map { .init(key: $0.key.rawValue, evidence: $0.evidence) },
                                           messageID: created.messageID)
            let response = try await result.encodeResponse(status: .created, for: req)
            return response
        } catch let problem as InfoRequests.Problem {
            throw Abort(.unprocessableEntity, reason: problem.apiReason)
        }
    }

    // MARK: Calls and remote sessions

    struct SessionDTO: Content {
        var id: UUID
        var channel: String
        var scheduledFor: Date?
        var customerTimezone: String?
        var escalationReason: String?
        var startedAt: Date?
        var endedAt: Date?
        var agents: [UUID]
        var summary: String?
    }

    @Sendable static func sessions(_ req: Request) async throws -> [SessionDTO] {
        _ = try req.requireStaff()
        let ticket = try await Queries.ticket(number: try req.intParameter("number"), on: req.db)
        return try await TicketSessions.list(ticketID: try ticket.requireID(), on: req.db).map(SessionDTO.init)
    }

    /// Either `scheduledFor` + `customerTimezone` (a plan without the channel needs
    /// `reason`), or `startedAt` + `endedAt` + `agents` + `summary` for one that happened.
    struct SessionRequest: Content {
        var channel: String
        var scheduledFor: Date?
        var customerTimezone: String?
        var reason: String?
        var startedAt: Date?
        var endedAt: Date?
        var agents: [UUID]?
        var summary: String?
    }

    @Sendable static func addSession(_ req: Request) async throws -> Response {
        let actor = try req.requireStaff()
        let request = try req.content.decode(SessionRequest.self)
        let channel = try TicketSessions.realTime(request.channel)
        let number = try req.intParameter("number")
        _ = try await Queries.ticket(number: number, on: req.db)
        let id: UUID
        if let time = request.scheduledFor {
            id = try await TicketSessions.schedule(number: number, channel: channel, at: time,
                                                   customerZone: try TicketSessions.timeZone(request.customerTimezone),
                                                   reason: request.reason, actor: actor.personID, services: req.fairdesk, on: req.db)
        } else if let start = request.startedAt, let end = request.endedAt {
            id = try await TicketSessions.log(number: number, channel: channel, startedAt: start, endedAt: end, agents: request.agents ?? [],
                                              summary: request.summary ?? "", reason: request.reason, actor: actor.personID,
                                              services: req.fairdesk, on: req.db)
        } else {
            throw Abort(.unprocessableEntity, reason: "scheduledFor: give scheduledFor (to schedule) or startedAt and endedAt (to log one that happened)")
        }
        let response = Response(status: .created)
        try response.content.encode(["id": id.uuidString])
        return response
    }

    // MARK: Report and texts

    @Sendable static func fairness(_ req: Request) async throws -> FairnessReportDTO {
        _ = try req.requireAdmin()
        let query = try req.query.decode(FairnessQuery.self)
        let report = try await FairnessQueries.report(period: try query.parsedPeriod(), days: try query.parsedDays(), now: Date(), on: req.db)
        return FairnessReportDTO(report)
    }

    struct TemplateDTO: Content {
        var key: String
        var title: String
        var subject: String
        var body: String
        var placeholders: [String]
        var edited: Bool
    }

    @Sendable static func templates(_ req: Request) async throws -> [TemplateDTO] {
        _ = try req.requireAdmin()
        return try await PolicyTexts(req.db).all().map {
            TemplateDTO(key: $0.template.key, title: $0.template.title, subject: $0.template.subject, body: $0.template.body,
                        placeholders: $0.template.placeholders, edited: $0.edited)
        }
    }

    struct TemplateRequest: Content {
        var subject: String
        var body: String
    }

    @Sendable static func saveTemplate(_ req: Request) async throws -> TemplateDTO {
        let actor = try req.requireAdmin()
        guard let key = req.parameters.get("key"), let base = PolicyTemplates.named(key) else { throw Abort(.notFound) }
        let request = try req.content.decode(TemplateRequest.self)
        if let (field, problem) = PolicyTexts.problems(base, subject: request.subject, body: request.body).sorted(by: { $0.key < $1.key }).first {
            throw Abort(.unprocessableEntity, reason: "\(field): \(problem)")
        }
        try await req.write { db in
            try await PolicyTexts(db).save(key: key, subject: request.subject, body: request.body, by: actor.personID)
        }
        return TemplateDTO(key: key, title: base.title, subject: request.subject, body: request.body, placeholders: base.placeholders, edited: true)
    }
}

extension PolicyController.SessionDTO {
    init(_ row: TicketSessions.Row) {
        self.init(id: row.id, channel: row.channel, scheduledFor: row.scheduledFor, customerTimezone: row.customerTimezone,
                  escalationReason: row.escalationReason, startedAt: row.startedAt, endedAt: row.endedAt, agents: row.agentIDs,
                  summary: row.summary)
    }
}

extension InfoRequests.Problem {
    var apiReason: String {
        switch self {
        case .noItems: return "items: choose at least one item of the catalog"
        case .unknownItems(let keys): return "items: not in the catalog (or switched off): \(keys.joined(separator: ", "))"
        case .allProvided: return "items: the ticket already has everything chosen; nothing was sent"
        }
    }
}
