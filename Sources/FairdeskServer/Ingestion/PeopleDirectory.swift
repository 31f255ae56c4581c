import FairdeskMail
import Fluent
import Foundation
import SQLKit

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

    /// The sender as a customer: the known person (their name filled in if we had none),
    /// or a new customer. Reflection-free (`Rows`): this runs for every inbound message.
    func customer(for sender: MailAddress) async throws -> Rows.Sender {
        let rows = try Rows(database)
        let key = PersonAddress.matchKey(sender.address)
        if var known = try await rows.sender(addressKey: key) {
            var changes: [(String, Rows.Value)] = []
            if known.name == nil, let name = sender.name, !name.isEmpty {
                known.name = name
                changes.append(("name", name))
            }
            if known.organizationId == nil {
                let organization = try await organization(for: sender, rows: rows)
                known.organizationId = organization.id
                known.plan = organization.plan
                changes.append(("organization_id", organization.id))
            }
            if !changes.isEmpty {
                var update = rows.sql.update("people").set("updated_at", to: SQLBind(Date()))
                for (column, value) in changes { update = update.set(SQLIdentifier(column), to: SQLBind(value)) }
                try await update.where("id", .equal, known.id).run()
            }
            return known
        }
        let organization = try await organization(for: sender, rows: rows)
        let personID = try await rows.insert("people", [
            "name": sender.name, "role": PersonRole.customer.rawValue, "password_hash": String?.none,
            "must_change_password": false, "disabled": false, "organization_id": organization.id,
        ], timestamps: .createdAndUpdated)
        try await rows.insert("person_addresses", ["address": sender.address, "key": key, "person_id": personID])
        return Rows.Sender(id: personID, name: sender.name, organizationId: organization.id, plan: organization.plan)
    }

    /// The organization claiming the sender's domain, else a new personal one.
    private func organization(for sender: MailAddress, rows: Rows) async throws -> (id: UUID, plan: String) {
        struct Claim: Decodable { var organizationId: UUID; var plan: String }
        if let domain = PersonAddress.domain(of: sender.address),
           let claim = try await rows.sql.select()
               .column(SQLColumn("organization_id", table: "organization_domains"))
               .column(SQLColumn("plan", table: "organizations"))
               .from("organization_domains")
               .join("organizations", on: SQLColumn("organization_id", table: "organization_domains"), .equal, SQLColumn("id", table: "organizations"))
               .where(SQLColumn("domain", table: "organization_domains"), .equal, SQLBind(domain))
               .limit(1)
               .first(decoding: Claim.self, keyDecodingStrategy: .convertFromSnakeCase) {
            return (claim.organizationId, claim.plan)
        }
        let plan = Organization.defaultPlan
        let id = try await rows.insert("organizations", [
            "name": sender.name.map { "\($0) <\(sender.address)>" } ?? sender.address,
            "is_personal": true, "shares_tickets": true, "plan": plan,
        ], timestamps: .createdAndUpdated)
        return (id, plan)
    }
}
