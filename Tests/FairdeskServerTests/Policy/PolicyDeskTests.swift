import FairdeskMail
import FairdeskPolicy
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import FairdeskServer

extension ServerSuite {
    /// The support policy on the desk's and the portal's pages (forms, named errors).
    @Suite struct PolicyDeskTests {
        typealias Mail = SupportPolicyTests

        func agent(_ app: Application) async throws -> UUID {
            try await ListPagesTests.staff(app, role: "agent")
        }

        @Test func theReplyFormAsksForAReasonWhenAnOlderTicketWaits() async throws {
            try await withTestApp { app in
                let agent = try await agent(app)
                _ = try await app.ingest(Mail.mail(from: "ann@one.example", subject: "Older", body: "One.", id: "w1@one.example"))
                _ = try await app.ingest(Mail.mail(from: "bob@two.example", subject: "Newer", body: "Two.", id: "w2@two.example"))
                let browser = try await WebBrowser.signedIn(app, as: agent)
                let page = try await browser.get("/desk/tickets/2")
                #expect(page.text.contains("Out of order: #1 has waited longer"))
                #expect(page.text.contains("name=\"ooo_reason\""))
                #expect(!(try await browser.get("/desk/tickets/1")).text.contains("name=\"ooo_reason\""), "the head needs no reason")

                let refused = try await browser.postMultipart("/desk/tickets/2/reply", ["body": "Quick answer here."], files: [])
                #expect(refused.status == .unprocessableEntity)
                #expect(refused.text.contains("#1 has waited longer and nobody else holds it"))
                #expect(refused.text.contains("Quick answer here."), "what was typed is kept")
                #expect(try await app.ticket(2).status == .waitingOnSupport)

                let other = try await browser.postMultipart("/desk/tickets/2/reply", ["body": "Quick.", "ooo_reason": "other"], files: [])
                #expect(other.status == .unprocessableEntity, "other needs words")
                let sent = try await browser.postMultipart("/desk/tickets/2/reply",
                                                           ["body": "Quick.", "ooo_reason": "same_customer"], files: [])
                #expect(sent.status == .seeOther)
                #expect(try await app.ticket(2).status == .waitingOnCustomer)
                let ticket = try await browser.get("/desk/tickets/2")
                #expect(ticket.text.contains("answered out of order"))
            }
        }

        @Test func theInformationRequestPageShowsWhatIsAlreadyThere() async throws {
            try await withTestApp { app in
                let agent = try await agent(app)
                _ = try await app.ingest(Mail.mail(from: "ann@one.example", subject: "Crash",
                                                   body: "It crashes. Windows 10 22H2, timezone Europe/Berlin.", id: "f1@one.example"))
                let browser = try await WebBrowser.signedIn(app, as: agent)
                let page = try await browser.get("/desk/tickets/1/info-request")
                #expect(page.status == .ok)
                #expect(page.text.contains("Already provided"))
                #expect(page.text.contains("Europe/Berlin"))
                let none = try await browser.post("/desk/tickets/1/info-request", ["note": "Hi"])
                #expect(none.status == .unprocessableEntity)
                #expect(none.text.contains("Tick at least one item."))
                let already = try await browser.post("/desk/tickets/1/info-request", ["items[]": "timezone"])
                #expect(already.status == .unprocessableEntity)
                #expect(already.text.contains("already has everything you ticked"))
                let sent = try await browser.post("/desk/tickets/1/info-request", ["items[]": "minidump"])
                #expect(sent.status == .seeOther)
                let ticket = try await browser.get("/desk/tickets/1")
                #expect(ticket.text.contains("class=\"check asked\""))

                // The customer uploads against the item in the portal; it is ticked.
                let ann = try #require(try await PeopleDirectory(database: app.db).person(forAddress: "ann@one.example"))
                let portal = try await WebBrowser.signedIn(app, as: try ann.requireID())
                let view = try await portal.get("/portal/tickets/1")
                #expect(view.text.contains("Information we asked for"))
                let badItem = try await portal.postMultipart("/portal/tickets/1/provide", ["item": "os", "body": "x"], files: [])
                #expect(badItem.status == .unprocessableEntity)
                let uploaded = try await portal.postMultipart("/portal/tickets/1/provide", ["item": "minidump", "body": ""],
                                                              files: [(name: "files[]", filename: "crash.dmp", type: "application/octet-stream",
                                                                       bytes: Mail.minidump)])
                #expect(uploaded.status == .seeOther)
                let checklist = try await InfoRequests(services: app.fairdesk, database: app.db).checklist(ticketID: app.ticket(1).requireID())
                #expect(checklist.entries.map(\.status) == [.provided])
                #expect(checklist.entries.first?.item.evidence?.contains("crash.dmp") == true)
                #expect(try await app.ticket(1).status == .waitingOnSupport, "the customer's upload puts it back in line")
            }
        }

        @Test func schedulingAnEscalationNamesTheMissingReason() async throws {
            try await withTestApp { app in
                let agent = try await agent(app)
                _ = try await app.ingest(Mail.mail(from: "ann@one.example", subject: "Proxy", body: "Hello.", id: "s1@one.example"))
                let browser = try await WebBrowser.signedIn(app, as: agent)
                let fields = ["channel": "remote_access", "scheduledFor": "2026-11-25T15:00", "customerTimezone": "Europe/Berlin"]
                let refused = try await browser.post("/desk/tickets/1/sessions/schedule", fields)
                #expect(refused.status == .unprocessableEntity)
                #expect(refused.text.contains("record why email is not working"))
                let badZone = try await browser.post("/desk/tickets/1/sessions/schedule", fields.merging(["customerTimezone": "Mars/Base"]) { $1 })
                #expect(badZone.status == .unprocessableEntity)
                #expect(badZone.text.contains("time zone name"))
                let done = try await browser.post("/desk/tickets/1/sessions/schedule", fields.merging(["reason": "Mails could not show the proxy dialog."]) { $1 })
                #expect(done.status == .seeOther)
                let session = try #require(try await TicketSessions.list(ticketID: app.ticket(1).requireID(), on: app.db).first)
                // 15:00 in Berlin in November is 14:00 UTC.
                #expect(Format.date(try #require(session.scheduledFor)) == "2026-11-25 14:00 UTC")
                #expect(try await browser.get("/desk/tickets/1").text.contains("Escalated because: Mails could not show the proxy dialog."))
            }
        }

        @Test func nextOnTheDeskSkipsTicketsHeldByColleaguesAndInvestigations() async throws {
            try await withTestApp { app in
                let ann = try await ListPagesTests.staff(app, role: "agent", email: "ann@fairdesk.test")
                let bob = try await ListPagesTests.staff(app, role: "agent", email: "bob@fairdesk.test")
                for index in 1...3 {
                    _ = try await app.ingest(Mail.mail(from: "c\(index)@c.example", subject: "Q\(index)", body: "Hi.", id: "x\(index)@c.example"))
                }
                let annBrowser = try await WebBrowser.signedIn(app, as: ann)
                let bobBrowser = try await WebBrowser.signedIn(app, as: bob)
                #expect(try await annBrowser.post("/desk/next").location == "/desk/tickets/1")
                #expect(try await bobBrowser.post("/desk/next").location == "/desk/tickets/2")
                let investigate = try await bobBrowser.post("/desk/tickets/2/investigation", ["stage": "investigate", "note": "Looks like a race."])
                #expect(investigate.status == .seeOther)
                #expect(try await bobBrowser.post("/desk/next").location == "/desk/tickets/3")
                let held = try await annBrowser.get("/desk/tickets/3")
                #expect(held.text.contains("Held by"))
                #expect(held.text.contains("action=\"/desk/next\""), "Next is on the ticket page too (key n)")
            }
        }
    }
}
