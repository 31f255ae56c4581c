/// The name of one diagnostic item in the catalog (DESIGN.md §3). Admins may add their
/// own items, so this is an open set of strings rather than an enum; the ten seeded
/// keys below are the ones the detector knows how to recognize.
public struct DiagnosticItemKey: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral,
    Comparable, CustomStringConvertible
{
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public static let operatingSystem: Self = "os"
    public static let timezone: Self = "timezone"
    /// Environment variable values.
    public static let environment: Self = "environment"
    /// A software tool and its version.
    public static let toolVersion: Self = "tool_version"
    /// Windows event log crash information.
    public static let eventLog: Self = "event_log"
    public static let exceptionReport: Self = "exception_report"
    /// Call stack, module load addresses, register dump.
    public static let crashStack: Self = "crash_stack"
    public static let minidump: Self = "minidump"
    public static let logFiles: Self = "log_files"
    public static let testApplication: Self = "test_application"

    /// The seeded keys in catalog order. Keys compare in this order; keys an admin added
    /// come after them, alphabetically.
    public static let seeded: [DiagnosticItemKey] = [
        .operatingSystem, .timezone, .environment, .toolVersion, .eventLog,
        .exceptionReport, .crashStack, .minidump, .logFiles, .testApplication,
    ]

    public static func < (lhs: Self, rhs: Self) -> Bool {
        let l = seeded.firstIndex(of: lhs) ?? seeded.count
        let r = seeded.firstIndex(of: rhs) ?? seeded.count
        return l != r ? l < r : lhs.rawValue < rhs.rawValue
    }

    public var description: String { rawValue }

    // Encoded as a bare string ("os"), not as {"rawValue": "os"}.
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// One thing an agent can ask a customer for, with the customer-facing instructions.
public struct DiagnosticItem: Sendable, Hashable {
    public var key: DiagnosticItemKey
    /// Short, e.g. "Minidump".
    public var title: String
    /// Customer-facing: what it is and how to get it. Plain text, may have several paragraphs.
    public var explanation: String
    /// Ordered; empty when the operating system does not matter.
    public var perOS: [OSInstruction]

    public struct OSInstruction: Sendable, Hashable {
        /// "Windows", "macOS", "Linux".
        public var os: String
        public var text: String

        public init(os: String, text: String) {
            self.os = os
            self.text = text
        }
    }

    public init(key: DiagnosticItemKey, title: String, explanation: String, perOS: [OSInstruction] = []) {
        self.key = key
        self.title = title
        self.explanation = explanation
        self.perOS = perOS
    }

    /// The whole customer-facing text: the explanation, then one "On Windows: ..."
    /// paragraph per operating system, separated by blank lines.
    public var customerText: String {
        ([explanation] + perOS.map { "On \($0.os): \($0.text)" }).joined(separator: "\n\n")
    }
}
