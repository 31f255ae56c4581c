/// Time zones: UTC/GMT offsets ("UTC+2", "GMT-05:00", "(UTC+01:00) Amsterdam, Berlin…"),
/// numeric offsets right after a time ("12:00:01 +0100", "2026-11-03T12:00:01+01:00"),
/// IANA names ("Europe/Berlin"), Windows zone names ("W. Europe Standard Time") and
/// abbreviations after a time ("14:00 CET", "9am PST") or a "Time zone:" label.
///
/// A bare "+0100" or "+49 30 1234567" is not a zone: offsets count only after "UTC",
/// "GMT" or a time of day.
enum TimezoneDetector {
    static let abbreviations: Set<String> = [
        "UTC", "GMT", "CET", "CEST", "EET", "EEST", "WET", "WEST", "BST", "IST", "MSK", "PST", "PDT", "MST", "MDT",
        "CST", "CDT", "EST", "EDT", "AKST", "AKDT", "HST", "AEST", "AEDT", "ACST", "ACDT", "AWST", "NZST", "NZDT",
        "JST", "KST", "SGT", "HKT", "ICT", "WIB", "PHT", "BRT", "ART", "SAST", "MEZ", "MESZ",
    ]
    static let ianaAreas: Set<String> = [
        "Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific", "Etc",
    ]
    /// The part before " Standard Time" of the Windows time zone ids.
    static let windowsZones: Set<String> = [
        "Dateline", "UTC-11", "Aleutian", "Hawaiian", "Marquesas", "Alaskan", "UTC-09", "Pacific", "UTC-08",
        "US Mountain", "Mountain", "Yukon", "Central America", "Central", "Easter Island", "Canada Central",
        "SA Pacific", "Eastern", "Haiti", "Cuba", "US Eastern", "Turks And Caicos", "Paraguay", "Atlantic",
        "Venezuela", "Central Brazilian", "SA Western", "Pacific SA", "Newfoundland", "Tocantins", "E. South America",
        "SA Eastern", "Argentina", "Greenland", "Montevideo", "Magallanes", "Saint Pierre", "Bahia", "UTC-02",
        "Mid-Atlantic", "Azores", "Cape Verde", "UTC", "GMT", "Greenwich", "Sao Tome", "Morocco", "W. Europe",
        "Central Europe", "Romance", "Central European", "W. Central Africa", "Jordan", "GTB", "Middle East", "Egypt",
        "E. Europe", "Syria", "West Bank", "South Africa", "FLE", "Israel", "South Sudan", "Kaliningrad", "Sudan",
        "Libya", "Namibia", "Arabic", "Turkey", "Arab", "Belarus", "Russian", "E. Africa", "Volgograd", "Iran",
        "Arabian", "Astrakhan", "Azerbaijan", "Russia Time Zone 3", "Mauritius", "Saratov", "Georgian", "Caucasus",
        "Afghanistan", "West Asia", "Ekaterinburg", "Pakistan", "Qyzylorda", "India", "Sri Lanka", "Nepal",
        "Central Asia", "Bangladesh", "Omsk", "Myanmar", "SE Asia", "Altai", "W. Mongolia", "North Asia",
        "N. Central Asia", "Tomsk", "China", "North Asia East", "Singapore", "W. Australia", "Taipei", "Ulaanbaatar",
        "Aus Central W.", "Transbaikal", "Tokyo", "North Korea", "Korea", "Yakutsk", "Cen. Australia", "AUS Central",
        "E. Australia", "AUS Eastern", "West Pacific", "Tasmania", "Vladivostok", "Lord Howe", "Bougainville",
        "Russia Time Zone 10", "Magadan", "Norfolk", "Sakhalin", "Central Pacific", "Russia Time Zone 11",
        "New Zealand", "UTC+12", "Fiji", "Kamchatka", "Chatham Islands", "UTC+13", "Tonga", "Samoa", "Line Islands",
    ]

    static let utc = Scan.bytes("UTC")
    static let gmt = Scan.bytes("GMT")
    static let standardTime = Scan.bytes("standard time")
    static let daylightTime = Scan.bytes("daylight time")
    static let zoneLabels: [[UInt8]] = ["time zone:", "timezone:", "time zone is ", "timezone is ", "tz="].map(Scan.bytes)

    static func detect(_ source: TextSource) -> [Found] {
        var found: [Found] = []
        for (i, line) in source.lines.enumerated() where !line.isBlank {
            for (what, value) in scan(line) {
                found.append(Found(.timezone, what, Evidence.lines(source, i, i, quote: line), value: value,
                                   source: source.order, line: line.number))
            }
        }
        return found
    }

    static func scan(_ line: TextSource.Line) -> [(what: String, value: String)] {
        let s = line.bytes
        var result: [(String, String)] = []
        var i = 0
        while i < s.count {
            let b = s[i]
            if (b == UInt8(ascii: "U") || b == UInt8(ascii: "G")), Scan.isWordStart(s, i),
                Scan.has(s, utc, at: i) || Scan.has(s, gmt, at: i)
            {
                if let (value, end) = offset(s, at: i + 3, prefix: Scan.string(s, i..<(i + 3))) {
                    result.append(("UTC offset", value))
                    i = end
                    continue
                }
                // "(UTC) Coordinated Universal Time" in Windows' zone list
                if i > 0, s[i - 1] == UInt8(ascii: "("), i + 3 < s.count, s[i + 3] == UInt8(ascii: ")") {
                    result.append(("UTC offset", "UTC"))
                }
            } else if ASCII.isDigit(b), Scan.isWordStart(s, i), let (what, value, end) = afterTime(s, at: i) {
                result.append((what, value))
                i = end
                continue
            } else if b == UInt8(ascii: "/"), let (value, end) = iana(s, slash: i) {
                result.append(("IANA time zone", value))
                i = end
                continue
            }
            i += 1
        }
        let lower = line.lower
        for suffix in [standardTime, daylightTime] {
            var from = 0
            while let p = Scan.find(suffix, in: lower, from: from) {
                if let name = windowsZone(s, suffixAt: p, length: suffix.count) { result.append(("Windows time zone", name)) }
                from = p + suffix.count
            }
        }
        for label in zoneLabels {
            guard let p = Scan.find(label, in: lower) else { continue }
            let k = Scan.skipBlanks(s, from: p + label.count)
            if let (abbreviation, _) = abbreviation(s, at: k) { result.append(("time zone abbreviation", abbreviation)) }
        }
        return result
    }

    /// `+2`, `+02`, `+0200`, `+02:00`, `−5` after "UTC"/"GMT" or a time; at most
    /// `maxBlanks` blanks before the sign. Returns "UTC+02:00" (with `prefix`) and the end.
    static func offset(_ s: [UInt8], at i: Int, prefix: String, maxBlanks: Int = 1) -> (String, Int)? {
        var j = Scan.skipBlanks(s, from: i)
        guard j - i <= maxBlanks, j < s.count else { return nil }
        let sign: String
        if s[j] == UInt8(ascii: "+") {
            sign = "+"
            j += 1
        } else if s[j] == UInt8(ascii: "-") {
            sign = "-"
            j += 1
        } else if Scan.has(s, [0xE2, 0x88, 0x92], at: j) {  // U+2212 MINUS SIGN
            sign = "-"
            j += 3
        } else {
            return nil
        }
        // No blank after the sign: "12:00 + 10" is arithmetic, not an offset.
        let d = Scan.digits(s, at: j)
        var hours: Int
        var minutes = 0
        var end: Int
        switch d {
        case 1, 2:
            hours = Scan.int(s, j..<(j + d))
            end = j + d
            if end + 2 < s.count, s[end] == UInt8(ascii: ":"), Scan.digits(s, at: end + 1) == 2 {
                minutes = Scan.int(s, (end + 1)..<(end + 3))
                end += 3
            }
        case 4:
            hours = Scan.int(s, j..<(j + 2))
            minutes = Scan.int(s, (j + 2)..<(j + 4))
            end = j + 4
        default:
            return nil
        }
        guard hours <= 14, [0, 30, 45].contains(minutes), Scan.isWordEnd(s, end),
            end >= s.count || s[end] != UInt8(ascii: ".") || end + 1 >= s.count || !ASCII.isDigit(s[end + 1])
        else { return nil }
        let hh = hours < 10 ? "0\(hours)" : "\(hours)"
        let mm = minutes < 10 ? "0\(minutes)" : "\(minutes)"
        return ("\(prefix)\(sign)\(hh):\(mm)", end)
    }

    /// A time of day ("14:00", "12:00:01.123", "9am", "9 pm") followed by an offset or a
    /// zone abbreviation.
    static func afterTime(_ s: [UInt8], at i: Int) -> (String, String, Int)? {
        var end: Int
        var hasMeridiem = false
        // The time may be the end of an ISO timestamp ("2026-11-03T12:00:01+01:00").
        if let t = Timestamp.time(s, at: i) {
            end = t.end
        } else {
            let d = Scan.digits(s, at: i)
            guard d == 1 || d == 2 else { return nil }
            end = i + d
        }
        let m = Scan.skipBlanks(s, from: end)
        if m - end <= 1, m + 1 < s.count, [UInt8(ascii: "a"), UInt8(ascii: "p")].contains(ASCII.lowercased(s[m])),
            ASCII.lowercased(s[m + 1]) == UInt8(ascii: "m"), Scan.isWordEnd(s, m + 2)
        {
            end = m + 2
            hasMeridiem = true
        }
        guard end > i + 2 || hasMeridiem else { return nil }  // "12:00" or "9am", not a bare "9"
        if !hasMeridiem, let (value, e) = offset(s, at: end, prefix: "UTC") { return ("UTC offset", value, e) }
        let a = Scan.skipBlanks(s, from: end)
        guard a > end || (a < s.count && s[a] == UInt8(ascii: "(")) else { return nil }
        let k = a < s.count && s[a] == UInt8(ascii: "(") ? a + 1 : a
        guard let (name, e) = abbreviation(s, at: k) else { return nil }
        if name == "UTC" || name == "GMT", let (value, e2) = offset(s, at: e, prefix: name, maxBlanks: 0) {
            return ("UTC offset", value, e2)
        }
        return ("time zone abbreviation", name, e)
    }

    static func abbreviation(_ s: [UInt8], at i: Int) -> (String, Int)? {
        var j = i
        while j < s.count, ASCII.isUpper(s[j]) { j += 1 }
        guard j - i >= 3, j - i <= 4, Scan.isWordEnd(s, j) else { return nil }
        let name = Scan.string(s, i..<j)
        return abbreviations.contains(name) ? (name, j) : nil
    }

    /// "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/UTC" around the slash at `p`,
    /// but not inside a URL or a path ("example.com/Europe/Berlin").
    static func iana(_ s: [UInt8], slash p: Int) -> (String, Int)? {
        var a = p
        while a > 0, ASCII.isLetter(s[a - 1]) { a -= 1 }
        guard a < p, a == 0 || !(ASCII.isIdent(s[a - 1]) || [UInt8(ascii: "/"), UInt8(ascii: "."), UInt8(ascii: "-"),
                                                             UInt8(ascii: "\\")].contains(s[a - 1])),
            ianaAreas.contains(Scan.string(s, a..<p))
        else { return nil }
        var j = p
        var segments = 0
        while j < s.count, s[j] == UInt8(ascii: "/"), segments < 2 {
            let start = j + 1
            guard start < s.count, ASCII.isUpper(s[start]) else { break }
            var k = start + 1
            while k < s.count, ASCII.isIdent(s[k]) || s[k] == UInt8(ascii: "-") || s[k] == UInt8(ascii: "+") { k += 1 }
            j = k
            segments += 1
        }
        guard segments > 0, j >= s.count || (s[j] != UInt8(ascii: "/") && s[j] != UInt8(ascii: "\\")) else { return nil }
        return (Scan.string(s, a..<j), j)
    }

    /// The Windows zone whose id ends at the " Standard Time" found at `p`.
    static func windowsZone(_ s: [UInt8], suffixAt p: Int, length: Int) -> String? {
        guard p > 1, s[p - 1] == UInt8(ascii: " "), Scan.isWordEnd(s, p + length) else { return nil }
        // Up to four words before the suffix, longest known id first.
        var starts: [Int] = []
        var k = p - 1
        while starts.count < 4, k > 0 {
            var w = k
            while w > 0, !ASCII.isBlank(s[w - 1]), s[w - 1] != UInt8(ascii: "(") { w -= 1 }
            starts.append(w)
            k = w - 1
            guard k > 0, s[k] == UInt8(ascii: " ") else { break }
        }
        for start in starts.reversed() {
            let name = Scan.string(s, start..<(p - 1))
            if windowsZones.contains(name) { return name + " " + Scan.string(s, p..<(p + length)) }
        }
        return nil
    }
}
