/// Something in a message that broke the rules and was recovered from.
///
/// Parsing never throws: every recovery is recorded as a defect on the result, so an
/// admin can see why a message looks the way it does (`fairdesk mail parse` prints them).
public struct MailDefect: Sendable, Hashable, CustomStringConvertible, Codable {
    /// Stable, machine-readable name, e.g. `header.missing-colon`.
    public var code: String
    /// Where and what, for a person: e.g. `line 3: "X-Foo bar"`.
    public var detail: String

    public init(_ code: String, _ detail: String = "") {
        self.code = code
        self.detail = detail
    }

    public var description: String { detail.isEmpty ? code : "\(code): \(detail)" }
}
