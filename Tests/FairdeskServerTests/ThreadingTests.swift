import Crypto
import FairdeskMail
import Fluent
import Foundation
import Testing
import Vapor
@testable import FairdeskServer

@Suite struct ThreadingTokenTests {
    let token = ThreadingToken(key: SymmetricKey(size: .bits256))

    @Test func ourMessageIDsNameTheirTicket() {
        let id = token.messageID(ticketNumber: 42, unique: "abc123", hostname: "fairdesk.test")
        #expect(token.ticketNumber(in: id) == 42)
    }

    @Test(arguments: [
        "fd.42.abc123.000000000000000000000000@fairdesk.test",   // forged signature
        "fd.43.abc123.@fairdesk.test",
        "random@example.com",
        "fd.x.y.z@h",
    ])
    func forgedOrForeignIDsNameNothing(_ id: String) {
        #expect(token.ticketNumber(in: id) == nil)
    }

    @Test func aSignatureForOneTicketDoesNotOpenAnother() {
        let id = token.messageID(ticketNumber: 42, unique: "abc123", hostname: "fairdesk.test")
        #expect(token.ticketNumber(in: id.replacingOccurrences(of: "fd.42.", with: "fd.43.")) == nil)
    }

    @Test(arguments: [("Re: [#12] help", 12), ("[#7]", 7), ("no tag", nil), ("[#] x [#99]", 99), ("[#12 broken", nil)] as [(String, Int?)])
    func subjectTags(_ subject: String, _ number: Int?) {
        #expect(Threader.subjectTag(subject) == number)
    }
}

extension ServerSuite {
    @Suite struct ThreadingTests {
        func reply(from: String, subject: String, headers: [String] = [], body: String = "thanks") -> [UInt8] {
            Array(((["From: \(from)", "Subject: \(subject)", "Message-ID: <\(UUID().uuidString)@customer.example>"] + headers + ["", body])
                .joined(separator: "\r\n") + "\r\n").utf8)
        }

        @Test func aReplyToOurMailThreadsByToken() async throws {
            try await withTestApp { app in
                _ = try await app.ingest(IngestionTests.first)
                let ack = try #require(try await OutboxMessage.query(on: app.db).first())
                // The customer's client drops the subject tag, but keeps In-Reply-To.
                let outcome = try await app.ingest(reply(from: "jane@customer.example", subject: "Re: your mail",
                                                         headers: ["In-Reply-To: <\(ack.messageID)>"]))
                #expect(outcome.ticketNumber == 1)
                let last = try #require(try await TicketMessage.query(on: app.db).filter(\.$kind == .inbound).sort(\.$createdAt, .descending).first())
                #expect(last.threadReason == "token")
            }
        }

        @Test func aReplyToTheCustomersOwnMessageThreadsByMessageID() async throws {
            try await withTestApp { app in
                _ = try await app.ingest(IngestionTests.first)
                let outcome = try await app.ingest(reply(from: "colleague@other.example", subject: "Re: Crash",
                                                         headers: ["References: <unknown@x> <first@customer.example>"]))
                #expect(outcome.ticketNumber == 1)
                let last = try #require(try await TicketMessage.query(on: app.db).filter(\.$kind == .inbound).sort(\.$createdAt, .descending).first())
                #expect(last.threadReason == "message-id")
            }
        }

        @Test func theSubjectTagCountsOnlyForTheSameOrganization() async throws {
            try await withTestApp { app in
                _ = try await app.ingest(IngestionTests.first)
                // Jane again, by tag only: same (personal) organization.
                let same = try await app.ingest(reply(from: "jane@customer.example", subject: "Re: [#1] Crash"))
                #expect(same.ticketNumber == 1)
                // A stranger quoting [#1] gets a ticket of their own.
                let stranger = try await app.ingest(reply(from: "mallory@evil.example", subject: "Re: [#1] Crash"))
                #expect(stranger.ticketNumber == 2)
                let opened = try #require(try await TicketEvent.query(on: app.db).filter(\.$kind == "ticket.opened").sort(\.$createdAt, .descending).first())
                #expect(opened.reason?.contains("ignored") == true)
            }
        }

        @Test func claimedDomainsShareAnOrganizationAndItsTags() async throws {
            try await withTestApp { app in
                let organization = Organization(name: "Customer Inc.", isPersonal: false)
                try await organization.create(on: app.db)
                try await PeopleController.claim("customer.example", for: organization, on: app.db)
                _ = try await app.ingest(IngestionTests.first)
                let teammate = try await app.ingest(reply(from: "bob@Customer.Example", subject: "Re: [#1] Crash"))
                #expect(teammate.ticketNumber == 1)
                let bob = try #require(try await PeopleDirectory(database: app.db).person(forAddress: "bob@customer.example"))
                #expect(bob.$organization.id == organization.id)
            }
        }

        func bounce(returning messageID: String) -> [UInt8] {
            rawMail("From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>",
                    "Subject: Undelivered Mail Returned to Sender",
                    "Content-Type: multipart/report; report-type=delivery-status; boundary=r", "",
                    "--r", "", "The mail could not be delivered.",
                    "--r", "Content-Type: message/delivery-status", "", "Final-Recipient: rfc822; jane@customer.example", "Status: 5.1.1",
                    "--r", "Content-Type: text/rfc822-headers", "", "Message-ID: <\(messageID)>", "Subject: [#1] Crash",
                    "--r--")
        }

        @Test func aBounceOfOurMailIsRecordedOnItsTicket() async throws {
            try await withTestApp { app in
                _ = try await app.ingest(IngestionTests.first)
                let ack = try #require(try await OutboxMessage.query(on: app.db).first())
                let outcome = try await app.ingest(bounce(returning: ack.messageID))
                #expect(outcome.ticketNumber == 1)
                #expect(try await TicketEvent.query(on: app.db).filter(\.$kind == "mail.bounced").count() == 1)
                #expect(try await OutboxMessage.query(on: app.db).count() == 1, "no acknowledgement to a bounce")
            }
        }

        @Test func aBounceOfUnknownMailIsNotATicket() async throws {
            try await withTestApp { app in
                let outcome = try await app.ingest(bounce(returning: "someone-else@elsewhere.example"))
                guard case .needsAttention(_, let reason) = outcome else { Issue.record("\(outcome)"); return }
                #expect(reason.contains("delivery report"))
                #expect(try await Ticket.query(on: app.db).count() == 0)
            }
        }

        @Test func subjectTextAloneNeverThreads() async throws {
            try await withTestApp { app in
                _ = try await app.ingest(IngestionTests.first)
                let again = try await app.ingest(reply(from: "jane@customer.example", subject: "Crash when opening a project"))
                #expect(again.ticketNumber == 2)
            }
        }

        @Test func aCustomerReplyPutsTheTicketBackInLineAtTheReply() async throws {
            try await withTestApp { app in
                _ = try await app.ingest(IngestionTests.first)
                let ticket = try await app.ticket(1)
                try await Queries.setStatus(ticket, to: .waitingOnCustomer, actor: nil, reason: "asked for logs", on: app.db, now: Date())
                let replyTime = Date().addingTimeInterval(60)
                _ = try await MailIngestor(services: app.fairdesk, database: app.db, logger: app.logger)
                    .ingest(InboundDelivery(raw: reply(from: "jane@customer.example", subject: "Re: [#1] logs"), envelopeFrom: "",
                                            envelopeTo: [], channel: "test"), now: replyTime)
                let updated = try await app.ticket(1)
                #expect(updated.status == .waitingOnSupport)
                #expect(abs((updated.waitingSince ?? .distantPast).timeIntervalSince(replyTime)) < 1)
            }
        }
    }
}
