import Foundation

/// Lenient RFC 5322 §3.3 date parsing and strict formatting.
///
/// The instant is computed arithmetically (days from the civil date) instead of with
/// `DateFormatter`: this runs for every message, and a formatter is slow, locale-dependent
/// and rejects the many broken forms real mailers send.
public enum MailDate {
    /// Parses a Date field body to an instant, or nil when nothing usable is there.
    ///
    /// The RFC form, with the obsolete syntax of RFC 5322 §4.3 (obs-date-time):
    ///
    ///     date-time   = [ day-of-week "," ] date time [CFWS]
    ///     date        = day month year
    ///     day         = ([FWS] 1*2DIGIT FWS) / obs-day
    ///     year        = (FWS 4*DIGIT FWS) / obs-year        ; obs-year = [CFWS] 2*DIGIT [CFWS]
    ///     time        = time-of-day zone
    ///     time-of-day = hour ":" minute [ ":" second ]
    ///     zone        = (FWS ( "+" / "-" ) 4DIGIT) / obs-zone
    ///
    /// Also accepted, because real mail contains them: ctime order (`Tue Mar  5 10:00:00
    /// 2024`), full month names, `+01:00` and `GMT+0100` zones, dots in times, AM/PM,
    /// `5-Mar-2024`, and ISO 8601 (`2024-03-05T10:00:00Z`). Whatever cannot be read as one
    /// consistent date gives nil rather than a guess.
    public static func parse(_ raw: String) -> Date? {
        var utf8 = Array(raw.utf8)
        // A Date field is short; anything longer is not a date, and the cap keeps a hostile
        // field from costing more than a glance.
        guard utf8.count <= maxFieldBytes else { return nil }
        blankComments(&utf8)
        var pieces = DatePieces()
        guard pieces.read(utf8), let seconds = pieces.resolve() else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Formats an instant as an RFC 5322 date-time in UTC (`Sun, 22 Nov 2026 03:18:38 +0000`).
    /// Fractional seconds are dropped; instants outside years 1...9999 are clamped.
    public static func format(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        let seconds: Int
        if interval.isNaN {
            seconds = 0
        } else {
            // Clamp before converting: Int(_:) traps on values it cannot represent.
            let clamped = min(max(interval.rounded(.down), Double(minSeconds)), Double(maxSeconds))
            seconds = Int(clamped)
        }
        let days = floorDiv(seconds, 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilFromDays(days)
        // 1970-01-01 was a Thursday (index 4 when Sunday is 0).
        let weekday = floorMod(days + 4, 7)
        let hour = secondOfDay / 3600
        let minute = secondOfDay % 3600 / 60
        let second = secondOfDay % 60
        return "\(dayNames[weekday]), \(pad(day, 2)) \(monthNames[month - 1]) \(pad(year, 4)) "
            + "\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)) +0000"
    }

    // MARK: - Limits and tables

    /// Longest field body considered (real ones are under 64 bytes; comments add some).
    static let maxFieldBytes = 1_024
    /// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the years `format` can write in 4 digits.
    static let minSeconds = -62_135_596_800
    static let maxSeconds = 253_402_300_799

    static let dayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    static let fullMonthNames = [
        "january", "february", "march", "april", "may", "june",
        "july", "august", "september", "october", "november", "december",
    ]

    /// RFC 5322 §4.3 obs-zone names with their offsets in minutes. "UTC" is not in the RFC
    /// but is what most people write.
    static let zoneOffsets: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0,
        "est": -5 * 60, "edt": -4 * 60,
        "cst": -6 * 60, "cdt": -5 * 60,
        "mst": -7 * 60, "mdt": -6 * 60,
        "pst": -8 * 60, "pdt": -7 * 60,
    ]

    // MARK: - Calendar arithmetic

    /// Days since 1970-01-01 of a proleptic Gregorian date. Eras of 400 years repeat
    /// exactly, so this is exact for any year without a table.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yearOfEra = y - era * 400
        let monthFromMarch = (month + 9) % 12
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Inverse of `daysFromCivil`.
    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2:
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return leap ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    static func floorMod(_ a: Int, _ b: Int) -> Int {
        a - floorDiv(a, b) * b
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    // MARK: - Lexing

    /// Replaces comments with spaces. Zone names in comments (`(CET)`) are informative
    /// only: the numeric zone before them is authoritative (RFC 5322 §3.3).
    ///
    ///     comment  = "(" *([FWS] ccontent) [FWS] ")"
    ///     ccontent = ctext / quoted-pair / comment
    ///
    /// An unclosed comment runs to the end, as the grammar says.
    private static func blankComments(_ bytes: inout [UInt8]) {
        var depth = 0
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if depth > 0 {
                if c == UInt8(ascii: "\\"), i + 1 < bytes.count {
                    bytes[i] = space
                    bytes[i + 1] = space
                    i += 2
                    continue
                }
                if c == UInt8(ascii: "(") { depth += 1 }
                if c == UInt8(ascii: ")") { depth -= 1 }
                bytes[i] = space
            } else if c == UInt8(ascii: "(") {
                depth = 1
                bytes[i] = space
            }
            i += 1
        }
    }

    fileprivate static let space = UInt8(ascii: " ")
}

/// What one pass over a date field found. Each field may be set once; a second value
/// for the same field makes the date ambiguous and the parse fails.
private struct DatePieces {
    /// Bare numbers in order: day and year, or year, month and day (ISO).
    var numbers: [(value: Int, digits: Int)] = []
    var month: Int?
    var time: (hour: Int, minute: Int, second: Int)?
    /// A numeric zone wins over a zone name: `+0100 CET` and `T` in ISO dates must not
    /// override the digits.
    var numericOffset: Int?
    var namedOffset: Int?
    var meridiem: UInt8?  // "a" or "p"

    private enum Last { case none, number, word, zoneWord, time, zone }

    /// Splits the field into numbers, words, times and zones. Returns false on bytes that
    /// cannot be part of any date.
    mutating func read(_ b: [UInt8]) -> Bool {
        var i = 0
        var last = Last.none
        let n = b.count
        while i < n {
            let c = b[i]
            if isSeparator(c) {
                // A new whitespace/comma-separated chunk: a sign may start a zone again.
                last = .none
                i += 1
            } else if isLetter(c) || c >= 0x80 {
                let start = i
                while i < n, isLetter(b[i]) || b[i] >= 0x80 { i += 1 }
                guard let kind = word(b[start..<i]) else { return false }
                last = kind
            } else if isDigit(c) {
                var groups: [(value: Int, digits: Int)] = []
                var sawDot = false
                var sawColon = false
                while true {
                    let start = i
                    var value = 0
                    while i < n, isDigit(b[i]) {
                        if i - start < 9 { value = value * 10 + Int(b[i] - 0x30) }
                        i += 1
                    }
                    groups.append((value, i - start))
                    // A separator continues the time only when a digit follows it.
                    guard i + 1 < n, b[i] == UInt8(ascii: ":") || b[i] == UInt8(ascii: "."),
                          isDigit(b[i + 1]) else { break }
                    if b[i] == UInt8(ascii: ".") { sawDot = true } else { sawColon = true }
                    i += 1
                }
                if groups.count == 1 {
                    guard groups[0].digits <= 4 else { return false }
                    numbers.append(groups[0])
                    last = .number
                } else {
                    guard time == nil, let parsed = Self.time(groups, colons: sawColon, dots: sawDot) else { return false }
                    time = parsed
                    last = .time
                }
            } else if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                // A sign starts a zone at the start of a chunk, after a time
                // (`10:00:00+0100`) or after a zone name (`GMT+1`); elsewhere ("5-Mar-2024",
                // "2024-03-05") it separates date parts.
                let startsZone = last == .none || last == .time || last == .zoneWord
                if startsZone, i + 1 < n, isDigit(b[i + 1]) {
                    let negative = c == UInt8(ascii: "-")
                    i += 1
                    let start = i
                    while i < n, isDigit(b[i]) { i += 1 }
                    var hhmm = Array(b[start..<i])
                    // `+01:00`: fold the colon form into four digits.
                    if hhmm.count <= 2, i + 2 < n, b[i] == UInt8(ascii: ":"), isDigit(b[i + 1]), isDigit(b[i + 2]) {
                        hhmm = (hhmm.count == 1 ? [0x30] + hhmm : hhmm) + [b[i + 1], b[i + 2]]
                        i += 3
                    }
                    if numericOffset == nil {
                        // Zone offsets beyond ±23:59 are junk: RFC 5322 §4.3 says treat an
                        // unusable zone as "-0000", that is, UTC with no claim about local time.
                        let offset = Self.offset(hhmm).map { negative ? -$0 : $0 } ?? 0
                        // `GMT+1` is relative to the name before it.
                        numericOffset = offset + (last == .zoneWord ? namedOffset ?? 0 : 0)
                    }
                    last = .zone
                } else {
                    last = .none
                    i += 1
                }
            } else if c == UInt8(ascii: "/") || c == UInt8(ascii: ".") {
                i += 1
            } else {
                return false
            }
        }
        return true
    }

    /// Classifies a run of letters. Unknown words (weekdays, "at", "Uhr", localized names,
    /// zone abbreviations outside RFC 5322 such as CET) are ignored; only a second month
    /// fails the parse.
    private mutating func word(_ letters: ArraySlice<UInt8>) -> Last? {
        guard letters.count <= 12 else { return .word }
        let lower = String(decoding: letters.map { $0 | 0x20 }, as: UTF8.self)
        if lower.utf8.count >= 3, lower.utf8.allSatisfy({ $0 < 0x80 }),
           let index = MailDate.fullMonthNames.firstIndex(where: { $0.hasPrefix(lower) }) {
            guard month == nil else { return nil }
            month = index + 1
            return .word
        }
        if lower == "am" || lower == "pm" {
            meridiem = lower.utf8.first
            return .word
        }
        if let minutes = MailDate.zoneOffsets[lower] {
            if namedOffset == nil { namedOffset = minutes }
            return .zoneWord
        }
        // RFC 5322 §4.3: military zones (one letter other than J) were specified with the
        // wrong sign in RFC 822, so their offsets carry no information: treat as +0000.
        if letters.count == 1, lower != "j" {
            if namedOffset == nil { namedOffset = 0 }
            return .zoneWord
        }
        return .word
    }

    /// `hour ":" minute [":" second]`, with dots accepted for colons and a fraction of a
    /// second accepted (and ignored) after the seconds.
    private static func time(_ groups: [(value: Int, digits: Int)], colons: Bool, dots: Bool) -> (Int, Int, Int)? {
        guard groups.count <= 4, groups.count >= 2 else { return nil }
        for group in groups.prefix(3) where group.digits > 2 { return nil }
        let hour = groups[0].value
        let minute = groups[1].value
        var second = groups.count >= 3 ? groups[2].value : 0
        guard hour <= 23, minute <= 59, second <= 60 else { return nil }
        // A leap second (RFC 5322 §3.3 allows 60) cannot be represented in POSIX time;
        // keep the instant inside the minute the sender stated.
        if second == 60 { second = 59 }
        return (hour, minute, second)
    }

    /// Minutes east of UTC for the digits of a numeric zone: `hhmm`, `hmm`, `hh` or `h`.
    private static func offset(_ digits: [UInt8]) -> Int? {
        let values = digits.map { Int($0 - 0x30) }
        let hours: Int
        let minutes: Int
        switch values.count {
        case 1: (hours, minutes) = (values[0], 0)
        case 2: (hours, minutes) = (values[0] * 10 + values[1], 0)
        case 3: (hours, minutes) = (values[0], values[1] * 10 + values[2])
        case 4: (hours, minutes) = (values[0] * 10 + values[1], values[2] * 10 + values[3])
        default: return nil
        }
        guard hours <= 23, minutes <= 59 else { return nil }
        return hours * 60 + minutes
    }

    /// Seconds since the epoch, or nil when the pieces do not make one valid date.
    func resolve() -> Int? {
        var day: (value: Int, digits: Int)
        var year: (value: Int, digits: Int)
        var monthValue: Int
        if let month {
            guard numbers.count == 2 else { return nil }
            // RFC order is day then year, and ctime order (`Mar 5 ... 2024`) also puts the
            // day first; a number of three or more digits can only be the year.
            if numbers[0].digits >= 3, numbers[1].digits <= 2 {
                (year, day) = (numbers[0], numbers[1])
            } else {
                (day, year) = (numbers[0], numbers[1])
            }
            monthValue = month
        } else {
            // ISO 8601 dates: year-month-day, all numeric.
            guard numbers.count == 3, numbers[0].digits == 4 else { return nil }
            year = numbers[0]
            monthValue = numbers[1].value
            day = numbers[2]
            guard numbers[1].digits <= 2 else { return nil }
        }
        guard day.digits <= 2 else { return nil }
        var fullYear = year.value
        switch year.digits {
        // RFC 5322 §4.3: two-digit years 00-49 are 2000-2049, 50-99 are 1950-1999;
        // three-digit years are years since 1900 (a Y2K-era bug some mailers still have).
        case 1, 2: fullYear += fullYear < 50 ? 2000 : 1900
        case 3: fullYear += 1900
        default: break
        }
        guard (1...9999).contains(fullYear), (1...12).contains(monthValue),
              day.value >= 1, day.value <= MailDate.daysInMonth(year: fullYear, month: monthValue) else { return nil }

        var (hour, minute, second) = time ?? (0, 0, 0)
        if let meridiem {
            guard (1...12).contains(hour) else { return nil }
            if meridiem == UInt8(ascii: "p"), hour < 12 { hour += 12 }
            if meridiem == UInt8(ascii: "a"), hour == 12 { hour = 0 }
        }
        let days = MailDate.daysFromCivil(year: fullYear, month: monthValue, day: day.value)
        return days * 86_400 + hour * 3600 + minute * 60 + second - (numericOffset ?? namedOffset ?? 0) * 60
    }

    private func isSeparator(_ c: UInt8) -> Bool {
        c == MailDate.space || c == UInt8(ascii: ",") || c == UInt8(ascii: "\t")
            || c == UInt8(ascii: "\r") || c == UInt8(ascii: "\n")
    }

    private func isLetter(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
    }

    private func isDigit(_ c: UInt8) -> Bool {
        c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")
    }
}
