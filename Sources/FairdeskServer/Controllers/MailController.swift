import Fluent
import Foundation
import Vapor

/// Raw mail in over HTTP (for mail services that post webhooks, and `fairdesk mailgate`),
/// and the admins' list of mail that needs attention.
enum MailController {
    static func register(_ api: any RoutesBuilder) {
        // The body is the raw RFC 5322 message; stream it in up to the message limit.
        api.on(.POST, APIPaths.inboundMail, body: .collect(maxSize: nil), use: inbound)
        api.get(APIPaths.attention, use: attention)
        api.post(APIPaths.attentionReprocess, use: reprocess)
        api.get(APIPaths.attentionRaw, use: attentionRaw)
    }

    @Sendable static func inbound(_ req: Request) async throws -> Response {
        _ = try req.requireStaff()
        let limit = req.fairdesk.configuration.maxMessageBytes
        guard var body = req.body.data, body.readableBytes > 0 else {
            throw Abort(.badRequest, reason: "the request body must be the raw message (Content-Type: message/rfc822)")
        }
        guard body.readableBytes <= limit else {
            throw Abort(.payloadTooLarge, reason: "message of \(body.readableBytes) bytes; the limit is \(limit) bytes")
        }
        let raw = body.readBytes(length: body.readableBytes) ?? []
        let sender = req.query[String.self, at: "from"] ?? ""
        let recipients = (req.query[String.self, at: "to"] ?? req.fairdesk.configuration.primarySupportAddress)
            .split(separator: ",").map(String.init)
        let channel = req.query[String.self, at: "channel"] == "mailgate" ? "mailgate" : "http"
        let outcome = try await MailIngestor(services: req.fairdesk, database: req.db, logger: req.logger)
            .ingest(InboundDelivery(raw: raw, envelopeFrom: sender, envelopeTo: recipients, channel: channel))
        // 202 for something new stored, 200 for a redelivery that changed nothing.
        let status: HTTPStatus
        if case .duplicate = outcome { status = .ok } else { status = .accepted }
        let response = Response(status: status)
        try response.content.encode(InboundResultDTO(outcome))
        return response
    }

    @Sendable static func attention(_ req: Request) async throws -> [AttentionDTO] {
        _ = try req.requireAdmin()
        return try await needingAttention(on: req.db)
    }

    @Sendable static func reprocess(_ req: Request) async throws -> InboundResultDTO {
        _ = try req.requireAdmin()
        return InboundResultDTO(try await reprocess(req.uuidParameter("inboundID"), services: req.fairdesk, on: req.db, logger: req.logger))
    }

    @Sendable static func attentionRaw(_ req: Request) async throws -> Response {
        let actor = try req.requireAdmin()
        return try await rawDownload(req.uuidParameter("inboundID"), actor: actor.personID, via: "API", req: req)
    }

    // MARK: Named queries (the API and the desk's page share them)

    /// Mail that could not become a ticket message, newest first.
    static func needingAttention(on db: any Database, limit: Int = 500) async throws -> [AttentionDTO] {
        try await InboundMail.query(on: db)
            .filter(\.$status == .needsAttention)
            .sort(\.$createdAt, .descending)
            .limit(limit)
            .all()
            .map { row in
                AttentionDTO(id: try row.requireID(), receivedAt: row.createdAt, messageID: row.messageID,
                             envelopeFrom: row.envelopeFrom, channel: row.channel, size: row.rawSize, reason: row.reason)
            }
    }

    /// Runs a message that needs attention through ingestion again; 404 for anything else.
    static func reprocess(_ id: UUID, services: FairdeskServices, on db: any Database, logger: Logger) async throws -> IngestOutcome {
        guard let record = try await InboundMail.find(id, on: db), record.status == .needsAttention else { throw Abort(.notFound) }
        return try await MailIngestor(services: services, database: db, logger: logger).reprocess(record)
    }

    /// The raw bytes of any received message, as a download; every view is audited
    /// (DESIGN.md §4).
    static func rawDownload(_ id: UUID, actor: UUID, via: String, req: Request) async throws -> Response {
        guard let record = try await InboundMail.find(id, on: req.db) else { throw Abort(.notFound) }
        let bytes = try await req.fairdesk.blobs.get(BlobReference(name: record.rawBlob, size: record.rawSize), owner: record.ownerID)
        try await Audit.record("inbound.raw.viewed", object: "inbound:\(id)", detail: "via \(via)", actor: actor,
                               address: req.clientAddress, on: req.db)
        return TicketController.download(bytes, contentType: "message/rfc822", filename: "inbound-\(id.uuidString.prefix(8)).eml")
    }
}
