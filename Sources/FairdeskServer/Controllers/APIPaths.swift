import Vapor

/// Every URL the server answers, in one place, so a renamed path cannot leave a dead
/// link behind. Path parameters are named here too.
enum APIPaths {
    static let health: [PathComponent] = ["healthz"]
    static let metrics: [PathComponent] = ["metrics"]
    static let api: [PathComponent] = ["api", "v1"]
    static let openAPI: [PathComponent] = ["api", "v1", "openapi.json"]
    static let inboundMail: [PathComponent] = ["mail", "inbound"]
    static let attention: [PathComponent] = ["mail", "attention"]
    static let attentionReprocess: [PathComponent] = ["mail", "attention", ":inboundID", "reprocess"]
    static let attentionRaw: [PathComponent] = ["mail", "attention", ":inboundID", "raw"]
    static let tickets: [PathComponent] = ["tickets"]
    static let ticket: [PathComponent] = ["tickets", ":number"]
    static let ticketReply: [PathComponent] = ["tickets", ":number", "reply"]
    static let ticketNote: [PathComponent] = ["tickets", ":number", "notes"]
    static let ticketStatus: [PathComponent] = ["tickets", ":number", "status"]
    static let ticketAssignee: [PathComponent] = ["tickets", ":number", "assignee"]
    static let messageRaw: [PathComponent] = ["messages", ":messageID", "raw"]
    static let attachment: [PathComponent] = ["attachments", ":attachmentID"]
    static let search: [PathComponent] = ["search"]
    static let people: [PathComponent] = ["people"]
    static let person: [PathComponent] = ["people", ":personID"]
    static let organizations: [PathComponent] = ["organizations"]
    static let organization: [PathComponent] = ["organizations", ":organizationID"]
    static let organizationDomains: [PathComponent] = ["organizations", ":organizationID", "domains"]
    static let queueNext: [PathComponent] = ["queue", "next"]
    static let investigations: [PathComponent] = ["investigations"]
    static let ticketInvestigation: [PathComponent] = ["tickets", ":number", "investigation"]
    static let diagnosticItems: [PathComponent] = ["diagnostic-items"]
    static let ticketInfoRequests: [PathComponent] = ["tickets", ":number", "info-requests"]
    static let ticketSessions: [PathComponent] = ["tickets", ":number", "sessions"]
    static let fairnessReport: [PathComponent] = ["reports", "fairness"]
    static let policyTemplates: [PathComponent] = ["policy-templates"]
    static let policyTemplate: [PathComponent] = ["policy-templates", ":key"]
}

extension Request {
    func uuidParameter(_ name: String) throws -> UUID {
        guard let raw = parameters.get(name), let id = UUID(uuidString: raw) else {
            throw Abort(.notFound)
        }
        return id
    }

    func intParameter(_ name: String) throws -> Int {
        guard let raw = parameters.get(name), let value = Int(raw) else { throw Abort(.notFound) }
        return value
    }
}
