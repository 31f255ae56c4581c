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
        // The outbox depth is counted here, when it is read, not on every worker pass.
        let depth = try await OutboxMessage.query(on: req.db).filter(\.$status == .queued).count()
        req.fairdesk.metrics.outboxDepth.set(Double(depth))
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4"])
        return Response(status: .ok, headers: headers, body: .init(string: req.fairdesk.metrics.render()))
    }
    app.get(APIPaths.openAPI) { _ async throws -> Response in
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json") else { throw Abort(.notFound) }
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(data: try Data(contentsOf: url)))
    }
    app.get(WebPaths.asset.components, use: Assets.serve)
    // Pages: errors become pages, the session is loaded, and every form must carry its
    // CSRF value. A form may carry up to --max-upload-bytes of attachments.
    let formLimit = app.fairdesk.configuration.maxUploadBytes + (1 << 20)
    let web = app.grouped(WebErrorMiddleware(), WebSessionMiddleware(), CSRFMiddleware(maxBodyBytes: formLimit))
    AccountController.register(web)
    TicketPagesController.register(web)
    ListPagesController.register(web)
    SearchPagesController.register(web)
    PolicyDeskController.register(web)
    PolicyPagesController.register(web)

    let api = app.grouped(APIPaths.api).grouped(BearerTokenMiddleware())
    TicketController.register(api)
    PolicyController.register(api)
    MailController.register(api)
    PeopleController.register(api)
}
