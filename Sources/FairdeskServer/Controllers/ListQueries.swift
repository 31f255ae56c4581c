import FairdeskMail
import Fluent
import Foundation
import SQLKit
import Vapor

/// What the desk's queue shows: a view, its filters and the page size. Read from the
/// query string, turned back into links, and read by `ListQueries.queue`.
struct QueueFilter: Sendable, Equatable {
    static let defaultLimit = 50
    static let maxLimit = 200

    var view: DeskPaths.View = .waiting
    var organization: UUID?
    /// One of `viewStatuses`, on the views that have several.
    var status: TicketStatus?
    var limit: Int = QueueFilter.defaultLimit

    /// The statuses a view can show; where there are several, `?status=` picks one.
    var viewStatuses: [TicketStatus] {
        switch view {
        case .waiting: return [.waitingOnSupport]
        case .mine: return TicketStatus.allCases
        case .waitingOnCustomer: return [.waitingOnCustomer]
        case .open: return [.waitingOnSupport, .waitingOnCustomer, .investigating]
        case .resolved: return [.resolved]
        }
    }

    var offersStatusFilter: Bool { viewStatuses.count > 1 }

    /// What the list reads. "Mine" means my open tickets unless a status is chosen.
    var statuses: [TicketStatus] {
        if let status { return [status] }
        return view == .mine ? [.waitingOnSupport, .waitingOnCustomer] : viewStatuses
    }

    /// Tickets waiting on support are listed in queue order, oldest first (DESIGN.md §2);
    /// every other list newest first.
    var queueOrder: Bool { statuses == [.waitingOnSupport] }

    var isFiltered: Bool { organization != nil || status != nil }

    /// Reads `?view=&organization=&status=&limit=`; 400 naming the parameter that is wrong.
    /// Empty values (a form's "any") mean no filter.
    static func parse(view: String?, organization: String?, status: String?, limit: String?) throws -> QueueFilter {
        var filter = QueueFilter()
        if let view = nonEmpty(view) {
            guard let parsed = DeskPaths.View(rawValue: view) else {
                throw Abort(.badRequest, reason: "view: '\(view)' is not one of \(DeskPaths.View.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            filter.view = parsed
        }
        if let organization = nonEmpty(organization) {
            guard let id = UUID(uuidString: organization) else {
                throw Abort(.badRequest, reason: "organization: '\(organization)' is not an organization id.")
            }
            filter.organization = id
        }
        if let status = nonEmpty(status) {
            guard let parsed = TicketStatus(rawValue: status), filter.viewStatuses.contains(parsed) else {
                throw Abort(.badRequest, reason: "status: the \(filter.view.rawValue) view shows \(filter.viewStatuses.map(\.rawValue).joined(separator: ", ")).")
            }
            // A view of one status needs no filter: keep links canonical.
            filter.status = filter.offersStatusFilter ? parsed : nil
        }
        if let limit = nonEmpty(limit) {
            guard let value = Int(limit), value > 0 else {
                throw Abort(.badRequest, reason: "limit: '\(limit)' is not a positive number.")
            }
            filter.limit = min(value, maxLimit)
        }
        return filter
    }

    /// The link to this list, or to the page after `after`.
    func link(after: String? = nil) -> String {
        var link = DeskPaths.queue(view: view)
        if let organization { link += "&organization=\(organization.uuidString)" }
        if let status { link += "&status=\(status.rawValue)" }
        if limit != Self.defaultLimit { link += "&limit=\(limit)" }
        if let after { link += "&after=\(ListQueries.queryEncoded(after))" }
        return link
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }
}

/// A form's problems, by field name: the page is shown again (422), nothing saved.
struct FormProblems: Error {
    var fields: [String: String]

    init(_ fields: [String: String]) {
        self.fields = fields
    }
}

/// Named queries of the list pages: tests call them without HTTP. Every list and count of
/// tickets goes through `Access` (via `Queries.tickets` or `Access.ticketFilter`).
enum ListQueries {
    static let pageSize = 50

    // MARK: The queue

    static func queue(_ filter: QueueFilter, viewer: UUID, scope: Access.Scope, after: String?,
                      on db: any Database, now: Date) async throws -> QueuePages.Queue {
        let page = try await Queries.tickets(on: db, scope: scope, statuses: filter.statuses, organization: filter.organization,
                                             assignee: filter.view == .mine ? .person(viewer) : nil,
                                             queueOrder: filter.queueOrder, after: after, limit: filter.limit)
        var organizationName: String?
        if let organization = filter.organization {
            organizationName = try await Organization.find(organization, on: db)?.name
        }
        return QueuePages.Queue(filter: filter, rows: try await ticketRows(page.tickets, on: db),
                                waitingCount: try await waitingCount(scope: scope, organization: filter.organization, on: db),
                                organizationName: organizationName, after: after, next: page.next, now: now)
    }

    /// How many tickets wait on support. `COUNT(*)` on the status (and organization), so the
    /// `tickets_queue` index (status, waiting_since) answers it without reading a row
    /// (Fluent's `count()` counts `id`, which the index does not hold).
    static func waitingCount(scope: Access.Scope, organization: UUID?, on db: any Database) async throws -> Int {
        struct Row: Decodable { var count: Int }
        return try await waitingCountQuery(scope: scope, organization: organization, on: Rows(db).sql)
            .first(decoding: Row.self)?.count ?? 0
    }

    static func waitingCountQuery(scope: Access.Scope, organization: UUID?, on sql: any SQLDatabase) -> SQLSelectBuilder {
        let query = sql.select()
            .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "count")
            .from("tickets")
            .where(SQLColumn("status", table: "tickets"), .equal, SQLBind(TicketStatus.waitingOnSupport.rawValue))
            .where(Access.ticketFilter(scope))
        if let organization {
            query.where(SQLColumn("organization_id", table: "tickets"), .equal, SQLBind(organization))
        }
        return query
    }

    /// Rows for a page of tickets: requesters and organizations named in one query each.
    static func ticketRows(_ tickets: [TicketSummaryDTO], on db: any Database) async throws -> [TicketRow] {
        let people = try await Queries.assignees(Set(tickets.map(\.requesterID)), on: db)
        let organizations = try await organizationNames(Set(tickets.map(\.organizationID)), on: db)
        return tickets.map { ticket in
            TicketRow(number: ticket.number, subject: ticket.subject,
                      status: TicketStatus(rawValue: ticket.status) ?? .waitingOnSupport,
                      requesterID: ticket.requesterID, requester: people[ticket.requesterID].map(label) ?? "unknown",
                      organizationID: ticket.organizationID, organization: organizations[ticket.organizationID] ?? "unknown",
                      since: ticket.waitingSince ?? ticket.createdAt, assignee: ticket.assignee.map(label), flags: ticket.flags)
        }
    }

    static func organizationNames(_ ids: Set<UUID>, on db: any Database) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        var names: [UUID: String] = [:]
        for organization in try await Organization.query(on: db).filter(\.$id ~~ ids).all() {
            names[try organization.requireID()] = organization.name
        }
        return names
    }

    /// A person as a list shows them: their name, else their first address.
    static func label(_ person: AssigneeDTO) -> String {
        if let name = person.name, !name.trimmingCharacters(in: .whitespaces).isEmpty { return name }
        return person.email ?? "unknown"
    }

    static func queryEncoded(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// A person's first address: their sign-in address (staff) or first sender address.
    static func primaryAddress(of personID: UUID, on db: any Database) async throws -> String? {
        try await PersonAddress.query(on: db).filter(\.$person.$id == personID).sort(\.$createdAt).first()?.address
    }

    // MARK: The portal

    static func portalHome(_ session: WebSession, supportAddress: String, after: String?, limit: Int = pageSize,
                           on db: any Database, now: Date) async throws -> PortalPages.Home {
        let page = try await Queries.tickets(on: db, scope: session.scope, statuses: nil, organization: nil,
                                             queueOrder: false, after: after, limit: limit)
        let activity = try await lastActivity(numbers: page.tickets.map(\.number), on: db)
        let requesters = try await Queries.assignees(Set(page.tickets.map(\.requesterID)), on: db)
        let rows = page.tickets.map { ticket in
            PortalPages.Row(number: ticket.number, subject: ticket.subject,
                            status: TicketStatus(rawValue: ticket.status) ?? .waitingOnSupport,
                            requester: ticket.requesterID == session.personID ? nil : requesters[ticket.requesterID].map(label) ?? "a teammate",
                            lastActivity: activity[ticket.number] ?? ticket.createdAt)
        }
        var team: PortalPages.Team?
        if case .customer(_, let organizationID?, let shares) = session.scope,
           let organization = try await Organization.find(organizationID, on: db), !organization.isPersonal {
            team = PortalPages.Team(name: organization.name, shares: shares)
        }
        return PortalPages.Home(rows: rows, team: team, supportAddress: supportAddress, after: after, next: page.next, now: now)
    }

    /// When each ticket last had a message the customer can see (internal notes do not
    /// count: even their time is not the customer's to know).
    static func lastActivity(numbers: [Int], on db: any Database) async throws -> [Int: Date] {
        guard !numbers.isEmpty else { return [:] }
        struct Row: Decodable { var number: Int; var last: Date? }
        let rows = try await Rows(db).sql.select()
            .column(SQLColumn("number", table: "tickets"))
            .column(SQLFunction("MAX", args: SQLColumn("created_at", table: "ticket_messages")), as: "last")
            .from("ticket_messages")
            .join("tickets", on: SQLColumn("ticket_id", table: "ticket_messages"), .equal, SQLColumn("id", table: "tickets"))
            .where(SQLColumn("number", table: "tickets"), .in, SQLGroupExpression(numbers.map { SQLBind($0) }))
            .where(SQLColumn("kind", table: "ticket_messages"), .notEqual, SQLBind(MessageKind.note.rawValue))
            .groupBy(SQLColumn("number", table: "tickets"))
            .all(decoding: Row.self)
        var found: [Int: Date] = [:]
        for row in rows { found[row.number] = row.last }
        return found
    }

    /// Problems with a new portal ticket, by field.
    static func newTicketProblems(subject: String, message: String) -> [String: String] {
        var problems: [String: String] = [:]
        if subject.isEmpty { problems["subject"] = "Say in a few words what it is about." }
        if subject.count > 300 { problems["subject"] = "Keep the subject under 300 characters; the details go in the message." }
        if message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problems["message"] = "Write what happened, what you expected, and what you tried." }
        return problems
    }

    /// Opens a ticket from the portal the way email does: an RFC 5322 message from the
    /// customer to support, through the same ingestion (queue, threading, acknowledgement).
    static func openPortalTicket(customer personID: UUID, subject: String, message: String, files: [OutgoingAttachment],
                                 services: FairdeskServices, on db: any Database, logger: Logger, now: Date) async throws -> IngestOutcome {
        guard let person = try await Person.find(personID, on: db),
              let address = try await primaryAddress(of: personID, on: db) else { throw Abort(.notFound) }
        let configuration = services.configuration
        let mail = OutgoingMessage(
            from: MailAddress(name: person.name, address: address),
            to: [MailAddress(address: configuration.primarySupportAddress)],
            subject: singleLine(subject), date: now,
            messageID: "portal.\(OutgoingComposer.uniquePart())\(OutgoingComposer.uniquePart())@\(configuration.hostname)",
            textBody: message, attachments: files)
        return try await MailIngestor(services: services, database: db, logger: logger)
            .ingest(InboundDelivery(raw: mail.render(), envelopeFrom: address, envelopeTo: [configuration.primarySupportAddress],
                                    channel: "portal"), now: now)
    }

    /// Control characters (a forged CR/LF) become spaces: a header holds one line.
    static func singleLine(_ text: String) -> String {
        String(text.unicodeScalars.map { CharacterSet.controlCharacters.contains($0) ? " " : Character($0) })
    }

    // MARK: People and organizations

    static func personPage(_ id: UUID, scope: Access.Scope, after: String?, limit: Int = pageSize, forAdmin: Bool,
                           on db: any Database, now: Date) async throws -> PeoplePages.PersonPage {
        guard let person = try await Person.query(on: db).filter(\.$id == id).with(\.$addresses).first() else { throw Abort(.notFound) }
        var organization: PeoplePages.OrganizationRef?
        if let organizationID = person.$organization.id, let found = try await Organization.find(organizationID, on: db) {
            organization = PeoplePages.OrganizationRef(id: organizationID, name: found.name, isPersonal: found.isPersonal)
        }
        // A customer's tickets are those they asked; an agent's, those assigned to them.
        let page = try await Queries.tickets(on: db, scope: scope, statuses: nil, organization: nil,
                                             requester: person.role.isStaff ? nil : id,
                                             assignee: person.role.isStaff ? .person(id) : nil,
                                             queueOrder: false, after: after, limit: limit)
        var choices: [PeoplePages.OrganizationRef] = []
        if forAdmin, !person.role.isStaff {
            choices = try await organizationChoices(on: db)
            if let organization, !choices.contains(where: { $0.id == organization.id }) { choices.insert(organization, at: 0) }
        }
        let addresses = person.addresses.sorted { ($0.createdAt ?? .distantPast) < ($1.createdAt ?? .distantPast) }.map(\.address)
        return PeoplePages.PersonPage(
            id: id, name: person.name, role: person.role, disabled: person.disabled, addresses: addresses,
            organization: organization, tickets: try await ticketRows(page.tickets, on: db), after: after, next: page.next,
            organizationChoices: choices, form: .init(name: person.name ?? "", organization: organization?.id.uuidString ?? ""),
            now: now)
    }

    /// The organizations a customer can be moved into: every shared (not personal) one.
    static func organizationChoices(on db: any Database) async throws -> [PeoplePages.OrganizationRef] {
        try await Organization.query(on: db).filter(\.$isPersonal == false).sort(\.$name).limit(1000).all().map {
            PeoplePages.OrganizationRef(id: try $0.requireID(), name: $0.name, isPersonal: false)
        }
    }

    static let memberLimit = 500

    static func organizationPage(_ id: UUID, scope: Access.Scope, after: String?, limit: Int = pageSize,
                                 on db: any Database, now: Date) async throws -> PeoplePages.OrganizationPage {
        guard let organization = try await Organization.query(on: db).filter(\.$id == id).with(\.$domains).first() else {
            throw Abort(.notFound)
        }
        let members = try await Person.query(on: db).filter(\.$organization.$id == id).with(\.$addresses)
            .sort(\.$createdAt).limit(memberLimit + 1).all()
        let page = try await Queries.tickets(on: db, scope: scope, statuses: nil, organization: id, queueOrder: false,
                                             after: after, limit: limit)
        let waiting = try await waitingCount(scope: scope, organization: id, on: db)
        return PeoplePages.OrganizationPage(
            id: id, name: organization.name, plan: organization.plan, isPersonal: organization.isPersonal,
            sharesTickets: organization.sharesTickets,
            domains: try organization.domains.sorted { $0.domain < $1.domain }.map { .init(id: try $0.requireID(), domain: $0.domain) },
            members: try members.prefix(memberLimit).map { member in
                let first = member.addresses.min { ($0.createdAt ?? .distantPast) < ($1.createdAt ?? .distantPast) }
                return .init(id: try member.requireID(), name: member.name, email: first?.address, disabled: member.disabled)
            },
            moreMembers: members.count > memberLimit, waitingCount: waiting,
            tickets: try await ticketRows(page.tickets, on: db), after: after, next: page.next,
            form: .init(name: organization.name, sharesTickets: organization.sharesTickets), now: now)
    }

    /// Renames an organization and turns ticket sharing on or off; audited.
    static func updateOrganization(_ id: UUID, name rawName: String, sharesTickets: Bool, actor: UUID, address: String,
                                   services: FairdeskServices, on db: any Database) async throws {
        let name = rawName.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty { throw FormProblems(["name": "An organization needs a name."]) }
        if name.count > 200 { throw FormProblems(["name": "Use at most 200 characters."]) }
        try await services.writes.transaction(on: db) { db in
            guard let organization = try await Organization.find(id, on: db) else { throw Abort(.notFound) }
            var changes: [String] = []
            if organization.name != name { changes.append("name: \(organization.name) → \(name)") }
            if organization.sharesTickets != sharesTickets {
                changes.append("shares tickets: \(organization.sharesTickets ? "on" : "off") → \(sharesTickets ? "on" : "off")")
            }
            guard !changes.isEmpty else { return }
            organization.name = name
            organization.sharesTickets = sharesTickets
            try await organization.save(on: db)
            try await Audit.record("organization.updated", object: "organization:\(id)", detail: changes.joined(separator: "; "),
                                   actor: actor, address: address, on: db)
        }
    }

    /// Claims a domain for an organization (`PeopleController.claim`); audited.
    static func addDomain(_ id: UUID, domain raw: String, actor: UUID, address: String,
                          services: FairdeskServices, on db: any Database) async throws {
        let domain: String
        do {
            domain = try PeopleController.validDomain(raw)
        } catch {
            throw FormProblems(["domain": "'\(raw)' is not a domain name like example.com."])
        }
        try await services.writes.transaction(on: db) { db in
            guard let organization = try await Organization.find(id, on: db) else { throw Abort(.notFound) }
            if let claim = try await OrganizationDomain.query(on: db).filter(\.$domain == domain).with(\.$organization).first() {
                throw FormProblems(["domain": "\(domain) is already claimed by \(claim.organization.name)."])
            }
            try await PeopleController.claim(domain, for: organization, on: db)
            try await Audit.record("organization.domain.added", object: "organization:\(id)", detail: domain,
                                   actor: actor, address: address, on: db)
        }
    }

    static func removeDomain(_ id: UUID, domain domainID: UUID, actor: UUID, address: String,
                             services: FairdeskServices, on db: any Database) async throws {
        try await services.writes.transaction(on: db) { db in
            guard let claim = try await OrganizationDomain.find(domainID, on: db), claim.$organization.id == id else {
                throw Abort(.notFound)
            }
            try await claim.delete(on: db)
            try await Audit.record("organization.domain.removed", object: "organization:\(id)", detail: claim.domain,
                                   actor: actor, address: address, on: db)
        }
    }

    /// The `organization` field of the person form: an organization id, or this value for
    /// "a new organization of their own".
    static let ownOrganization = "own"

    /// Renames a person and (customers) moves them to another organization; audited. Their
    /// tickets stay with the organization they were opened in (see `PeopleController.claim`).
    static func updatePerson(_ id: UUID, name rawName: String, organization choice: String?, actor: UUID, address: String,
                             services: FairdeskServices, on db: any Database) async throws {
        let name = rawName.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.count > 200 { throw FormProblems(["name": "Use at most 200 characters."]) }
        try await services.writes.transaction(on: db) { db in
            guard let person = try await Person.find(id, on: db) else { throw Abort(.notFound) }
            var changes: [String] = []
            let newName: String? = name.isEmpty ? nil : name
            if person.name != newName { changes.append("name: \(person.name ?? "none") → \(newName ?? "none")") }
            if !person.role.isStaff, let choice, choice != person.$organization.id?.uuidString {
                let target: Organization
                if choice == ownOrganization {
                    let email = try await primaryAddress(of: id, on: db) ?? "unknown"
                    target = Organization(name: newName.map { "\($0) <\(email)>" } ?? email, isPersonal: true)
                    try await target.create(on: db)
                } else {
                    guard let targetID = UUID(uuidString: choice), let found = try await Organization.find(targetID, on: db),
                          !found.isPersonal else {
                        throw FormProblems(["organization": "Choose one of the listed organizations."])
                    }
                    target = found
                }
                changes.append("organization: \(person.$organization.id?.uuidString ?? "none") → \(try target.requireID()) (\(target.name))")
                person.$organization.id = try target.requireID()
            }
            guard !changes.isEmpty else { return }
            person.name = newName
            try await person.save(on: db)
            try await Audit.record("person.updated", object: "person:\(id)", detail: changes.joined(separator: "; "),
                                   actor: actor, address: address, on: db)
        }
    }

    /// Disables (or enables again) an account: a disabled person cannot sign in, their
    /// sessions end and their API tokens stop working. Nobody disables themselves.
    static func setDisabled(_ id: UUID, disabled: Bool, actor: UUID, address: String,
                            services: FairdeskServices, on db: any Database) async throws -> Person {
        if disabled, id == actor { throw FormProblems(["disabled": "You cannot disable your own account."]) }
        return try await services.writes.transaction(on: db) { db in
            guard let person = try await Person.find(id, on: db) else { throw Abort(.notFound) }
            guard person.disabled != disabled else { return person }
            person.disabled = disabled
            try await person.save(on: db)
            if disabled { try await WebSessions.destroyAll(of: id, on: db) }
            try await Audit.record(disabled ? "person.disabled" : "person.enabled", object: "person:\(id)",
                                   actor: actor, address: address, on: db)
            return person
        }
    }

    // MARK: Staff accounts

    static func staff(on db: any Database) async throws -> [AdminPages.StaffRow] {
        let people = try await Person.query(on: db).filter(\.$role ~~ [PersonRole.agent, .admin]).with(\.$addresses)
            .sort(\.$createdAt).limit(1000).all()
        return try people.map { person in
            let first = person.addresses.min { ($0.createdAt ?? .distantPast) < ($1.createdAt ?? .distantPast) }
            return AdminPages.StaffRow(id: try person.requireID(), name: person.name, email: first?.address ?? "",
                                       role: person.role, disabled: person.disabled, hasPassword: person.passwordHash != nil)
        }
    }

    /// Problems with a new staff account's fields, by field (no database).
    static func staffProblems(email: String, name: String, role: String) -> [String: String] {
        var problems: [String: String] = [:]
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        let looksLikeAddress = parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && !email.contains(where: \.isWhitespace)
        if !looksLikeAddress { problems["email"] = "Enter an email address like agent@example.com." }
        if name.isEmpty { problems["name"] = "Enter the name customers and colleagues will see." }
        if name.count > 200 { problems["name"] = "Use at most 200 characters." }
        if PersonRole(rawValue: role)?.isStaff != true { problems["role"] = "Choose agent or admin." }
        return problems
    }

    /// Creates an agent or admin without a password: they choose one through a mailed
    /// single-use link (see `ListPagesController.createStaff`); audited.
    static func createStaff(email: String, name: String, role: String, actor: UUID, address: String,
                            services: FairdeskServices, on db: any Database) async throws -> UUID {
        let problems = staffProblems(email: email, name: name, role: role)
        guard problems.isEmpty, let role = PersonRole(rawValue: role) else { throw FormProblems(problems) }
        if services.configuration.isSupportAddress(email) {
            throw FormProblems(["email": "\(email) is a support address of this desk."])
        }
        return try await services.writes.transaction(on: db) { db in
            if let existing = try await PeopleDirectory(database: db).person(forAddress: email) {
                throw FormProblems(["email": existing.role.isStaff ? "\(email) already has a staff account."
                                                                     : "\(email) belongs to a customer."])
            }
            let person = Person(name: name, role: role, organizationID: nil)
            try await person.create(on: db)
            let id = try person.requireID()
            try await PersonAddress(address: email, personID: id).create(on: db)
            try await Audit.record("staff.created", object: "person:\(id)", detail: "\(role.rawValue) \(email)",
                                   actor: actor, address: address, on: db)
            return id
        }
    }

    // MARK: API tokens

    static func tokens(of personID: UUID, on db: any Database) async throws -> [TokenPages.Row] {
        try await APIToken.query(on: db).filter(\.$person.$id == personID).sort(\.$createdAt, .descending).all().map {
            TokenPages.Row(id: try $0.requireID(), name: $0.name, createdAt: $0.createdAt, lastUsedAt: $0.lastUsedAt)
        }
    }

    /// A new token for the person; the secret is returned once and only its hash kept.
    static func createToken(for personID: UUID, name raw: String, address: String,
                            services: FairdeskServices, on db: any Database) async throws -> String {
        let name = singleLine(raw).trimmingCharacters(in: .whitespaces)
        if name.isEmpty { throw FormProblems(["name": "Name the token after where it will be used, e.g. “CI” or “my laptop”."]) }
        if name.count > 100 { throw FormProblems(["name": "Use at most 100 characters."]) }
        return try await services.writes.transaction(on: db) { db in
            guard let person = try await Person.find(personID, on: db) else { throw Abort(.notFound) }
            let secret = try await APITokens.create(for: person, name: name, on: db)
            try await Audit.record("api-token.created", object: "person:\(personID)", detail: name, actor: personID, address: address, on: db)
            return secret
        }
    }

    /// Revokes one of the person's own tokens; 404 for anyone else's.
    static func revokeToken(_ id: UUID, of personID: UUID, address: String,
                            services: FairdeskServices, on db: any Database) async throws {
        try await services.writes.transaction(on: db) { db in
            guard let token = try await APIToken.find(id, on: db), token.$person.id == personID else { throw Abort(.notFound) }
            try await token.delete(on: db)
            try await Audit.record("api-token.revoked", object: "person:\(personID)", detail: token.name, actor: personID,
                                   address: address, on: db)
        }
    }
}
