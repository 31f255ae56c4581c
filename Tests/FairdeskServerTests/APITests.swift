import FairdeskMail
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import FairdeskServer

extension ServerSuite {
    @Suite struct APITests {
        func bearer(_ token: String) -> HTTPHeaders {
            var headers = HTTPHeaders()
            headers.bearerAuthorization = BearerAuthorization(token: token)
            return headers
        }

        @Test func everyAPIRouteNeedsAToken() async throws {
            try await withTestApp { app in
                _ = try await app.ingest(IngestionTests.first)
                for path in ["/api/v1/tickets", "/api/v1/tickets/1", "/api/v1/people", "/api/v1/organizations", "/api/v1/mail/attention"] {
                    try await app.testing().test(.GET, path) { response in
                        #expect(response.status == .unauthorized, "\(path)")
                    }
                }
                try await app.testing().test(.GET, "/api/v1/tickets", headers: bearer("fd_wrong")) { response in
                    #expect(response.status == .unauthorized)
                }
            }
        }

        @Test func customersGetNotFoundFromTheStaffAPI() async throws {
            try await withTestApp { app in
                _ = try await app.ingest(IngestionTests.first)
                let jane = try #require(try await PeopleDirectory(database: app.db).person(forAddress: "jane@customer.example"))
                let token = try await APITokens.create(for: jane, name: "x", on: app.db)
                try await app.testing().test(.GET, "/api/v1/tickets/1", headers: bearer(token)) { response in
                    #expect(response.status == .notFound)
                }
            }
        }

        @Test func listAndShowTickets() async throws {
            try await withTestApp { app in
                let token = try await app.staffToken()
                _ = try await app.ingest(IngestionTests.first)
                _ = try await app.ingest(rawMail("From: bob@b.example", "Subject: second", "", "hello"))
                try await app.testing().test(.GET, "/api/v1/tickets?order=queue&limit=1", headers: bearer(token)) { response in
                    #expect(response.status == .ok)
                    let page = try response.content.decode(TicketPageDTO.self)
                    #expect(page.tickets.map(\.number) == [1], "oldest waiting first")
                    #expect(page.next != nil)
                }
                try await app.testing().test(.GET, "/api/v1/tickets?status=nonsense", headers: bearer(token)) { response in
                    #expect(response.status == .badRequest)
                    #expect(response.body.string.contains("status"))
                }
                try await app.testing().test(.GET, "/api/v1/tickets/1", headers: bearer(token)) { response in
                    #expect(response.status == .ok)
                    let detail = try response.content.decode(TicketDetailDTO.self)
                    #expect(detail.ticket.subject == "Crash when opening a project")
                    #expect(detail.timeline.contains { $0.body == "It crashes. Minidump attached." })
                }
                try await app.testing().test(.GET, "/api/v1/tickets/999", headers: bearer(token)) { response in
                    #expect(response.status == .notFound)
                }
            }
        }

        @Test func queuePagingVisitsEveryWaitingTicketOnceInOrder() async throws {
            try await withTestApp { app in
                let token = try await app.staffToken()
                for index in 1...12 {
                    _ = try await app.ingest(rawMail("From: customer\(index)@c.example", "Subject: question \(index)", "", "hello"))
                }
                var seen: [Int] = []
                var after: String?
                repeat {
                    let path = "/api/v1/tickets?order=queue&limit=1" + (after.map { "&after=\($0)" } ?? "")
                    var page: TicketPageDTO?
                    try await app.testing().test(.GET, path, headers: bearer(token)) { response in
                        page = try response.content.decode(TicketPageDTO.self)
                    }
                    let found = try #require(page)
                    seen += found.tickets.map(\.number)
                    after = found.next
                } while after != nil && seen.count < 30
                // PostgreSQL truncates bound timestamps to microseconds: a cursor must not
                // bring its own ticket back on the next page.
                #expect(seen == Array(1...12))

                // The cursor's ticket leaves the queue before the next page is read.
                var cursor = ""
                try await app.testing().test(.GET, "/api/v1/tickets?order=queue&limit=2", headers: bearer(token)) { response in
                    cursor = try response.content.decode(TicketPageDTO.self).next ?? ""
                }
                try await app.testing().test(.POST, "/api/v1/tickets/2/status", headers: bearer(token), beforeRequest: { req in
                    try req.content.encode(StatusRequest(status: "resolved", reason: nil))
                }) { response in #expect(response.status == .ok) }
                try await app.testing().test(.GET, "/api/v1/tickets?order=queue&limit=2&after=\(cursor)", headers: bearer(token)) { response in
                    let page = try response.content.decode(TicketPageDTO.self)
                    #expect(page.tickets.map(\.number) == [3, 4])
                }
            }
        }

        @Test func aReplyGoesOutThroughTheOutboxWithThreadingHeaders() async throws {
            try await withTestApp { app in
                let token = try await app.staffToken()
                _ = try await app.ingest(IngestionTests.first)
                let reply = ReplyRequest(body: "Thanks Jane, we are on it.",
                                         attachments: [.init(filename: "fix notes.txt", contentType: "text/plain", data: Data("notes".utf8).base64EncodedString())])
                try await app.testing().test(.POST, "/api/v1/tickets/1/reply", headers: bearer(token), beforeRequest: { req in
                    try req.content.encode(reply)
                }) { response in
                    #expect(response.status == .created)
                }
                #expect(try await app.ticket(1).status == .waitingOnCustomer)

                let outgoing = app.fairdesk.configuration.outgoingDirectory
                let worker = DeliveryWorker(services: app.fairdesk, database: app.db, sink: FileMailSink(directory: outgoing),
                                            logger: app.logger, workerID: "test")
                #expect(try await worker.runOnce() == 2, "the acknowledgement and the reply")
                let files = try FileManager.default.contentsOfDirectory(atPath: outgoing).filter { $0.hasSuffix(".eml") }.sorted()
                #expect(files.count == 2)
                let sent = Message.parse(Array(try Data(contentsOf: URL(fileURLWithPath: outgoing + "/" + files[1]))))
                #expect(sent.subject == "Re: [#1] Crash when opening a project")
                #expect(sent.inReplyTo == "first@customer.example")
                #expect(sent.references.last == "first@customer.example")
                #expect(sent.textBody == "Thanks Jane, we are on it.\n")
                #expect(sent.attachments.map(\.filename) == ["fix notes.txt"])
                #expect(app.fairdesk.threading.ticketNumber(in: sent.messageID ?? "") == 1)
                #expect(sent.headers["Auto-Submitted"] == nil, "a person's reply is not automatic")
                #expect(try await OutboxMessage.query(on: app.db).filter(\.$status == .sent).count() == 2)
                #expect(try await worker.runOnce() == 0, "nothing is sent twice")
            }
        }

        @Test func aReplyWithoutTextIsRefusedAndNamesTheField() async throws {
            try await withTestApp { app in
                let token = try await app.staffToken()
                _ = try await app.ingest(IngestionTests.first)
                try await app.testing().test(.POST, "/api/v1/tickets/1/reply", headers: bearer(token), beforeRequest: { req in
                    try req.content.encode(ReplyRequest(body: "  ", attachments: nil))
                }) { response in
                    #expect(response.status == .unprocessableEntity)
                    #expect(response.body.string.contains("body"))
                }
                #expect(try await OutboxMessage.query(on: app.db).count() == 1, "only the acknowledgement")
            }
        }

        @Test func notesStatusAndDownloads() async throws {
            try await withTestApp { app in
                let token = try await app.staffToken()
                _ = try await app.ingest(IngestionTests.first)
                try await app.testing().test(.POST, "/api/v1/tickets/1/notes", headers: bearer(token), beforeRequest: { req in
                    try req.content.encode(NoteRequest(body: "probably the parser"))
                }) { response in #expect(response.status == .created) }
                try await app.testing().test(.POST, "/api/v1/tickets/1/status", headers: bearer(token), beforeRequest: { req in
                    try req.content.encode(StatusRequest(status: "resolved", reason: "fixed in 2.1"))
                }) { response in #expect(response.status == .ok) }
                #expect(try await app.ticket(1).status == .resolved)

                var attachmentURL = ""
                var rawURL = ""
                try await app.testing().test(.GET, "/api/v1/tickets/1", headers: bearer(token)) { response in
                    let detail = try response.content.decode(TicketDetailDTO.self)
                    #expect(detail.timeline.contains { $0.kind == "note" && $0.body == "probably the parser" })
                    #expect(detail.timeline.contains { $0.event == "status.changed" && $0.reason == "fixed in 2.1" })
                    attachmentURL = detail.timeline.compactMap { $0.attachments?.first?.url }.first ?? ""
                    rawURL = detail.timeline.compactMap(\.rawURL).first ?? ""
                }
                try await app.testing().test(.GET, attachmentURL, headers: bearer(token)) { response in
                    #expect(response.status == .ok)
                    #expect(Array(response.body.readableBytesView) == [0x4D, 0x44, 0x4D, 0x50, 0x93, 0xA7, 0x00, 0x00])
                    #expect(response.headers.first(name: .contentDisposition)?.contains("crash.dmp") == true)
                }
                try await app.testing().test(.GET, rawURL, headers: bearer(token)) { response in
                    #expect(Array(response.body.readableBytesView) == IngestionTests.first)
                }
            }
        }

        @Test func rawMailCanBePostedAndRedeliveryIsIdempotent() async throws {
            try await withTestApp { app in
                let token = try await app.staffToken()
                for expected in [HTTPStatus.accepted, .ok] {
                    try await app.testing().test(.POST, "/api/v1/mail/inbound", headers: bearer(token), beforeRequest: { req in
                        req.headers.contentType = HTTPMediaType(type: "message", subType: "rfc822")
                        req.body = ByteBuffer(bytes: IngestionTests.first)
                    }) { response in
                        #expect(response.status == expected)
                    }
                }
                #expect(try await Ticket.query(on: app.db).count() == 1)
            }
        }

        @Test func adminsSeeAndReprocessMailNeedingAttention() async throws {
            try await withTestApp { app in
                let admin = try await app.staffToken(role: "admin", email: "boss@fairdesk.test")
                let agent = try await app.staffToken()
                _ = try await app.ingest(rawMail("Subject: orphan", "", "no sender"))
                try await app.testing().test(.GET, "/api/v1/mail/attention", headers: bearer(agent)) { response in
                    #expect(response.status == .notFound, "admins only")
                }
                try await app.testing().test(.GET, "/api/v1/mail/attention", headers: bearer(admin)) { response in
                    let rows = try response.content.decode([AttentionDTO].self)
                    #expect(rows.count == 1)
                    #expect(rows.first?.reason?.contains("no usable sender") == true)
                }
            }
        }

        @Test func organizationsClaimDomains() async throws {
            try await withTestApp { app in
                let admin = try await app.staffToken(role: "admin", email: "boss@fairdesk.test")
                try await app.testing().test(.POST, "/api/v1/organizations", headers: bearer(admin), beforeRequest: { req in
                    try req.content.encode(OrganizationRequest(name: "Customer Inc.", domains: ["Customer.Example"]))
                }) { response in
                    #expect(response.status == .created)
                    let created = try response.content.decode(OrganizationDTO.self)
                    #expect(created.domains == ["customer.example"])
                }
                try await app.testing().test(.POST, "/api/v1/organizations", headers: bearer(admin), beforeRequest: { req in
                    try req.content.encode(OrganizationRequest(name: "Other", domains: ["customer.example"]))
                }) { response in
                    #expect(response.status == .conflict)
                }
                try await app.testing().test(.POST, "/api/v1/organizations", headers: bearer(admin), beforeRequest: { req in
                    try req.content.encode(OrganizationRequest(name: "Bad", domains: ["not a domain"]))
                }) { response in
                    #expect(response.status == .unprocessableEntity)
                    #expect(response.body.string.contains("domain"))
                }
            }
        }

        @Test func healthAndMetrics() async throws {
            try await withTestApp { app in
                _ = try await app.ingest(IngestionTests.first)
                try await app.testing().test(.GET, "/healthz") { response in #expect(response.status == .ok) }
                try await app.testing().test(.GET, "/metrics") { response in
                    #expect(response.status == .ok)
                    #expect(response.body.string.contains("fairdesk_messages_ingested_total 1"))
                    #expect(response.body.string.contains("fairdesk_outbox_depth 1"))
                }
            }
        }
    }
}

@Suite struct ConfigurationTests {
    @Test func flagsThenEnvironmentThenDefaults() throws {
        let defaults = try FairdeskConfiguration.resolve(flags: [:], environment: [:])
        #expect(defaults.httpPort == 8080)
        #expect(defaults.smtpPort == 2525)
        #expect(defaults.supportAddresses == ["support@localhost"])
        #expect(defaults.dataDirectory == "./fairdesk-data")
        #expect(defaults.databaseURL == nil)

        let environment = try FairdeskConfiguration.resolve(flags: [:], environment: ["FAIRDESK_HTTP_PORT": "9000", "FAIRDESK_SUPPORT_ADDRESSES": "a@x.example, b@x.example"])
        #expect(environment.httpPort == 9000)
        #expect(environment.supportAddresses == ["a@x.example", "b@x.example"])

        let flags = try FairdeskConfiguration.resolve(flags: ["http-port": ["9100"]], environment: ["FAIRDESK_HTTP_PORT": "9000"])
        #expect(flags.httpPort == 9100)
    }

    @Test func badValuesNameTheSetting() {
        #expect(throws: ConfigurationError.self) { try FairdeskConfiguration.resolve(flags: ["http-port": ["eighty"]], environment: [:]) }
        do {
            _ = try FairdeskConfiguration.resolve(flags: ["support-address": ["nobody"]], environment: [:])
            Issue.record("accepted a support address without @")
        } catch {
            #expect("\(error)".contains("--support-address"))
        }
        #expect(throws: ConfigurationError.self) { try FairdeskConfiguration.resolve(flags: [:], environment: ["FAIRDESK_DATABASE_URL": "mysql://x"]) }
    }

    @Test func supportAddressesMatchWithACaseInsensitiveDomain() {
        let configuration = FairdeskConfiguration(supportAddresses: ["support@Fairdesk.test"])
        #expect(configuration.isSupportAddress("support@fairdesk.TEST"))
        // Our own mailboxes: nobody means a different mailbox by "Support@", so the whole
        // address is compared without case (people are matched with a case-insensitive domain only).
        #expect(configuration.isSupportAddress("Support@fairdesk.test"))
        #expect(!configuration.isSupportAddress("sales@fairdesk.test"))
    }
}

extension ServerSuite {
    /// The shipped OpenAPI document describes exactly the routes the server has.
    @Suite struct OpenAPITests {
        @Test func everyAPIRouteIsDocumentedAndNothingElse() async throws {
            try await withTestApp { app in
                var served: [String: Any] = [:]
                try await app.testing().test(.GET, "/api/v1/openapi.json") { response in
                    #expect(response.status == .ok)
                    served = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                }
                let paths = try #require(served["paths"] as? [String: [String: Any]])
                var documented = Set<String>()
                for (path, operations) in paths {
                    for method in operations.keys { documented.insert("\(method.uppercased()) /api/v1\(path)") }
                }
                var registered = Set<String>()
                for route in app.routes.all {
                    let path = "/" + route.path.map { component -> String in
                        if case .parameter(let name) = component { return "{\(name)}" }
                        return component.description
                    }.joined(separator: "/")
                    guard path.hasPrefix("/api/v1/") else { continue }
                    registered.insert("\(route.method.rawValue) \(path)")
                }
                #expect(registered.subtracting(documented).isEmpty, "undocumented: \(registered.subtracting(documented).sorted())")
                #expect(documented.subtracting(registered).isEmpty, "documented but not served: \(documented.subtracting(registered).sorted())")
            }
        }
    }
}
