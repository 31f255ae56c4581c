import Fluent
import Foundation

/// One email address of a person. `key` is the match key: the local part as written and
/// the domain lower-cased (RFC 5321 §2.4: local parts may be case-sensitive, domains not).
// See Organization.swift for why @unchecked Sendable is safe for Fluent models.
final class PersonAddress: Model, @unchecked Sendable {
    static let schema = "person_addresses"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    @Field(key: "address") var address: String
    @Field(key: "key") var key: String

    @Parent(key: "person_id") var person: Person

    init() {}

    init(address: String, personID: UUID) {
        self.address = address
        self.key = PersonAddress.matchKey(address)
        self.$person.id = personID
    }

    static func matchKey(_ address: String) -> String {
        guard let at = address.lastIndex(of: "@") else { return address.lowercased() }
        return String(address[..<at]) + "@" + address[address.index(after: at)...].lowercased()
    }

    static func domain(of address: String) -> String? {
        guard let at = address.lastIndex(of: "@") else { return nil }
        let domain = address[address.index(after: at)...].lowercased()
        return domain.isEmpty ? nil : domain
    }
}
