import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import FairdeskServer

extension ServerSuite {
    /// Every GET route, tried as each kind of visitor, with exactly who may see it
    /// (DESIGN.md §4). A route the table does not classify fails the test, so a new page
    /// cannot be added without deciding who sees it. Refusals are "not found", or for a
    /// visitor the sign-in page — never 403, never a hint that the thing exists.
    @Suite struct AccessMatrixTests {
        enum Who: String, CaseIterable, Sendable {
            case agent, admin, requester, teammate, otherCustomer, visitor
        }

        /// What a visitor is shown: the page (200), "not found", or the sign-in page.
        enum Outcome: Equatable, CustomStringConvertible {
            case ok, notFound, signIn, redirect

            var description: String {
                switch self {
                case .ok: return "200"
                case .notFound: return "404"
                case .signIn: return "→ sign-in"
                case .redirect: return "→ elsewhere"
                }
            }
        }

        struct Fixture {
            var people: [Who: UUID] = [:]
            var ticketA = 0, ticketB = 0
            var attachmentA = UUID(), messageA = UUID(), noteAttachment: UUID?
            var organizationA = UUID(), organizationB = UUID()
            var inboundAttention = UUID()
        }

        @Test func everyRouteAnswersExactlyWhoMaySee() async throws {
            try await withTestApp { app in
                let fixture = try await Self.fixture(app)
                var browsers: [Who: WebBrowser] = [:]
                for who in Who.allCases {
                    browsers[who] = who == .visitor ? WebBrowser(app) : try await WebBrowser.signedIn(app, as: try #require(fixture.people[who]))
                }
                let staffOnly: [Who: Outcome] = [.agent: .ok, .admin: .ok, .requester: .notFound, .teammate: .notFound, .otherCustomer: .notFound, .visitor: .signIn]
                let adminOnly: [Who: Outcome] = [.agent: .notFound, .admin: .ok, .requester: .notFound, .teammate: .notFound, .otherCustomer: .notFound, .visitor: .signIn]
                let ticketAInPortal: [Who: Outcome] = [.agent: .redirect, .admin: .redirect, .requester: .ok, .teammate: .ok, .otherCustomer: .notFound, .visitor: .signIn]
                let customersOnly: [Who: Outcome] = [.agent: .redirect, .admin: .redirect, .requester: .ok, .teammate: .ok, .otherCustomer: .ok, .visitor: .signIn]
                let everyoneSignedIn: [Who: Outcome] = [.agent: .ok, .admin: .ok, .requester: .ok, .teammate: .ok, .otherCustomer: .ok, .visitor: .signIn]

                // Pattern → (a concrete URL, who sees what). Public pages are tested in AccountTests.
                let table: [String: (String, [Who: Outcome])] = [
                    "desk": ("/desk", staffOnly),
                    "desk/tickets/:number": (DeskPaths.ticket(fixture.ticketA), staffOnly),
                    "desk/messages/:messageID/html": (DeskPaths.messageFrame(fixture.messageA), staffOnly),
                    "desk/messages/:messageID/raw": (DeskPaths.messageRaw(fixture.messageA), staffOnly),
                    "desk/attachments/:attachmentID": (DeskPaths.attachment(fixture.attachmentA), staffOnly),
                    "desk/search": ("/desk/search?q=export", staffOnly),
                    "desk/tickets/:number/info-request": (DeskPaths.ticketInfoRequest(fixture.ticketA), staffOnly),
                    "desk/attention": ("/desk/attention", adminOnly),
                    "desk/attention/:inboundID/raw": (DeskPaths.attentionRaw.link(["inboundID": fixture.inboundAttention.uuidString]), adminOnly),
                    "desk/people/:personID": (DeskPaths.person(try #require(fixture.people[.requester])), staffOnly),
                    "desk/organizations/:organizationID": (DeskPaths.organization(fixture.organizationA), staffOnly),
                    "desk/staff": ("/desk/staff", adminOnly),
                    "account/tokens": ("/account/tokens", staffOnly),
                    "desk/investigations": ("/desk/investigations", staffOnly),
                    "desk/admin/fairness": ("/desk/admin/fairness", adminOnly),
                    "desk/admin/policy": ("/desk/admin/policy", adminOnly),
                    "desk/admin/catalog": ("/desk/admin/catalog", adminOnly),
                    "account/password": ("/account/password", everyoneSignedIn),
                    "portal": ("/portal", customersOnly),
                    "portal/new": ("/portal/new", customersOnly),
                    "portal/tickets/:number": (PortalPaths.ticket(fixture.ticketA), ticketAInPortal),
                    "portal/attachments/:attachmentID": (PortalPaths.attachment(fixture.attachmentA),
                                                         [.agent: .notFound, .admin: .notFound, .requester: .ok, .teammate: .ok, .otherCustomer: .notFound, .visitor: .signIn]),
                ]
                let unclassifiedAllowed: Set<String> = ["", "healthz", "metrics", "assets/:file", "sign-in", "sign-in/link/:token",
                                                        "password/forgot", "password/reset/:token"]
                var failures: [String] = []
                var visited: Set<String> = []
                for route in app.routes.all where route.method == .GET {
                    let pattern = route.path.map(\.description).joined(separator: "/")
                    if pattern.hasPrefix("api/v1") || unclassifiedAllowed.contains(pattern) { continue }
                    guard let (url, expected) = table[pattern] else {
                        failures.append("GET /\(pattern) is not in the access table: decide who may see it")
                        continue
                    }
                    visited.insert(pattern)
                    for who in Who.allCases {
                        let response = try await #require(browsers[who]).get(url)
                        let outcome = Self.outcome(response)
                        if outcome != expected[who] {
                            failures.append("GET \(url) as \(who.rawValue): \(outcome), expected \(expected[who].map(\.description) ?? "?")")
                        }
                        if outcome != .ok, response.text.contains("Export crashes") || response.text.contains("crash.dmp") {
                            failures.append("GET \(url) as \(who.rawValue) refused but showed ticket content")
                        }
                    }
                }
                #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
                #expect(visited == Set(table.keys), "routes in the table but not served: \(Set(table.keys).subtracting(visited).sorted())")

                // A customer guessing: every other ticket number, message and attachment id.
                let guesser = try #require(browsers[.otherCustomer])
                for number in [fixture.ticketA, fixture.ticketB + 1, 0, 999_999] {
                    #expect(Self.outcome(try await guesser.get(PortalPaths.ticket(number))) == .notFound, "portal ticket \(number)")
                }
                #expect(Self.outcome(try await guesser.get(PortalPaths.attachment(UUID()))) == .notFound)
                if let note = fixture.noteAttachment {
                    for who in [Who.requester, .teammate] {
                        #expect(Self.outcome(try await #require(browsers[who]).get(PortalPaths.attachment(note))) == .notFound,
                                "a note's attachment is never a customer's")
                    }
                }

                // Lists and search never show the other organization's ticket.
                let otherPortal = try await guesser.get("/portal")
                #expect(!otherPortal.text.contains("Export crashes"))
                let requesterPortal = try await #require(browsers[.requester]).get("/portal")
                #expect(requesterPortal.text.contains("Export crashes") && !requesterPortal.text.contains("Licence question"))
                let search = try await #require(browsers[.agent]).get("/desk/search?q=export")
                #expect(search.text.contains("Export crashes"))

                // The JSON API answers customers' tokens with 404 and strangers with 401.
                let customerToken = try await APITokens.create(for: try #require(try await Person.find(fixture.people[.requester], on: app.db)), name: "t", on: app.db)
                for path in ["/api/v1/tickets", "/api/v1/tickets/\(fixture.ticketA)", "/api/v1/search?q=export",
                             "/api/v1/attachments/\(fixture.attachmentA)", "/api/v1/messages/\(fixture.messageA)/raw"] {
                    try await app.testing().test(.GET, path, headers: ["Authorization": "Bearer \(customerToken)"]) { response in
                        #expect(response.status == .notFound, "\(path) with a customer's token")
                    }
                    try await app.testing().test(.GET, path) { response in
                        #expect(response.status == .unauthorized, "\(path) without a token")
                    }
                }
            }
        }

        static func outcome(_ response: TestingHTTPResponse) -> Outcome {
            switch response.status {
            case .ok: return .ok
            case .notFound: return .notFound
            case .seeOther, .found, .temporaryRedirect:
                return response.location?.hasPrefix("/sign-in") == true ? .signIn : .redirect
            default: return .redirect
            }
        }

        /// Organization A (sharing: the requester and a teammate), organization B (another
        /// customer), an agent and an admin; ticket A with an attachment and a note with one.
        static func fixture(_ app: Application) async throws -> Fixture {
            var fixture = Fixture()
            let acme = Organization(name: "Acme", isPersonal: false)
            try await acme.create(on: app.db)
            try await PeopleController.claim("acme.example", for: acme, on: app.db)
            fixture.organizationA = try acme.requireID()
            let outcome = try await app.ingest(rawMail(
                "From: Alice <alice@acme.example>", "To: support@fairdesk.test", "Subject: Export crashes",
                "Message-ID: <a1@acme.example>", "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=b", "",
                "--b", "Content-Type: text/plain", "", "The export crashes.",
                "--b", "Content-Type: application/octet-stream; name=crash.dmp", "Content-Transfer-Encoding: base64", "",
                "TURNUJOnAAA=", "--b--"))
            fixture.ticketA = try #require(outcome.ticketNumber)
            _ = try await app.ingest(rawMail("From: Carol <carol@acme.example>", "To: support@fairdesk.test", "Subject: Hello",
                                             "Message-ID: <c1@acme.example>", "", "Hi"))
            let other = try await app.ingest(rawMail("From: Bob <bob@other.example>", "To: support@fairdesk.test",
                                                     "Subject: Licence question", "Message-ID: <b1@other.example>", "", "Seats?"))
            fixture.ticketB = try #require(other.ticketNumber)
            _ = try await app.ingest(rawMail("To: support@fairdesk.test", "Subject: no sender", "", "?"))
            fixture.inboundAttention = try #require(try await InboundMail.query(on: app.db).filter(\.$status == .needsAttention).first()?.requireID())

            let directory = PeopleDirectory(database: app.db)
            fixture.people[.requester] = try #require(try await directory.person(forAddress: "alice@acme.example")?.requireID())
            fixture.people[.teammate] = try #require(try await directory.person(forAddress: "carol@acme.example")?.requireID())
            let bob = try #require(try await directory.person(forAddress: "bob@other.example"))
            fixture.people[.otherCustomer] = try bob.requireID()
            fixture.organizationB = try #require(bob.$organization.id)
            _ = try await Accounts.createStaff(app, email: "agent@fairdesk.test", name: "Agent", role: "agent", password: "correct horse battery")
            _ = try await Accounts.createStaff(app, email: "admin@fairdesk.test", name: "Admin", role: "admin", password: "correct horse battery")
            fixture.people[.agent] = try #require(try await directory.person(forAddress: "agent@fairdesk.test")?.requireID())
            fixture.people[.admin] = try #require(try await directory.person(forAddress: "admin@fairdesk.test")?.requireID())

            let ticket = try await app.ticket(fixture.ticketA)
            let message = try #require(try await TicketMessage.query(on: app.db).filter(\.$ticket.$id == ticket.requireID())
                .filter(\.$kind == .inbound).with(\.$attachments).first())
            fixture.messageA = try message.requireID()
            fixture.attachmentA = try #require(message.attachments.first).requireID()
            return fixture
        }
    }
}
