import FairdeskMail
import FairdeskPolicy
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import FairdeskServer

extension ServerSuite {
    /// The support policy wired into mail, the queue and the API (DESIGN.md §1–3).
    @Suite struct SupportPolicyTests {
        static func mail(from: String, subject: String, body: String, id: String, headers: [String] = [],
                         attachment: (name: String, bytes: [UInt8])? = nil, inReplyTo: String? = nil) -> [UInt8] {
            var lines = ["From: \(from)", "To: support@fairdesk.test", "Subject: \(subject)", "Message-ID: <\(id)>",
                         "Date: Sun, 22 Nov 2026 08:00:00 +0000", "MIME-Version: 1.0"] + headers
            if let inReplyTo { lines += ["In-Reply-To: <\(inReplyTo)>", "References: <\(inReplyTo)>"] }
            if let attachment {
                lines += ["Content-Type: multipart/mixed; boundary=b", "", "--b", "Content-Type: text/plain; charset=utf-8", "", body,
                          "--b", "Content-Type: application/octet-stream; name=\(attachment.name)",
                          "Content-Disposition: attachment; filename=\(attachment.name)",
                          "Content-Transfer-Encoding: base64", "", Data(attachment.bytes).base64EncodedString(options: .lineLength76Characters), "--b--"]
            } else {
                lines += ["Content-Type: text/plain; charset=utf-8", "", body]
            }
            return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
        }

        /// A minidump header as Windows writes it: "MDMP", version 0xA793, three streams.
        static let minidump: [UInt8] = {
            var bytes = Array("MDMP".utf8)
            func le32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
            le32(0x0000_A793); le32(3); le32(32); le32(0); le32(1_763_800_000); le32(0); le32(0)
            bytes += [UInt8](repeating: 0, count: 64)
            return bytes
        }()

        func bearer(_ token: String) -> HTTPHeaders {
            var headers = HTTPHeaders()
            headers.bearerAuthorization = BearerAuthorization(token: token)
            return headers
        }

        func next(_ app: Application, _ token: String) async throws -> Int? {
            var number: Int?
            try await app.testing().test(.POST, "/api/v1/queue/next", headers: bearer(token)) { response in
                if response.status == .ok { number = try response.content.decode(TicketSummaryDTO.self).number }
                else { #expect(response.status == .noContent) }
            }
            return number
        }

        func outboxSubjects(_ app: Application) async throws -> [String] {
            var subjects: [String] = []
            for row in try await OutboxMessage.query(on: app.db).sort(\.$createdAt).all() {
                let raw = try await app.fairdesk.blobs.get(BlobReference(name: row.rawBlob, size: row.rawSize), owner: row.ownerID)
                subjects.append(Message.parse(raw).subject ?? "")
            }
            return subjects
        }

        func outboxBody(_ app: Application, subjectContaining needle: String) async throws -> String? {
            for row in try await OutboxMessage.query(on: app.db).sort(\.$createdAt).all() {
                let raw = try await app.fairdesk.blobs.get(BlobReference(name: row.rawBlob, size: row.rawSize), owner: row.ownerID)
                let message = Message.parse(raw)
                if (message.subject ?? "").contains(needle) { return message.fullText }
            }
            return nil
        }

        func events(_ app: Application, _ number: Int, _ kind: String) async throws -> [TicketEvent] {
            try await TicketEvent.query(on: app.db).filter(\.$ticket.$id == app.ticket(number).requireID())
                .filter(\.$kind == kind).sort(\.$createdAt).all()
        }

        @Test func urgencyIsFlaggedExplainedOnceAndNeverMovesTheTicket() async throws {
            try await withTestApp { app in
                let token = try await app.staffToken()
                _ = try await app.ingest(Self.mail(from: "ann@one.example", subject: "Export is slow", body: "Exports take a minute.", id: "a1@one.example"))
                _ = try await app.ingest(Self.mail(from: "bob@two.example", subject: "URGENT: printing broken",
                                                   body: "Please fix this ASAP, we need it immediately!", id: "b1@two.example",
                                                   headers: ["X-Priority: 1 (Highest)"]))
                // A second demand on the same ticket is flagged again but not answered again.
                _ = try await app.ingest(Self.mail(from: "bob@two.example", subject: "Re: URGENT: printing broken [#2]",
                                                   body: "This is urgent, answer now!", id: "b2@two.example", inReplyTo: "b1@two.example"))
                let urgent = try await app.ticket(2)
                #expect(urgent.flagSet.contains("urgency-claimed"))
                #expect(try await app.ticket(1).flagSet.contains("urgency-claimed") == false)
                #expect(try await events(app, 2, "urgency.claimed").count == 2)
                #expect(try await events(app, 2, PolicyResponder.urgencyExplained).count == 1)
                let explanation = try #require(try await outboxBody(app, subjectContaining: PolicyTemplates.urgencyExplanation.subject))
                #expect(explanation.contains("#2"))

                // Arrival order, whatever the urgency.
                #expect(try await next(app, token) == 1)
                try await app.testing().test(.POST, "/api/v1/tickets/1/reply", headers: bearer(token), beforeRequest: { req in
                    try req.content.encode(ReplyRequest(body: "Here is how to speed it up."))
                }, afterResponse: { #expect($0.status == .created) })
                #expect(try await next(app, token) == 2)
            }
        }

        @Test func outOfOrderAnswersNeedAReasonAndAreRecorded() async throws {
            try await withTestApp { app in
                let token = try await app.staffToken()
                _ = try await app.ingest(Self.mail(from: "ann@one.example", subject: "First", body: "One.", id: "o1@one.example"))
                _ = try await app.ingest(Self.mail(from: "bob@two.example", subject: "Second", body: "Two.", id: "o2@two.example"))
                let before = try await OutboxMessage.query(on: app.db).count()
                try await app.testing().test(.POST, "/api/v1/tickets/2/reply", headers: bearer(token), beforeRequest: { req in
                    try req.content.encode(ReplyRequest(body: "Quick one."))
                }, afterResponse: { response in
                    #expect(response.status == .unprocessableEntity)
                    #expect(response.body.string.contains("#1"))
                })
                #expect(try await OutboxMessage.query(on: app.db).count() == before, "a refused answer writes nothing")
                #expect(try await app.ticket(2).status == .waitingOnSupport)

                try await app.testing().test(.POST, "/api/v1/tickets/2/reply", headers: bearer(token), beforeRequest: { req in
                    try req.content.encode(ReplyRequest(body: "Quick one.", outOfOrder: .init(reason: "other", text: "  ")))
                }, afterResponse: { #expect($0.status == .unprocessableEntity, "other needs a text") })
                try await app.testing().test(.POST, "/api/v1/tickets/2/reply", headers: bearer(token), beforeRequest: { req in
                    try req.content.encode(ReplyRequest(body: "Quick one.", outOfOrder: .init(reason: "quick_answer")))
                }, afterResponse: { #expect($0.status == .created) })
                let picked = try await events(app, 2, "queue.out_of_order")
                #expect(picked.count == 1)
                #expect(picked.first?.reason == OutOfOrderReason.quickAnswer.description)
                let sql = try #require(app.db as? any SQLDatabase)
                struct Answer: Decodable { var number: Int; var outOfOrder: Bool }
                let answers = try await sql.select().columns("number", "out_of_order").from("queue_answers")
                    .all(decoding: Answer.self, keyDecodingStrategy: .convertFromSnakeCase)
                #expect(answers.map(\.number) == [2])
                #expect(answers.first?.outOfOrder == true)

                // The head of the queue needs no reason.
                try await app.testing().test(.POST, "/api/v1/tickets/1/reply", headers: bearer(token), beforeRequest: { req in
                    try req.content.encode(ReplyRequest(body: "In order."))
                }, afterResponse: { #expect($0.status == .created) })
                #expect(try await events(app, 1, "queue.out_of_order").isEmpty)
            }
        }

        @Test func nextHoldsATicketPerAgentAndAgreesWithFairQueue() async throws {
            try await withTestApp { app in
                let ann = try await app.staffToken(email: "ann@fairdesk.test")
                let bob = try await app.staffToken(email: "bob@fairdesk.test")
                for index in 1...3 {
                    _ = try await app.ingest(Self.mail(from: "c\(index)@c.example", subject: "Question \(index)", body: "Hello.", id: "n\(index)@c.example"))
                }
                #expect(try await next(app, ann) == 1)
                #expect(try await next(app, ann) == 1, "an agent's own hold is theirs")
                #expect(try await next(app, bob) == 2, "held by another: skipped")
                #expect(try await app.ticket(1).heldBy != nil)
                #expect(try await events(app, 1, "queue.taken").count == 1)

                // The SQL head is FairQueue's choice over the same rows.
                let now = Date()
                let tickets = try await Ticket.query(on: app.db).filter(\.$status == .waitingOnSupport).all()
                let queue = try tickets.map { QueuedTicket(id: try $0.requireID(), number: $0.number, waitingSince: $0.waitingSince!,
                                                            heldBy: $0.heldBy, heldAt: $0.heldAt) }
                let carol = UUID()
                let sqlHead = try await TicketQueue(database: app.db, configuration: app.fairdesk.configuration).head(for: carol, now: now)
                #expect(sqlHead?.number == FairQueue(holdTimeout: 1800).next(in: queue, for: carol, now: now)?.number)
                #expect(sqlHead?.number == 3)
                // An hour later the holds have lapsed: the oldest is free again.
                let later = try await TicketQueue(database: app.db, configuration: app.fairdesk.configuration)
                    .head(for: carol, now: now.addingTimeInterval(3600))
                #expect(later?.number == 1)
            }
        }

        @Test func aCustomerReplyKeepsOrResetsThePlaceInLine() async throws {
            try await withTestApp { app in
                let token = try await app.staffToken()
                _ = try await app.ingest(Self.mail(from: "ann@one.example", subject: "Place", body: "Hi.", id: "p1@one.example"))
                #expect(try await next(app, token) == 1)
                let since = try #require(try await app.ticket(1).waitingSince)
                _ = try await app.ingest(Self.mail(from: "ann@one.example", subject: "Re: Place [#1]", body: "More detail.",
                                                   id: "p2@one.example", inReplyTo: "p1@one.example"))
                let held = try await app.ticket(1)
                #expect(held.waitingSince.map { abs($0.timeIntervalSince(since)) < 0.01 } == true, "waiting already: same place")
                #expect(held.heldBy != nil, "still in the agent's hand")
                try await app.testing().test(.POST, "/api/v1/tickets/1/reply", headers: bearer(token), beforeRequest: { req in
                    try req.content.encode(ReplyRequest(body: "Try this."))
                }, afterResponse: { #expect($0.status == .created) })
                #expect(try await app.ticket(1).heldBy == nil)
                _ = try await app.ingest(Self.mail(from: "ann@one.example", subject: "Re: Place [#1]", body: "Did not help.",
                                                   id: "p3@one.example", inReplyTo: "p1@one.example"))
                let back = try await app.ticket(1)
                #expect(back.status == .waitingOnSupport)
                #expect(try #require(back.waitingSince) > since, "back in line at the time of the reply")
            }
        }

        @Test func investigationsLeaveTheQueueAndShowTheirStage() async throws {
            try await withTestApp { app in
                let token = try await app.staffToken()
                _ = try await app.ingest(Self.mail(from: "ann@one.example", subject: "Deep bug", body: "It leaks memory.", id: "i1@one.example"))
                _ = try await app.ingest(Self.mail(from: "bob@two.example", subject: "Other", body: "Hello.", id: "i2@two.example"))
                try await app.testing().test(.POST, "/api/v1/tickets/1/investigation", headers: bearer(token), beforeRequest: { req in
                    try req.content.encode(["stage": "reproduce", "note": ""])
                }, afterResponse: { #expect($0.status == .unprocessableEntity, "a note is required") })
                try await app.testing().test(.POST, "/api/v1/tickets/1/investigation", headers: bearer(token), beforeRequest: { req in
                    try req.content.encode(["stage": "reproduce", "note": "Needs the customer's build to reproduce."])
                }, afterResponse: { response in
                    #expect(response.status == .ok)
                    let summary = try response.content.decode(TicketSummaryDTO.self)
                    #expect(summary.status == "investigating")
                    #expect(summary.investigationStage == "reproduce")
                })
                #expect(try await next(app, token) == 2, "an investigation is out of the queue")
                try await app.testing().test(.GET, "/api/v1/investigations", headers: bearer(token)) { response in
                    let board = try response.content.decode([PolicyController.InvestigationDTO].self)
                    #expect(board.map(\.number) == [1])
                    #expect(board.first?.stage == "reproduce")
                }
                // A customer's reply leaves it on the board.
                _ = try await app.ingest(Self.mail(from: "ann@one.example", subject: "Re: Deep bug [#1]", body: "Any news?",
                                                   id: "i3@one.example", inReplyTo: "i1@one.example"))
                #expect(try await app.ticket(1).status == .investigating)
                // The customer sees the stage, never the agent's note.
                let ann = try #require(try await PeopleDirectory(database: app.db).person(forAddress: "ann@one.example"))
                let browser = try await WebBrowser.signedIn(app, as: try ann.requireID())
                let page = try await browser.get("/portal/tickets/1")
                #expect(page.status == .ok)
                #expect(page.text.contains(InvestigationStage.reproduce.customerDescription))
                #expect(!page.text.contains("Needs the customer"))
            }
        }

        @Test func callDemandsGetThePoliteAnswerOnceUnlessThePlanIncludesCalls() async throws {
            try await withTestApp { app in
                _ = try await app.ingest(Self.mail(from: "ann@one.example", subject: "Setup help",
                                                   body: "Please call me at +1 555 0100, or send a Zoom link.", id: "c1@one.example"))
                _ = try await app.ingest(Self.mail(from: "ann@one.example", subject: "Re: Setup help [#1]",
                                                   body: "Can we have a call? My TeamViewer ID is 123 456 789.", id: "c2@one.example",
                                                   inReplyTo: "c1@one.example"))
                #expect(try await app.ticket(1).flagSet.contains("call-demanded"))
                #expect(try await app.ticket(1).status == .waitingOnSupport, "still in the email queue")
                #expect(try await events(app, 1, PolicyResponder.callDemandAnswered).count == 1)

                // A paying plan with phone support: no lecture.
                let ticket2Org = try await Organization.query(on: app.db).all()
                _ = ticket2Org
                _ = try await app.ingest(Self.mail(from: "carl@paid.example", subject: "Hello", body: "First contact.", id: "c3@paid.example"))
                let paid = try await app.ticket(2)
                let organization = try #require(try await Organization.find(paid.$organization.id, on: app.db))
                organization.plan = Plans.serviceAgreement.id
                try await organization.save(on: app.db)
                _ = try await app.ingest(Self.mail(from: "carl@paid.example", subject: "New question", body: "Please call me tomorrow.", id: "c4@paid.example"))
                #expect(try await app.ticket(3).plan == Plans.serviceAgreement.id)
                #expect(try await events(app, 3, "call.demanded").count == 1)
                #expect(try await events(app, 3, PolicyResponder.callDemandAnswered).isEmpty)
            }
        }

        @Test func escalationsNeedAReasonOnTheFreePlanAndSessionsAreLogged() async throws {
            try await withTestApp { app in
                let token = try await app.staffToken()
                _ = try await app.ingest(Self.mail(from: "ann@one.example", subject: "Licence", body: "Activation fails.", id: "e1@one.example"))
                let at = Date(timeIntervalSince1970: 1_764_000_000)
                try await app.testing().test(.POST, "/api/v1/tickets/1/sessions", headers: bearer(token), beforeRequest: { req in
                    try req.content.encode(PolicyController.SessionRequest(channel: "phone", scheduledFor: at, customerTimezone: "Europe/Berlin"))
                }, afterResponse: { response in
                    #expect(response.status == .unprocessableEntity)
                    #expect(response.body.string.contains("reason"))
                })
                #expect(try await TicketSessions.list(ticketID: app.ticket(1).requireID(), on: app.db).isEmpty)
                try await app.testing().test(.POST, "/api/v1/tickets/1/sessions", headers: bearer(token), beforeRequest: { req in
                    try req.content.encode(PolicyController.SessionRequest(channel: "phone", scheduledFor: at, customerTimezone: "Europe/Berlin",
                                                                           reason: "Three mails could not pin down the proxy set-up."))
                }, afterResponse: { #expect($0.status == .created) })
                let scheduled = try #require(try await events(app, 1, "escalation.scheduled").first)
                #expect(scheduled.detail.contains("Europe/Berlin"))
                #expect(scheduled.reason == "Three mails could not pin down the proxy set-up.")

                let agent = try #require(try await PeopleDirectory(database: app.db).person(forAddress: "agent@fairdesk.test")).requireID()
                try await app.testing().test(.POST, "/api/v1/tickets/1/sessions", headers: bearer(token), beforeRequest: { req in
                    try req.content.encode(PolicyController.SessionRequest(channel: "phone", startedAt: at, endedAt: at.addingTimeInterval(1500),
                                                                           agents: [agent], summary: "Found the proxy; sent steps by mail."))
                }, afterResponse: { #expect($0.status == .created, "the scheduled escalation covers the call") })
                let logged = try #require(try await events(app, 1, "session.logged").first)
                #expect(logged.detail.contains("25 min"))
                #expect(try await TicketSessions.list(ticketID: app.ticket(1).requireID(), on: app.db).count == 2)
            }
        }

        @Test func infoRequestsAskOnlyForWhatIsMissingAndTickItemsOff() async throws {
            try await withTestApp { app in
                let token = try await app.staffToken()
                _ = try await app.ingest(Self.mail(from: "ann@one.example", subject: "Crash on start",
                                                   body: "The tool crashes on start. I am on Windows 11 23H2.", id: "d1@one.example"))
                try await app.testing().test(.POST, "/api/v1/tickets/1/info-requests", headers: bearer(token), beforeRequest: { req in
                    try req.content.encode(PolicyController.InfoRequestBody(items: ["os", "minidump"], note: "Thanks for the report."))
                }, afterResponse: { response in
                    #expect(response.status == .created)
                    let result = try response.content.decode(PolicyController.InfoRequestResult.self)
                    #expect(result.asked == ["minidump"])
                    #expect(result.alreadyProvided.map(\.key) == ["os"])
                })
                #expect(try await app.ticket(1).status == .waitingOnCustomer)
                let request = try #require(try await outboxBody(app, subjectContaining: "Re: [#1]"))
                #expect(request.contains("Thanks for the report."))
                let minidumpTitle = try #require(DiagnosticCatalog.seed.first { $0.key == .minidump }).title
                let osTitle = try #require(DiagnosticCatalog.seed.first { $0.key == .operatingSystem }).title
                #expect(request.contains(minidumpTitle))
                #expect(!request.contains(osTitle), "what the customer already sent is not asked again")

                _ = try await app.ingest(Self.mail(from: "ann@one.example", subject: "Re: Crash on start [#1]", body: "Here it is.",
                                                   id: "d2@one.example", attachment: ("app.dmp", Self.minidump), inReplyTo: "d1@one.example"))
                try await app.testing().test(.GET, "/api/v1/tickets/1/info-requests", headers: bearer(token)) { response in
                    let checklist = try response.content.decode(PolicyController.ChecklistDTO.self)
                    let item = try #require(checklist.items.first { $0.key == "minidump" })
                    #expect(item.status == "provided")
                    #expect(item.evidence?.contains("app.dmp") == true)
                }
                #expect(try await events(app, 1, "info.complete").count == 1)
                // Nothing left to remind about.
                #expect(try await InfoRequests(services: app.fairdesk, database: app.db).sendDueReminders(now: Date().addingTimeInterval(10 * 86400)) == 0)
            }
        }

        @Test func aSilentCustomerIsRemindedOnce() async throws {
            try await withTestApp { app in
                let token = try await app.staffToken()
                _ = try await app.ingest(Self.mail(from: "ann@one.example", subject: "Hangs", body: "It hangs.", id: "r1@one.example"))
                try await app.testing().test(.POST, "/api/v1/tickets/1/info-requests", headers: bearer(token), beforeRequest: { req in
                    try req.content.encode(PolicyController.InfoRequestBody(items: ["log_files", "timezone"]))
                }, afterResponse: { #expect($0.status == .created) })
                let store = InfoRequests(services: app.fairdesk, database: app.db)
                #expect(try await store.sendDueReminders(now: Date().addingTimeInterval(3600)) == 0, "not quiet long enough")
                #expect(try await store.sendDueReminders(now: Date().addingTimeInterval(4 * 86400)) == 1)
                #expect(try await store.sendDueReminders(now: Date().addingTimeInterval(8 * 86400)) == 0, "one reminder only")
                let reminder = try #require(try await outboxBody(app, subjectContaining: PolicyTemplates.infoReminder.subject))
                let logTitle = try #require(DiagnosticCatalog.seed.first { $0.key == .logFiles }).title
                #expect(reminder.contains(logTitle))
                #expect(try await events(app, 1, "info.reminded").count == 1)
            }
        }

        @Test func theAcknowledgementTellsThePlaceInLine() async throws {
            try await withTestApp { app in
                _ = try await app.ingest(Self.mail(from: "ann@one.example", subject: "One", body: "Hi.", id: "q1@one.example"))
                _ = try await app.ingest(Self.mail(from: "bob@two.example", subject: "Two", body: "Hi.", id: "q2@two.example"))
                let ack = try #require(try await outboxBody(app, subjectContaining: "Two"))
                let estimate = WaitEstimator(window: 14 * 86400).estimate(position: 2, answeredAt: [], now: Date())
                #expect(ack.contains(estimate.sentence.prefix(30)))
            }
        }
    }
}
