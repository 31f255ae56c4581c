import FairdeskPolicy
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import FairdeskServer

extension ServerSuite {
    /// The support policy's pages: the investigations board, the fairness report, the
    /// policy texts and the diagnostic catalog.
    @Suite struct PolicyPagesTests {
        // MARK: Investigations board

        @Test func theBoardListsInvestigationsUnderTheirStage() async throws {
            try await withTestApp { app in
                _ = try await app.ingest(Self.mail(from: "alice@acme.example", subject: "Export crashes"))
                _ = try await app.ingest(Self.mail(from: "bob@other.example", subject: "Slow <report>", id: "bob1@other.example"))
                _ = try await app.ingest(Self.mail(from: "carol@third.example", subject: "Still in the queue"))
                let agent = try await Self.staff(app, role: "agent")
                let empty = try await WebBrowser.signedIn(app, as: agent).get("/desk/investigations")
                #expect(empty.status == .ok)
                #expect(empty.text.contains("No ticket is under investigation."))

                _ = try await Investigations.move(number: 1, to: .reproduce, note: "Trying their file", actor: agent, outOfOrder: nil,
                                                  services: app.fairdesk, on: app.db)
                _ = try await Investigations.move(number: 2, to: .fix, note: "Found the cause", actor: agent, outOfOrder: nil,
                                                  services: app.fairdesk, on: app.db, now: Date().addingTimeInterval(-2 * 3600))
                // Bob writes again while his ticket is in its stage.
                _ = try await app.ingest(rawMail("From: bob@other.example", "To: support@fairdesk.test", "Subject: Re: Slow <report> [#2]",
                                                 "Message-ID: <bob2@other.example>", "In-Reply-To: <bob1@other.example>", "", "Any news?"))

                let board = try await WebBrowser.signedIn(app, as: agent).get("/desk/investigations")
                #expect(board.status == .ok)
                let reproduce = Self.column(board.text, "reproduce")
                let fix = Self.column(board.text, "fix")
                #expect(reproduce.contains("href=\"/desk/tickets/1\">#1</a>") && reproduce.contains("Export crashes"))
                #expect(!reproduce.contains("/desk/tickets/2"))
                #expect(fix.contains("href=\"/desk/tickets/2\">#2</a>"))
                #expect(fix.contains("Slow &lt;report&gt;"), "the subject is escaped")
                #expect(fix.contains("Customer wrote"), "Bob wrote after the ticket entered its stage")
                #expect(!reproduce.contains("Customer wrote"), "Alice has not written since")
                #expect(Self.column(board.text, "investigate").contains("None."))
                #expect(!board.text.contains("Still in the queue"), "a waiting ticket is not on the board")
                #expect(board.text.contains("Investigating for"))
            }
        }

        // MARK: Fairness report

        @Test func theFairnessReportChartsAnswersAndListsReasons() async throws {
            try await withTestApp { app in
                for index in 1...3 { _ = try await app.ingest(Self.mail(from: "c\(index)@c\(index).example", subject: "Question \(index)")) }
                let admin = try await Self.staff(app, role: "admin", email: "admin@fairdesk.test")
                let browser = try await WebBrowser.signedIn(app, as: admin)

                let nothing = try await browser.get("/desk/admin/fairness")
                #expect(nothing.status == .ok)
                #expect(nothing.text.contains("No answers in this range yet."))
                #expect(!nothing.text.contains("<svg"))
                #expect(nothing.text.contains("href=\"/desk/tickets/1\""), "the longest waiting are listed even so")

                let now = Date()
                let rows: [(number: Int, waitingSince: Date, answeredAt: Date, outOfOrder: Bool, reason: String?)] = [
                    (1, now.addingTimeInterval(-5 * 3600), now.addingTimeInterval(-3600), false, nil),
                    (2, now.addingTimeInterval(-3 * 86400), now.addingTimeInterval(-2 * 86400), true, "quick answer"),
                    (3, now.addingTimeInterval(-4 * 86400), now.addingTimeInterval(-2 * 86400 + 60), false, nil),
                ]
                var tickets: [Int: UUID] = [:]
                for row in rows { tickets[row.number] = try await app.ticket(row.number).requireID() }
                let ticketIDs = tickets
                try await app.fairdesk.writes.transaction(on: app.db) { db in
                    for row in rows {
                        try await Rows(db).insert("queue_answers", [
                            "ticket_id": ticketIDs[row.number], "agent_id": admin, "number": row.number, "waiting_since": row.waitingSince,
                            "answered_at": row.answeredAt, "how": "reply", "out_of_order": row.outOfOrder, "reason": row.reason,
                        ])
                    }
                }

                let page = try await browser.get("/desk/admin/fairness?period=day&days=7")
                #expect(page.status == .ok)
                #expect(page.text.components(separatedBy: "<svg").count == 4, "three charts")
                #expect(page.text.contains("role=\"img\""))
                #expect(page.text.contains("<title>Tickets answered per day</title>"))
                #expect(page.text.contains("class=\"chart-bar\""))
                #expect(page.text.contains("<strong>3</strong> tickets answered"))
                let reasons = try #require(page.text.range(of: "class=\"list reasons\"")).upperBound
                #expect(page.text[reasons...].prefix(400).contains("<td>quick answer</td><td>1</td>"))
                #expect(page.text.contains("href=\"/desk/tickets/3\">#3</a>"), "the longest wait answered")
                #expect(!page.text.contains("style="), "no inline style: the CSP forbids it")

                let weekly = try await browser.get("/desk/admin/fairness?period=week&days=28")
                #expect(weekly.status == .ok)
                #expect(weekly.text.contains("Tickets answered per week"))

                let badPeriod = try await browser.get("/desk/admin/fairness?period=month")
                #expect(badPeriod.status == .badRequest)
                #expect(badPeriod.text.contains("Day or week."))
                #expect(badPeriod.text.contains("value=\"month\"") == false, "no such option is invented")
                for days in ["0", "367", "many"] {
                    let bad = try await browser.get("/desk/admin/fairness?days=\(days)")
                    #expect(bad.status == .badRequest, "days=\(days)")
                    #expect(bad.text.lowercased().contains("from 1 to 366"), "days=\(days)")
                    #expect(bad.text.contains("value=\"\(days)\""), "what was typed is kept")
                }
            }
        }

        @Test func agentsCannotSeeTheAdminPages() async throws {
            try await withTestApp { app in
                let agent = try await WebBrowser.signedIn(app, as: try await Self.staff(app, role: "agent"))
                for path in ["/desk/admin/fairness", "/desk/admin/policy", "/desk/admin/catalog"] {
                    #expect(try await agent.get(path).status == .notFound, "\(path)")
                }
                #expect(try await agent.post("/desk/admin/policy/urgency_explanation", ["subject": "Hi", "body": "Hello"]).status == .notFound)
                #expect(try await agent.post("/desk/admin/catalog/new", ["title": "X", "explanation": "Y"]).status == .notFound)
                #expect(try await agent.post("/desk/admin/catalog/os", ["title": "X", "explanation": "Y", "position": "1"]).status == .notFound)
                #expect(try await PolicyTexts(app.db).all().allSatisfy { !$0.edited })
                #expect(try await DiagnosticCatalogStore(app.db).all().allSatisfy { !$0.edited })
                let page = try await agent.get("/desk")
                #expect(page.text.contains("href=\"/desk/investigations\""))
                #expect(!page.text.contains("href=\"/desk/admin/fairness\""), "no admin links for agents")
            }
        }

        // MARK: Policy texts

        @Test func aTemplateWithAnUnknownPlaceholderIsRefusedAndNothingSaved() async throws {
            try await withTestApp { app in
                let admin = try await WebBrowser.signedIn(app, as: try await Self.staff(app, role: "admin", email: "admin@fairdesk.test"))
                let refused = try await admin.post("/desk/admin/policy/urgency_explanation",
                                                   ["subject": "About our order", "body": "Hello {{nmae}}, we answer in order.", "action": "save"])
                #expect(refused.status == .unprocessableEntity)
                #expect(refused.text.contains("Unknown placeholder {{nmae}}"))
                #expect(refused.text.contains("Hello {{nmae}}, we answer in order.</textarea>"), "what was typed is kept")
                #expect(refused.text.contains("aria-invalid=\"true\""))
                #expect(try await PolicyTexts(app.db).all().allSatisfy { !$0.edited })

                let empty = try await admin.post("/desk/admin/policy/urgency_explanation", ["subject": "", "body": "Hello", "action": "save"])
                #expect(empty.status == .unprocessableEntity)
                #expect(empty.text.contains("A subject is needed."))
                #expect(try await admin.post("/desk/admin/policy/no_such_text", ["subject": "A", "body": "B"]).status == .notFound)
                #expect(try await admin.post("/desk/admin/policy/urgency_explanation", ["subject": "A", "body": "B"], csrf: false).status != .seeOther,
                        "a form without its CSRF value is refused")
                #expect(try await PolicyTexts(app.db).all().allSatisfy { !$0.edited })
            }
        }

        @Test func aValidEditShowsEditedAndResetRestoresTheDefault() async throws {
            try await withTestApp { app in
                let admin = try await WebBrowser.signedIn(app, as: try await Self.staff(app, role: "admin", email: "admin@fairdesk.test"))
                let before = try await admin.get("/desk/admin/policy")
                #expect(before.status == .ok)
                for template in PolicyTemplates.all { #expect(before.text.contains("id=\"policy-\(template.key)\"")) }
                #expect(!before.text.contains("class=\"badge edited\""))

                let saved = try await admin.post("/desk/admin/policy/urgency_explanation",
                                                 ["subject": "Our order", "body": "Hello {{name}},\r\nyou are number {{position}} <in line>.", "action": "save"])
                #expect(saved.status == .seeOther)
                #expect(saved.location?.hasPrefix("/desk/admin/policy?saved=urgency_explanation") == true)
                let entry = try #require(try await PolicyTexts(app.db).all().first { $0.template.key == "urgency_explanation" })
                #expect(entry.edited && entry.template.body == "Hello {{name}},\nyou are number {{position}} <in line>.")

                let after = try await admin.get(Self.path(try #require(saved.location)))
                let section = Self.section(after.text, id: "policy-urgency_explanation")
                #expect(section.contains("<span class=\"badge edited\">edited</span>"))
                #expect(section.contains("you are number {{position}} &lt;in line&gt;.</textarea>"))
                #expect(section.contains("Restore the default"))
                #expect(after.text.contains("Saved “Answer to a claim of urgency”."))

                let reset = try await admin.post("/desk/admin/policy/urgency_explanation", ["subject": "x", "body": "y", "action": "reset"])
                #expect(reset.status == .seeOther)
                #expect(try await PolicyTexts(app.db).all().allSatisfy { !$0.edited })
                let restored = Self.section(try await admin.get("/desk/admin/policy").text, id: "policy-urgency_explanation")
                #expect(restored.contains("<span class=\"badge\">default</span>"))
                #expect(restored.contains(HTMLEscaping.attribute(PolicyTemplates.urgencyExplanation.subject)))
            }
        }

        // MARK: Diagnostic catalog

        @Test func anAdminAddsEditsSwitchesOffAndResetsCatalogItems() async throws {
            try await withTestApp { app in
                let adminID = try await Self.staff(app, role: "admin", email: "admin@fairdesk.test")
                let admin = try await WebBrowser.signedIn(app, as: adminID)
                let page = try await admin.get("/desk/admin/catalog")
                #expect(page.status == .ok)
                #expect(page.text.contains("id=\"item-minidump\""))

                // Add.
                let refused = try await admin.post("/desk/admin/catalog/new", ["title": "  ", "explanation": "Run pg_dump --schema-only"])
                #expect(refused.status == .unprocessableEntity)
                #expect(refused.text.contains("A title is needed."))
                #expect(refused.text.contains("Run pg_dump --schema-only</textarea>"))
                let added = try await admin.post("/desk/admin/catalog/new", ["title": "Database schema", "explanation": "Run pg_dump --schema-only."])
                #expect(added.status == .seeOther)
                #expect(added.location?.contains("added=custom-database-schema") == true)
                let items = try await DiagnosticCatalogStore(app.db).all()
                let custom = try #require(items.first { $0.key.rawValue == "custom-database-schema" })
                #expect(custom.active && !custom.seeded && custom.position > items.filter(\.seeded).map(\.position).max()!)
                #expect(try await admin.get(Self.path(try #require(added.location))).text.contains("Added “Database schema”"))

                // Edit and switch off a seeded item (no "active": the box was not ticked).
                let badPosition = try await admin.post("/desk/admin/catalog/os", ["title": "OS", "explanation": "Which one?", "position": "first", "action": "save"])
                #expect(badPosition.status == .unprocessableEntity)
                #expect(Self.section(badPosition.text, id: "item-os").contains("A whole number from 0 to 100000."))
                let edited = try await admin.post("/desk/admin/catalog/os",
                                                  ["title": "Operating system <and version>", "explanation": "Tell us which one.", "position": "500", "action": "save"])
                #expect(edited.status == .seeOther)
                let os = try #require(try await DiagnosticCatalogStore(app.db).all().first { $0.key == .operatingSystem })
                #expect(os.title == "Operating system <and version>" && !os.active && os.position == 500 && os.edited)
                #expect(try await DiagnosticCatalogStore(app.db).active().contains { $0.key == .operatingSystem } == false)
                let shown = Self.section(try await admin.get("/desk/admin/catalog").text, id: "item-os")
                #expect(shown.contains("Operating system &lt;and version&gt;"))
                #expect(shown.contains("switched off"))

                // Switch it on again, then restore the default.
                _ = try await admin.post("/desk/admin/catalog/os", ["title": "OS", "explanation": "Tell us which one.", "position": "0", "active": "on", "action": "save"])
                #expect(try await DiagnosticCatalogStore(app.db).active().contains { $0.key == .operatingSystem })
                let reset = try await admin.post("/desk/admin/catalog/os", ["action": "reset"])
                #expect(reset.status == .seeOther)
                let restored = try #require(try await DiagnosticCatalogStore(app.db).all().first { $0.key == .operatingSystem })
                #expect(!restored.edited && restored.title == DiagnosticCatalog.item(for: .operatingSystem)?.title)

                // An added item's reset removes it; an unknown key is not found.
                #expect(try await admin.post("/desk/admin/catalog/custom-database-schema", ["action": "reset"]).status == .seeOther)
                #expect(try await DiagnosticCatalogStore(app.db).all().contains { $0.key.rawValue == "custom-database-schema" } == false)
                #expect(try await admin.post("/desk/admin/catalog/nothing-here", ["title": "A", "explanation": "B", "position": "1"]).status == .notFound)
            }
        }

        // MARK: Helpers

        static func mail(from: String, subject: String, id: String = "\(UUID().uuidString)@sender.example") -> [UInt8] {
            rawMail("From: \(from)", "To: support@fairdesk.test", "Subject: \(subject)", "Message-ID: <\(id)>", "", "Hello, \(subject).")
        }

        static func staff(_ app: Application, role: String, email: String = "agent@fairdesk.test") async throws -> UUID {
            _ = try await Accounts.createStaff(app, email: email, name: "Staff \(role)", role: role, password: "correct horse battery")
            return try #require(try await PeopleDirectory(database: app.db).person(forAddress: email)).requireID()
        }

        /// A redirect's location without its fragment (browsers keep that to themselves).
        static func path(_ location: String) -> String {
            String(location.prefix { $0 != "#" })
        }

        /// The board's column for `stage`, up to the next column.
        static func column(_ html: String, _ stage: String) -> String {
            section(html, id: "stage-\(stage)", until: "class=\"board-column\"")
        }

        /// From the element with `id` to the next `<section` (or `until`).
        static func section(_ html: String, id: String, until: String = "<section") -> String {
            guard let start = html.range(of: "id=\"\(id)\"") else { return "" }
            let rest = html[start.upperBound...]
            let end = rest.range(of: until)?.lowerBound ?? rest.endIndex
            return String(rest[..<end])
        }
    }
}

/// `SVGChart` on its own: no database, no HTTP.
@Suite struct PolicyPagesChartTests {
    static func bars(_ values: [Double?], title: String = "Answered", labels: [String]? = nil) -> SVGChart {
        SVGChart(title: title, kind: .bars, format: .count, labels: labels ?? values.indices.map { "d\($0)" },
                 series: [.init(name: "answered", values: values)])
    }

    static func heights(_ svg: String) -> [Double] {
        svg.matches(of: /<rect class="chart-bar"[^>]* height="([0-9.]+)"/).compactMap { Double(String($0.output.1)) }
    }

    @Test func barsScaleToTheLargestValueOnARoundAxis() {
        let chart = Self.bars([1, 2, 4, 0])
        #expect(chart.scale.top == 4 && chart.scale.step == 1)
        let heights = Self.heights(chart.render())
        let full = chart.plotHeight
        #expect(heights.count == 4)
        #expect(heights == [full / 4, full / 2, full, 0].map { (($0 * 10).rounded()) / 10 })
        #expect(chart.render().contains("<title>d2: answered 4</title>"))
    }

    @Test func theAxisRoundsUpToANiceStep() {
        #expect(SVGChart.niceScale(largest: 7.3, integers: false) == (top: 8, step: 2))
        let small = SVGChart.niceScale(largest: 0.3, integers: false)
        #expect(abs(small.top - 0.3) < 1e-9 && abs(small.step - 0.1) < 1e-9)
        #expect(SVGChart.niceScale(largest: 3, integers: true) == (top: 3, step: 1))
        #expect(SVGChart.niceScale(largest: 0, integers: true) == (top: 4, step: 1))
        let share = SVGChart(title: "Out of order", kind: .bars, format: .percent, labels: ["a"], series: [.init(name: "share", values: [0.5])],
                             fixedTop: 1)
        #expect(Self.heights(share.render()) == [(share.plotHeight / 2 * 10).rounded() / 10])
        #expect(share.render().contains(">100%</text>") && share.render().contains(">25%</text>"))
    }

    @Test func emptyDataDrawsAnEmptyChart() {
        for chart in [Self.bars([], labels: []), Self.bars([nil, nil])] {
            let svg = chart.render()
            #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>"))
            #expect(svg.contains("role=\"img\"") && svg.contains("<title>Answered</title>"))
            #expect(svg.contains("No data"))
            #expect(!svg.contains("<rect"))
        }
    }

    @Test func linesLeaveGapsForMissingValues() {
        let chart = SVGChart(title: "Wait", kind: .lines, format: .hours, labels: ["a", "b", "c", "d"],
                             series: [.init(name: "median", values: [1, nil, 2, 3]), .init(name: "p90", values: [2, nil, nil, 4])])
        let svg = chart.render()
        let paths = svg.matches(of: /<path class="chart-line" d="([^"]+)"/).map { String($0.output.1) }
        #expect(paths.count == 2)
        #expect(paths[0].filter { $0 == "M" }.count == 2 && paths[0].filter { $0 == "L" }.count == 1)
        #expect(paths[1].filter { $0 == "M" }.count == 2 && !paths[1].contains("L"))
        #expect(svg.components(separatedBy: "<circle").count - 1 == 5, "a point per value")
        #expect(svg.contains("<title>c: median 2.0 h</title>"))
        #expect(svg.contains("class=\"chart-legend\""), "two series get a legend")
    }

    @Test func shortWaitsReadInMinutes() {
        let chart = SVGChart(title: "Wait", kind: .lines, format: .hours, labels: ["a", "b"],
                             series: [.init(name: "median", values: [0.25, 0.5])])
        #expect(abs(chart.scale.top - 0.5) < 1e-9 && abs(chart.scale.step - 10.0 / 60) < 1e-9)
        let svg = chart.render()
        #expect(svg.contains(">30 min</text>") && svg.contains(">10 min</text>"))
        #expect(svg.contains("<title>a: median 15 min</title>"))
        #expect(!svg.contains(" h</text>"))
    }

    @Test func labelsAndTitlesAreEscaped() {
        let svg = Self.bars([1], title: "Answers \"<script>alert(1)</script>\" & more", labels: ["<b>day</b>"]).render()
        #expect(!svg.contains("<script>") && !svg.contains("<b>"))
        #expect(svg.contains("aria-label=\"Answers &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot; &amp; more\""))
        #expect(svg.contains("&lt;b&gt;day&lt;/b&gt;"))
        #expect(!svg.contains("style="))
    }
}
