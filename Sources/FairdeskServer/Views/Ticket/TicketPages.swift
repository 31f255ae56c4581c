import FairdeskPolicy
import Foundation
import Plot

/// The ticket page of the desk (agents) and of the portal (customers): models and views.
enum TicketPages {
    struct PersonLink: Sendable {
        var id: UUID
        var label: String
    }

    /// The facts at the top of the page.
    struct Header: Sendable {
        var number: Int
        var subject: String
        var status: TicketStatus
        var requester: PersonLink
        var organization: PersonLink
        var assignee: PersonLink?
        var waitingSince: Date?
        var createdAt: Date?
        var flags: [String]
    }

    /// A form shown again after a refusal: what was typed, and the problem by field name.
    struct Form: Sendable {
        var text = ""
        var errors: [String: String] = [:]
    }

    /// What a page says after a successful POST (`?notice=`): a fixed set, so a link
    /// cannot make the page say anything else.
    enum Notice: String, Sendable, CaseIterable {
        case replied, noted, status, assigned, unassigned, investigating, requested, scheduled, logged, provided

        var text: String {
            switch self {
            case .replied: return "Your reply was sent."
            case .noted: return "The internal note was added."
            case .status: return "The status was changed."
            case .assigned: return "The ticket was assigned."
            case .unassigned: return "The ticket is unassigned now."
            case .investigating: return "The investigation stage was recorded."
            case .requested: return "The information request was sent."
            case .scheduled: return "The call or session was scheduled."
            case .logged: return "The call or session was logged."
            case .provided: return "Thank you: we have received it."
            }
        }
    }

    struct Desk: Sendable {
        var header: Header
        var timeline: Timeline.Model
        /// Agents and admins the ticket can be assigned to.
        var staff: [PersonLink]
        var viewerID: UUID
        /// Where replies go (the requester's address).
        var replyTo: String?
        var maxUploadBytes: Int
        var now: Date
        var notice: Notice?
        var reply = Form()
        var note = Form()
        var policy: PolicyPanels.Desk
    }

    struct Portal: Sendable {
        var header: Header
        var timeline: Timeline.Model
        var maxUploadBytes: Int
        var now: Date
        var notice: Notice?
        var reply = Form()
        var policy: PolicyPanels.Portal
    }

    // MARK: Desk

    static func desk(_ model: Desk, viewer: Viewer?, csrfToken: String) -> HTML {
        let header = model.header
        let number = header.number
        return Layout.page(
            title: "#\(number) \(header.subject)", viewer: viewer, csrfToken: csrfToken, notice: model.notice?.text,
            .h1(.exactText("#\(number) \(header.subject)")),
            .div(.class("columns"),
                 .div(.class("ticket"),
                      Timeline.view(model.timeline),
                      replyForm(action: DeskPaths.ticketReply.link(["number": String(number)]), form: model.reply,
                                label: "Reply to \(model.replyTo ?? header.requester.label)", button: "Send reply",
                                maxUploadBytes: model.maxUploadBytes, csrfToken: csrfToken,
                                extra: PolicyPanels.outOfOrderFields(olderWaiting: model.policy.olderWaiting, idPrefix: "reply",
                                                                     errors: model.reply.errors)),
                      .form(.id("note"), .action(DeskPaths.ticketNote.link(["number": String(number)])), .method(.post),
                            Layout.csrfField(csrfToken),
                            .h2("Internal note"),
                            textArea(name: "body", id: "note-body", label: "Only agents see it.", key: "i", form: model.note),
                            .button(.type(.submit), .class("secondary"), .text("Add internal note")))),
                 .aside(.class("panel"),
                        // Done here? Next takes the oldest waiting ticket nobody holds.
                        .form(.class("next"), .action(DeskPaths.next.link()), .method(.post),
                              Layout.csrfField(csrfToken),
                              .button(.type(.submit), .class("secondary"), .attribute(named: "data-key", value: "n"), .text("Next ticket"))),
                        facts(header, now: model.now, forCustomer: false),
                        statusForm(header, csrfToken: csrfToken),
                        assigneeForm(model, csrfToken: csrfToken),
                        PolicyPanels.desk(model.policy, staff: model.staff, csrfToken: csrfToken, now: model.now)))
        )
    }

    private static func statusForm(_ header: Header, csrfToken: String) -> Node<HTML.BodyContext> {
        .form(.action(DeskPaths.ticketStatus.link(["number": String(header.number)])), .method(.post),
              Layout.csrfField(csrfToken),
              .div(.class("field"),
                   .label(.for("status"), .text("Status")),
                   .select(.attribute(named: "name", value: "status"), .id("status"),
                           // Investigating needs a stage and a note: its own form.
                           .forEach(TicketStatus.allCases.filter { $0 != .investigating || $0 == header.status }) { status in
                               option(value: status.rawValue, label: statusLabel(status, forCustomer: false), selected: status == header.status)
                           })),
              reasonField(id: "status-reason"),
              .button(.type(.submit), .text("Change status")))
    }

    private static func assigneeForm(_ model: Desk, csrfToken: String) -> Node<HTML.BodyContext> {
        let number = model.header.number
        let action = DeskPaths.ticketAssignee.link(["number": String(number)])
        let current = model.header.assignee?.id
        return .group(
            .form(.action(action), .method(.post),
                  Layout.csrfField(csrfToken),
                  .div(.class("field"),
                       .label(.for("assignee"), .text("Assignee")),
                       .select(.attribute(named: "name", value: "assignee"), .id("assignee"),
                               option(value: "", label: "Nobody", selected: current == nil),
                               .forEach(model.staff) { person in
                                   option(value: person.id.uuidString, label: person.label, selected: person.id == current)
                               })),
                  reasonField(id: "assignee-reason"),
                  .button(.type(.submit), .text("Assign"))),
            .if(current != model.viewerID,
                .form(.action(action), .method(.post),
                      Layout.csrfField(csrfToken),
                      .input(.type(.hidden), .name("assignee"), .value(model.viewerID.uuidString)),
                      .button(.type(.submit), .class("secondary"), .attribute(named: "data-key", value: "t"), .text("Take it"))))
        )
    }

    // MARK: Portal

    static func portal(_ model: Portal, viewer: Viewer?, csrfToken: String) -> HTML {
        let header = model.header
        return Layout.page(
            title: "#\(header.number) \(header.subject)", viewer: viewer, csrfToken: csrfToken, notice: model.notice?.text,
            .h1(.exactText("#\(header.number) \(header.subject)")),
            .div(.class("columns"),
                 .div(.class("ticket"),
                      Timeline.view(model.timeline),
                      replyForm(action: PortalPaths.ticketReply.link(["number": String(header.number)]), form: model.reply,
                                label: "Your reply", button: "Send", maxUploadBytes: model.maxUploadBytes, csrfToken: csrfToken)),
                 .aside(.class("panel"), facts(header, now: model.now, forCustomer: true),
                        PolicyPanels.portal(model.policy, csrfToken: csrfToken)))
        )
    }

    // MARK: Parts

    private static func replyForm(action: String, form: Form, label: String, button: String, maxUploadBytes: Int,
                                  csrfToken: String, extra: Node<HTML.FormContext> = .empty) -> Node<HTML.BodyContext> {
        let filesError = form.errors["files"]
        return .form(.id("reply"), .action(action), .method(.post), .enctype(.multipartData),
                     Layout.csrfField(csrfToken),
                     .h2("Reply"),
                     .unwrap(form.errors["form"]) { .p(.class("error"), .attribute(named: "role", value: "alert"), .exactText($0)) },
                     textArea(name: "body", id: "reply-body", label: label, key: "r", form: form),
                     .div(.class(filesError == nil ? "field" : "field invalid"),
                          .label(.for("reply-files"), .text("Attachments (up to \(Format.size(maxUploadBytes)) in all)")),
                          .input(.type(.file), .name("files[]"), .id("reply-files"), .multiple(true),
                                 .attribute(named: "aria-invalid", value: filesError == nil ? nil : "true")),
                          .unwrap(filesError) { .p(.class("error"), .exactText($0)) }),
                     extra,
                     .button(.type(.submit), .text(button)))
    }

    private static func textArea(name: String, id: String, label: String, key: String, form: Form) -> Node<HTML.FormContext> {
        let error = form.errors[name]
        return .div(.class(error == nil ? "field" : "field invalid"),
                    .label(.for(id), .exactText(label)),
                    .textarea(.name(name), .id(id), .rows(8), .attribute(named: "data-key", value: key),
                              .attribute(named: "aria-invalid", value: error == nil ? nil : "true"),
                              .exactText(form.text)),
                    .unwrap(error) { .p(.class("error"), .exactText($0)) })
    }

    /// An optional "why" (both side forms have one, so each needs its own id).
    private static func reasonField(id: String) -> Node<HTML.FormContext> {
        .div(.class("field"),
             .label(.for(id), .text("Why (optional)")),
             .input(.type(.text), .name("reason"), .id(id), .attribute(named: "maxlength", value: "1000")))
    }

    private static func option(value: String, label: String, selected: Bool) -> Node<HTML.SelectContext> {
        .element(named: "option", nodes: [
            .attribute(named: "value", value: HTMLEscaping.attribute(value), ignoreIfValueIsEmpty: false),
            .if(selected, .attribute(named: "selected")),
            .exactText(label),
        ])
    }

    private static func facts(_ header: Header, now: Date, forCustomer: Bool) -> Node<HTML.BodyContext> {
        .dl(.class("facts"),
            .dt("Status"), .dd(.text(statusLabel(header.status, forCustomer: forCustomer))),
            .dt("Requester"),
            .dd(forCustomer ? .exactText(header.requester.label)
                : .a(.href(DeskPaths.person(header.requester.id)), .exactText(header.requester.label))),
            .dt("Organization"),
            .dd(forCustomer ? .exactText(header.organization.label)
                : .a(.href(DeskPaths.organization(header.organization.id)), .exactText(header.organization.label))),
            .if(!forCustomer, .group(.dt("Assignee"), .dd(.exactText(header.assignee?.label ?? "Nobody")))),
            .unwrap(header.waitingSince) { since in
                .group(.dt(forCustomer ? "In the queue since" : "Waiting since"),
                       .dd(Timeline.time(since), .text(" (\(Format.age(from: since, to: now)))")))
            },
            .unwrap(header.createdAt) { created in
                .group(.dt("Opened"), .dd(Timeline.time(created), .text(" (\(Format.ago(from: created, to: now)))")))
            },
            .if(!forCustomer && !header.flags.isEmpty,
                .group(.dt("Flags"), .dd(.forEach(header.flags) { .span(.class("flag"), .exactText($0)) }))))
    }

    // MARK: Words

    static func statusLabel(_ status: TicketStatus, forCustomer: Bool) -> String {
        switch status {
        case .waitingOnSupport: return "Waiting on support"
        case .waitingOnCustomer: return forCustomer ? "Waiting for your reply" : "Waiting on customer"
        case .investigating: return forCustomer ? "Under investigation" : "Investigating"
        case .resolved: return "Resolved"
        }
    }

    /// `waiting_on_customer → resolved` in words.
    static func statusChange(_ detail: String, forCustomer: Bool) -> String {
        detail.components(separatedBy: " → ").map { raw in
            TicketStatus(rawValue: raw).map { statusLabel($0, forCustomer: forCustomer) } ?? raw
        }.joined(separator: " → ")
    }

    /// What an event says on the timeline (after who did it).
    static func eventText(kind: String, detail: String, forCustomer: Bool) -> String {
        switch kind {
        case "status.changed": return "changed the status: \(statusChange(detail, forCustomer: forCustomer))"
        case "ticket.opened": return forCustomer ? "opened the ticket" : "opened the ticket: \(detail)"
        case "ticket.assigned": return "assigned the ticket: \(detail)"
        case "ticket.unassigned": return "unassigned the ticket: \(detail)"
        case "message.received": return "sent \(detail)"
        case "mail.queued": return "queued mail \(detail)"
        case "mail.acknowledged": return "acknowledged receipt: mail \(detail)"
        case "mail.sent": return "sent mail: \(detail)"
        case "mail.deferred": return "could not deliver mail yet, will retry: \(detail)"
        case "mail.failed": return "could not deliver mail: \(detail)"
        case "mail.bounced": return "got a bounce: \(detail)"
        case "note.added": return "added an internal note"
        case "queue.taken": return detail
        case "queue.out_of_order": return forCustomer ? "answered" : "answered out of order: \(detail)"
        case "investigation.stage":
            let stage = InvestigationStage(rawValue: detail)
            return "moved the investigation to: \(stage?.title ?? detail)"
        case "urgency.claimed": return "claimed urgency (the ticket keeps its place): \(detail)"
        case "call.demanded": return "asked for a real-time channel before email was tried: \(detail)"
        case "policy.urgency_explained": return "explained why we answer in order: mail \(detail)"
        case "policy.call_demand_answered": return "answered the call request (email first): mail \(detail)"
        case "info.requested": return "asked for information: \(detail)"
        case "info.provided": return forCustomer ? "received: \(detail)" : "information provided: \(detail)"
        case "info.complete": return "has every item of the information request"
        case "info.reminded": return "reminded the customer of the information request: mail \(detail)"
        case "escalation.scheduled": return "escalated: scheduled a \(detail)"
        case "session.scheduled": return "scheduled a \(detail)"
        case "session.logged": return "logged a \(detail)"
        default: return "\(kind): \(detail)"
        }
    }

    /// The events a customer sees on the portal: the ticket's opening and its status
    /// changes. Assignment, mail delivery, bounces, notes and threading are the desk's
    /// business, and reasons typed by agents are left out (they may be internal).
    static let customerEventKinds: Set<String> = ["ticket.opened", "status.changed", "investigation.stage", "info.complete"]
}
