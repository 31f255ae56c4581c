import FairdeskPolicy
import Foundation
import Plot

/// The support policy on the ticket pages: the queue (position, who holds it, the reason an
/// out-of-order answer needs), the investigation, the information checklist, and calls or
/// remote sessions. Models and pure views; `TicketPages` places them.
enum PolicyPanels {
    /// The desk's policy panel.
    struct Desk: Sendable {
        var number: Int
        var status: TicketStatus
        /// Set when answering this ticket now would be out of order: the older ticket's number.
        var olderWaiting: Int?
        var heldBy: String?
        var heldByViewer: Bool
        var stage: InvestigationStage?
        var stageSince: Date?
        var checklist: [Check]
        var sessions: [Session]
        var planName: String
        /// Real-time channels the plan includes (others are escalations).
        var planChannels: Set<SupportChannel>
        var investigation = TicketPages.Form()
        var session = TicketPages.Form()
        /// Values typed into the session forms, shown again after a refusal.
        var sessionValues: [String: String] = [:]
    }

    struct Check: Sendable {
        var title: String
        /// asked, provided or missing.
        var status: String
        var evidence: String?
    }

    struct Session: Sendable {
        var channel: String
        var scheduledFor: String?
        var happened: String?
        var agents: String
        var summary: String?
        var escalationReason: String?
    }

    /// The portal's view of the same: place in line, investigation stage, checklist.
    struct Portal: Sendable {
        var number: Int
        var estimate: WaitEstimate?
        var stage: InvestigationStage?
        var checklist: [Check]
        /// Items still wanted, for the upload form: key and title.
        var wanted: [(key: String, title: String)]
        var maxUploadBytes: Int
        var provide = TicketPages.Form()
    }

    // MARK: Out of order

    /// The reason an out-of-order answer needs, inside the form that answers.
    static func outOfOrderFields(olderWaiting: Int?, idPrefix: String, errors: [String: String]) -> Node<HTML.FormContext> {
        guard let older = olderWaiting else { return .empty }
        let error = errors["outOfOrderReason"]
        return .fieldset(
            .class(error == nil ? "out-of-order" : "out-of-order invalid"),
            .element(named: "legend", nodes: [.text("Out of order: #\(older) has waited longer")]),
            .p(.class("muted"), .text("First come, first served. Say why this one goes first; it is recorded on the timeline and in the fairness report.")),
            .div(.class("field"),
                 .label(.for("\(idPrefix)-ooo"), .text("Reason")),
                 .select(.attribute(named: "name", value: "ooo_reason"), .id("\(idPrefix)-ooo"),
                         .attribute(named: "aria-invalid", value: error == nil ? nil : "true"),
                         option(value: "", label: "Choose a reason", selected: true),
                         .forEach(OutOfOrderReason.choices) { option(value: $0.code, label: $0.title, selected: false) })),
            .div(.class("field"),
                 .label(.for("\(idPrefix)-ooo-text"), .text("In your words (needed for \u{201C}other\u{201D})")),
                 .input(.type(.text), .name("ooo_text"), .id("\(idPrefix)-ooo-text"), .attribute(named: "maxlength", value: "500"))),
            .unwrap(error) { .p(.class("error"), .attribute(named: "role", value: "alert"), .exactText($0)) })
    }

    // MARK: Desk

    static func desk(_ model: Desk, staff: [TicketPages.PersonLink], csrfToken: String, now: Date) -> Node<HTML.BodyContext> {
        .group(
            queue(model),
            investigation(model, csrfToken: csrfToken, now: now),
            information(model),
            sessions(model, staff: staff, csrfToken: csrfToken))
    }

    private static func queue(_ model: Desk) -> Node<HTML.BodyContext> {
        guard model.status == .waitingOnSupport else { return .empty }
        return .section(.class("policy queue-facts"),
                        .h2("Queue"),
                        .if(model.olderWaiting == nil && model.heldBy == nil, .p(.text("First in line: it is the next ticket."))),
                        .unwrap(model.heldBy) { holder in
                            .p(.text(model.heldByViewer ? "You took it with Next." : "Held by "), model.heldByViewer ? .empty : .exactText(holder + "."))
                        },
                        .unwrap(model.olderWaiting) { older in
                            .p(.class("muted"), .text("#\(older) has waited longer: answering this one first asks for a reason."))
                        })
    }

    private static func investigation(_ model: Desk, csrfToken: String, now: Date) -> Node<HTML.BodyContext> {
        guard model.status != .resolved else { return .empty }
        let errors = model.investigation.errors
        return .form(
            .class("policy"), .id("investigation"),
            .action(DeskPaths.ticketInvestigation.link(["number": String(model.number)])), .method(.post),
            Layout.csrfField(csrfToken),
            .h2("Investigation"),
            .unwrap(model.stage) { stage in
                .p(.text("Stage: "), .strong(.text(stage.title)),
                   .unwrap(model.stageSince) { .text(" for \(Format.age(from: $0, to: now))") })
            },
            .if(model.stage == nil, .p(.class("muted"), .text("A long investigation leaves the queue and goes on the investigations board; the customer sees its stage."))),
            .div(.class("field"),
                 .label(.for("investigation-stage"), .text("Stage")),
                 .select(.attribute(named: "name", value: "stage"), .id("investigation-stage"),
                         .forEach(InvestigationStage.allCases) { option(value: $0.rawValue, label: $0.title, selected: $0 == (model.stage ?? .reproduce)) })),
            .div(.class(errors["note"] == nil ? "field" : "field invalid"),
                 .label(.for("investigation-note"), .text("Note for agents (what and what next)")),
                 .textarea(.name("note"), .id("investigation-note"), .rows(3), .exactText(model.investigation.text)),
                 .unwrap(errors["note"]) { .p(.class("error"), .exactText($0)) }),
            outOfOrderFields(olderWaiting: model.olderWaiting, idPrefix: "investigation", errors: errors),
            .button(.type(.submit), .class("secondary"), .text(model.stage == nil ? "Start investigating" : "Update stage")))
    }

    private static func information(_ model: Desk) -> Node<HTML.BodyContext> {
        .section(.class("policy"), .id("information"),
                 .h2("Information"),
                 checklist(model.checklist),
                 .if(model.status != .resolved,
                     .p(.a(.href(DeskPaths.ticketInfoRequest(model.number)), .text("Ask for information…")))))
    }

    static func checklist(_ checks: [Check]) -> Node<HTML.BodyContext> {
        guard !checks.isEmpty else { return .p(.class("muted"), .text("Nothing asked yet.")) }
        return .ul(.class("checklist"),
                   .forEach(checks) { check in
                       .li(.class("check \(check.status)"),
                           .span(.class("state"), .text(check.status)),
                           .text(" "),
                           .exactText(check.title),
                           .unwrap(check.evidence) { .div(.class("evidence muted"), .exactText($0)) })
                   })
    }

    private static func sessions(_ model: Desk, staff: [TicketPages.PersonLink], csrfToken: String) -> Node<HTML.BodyContext> {
        let realTime = SupportChannel.allCases.filter(\.isRealTime)
        let errors = model.session.errors
        let values = model.sessionValues
        func channelSelect(_ id: String) -> Node<HTML.FormContext> {
            .div(.class("field"),
                 .label(.for(id), .text("Channel")),
                 .select(.attribute(named: "name", value: "channel"), .id(id),
                         .forEach(realTime) { channel in
                             option(value: channel.rawValue,
                                    label: channel.title + (model.planChannels.contains(channel) ? "" : " (escalation)"),
                                    selected: values["channel"] == channel.rawValue)
                         }))
        }
        func error(_ name: String) -> Node<HTML.FormContext> {
            .unwrap(errors[name]) { .p(.class("error"), .attribute(named: "role", value: "alert"), .exactText($0)) }
        }
        func input(_ name: String, _ id: String, label: String, type: String, required: Bool = true) -> Node<HTML.FormContext> {
            .div(.class(errors[name] == nil ? "field" : "field invalid"),
                 .label(.for(id), .text(label)),
                 .input(.attribute(named: "type", value: type), .name(name), .id(id), .value(HTMLEscaping.attribute(values[name] ?? "")),
                        .attribute(named: "required", value: required ? "required" : nil)),
                 error(name))
        }
        let reasonLabel = "Why email is not working (needed on the \(model.planName) plan)"
        return .section(
            .class("policy"), .id("sessions"),
            .h2("Calls and remote sessions"),
            .p(.class("muted"), .text("Email first: on the \(model.planName) plan, \(SupportChannel.allCases.filter { $0.isRealTime && !model.planChannels.contains($0) }.map(\.title).joined(separator: ", ").ifEmpty("nothing")) is an escalation and needs a recorded reason.")),
            .if(!model.sessions.isEmpty, .ul(.class("sessions"), .forEach(model.sessions) { session in
                .li(.strong(.exactText(session.channel)), .text(" "),
                    .unwrap(session.scheduledFor) { .exactText("scheduled for \($0)") },
                    .unwrap(session.happened) { .exactText($0) },
                    .if(!session.agents.isEmpty, .exactText(", with \(session.agents)")),
                    .unwrap(session.escalationReason) { .div(.class("muted"), .exactText("Escalated because: \($0)")) },
                    .unwrap(session.summary) { .div(.exactText($0)) })
            })),
            .unwrap(errors["form"]) { .p(.class("error"), .attribute(named: "role", value: "alert"), .exactText($0)) },
            .details(.summary("Schedule a call or session"),
                     .form(.action(DeskPaths.ticketSessionSchedule.link(["number": String(model.number)])), .method(.post),
                           Layout.csrfField(csrfToken),
                           channelSelect("schedule-channel"),
                           input("scheduledFor", "schedule-at", label: "When (in the customer's time)", type: "datetime-local"),
                           input("customerTimezone", "schedule-zone", label: "Customer's time zone (e.g. Europe/Berlin)", type: "text"),
                           input("reason", "schedule-reason", label: reasonLabel, type: "text", required: false),
                           .button(.type(.submit), .class("secondary"), .text("Schedule")))),
            .details(.summary("Log a call or session that happened"),
                     .form(.action(DeskPaths.ticketSessionLog.link(["number": String(model.number)])), .method(.post),
                           Layout.csrfField(csrfToken),
                           channelSelect("log-channel"),
                           input("startedAt", "log-start", label: "Started (UTC)", type: "datetime-local"),
                           input("endedAt", "log-end", label: "Ended (UTC)", type: "datetime-local"),
                           .div(.class(errors["agents"] == nil ? "field" : "field invalid"),
                                .label(.for("log-agents"), .text("Agents present")),
                                .select(.attribute(named: "name", value: "agents[]"), .id("log-agents"), .attribute(named: "multiple", value: "multiple"),
                                        .forEach(staff) { option(value: $0.id.uuidString, label: $0.label, selected: false) }),
                                error("agents")),
                           .div(.class(errors["summary"] == nil ? "field" : "field invalid"),
                                .label(.for("log-summary"), .text("Summary")),
                                .textarea(.name("summary"), .id("log-summary"), .rows(3), .exactText(values["summary"] ?? "")),
                                error("summary")),
                           input("reason", "log-reason", label: reasonLabel + ", unless one was scheduled", type: "text", required: false),
                           .button(.type(.submit), .class("secondary"), .text("Log it")))))
    }

    // MARK: Portal

    static func portal(_ model: Portal, csrfToken: String) -> Node<HTML.BodyContext> {
        .group(
            .unwrap(model.estimate) { estimate in
                .section(.class("policy queue-facts"), .h2("Your place in line"), .p(.exactText(estimate.sentence)))
            },
            .unwrap(model.stage) { stage in
                .section(.class("policy"), .h2("Investigation"),
                         .p(.text("Stage: "), .strong(.text(stage.title))), .p(.text(stage.customerDescription)))
            },
            .if(!model.checklist.isEmpty, .section(
                .class("policy"), .id("information"),
                .h2("Information we asked for"),
                checklist(model.checklist),
                .if(!model.wanted.isEmpty, provideForm(model, csrfToken: csrfToken)))))
    }

    private static func provideForm(_ model: Portal, csrfToken: String) -> Node<HTML.BodyContext> {
        let errors = model.provide.errors
        return .form(
            .action(PortalPaths.ticketProvide.link(["number": String(model.number)])), .method(.post), .enctype(.multipartData),
            Layout.csrfField(csrfToken),
            .h3("Send an item"),
            .div(.class(errors["item"] == nil ? "field" : "field invalid"),
                 .label(.for("provide-item"), .text("Item")),
                 .select(.attribute(named: "name", value: "item"), .id("provide-item"),
                         .forEach(model.wanted) { option(value: $0.key, label: $0.title, selected: false) }),
                 .unwrap(errors["item"]) { .p(.class("error"), .exactText($0)) }),
            .div(.class(errors["files"] == nil ? "field" : "field invalid"),
                 .label(.for("provide-files"), .text("Files (up to \(Format.size(model.maxUploadBytes)) in all)")),
                 .input(.type(.file), .name("files[]"), .id("provide-files"), .multiple(true)),
                 .unwrap(errors["files"]) { .p(.class("error"), .exactText($0)) }),
            .div(.class(errors["body"] == nil ? "field" : "field invalid"),
                 .label(.for("provide-body"), .text("A few words (or paste the text here)")),
                 .textarea(.name("body"), .id("provide-body"), .rows(4), .exactText(model.provide.text)),
                 .unwrap(errors["body"]) { .p(.class("error"), .exactText($0)) }),
            .button(.type(.submit), .text("Send")))
    }

    static func option(value: String, label: String, selected: Bool) -> Node<HTML.SelectContext> {
        .element(named: "option", nodes: [
            .attribute(named: "value", value: HTMLEscaping.attribute(value), ignoreIfValueIsEmpty: false),
            .if(selected, .attribute(named: "selected")),
            .exactText(label),
        ])
    }
}

private extension String {
    func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
