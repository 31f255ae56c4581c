import Fluent
import Foundation
import Vapor

/// People and organizations over the API.
enum PeopleController {
    static func register(_ api: any RoutesBuilder) {
        api.get(APIPaths.people, use: people)
        api.get(APIPaths.person, use: person)
        api.get(APIPaths.organizations, use: organizations)
        api.post(APIPaths.organizations, use: createOrganization)
        api.get(APIPaths.organization, use: organization)
        api.post(APIPaths.organizationDomains, use: claimDomain)
    }

    @Sendable static func people(_ req: Request) async throws -> [PersonDTO] {
        _ = try req.requireStaff()
        let rows = try await Person.query(on: req.db).with(\.$addresses).sort(\.$createdAt).limit(1000).all()
        return try rows.map(dto)
    }

    @Sendable static func person(_ req: Request) async throws -> PersonDTO {
        _ = try req.requireStaff()
        guard let row = try await Person.query(on: req.db).filter(\.$id == req.uuidParameter("personID")).with(\.$addresses).first() else {
            throw Abort(.notFound)
        }
        return try dto(row)
    }

    @Sendable static func organizations(_ req: Request) async throws -> [OrganizationDTO] {
        _ = try req.requireStaff()
        return try await Organization.query(on: req.db).with(\.$domains).sort(\.$name).limit(1000).all().map(dto)
    }

    @Sendable static func organization(_ req: Request) async throws -> OrganizationDTO {
        _ = try req.requireStaff()
        guard let row = try await Organization.query(on: req.db).filter(\.$id == req.uuidParameter("organizationID")).with(\.$domains).first() else {
            throw Abort(.notFound)
        }
        return try dto(row)
    }

    @Sendable static func createOrganization(_ req: Request) async throws -> Response {
        _ = try req.requireAdmin()
        let request = try req.content.decode(OrganizationRequest.self)
        let name = request.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw Abort(.unprocessableEntity, reason: "name: an organization needs a name") }
        let domains = try (request.domains ?? []).map(validDomain)
        let created = try await req.fairdesk.writes.transaction(on: req.db) { db -> Organization in
            let organization = Organization(name: name, isPersonal: false)
            try await organization.create(on: db)
            for domain in domains { try await claim(domain, for: organization, on: db) }
            return organization
        }
        let response = Response(status: .created)
        try response.content.encode(try await organizationDTO(created.requireID(), on: req.db))
        return response
    }

    @Sendable static func claimDomain(_ req: Request) async throws -> OrganizationDTO {
        _ = try req.requireAdmin()
        let domain = try validDomain(try req.content.decode(DomainRequest.self).domain)
        guard let organization = try await Organization.find(req.uuidParameter("organizationID"), on: req.db) else { throw Abort(.notFound) }
        try await claim(domain, for: organization, on: req.db)
        return try await organizationDTO(organization.requireID(), on: req.db)
    }

    /// Claims a domain: later senders from it join the organization. Existing customers of
    /// the domain who are in personal organizations move in too (their tickets stay where
    /// they are: moving content between keys is a separate, audited operation).
    static func claim(_ domain: String, for organization: Organization, on db: any Database) async throws {
        if try await OrganizationDomain.query(on: db).filter(\.$domain == domain).first() != nil {
            throw Abort(.conflict, reason: "domain: \(domain) is already claimed by an organization")
        }
        try await OrganizationDomain(domain: domain, organizationID: organization.requireID()).create(on: db)
    }

    static func validDomain(_ raw: String) throws -> String {
        let domain = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard !domain.isEmpty, !domain.contains("@"), !domain.contains(" "), domain.contains(".") else {
            throw Abort(.unprocessableEntity, reason: "domain: '\(raw)' is not a domain name like example.com")
        }
        return domain
    }

    static func organizationDTO(_ id: UUID, on db: any Database) async throws -> OrganizationDTO {
        guard let row = try await Organization.query(on: db).filter(\.$id == id).with(\.$domains).first() else { throw Abort(.notFound) }
        return try dto(row)
    }

    static func dto(_ person: Person) throws -> PersonDTO {
        PersonDTO(id: try person.requireID(), name: person.name, role: person.role.rawValue,
                  organizationID: person.$organization.id, addresses: person.addresses.map(\.address))
    }

    static func dto(_ organization: Organization) throws -> OrganizationDTO {
        OrganizationDTO(id: try organization.requireID(), name: organization.name, isPersonal: organization.isPersonal,
                        sharesTickets: organization.sharesTickets, plan: organization.plan,
                        domains: organization.domains.map(\.domain).sorted())
    }
}
