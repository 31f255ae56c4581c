import Vapor

/// The desk's search page: the same query as `GET /api/v1/search`, rendered.
enum SearchPagesController {
    static func register(_ web: any RoutesBuilder) {
        web.get(DeskPaths.search, use: search)
    }

    @Sendable static func search(_ req: Request) async throws -> Response {
        let session = try req.requireStaffSession()
        let query = (req.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        var model = SearchPage.Model(query: query, hits: [], problem: nil)
        if !query.isEmpty {
            do {
                model.hits = try await Search.tickets(query: query, scope: session.scope, limit: Search.maxLimit,
                                                      on: req.db, services: req.fairdesk)
            } catch let error as SearchQueryError {
                model.problem = error.reason
            }
        }
        return SearchPage.page(model, viewer: req.viewer, csrfToken: req.csrfToken)
            .response(model.problem == nil ? .ok : .badRequest)
    }
}
