import Fluent
import Foundation
import Plot
import Vapor

extension HTML {
    /// The page as an HTML response.
    func response(_ status: HTTPResponseStatus = .ok) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .html
        return Response(status: status, headers: headers, body: .init(string: render()))
    }
}

extension Request {
    /// The frame's view of the signed-in person.
    var viewer: Viewer? {
        webSession.map { session in
            Viewer(name: session.name ?? session.email, isStaff: session.isStaff, isAdmin: session.role == .admin,
                   csrfToken: session.csrfToken)
        }
    }

    /// The client's address, for throttling and the audit log.
    var clientAddress: String {
        remoteAddress?.ipAddress ?? "unknown"
    }

    /// Runs a write in a transaction through the write gate (SQLite has one writer; see
    /// `WriteGate`). Every write of the web layer goes through here.
    func write<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await fairdesk.writes.transaction(on: db, body)
    }

    /// A redirect after a successful POST (303: the browser follows with GET).
    func seeOther(_ location: String) -> Response {
        redirect(to: location, redirectType: .normal)
    }
}

/// Turns errors on page routes into pages: "not found" for refusals (never confirming
/// that something exists), a redirect for `WebRedirect`, a plain explanation otherwise.
/// The cause goes to the log, never a stack trace to the browser.
struct WebErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch let redirect as WebRedirect {
            return request.seeOther(redirect.to)
        } catch {
            let status: HTTPResponseStatus
            let text: String
            if let abort = error as? any AbortError {
                status = abort.status
                switch abort.status {
                case .notFound, .unauthorized:
                    text = "There is no such page, or it is not yours to see."
                default:
                    text = abort.reason
                }
            } else {
                status = .internalServerError
                text = "Something went wrong on our side. The administrator can find the cause in the server log."
                request.logger.error("page failed", metadata: ["path": "\(request.url.path)", "error": "\(String(reflecting: error))"])
            }
            let shownStatus = status == .unauthorized ? .notFound : status
            let title = shownStatus == .notFound ? "Not found" : shownStatus.reasonPhrase
            return AccountPages.message(title: title, text: text, viewer: request.viewer, csrfToken: request.csrfToken,
                                        link: (WebPaths.home.link(), "Back to the start"))
                .response(shownStatus)
        }
    }
}

/// The stylesheet and script, from the module's resources (no build step; CSP allows
/// only these).
enum Assets {
    static let files: [String: HTTPMediaType] = ["desk.css": .css, "desk.js": HTTPMediaType(type: "text", subType: "javascript")]

    @Sendable static func serve(_ req: Request) async throws -> Response {
        let name = try req.parameters.require("file")
        guard let type = files[name], let dot = name.lastIndex(of: "."),
              let url = Bundle.module.url(forResource: String(name[..<dot]), withExtension: String(name[name.index(after: dot)...]), subdirectory: "assets")
        else { throw Abort(.notFound) }
        var headers = HTTPHeaders()
        headers.contentType = type
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=300")
        return Response(status: .ok, headers: headers, body: .init(data: try Data(contentsOf: url)))
    }
}
