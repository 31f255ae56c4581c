import Foundation

/// Lenient RFC 5322 §3.3 date parsing. OWNED BY HELPER B (stub).
public enum MailDate {
    /// Parses a Date field body to an instant, or nil when nothing usable is there.
    public static func parse(_ raw: String) -> Date? { nil }

    /// Formats an instant as an RFC 5322 date-time in UTC (`Sun, 22 Nov 2026 03:18:38 +0000`).
    public static func format(_ date: Date) -> String { "" }
}
