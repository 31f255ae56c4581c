/// RFC 5322 §3.4 addresses. OWNED BY HELPER B (stub).
public struct MailAddress: Sendable, Hashable, Codable {
    /// Display name, decoded (RFC 2047) and unquoted; nil when absent or empty.
    public var name: String?
    /// `local@domain` as written (RFC 6532 allows UTF-8); may lack a domain in broken mail.
    public var address: String

    public init(name: String? = nil, address: String) {
        self.name = name
        self.address = address
    }
}

public enum AddressParser {
    /// Parses an address-list field body (From, To, Cc, Reply-To...). Groups are
    /// flattened into their member addresses. Never fails; what it skipped is a defect.
    public static func parseList(_ raw: String, limit: Int = MailLimits.default.maxAddressesPerHeader) -> (addresses: [MailAddress], defects: [MailDefect]) {
        ([], [])
    }
}
