/// HTML to readable plain text, for display and indexing.
///
/// A forgiving tokenizer in the spirit of the WHATWG HTML tokenizer (tags, comments,
/// character references), not a DOM: mail HTML is too broken to build a tree from, and a
/// single pass over the bytes keeps the cost linear on any input. Only ASCII bytes are
/// ever inspected, so UTF-8 text passes through untouched.
public enum HTMLText {
    /// Block elements become line breaks, entities are decoded, scripts/styles/head are
    /// dropped, runs of blank lines collapse. Output uses "\n" line endings.
    ///
    /// `<blockquote>` lines are prefixed `> ` so that `QuoteDetection` works on converted
    /// HTML; `<li>` starts `- `; table cells are separated by ` | `; `<pre>` keeps its
    /// whitespace. No line ends in spaces, there is at most one blank line in a row, and the
    /// result is trimmed.
    public static func plainText(fromHTML html: String) -> String {
        var converter = HTMLConverter(Array(html.utf8))
        converter.run()
        return converter.finish()
    }

    /// Decodes character references in `text` (no tags): `&amp;` → `&`, `&#233;` → `é`.
    /// Unknown references are kept as written.
    public static func decodeEntities(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "&"), let (scalar, next) = HTMLEntities.match(bytes, at: i) {
                appendUTF8(scalar, to: &out)
                i = next
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func appendUTF8(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
        out.append(contentsOf: scalar.utf8)
    }
}

/// Elements whose start and end are line breaks. `<p>` and headings are handled apart
/// because they also get a blank line around them.
private let blockElements: Set<String> = [
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
    "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
    "header", "hgroup", "hr", "html", "legend", "li", "main", "menu", "nav", "ol", "pre",
    "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
]

/// Elements whose content is never shown and must be skipped as raw text: their content
/// is not HTML (a `<` in a script is not a tag), as in the WHATWG tokenizer's
/// RAWTEXT/RCDATA/script states.
private let rawTextElements: Set<String> = ["script", "style", "title", "xmp", "iframe", "noembed", "noframes"]

/// Elements whose content is HTML but not shown. `<head>` is not among them: its only
/// text is in `<title>` (skipped as raw text), and a `<head>` never closed must not hide
/// the whole message.
private let hiddenElements: Set<String> = ["svg", "template", "math"]

/// Quote prefixes and list indents are capped so that hostile nesting cannot make every
/// output line as long as the input (which would be quadratic).
private let maxPrefixDepth = 16

private let cellSeparator = Array(" | ".utf8)

private struct HTMLConverter {
    let input: [UInt8]
    var pos = 0
    var out: [UInt8] = []

    // Layout state.
    /// The current output line has visible content (beyond a quote prefix).
    var lineHasContent = false
    /// Line breaks owed before the next content: 1 ends the line, 2 adds a blank line.
    var pendingBreaks = 0
    /// Smallest quote depth seen while breaks were pending: a blank line between two
    /// quoted paragraphs is quoted, one at the edge of a quote is not.
    var pendingBreakDepth = 0
    var pendingSpace = false
    var pendingBullet = false
    var pendingCellSeparator = false
    var rowHasContent = false
    var quoteDepth = 0
    var listDepth = 0
    var preDepth = 0
    /// HTML ignores a newline right after `<pre>`.
    var skipNewlineAfterPre = false
    /// Depth inside each of svg/template/math, whose text is not shown...
    var hiddenDepth: [String: Int] = [:]
    /// ...and how many of them are open; text is dropped while this is not 0.
    var hiddenCount = 0

    init(_ input: [UInt8]) {
        self.input = input
        out.reserveCapacity(input.count / 2)
    }

    mutating func run() {
        let n = input.count
        while pos < n {
            let c = input[pos]
            if c == UInt8(ascii: "<") {
                markup()
            } else if c == UInt8(ascii: "&") {
                if let (scalar, next) = HTMLEntities.match(input, at: pos) {
                    if hiddenCount == 0 { scalarText(scalar) }
                    pos = next
                } else {
                    if hiddenCount == 0 { byteText(c) }
                    pos += 1
                }
            } else if c == 0xC2, pos + 1 < n, input[pos + 1] == 0xA0 {
                // A raw U+00A0. Readers want spaces, not no-break spaces.
                if hiddenCount == 0 { scalarText(" ") }
                pos += 2
            } else {
                if hiddenCount == 0 { byteText(c) }
                pos += 1
            }
        }
    }

    // MARK: - Markup

    /// Dispatches on what follows `<`. A `<` that cannot start markup is text, as in HTML
    /// ("a < b").
    mutating func markup() {
        let n = input.count
        guard pos + 1 < n else {
            if hiddenCount == 0 { byteText(UInt8(ascii: "<")) }
            pos += 1
            return
        }
        let next = input[pos + 1]
        if isAlpha(next) {
            startTag()
        } else if next == UInt8(ascii: "/") {
            if pos + 2 < n, isAlpha(input[pos + 2]) {
                endTag()
            } else {
                // `</>` and `</ junk>` are bogus comments: skipped up to `>`.
                pos = indexOf(UInt8(ascii: ">"), from: pos + 2).map { $0 + 1 } ?? n
            }
        } else if next == UInt8(ascii: "!") {
            if hasPrefix("<!--", at: pos) {
                comment()
            } else if hasPrefixCaseInsensitive("<![cdata[", at: pos) {
                // CDATA is only meaningful in foreign content; in mail it wraps style
                // sheets. Browsers do not show it, so neither do we.
                pos = indexOf(sequence: Array("]]>".utf8), from: pos + 9).map { $0 + 3 } ?? n
            } else {
                // <!DOCTYPE>, Outlook's <![if !vml]> and other declarations.
                pos = indexOf(UInt8(ascii: ">"), from: pos + 2).map { $0 + 1 } ?? n
            }
        } else if next == UInt8(ascii: "?") {
            // <?xml ...?> processing instructions are bogus comments in HTML.
            pos = indexOf(UInt8(ascii: ">"), from: pos + 2).map { $0 + 1 } ?? n
        } else {
            if hiddenCount == 0 { byteText(UInt8(ascii: "<")) }
            pos += 1
        }
    }

    /// `<!-- ... -->`; `<!-->` and `<!--->` are complete (empty) comments, and an
    /// unclosed comment runs to the end, as in the WHATWG tokenizer. Outlook's
    /// `<!--[if mso]>...<![endif]-->` is a comment like any other.
    mutating func comment() {
        let n = input.count
        let bodyStart = pos + 4
        if bodyStart < n, input[bodyStart] == UInt8(ascii: ">") {
            pos = bodyStart + 1
            return
        }
        if bodyStart + 1 < n, input[bodyStart] == UInt8(ascii: "-"), input[bodyStart + 1] == UInt8(ascii: ">") {
            pos = bodyStart + 2
            return
        }
        var i = bodyStart
        while i + 2 < n {
            if input[i] == UInt8(ascii: "-"), input[i + 1] == UInt8(ascii: "-") {
                if input[i + 2] == UInt8(ascii: ">") {
                    pos = i + 3
                    return
                }
                if i + 3 < n, input[i + 2] == UInt8(ascii: "!"), input[i + 3] == UInt8(ascii: ">") {
                    pos = i + 4
                    return
                }
            }
            i += 1
        }
        pos = n
    }

    /// Reads a tag name at `start`, lower-cased (ASCII only, as HTML tag names are).
    func tagName(from start: Int) -> (name: String, end: Int) {
        var i = start
        var name: [UInt8] = []
        while i < input.count {
            let c = input[i]
            if isSpace(c) || c == UInt8(ascii: "/") || c == UInt8(ascii: ">") { break }
            // Tag names are short; the cap keeps `<aaaa...` from building a huge string.
            if name.count < 32 { name.append(c >= 0x41 && c <= 0x5A ? c | 0x20 : c) }
            i += 1
        }
        return (String(decoding: name, as: UTF8.self), i)
    }

    /// A start tag with attributes. Attribute values may be quoted and contain `>`; a tag
    /// unclosed at the end of input is dropped, as browsers do.
    mutating func startTag() {
        let n = input.count
        let (name, afterName) = tagName(from: pos + 1)
        var i = afterName
        var selfClosing = false
        var closed = false
        while i < n {
            let c = input[i]
            if isSpace(c) {
                i += 1
                continue
            }
            if c == UInt8(ascii: ">") {
                closed = true
                i += 1
                break
            }
            if c == UInt8(ascii: "/") {
                selfClosing = i + 1 < n && input[i + 1] == UInt8(ascii: ">")
                i += 1
                continue
            }
            // Attribute name; a leading `=` belongs to the name (WHATWG tokenizer).
            i += 1
            while i < n, !isSpace(input[i]), input[i] != UInt8(ascii: ">"), input[i] != UInt8(ascii: "/"),
                  input[i] != UInt8(ascii: "=") { i += 1 }
            while i < n, isSpace(input[i]) { i += 1 }
            guard i < n, input[i] == UInt8(ascii: "=") else { continue }
            i += 1
            while i < n, isSpace(input[i]) { i += 1 }
            guard i < n else { break }
            let quote = input[i]
            if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
                i = indexOf(quote, from: i + 1).map { $0 + 1 } ?? n
            } else {
                while i < n, !isSpace(input[i]), input[i] != UInt8(ascii: ">") { i += 1 }
            }
        }
        pos = i
        guard closed else { return }
        openElement(name, selfClosing: selfClosing)
    }

    /// An end tag; anything between the name and `>` is ignored.
    mutating func endTag() {
        let (name, afterName) = tagName(from: pos + 2)
        guard let close = indexOf(UInt8(ascii: ">"), from: afterName) else {
            pos = input.count
            return
        }
        pos = close + 1
        closeElement(name)
    }

    mutating func openElement(_ name: String, selfClosing: Bool) {
        if rawTextElements.contains(name) {
            skipRawText(name)
            return
        }
        if hiddenElements.contains(name) {
            if !selfClosing { setHidden(name, delta: 1) }
            return
        }
        guard hiddenCount == 0 else { return }
        switch name {
        case "br":
            lineBreak()
        case "p", "h1", "h2", "h3", "h4", "h5", "h6":
            blockBoundary(2)
        case "blockquote":
            blockBoundary(1)
            quoteDepth += 1
        case "ul", "ol", "dir", "menu":
            blockBoundary(1)
            listDepth += 1
        case "li":
            blockBoundary(1)
            pendingBullet = true
        case "pre":
            blockBoundary(1)
            preDepth += 1
            skipNewlineAfterPre = true
        case "tr":
            blockBoundary(1)
            rowHasContent = false
            pendingCellSeparator = false
        case "td", "th":
            if rowHasContent { pendingCellSeparator = true }
        default:
            if blockElements.contains(name) { blockBoundary(1) }
        }
    }

    mutating func closeElement(_ name: String) {
        if hiddenElements.contains(name) {
            setHidden(name, delta: -1)
            return
        }
        guard hiddenCount == 0 else { return }
        switch name {
        case "br":
            // `</br>` is a `<br>` in every browser.
            lineBreak()
        case "p", "h1", "h2", "h3", "h4", "h5", "h6":
            blockBoundary(2)
        case "blockquote":
            blockBoundary(1)
            quoteDepth = max(0, quoteDepth - 1)
            pendingBreakDepth = min(pendingBreakDepth, quoteDepth)
        case "ul", "ol", "dir", "menu":
            blockBoundary(1)
            listDepth = max(0, listDepth - 1)
        case "pre":
            blockBoundary(1)
            preDepth = max(0, preDepth - 1)
        default:
            if blockElements.contains(name) { blockBoundary(1) }
        }
    }

    mutating func setHidden(_ name: String, delta: Int) {
        let old = hiddenDepth[name] ?? 0
        let new = max(0, old + delta)
        hiddenDepth[name] = new
        hiddenCount += (new > 0 ? 1 : 0) - (old > 0 ? 1 : 0)
    }

    /// Skips to the matching end tag of a raw-text element (its content is not markup),
    /// or to the end of input if it is never closed.
    mutating func skipRawText(_ name: String) {
        let n = input.count
        let nameBytes = Array(name.utf8)
        var i = pos
        while let lt = indexOf(UInt8(ascii: "<"), from: i) {
            if lt + 1 < n, input[lt + 1] == UInt8(ascii: "/"), hasPrefixCaseInsensitive(nameBytes, at: lt + 2) {
                let after = lt + 2 + nameBytes.count
                if after >= n || isSpace(input[after]) || input[after] == UInt8(ascii: ">") || input[after] == UInt8(ascii: "/") {
                    pos = indexOf(UInt8(ascii: ">"), from: after).map { $0 + 1 } ?? n
                    return
                }
            }
            i = lt + 1
        }
        pos = n
    }

    // MARK: - Text and layout

    mutating func byteText(_ c: UInt8) {
        if preDepth > 0 {
            if skipNewlineAfterPre {
                skipNewlineAfterPre = false
                if c == UInt8(ascii: "\n") { return }
            }
            switch c {
            case UInt8(ascii: "\n"): lineBreak()
            case UInt8(ascii: "\r"): break
            case UInt8(ascii: "\t"), UInt8(ascii: " "), 0x0C:
                startContent()
                out.append(c == 0x0C ? UInt8(ascii: " ") : c)
            default:
                content(c)
            }
            return
        }
        if isSpace(c) {
            pendingSpace = true
        } else {
            content(c)
        }
    }

    mutating func scalarText(_ scalar: Unicode.Scalar) {
        switch scalar.value {
        case 0xA0, 0x20, 0x09, 0x0C:
            if preDepth > 0 { byteText(UInt8(ascii: " ")) } else { pendingSpace = true }
        case 0x0A:
            byteText(UInt8(ascii: "\n"))
        case 0x0D, 0xAD:
            // A soft hyphen is an invisible line-break hint; a CR never shows.
            break
        default:
            for b in scalar.utf8 { content(b) }
        }
    }

    /// Writes one byte of visible content, first paying off pending breaks, the line's
    /// quote prefix and bullet, and a pending space or cell separator.
    mutating func content(_ c: UInt8) {
        startContent()
        if pendingCellSeparator {
            out.append(contentsOf: cellSeparator)
            pendingCellSeparator = false
            pendingSpace = false
        } else if pendingSpace {
            out.append(UInt8(ascii: " "))
            pendingSpace = false
        }
        out.append(c)
        rowHasContent = true
    }

    /// Makes the output ready for content on the current line.
    mutating func startContent() {
        skipNewlineAfterPre = false
        if pendingBreaks > 0 {
            if !out.isEmpty {
                out.append(UInt8(ascii: "\n"))
                if pendingBreaks >= 2 {
                    appendQuotePrefix(min(pendingBreakDepth, quoteDepth), trailingSpace: false)
                    out.append(UInt8(ascii: "\n"))
                }
            }
            pendingBreaks = 0
            lineHasContent = false
        }
        if !lineHasContent {
            appendQuotePrefix(quoteDepth, trailingSpace: true)
            if pendingBullet {
                let indent = min(max(listDepth - 1, 0), maxPrefixDepth)
                out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * 2))
                out.append(contentsOf: Array("- ".utf8))
                pendingBullet = false
            }
            pendingSpace = false
            pendingCellSeparator = false
            lineHasContent = true
        }
    }

    mutating func appendQuotePrefix(_ depth: Int, trailingSpace: Bool) {
        guard depth > 0 else { return }
        out.append(contentsOf: repeatElement(UInt8(ascii: ">"), count: min(depth, maxPrefixDepth)))
        if trailingSpace { out.append(UInt8(ascii: " ")) }
    }

    /// Ends the current block: `breaks` is 1 for a line break, 2 for a blank line.
    /// Boundaries do not add up (`</div><div>` is one break); `<br>` does.
    mutating func blockBoundary(_ breaks: Int) {
        if pendingBreaks == 0 { pendingBreakDepth = quoteDepth }
        if lineHasContent || pendingBreaks > 0 {
            pendingBreaks = max(pendingBreaks, breaks)
        }
        pendingSpace = false
    }

    mutating func lineBreak() {
        if pendingBreaks == 0 { pendingBreakDepth = quoteDepth }
        // Capped: at most one blank line is ever written, and a counter that grows with
        // every `<br>` of a hostile input would be pointless.
        pendingBreaks = min(pendingBreaks + 1, 2)
        pendingSpace = false
    }

    /// Final clean-up: no trailing spaces, at most one blank line in a row, trimmed.
    func finish() -> String {
        var result: [UInt8] = []
        result.reserveCapacity(out.count)
        var blankRun = 0
        var lineStart = 0
        var index = 0
        while index <= out.count {
            if index == out.count || out[index] == UInt8(ascii: "\n") {
                var end = index
                while end > lineStart, out[end - 1] == UInt8(ascii: " ") || out[end - 1] == UInt8(ascii: "\t") { end -= 1 }
                if end == lineStart {
                    blankRun += 1
                } else {
                    if !result.isEmpty {
                        result.append(UInt8(ascii: "\n"))
                        if blankRun > 0 { result.append(UInt8(ascii: "\n")) }
                    }
                    var start = lineStart
                    if result.isEmpty {
                        while start < end, out[start] == UInt8(ascii: " ") || out[start] == UInt8(ascii: "\t") { start += 1 }
                    }
                    result.append(contentsOf: out[start..<end])
                    blankRun = 0
                }
                lineStart = index + 1
            }
            index += 1
        }
        return String(decoding: result, as: UTF8.self)
    }

    // MARK: - Byte helpers

    func isAlpha(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }

    /// HTML's ASCII whitespace.
    func isSpace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0C
    }

    func indexOf(_ byte: UInt8, from start: Int) -> Int? {
        var i = start
        while i < input.count {
            if input[i] == byte { return i }
            i += 1
        }
        return nil
    }

    /// First occurrence of a short needle whose first byte does not recur in it (`]]>`),
    /// so a naive scan stays linear.
    func indexOf(sequence needle: [UInt8], from start: Int) -> Int? {
        var i = start
        while i + needle.count <= input.count {
            if hasPrefix(needle, at: i) { return i }
            i += 1
        }
        return nil
    }

    func hasPrefix(_ prefix: String, at index: Int) -> Bool {
        hasPrefix(Array(prefix.utf8), at: index)
    }

    func hasPrefix(_ prefix: [UInt8], at index: Int) -> Bool {
        guard index + prefix.count <= input.count else { return false }
        for (k, b) in prefix.enumerated() where input[index + k] != b { return false }
        return true
    }

    func hasPrefixCaseInsensitive(_ prefix: String, at index: Int) -> Bool {
        hasPrefixCaseInsensitive(Array(prefix.utf8), at: index)
    }

    /// `prefix` must be lower-case ASCII.
    func hasPrefixCaseInsensitive(_ prefix: [UInt8], at index: Int) -> Bool {
        guard index + prefix.count <= input.count else { return false }
        for (k, b) in prefix.enumerated() {
            let c = input[index + k]
            let lower = c >= 0x41 && c <= 0x5A ? c | 0x20 : c
            if lower != b { return false }
        }
        return true
    }
}

/// HTML character references: numeric (`&#233;`, `&#xE9;`) and named.
///
/// The named set is HTML 4's full list (Latin-1, symbols and Greek, special), plus
/// `&apos;`; any name outside it is kept literally, so unknown text is never lost.
fileprivate enum HTMLEntities {
    /// Decodes the reference starting at `bytes[start]` (an `&`): the scalar and the index
    /// after it, or nil when it is not a reference and the `&` is literal text.
    static func match(_ bytes: [UInt8], at start: Int) -> (Unicode.Scalar, Int)? {
        let n = bytes.count
        var i = start + 1
        guard i < n else { return nil }
        if bytes[i] == UInt8(ascii: "#") {
            i += 1
            var hex = false
            if i < n, bytes[i] | 0x20 == UInt8(ascii: "x") {
                hex = true
                i += 1
            }
            let digitsStart = i
            var value = 0
            while i < n, let digit = digitValue(bytes[i], hex: hex) {
                // Saturate instead of overflowing; anything past U+10FFFF is invalid anyway.
                if value <= 0x10FFFF { value = value * (hex ? 16 : 10) + digit }
                i += 1
            }
            guard i > digitsStart else { return nil }
            if i < n, bytes[i] == UInt8(ascii: ";") { i += 1 }
            return (numericScalar(value), i)
        }
        // The longest HTML 4 name is 8 letters ("thetasym"); a longer run is not a
        // reference, and the bound keeps `&aaaa...` linear.
        var end = i
        while end < n, end - i < 9, isAlphanumeric(bytes[end]) { end += 1 }
        guard end > i else { return nil }
        let name = String(decoding: bytes[i..<end], as: UTF8.self)
        if end < n, bytes[end] == UInt8(ascii: ";"), let value = named[name], let scalar = Unicode.Scalar(value) {
            return (scalar, end + 1)
        }
        // Legacy references may omit the `;`, and then match as a prefix (`&copy2024`,
        // `&ampx`), as browsers do for compatibility with old HTML.
        var length = min(end - i, maxLegacyLength)
        while length >= 2 {
            let prefix = String(decoding: bytes[i..<(i + length)], as: UTF8.self)
            if legacy.contains(prefix), let value = named[prefix], let scalar = Unicode.Scalar(value) {
                return (scalar, i + length)
            }
            length -= 1
        }
        return nil
    }

    /// WHATWG "numeric character reference end state": NUL, surrogates and values past
    /// U+10FFFF become U+FFFD; 0x80-0x9F are read as Windows-1252, which is what the
    /// authors of such references meant. Control characters are replaced too, since the
    /// text is for display.
    static func numericScalar(_ value: Int) -> Unicode.Scalar {
        let replacement = Unicode.Scalar(0xFFFD as UInt32) ?? "?"
        if value >= 0x80, value <= 0x9F {
            let mapped = windows1252[value - 0x80]
            return mapped == 0 ? replacement : Unicode.Scalar(mapped) ?? replacement
        }
        if value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF) { return replacement }
        if value < 0x20, value != 0x09, value != 0x0A, value != 0x0D, value != 0x0C { return replacement }
        if value == 0x7F { return replacement }
        return Unicode.Scalar(UInt32(value)) ?? replacement
    }

    /// Windows-1252 bytes 0x80-0x9F; 0 where the code page has no character.
    static let windows1252: [UInt32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ]

    static func digitValue(_ c: UInt8, hex: Bool) -> Int? {
        switch c {
        case 0x30...0x39: return Int(c - 0x30)
        case 0x61...0x66 where hex: return Int(c - 0x61 + 10)
        case 0x41...0x46 where hex: return Int(c - 0x41 + 10)
        default: return nil
        }
    }

    static func isAlphanumeric(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }

    /// HTML 4 Latin-1 entities, U+00A0 to U+00FF in order.
    static let latin1Names = [
        "nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect",
        "uml", "copy", "ordf", "laquo", "not", "shy", "reg", "macr",
        "deg", "plusmn", "sup2", "sup3", "acute", "micro", "para", "middot",
        "cedil", "sup1", "ordm", "raquo", "frac14", "frac12", "frac34", "iquest",
        "Agrave", "Aacute", "Acirc", "Atilde", "Auml", "Aring", "AElig", "Ccedil",
        "Egrave", "Eacute", "Ecirc", "Euml", "Igrave", "Iacute", "Icirc", "Iuml",
        "ETH", "Ntilde", "Ograve", "Oacute", "Ocirc", "Otilde", "Ouml", "times",
        "Oslash", "Ugrave", "Uacute", "Ucirc", "Uuml", "Yacute", "THORN", "szlig",
        "agrave", "aacute", "acirc", "atilde", "auml", "aring", "aelig", "ccedil",
        "egrave", "eacute", "ecirc", "euml", "igrave", "iacute", "icirc", "iuml",
        "eth", "ntilde", "ograve", "oacute", "ocirc", "otilde", "ouml", "divide",
        "oslash", "ugrave", "uacute", "ucirc", "uuml", "yacute", "thorn", "yuml",
    ]

    /// HTML 4 special and symbol entities (and `apos` from XML/HTML5).
    static let otherEntities: [(String, UInt32)] = [
        // Special (markup-significant and internationalization characters).
        ("quot", 34), ("amp", 38), ("apos", 39), ("lt", 60), ("gt", 62),
        ("QUOT", 34), ("AMP", 38), ("LT", 60), ("GT", 62), ("COPY", 169), ("REG", 174),
        ("OElig", 338), ("oelig", 339), ("Scaron", 352), ("scaron", 353), ("Yuml", 376),
        ("circ", 710), ("tilde", 732), ("ensp", 8194), ("emsp", 8195), ("thinsp", 8201),
        ("zwnj", 8204), ("zwj", 8205), ("lrm", 8206), ("rlm", 8207), ("ndash", 8211),
        ("mdash", 8212), ("lsquo", 8216), ("rsquo", 8217), ("sbquo", 8218), ("ldquo", 8220),
        ("rdquo", 8221), ("bdquo", 8222), ("dagger", 8224), ("Dagger", 8225), ("permil", 8240),
        ("lsaquo", 8249), ("rsaquo", 8250), ("euro", 8364),
        // Symbols, mathematical symbols and Greek letters.
        ("fnof", 402),
        ("Alpha", 913), ("Beta", 914), ("Gamma", 915), ("Delta", 916), ("Epsilon", 917),
        ("Zeta", 918), ("Eta", 919), ("Theta", 920), ("Iota", 921), ("Kappa", 922),
        ("Lambda", 923), ("Mu", 924), ("Nu", 925), ("Xi", 926), ("Omicron", 927),
        ("Pi", 928), ("Rho", 929), ("Sigma", 931), ("Tau", 932), ("Upsilon", 933),
        ("Phi", 934), ("Chi", 935), ("Psi", 936), ("Omega", 937),
        ("alpha", 945), ("beta", 946), ("gamma", 947), ("delta", 948), ("epsilon", 949),
        ("zeta", 950), ("eta", 951), ("theta", 952), ("iota", 953), ("kappa", 954),
        ("lambda", 955), ("mu", 956), ("nu", 957), ("xi", 958), ("omicron", 959),
        ("pi", 960), ("rho", 961), ("sigmaf", 962), ("sigma", 963), ("tau", 964),
        ("upsilon", 965), ("phi", 966), ("chi", 967), ("psi", 968), ("omega", 969),
        ("thetasym", 977), ("upsih", 978), ("piv", 982),
        ("bull", 8226), ("hellip", 8230), ("prime", 8242), ("Prime", 8243), ("oline", 8254),
        ("frasl", 8260), ("weierp", 8472), ("image", 8465), ("real", 8476), ("trade", 8482),
        ("alefsym", 8501), ("larr", 8592), ("uarr", 8593), ("rarr", 8594), ("darr", 8595),
        ("harr", 8596), ("crarr", 8629), ("lArr", 8656), ("uArr", 8657), ("rArr", 8658),
        ("dArr", 8659), ("hArr", 8660), ("forall", 8704), ("part", 8706), ("exist", 8707),
        ("empty", 8709), ("nabla", 8711), ("isin", 8712), ("notin", 8713), ("ni", 8715),
        ("prod", 8719), ("sum", 8721), ("minus", 8722), ("lowast", 8727), ("radic", 8730),
        ("prop", 8733), ("infin", 8734), ("ang", 8736), ("and", 8743), ("or", 8744),
        ("cap", 8745), ("cup", 8746), ("int", 8747), ("there4", 8756), ("sim", 8764),
        ("cong", 8773), ("asymp", 8776), ("ne", 8800), ("equiv", 8801), ("le", 8804),
        ("ge", 8805), ("sub", 8834), ("sup", 8835), ("nsub", 8836), ("sube", 8838),
        ("supe", 8839), ("oplus", 8853), ("otimes", 8855), ("perp", 8869), ("sdot", 8901),
        ("lceil", 8968), ("rceil", 8969), ("lfloor", 8970), ("rfloor", 8971),
        // HTML 4 gave U+2329/U+232A; HTML5 moved lang/rang to the canonical brackets.
        ("lang", 10216), ("rang", 10217),
        ("loz", 9674), ("spades", 9824), ("clubs", 9827), ("hearts", 9829), ("diams", 9830),
    ]

    static let named: [String: UInt32] = {
        var table: [String: UInt32] = [:]
        for (offset, name) in latin1Names.enumerated() { table[name] = 0xA0 + UInt32(offset) }
        for (name, value) in otherEntities { table[name] = value }
        return table
    }()

    /// Names browsers accept without a trailing `;` (the HTML 2/3.2 set).
    static let legacy: Set<String> = Set(latin1Names).union(["quot", "amp", "lt", "gt", "QUOT", "AMP", "LT", "GT", "COPY", "REG"])
    static let maxLegacyLength = 6
}
