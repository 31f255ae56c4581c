/// Log files: texts whose lines mostly start with a timestamp.
///
/// An attachment is a log file when at least `minLines` of its top-level lines (lines
/// that are not indented continuations, such as stack frames) start with a timestamp and
/// they make up at least `minShare` of them. A message body counts only when it holds a
/// run of at least `minPastedLines` timestamped lines ("log excerpt"): a few dates in
/// prose are not a log.
enum LogFileDetector {
    static let minLines = 3
    static let minShare = 0.6
    static let minPastedLines = 8
    /// A timestamp may follow a short prefix such as "[INFO] " or "<13>".
    static let maxPrefixBytes = 48

    static func detect(_ source: TextSource) -> [Found] {
        source.isAttachment ? detectFile(source) : detectExcerpt(source)
    }

    private static func detectFile(_ source: TextSource) -> [Found] {
        var top = 0
        var stamped = 0
        var first: Int?
        for (i, line) in source.lines.enumerated() where !line.isBlank && line.indent == 0 {
            top += 1
            if startsWithTimestamp(line.bytes) {
                stamped += 1
                if first == nil { first = i }
            }
        }
        guard let first, stamped >= minLines, Double(stamped) >= minShare * Double(top) else { return [] }
        let line = source.lines[first]
        let evidence = "\(source.label): \(stamped) of \(top) lines start with a timestamp, "
            + "e.g. line \(line.number): \"\(Evidence.quote(line.bytes))\""
        return [Found(.logFiles, "log file", evidence, source: source.order, line: line.number)]
    }

    private static func detectExcerpt(_ source: TextSource) -> [Found] {
        var found: [Found] = []
        var runFirst = -1
        var runLast = -1
        var stamped = 0
        var top = 0
        var misses = 0
        func close() {
            if stamped >= minPastedLines, Double(stamped) >= minShare * Double(top) {
                let evidence = Evidence.lines(source, runFirst, runLast, quote: source.lines[runFirst])
                    + " (\(stamped) lines start with a timestamp)"
                found.append(Found(.logFiles, "log excerpt", evidence, source: source.order, line: source.lines[runFirst].number))
            }
            runFirst = -1
            stamped = 0
            top = 0
            misses = 0
        }
        for (i, line) in source.lines.enumerated() {
            if !line.isBlank && line.indent > 0 { continue }  // continuation of the entry above
            if !line.isBlank && startsWithTimestamp(line.bytes) {
                if runFirst < 0 { runFirst = i }
                runLast = i
                stamped += 1
                top += 1
                misses = 0
            } else if runFirst >= 0 {
                if !line.isBlank { top += 1 }
                misses += 1
                if misses >= 3 { close() }
            }
        }
        if runFirst >= 0 { close() }
        return found
    }

    /// Whether a timestamp with a time of day starts within the first bytes of the line.
    static func startsWithTimestamp(_ s: [UInt8]) -> Bool {
        let limit = min(s.count, maxPrefixBytes)
        var i = 0
        while i < limit {
            if Scan.isWordStart(s, i), ASCII.isAlnum(s[i]) {
                if Timestamp.dateTime(s, at: i) != nil { return true }
                if i == 0 || s[i - 1] == UInt8(ascii: "[") || ASCII.isBlank(s[i - 1]),
                    let t = Timestamp.time(s, at: i), t.seconds
                {
                    return true
                }
            }
            i += 1
        }
        return false
    }
}

/// Dates and times as logs write them. Each matcher looks at a fixed position and reads a
/// bounded number of bytes.
enum Timestamp {
    /// "jan" … "dec" as three bytes packed into an Int, so that checking a word allocates
    /// nothing (this runs at every word start near the beginning of every line).
    static let months: Set<Int> = Set(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        .map { word in word.utf8.reduce(0) { $0 << 8 | Int($1) } })

    /// A time of day at `i`: `H:MM` or `HH:MM`, optionally `:SS` and a fraction
    /// (`.123` or `,123`), optionally followed by AM/PM. Returns the index after it.
    static func time(_ s: [UInt8], at i: Int) -> (end: Int, seconds: Bool)? {
        let h = Scan.digits(s, at: i)
        guard h == 1 || h == 2, i + h < s.count, s[i + h] == UInt8(ascii: ":") else { return nil }
        var j = i + h + 1
        guard Scan.digits(s, at: j) == 2, Scan.int(s, i..<(i + h)) <= 23, Scan.int(s, j..<(j + 2)) <= 59 else {
            return nil
        }
        j += 2
        var seconds = false
        if j < s.count, s[j] == UInt8(ascii: ":"), Scan.digits(s, at: j + 1) == 2 {
            j += 3
            seconds = true
            if j < s.count, s[j] == UInt8(ascii: ".") || s[j] == UInt8(ascii: ","), Scan.digits(s, at: j + 1) > 0 {
                j += 1 + Scan.digits(s, at: j + 1)
            }
        }
        return (j, seconds)
    }

    /// A date followed by a time of day at `i`. Returns the index after the time.
    ///
    ///     2026-11-03 12:00:01,123   2026-11-03T12:00:01Z   2026/11/03 12:00
    ///     11/03/2026 12:00:01 PM    03.11.2026 12:00:01
    ///     Nov  3 12:00:01           Nov 03, 2026 12:00:01 PM
    ///     03/Nov/2026:12:00:01      03 Nov 2026 12:00:01
    static func dateTime(_ s: [UInt8], at i: Int) -> Int? {
        if ASCII.isDigit(s[i]) { return numericDateTime(s, at: i) }
        if ASCII.isLetter(s[i]), let m = month(s, at: i) {
            // Mon D[D][, YYYY] time
            var j = Scan.skipBlanks(s, from: m)
            let d = Scan.digits(s, at: j)
            guard j > m, d == 1 || d == 2 else { return nil }
            j += d
            if j + 1 < s.count, s[j] == UInt8(ascii: ","), Scan.digits(s, at: Scan.skipBlanks(s, from: j + 1)) == 4 {
                j = Scan.skipBlanks(s, from: j + 1) + 4
            }
            let t = Scan.skipBlanks(s, from: j)
            guard t > j else { return nil }
            return time(s, at: t)?.end
        }
        return nil
    }

    private static func numericDateTime(_ s: [UInt8], at i: Int) -> Int? {
        let a = Scan.digits(s, at: i)
        var j = i + a
        guard j < s.count else { return nil }
        let sep = s[j]
        if a == 4, sep == UInt8(ascii: "-") || sep == UInt8(ascii: "/") || sep == UInt8(ascii: ".") {
            // YYYY-MM-DD
            guard Scan.digits(s, at: j + 1) == 2, j + 3 < s.count, s[j + 3] == sep, Scan.digits(s, at: j + 4) == 2 else {
                return nil
            }
            j += 6
            guard j < s.count, s[j] == UInt8(ascii: "T") || ASCII.isBlank(s[j]) else { return nil }
            return time(s, at: s[j] == UInt8(ascii: "T") ? j + 1 : Scan.skipBlanks(s, from: j))?.end
        }
        guard a == 1 || a == 2 else { return nil }
        if sep == UInt8(ascii: "/") || sep == UInt8(ascii: ".") || sep == UInt8(ascii: "-") {
            if let m = month(s, at: j + 1), m < s.count, s[m] == sep {
                // DD/Mon/YYYY:HH:MM:SS (Apache)
                guard Scan.digits(s, at: m + 1) == 4 else { return nil }
                let t = m + 5
                guard t < s.count, s[t] == UInt8(ascii: ":") || ASCII.isBlank(s[t]) else { return nil }
                return time(s, at: t + 1)?.end
            }
            // MM/DD/YYYY or DD.MM.YYYY
            let b = Scan.digits(s, at: j + 1)
            guard b == 1 || b == 2, j + 1 + b < s.count, s[j + 1 + b] == sep else { return nil }
            let c = Scan.digits(s, at: j + 2 + b)
            guard c == 2 || c == 4 else { return nil }
            let end = j + 2 + b + c
            let t = Scan.skipBlanks(s, from: end)
            guard t > end else { return nil }
            return time(s, at: t)?.end
        }
        if ASCII.isBlank(sep), let m = month(s, at: Scan.skipBlanks(s, from: j)) {
            // DD Mon YYYY HH:MM:SS
            let y = Scan.skipBlanks(s, from: m)
            guard y > m, Scan.digits(s, at: y) == 4 else { return nil }
            let t = Scan.skipBlanks(s, from: y + 4)
            guard t > y + 4 else { return nil }
            return time(s, at: t)?.end
        }
        return nil
    }

    /// A three-letter English month abbreviation at `i` (any case, not part of a longer
    /// word unless the word is the full month name). Returns the index after the word.
    static func month(_ s: [UInt8], at i: Int) -> Int? {
        guard i + 3 <= s.count else { return nil }
        let word = Int(ASCII.lowercased(s[i])) << 16 | Int(ASCII.lowercased(s[i + 1])) << 8 | Int(ASCII.lowercased(s[i + 2]))
        guard months.contains(word) else { return nil }
        var j = i + 3
        while j < s.count, ASCII.isLetter(s[j]) { j += 1 }
        return j - i <= 9 ? j : nil
    }
}
