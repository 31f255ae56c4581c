import FairdeskPolicy
import FairdeskMail
import Fluent
import FluentSQL
import Foundation
import SQLKit
import Vapor

/// Tickets over the JSON API. Handlers are thin: decode, authorize, call a named query.
enum TicketController {
    static func register(_ api: any RoutesBuilder) {
        api.get(APIPaths.tickets, use: list)
        api.get(APIPaths.ticket, use: show)
        api.post(APIPaths.ticketReply, use: reply)
        api.post(APIPaths.ticketNote, use: note)
        api.post(APIPaths.ticketStatus, use: changeStatus)
        api.put(APIPaths.ticketAssignee, use: assign)
        api.get(APIPaths.messageRaw, use: rawMessage)
        api.get(APIPaths.attachment, use: attachment)
        api.get(APIPaths.search, use: search)
    }

    // MARK: Handlers

    @Sendable static func list(_ req: Request) async throws -> TicketPageDTO {
        let actor = try req.requireStaff()
        struct Query: Decodable {
            var status: String?
            var organization: UUID?
            var assignee: String?
            var order: String?
            var after: String?
            var limit: Int?
        }
        let query = try req.query.decode(Query.self)
        let statuses = try query.status.map { raw in
            try raw.split(separator: ",").map { value -> TicketStatus in
                guard let status = TicketStatus(rawValue: String(value)) else {
                    throw Abort(.badRequest, reason: "status: '\(value)' is not one of \(TicketStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return status
            }
        }
        let assignee = try query.assignee.map { raw -> AssigneeFilter in
            switch raw {
            case "me": return .person(actor.personID)
            case "none": return .nobody
            default:
                guard let id = UUID(uuidString: raw) else {
                    throw Abort(.badRequest, reason: "assignee: '\(raw)' is not me, none or a person id")
                }
                return .person(id)
            }
        }
        return try await Queries.tickets(on: req.db, statuses: statuses, organization: query.organization,
                                         assignee: assignee, queueOrder: query.order == "queue", after: query.after,
                                         limit: min(max(query.limit ?? 50, 1), 200))
    }

    /// `?q=` words, "phrases" or a ticket number; `?limit=` (1–100, default 20).
    @Sendable static func search(_ req: Request) async throws -> SearchResultsDTO {
        let actor = try req.requireStaff()
        struct Query: Decodable {
            var q: String?
            var limit: Int?
        }
        let query = try req.query.decode(Query.self)
        guard let scope = try await Access.scope(of: actor.personID, on: req.db) else { throw Abort(.notFound) }
        let hits = try await Search.tickets(query: query.q ?? "", scope: scope, limit: query.limit ?? Search.defaultLimit,
                                            on: req.db, services: req.fairdesk)
        return SearchResultsDTO(hits: hits)
    }

    @Sendable static func show(_ req: Request) async throws -> TicketDetailDTO {
        _ = try req.requireStaff()
        let ticket = try await Queries.ticket(number: req.intParameter("number"), on: req.db)
        return try await Queries.detail(of: ticket, services: req.fairdesk, on: req.db, includeNotes: true)
    }

    @Sendable static func reply(_ req: Request) async throws -> Response {
        let actor = try req.requireStaff()
        let request = try req.content.decode(ReplyRequest.self)
        guard !request.body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw Abort(.unprocessableEntity, reason: "body: a reply needs some text")
        }
        var files: [ReplyFile] = []
        var total = 0
        for (index, file) in (request.attachments ?? []).enumerated() {
            guard let data = Data(base64Encoded: file.data, options: .ignoreUnknownCharacters) else {
                throw Abort(.unprocessableEntity, reason: "attachments[\(index)].data: not base64")
            }
            guard !file.filename.isEmpty, !file.filename.contains("/") else {
                throw Abort(.unprocessableEntity, reason: "attachments[\(index)].filename: a plain file name is needed")
            }
            total += data.count
            files.append(ReplyFile(filename: file.filename, contentType: file.contentType ?? "application/octet-stream", bytes: Array(data)))
        }
        let limit = req.fairdesk.configuration.maxMessageBytes
        guard total <= limit * 3 / 4 else {
            throw Abort(.payloadTooLarge, reason: "attachments: \(total) bytes in all; the limit is \(limit * 3 / 4) bytes (--max-message-bytes after encoding)")
        }
        let result = try await Queries.reply(number: try req.intParameter("number"), body: request.body, files: files,
                                             author: actor.personID, outOfOrder: try request.outOfOrder?.parsed(),
                                             services: req.fairdesk, on: req.db)
        let response = Response(status: .created)
        try response.content.encode(["messageID": result.messageID, "id": result.id.uuidString])
        return response
    }

    @Sendable static func note(_ req: Request) async throws -> Response {
        let actor = try req.requireStaff()
        let request = try req.content.decode(NoteRequest.self)
        guard !request.body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw Abort(.unprocessableEntity, reason: "body: a note needs some text")
        }
        let id = try await Queries.addNote(number: try req.intParameter("number"), body: request.body, author: actor.personID,
                                           authorName: actor.name, services: req.fairdesk, on: req.db)
        let response = Response(status: .created)
        try response.content.encode(["id": id.uuidString])
        return response
    }

    @Sendable static func changeStatus(_ req: Request) async throws -> TicketSummaryDTO {
        let actor = try req.requireStaff()
        let request = try req.content.decode(StatusRequest.self)
        guard let status = TicketStatus(rawValue: request.status) else {
            throw Abort(.unprocessableEntity, reason: "status: '\(request.status)' is not one of \(TicketStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard status != .investigating else {
            throw Abort(.unprocessableEntity, reason: "status: an investigation needs a stage and a note; use POST /api/v1/tickets/{number}/investigation")
        }
        let number = try req.intParameter("number")
        return try await req.fairdesk.writes.transaction(on: req.db) { db in
            let ticket = try await Queries.ticket(number: number, on: db)
            try await Queries.setStatus(ticket, to: status, actor: actor.personID, reason: request.reason, on: db, now: Date())
            return try await Queries.summary(of: ticket, on: db)
        }
    }

    /// Assigns the ticket to an agent or admin (by id or email address), or unassigns it
    /// with `"assignee": null`. Unchanged is a no-op: nothing is recorded.
    @Sendable static func assign(_ req: Request) async throws -> TicketSummaryDTO {
        let actor = try req.requireStaff()
        let request = try req.content.decode(AssigneeRequest.self)
        guard request.assigneeGiven else {
            throw Abort(.unprocessableEntity, reason: "assignee: missing; give an agent's or admin's id or email address, or null to unassign")
        }
        let reason = request.reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        let number = try req.intParameter("number")
        return try await req.fairdesk.writes.transaction(on: req.db) { db in
            // The ticket first: an unknown ticket is 404 whatever the body says.
            let ticket = try await Queries.ticket(number: number, on: db)
            var assignee: Person?
            if let reference = request.assignee { assignee = try await Queries.assignableStaff(reference, on: db) }
            try await Queries.assign(ticket, to: assignee, actor: actor.personID,
                                     reason: reason?.isEmpty == false ? reason : nil, on: db)
            return try await Queries.summary(of: ticket, on: db)
        }
    }

    @Sendable static func rawMessage(_ req: Request) async throws -> Response {
        let actor = try req.requireStaff()
        guard let message = try await TicketMessage.find(req.uuidParameter("messageID"), on: req.db),
              let blob = message.rawBlob,
              let ticket = try await Ticket.find(message.$ticket.id, on: req.db) else { throw Abort(.notFound) }
        let bytes = try await req.fairdesk.blobs.get(BlobReference(name: blob, size: message.rawSize), owner: ticket.$organization.id)
        let object = "message:\(try message.requireID())", ticketID = ticket.id, address = req.clientAddress
        try await req.write { db in
            try await Audit.record("message.raw.viewed", object: object, detail: "via API", actor: actor.personID, ticket: ticketID, address: address, on: db)
        }
        return download(bytes, contentType: "message/rfc822", filename: "ticket-\(ticket.number)-\(message.id?.uuidString.prefix(8) ?? "message").eml")
    }

    @Sendable static func attachment(_ req: Request) async throws -> Response {
        let actor = try req.requireStaff()
        guard let attachment = try await TicketAttachment.find(req.uuidParameter("attachmentID"), on: req.db),
              let ticket = try await Ticket.find(attachment.$ticket.id, on: req.db) else { throw Abort(.notFound) }
        let bytes = try await req.fairdesk.blobs.get(BlobReference(name: attachment.blob, size: attachment.size), owner: ticket.$organization.id)
        let object = "attachment:\(try attachment.requireID())", ticketID = ticket.id, address = req.clientAddress
        try await req.write { db in
            try await Audit.record("attachment.viewed", object: object, detail: "via API", actor: actor.personID, ticket: ticketID, address: address, on: db)
        }
        return download(bytes, contentType: attachment.contentType, filename: attachment.filename ?? "attachment")
    }

    /// A download that a browser never renders inline (no content sniffing, no scripts).
    /// `inline` is for image previews only, and only for raster images (the
    /// caller checks the type).
    static func download(_ bytes: [UInt8], contentType: String, filename: String, inline: Bool = false) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: String(contentType.split(separator: "/").first ?? "application"),
                                            subType: String(contentType.split(separator: "/").dropFirst().first ?? "octet-stream"))
        let ascii = String(filename.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" && $0.value >= 0x20 ? Character($0) : "_" })
        let encoded = filename.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ascii
        // RFC 6266: an ASCII fallback and the exact UTF-8 name.
        headers.replaceOrAdd(name: .contentDisposition, value: "\(inline ? "inline" : "attachment"); filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)")
        headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        headers.replaceOrAdd(name: .contentSecurityPolicy, value: "sandbox; default-src 'none'")
        return Response(status: .ok, headers: headers, body: .init(data: Data(bytes)))
    }
}

/// `?assignee=` of the ticket list.
enum AssigneeFilter: Sendable, Equatable {
    case person(UUID)
    /// Unassigned tickets.
    case nobody
}

/// Named queries: tests call them without HTTP.
enum Queries {
    static func ticket(number: Int, on db: any Database) async throws -> Ticket {
        guard let ticket = try await Ticket.query(on: db).filter(\.$number == number).first() else { throw Abort(.notFound) }
        return ticket
    }

    /// A page of tickets. Keyset paging (never OFFSET) so a page costs the same at any depth:
    /// queue order pages by (waiting_since, number), recent order by number.
    /// Filters only narrow the set, so the cursor means the same on every page. `scope`
    /// (see `Access`) narrows it to what the reader may see; `requester` to one person's.
    static func tickets(on db: any Database, scope: Access.Scope = .everything, statuses: [TicketStatus]?, organization: UUID?,
                        requester: UUID? = nil, assignee: AssigneeFilter? = nil,
                        queueOrder: Bool, after: String?, limit: Int) async throws -> TicketPageDTO {
        let query = Access.apply(scope, to: Ticket.query(on: db))
        if let statuses { query.filter(\.$status ~~ statuses) }
        if let organization { query.filter(\.$organization.$id == organization) }
        if let requester { query.filter(\.$requester.$id == requester) }
        switch assignee {
        case .person(let id): query.filter(\.$assignee.$id == id)
        case .nobody: query.filter(\.$assignee.$id == nil)
        case nil: break
        }
        if queueOrder {
            query.filter(\.$status == .waitingOnSupport)
            if let after {
                let parts = after.split(separator: "_")
                guard parts.count == 2, let seconds = Double(parts[0]), let number = Int(parts[1]) else {
                    throw Abort(.badRequest, reason: "after: not a cursor this API returned")
                }
                query.filter(.sql(embed: queueCursorCondition(seconds: seconds, number: number)))
            }
            query.sort(\.$waitingSince, .ascending).sort(\.$number, .ascending)
        } else {
            if let after {
                guard let number = Int(after) else { throw Abort(.badRequest, reason: "after: not a cursor this API returned") }
                query.filter(\.$number < number)
            }
            query.sort(\.$number, .descending)
        }
        let rows = try await query.limit(limit + 1).all()
        let page = Array(rows.prefix(limit))
        var next: String?
        if rows.count > limit, let last = page.last {
            next = queueOrder ? "\(last.waitingSince?.timeIntervalSince1970 ?? 0)_\(last.number)" : "\(last.number)"
        }
        return TicketPageDTO(tickets: try await summaries(of: page, on: db), next: next)
    }

    /// Rows after the queue cursor `(waitingSince, number)` in the queue's order.
    ///
    /// A timestamp does not survive the trip to the client and back exactly: PostgreSQL
    /// keeps whole microseconds and its driver truncates a bound Date to them, and
    /// SQLite's seconds since 1970 go through Foundation's seconds since 2001. Compared
    /// with the stored value, the cursor can land just below its own ticket, and the
    /// next page would start with that ticket again, forever. So the comparison is made
    /// with the cursor ticket's stored `waiting_since` itself, as long as it is still
    /// (within a millisecond) the one the cursor names; if the ticket has left the queue
    /// or moved since, with the cursor's own timestamp.
    static func queueCursorCondition(seconds: Double, number: Int) -> SQLQueryString {
        let since = Date(timeIntervalSince1970: seconds)
        let stored: SQLQueryString = """
            COALESCE((SELECT \(ident: "waiting_since") FROM \(ident: "tickets") \
            WHERE \(ident: "number") = \(bind: number) \
            AND \(ident: "waiting_since") BETWEEN \(bind: since.addingTimeInterval(-0.001)) AND \(bind: since.addingTimeInterval(0.001))), \
            \(bind: since))
            """
        let column: SQLQueryString = "\(ident: "tickets").\(ident: "waiting_since")"
        return "(\(column) > \(stored) OR (\(column) = \(stored) AND \(ident: "tickets").\(ident: "number") > \(bind: number)))"
    }

    static func detail(of ticket: Ticket, services: FairdeskServices, on db: any Database, includeNotes: Bool) async throws -> TicketDetailDTO {
        let ticketID = try ticket.requireID()
        let owner = ticket.$organization.id
        var messagesQuery = TicketMessage.query(on: db).filter(\.$ticket.$id == ticketID).with(\.$attachments)
        if !includeNotes { messagesQuery = messagesQuery.filter(\.$kind != .note) }
        let messages = try await messagesQuery.sort(\.$createdAt).all()
        let events = try await TicketEvent.query(on: db).filter(\.$ticket.$id == ticketID).sort(\.$createdAt).all()
        var timeline: [TimelineEntryDTO] = []
        for message in messages {
            let body = try await services.blobs.get(BlobReference(name: message.bodyBlob, size: message.bodySize), owner: owner)
            let id = try message.requireID()
            timeline.append(TimelineEntryDTO(
                type: "message", at: message.createdAt, id: id, kind: message.kind.rawValue, messageID: message.messageID,
                from: message.fromAddress, fromName: message.fromName, to: decodeList(message.toAddresses), subject: message.subject,
                body: String(decoding: body, as: UTF8.self), automatic: message.automatic, threadReason: message.threadReason,
                defects: decodeList(message.defects),
                attachments: try message.attachments.map { attachment in
                    let attachmentID = try attachment.requireID()
                    return AttachmentDTO(id: attachmentID, filename: attachment.filename, contentType: attachment.contentType,
                                         disposition: attachment.disposition, size: attachment.size,
                                         url: "/api/v1/attachments/\(attachmentID)")
                },
                rawURL: message.rawBlob == nil ? nil : "/api/v1/messages/\(id)/raw"))
        }
        for event in events {
            timeline.append(TimelineEntryDTO(type: "event", at: event.createdAt, id: event.id, event: event.kind,
                                             detail: event.detail, reason: event.reason, actorID: event.$actor.id))
        }
        timeline.sort { ($0.at ?? .distantPast) < ($1.at ?? .distantPast) }
        return TicketDetailDTO(ticket: try await summary(of: ticket, on: db), timeline: timeline)
    }

    /// An agent's reply on ticket `number`: composed, stored on the timeline and queued in
    /// the outbox (`OutgoingComposer.reply`). The API and the desk's reply form call it.
    static func reply(number: Int, body: String, files: [ReplyFile], author: UUID, outOfOrder: OutOfOrderReason? = nil,
                      services: FairdeskServices, on db: any Database) async throws -> OutgoingComposer.Composed {
        // The data key must exist before the transaction (see MailIngestor.process).
        let owner = try await Queries.ticket(number: number, on: db).$organization.id
        _ = try await services.keyRing.dataKey(for: owner)
        return try await services.writes.transaction(on: db) { db in
            let ticket = try await Queries.ticket(number: number, on: db)
            let now = Date()
            // First come, first served: refused (nothing written) when an older ticket
            // waits and no reason was given.
            try await TicketQueue(database: db, configuration: services.configuration)
                .recordAnswer(.init(ticket), by: author, how: .reply, reason: outOfOrder, now: now)
            let person = try await Person.find(author, on: db).orThrow("author vanished")
            let result = try await OutgoingComposer(services: services, database: db)
                .reply(ticket: ticket, body: body, files: files, author: person, now: now)
            // Durable before the rows that name them commit (see MailIngestor).
            try services.blobs.sync(result.writes.map { ($0.reference, $0.owner) })
            return result
        }
    }

    /// An internal note by `author` on ticket `number`; returns its id. The API and the
    /// desk's note form call it.
    static func addNote(number: Int, body: String, author: UUID, authorName: String?, services: FairdeskServices,
                        on db: any Database) async throws -> UUID {
        _ = try await services.keyRing.dataKey(for: try await Queries.ticket(number: number, on: db).$organization.id)
        return try await services.writes.transaction(on: db) { db -> UUID in
            let ticket = try await Queries.ticket(number: number, on: db)
            let blob = try await services.blobs.put(Array(body.utf8), owner: ticket.$organization.id, durable: true)
            let note = TicketMessage()
            note.kind = .note
            note.references = ""
            note.fromAddress = ""
            note.fromName = authorName
            note.toAddresses = "[]"
            note.ccAddresses = "[]"
            note.subject = ""
            note.bodyBlob = blob.name
            note.bodySize = blob.size
            note.rawSize = 0
            note.threadReason = "note"
            note.automatic = false
            note.defects = "[]"
            note.$ticket.id = try ticket.requireID()
            note.$author.id = author
            try await note.create(on: db)
            try await SearchIndex(services: services, database: db).add(message: try note.requireID(), kind: .note, ticket: try ticket.requireID(),
                                                                        subject: "", from: "", name: authorName, body: body)
            try await TicketEvent(ticketID: try ticket.requireID(), actorID: author, kind: "note.added", detail: "internal note").create(on: db)
            return try note.requireID()
        }
    }

    static func setStatus(_ ticket: Ticket, to status: TicketStatus, actor: UUID?, reason: String?, on db: any Database, now: Date) async throws {
        guard ticket.status != status else { return }
        let before = ticket.status
        ticket.status = status
        ticket.waitingSince = status == .waitingOnSupport ? now : nil
        // Out of the queue: nobody holds it any more, and an investigation has ended.
        ticket.heldBy = nil
        ticket.heldAt = nil
        if status != .investigating {
            ticket.investigationStage = nil
            ticket.stageSince = nil
        }
        try await ticket.save(on: db)
        try await TicketEvent(ticketID: try ticket.requireID(), actorID: actor, kind: "status.changed",
                              detail: "\(before.rawValue) → \(status.rawValue)", reason: reason).create(on: db)
    }

    static func summary(of ticket: Ticket, on db: any Database) async throws -> TicketSummaryDTO {
        try await summaries(of: [ticket], on: db)[0]
    }

    /// Summaries with their assignees, who are read in one query for the whole page.
    static func summaries(of tickets: [Ticket], on db: any Database) async throws -> [TicketSummaryDTO] {
        let assignees = try await assignees(Set(tickets.compactMap { $0.$assignee.id }), on: db)
        return try tickets.map { ticket in try ticket.summary(assignee: ticket.$assignee.id.flatMap { assignees[$0] }) }
    }

    static func assignees(_ ids: Set<UUID>, on db: any Database) async throws -> [UUID: AssigneeDTO] {
        guard !ids.isEmpty else { return [:] }
        let people = try await Person.query(on: db).filter(\.$id ~~ ids).all()
        // The first address a person got is their sign-in address (staff) or first sender address.
        let addresses = try await PersonAddress.query(on: db).filter(\.$person.$id ~~ ids).sort(\.$createdAt).all()
        var found: [UUID: AssigneeDTO] = [:]
        for person in people {
            let id = try person.requireID()
            found[id] = AssigneeDTO(id: id, name: person.name, email: addresses.first { $0.$person.id == id }?.address)
        }
        return found
    }

    /// The agent or admin `reference` (a person id or an email address) names; 422 naming
    /// the `assignee` field for anyone else.
    static func assignableStaff(_ reference: String, on db: any Database) async throws -> Person {
        let reference = reference.trimmingCharacters(in: .whitespacesAndNewlines)
        let person: Person?
        if let id = UUID(uuidString: reference) {
            person = try await Person.find(id, on: db)
        } else if reference.contains("@") {
            person = try await PeopleDirectory(database: db).person(forAddress: reference)
        } else {
            throw Abort(.unprocessableEntity, reason: "assignee: '\(reference)' is neither a person id nor an email address")
        }
        guard let person else {
            throw Abort(.unprocessableEntity, reason: "assignee: nobody is known as '\(reference)'")
        }
        guard person.role.isStaff else {
            throw Abort(.unprocessableEntity, reason: "assignee: '\(reference)' is a customer; only agents and admins can be assigned")
        }
        guard !person.disabled else {
            throw Abort(.unprocessableEntity, reason: "assignee: the account of '\(reference)' is disabled")
        }
        return person
    }

    /// Sets or clears the assignee and records `ticket.assigned` or `ticket.unassigned`
    /// (who, what, why). Returns false, recording nothing, when nothing changes.
    @discardableResult
    static func assign(_ ticket: Ticket, to assignee: Person?, actor: UUID?, reason: String?, on db: any Database) async throws -> Bool {
        let before = ticket.$assignee.id
        let after = try assignee?.requireID()
        guard before != after else { return false }
        ticket.$assignee.id = after
        try await ticket.save(on: db)
        let people = try await assignees(Set([before, after].compactMap { $0 }), on: db)
        func label(_ id: UUID?) -> String {
            guard let id else { return "nobody" }
            return people[id].map(describe) ?? id.uuidString
        }
        try await TicketEvent(ticketID: try ticket.requireID(), actorID: actor, kind: after == nil ? "ticket.unassigned" : "ticket.assigned",
                              detail: "\(label(before)) → \(label(after))", reason: reason).create(on: db)
        return true
    }

    private static func describe(_ person: AssigneeDTO) -> String {
        switch (person.name, person.email) {
        case (let name?, let email?): return "\(name) <\(email)>"
        case (nil, let email?): return email
        case (let name?, nil): return name
        case (nil, nil): return person.id.uuidString
        }
    }

    static func decodeList(_ json: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(json.utf8))) ?? []
    }
}
