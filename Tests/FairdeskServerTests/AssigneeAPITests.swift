import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import FairdeskServer

extension ServerSuite {
    /// `PUT /api/v1/tickets/{number}/assignee` and the `?assignee=` filter of the ticket list.
    @Suite struct AssigneeAPITests {
        func bearer(_ token: String) -> HTTPHeaders {
            var headers = HTTPHeaders()
            headers.bearerAuthorization = BearerAuthorization(token: token)
            return headers
        }

        /// PUTs `body` (JSON) and hands the response to `check`.
        func put(_ app: Application, _ number: Int, token: String, _ body: AssigneeRequest,
                 _ check: (TestingHTTPResponse) async throws -> Void) async throws {
            try await app.testing().test(.PUT, "/api/v1/tickets/\(number)/assignee", headers: bearer(token), beforeRequest: { req in
                try req.content.encode(body)
            }, afterResponse: check)
        }

        func person(_ app: Application, _ address: String) async throws -> Person {
            try #require(try await PeopleDirectory(database: app.db).person(forAddress: address))
        }

        func events(_ app: Application, _ number: Int) async throws -> [TicketEvent] {
            try await TicketEvent.query(on: app.db).filter(\.$ticket.$id == app.ticket(number).requireID())
                .filter(\.$kind ~~ ["ticket.assigned", "ticket.unassigned"]).sort(\.$createdAt).all()
        }

        @Test func assignReassignAndUnassignAreRecordedOnTheTimeline() async throws {
            try await withTestApp { app in
                let token = try await app.staffToken()
                _ = try await app.staffToken(role: "admin", email: "boss@fairdesk.test")
                _ = try await app.ingest(IngestionTests.first)
                let agent = try await person(app, "agent@fairdesk.test").requireID()
                let boss = try await person(app, "boss@fairdesk.test").requireID()

                try await put(app, 1, token: token, AssigneeRequest(assignee: "agent@fairdesk.test", reason: "knows the parser")) { response in
                    #expect(response.status == .ok)
                    let summary = try response.content.decode(TicketSummaryDTO.self)
                    #expect(summary.assignee == AssigneeDTO(id: agent, name: "Agent Smith", email: "agent@fairdesk.test"))
                    #expect(summary.assigneeID == agent)
                }
                // Reassign by id; then the same again changes nothing and records nothing.
                for _ in 0..<2 {
                    try await put(app, 1, token: token, AssigneeRequest(assignee: boss.uuidString)) { response in
                        #expect(response.status == .ok)
                        let summary = try response.content.decode(TicketSummaryDTO.self)
                        #expect(summary.assignee?.email == "boss@fairdesk.test")
                    }
                }
                try await put(app, 1, token: token, AssigneeRequest(assignee: nil, reason: "on holiday")) { response in
                    #expect(response.status == .ok)
                    let summary = try response.content.decode(TicketSummaryDTO.self)
                    #expect(summary.assignee == nil)
                }
                try await put(app, 1, token: token, AssigneeRequest(assignee: nil)) { response in
                    #expect(response.status == .ok, "unassigning an unassigned ticket is a no-op")
                }
                #expect(try await app.ticket(1).$assignee.id == nil)

                let recorded = try await events(app, 1)
                #expect(recorded.map(\.kind) == ["ticket.assigned", "ticket.assigned", "ticket.unassigned"])
                #expect(recorded.allSatisfy { $0.$actor.id == agent }, "who")
                #expect(recorded.map(\.detail) == [
                    "nobody → Agent Smith <agent@fairdesk.test>",
                    "Agent Smith <agent@fairdesk.test> → Agent Smith <boss@fairdesk.test>",
                    "Agent Smith <boss@fairdesk.test> → nobody",
                ])
                #expect(recorded.map(\.reason) == ["knows the parser", nil, "on holiday"])

                try await app.testing().test(.GET, "/api/v1/tickets/1", headers: bearer(token)) { response in
                    let detail = try response.content.decode(TicketDetailDTO.self)
                    #expect(detail.timeline.filter { $0.event?.hasPrefix("ticket.") == true && $0.event != "ticket.opened" }.map(\.event)
                            == ["ticket.assigned", "ticket.assigned", "ticket.unassigned"])
                    #expect(detail.timeline.contains { $0.event == "ticket.assigned" && $0.reason == "knows the parser" && $0.actorID == agent })
                }
            }
        }

        @Test func theTicketShowsItsAssignee() async throws {
            try await withTestApp { app in
                let token = try await app.staffToken()
                _ = try await app.ingest(IngestionTests.first)
                try await put(app, 1, token: token, AssigneeRequest(assignee: "agent@fairdesk.test")) { response in
                    #expect(response.status == .ok)
                }
                let agent = try await person(app, "agent@fairdesk.test").requireID()
                try await app.testing().test(.GET, "/api/v1/tickets/1", headers: bearer(token)) { response in
                    let detail = try response.content.decode(TicketDetailDTO.self)
                    #expect(detail.ticket.assignee == AssigneeDTO(id: agent, name: "Agent Smith", email: "agent@fairdesk.test"))
                }
                try await app.testing().test(.GET, "/api/v1/tickets", headers: bearer(token)) { response in
                    let page = try response.content.decode(TicketPageDTO.self)
                    #expect(page.tickets.first?.assignee?.id == agent)
                }
            }
        }

        @Test func onlyStaffCanBeAssignedAndTheRefusalNamesTheField() async throws {
            try await withTestApp { app in
                let token = try await app.staffToken()
                _ = try await app.ingest(IngestionTests.first)
                let jane = try await person(app, "jane@customer.example")
                for reference in ["jane@customer.example", try jane.requireID().uuidString] {
                    try await put(app, 1, token: token, AssigneeRequest(assignee: reference)) { response in
                        #expect(response.status == .unprocessableEntity)
                        #expect(response.body.string.contains("assignee"))
                        #expect(response.body.string.contains("customer"))
                    }
                }
                for reference in ["nobody@fairdesk.test", UUID().uuidString, "Agent Smith"] {
                    try await put(app, 1, token: token, AssigneeRequest(assignee: reference)) { response in
                        #expect(response.status == .unprocessableEntity, "\(reference)")
                        #expect(response.body.string.contains("assignee"))
                    }
                }
                // A body without the field is a mistake, not a request to unassign.
                try await app.testing().test(.PUT, "/api/v1/tickets/1/assignee", headers: bearer(token), beforeRequest: { req in
                    req.headers.contentType = .json
                    req.body = ByteBuffer(string: #"{"asignee": "agent@fairdesk.test"}"#)
                }) { response in
                    #expect(response.status == .unprocessableEntity)
                    #expect(response.body.string.contains("assignee"))
                }
                #expect(try await app.ticket(1).$assignee.id == nil)
                #expect(try await events(app, 1).isEmpty)
            }
        }

        @Test func customersAndUnknownTicketsGetNotFound() async throws {
            try await withTestApp { app in
                let token = try await app.staffToken()
                _ = try await app.ingest(IngestionTests.first)
                let jane = try await person(app, "jane@customer.example")
                let customerToken = try await APITokens.create(for: jane, name: "x", on: app.db)
                try await put(app, 1, token: customerToken, AssigneeRequest(assignee: "agent@fairdesk.test")) { response in
                    #expect(response.status == .notFound)
                }
                try await app.testing().test(.GET, "/api/v1/tickets?assignee=me", headers: bearer(customerToken)) { response in
                    #expect(response.status == .notFound)
                }
                try await put(app, 999, token: token, AssigneeRequest(assignee: "agent@fairdesk.test")) { response in
                    #expect(response.status == .notFound)
                }
                try await put(app, 999, token: token, AssigneeRequest(assignee: "jane@customer.example")) { response in
                    #expect(response.status == .notFound, "an unknown ticket is 404 whatever the body says")
                }
                try await app.testing().test(.PUT, "/api/v1/tickets/1/assignee", beforeRequest: { req in
                    try req.content.encode(AssigneeRequest(assignee: "agent@fairdesk.test"))
                }) { response in
                    #expect(response.status == .unauthorized)
                }
                #expect(try await app.ticket(1).$assignee.id == nil)
                #expect(try await events(app, 1).isEmpty)
            }
        }

        @Test func theListFiltersByAssigneeAndPagesCorrectly() async throws {
            try await withTestApp { app in
                let agentToken = try await app.staffToken()
                let bossToken = try await app.staffToken(role: "admin", email: "boss@fairdesk.test")
                for index in 1...6 {
                    _ = try await app.ingest(rawMail("From: customer\(index)@c.example", "Subject: question \(index)", "", "hello"))
                }
                let boss = try await person(app, "boss@fairdesk.test").requireID()
                for number in [1, 3, 5, 6] {
                    try await put(app, number, token: agentToken, AssigneeRequest(assignee: "agent@fairdesk.test")) { response in
                        #expect(response.status == .ok)
                    }
                }
                try await put(app, 2, token: agentToken, AssigneeRequest(assignee: "boss@fairdesk.test")) { response in
                    #expect(response.status == .ok)
                }
                // #6 is resolved: it leaves the queue but stays the agent's.
                try await app.testing().test(.POST, "/api/v1/tickets/6/status", headers: bearer(agentToken), beforeRequest: { req in
                    try req.content.encode(StatusRequest(status: "resolved", reason: nil))
                }) { response in #expect(response.status == .ok) }

                /// Every page of a listing, following `next`.
                func pages(_ query: String, token: String) async throws -> [[Int]] {
                    var pages: [[Int]] = []
                    var after: String?
                    repeat {
                        let path = "/api/v1/tickets?limit=2&\(query)" + (after.map { "&after=\($0)" } ?? "")
                        var page: TicketPageDTO?
                        try await app.testing().test(.GET, path, headers: bearer(token)) { response in
                            #expect(response.status == .ok, "\(path)")
                            page = try response.content.decode(TicketPageDTO.self)
                        }
                        let found = try #require(page)
                        pages.append(found.tickets.map(\.number))
                        after = found.next
                    } while after != nil && pages.count < 10
                    return pages
                }

                let mine = try await pages("assignee=me", token: agentToken)
                #expect(mine == [[6, 5], [3, 1]])
                let myQueue = try await pages("assignee=me&order=queue", token: agentToken)
                #expect(myQueue == [[1, 3], [5]])
                let bossesOwn = try await pages("assignee=me", token: bossToken)
                #expect(bossesOwn == [[2]])
                let bosses = try await pages("assignee=\(boss.uuidString)", token: agentToken)
                #expect(bosses == [[2]])
                let unassigned = try await pages("assignee=none", token: agentToken)
                #expect(unassigned == [[4]])
                let myWaiting = try await pages("assignee=me&status=waiting_on_support", token: agentToken)
                #expect(myWaiting == [[5, 3], [1]])
                try await app.testing().test(.GET, "/api/v1/tickets?assignee=somebody", headers: bearer(agentToken)) { response in
                    #expect(response.status == .badRequest)
                    #expect(response.body.string.contains("assignee"))
                }
            }
        }
    }
}
