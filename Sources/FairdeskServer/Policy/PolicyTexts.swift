import FairdeskPolicy
import Fluent
import Foundation
import SQLKit
import Vapor

/// The policy's texts as the installation has them: `PolicyTemplates`' defaults with the
/// admins' edits (rows of `policy_templates`) on top. A reset deletes the row.
struct PolicyTexts {
    let sql: any SQLDatabase

    init(_ database: any Database) throws {
        sql = try Rows(database).sql
    }

    /// One template, with whether an admin changed it.
    struct Entry: Sendable {
        var template: PolicyTemplate
        var edited: Bool
        var updatedAt: Date?
    }

    private struct Row: Decodable {
        var key: String
        var subject: String
        var body: String
        var updatedAt: Date?
    }

    func all() async throws -> [Entry] {
        let rows = try await sql.select().columns("key", "subject", "body", "updated_at").from("policy_templates")
            .all(decoding: Row.self, keyDecodingStrategy: .convertFromSnakeCase)
        let edits = Dictionary(rows.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        return PolicyTemplates.all.map { template in
            guard let edit = edits[template.key] else { return Entry(template: template, edited: false, updatedAt: nil) }
            var edited = template
            edited.subject = edit.subject
            edited.body = edit.body
            return Entry(template: edited, edited: true, updatedAt: edit.updatedAt)
        }
    }

    func template(_ base: PolicyTemplate) async throws -> PolicyTemplate {
        try await all().first { $0.template.key == base.key }?.template ?? base
    }

    /// Problems with an edit, by field name (empty: none).
    static func problems(_ template: PolicyTemplate, subject: String, body: String) -> [String: String] {
        var problems: [String: String] = [:]
        if subject.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problems["subject"] = "A subject is needed." }
        if subject.count > 200 { problems["subject"] = "At most 200 characters." }
        if subject.contains("\n") || subject.contains("\r") { problems["subject"] = "One line only." }
        if body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problems["body"] = "The text cannot be empty." }
        if body.count > 20_000 { problems["body"] = "At most 20,000 characters." }
        // Each field's unknown placeholders next to that field, after its other problem.
        for (field, text) in [("subject", subject), ("body", body)] {
            let unknown = PolicyTemplates.unknownPlaceholders(in: text, for: template)
            guard !unknown.isEmpty else { continue }
            let message = "Unknown placeholder\(unknown.count == 1 ? "" : "s") \(unknown.map { "{{\($0)}}" }.joined(separator: ", ")); "
                + "this text offers \(template.placeholders.map { "{{\($0)}}" }.joined(separator: ", "))."
            problems[field] = problems[field].map { $0 + " " + message } ?? message
        }
        return problems
    }

    func save(key: String, subject: String, body: String, by person: UUID, now: Date = Date()) async throws {
        try await sql.delete(from: "policy_templates").where("key", .equal, key).run()
        try await sql.insert(into: "policy_templates").columns("id", "updated_at", "key", "subject", "body", "updated_by")
            .values(SQLBind(UUID()), SQLBind(now), SQLBind(key), SQLBind(subject), SQLBind(body), SQLBind(person)).run()
    }

    func reset(key: String) async throws {
        try await sql.delete(from: "policy_templates").where("key", .equal, key).run()
    }
}
