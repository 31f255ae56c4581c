import FairdeskMail
import Fluent
import Foundation

/// Finds the person behind an address, creating a customer for a new sender: in the
/// organization that claims their domain, else in a personal organization of their own
/// (so confidentiality boundaries always run along organizations).
struct PeopleDirectory {
    let database: any Database

    func person(forAddress address: String) async throws -> Person? {
        let key = PersonAddress.matchKey(address)
        guard let row = try await PersonAddress.query(on: database).filter(\.$key == key).first() else { return nil }
        return try await Person.find(row.$person.id, on: database)
    }

    func customer(for sender: MailAddress) async throws -> Person {
        if let known = try await person(forAddress: sender.address) {
            if known.name == nil, let name = sender.name, !name.isEmpty {
                known.name = name
                try await known.save(on: database)
            }
            if known.$organization.id == nil {
                known.$organization.id = try await organizationID(for: sender)
                try await known.save(on: database)
            }
            return known
        }
        let person = Person(name: sender.name, role: .customer, organizationID: try await organizationID(for: sender))
        try await person.create(on: database)
        try await PersonAddress(address: sender.address, personID: try person.requireID()).create(on: database)
        return person
    }

    private func organizationID(for sender: MailAddress) async throws -> UUID {
        if let domain = PersonAddress.domain(of: sender.address),
           let claim = try await OrganizationDomain.query(on: database).filter(\.$domain == domain).first() {
            return claim.$organization.id
        }
        let personal = Organization(name: sender.name.map { "\($0) <\(sender.address)>" } ?? sender.address, isPersonal: true)
        try await personal.create(on: database)
        return try personal.requireID()
    }
}
