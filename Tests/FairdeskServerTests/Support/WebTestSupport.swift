import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import FairdeskServer

/// A browser for page tests: keeps cookies, knows its CSRF value, follows nothing by
/// itself (tests look at redirects).
final class WebBrowser: @unchecked Sendable {
    // Used by one test task at a time; never shared across tasks.
    let app: Application
    var cookies: [String: String] = [:]

    init(_ app: Application) {
        self.app = app
    }

    /// A browser already signed in as `personID` (a session made directly).
    static func signedIn(_ app: Application, as personID: UUID) async throws -> WebBrowser {
        let browser = WebBrowser(app)
        browser.cookies[WebSessions.cookieName] = try await WebSessions.create(for: personID, on: app.db)
        return browser
    }

    /// The value forms must carry: the session's, or the pre-session cookie's (fetched
    /// from the sign-in page when there is none yet).
    func csrf() async throws -> String {
        if let token = cookies[WebSessions.cookieName] {
            struct Row: Decodable { var csrfToken: String }
            let sql = try #require(app.db as? any SQLDatabase)
            if let row = try await sql.select().column("csrf_token").from("web_sessions")
                .where("token_hash", .equal, WebSessions.hash(token))
                .first(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase) {
                return row.csrfToken
            }
        }
        if cookies[CSRFMiddleware.cookieName] == nil { _ = try await get("/sign-in") }
        return try #require(cookies[CSRFMiddleware.cookieName])
    }

    func get(_ path: String) async throws -> TestingHTTPResponse {
        try await send(.GET, path, headers: [:], body: nil)
    }

    /// POSTs a urlencoded form; `_csrf` is added unless `csrf` is false.
    func post(_ path: String, _ fields: [String: String] = [:], csrf: Bool = true) async throws -> TestingHTTPResponse {
        var all = fields
        if csrf { all["_csrf"] = try await self.csrf() }
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        buffer.writeString(all.map { "\(Self.encode($0.key))=\(Self.encode($0.value))" }.joined(separator: "&"))
        return try await send(.POST, path, headers: ["Content-Type": "application/x-www-form-urlencoded"], body: buffer)
    }

    /// POSTs multipart/form-data with files (`name`, `filename`, `type`, bytes).
    func postMultipart(_ path: String, _ fields: [String: String], files: [(name: String, filename: String, type: String, bytes: [UInt8])],
                       csrf: Bool = true) async throws -> TestingHTTPResponse {
        var all = fields
        if csrf { all["_csrf"] = try await self.csrf() }
        let boundary = "fdtest\(UUID().uuidString)"
        var body: [UInt8] = []
        for (key, value) in all {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(key)\"\r\n\r\n\(value)\r\n".utf8)
        }
        for file in files {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.filename)\"\r\nContent-Type: \(file.type)\r\n\r\n".utf8)
            body += file.bytes + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        var buffer = ByteBufferAllocator().buffer(capacity: body.count)
        buffer.writeBytes(body)
        return try await send(.POST, path, headers: ["Content-Type": "multipart/form-data; boundary=\(boundary)"], body: buffer)
    }

    private func send(_ method: HTTPMethod, _ path: String, headers: [String: String], body: ByteBuffer?) async throws -> TestingHTTPResponse {
        var result: TestingHTTPResponse?
        var requestHeaders = HTTPHeaders(headers.map { ($0.key, $0.value) })
        if !cookies.isEmpty {
            requestHeaders.add(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        try await app.testing().test(method, path, headers: requestHeaders, body: body) { response in
            for header in response.headers[.setCookie] {
                guard let pair = header.split(separator: ";").first, let equals = pair.firstIndex(of: "=") else { continue }
                let name = String(pair[..<equals]).trimmingCharacters(in: .whitespaces)
                let value = String(pair[pair.index(after: equals)...])
                if value.isEmpty || header.lowercased().contains("max-age=0") { cookies[name] = nil } else { cookies[name] = value }
            }
            result = response
        }
        return try #require(result)
    }

    static func encode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}

extension TestingHTTPResponse {
    var text: String { body.getString(at: body.readerIndex, length: body.readableBytes) ?? "" }
    var location: String? { headers.first(name: .location) }
}
