import Foundation
import Plot

/// A person's page and an organization's page, for staff; admins can edit.
enum PeoplePages {
    struct OrganizationRef: Sendable, Equatable {
        var id: UUID
        var name: String
        var isPersonal: Bool
    }

    struct PersonForm: Sendable, Equatable {
        var name: String
        /// An organization id, or `ListQueries.ownOrganization`.
        var organization: String
    }

    struct PersonPage: Sendable {
        var id: UUID
        var name: String?
        var role: PersonRole
        var disabled: Bool
        var addresses: [String]
        var organization: OrganizationRef?
        /// A customer's requested tickets; an agent's assigned ones.
        var tickets: [TicketRow]
        var after: String?
        var next: String?
        /// Where an admin may move a customer (empty for everyone else).
        var organizationChoices: [OrganizationRef]
        var form: PersonForm
        var errors: [String: String] = [:]
        var notice: String?
        var now: Date

        var title: String { name.flatMap { $0.isEmpty ? nil : $0 } ?? addresses.first ?? "Unnamed person" }
    }

    static func person(_ model: PersonPage, viewer: Viewer?, csrfToken: String) -> HTML {
        let isAdmin = viewer?.isAdmin == true
        let ticketsLink = DeskPaths.person(model.id)
        return Layout.page(
            title: model.title, viewer: viewer, csrfToken: csrfToken, notice: model.notice,
            .h1(.exactText(model.title), .if(model.disabled, .span(.class("flag"), .text("disabled")))),
            .dl(.class("facts"),
                .dt("Role"), .dd(.text(roleLabel(model.role))),
                .unwrap(model.organization) { organization in
                    .group(.dt("Organization"),
                           .dd(.a(.href(DeskPaths.organization(organization.id)), .exactText(organization.name)),
                               .if(organization.isPersonal, .span(.class("muted"), .text(" (their own)")))))
                },
                .dt("Addresses"),
                .dd(.ul(.class("plain"), .forEach(model.addresses) { .li(.a(.href(HTMLEscaping.attribute("mailto:\($0)")), .exactText($0))) }))),
            .h2(.text(model.role.isStaff ? "Tickets assigned to them" : "Tickets they asked")),
            .if(model.tickets.isEmpty,
                .p(.class("empty"), .text(model.after == nil ? "None yet." : "No more tickets.")),
                else: TicketTable.table(model.tickets, now: model.now, showStatus: true)),
            TicketTable.pager(first: model.after == nil ? nil : ticketsLink,
                              next: model.next.map { ticketsLink + "?after=\(ListQueries.queryEncoded($0))" }),
            .if(isAdmin, personAdmin(model, csrfToken: csrfToken))
        )
    }

    private static func personAdmin(_ model: PersonPage, csrfToken: String) -> Node<HTML.BodyContext> {
        var choices = model.organizationChoices.map { (value: $0.id.uuidString, label: $0.isPersonal ? "\($0.name) (their own)" : $0.name) }
        choices.append((value: ListQueries.ownOrganization, label: "A new organization of their own"))
        return .section(
            .class("admin"),
            .h2("Edit"),
            .form(.action(DeskPaths.personSettings(model.id)), .method(.post),
                  Layout.csrfField(csrfToken),
                  .field("Name", name: "name", value: model.form.name, required: false, error: model.errors["name"]),
                  .if(!model.role.isStaff,
                      FormParts.select("Organization", name: "organization", options: choices, selected: model.form.organization,
                                       error: model.errors["organization"])),
                  .if(!model.role.isStaff,
                      .p(.class("muted"), .text("Moving someone does not move their existing tickets: those stay with the organization they were opened in."))),
                  .button(.type(.submit), .text("Save"))),
            .form(.action(DeskPaths.personDisabled(model.id)), .method(.post),
                  Layout.csrfField(csrfToken),
                  .input(.type(.hidden), .name("disabled"), .value(model.disabled ? "false" : "true")),
                  .unwrap(model.errors["disabled"]) { .p(.class("error"), .attribute(named: "role", value: "alert"), .exactText($0)) },
                  .p(.class("muted"), .text(model.disabled
                      ? "This account is disabled: no sign-in, no API tokens. Mail from its addresses still arrives."
                      : "A disabled account cannot sign in and its API tokens stop working. Mail from its addresses still arrives.")),
                  .button(.type(.submit), .class("secondary"), .text(model.disabled ? "Enable this account" : "Disable this account")))
        )
    }

    static func roleLabel(_ role: PersonRole) -> String {
        switch role {
        case .customer: return "customer"
        case .agent: return "agent"
        case .admin: return "admin"
        }
    }

    struct Domain: Sendable, Equatable {
        var id: UUID
        var domain: String
    }

    struct Member: Sendable, Equatable {
        var id: UUID
        var name: String?
        var email: String?
        var disabled: Bool
    }

    struct OrganizationForm: Sendable, Equatable {
        var name: String
        var sharesTickets: Bool
        var domain = ""
    }

    struct OrganizationPage: Sendable {
        var id: UUID
        var name: String
        var plan: String
        var isPersonal: Bool
        var sharesTickets: Bool
        var domains: [Domain]
        var members: [Member]
        /// More members than are listed.
        var moreMembers: Bool
        var waitingCount: Int
        var tickets: [TicketRow]
        var after: String?
        var next: String?
        var form: OrganizationForm
        var errors: [String: String] = [:]
        var notice: String?
        var now: Date
    }

    static func organization(_ model: OrganizationPage, viewer: Viewer?, csrfToken: String) -> HTML {
        let isAdmin = viewer?.isAdmin == true
        let ticketsLink = DeskPaths.organization(model.id)
        return Layout.page(
            title: model.name, viewer: viewer, csrfToken: csrfToken, notice: model.notice,
            .h1(.exactText(model.name)),
            .dl(.class("facts"),
                .dt("Plan"), .dd(.text(model.plan)),
                .dt("Tickets"), .dd(.text(model.sharesTickets ? "shared: members see each other's tickets" : "not shared: each member sees their own")),
                .if(model.isPersonal, .group(.dt("Kind"), .dd(.text("a personal organization (one customer, no claimed domain yet)")))),
                .dt("Waiting on support"),
                .dd(.a(.href(QueueFilter(view: .waiting, organization: model.id).link()), .text(String(model.waitingCount))),
                    .text(" · "), .a(.href(QueueFilter(view: .open, organization: model.id).link()), .text("all open in the queue")))),
            .h2("Claimed domains"),
            .p(.class("muted"), .text("New senders from a claimed domain join this organization.")),
            .if(model.domains.isEmpty, .p(.class("empty"), .text("None."))),
            .ul(.class("plain domains"), .forEach(model.domains) { domain in
                .li(.exactText(domain.domain),
                    .if(isAdmin, .form(.class("inline"), .action(DeskPaths.organizationDomainRemove(model.id, domain: domain.id)), .method(.post),
                                       Layout.csrfField(csrfToken), .text(" "),
                                       .button(.type(.submit), .class("link"), .attribute(named: "aria-label", value: HTMLEscaping.attribute("Remove \(domain.domain)")),
                                               .text("remove")))))
            }),
            .if(isAdmin,
                .form(.class("toolbar"), .action(DeskPaths.organizationDomains(model.id)), .method(.post),
                      Layout.csrfField(csrfToken),
                      .field("Claim a domain", name: "domain", value: model.form.domain, error: model.errors["domain"]),
                      .button(.type(.submit), .text("Claim")))),
            .h2("Members"),
            .if(model.members.isEmpty, .p(.class("empty"), .text("Nobody yet."))),
            .ul(.class("plain members"), .forEach(model.members) { member in
                .li(.a(.href(DeskPaths.person(member.id)), .exactText(member.name.flatMap { $0.isEmpty ? nil : $0 } ?? member.email ?? "unnamed")),
                    .unwrap(member.email) { email in .if(member.name?.isEmpty == false, .span(.class("muted"), .exactText(" <\(email)>"))) },
                    .if(member.disabled, .span(.class("flag"), .text("disabled"))))
            }),
            .if(model.moreMembers, .p(.class("muted"), .text("Only the first \(ListQueries.memberLimit) members are listed."))),
            .h2("Tickets"),
            .if(model.tickets.isEmpty,
                .p(.class("empty"), .text(model.after == nil ? "None yet." : "No more tickets.")),
                else: TicketTable.table(model.tickets, now: model.now, showStatus: true, showOrganization: false)),
            TicketTable.pager(first: model.after == nil ? nil : ticketsLink,
                              next: model.next.map { ticketsLink + "?after=\(ListQueries.queryEncoded($0))" }),
            .if(isAdmin,
                .section(.class("admin"),
                         .h2("Settings"),
                         .form(.action(DeskPaths.organizationSettings(model.id)), .method(.post),
                               Layout.csrfField(csrfToken),
                               .field("Name", name: "name", value: model.form.name, error: model.errors["name"]),
                               FormParts.checkbox("Members see each other's tickets", name: "shares_tickets", checked: model.form.sharesTickets),
                               .button(.type(.submit), .text("Save")))))
        )
    }
}
