import Foundation
import Testing
@testable import FairdeskMail

@Suite struct MailDateTests {
    /// 2024-03-05T09:00:00Z, the instant most cases below denote.
    static let reference = Date(timeIntervalSince1970: 1_709_629_200)

    static let sameInstant: [String] = [
        // RFC 5322 §3.3.
        "Tue, 5 Mar 2024 10:00:00 +0100",
        "Tue, 05 Mar 2024 09:00:00 +0000",
        "5 Mar 2024 01:00:00 -0800",
        "Tue, 5 Mar 2024 14:30:00 +0530",
        "Tue, 5 Mar 2024 00:30:00 -0830",
        // Day of week missing, wrong, or full; month in any case or in full.
        "Wed, 5 Mar 2024 09:00:00 +0000",
        "Tuesday, 5 March 2024 09:00:00 +0000",
        "Tue, 5 MAR 2024 09:00:00 +0000",
        "tue, 5 mar 2024 09:00:00 +0000",
        // Missing seconds; dots instead of colons; extra whitespace and commas.
        "Tue, 5 Mar 2024 09:00 +0000",
        "Tue, 5 Mar 2024 09.00.00 +0000",
        "Tue,  5   Mar  2024\t09:00:00  +0000",
        "Tue,, 5 Mar, 2024, 09:00:00, +0000",
        "Tue,5 Mar 2024 09:00:00 +0000",
        // Two- and three-digit years (RFC 5322 §4.3).
        "Tue, 5 Mar 24 09:00:00 +0000",
        "Tue, 5 Mar 124 09:00:00 +0000",
        // Obsolete and informal zones.
        "Tue, 5 Mar 2024 09:00:00 GMT",
        "Tue, 5 Mar 2024 09:00:00 UT",
        "Tue, 5 Mar 2024 09:00:00 UTC",
        "Tue, 5 Mar 2024 09:00:00 Z",
        "Tue, 5 Mar 2024 04:00:00 EST",
        "Tue, 5 Mar 2024 05:00:00 EDT",
        "Tue, 5 Mar 2024 03:00:00 CST",
        "Tue, 5 Mar 2024 04:00:00 CDT",
        "Tue, 5 Mar 2024 02:00:00 MST",
        "Tue, 5 Mar 2024 03:00:00 MDT",
        "Tue, 5 Mar 2024 01:00:00 PST",
        "Tue, 5 Mar 2024 02:00:00 PDT",
        "Tue, 5 Mar 2024 09:00:00 A",  // military: RFC 5322 §4.3 says read as +0000
        "Tue, 5 Mar 2024 09:00:00",  // no zone: UTC
        "Tue, 5 Mar 2024 10:00:00 +01:00",
        "Tue, 5 Mar 2024 10:00:00 GMT+0100",
        // Trailing comments.
        "Tue, 5 Mar 2024 10:00:00 +0100 (CET)",
        "Tue, 5 Mar 2024 09:00:00 +0000 (UTC)",
        "Tue, 5 Mar 2024 09:00:00 (UTC)",
        "Tue, 5 Mar 2024 10:00:00 +0100 (Mitteleuropäische Zeit (Winter))",
        // ctime order, hyphenated dates, AM/PM.
        "Tue Mar  5 09:00:00 2024",
        "Tue Mar 5 10:00:00 +0100 2024",
        "5-Mar-2024 10:00:00 +0100",
        "Tuesday, March 5, 2024 at 10:00 AM GMT+1",
        "Tue, 5 Mar 2024 9:00:00 AM +0000",
        // ISO 8601 from bots.
        "2024-03-05T09:00:00Z",
        "2024-03-05T10:00:00+01:00",
        "2024-03-05T10:00:00.250+0100",
        "2024-03-05 10:00:00 +0100",
        "2024-03-05 09:00:00",
    ]

    @Test(arguments: sameInstant)
    func parsesToTheReferenceInstant(_ raw: String) {
        #expect(MailDate.parse(raw) == Self.reference)
    }

    static let otherInstants: [(String, TimeInterval)] = [
        ("Thu, 1 Jan 1970 00:00:00 +0000", 0),
        ("Wed, 31 Dec 1969 23:59:59 +0000", -1),
        ("Fri, 21 Nov 1997 09:55:06 -0600", 880_127_706),  // RFC 5322 Appendix A.1.1
        ("1 Jan 50 00:00:00 +0000", -631_152_000),  // two-digit 50 is 1950
        ("1 Jan 49 00:00:00 +0000", 2_493_072_000),  // two-digit 49 is 2049
        ("29 Feb 2024 12:00:00 +0000", 1_709_208_000),
        ("Tue, 5 Mar 2024 23:59:60 +0000", 1_709_683_199),  // leap second kept in its minute
        ("Tue, 5 Mar 2024 12:00:00 PM +0000", 1_709_640_000),
        ("Tue, 5 Mar 2024 12:30:00 AM +0000", 1_709_598_600),
        ("5 Mar 2024", 1_709_596_800),  // no time: midnight
    ]

    @Test(arguments: otherInstants)
    func parsesOtherInstants(_ raw: String, _ seconds: TimeInterval) {
        #expect(MailDate.parse(raw) == Date(timeIntervalSince1970: seconds))
    }

    @Test(arguments: [
        "", "   ", "junk", "Hello world", "(Tue, 5 Mar 2024 09:00:00 +0000)",
        "Tue, 5 Foo 2024 09:00:00 +0000",  // no month
        "Tue, 5 Mar 13 2024",  // three numbers
        "Tue, 32 Mar 2024 09:00:00 +0000",
        "Tue, 0 Mar 2024 09:00:00 +0000",
        "Fri, 30 Feb 2024 09:00:00 +0000",
        "Thu, 29 Feb 2023 09:00:00 +0000",
        "Tue, 5 Mar 2024 25:00:00 +0000",
        "Tue, 5 Mar 2024 09:60:00 +0000",
        "Tue, 5 Mar 2024 09:00:61 +0000",
        "Tue, 5 Mar 2024 13:00:00 PM +0000",
        "2024-13-05T09:00:00Z",
        "2024-03-32",
        "Mar Apr 5 2024",
        "5 Mar 123456 09:00",
        "Tue, 5 Mar 2024 09:00:00 +0000 !!!",
    ])
    func rejectsInvalid(_ raw: String) {
        #expect(MailDate.parse(raw) == nil)
    }

    @Test(arguments: [
        GarbageInput("5,000 digits", String(repeating: "9", count: 5_000)),
        GarbageInput("a hundred dates", String(repeating: "5 Mar ", count: 100)),
        GarbageInput("unclosed comments", String(repeating: "(", count: 500) + "5 Mar 2024"),
        GarbageInput("signs", String(repeating: "+-", count: 400)),
        GarbageInput("control bytes", "\u{0}5\u{0}Mar\u{0}2024\u{FFFD}"),
    ])
    func rejectsGarbage(_ input: GarbageInput) {
        #expect(MailDate.parse(input.text) == nil)
    }

    @Test func unusableZoneIsTreatedAsUTC() {
        // RFC 5322 §4.3: an unknown zone means "-0000"; the date itself is still good.
        #expect(MailDate.parse("Tue, 5 Mar 2024 09:00:00 +9999") == Self.reference)
        #expect(MailDate.parse("Tue, 5 Mar 2024 09:00:00 CET") == Self.reference)
    }

    @Test func formatsRFC5322() {
        #expect(MailDate.format(Date(timeIntervalSince1970: 1_795_317_518)) == "Sun, 22 Nov 2026 03:18:38 +0000")
        #expect(MailDate.format(Self.reference) == "Tue, 05 Mar 2024 09:00:00 +0000")
        #expect(MailDate.format(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(MailDate.format(Date(timeIntervalSince1970: -0.5)) == "Wed, 31 Dec 1969 23:59:59 +0000")
        #expect(MailDate.format(Date(timeIntervalSince1970: 951_782_400)) == "Tue, 29 Feb 2000 00:00:00 +0000")
    }

    @Test func formatClampsImpossibleInstants() {
        #expect(MailDate.format(.distantFuture) == "Mon, 01 Jan 4001 00:00:00 +0000")
        #expect(MailDate.format(Date(timeIntervalSince1970: 1e15)) == "Fri, 31 Dec 9999 23:59:59 +0000")
        #expect(MailDate.format(.distantPast).hasPrefix("Mon, 01 Jan 0001"))
        #expect(MailDate.format(Date(timeIntervalSince1970: .nan)) == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(MailDate.format(Date(timeIntervalSince1970: .infinity)).hasSuffix("9999 23:59:59 +0000"))
    }

    @Test func roundTripsWholeSeconds() {
        // A spread of instants across four centuries, leap days and the epoch included.
        var rng = SplitMix64(seed: 42)
        var instants: [Int] = [0, -1, 951_782_400, 1_709_208_000, MailDate.minSeconds, MailDate.maxSeconds]
        for _ in 0..<2_000 { instants.append(Int.random(in: -5_000_000_000...10_000_000_000, using: &rng)) }

        for seconds in instants {
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            let text = MailDate.format(date)
            #expect(MailDate.parse(text) == date, "\(seconds) formatted as \(text)")
        }
    }

    @Test func civilDateArithmeticAgreesBothWays() {
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            let (year, month, day) = MailDate.civilFromDays(days)
            #expect(MailDate.daysFromCivil(year: year, month: month, day: day) == days)
        }
        #expect(MailDate.daysFromCivil(year: 2000, month: 3, day: 1) == 11_017)
    }
}
