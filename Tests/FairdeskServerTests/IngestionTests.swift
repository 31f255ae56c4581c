import FairdeskMail
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import FairdeskServer

extension ServerSuite {
    @Suite struct IngestionTests {
        static let first = rawMail(
            "From: Jane Doe <jane@customer.example>",
            "To: support@fairdesk.test",
            "Subject: Crash when opening a project",
            "Message-ID: <first@customer.example>",
            "Date: Sun, 22 Nov 2026 03:18:38 +0000",
            "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=b",
            "",
            "--b",
            "Content-Type: text/plain; charset=utf-8",
            "",
            "It crashes. Minidump attached.",
            "--b",
            "Content-Type: application/octet-stream; name=crash.dmp",
            "Content-Transfer-Encoding: base64",
            "",
            "TURNUJOnAAA=",
            "--b--")

        @Test func newMailOpensATicketWithEverythingKept() async throws {
            try await withTestApp { app in
                let outcome = try await app.ingest(Self.first)
                #expect(outcome.ticketNumber == 1)
                let ticket = try await app.ticket(1)
                #expect(ticket.subject == "Crash when opening a project")
                #expect(ticket.status == .waitingOnSupport)
                #expect(ticket.waitingSince != nil)

                let detail = try await Queries.detail(of: ticket, services: app.fairdesk, on: app.db, includeNotes: true)
                let messages = detail.timeline.filter { $0.type == "message" }
                #expect(messages.first?.body == "It crashes. Minidump attached.")
                #expect(messages.first?.threadReason == "new")
                let attachment = try #require(messages.first?.attachments?.first)
                #expect(attachment.filename == "crash.dmp")
                #expect(attachment.size == 8)
                #expect(detail.timeline.compactMap(\.event).contains("ticket.opened"))

                // The raw message is kept byte for byte.
                let stored = try #require(try await TicketMessage.query(on: app.db).filter(\.$kind == .inbound).first())
                let raw = try await app.fairdesk.blobs.get(BlobReference(name: try #require(stored.rawBlob), size: stored.rawSize), owner: ticket.$organization.id)
                #expect(raw == Self.first)

                // The sender became a customer in a personal organization.
                let person = try #require(try await PeopleDirectory(database: app.db).person(forAddress: "jane@CUSTOMER.example"))
                #expect(person.role == .customer)
                #expect(person.name == "Jane Doe")
                let organization = try #require(try await Organization.find(person.$organization.id, on: app.db))
                #expect(organization.isPersonal)
            }
        }

        @Test func anAcknowledgementIsQueuedForAPerson() async throws {
            try await withTestApp { app in
                _ = try await app.ingest(Self.first)
                let outbox = try await OutboxMessage.query(on: app.db).all()
                #expect(outbox.count == 1)
                let raw = try await app.fairdesk.blobs.get(BlobReference(name: outbox[0].rawBlob, size: outbox[0].rawSize), owner: outbox[0].ownerID)
                let ack = Message.parse(raw)
                #expect(ack.subject == "[#1] Crash when opening a project")
                #expect(ack.headers["Auto-Submitted"] == "auto-replied")
                #expect(ack.inReplyTo == "first@customer.example")
                #expect(ack.to.map(\.address) == ["jane@customer.example"])
                #expect(ack.fullText.contains("ticket #1"))
            }
        }

        @Test(arguments: [
            "Auto-Submitted: auto-replied",
            "Precedence: bulk",
            "List-Id: <users.lists.example>",
            "X-Auto-Response-Suppress: All",
        ])
        func automaticMailGetsNoAcknowledgement(_ header: String) async throws {
            try await withTestApp { app in
                let outcome = try await app.ingest(rawMail("From: robot@customer.example", header, "Subject: out of office", "", "away"))
                #expect(outcome.ticketNumber == 1)
                #expect(try await OutboxMessage.query(on: app.db).count() == 0)
            }
        }

        @Test func redeliveryIsStoredOnce() async throws {
            try await withTestApp { app in
                let first = try await app.ingest(Self.first)
                let second = try await app.ingest(Self.first)
                guard case .stored(let id, _, _) = first, case .duplicate(let again) = second else {
                    Issue.record("expected stored then duplicate, got \(first) and \(second)")
                    return
                }
                #expect(id == again)
                #expect(try await InboundMail.query(on: app.db).count() == 1)
                #expect(try await TicketMessage.query(on: app.db).filter(\.$kind == .inbound).count() == 1)
                #expect(try await Ticket.query(on: app.db).count() == 1)
                #expect(try await OutboxMessage.query(on: app.db).count() == 1, "one acknowledgement, not two")
            }
        }

        @Test func mailWithoutASenderIsKeptForAttention() async throws {
            try await withTestApp { app in
                let outcome = try await app.ingest(rawMail("Subject: who am I", "", "no From at all"))
                guard case .needsAttention(let id, let reason) = outcome else {
                    Issue.record("expected needsAttention, got \(outcome)")
                    return
                }
                #expect(reason.contains("no usable sender"))
                let record = try #require(try await InboundMail.find(id, on: app.db))
                #expect(record.status == .needsAttention)
                #expect(try await Ticket.query(on: app.db).count() == 0)
                // The raw bytes are kept even so.
                let raw = try await app.fairdesk.blobs.get(BlobReference(name: record.rawBlob, size: record.rawSize), owner: record.ownerID)
                #expect(raw == rawMail("Subject: who am I", "", "no From at all"))
            }
        }

        @Test func mailFromOurOwnAddressIsNotThreaded() async throws {
            try await withTestApp { app in
                let outcome = try await app.ingest(rawMail("From: support@fairdesk.test", "Subject: loop?", "", "x"))
                guard case .needsAttention(_, let reason) = outcome else {
                    Issue.record("expected needsAttention, got \(outcome)")
                    return
                }
                #expect(reason.contains("own support address"))
            }
        }

        @Test func reprocessingAfterAFixThreadsTheMail() async throws {
            try await withTestApp { app in
                // The envelope sender is usable once an admin looks; simulate by reprocessing a record
                // whose envelope sender was filled in.
                let outcome = try await app.ingest(rawMail("Subject: no header sender", "", "body"))
                guard case .needsAttention(let id, _) = outcome else { Issue.record("\(outcome)"); return }
                let record = try #require(try await InboundMail.find(id, on: app.db))
                record.envelopeFrom = "fixed@customer.example"
                try await record.save(on: app.db)
                let again = try await MailIngestor(services: app.fairdesk, database: app.db, logger: app.logger).reprocess(record)
                #expect(again.ticketNumber == 1)
                #expect(try await InboundMail.find(id, on: app.db)?.status == .processed)
            }
        }

        /// Concurrent deliveries all land (on SQLite they used to fail with a snapshot
        /// conflict, answered 451; see WriteGate).
        @Test func concurrentDeliveriesAreAllStored() async throws {
            try await withTestApp { app in
                let outcomes = try await withThrowingTaskGroup(of: IngestOutcome.self) { group in
                    for i in 0..<24 {
                        let raw = rawMail("From: user\(i % 5)@load.example", "Subject: load \(i)", "Message-ID: <load\(i)@x>", "", "body \(i)")
                        group.addTask { try await app.ingest(raw) }
                    }
                    var all: [IngestOutcome] = []
                    for try await outcome in group { all.append(outcome) }
                    return all
                }
                #expect(outcomes.compactMap(\.ticketNumber).sorted() == Array(1...24))
                #expect(try await Ticket.query(on: app.db).count() == 24)
            }
        }

        @Test func blobsAreEncryptedAtRest() async throws {
            try await withTestApp { app in
                // A large attachment goes to a file of its own; the small parts are rows.
                let large = (0..<(BlobStore.inlineLimit / 40 + 10)).map { "Line \($0): Minidump attached, very large\r\n" }.joined()
                let raw = rawMail(
                    "From: Jane Doe <jane@customer.example>", "To: support@fairdesk.test",
                    "Subject: Crash when opening a project", "Message-ID: <large@customer.example>",
                    "MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=b", "",
                    "--b", "Content-Type: text/plain; charset=utf-8", "", "It crashes. Minidump attached.",
                    "--b", "Content-Type: text/plain; name=trace.log", "Content-Disposition: attachment; filename=trace.log", "", large,
                    "--b--")
                _ = try await app.ingest(raw)

                // Nothing under the data directory (blob files, and on SQLite the
                // database and its WAL) holds the plaintext.
                let root = app.fairdesk.configuration.dataDirectory
                let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
                var blobFiles = 0
                for file in files {
                    var isDirectory: ObjCBool = false
                    guard FileManager.default.fileExists(atPath: root + "/" + file, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
                    let bytes = try Data(contentsOf: URL(fileURLWithPath: root + "/" + file))
                    #expect(bytes.range(of: Data("Minidump attached".utf8)) == nil, "\(file) holds plaintext")
                    #expect(bytes.range(of: Data("It crashes.".utf8)) == nil, "\(file) holds plaintext")
                    if file.hasPrefix("blobs/") { blobFiles += 1 }
                }
                #expect(blobFiles >= 2, "the raw message and the large attachment are files")

                struct Row: Decodable { var sealed: Data; var size: Int }
                let rows = try await (app.db as! any SQLDatabase).raw("SELECT sealed, size FROM blobs").all(decoding: Row.self)
                #expect(rows.count >= 2, "the text body and the acknowledgement are rows")
                for row in rows {
                    #expect(row.size <= BlobStore.inlineLimit)
                    #expect(row.sealed.range(of: Data("It crashes.".utf8)) == nil, "a blob row holds plaintext")
                }

                // Both kinds read back through the timeline.
                let detail = try await Queries.detail(of: try await app.ticket(1), services: app.fairdesk, on: app.db, includeNotes: true)
                let message = try #require(detail.timeline.first { $0.type == "message" })
                #expect(message.body == "It crashes. Minidump attached.")
                #expect(message.attachments?.first?.size == large.utf8.count)
            }
        }

        @Test func deletingTheOrganizationKeyShredsItsMail() async throws {
            try await withTestApp { app in
                _ = try await app.ingest(Self.first)
                let ticket = try await app.ticket(1)
                try await app.fairdesk.keyRing.shred(owner: ticket.$organization.id)
                await #expect(throws: (any Error).self) {
                    _ = try await Queries.detail(of: ticket, services: app.fairdesk, on: app.db, includeNotes: true)
                }
            }
        }
    }
}
