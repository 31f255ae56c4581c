import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import FairdeskServer

extension ServerSuite {
    /// Account rules every desk path and the API enforce, not only the sign-in page.
    @Suite struct AccountEnforcementTests {
        @Test func aGeneratedPasswordMustBeReplacedBeforeAnyDeskPage() async throws {
            try await withTestApp { app in
                _ = try await Accounts.createStaff(app, email: "new@fairdesk.test", name: "New Agent", role: "agent", password: nil)
                let person = try #require(try await PeopleDirectory(database: app.db).person(forAddress: "new@fairdesk.test"))
                let browser = try await WebBrowser.signedIn(app, as: try person.requireID())
                for path in ["/desk", "/desk/investigations", "/desk/search?q=x", "/account/tokens"] {
                    let page = try await browser.get(path)
                    #expect(page.status == .seeOther, "\(path)")
                    #expect(page.location == "/account/password", "\(path)")
                }
                #expect(try await browser.post("/desk/next").location == "/account/password")
                #expect(try await browser.get("/account/password").status == .ok, "the way out stays open")
            }
        }

        @Test func usingAnAPITokenRecordsWhenItWasLastUsed() async throws {
            try await withTestApp { app in
                let token = try await app.staffToken()
                #expect(try await APIToken.query(on: app.db).first()?.lastUsedAt == nil)
                var headers = HTTPHeaders()
                headers.bearerAuthorization = BearerAuthorization(token: token)
                try await app.testing().test(.GET, "/api/v1/tickets", headers: headers) { #expect($0.status == .ok) }
                let used = try #require(try await APIToken.query(on: app.db).first()?.lastUsedAt)
                #expect(abs(used.timeIntervalSinceNow) < 60)
                // Within the hour it is not written again.
                try await app.testing().test(.GET, "/api/v1/tickets", headers: headers) { #expect($0.status == .ok) }
                let again = try #require(try await APIToken.query(on: app.db).first()?.lastUsedAt)
                #expect(abs(again.timeIntervalSince(used)) < 0.001)
            }
        }
    }
}
