import FairdeskMail
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import FairdeskServer

extension ServerSuite {
    /// Signing in and out, throttling, CSRF, mailed links, password reset and change.
    @Suite struct AccountTests {
        static let password = "correct horse battery"

        @Test func signInPageIsEscapedAndLockedDown() async throws {
            try await withTestApp { app in
                let browser = WebBrowser(app)
                let page = try await browser.get("/sign-in")
                #expect(page.status == .ok)
                let csp = try #require(page.headers.first(name: "Content-Security-Policy"))
                #expect(csp.contains("default-src 'none'") && csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"))
                #expect(page.headers.first(name: "X-Content-Type-Options") == "nosniff")
                #expect(page.text.contains("name=\"_csrf\""))
                // The pre-session CSRF cookie is HttpOnly and SameSite=Strict.
                let cookie = try #require(page.headers[.setCookie].first { $0.hasPrefix(CSRFMiddleware.cookieName) })
                #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
            }
        }

        @Test func staffSignInStartsASessionAndSignOutEndsIt() async throws {
            try await withTestApp { app in
                _ = try await Accounts.createStaff(app, email: "agent@fairdesk.test", name: "Agent", role: "agent", password: Self.password)
                let browser = WebBrowser(app)
                let response = try await browser.post("/sign-in", ["email": "agent@FAIRDESK.test", "password": Self.password])
                #expect(response.status == .seeOther)
                let cookie = try #require(response.headers[.setCookie].first { $0.hasPrefix(WebSessions.cookieName) })
                #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"))
                #expect(browser.cookies[WebSessions.cookieName] != nil)

                let home = try await browser.get("/")
                #expect(home.location == DeskPaths.queue(view: .waiting))

                let out = try await browser.post("/sign-out")
                #expect(out.location == "/sign-in")
                #expect(browser.cookies[WebSessions.cookieName] == nil)
                let sql = try #require(app.db as? any SQLDatabase)
                struct Count: Decodable { var count: Int }
                let left = try await sql.raw("SELECT COUNT(*) AS count FROM web_sessions").first(decoding: Count.self)
                #expect(left?.count == 0, "signing out deletes the session row")
            }
        }

        @Test func wrongPasswordsAreThrottledPerAccount() async throws {
            try await withTestApp { app in
                _ = try await Accounts.createStaff(app, email: "agent@fairdesk.test", name: "Agent", role: "agent", password: Self.password)
                let browser = WebBrowser(app)
                for _ in 0..<LoginThrottle.perAccount {
                    let wrong = try await browser.post("/sign-in", ["email": "agent@fairdesk.test", "password": "wrong password 1"])
                    #expect(wrong.status == .unauthorized)
                    #expect(wrong.text.contains("The email address or the password is wrong."))
                }
                // Now even the right password waits.
                let blocked = try await browser.post("/sign-in", ["email": "agent@fairdesk.test", "password": Self.password])
                #expect(blocked.status == .tooManyRequests)
                #expect(browser.cookies[WebSessions.cookieName] == nil)
                // An unknown account gets the same answer as a wrong password.
                let unknown = try await WebBrowser(app).post("/sign-in", ["email": "nobody@fairdesk.test", "password": Self.password])
                #expect(unknown.status == .unauthorized)
                #expect(unknown.text.contains("The email address or the password is wrong."))
            }
        }

        @Test func formsWithoutTheCSRFValueAreRefused() async throws {
            try await withTestApp { app in
                _ = try await Accounts.createStaff(app, email: "agent@fairdesk.test", name: "Agent", role: "agent", password: Self.password)
                let browser = WebBrowser(app)
                _ = try await browser.get("/sign-in")
                let missing = try await browser.post("/sign-in", ["email": "agent@fairdesk.test", "password": Self.password], csrf: false)
                #expect(missing.status == .forbidden)
                let forged = try await browser.post("/sign-in", ["email": "agent@fairdesk.test", "password": Self.password, "_csrf": String(repeating: "x", count: 43)], csrf: false)
                #expect(forged.status == .forbidden)
                #expect(browser.cookies[WebSessions.cookieName] == nil)

                // Signed in, the session's own value is required, not the pre-session one.
                let person = try #require(try await PeopleDirectory(database: app.db).person(forAddress: "agent@fairdesk.test"))
                let signedIn = try await WebBrowser.signedIn(app, as: try person.requireID())
                let out = try await signedIn.post("/sign-out", ["_csrf": "not-the-session-value"], csrf: false)
                #expect(out.status == .forbidden)
            }
        }

        @Test func aCustomerSignsInWithAMailedLinkOnce() async throws {
            try await withTestApp { app in
                _ = try await app.ingest(rawMail("From: Jane <jane@customer.example>", "To: support@fairdesk.test",
                                                 "Subject: Help", "Message-ID: <j1@customer.example>", "", "Hello"))
                let browser = WebBrowser(app)
                let asked = try await browser.post("/sign-in/link", ["email": "jane@customer.example"])
                #expect(asked.status == .ok)
                #expect(asked.text.contains("a sign-in link is on its way"))

                let link = try await Self.mailedLink(app, to: "jane@customer.example", prefix: "/sign-in/link/")
                let confirm = try await browser.get(link)
                #expect(confirm.status == .ok, "opening the link does not use it up (mail scanners follow links)")
                let used = try await browser.post(link)
                #expect(used.status == .seeOther)
                #expect(used.location == PortalPaths.home.link())
                #expect(browser.cookies[WebSessions.cookieName] != nil)

                let again = try await WebBrowser(app).post(link)
                #expect(again.status == .gone, "a link works once")

                // An unknown address gets the same page, and no mail.
                let before = try await OutboxMessage.query(on: app.db).count()
                let unknown = try await WebBrowser(app).post("/sign-in/link", ["email": "stranger@elsewhere.example"])
                #expect(unknown.status == .ok)
                #expect(unknown.text.contains("a sign-in link is on its way"))
                #expect(try await OutboxMessage.query(on: app.db).count() == before)
            }
        }

        @Test func aStaffMemberResetsAForgottenPassword() async throws {
            try await withTestApp { app in
                _ = try await Accounts.createStaff(app, email: "agent@fairdesk.test", name: "Agent", role: "agent", password: Self.password)
                let person = try #require(try await PeopleDirectory(database: app.db).person(forAddress: "agent@fairdesk.test"))
                let other = try await WebBrowser.signedIn(app, as: try person.requireID())

                let browser = WebBrowser(app)
                _ = try await browser.post("/password/forgot", ["email": "agent@fairdesk.test"])
                let link = try await Self.mailedLink(app, to: "agent@fairdesk.test", prefix: "/password/reset/")
                #expect(try await browser.get(link).status == .ok)

                let mismatch = try await browser.post(link, ["password": "a brand new secret", "confirm": "something else entirely"])
                #expect(mismatch.status == .unprocessableEntity)
                #expect(mismatch.text.contains("The two passwords differ."))

                let done = try await browser.post(link, ["password": "a brand new secret", "confirm": "a brand new secret"])
                #expect(done.status == .seeOther)
                #expect(try await browser.post(link, ["password": "a brand new secret", "confirm": "a brand new secret"]).status == .gone)

                // The old password no longer works, the new one does, other sessions ended.
                #expect(try await WebBrowser(app).post("/sign-in", ["email": "agent@fairdesk.test", "password": Self.password]).status == .unauthorized)
                #expect(try await WebBrowser(app).post("/sign-in", ["email": "agent@fairdesk.test", "password": "a brand new secret"]).status == .seeOther)
                #expect(try await other.get("/account/password").status == .seeOther, "the other browser was signed out")
            }
        }

        @Test func changingThePasswordNeedsTheCurrentOne() async throws {
            try await withTestApp { app in
                _ = try await Accounts.createStaff(app, email: "agent@fairdesk.test", name: "Agent", role: "agent", password: Self.password)
                let person = try #require(try await PeopleDirectory(database: app.db).person(forAddress: "agent@fairdesk.test"))
                let browser = try await WebBrowser.signedIn(app, as: try person.requireID())
                let wrong = try await browser.post("/account/password", ["current": "not my password", "password": "another good secret", "confirm": "another good secret"])
                #expect(wrong.status == .unprocessableEntity)
                #expect(wrong.text.contains("This is not your current password."))
                let short = try await browser.post("/account/password", ["current": Self.password, "password": "short", "confirm": "short"])
                #expect(short.status == .unprocessableEntity)
                #expect(short.text.contains("at least \(PasswordRules.minimumLength) characters"))
                let ok = try await browser.post("/account/password", ["current": Self.password, "password": "another good secret", "confirm": "another good secret"])
                #expect(ok.status == .ok)
                #expect(try await WebBrowser(app).post("/sign-in", ["email": "agent@fairdesk.test", "password": "another good secret"]).status == .seeOther)
            }
        }

        /// The link in the latest account mail to `address` (read back from the outbox).
        static func mailedLink(_ app: Application, to address: String, prefix: String) async throws -> String {
            let rows = try await OutboxMessage.query(on: app.db).filter(\.$ticket.$id == nil).sort(\.$createdAt, .descending).all()
            let row = try #require(rows.first { $0.recipients.contains(address) })
            let raw = try await app.fairdesk.blobs.get(BlobReference(name: row.rawBlob, size: row.rawSize), owner: row.ownerID)
            let text = Message.parse(raw).fullText
            let start = try #require(text.range(of: prefix))
            let token = text[start.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
            return prefix + token
        }
    }
}
