/// A text split into lines of bytes, ready for the line scanners.
///
/// Every text scanner in this folder works on ASCII bytes, one line at a time, with
/// hand-written loops instead of regular expressions: the detector runs on every inbound
/// message, and each line is looked at a bounded number of times, so the cost is linear
/// (about 0.15 s per MiB in a release build) and no input can make it backtrack.
struct TextSource {
    struct Line {
        /// 1-based, as a person counts lines.
        var number: Int
        /// The line without its terminator. A line longer than `TextLimits.maxLineBytes`
        /// becomes several `Line`s with the same number.
        var bytes: [UInt8]
        /// `bytes` with ASCII letters lowercased, for case-insensitive keywords.
        var lower: [UInt8]
        /// Index of the first byte that is not a space or tab (`bytes.count` if none).
        var indent: Int

        var isBlank: Bool { indent == bytes.count }
    }

    var label: String
    /// The position of the source in the input (texts first, then files), for ordering.
    var order: Int
    /// An attachment (file) rather than a message body.
    var isAttachment: Bool
    var lines: [Line]

    /// `skipping` holds 0-based line numbers (of `text` split on "\n") that are scanned as
    /// blank lines: quotes and signatures, which the customer did not write now.
    init(label: String, order: Int, isAttachment: Bool, text: String, skipping: Set<Int> = []) {
        self.label = label
        self.order = order
        self.isAttachment = isAttachment
        self.lines = Self.split(Array(text.utf8), skipping: skipping)
    }

    private static func split(_ bytes: [UInt8], skipping: Set<Int>) -> [Line] {
        var lines: [Line] = []
        var number = 1
        func add(_ start: Int, _ end: Int) {
            var from = start
            if skipping.contains(number - 1) { from = end }
            // A very long line (an unwrapped paragraph) is scanned in pieces, cut at a
            // blank where possible, so that the work per line stays bounded.
            while from < end {
                var cut = min(end, from + TextLimits.maxLineBytes)
                if cut < end, let blank = bytes[from..<cut].lastIndex(where: ASCII.isBlank),
                    blank > from + TextLimits.maxLineBytes / 2
                {
                    cut = blank + 1
                }
                append(Array(bytes[from..<cut]))
                from = cut
            }
            if lines.last?.number != number { append([]) }  // a blank line still counts
            number += 1
        }
        func append(_ line: [UInt8]) {
            var indent = 0
            while indent < line.count, ASCII.isBlank(line[indent]) { indent += 1 }
            lines.append(Line(number: number, bytes: line, lower: line.map(ASCII.lowercased), indent: indent))
        }
        var start = 0
        for i in 0..<bytes.count where bytes[i] == 0x0A {
            add(start, i)
            start = i + 1
        }
        if start < bytes.count { add(start, bytes.count) }
        return lines
    }
}

/// Named limits of the text scanners.
enum TextLimits {
    /// Longer lines are scanned in pieces of about this size; no structure we look for is
    /// that long.
    static let maxLineBytes = 4096
    /// Evidence quotes at most this many characters of a line.
    static let maxQuoteCharacters = 100
    /// Lines of one block may be this many lines apart (code lines in a Python traceback,
    /// a blank line between a WinDbg header and its frames).
    static let maxBlockGap = 3
}

/// ASCII byte classes. Bytes ≥ 0x80 are never letters here: every keyword we look for is
/// ASCII, and a UTF-8 continuation byte must not extend a word.
enum ASCII {
    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    static func isUpper(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }
    static func isLower(_ b: UInt8) -> Bool { b >= 0x61 && b <= 0x7A }
    static func isLetter(_ b: UInt8) -> Bool { isUpper(b) || isLower(b) }
    static func isAlnum(_ b: UInt8) -> Bool { isLetter(b) || isDigit(b) }
    static func isHex(_ b: UInt8) -> Bool { isDigit(b) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x66) }
    static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
    /// Letters, digits and underscore: the bytes of an identifier.
    static func isIdent(_ b: UInt8) -> Bool { isAlnum(b) || b == 0x5F }
    static func lowercased(_ b: UInt8) -> UInt8 { isUpper(b) ? b | 0x20 : b }
}

/// Small helpers over `[UInt8]` lines.
enum Scan {
    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    static func has(_ s: [UInt8], _ p: [UInt8], at i: Int) -> Bool {
        guard i >= 0, i + p.count <= s.count else { return false }
        for k in 0..<p.count where s[i + k] != p[k] { return false }
        return true
    }

    static func find(_ p: [UInt8], in s: [UInt8], from: Int = 0) -> Int? {
        guard !p.isEmpty, s.count >= p.count else { return nil }
        let first = p[0]
        var i = max(0, from)
        while i <= s.count - p.count {
            if s[i] == first, has(s, p, at: i) { return i }
            i += 1
        }
        return nil
    }

    static func contains(_ s: [UInt8], _ p: [UInt8]) -> Bool { find(p, in: s) != nil }

    /// The number of decimal digits starting at `i`.
    static func digits(_ s: [UInt8], at i: Int) -> Int {
        var j = i
        while j < s.count, ASCII.isDigit(s[j]) { j += 1 }
        return j - i
    }

    static func hexDigits(_ s: [UInt8], at i: Int) -> Int {
        var j = i
        while j < s.count, ASCII.isHex(s[j]) { j += 1 }
        return j - i
    }

    static func skipBlanks(_ s: [UInt8], from i: Int) -> Int {
        var j = i
        while j < s.count, ASCII.isBlank(s[j]) { j += 1 }
        return j
    }

    /// Whether position `i` starts a word: at the start, or after a byte that is not a
    /// letter, digit or underscore.
    static func isWordStart(_ s: [UInt8], _ i: Int) -> Bool { i == 0 || !ASCII.isIdent(s[i - 1]) }

    static func isWordEnd(_ s: [UInt8], _ i: Int) -> Bool { i >= s.count || !ASCII.isIdent(s[i]) }

    static func string(_ s: [UInt8], _ range: Range<Int>) -> String {
        String(decoding: s[range], as: UTF8.self)
    }

    static func int(_ s: [UInt8], _ range: Range<Int>) -> Int {
        var v = 0
        for i in range { v = v &* 10 &+ Int(s[i] &- 0x30) }
        return v
    }

    /// A hexadecimal address at `i`: optional `0x`, then 8 to 16 hex digits, which may be
    /// split by WinDbg's backtick (`00007ff6`12340000`). Returns the index after it.
    static func address(_ s: [UInt8], at i: Int, minDigits: Int = 8) -> Int? {
        var j = i
        if has(s, zeroX, at: j) { j += 2 }
        var n = hexDigits(s, at: j)
        j += n
        if n == 8, j < s.count, s[j] == UInt8(ascii: "`") {
            let m = hexDigits(s, at: j + 1)
            if m == 8 {
                j += 1 + m
                n += m
            }
        }
        guard n >= minDigits, n <= 16, isWordEnd(s, j) else { return nil }
        return j
    }

    static let zeroX = bytes("0x")
}

/// Evidence wording shared by all text detectors.
enum Evidence {
    /// `label, line 4: "quote"` or `label, lines 4–19: "quote"`.
    static func lines(_ source: TextSource, _ first: Int, _ last: Int, quote line: TextSource.Line) -> String {
        "\(place(source, first, last)): \"\(quote(line.bytes))\""
    }

    static func place(_ source: TextSource, _ first: Int, _ last: Int) -> String {
        let a = source.lines[first].number
        let b = source.lines[last].number
        return a == b ? "\(source.label), line \(a)" : "\(source.label), lines \(a)–\(b)"
    }

    /// At most `TextLimits.maxQuoteCharacters` characters of a line, control characters
    /// (tabs included) shown as spaces, trailing blanks dropped.
    static func quote(_ bytes: [UInt8]) -> String {
        var out = ""
        var n = 0
        for c in String(decoding: bytes, as: UTF8.self) {
            if n == TextLimits.maxQuoteCharacters {
                out += "…"
                break
            }
            let isControl = c.unicodeScalars.first.map { $0.value < 0x20 || $0.value == 0x7F } ?? false
            out.append(isControl ? " " : c)
            n += 1
        }
        while out.last == " " { out.removeLast() }
        return out
    }
}

/// A detection with the position it came from, so that results sort by item, then source
/// order, then line.
struct Found {
    var detection: Detection
    var source: Int
    var line: Int

    init(_ item: DiagnosticItemKey, _ what: String, _ evidence: String, value: String? = nil, source: Int, line: Int) {
        self.detection = Detection(item: item, what: what, evidence: evidence, value: value)
        self.source = source
        self.line = line
    }
}

/// Groups of line indexes that lie at most `gap` lines apart, in order.
func clusters(_ indexes: [Int], gap: Int = TextLimits.maxBlockGap) -> [[Int]] {
    var result: [[Int]] = []
    for i in indexes {
        if let last = result.last?.last, i - last <= gap {
            result[result.count - 1].append(i)
        } else {
            result.append([i])
        }
    }
    return result
}
