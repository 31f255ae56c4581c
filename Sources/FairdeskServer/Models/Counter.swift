import Fluent
import Foundation

/// Named counters (ticket numbers), incremented atomically in SQL so several server
/// processes never hand out one number twice.
// See Organization.swift for why @unchecked Sendable is safe for Fluent models.
final class NamedCounter: Model, @unchecked Sendable {
    static let schema = "counters"

    @ID(custom: "name", generatedBy: .user) var id: String?
    @Field(key: "value") var value: Int

    init() {}

    init(name: String, value: Int) {
        self.id = name
        self.value = value
    }
}
