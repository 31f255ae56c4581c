import Foundation

/// A structured MIME header value with parameters: Content-Type, Content-Disposition.
/// OWNED BY HELPER A (stub).
public struct MIMEHeaderValue: Sendable, Hashable {
    /// The main value, lower-cased and trimmed: `text/plain`, `attachment`.
    public var value: String
    /// Parameters by lower-cased name, fully decoded (RFC 2231 continuations joined,
    /// charsets applied, RFC 2047 words in non-standard `name="=?...?="` decoded).
    public var parameters: [String: String]
    public var defects: [MailDefect]

    public init(value: String, parameters: [String: String] = [:], defects: [MailDefect] = []) {
        self.value = value
        self.parameters = parameters
        self.defects = defects
    }

    /// Parses the field body (unfolded; may hold raw 8-bit bytes already decoded as UTF-8
    /// or Windows-1252).
    public static func parse(_ raw: String) -> MIMEHeaderValue {
        let parts = raw.split(separator: ";", omittingEmptySubsequences: false)
        let value = parts.first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return MIMEHeaderValue(value: value)
    }

    /// Renders a parameter for an outgoing header: `name="value"` when ASCII, RFC 2231
    /// `name*=utf-8''percent-encoded` (with continuations for long values) otherwise.
    public static func formatParameter(name: String, value: String) -> String {
        "\(name)=\"\(value)\""
    }
}
