import FairdeskPolicy
import Fluent
import Foundation
import SQLKit
import Vapor

/// The diagnostic catalog as the installation has it: `DiagnosticCatalog.seed` with the
/// admins' edits on top (title, explanation, whether it is offered), plus items the admins
/// added. Edits are rows of `diagnostic_items`, keyed by the item's key.
struct DiagnosticCatalogStore {
    let sql: any SQLDatabase

    init(_ database: any Database) throws {
        sql = try Rows(database).sql
    }

    struct Item: Sendable, Equatable {
        var key: DiagnosticItemKey
        var title: String
        var explanation: String
        var active: Bool
        var position: Int
        /// From the seed (its text can be reset) rather than added by an admin.
        var seeded: Bool
        var edited: Bool
    }

    private struct Row: Decodable {
        var key: String
        var title: String
        var explanation: String
        var position: Int
        var active: Bool
    }

    /// Every item, active or not, in catalog order.
    func all() async throws -> [Item] {
        let rows = try await sql.select().columns("key", "title", "explanation", "position", "active").from("diagnostic_items")
            .all(decoding: Row.self)
        var edits = Dictionary(rows.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        var items: [Item] = DiagnosticCatalog.seed.enumerated().map { index, seed in
            if let edit = edits.removeValue(forKey: seed.key.rawValue) {
                return Item(key: seed.key, title: edit.title, explanation: edit.explanation, active: edit.active,
                            position: edit.position, seeded: true, edited: true)
            }
            return Item(key: seed.key, title: seed.title, explanation: seed.customerText, active: true, position: index * 10,
                        seeded: true, edited: false)
        }
        items += edits.values.map { Item(key: DiagnosticItemKey(rawValue: $0.key), title: $0.title, explanation: $0.explanation,
                                         active: $0.active, position: $0.position, seeded: false, edited: true) }
        return items.sorted { ($0.position, $0.key.rawValue) < ($1.position, $1.key.rawValue) }
    }

    func active() async throws -> [Item] { try await all().filter(\.active) }

    /// Problems with an edit, by field name.
    static func problems(title: String, explanation: String) -> [String: String] {
        var problems: [String: String] = [:]
        let title = title.trimmingCharacters(in: .whitespacesAndNewlines)
        if title.isEmpty { problems["title"] = "A title is needed." } else if title.count > 120 { problems["title"] = "At most 120 characters." }
        let explanation = explanation.trimmingCharacters(in: .whitespacesAndNewlines)
        if explanation.isEmpty {
            problems["explanation"] = "Tell the customer how to get it."
        } else if explanation.count > 10_000 {
            problems["explanation"] = "At most 10,000 characters."
        }
        return problems
    }

    func save(_ item: Item, by person: UUID, now: Date = Date()) async throws {
        try await sql.delete(from: "diagnostic_items").where("key", .equal, item.key.rawValue).run()
        try await sql.insert(into: "diagnostic_items")
            .columns("id", "updated_at", "key", "title", "explanation", "position", "active", "updated_by")
            .values(SQLBind(UUID()), SQLBind(now), SQLBind(item.key.rawValue), SQLBind(item.title), SQLBind(item.explanation),
                    SQLBind(item.position), SQLBind(item.active), SQLBind(person)).run()
    }

    /// Back to the seed's text (seeded items), or removed (added items).
    func reset(_ key: DiagnosticItemKey) async throws {
        try await sql.delete(from: "diagnostic_items").where("key", .equal, key.rawValue).run()
    }

    /// A key for an item an admin adds: `custom-` and the title's words.
    static func newKey(title: String, existing: Set<String>) -> DiagnosticItemKey {
        let words = title.lowercased().unicodeScalars.map { CharacterSet.alphanumerics.contains($0) && $0.isASCII ? Character($0) : "-" }
        let words6 = String(words).split(separator: "-").prefix(6).joined(separator: "-")
        let slug = words6.isEmpty ? "item" : words6
        var key = "custom-" + slug
        var counter = 2
        while existing.contains(key) {
            key = "custom-\(slug)-\(counter)"
            counter += 1
        }
        return DiagnosticItemKey(rawValue: key)
    }
}
