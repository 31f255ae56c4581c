import FairdeskMail
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import FairdeskServer

extension ServerSuite {
    /// The lists: the desk's queue and views, the portal, people and organizations, mail
    /// that needs attention, staff accounts, API tokens.
    @Suite struct ListPagesTests {
        // MARK: The queue

        @Test func theQueueListsWaitingTicketsOldestFirstWithTheirCount() async throws {
            try await withTestApp { app in
                for index in 1...3 { _ = try await app.ingest(Self.mail(from: "c\(index)@c\(index).example", subject: "Question \(index)")) }
                try await Queries.setStatus(try await app.ticket(2), to: .waitingOnCustomer, actor: nil, reason: nil, on: app.db, now: Date())
                let agent = try await Self.staff(app, role: "agent")
                try await Queries.assign(try await app.ticket(3), to: try #require(try await Person.find(agent, on: app.db)),
                                         actor: agent, reason: nil, on: app.db)
                let browser = try await WebBrowser.signedIn(app, as: agent)

                let queue = try await browser.get("/desk")
                #expect(queue.status == .ok)
                #expect(Self.numbers(queue.text) == [1, 3], "waiting on support, oldest first")
                #expect(queue.text.contains("<strong>2</strong> tickets waiting on support"))
                // "n" is the Next button (it takes the oldest ticket nobody holds), not a row.
                #expect(queue.text.contains("action=\"/desk/next\" method=\"post\""))
                #expect(queue.text.components(separatedBy: "data-key=\"n\"").count == 2, "one Next button")
                let next = try await browser.post("/desk/next")
                #expect(next.status == .seeOther)
                #expect(next.location == "/desk/tickets/1", "Next takes the oldest")
                #expect(queue.text.components(separatedBy: "data-row").count == 3)
                #expect(queue.text.contains("class=\"flag\"") == false)

                #expect(Self.numbers(try await browser.get("/desk?view=waiting-on-customer").text) == [2])
                #expect(Self.numbers(try await browser.get("/desk?view=open").text) == [3, 2, 1], "newest first")
                #expect(Self.numbers(try await browser.get("/desk?view=open&status=waiting_on_customer").text) == [2])
                #expect(Self.numbers(try await browser.get("/desk?view=mine").text) == [3])
                let resolved = try await browser.get("/desk?view=resolved")
                #expect(Self.numbers(resolved.text).isEmpty)
                #expect(resolved.text.contains("No ticket has been resolved yet."))
                // The count stays the queue's whatever the view.
                #expect(resolved.text.contains("<strong>2</strong> tickets waiting on support"))

                #expect(try await browser.get("/desk?view=everything").status == .badRequest)
                #expect(try await browser.get("/desk?view=open&status=resolved").status == .badRequest)
                #expect(try await browser.get("/desk?after=garbage").status == .badRequest)
            }
        }

        @Test func theQueueFiltersByOrganizationAndFlagsUrgency() async throws {
            try await withTestApp { app in
                let acme = try await Self.organization(app, "Acme", domain: "acme.example")
                _ = try await app.ingest(Self.mail(from: "alice@acme.example", subject: "Alpha"))
                _ = try await app.ingest(Self.mail(from: "carol@globex.example", subject: "Gamma"))
                _ = try await app.ingest(rawMail("From: bob@acme.example", "To: support@fairdesk.test", "Subject: URGENT please",
                                                 "X-Priority: 1", "Message-ID: <u1@acme.example>", "", "Now!"))
                let browser = try await WebBrowser.signedIn(app, as: try await Self.staff(app, role: "agent"))

                let filtered = try await browser.get("/desk?organization=\(acme)")
                #expect(Self.numbers(filtered.text) == [1, 3])
                #expect(filtered.text.contains("<strong>2</strong> tickets waiting on support from Acme"))
                #expect(filtered.text.components(separatedBy: "data-key=\"n\"").count == 2, "Next ignores filters: one queue")
                #expect(filtered.text.contains("<span class=\"flag\">claims urgency</span>"))
                #expect(try await browser.get("/desk?organization=not-an-id").status == .badRequest)
            }
        }

        @Test func pagingVisitsEveryTicketOnceAcrossPages() async throws {
            try await withTestApp { app in
                for index in 1...7 { _ = try await app.ingest(Self.mail(from: "p\(index)@p.example", subject: "Paged \(index)")) }
                let browser = try await WebBrowser.signedIn(app, as: try await Self.staff(app, role: "agent"))
                for (start, expected) in [("/desk?limit=2", Array(1...7)), ("/desk?view=open&limit=3", Array((1...7).reversed()))] {
                    var seen: [Int] = []
                    var path: String? = start
                    var pages = 0
                    while let next = path, pages < 10 {
                        let page = try await browser.get(next)
                        #expect(page.status == .ok)
                        seen += Self.numbers(page.text)
                        if pages > 0 { #expect(page.text.contains(">First page</a>")) }
                        path = Self.nextLink(page.text)
                        pages += 1
                    }
                    #expect(seen == expected, "\(start): every ticket once, in order")
                }
                // Only the first page's first row is "the next ticket".
                let second = try await browser.get(try #require(Self.nextLink(try await browser.get("/desk?limit=2").text)))
                #expect(second.text.components(separatedBy: "data-key=\"n\"").count == 2)
            }
        }

        /// The waiting count is answered by the `tickets_queue` index alone (SQLite's plan;
        /// PostgreSQL's planner rightly scans a table this small).
        @Test func theWaitingCountUsesTheQueueIndex() async throws {
            try await withTestApp { app in
                let sql = try #require(app.db as? any SQLDatabase)
                guard sql.dialect.name == "sqlite" else { return }
                _ = try await app.ingest(Self.mail(from: "c@c.example", subject: "Count me"))
                #expect(try await ListQueries.waitingCount(scope: .everything, organization: nil, on: app.db) == 1)
                struct Explain: SQLExpression {
                    var query: SQLSelect
                    func serialize(to serializer: inout SQLSerializer) {
                        serializer.write("EXPLAIN QUERY PLAN ")
                        query.serialize(to: &serializer)
                    }
                }
                let query = ListQueries.waitingCountQuery(scope: .everything, organization: nil, on: sql).select
                let details = try await sql.raw("\(Explain(query: query))").all().map { try $0.decode(column: "detail", as: String.self) }
                // Either index that starts with the status answers it without reading a row.
                #expect(details.contains { $0.contains("COVERING INDEX tickets_queue") || $0.contains("COVERING INDEX tickets_status_number") },
                        "\(details)")
            }
        }

        // MARK: Who sees what

        @Test func deskPagesAreForStaffAndVisitorsSignIn() async throws {
            try await withTestApp { app in
                _ = try await app.ingest(Self.mail(from: "jane@customer.example", subject: "Mine"))
                let jane = try await Self.person(app, "jane@customer.example")
                let organization = try #require(try await Person.find(jane, on: app.db)?.$organization.id)
                let customer = try await WebBrowser.signedIn(app, as: jane)
                for path in ["/desk", "/desk?view=open", "/desk/attention", "/desk/people/\(jane)", "/desk/organizations/\(organization)",
                             "/desk/staff", "/account/tokens"] {
                    #expect(try await customer.get(path).status == .notFound, "\(path)")
                }
                #expect(try await customer.post("/account/tokens", ["name": "sneaky"]).status == .notFound)
                #expect(try await customer.post("/desk/organizations/\(organization)/settings", ["name": "Mine now"]).status == .notFound)

                let visitor = WebBrowser(app)
                for path in ["/desk", "/portal", "/portal/new", "/desk/people/\(jane)", "/account/tokens"] {
                    let response = try await visitor.get(path)
                    #expect(response.status == .seeOther, "\(path)")
                    #expect(response.location == "/sign-in", "\(path)")
                }

                // Staff have a desk, not a portal.
                let agent = try await WebBrowser.signedIn(app, as: try await Self.staff(app, role: "agent"))
                #expect(try await agent.get("/portal").location == DeskPaths.queue(view: .waiting))
            }
        }

        @Test func aCustomerSeesTheirOwnAndTheirSharingTeamsTicketsOnly() async throws {
            try await withTestApp { app in
                let acme = try await Self.organization(app, "Acme", domain: "acme.example")
                _ = try await app.ingest(Self.mail(from: "alice@acme.example", subject: "Alice asks"))
                _ = try await app.ingest(Self.mail(from: "bob@acme.example", subject: "Bob asks"))
                _ = try await app.ingest(Self.mail(from: "carol@globex.example", subject: "Carol asks"))
                try await Queries.setStatus(try await app.ticket(2), to: .waitingOnCustomer, actor: nil, reason: nil, on: app.db, now: Date())
                let alice = try await WebBrowser.signedIn(app, as: try await Self.person(app, "alice@acme.example"))
                let carol = try await WebBrowser.signedIn(app, as: try await Self.person(app, "carol@globex.example"))

                let home = try await alice.get("/portal")
                #expect(home.status == .ok)
                #expect(Self.numbers(home.text, under: "/portal/tickets/") == [2, 1])
                #expect(home.text.contains("we are on it") && home.text.contains("waiting for you"))
                #expect(home.text.contains("Acme shares tickets among its team"))
                #expect(!home.text.contains("Carol asks"))
                #expect(Self.numbers(try await carol.get("/portal").text, under: "/portal/tickets/") == [3])

                // An admin turns sharing off: Alice sees her own ticket only, at once.
                let admin = try await WebBrowser.signedIn(app, as: try await Self.staff(app, role: "admin", email: "admin@fairdesk.test"))
                let off = try await admin.post("/desk/organizations/\(acme)/settings", ["name": "Acme"])
                #expect(off.status == .seeOther)
                #expect(try await Organization.find(acme, on: app.db)?.sharesTickets == false)
                let after = try await alice.get("/portal")
                #expect(Self.numbers(after.text, under: "/portal/tickets/") == [1])
                #expect(after.text.contains("does not share tickets"))
                #expect(try await Self.audits(app, "organization.updated").first?.contains("shares tickets: on → off") == true)
            }
        }

        // MARK: A new ticket from the portal

        @Test func aPortalTicketEntersTheQueueLikeMail() async throws {
            try await withTestApp { app in
                _ = try await app.ingest(Self.mail(from: "first@else.example", subject: "Earlier"))
                _ = try await app.ingest(Self.mail(from: "jane@customer.example", subject: "Jane's first"))
                let jane = try await WebBrowser.signedIn(app, as: try await Self.person(app, "jane@customer.example"))
                #expect(try await jane.get("/portal/new").text.contains("enctype=\"multipart/form-data\""))

                let sent = try await jane.postMultipart("/portal/new", ["subject": "Printer on fire", "message": "Smoke everywhere.\nHelp."],
                                                        files: [(name: "attachments[]", filename: "../logs/printer.log", type: "text/plain",
                                                                 bytes: Array("paper jam\n".utf8))])
                #expect(sent.status == .seeOther)
                #expect(sent.location == PortalPaths.ticket(3))

                let ticket = try await app.ticket(3)
                #expect(ticket.subject == "Printer on fire")
                #expect(ticket.$requester.id == (try await Self.person(app, "jane@customer.example")))
                let inbound = try #require(try await InboundMail.query(on: app.db).sort(\.$createdAt, .descending).first())
                #expect(inbound.channel == "portal")
                let attachment = try #require(try await TicketAttachment.query(on: app.db).filter(\.$ticket.$id == ticket.requireID()).first())
                #expect(attachment.filename == "printer.log")
                let bytes = try await app.fairdesk.blobs.get(BlobReference(name: attachment.blob, size: attachment.size), owner: ticket.$organization.id)
                #expect(bytes == Array("paper jam\n".utf8))

                let agent = try await WebBrowser.signedIn(app, as: try await Self.staff(app, role: "agent"))
                #expect(Self.numbers(try await agent.get("/desk").text) == [1, 2, 3], "at the end of the queue")
            }
        }

        @Test func aPortalTicketNeedsASubjectAMessageAndTheFormsValue() async throws {
            try await withTestApp(adjust: { $0.maxUploadBytes = 4096 }) { app in
                _ = try await app.ingest(Self.mail(from: "jane@customer.example", subject: "Jane's first"))
                let jane = try await WebBrowser.signedIn(app, as: try await Self.person(app, "jane@customer.example"))
                let before = try await Ticket.query(on: app.db).count()

                let empty = try await jane.postMultipart("/portal/new", ["subject": "  ", "message": "Something"], files: [])
                #expect(empty.status == .unprocessableEntity)
                #expect(empty.text.contains("Say in a few words what it is about."))
                #expect(empty.text.contains(">Something</textarea>"), "what was typed is kept")
                let noMessage = try await jane.post("/portal/new", ["subject": "A subject", "message": ""])
                #expect(noMessage.status == .unprocessableEntity)
                #expect(noMessage.text.contains("aria-invalid=\"true\""))

                let forged = try await jane.postMultipart("/portal/new", ["subject": "Forged", "message": "From elsewhere"], files: [], csrf: false)
                #expect(forged.status == .forbidden)

                let big = try await jane.postMultipart("/portal/new", ["subject": "Big", "message": "Large file"],
                                                       files: [(name: "attachments[]", filename: "big.bin", type: "application/octet-stream",
                                                                bytes: Array(repeating: 7, count: 5000))])
                #expect(big.status == .payloadTooLarge)
                #expect(big.text.contains("the limit is \(FormParts.bytes(4096)) in all"))
                #expect(try await Ticket.query(on: app.db).count() == before, "nothing was saved")
            }
        }

        // MARK: People and organizations

        @Test func peopleAndOrganizationPagesListTheirTickets() async throws {
            try await withTestApp { app in
                let acme = try await Self.organization(app, "Acme", domain: "acme.example")
                _ = try await app.ingest(Self.mail(from: "Alice Able <alice@acme.example>", subject: "Alice asks"))
                _ = try await app.ingest(Self.mail(from: "bob@acme.example", subject: "Bob asks"))
                let alice = try await Self.person(app, "alice@acme.example")
                let agent = try await WebBrowser.signedIn(app, as: try await Self.staff(app, role: "agent"))

                let person = try await agent.get("/desk/people/\(alice)")
                #expect(person.status == .ok)
                #expect(person.text.contains("<h1>Alice Able"))
                #expect(person.text.contains("alice@acme.example"))
                #expect(person.text.contains(DeskPaths.organization(acme)))
                #expect(Self.numbers(person.text) == [1])
                #expect(!person.text.contains("Disable this account"), "agents do not edit")

                let organization = try await agent.get("/desk/organizations/\(acme)")
                #expect(organization.status == .ok)
                #expect(organization.text.contains("acme.example"))
                #expect(organization.text.contains("Alice Able") && organization.text.contains("bob@acme.example"))
                #expect(Self.numbers(organization.text) == [2, 1])
                #expect(!organization.text.contains("Claim a domain"))
                #expect(try await agent.get("/desk/people/\(UUID())").status == .notFound)
                #expect(try await agent.get("/desk/organizations/not-an-id").status == .notFound)
            }
        }

        @Test func adminEditsAreValidatedAuditedAndAdminOnly() async throws {
            try await withTestApp { app in
                let acme = try await Self.organization(app, "Acme", domain: "acme.example")
                let globex = try await Self.organization(app, "Globex", domain: "globex.example")
                _ = try await app.ingest(Self.mail(from: "alice@acme.example", subject: "Alice asks"))
                let alice = try await Self.person(app, "alice@acme.example")
                let admin = try await WebBrowser.signedIn(app, as: try await Self.staff(app, role: "admin", email: "admin@fairdesk.test"))
                let agent = try await WebBrowser.signedIn(app, as: try await Self.staff(app, role: "agent"))

                // Non-admin staff: every admin page and change is "not found".
                #expect(try await agent.get("/desk/attention").status == .notFound)
                #expect(try await agent.get("/desk/staff").status == .notFound)
                #expect(try await agent.post("/desk/organizations/\(acme)/domains", ["domain": "acme.test"]).status == .notFound)
                #expect(try await agent.post("/desk/people/\(alice)/settings", ["name": "Hacked"]).status == .notFound)
                #expect(try await agent.post("/desk/people/\(alice)/disabled", ["disabled": "true"]).status == .notFound)

                let bad = try await admin.post("/desk/organizations/\(acme)/domains", ["domain": "not a domain"])
                #expect(bad.status == .unprocessableEntity)
                #expect(bad.text.contains("is not a domain name like example.com"))
                #expect(bad.text.contains("value=\"not a domain\""))
                let taken = try await admin.post("/desk/organizations/\(acme)/domains", ["domain": "GLOBEX.example"])
                #expect(taken.status == .unprocessableEntity)
                #expect(taken.text.contains("globex.example is already claimed by Globex"))
                #expect(try await OrganizationDomain.query(on: app.db).filter(\.$organization.$id == acme).count() == 1, "nothing saved")

                #expect(try await admin.post("/desk/organizations/\(acme)/domains", ["domain": " Acme.Test "]).status == .seeOther)
                let claimed = try #require(try await OrganizationDomain.query(on: app.db).filter(\.$domain == "acme.test").first())
                #expect(try await Self.audits(app, "organization.domain.added") == ["acme.test"])
                #expect(try await admin.post(DeskPaths.organizationDomainRemove(acme, domain: claimed.requireID())).status == .seeOther)
                #expect(try await OrganizationDomain.query(on: app.db).filter(\.$domain == "acme.test").first() == nil)
                #expect(try await admin.post(DeskPaths.organizationDomainRemove(globex, domain: UUID())).status == .notFound)

                let unnamed = try await admin.post("/desk/organizations/\(acme)/settings", ["name": " ", "shares_tickets": "on"])
                #expect(unnamed.status == .unprocessableEntity)
                #expect(unnamed.text.contains("An organization needs a name."))
                #expect(try await Organization.find(acme, on: app.db)?.name == "Acme")

                // A person renamed and moved to another organization; both audited.
                let moved = try await admin.post("/desk/people/\(alice)/settings", ["name": "Alice Able", "organization": globex.uuidString])
                #expect(moved.status == .seeOther)
                let person = try #require(try await Person.find(alice, on: app.db))
                #expect(person.name == "Alice Able" && person.$organization.id == globex)
                #expect(try await Self.audits(app, "person.updated").first?.contains("organization:") == true)
                let nowhere = try await admin.post("/desk/people/\(alice)/settings", ["name": "Alice", "organization": UUID().uuidString])
                #expect(nowhere.status == .unprocessableEntity)
                #expect(nowhere.text.contains("Choose one of the listed organizations."))
                #expect(try await Person.find(alice, on: app.db)?.name == "Alice Able", "nothing saved")

                // Disabling ends the person's sessions.
                let aliceBrowser = try await WebBrowser.signedIn(app, as: alice)
                #expect(try await aliceBrowser.get("/portal").status == .ok)
                #expect(try await admin.post("/desk/people/\(alice)/disabled", ["disabled": "true"]).status == .seeOther)
                #expect(try await aliceBrowser.get("/portal").location == "/sign-in")
                #expect(try await Self.audits(app, "person.disabled").count == 1)
            }
        }

        // MARK: Admin pages

        @Test func mailThatNeedsAttentionIsListedDownloadedAndReprocessed() async throws {
            try await withTestApp { app in
                let outcome = try await app.ingest(rawMail("From: support@fairdesk.test", "To: support@fairdesk.test",
                                                           "Subject: Loop?", "Message-ID: <loop@fairdesk.test>", "", "Echo"))
                guard case .needsAttention(let id, _) = outcome else { Issue.record("expected attention: \(outcome)"); return }
                let adminID = try await Self.staff(app, role: "admin", email: "admin@fairdesk.test")
                let admin = try await WebBrowser.signedIn(app, as: adminID)

                let page = try await admin.get("/desk/attention")
                #expect(page.status == .ok)
                #expect(page.text.contains("sent from our own support address"))
                #expect(page.text.contains(DeskPaths.attentionReprocess(id)))

                let raw = try await admin.get(DeskPaths.attentionRaw(id))
                #expect(raw.status == .ok)
                #expect(raw.headers.contentType?.subType == "rfc822")
                #expect(raw.text.contains("Subject: Loop?"))
                #expect(try await Self.audits(app, "inbound.raw.viewed") == ["via desk"])

                let again = try await admin.post(DeskPaths.attentionReprocess(id))
                #expect(again.status == .seeOther)
                #expect(again.location == DeskPaths.attention.link() + "?still=1", "the cause is not fixed")
                #expect(try await admin.post(DeskPaths.attentionReprocess(UUID())).status == .notFound)
            }
        }

        @Test func adminsAddStaffWhoChooseTheirOwnPassword() async throws {
            try await withTestApp { app in
                _ = try await app.ingest(Self.mail(from: "jane@customer.example", subject: "Hi"))
                let admin = try await WebBrowser.signedIn(app, as: try await Self.staff(app, role: "admin", email: "admin@fairdesk.test"))

                let invalid = try await admin.post("/desk/staff", ["email": "nobody", "name": "", "role": "customer"])
                #expect(invalid.status == .unprocessableEntity)
                #expect(invalid.text.contains("Enter an email address") && invalid.text.contains("Choose agent or admin."))
                let customer = try await admin.post("/desk/staff", ["email": "jane@customer.example", "name": "Jane", "role": "agent"])
                #expect(customer.status == .unprocessableEntity)
                #expect(customer.text.contains("belongs to a customer"))

                let created = try await admin.post("/desk/staff", ["email": "new@fairdesk.test", "name": "New Agent", "role": "agent"])
                #expect(created.status == .seeOther)
                let list = try await admin.get(try #require(created.location))
                #expect(list.text.contains("new@fairdesk.test was added as agent"))
                #expect(list.text.contains("invited (no password yet)"))
                let person = try #require(try await PeopleDirectory(database: app.db).person(forAddress: "new@fairdesk.test"))
                #expect(person.role == .agent && person.passwordHash == nil)
                #expect(try await Self.audits(app, "staff.created") == ["agent new@fairdesk.test"])

                // The mailed link sets their password; the admin never saw one.
                let link = try await ServerSuite.AccountTests.mailedLink(app, to: "new@fairdesk.test", prefix: "/password/reset/")
                let newcomer = WebBrowser(app)
                #expect(try await newcomer.post(link, ["password": "my own fine secret", "confirm": "my own fine secret"]).status == .seeOther)
                #expect(try await newcomer.get("/desk").status == .ok)

                #expect(try await admin.post("/desk/people/\(person.requireID())/disabled", ["disabled": "true"]).location == "/desk/staff")
                #expect(try await WebBrowser(app).post("/sign-in", ["email": "new@fairdesk.test", "password": "my own fine secret"]).status == .unauthorized)
            }
        }

        @Test func tokensAreShownOnceWorkAndCanBeRevoked() async throws {
            try await withTestApp { app in
                _ = try await app.ingest(Self.mail(from: "jane@customer.example", subject: "Hi"))
                let agentID = try await Self.staff(app, role: "agent")
                let agent = try await WebBrowser.signedIn(app, as: agentID)
                #expect(try await agent.get("/account/tokens").text.contains("You have no API tokens."))
                #expect(try await agent.post("/account/tokens", ["name": ""]).status == .unprocessableEntity)

                let created = try await agent.post("/account/tokens", ["name": "CI"])
                #expect(created.status == .ok)
                let secret = try #require(created.text.firstMatch(of: /fd_[0-9a-f]{64}/).map { String($0.output) })
                #expect(try await Self.apiStatus(app, token: secret) == .ok)

                let list = try await agent.get("/account/tokens")
                #expect(list.text.contains("<td>CI</td>"))
                #expect(!list.text.contains(secret), "the secret is shown once")

                let token = try #require(try await APIToken.query(on: app.db).first())
                let other = try await WebBrowser.signedIn(app, as: try await Self.staff(app, role: "agent", email: "other@fairdesk.test"))
                #expect(try await other.post(DeskPaths.tokenRevoke(try token.requireID())).status == .notFound, "not theirs")
                #expect(try await agent.post(DeskPaths.tokenRevoke(try token.requireID())).status == .seeOther)
                #expect(try await Self.apiStatus(app, token: secret) == .unauthorized)
                #expect(try await Self.audits(app, "api-token.revoked") == ["CI"])
            }
        }

        // MARK: Views, without a database

        @Test func ageIsShortAndTheQueueViewEscapesWhatCustomersWrote() {
            let now = Date(timeIntervalSince1970: 1_000_000)
            #expect(Age.short(since: now.addingTimeInterval(-30), now: now) == "now")
            #expect(Age.short(since: now.addingTimeInterval(-5 * 60), now: now) == "5 min")
            #expect(Age.short(since: now.addingTimeInterval(-3 * 3600 - 59), now: now) == "3 h")
            #expect(Age.short(since: now.addingTimeInterval(-2 * 86400 - 7200), now: now) == "2 d")

            let row = TicketRow(number: 7, subject: "<script>alert(1)</script>", status: .waitingOnSupport, requesterID: UUID(),
                                requester: "Eve \"quotes\"", organizationID: UUID(), organization: "<b>Org</b>",
                                since: now.addingTimeInterval(-7200), assignee: nil, flags: ["urgency-claimed"])
            let html = QueuePages.queue(.init(filter: QueueFilter(), rows: [row], waitingCount: 1, organizationName: nil,
                                              after: nil, next: "123_7", now: now), viewer: nil, csrfToken: "t").render()
            #expect(!html.contains("<script>alert") && html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!html.contains("<b>Org</b>"))
            #expect(html.contains(">2 h</time>"))
            #expect(html.contains("<span class=\"flag\">claims urgency</span>"))
            #expect(html.contains("data-key=\"n\""))
            #expect(html.contains("after=123_7"))

            let later = QueuePages.queue(.init(filter: QueueFilter(), rows: [row], waitingCount: 1, organizationName: nil,
                                               after: "100_1", next: nil, now: now), viewer: nil, csrfToken: "t").render()
            #expect(later.components(separatedBy: "data-key=\"n\"").count == 2, "Next is on every page")
            #expect(later.contains(">First page</a>") && !later.contains("Next page"))

            #expect(PortalPages.statusWords(.waitingOnSupport) == "we are on it")
            #expect(PortalPages.statusWords(.waitingOnCustomer) == "waiting for you")
            #expect(PortalPages.statusWords(.resolved) == "resolved")
        }

        /// Plot writes attribute values as given: addresses, domains and token names go
        /// through `HTMLEscaping`, and text is shown exactly as written.
        @Test func whatUsersWroteCannotLeaveItsAttributeOrText() {
            let now = Date()
            let person = PeoplePages.PersonPage(
                id: UUID(), name: "Tom &amp; Jerry", role: .customer, disabled: false,
                addresses: ["\"x\"onmouseover=\"alert(1)\"@evil.example"], organization: nil, tickets: [], after: nil, next: nil,
                organizationChoices: [], form: .init(name: "", organization: ""), now: now)
            let html = PeoplePages.person(person, viewer: nil, csrfToken: "t").render()
            #expect(!html.contains("\"onmouseover=\""))
            #expect(html.contains("href=\"mailto:&quot;x&quot;onmouseover=&quot;alert(1)&quot;@evil.example\""))
            #expect(html.contains("<h1>Tom &amp;amp; Jerry"), "shown exactly as written")

            let tokens = TokenPages.tokens(.init(rows: [.init(id: UUID(), name: "ci\" autofocus onfocus=\"x", createdAt: now)], now: now),
                                           viewer: nil, csrfToken: "t").render()
            #expect(!tokens.contains("\" autofocus onfocus=\""))
            #expect(tokens.contains("aria-label=\"Revoke ci&quot; autofocus onfocus=&quot;x\""))
        }

        @Test func queueFiltersParseAndLinkBack() throws {
            let filter = try QueueFilter.parse(view: "open", organization: nil, status: "waiting_on_customer", limit: "500")
            #expect(filter.statuses == [.waitingOnCustomer] && filter.limit == QueueFilter.maxLimit && !filter.queueOrder)
            #expect(filter.link(after: "9") == "/desk?view=open&status=waiting_on_customer&limit=200&after=9")
            #expect(try QueueFilter.parse(view: "mine", organization: "", status: "", limit: nil).statuses == [.waitingOnSupport, .waitingOnCustomer])
            #expect(try QueueFilter.parse(view: nil, organization: nil, status: nil, limit: nil).queueOrder)
            #expect(throws: (any Error).self) { try QueueFilter.parse(view: "waiting", organization: nil, status: "resolved", limit: nil) }
            #expect(throws: (any Error).self) { try QueueFilter.parse(view: nil, organization: nil, status: nil, limit: "0") }
        }

        // MARK: Helpers

        static func mail(from: String, subject: String) -> [UInt8] {
            rawMail("From: \(from)", "To: support@fairdesk.test", "Subject: \(subject)",
                    "Message-ID: <\(UUID().uuidString)@sender.example>", "", "Hello, \(subject).")
        }

        static func person(_ app: Application, _ address: String) async throws -> UUID {
            try #require(try await PeopleDirectory(database: app.db).person(forAddress: address)).requireID()
        }

        static func staff(_ app: Application, role: String, email: String = "agent@fairdesk.test") async throws -> UUID {
            _ = try await Accounts.createStaff(app, email: email, name: "Staff \(role)", role: role, password: "correct horse battery")
            return try await person(app, email)
        }

        static func organization(_ app: Application, _ name: String, domain: String) async throws -> UUID {
            let organization = Organization(name: name, isPersonal: false)
            try await organization.create(on: app.db)
            try await PeopleController.claim(domain, for: organization, on: app.db)
            return try organization.requireID()
        }

        /// Ticket numbers linked from a page, in order.
        static func numbers(_ html: String, under prefix: String = "/desk/tickets/") -> [Int] {
            html.matches(of: /href="([^"]+)"/).compactMap { match -> Int? in
                let href = String(match.output.1)
                guard href.hasPrefix(prefix) else { return nil }
                return Int(href.dropFirst(prefix.count))
            }
        }

        static func nextLink(_ html: String) -> String? {
            html.firstMatch(of: /href="([^"]+)" rel="next"/).map { String($0.output.1).replacingOccurrences(of: "&amp;", with: "&") }
        }

        /// The details of audit events of one kind, newest first.
        static func audits(_ app: Application, _ action: String) async throws -> [String] {
            struct Row: Decodable { var detail: String }
            return try await #require(app.db as? any SQLDatabase).select().column("detail").from("audit_events")
                .where("action", .equal, action).orderBy("created_at", .descending).all(decoding: Row.self).map(\.detail)
        }

        static func apiStatus(_ app: Application, token: String) async throws -> HTTPStatus {
            var headers = HTTPHeaders()
            headers.bearerAuthorization = BearerAuthorization(token: token)
            var status = HTTPStatus.internalServerError
            try await app.testing().test(.GET, "/api/v1/tickets", headers: headers) { response in status = response.status }
            return status
        }
    }
}
