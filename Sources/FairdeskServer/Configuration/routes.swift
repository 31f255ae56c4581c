import Fluent
import SQLKit
import Vapor

func routes(_ app: Application) throws {
    app.get(APIPaths.health) { req async throws -> Response in
        // Healthy means the database answers.
        if let sql = req.db as? any SQLDatabase { try await sql.raw("SELECT 1").run() }
        let response = Response(status: .ok)
        try response.content.encode(["status": "ok"])
        return response
    }
    app.get(APIPaths.metrics) { req async throws -> Response in
        let depth = try await OutboxMessage.query(on: req.db).filter(\.$status == .queued).count()
        req.fairdesk.metrics.outboxDepth.set(Double(depth))
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4"])
        return Response(status: .ok, headers: headers, body: .init(string: req.fairdesk.metrics.render()))
    }
    let api = app.grouped(APIPaths.api).grouped(BearerTokenMiddleware())
    TicketController.register(api)
    MailController.register(api)
    PeopleController.register(api)
}
