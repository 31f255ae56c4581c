import Vapor

/// A page URL: the route pattern and the links built from it come from one value, so a
/// renamed path cannot leave a dead link behind.
struct WebPath: Sendable {
    let components: [PathComponent]

    init(_ components: PathComponent...) {
        self.components = components
    }

    /// The URL with each `:name` parameter replaced (percent-encoded).
    func link(_ parameters: KeyValuePairs<String, String> = [:]) -> String {
        let values = Dictionary(parameters.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        let parts = components.map { component -> String in
            if case .parameter(let name) = component {
                let value = values[name] ?? ""
                return value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? ""
            }
            return component.description
        }
        return "/" + parts.joined(separator: "/")
    }
}

/// Every page URL in one typed list (the JSON API's are in `APIPaths`).
enum WebPaths {
    static let home = WebPath()
    static let asset = WebPath("assets", ":file")
    static let signIn = WebPath("sign-in")
    static let signOut = WebPath("sign-out")
    static let signInLinkRequest = WebPath("sign-in", "link")
    static let signInLink = WebPath("sign-in", "link", ":token")
    static let forgotPassword = WebPath("password", "forgot")
    static let resetPassword = WebPath("password", "reset", ":token")
    static let changePassword = WebPath("account", "password")

    static func asset(_ file: String) -> String { asset.link(["file": file]) }
    static func signInLink(token: String) -> String { signInLink.link(["token": token]) }
    static func resetPassword(token: String) -> String { resetPassword.link(["token": token]) }
}

extension RoutesBuilder {
    @discardableResult
    func get(_ path: WebPath, use handler: @escaping @Sendable (Request) async throws -> Response) -> Route {
        get(path.components, use: handler)
    }

    @discardableResult
    func post(_ path: WebPath, use handler: @escaping @Sendable (Request) async throws -> Response) -> Route {
        post(path.components, use: handler)
    }
}

/// The agents' workspace.
enum DeskPaths {
    /// The queue's views (`?view=`).
    enum View: String, CaseIterable, Sendable {
        case waiting, mine, waitingOnCustomer = "waiting-on-customer", open, resolved
    }

    static let queue = WebPath("desk")
    static let ticket = WebPath("desk", "tickets", ":number")
    static let ticketReply = WebPath("desk", "tickets", ":number", "reply")
    static let ticketNote = WebPath("desk", "tickets", ":number", "note")
    static let ticketStatus = WebPath("desk", "tickets", ":number", "status")
    static let ticketAssignee = WebPath("desk", "tickets", ":number", "assignee")
    static let messageFrame = WebPath("desk", "messages", ":messageID", "html")
    static let messageRaw = WebPath("desk", "messages", ":messageID", "raw")
    static let attachment = WebPath("desk", "attachments", ":attachmentID")
    static let search = WebPath("desk", "search")
    static let attention = WebPath("desk", "attention")
    static let attentionReprocess = WebPath("desk", "attention", ":inboundID", "reprocess")
    static let person = WebPath("desk", "people", ":personID")
    static let organization = WebPath("desk", "organizations", ":organizationID")
    static let tokens = WebPath("account", "tokens")

    static func queue(view: View) -> String { queue.link() + "?view=\(view.rawValue)" }
    static func ticket(_ number: Int) -> String { ticket.link(["number": String(number)]) }
    static func messageRaw(_ id: UUID) -> String { messageRaw.link(["messageID": id.uuidString]) }
    static func messageFrame(_ id: UUID) -> String { messageFrame.link(["messageID": id.uuidString]) }
    static func attachment(_ id: UUID) -> String { attachment.link(["attachmentID": id.uuidString]) }
    static func person(_ id: UUID) -> String { person.link(["personID": id.uuidString]) }
    static func organization(_ id: UUID) -> String { organization.link(["organizationID": id.uuidString]) }

    // Lists and administration (ListPagesController).
    static let attentionRaw = WebPath("desk", "attention", ":inboundID", "raw")
    static let organizationSettings = WebPath("desk", "organizations", ":organizationID", "settings")
    static let organizationDomains = WebPath("desk", "organizations", ":organizationID", "domains")
    static let organizationDomainRemove = WebPath("desk", "organizations", ":organizationID", "domains", ":domainID", "remove")
    static let personSettings = WebPath("desk", "people", ":personID", "settings")
    static let personDisabled = WebPath("desk", "people", ":personID", "disabled")
    static let staff = WebPath("desk", "staff")
    static let tokenRevoke = WebPath("account", "tokens", ":tokenID", "revoke")

    // The support policy: Next, investigations, information requests, sessions
    // (PolicyDeskController); the board, the fairness report, the policy's texts and the
    // diagnostic catalog (PolicyPagesController).
    static let next = WebPath("desk", "next")
    static let ticketInvestigation = WebPath("desk", "tickets", ":number", "investigation")
    static let ticketInfoRequest = WebPath("desk", "tickets", ":number", "info-request")
    static let ticketSessionSchedule = WebPath("desk", "tickets", ":number", "sessions", "schedule")
    static let ticketSessionLog = WebPath("desk", "tickets", ":number", "sessions", "log")
    static let investigations = WebPath("desk", "investigations")
    static let fairness = WebPath("desk", "admin", "fairness")
    static let policyTexts = WebPath("desk", "admin", "policy")
    static let policyText = WebPath("desk", "admin", "policy", ":key")
    static let catalog = WebPath("desk", "admin", "catalog")
    static let catalogNew = WebPath("desk", "admin", "catalog", "new")
    static let catalogItem = WebPath("desk", "admin", "catalog", ":key")

    static func ticketInfoRequest(_ number: Int) -> String { ticketInfoRequest.link(["number": String(number)]) }

    static func attentionReprocess(_ id: UUID) -> String { attentionReprocess.link(["inboundID": id.uuidString]) }
    static func attentionRaw(_ id: UUID) -> String { attentionRaw.link(["inboundID": id.uuidString]) }
    static func organizationSettings(_ id: UUID) -> String { organizationSettings.link(["organizationID": id.uuidString]) }
    static func organizationDomains(_ id: UUID) -> String { organizationDomains.link(["organizationID": id.uuidString]) }
    static func organizationDomainRemove(_ id: UUID, domain: UUID) -> String {
        organizationDomainRemove.link(["organizationID": id.uuidString, "domainID": domain.uuidString])
    }
    static func personSettings(_ id: UUID) -> String { personSettings.link(["personID": id.uuidString]) }
    static func personDisabled(_ id: UUID) -> String { personDisabled.link(["personID": id.uuidString]) }
    static func tokenRevoke(_ id: UUID) -> String { tokenRevoke.link(["tokenID": id.uuidString]) }
}

/// The customer portal.
enum PortalPaths {
    static let home = WebPath("portal")
    static let newTicket = WebPath("portal", "new")
    static let ticket = WebPath("portal", "tickets", ":number")
    static let ticketReply = WebPath("portal", "tickets", ":number", "reply")
    static let attachment = WebPath("portal", "attachments", ":attachmentID")
    /// A file (and a few words) the customer sends for one item of an information request.
    static let ticketProvide = WebPath("portal", "tickets", ":number", "provide")

    static func ticket(_ number: Int) -> String { ticket.link(["number": String(number)]) }
    static func attachment(_ id: UUID) -> String { attachment.link(["attachmentID": id.uuidString]) }
}
