/// Finds quoted replies and signatures in a plain-text body, for folding in a UI.
public struct TextSegment: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case text, quote, signature
    }
    public var kind: Kind
    /// Line range in the body split on "\n" (lower bound inclusive, upper exclusive).
    public var lines: Range<Int>

    public init(kind: Kind, lines: Range<Int>) {
        self.kind = kind
        self.lines = lines
    }
}

/// Quote and signature detection by line, in one forward pass.
///
/// What starts a quote:
/// - a run of `>`-quoted lines (RFC 3676 §4.5), blank lines inside the run included;
/// - an attribution line ("On ..., X wrote:", and the forms of other languages and
///   clients, also wrapped over two or three lines), together with the quoted run after it;
/// - Outlook's "-----Original Message-----" separator or its header block
///   ("From:/Sent:/To:/Subject:", localized), optionally after a line of underscores:
///   Outlook quotes without `>`, so everything from there to the end is the quote.
///
/// A signature starts at the `-- ` delimiter (RFC 3676 §4.3; a bare `--` is accepted)
/// and runs until a quote starts or the text ends.
///
/// Forwarded messages ("---------- Forwarded message ----------", "Begin forwarded
/// message:" and the header block after them) are not quotes: what a customer forwards to
/// a help desk is usually the point of the message.
public enum QuoteDetection {
    /// Splits `text` ("\n" line endings) into segments covering every line exactly once,
    /// in order. Nothing is removed: detection only marks what a UI may fold.
    public static func segments(of text: String) -> [TextSegment] {
        let lines = BodyLines(text)
        let kinds = classify(lines)
        var segments: [TextSegment] = []
        var start = 0
        for index in 1...kinds.count where index == kinds.count || kinds[index] != kinds[start] {
            segments.append(TextSegment(kind: kinds[start], lines: start..<index))
            start = index
        }
        return segments
    }

    /// The text with quotes and signatures removed and trailing blank lines trimmed: what
    /// a compact timeline shows.
    public static func visibleText(_ text: String) -> String {
        let lines = BodyLines(text)
        let kinds = classify(lines)
        var kept: [Substring] = []
        for (index, kind) in kinds.enumerated() where kind == .text {
            kept.append(lines[index])
        }
        while let last = kept.last, isBlank(last) { kept.removeLast() }
        return kept.joined(separator: "\n")
    }

    // MARK: - Classification

    private static func classify(_ lines: BodyLines) -> [TextSegment.Kind] {
        let n = lines.count
        var kinds = [TextSegment.Kind](repeating: .text, count: n)
        var inSignature = false
        var i = 0
        while i < n {
            if let end = quoteEnd(startingAt: i, in: lines) {
                for k in i..<end { kinds[k] = .quote }
                i = end
                inSignature = false
                continue
            }
            if isSignatureDelimiter(lines[i]) { inSignature = true }
            kinds[i] = inSignature ? .signature : .text
            i += 1
        }
        return kinds
    }

    /// If a quote starts at line `i`, the index after its last line.
    private static func quoteEnd(startingAt i: Int, in lines: BodyLines) -> Int? {
        let line = lines[i]
        if isBlank(line) { return nil }
        if isQuoted(line) { return quotedRunEnd(from: i, in: lines) }
        if isOriginalMessageSeparator(line) { return lines.count }
        if isHeaderBlock(at: i, in: lines), !followsForwardMarker(i, in: lines) { return lines.count }
        if isUnderscoreRule(line) {
            var next = i + 1
            while next < lines.count, isBlank(lines[next]) { next += 1 }
            if next < lines.count, isHeaderBlock(at: next, in: lines) || isOriginalMessageSeparator(lines[next]) {
                return lines.count
            }
        }
        if let attribution = attribution(at: i, in: lines) {
            var next = attribution.end
            while next < lines.count, isBlank(lines[next]) { next += 1 }
            if next < lines.count, isQuoted(lines[next]) { return quotedRunEnd(from: next, in: lines) }
            // A clear attribution followed by unquoted text: the quote lost its `>` marks
            // (HTML converted by the sender's client), so the rest is the quote.
            if attribution.strong { return lines.count }
        }
        return nil
    }

    /// The end of a run of `>` lines starting at `start`: blank lines between quoted lines
    /// belong to the run, blank lines after it do not.
    private static func quotedRunEnd(from start: Int, in lines: BodyLines) -> Int {
        var end = start + 1
        var k = start + 1
        while k < lines.count {
            let line = lines[k]
            if isQuoted(line) {
                end = k + 1
            } else if !isBlank(line) {
                break
            }
            k += 1
        }
        return end
    }

    // MARK: - Line predicates

    static func isBlank(_ line: Substring) -> Bool {
        line.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }

    /// RFC 3676 §4.5 quote marks, allowing the indentation some clients add.
    static func isQuoted(_ line: Substring) -> Bool {
        for byte in line.utf8 {
            if byte == UInt8(ascii: ">") { return true }
            if byte != 0x20, byte != 0x09 { return false }
        }
        return false
    }

    /// RFC 3676 §4.3: "-- " alone on a line. Many clients strip the trailing space, so a
    /// bare "--" counts too.
    static func isSignatureDelimiter(_ line: Substring) -> Bool {
        var utf8 = line.utf8[...]
        while let last = utf8.last, last == 0x20 || last == 0x09 || last == 0x0D { utf8 = utf8.dropLast() }
        return utf8.elementsEqual("--".utf8)
    }

    /// Outlook's "________________________________" before its header block.
    static func isUnderscoreRule(_ line: Substring) -> Bool {
        let trimmed = trimmedUTF8(line)
        return trimmed.count >= 10 && trimmed.allSatisfy { $0 == UInt8(ascii: "_") }
    }

    /// Localized names Outlook puts between dashes: "-----Original Message-----",
    /// "----- Ursprüngliche Nachricht -----", ...
    static let originalMessageNames: Set<String> = [
        "original message", "ursprüngliche nachricht", "message d'origine", "message d’origine",
        "mensaje original", "messaggio originale", "oorspronkelijk bericht", "origineel bericht",
        "mensagem original", "ursprungligt meddelande", "originalmeddelelse", "oprindelig meddelelse",
        "opprinnelig melding", "opprinnelig e-post", "alkuperäinen viesti", "wiadomość oryginalna",
        "oryginalna wiadomość", "исходное сообщение", "původní zpráva", "pôvodná správa",
        "eredeti üzenet", "orijinal ileti", "αρχικό μήνυμα", "元のメッセージ", "原始邮件", "原始郵件",
    ]

    static func isOriginalMessageSeparator(_ line: Substring) -> Bool {
        let trimmed = trimmedUTF8(line)
        guard trimmed.count <= 80, trimmed.starts(with: "--".utf8), trimmed.last == UInt8(ascii: "-") else { return false }
        var inner = trimmed
        while let first = inner.first, first == UInt8(ascii: "-") || first == 0x20 { inner = inner.dropFirst() }
        while let last = inner.last, last == UInt8(ascii: "-") || last == 0x20 { inner = inner.dropLast() }
        return originalMessageNames.contains(String(decoding: inner, as: UTF8.self).lowercased())
    }

    // MARK: - Outlook header block

    enum HeaderKey {
        case from, sent, to, cc, subject
    }

    /// Field names of Outlook's quoted header block, lower-cased, in the languages
    /// Fairdesk's customers write in.
    static let headerKeys: [String: HeaderKey] = {
        var keys: [String: HeaderKey] = [:]
        for name in ["from", "von", "de", "van", "da", "från", "fra", "od", "от", "lähettäjä", "差出人", "发件人", "寄件者"] {
            keys[name] = .from
        }
        for name in ["sent", "date", "gesendet", "datum", "envoyé", "enviado", "fecha", "inviato", "data",
                     "verzonden", "skickat", "sendt", "wysłano", "отправлено", "lähetetty", "送信日時", "发送时间", "日期"] {
            keys[name] = .sent
        }
        for name in ["to", "an", "à", "a", "para", "aan", "till", "til", "do", "кому", "vastaanottaja", "宛先", "收件人"] {
            keys[name] = .to
        }
        for name in ["cc", "kopie", "copie", "cc/bcc"] {
            keys[name] = .cc
        }
        for name in ["subject", "betreff", "objet", "asunto", "oggetto", "onderwerp", "assunto", "ämne", "emne",
                     "temat", "тема", "aihe", "件名", "主题", "主旨"] {
            keys[name] = .subject
        }
        return keys
    }()

    /// The header key a line starts with ("From:", "*Von:*", "De :", "件名："), if any.
    static func headerKey(_ line: Substring) -> HeaderKey? {
        var rest = line[...]
        while let first = rest.first, first == " " || first == "\t" || first == "*" { rest = rest.dropFirst() }
        // Keys are short; looking further would make this cost grow with the line.
        guard let colon = rest.prefix(24).firstIndex(where: { $0 == ":" || $0 == "：" }) else { return nil }
        var key = rest[..<colon]
        while let last = key.last, last == " " || last == "*" || last == "\u{A0}" { key = key.dropLast() }
        guard !key.isEmpty else { return nil }
        return headerKeys[key.lowercased()]
    }

    /// A "From:" line followed closely by at least two of the Sent/To/Subject lines.
    /// Requiring the company keeps a customer's "From: ..." sentence from hiding the rest.
    fileprivate static func isHeaderBlock(at i: Int, in lines: BodyLines) -> Bool {
        guard headerKey(lines[i]) == .from else { return false }
        var seen: Set<HeaderKey> = []
        var k = i + 1
        // Up to eight lines: long To/Cc lists wrap onto continuation lines.
        while k < lines.count, k <= i + 8, !isBlank(lines[k]) {
            if let key = headerKey(lines[k]), key != .from, key != .cc { seen.insert(key) }
            if seen.count >= 2 { return true }
            k += 1
        }
        return false
    }

    /// Gmail's "---------- Forwarded message ---------" and Apple Mail's "Begin forwarded
    /// message:" introduce a header block just like Outlook's reply block does.
    static let forwardMarkers = [
        "forwarded message", "weitergeleitete nachricht", "message transféré", "mensaje reenviado",
        "messaggio inoltrato", "doorgestuurd bericht", "mensagem encaminhada", "vidarebefordrat meddelande",
        "videresendt meddelelse", "videresendt melding", "przekazana wiadomość", "пересылаемое сообщение",
        "転送されたメッセージ", "转发的邮件",
    ]

    /// Whether the nearest non-blank line before `i` (looking back two lines at most)
    /// announces a forwarded message.
    fileprivate static func followsForwardMarker(_ i: Int, in lines: BodyLines) -> Bool {
        var k = i - 1
        while k >= 0, k >= i - 3 {
            let line = lines[k]
            if !isBlank(line) {
                guard line.utf8.count <= 120 else { return false }
                let lower = line.lowercased()
                return forwardMarkers.contains { lower.contains($0) }
            }
            k -= 1
        }
        return false
    }

    // MARK: - Attribution lines

    /// Words that open an attribution line: "On", "Am", "Le", "El", "Il", "Op", "Em", "Den".
    static let attributionStarts = ["on ", "am ", "le ", "el ", "il ", "op ", "em ", "den "]

    /// The verb that ends "X wrote:" in each language (and client phrasing).
    static let attributionVerbs = [
        "wrote", "schrieb", "a écrit", "a ecrit", "escribió", "escribio", "ha scritto", "schreef",
        "escreveu", "skrev", "napisał", "napisała", "napisal", "написал", "написала", "пишет", "kirjoitti", "napsal", "írta",
        "のメッセージ", "書きました", "写道", "寫道",
    ]

    /// Longest attribution considered (in UTF-8 bytes, all lines joined): they are one
    /// sentence, and the cap bounds the work per line.
    static let maxAttributionBytes = 400

    /// An attribution starting at line `i`, one to three lines long, and whether it is
    /// clear enough (an opening word and a verb, or a verb and a date or address) to count
    /// even when no `>` lines follow.
    fileprivate static func attribution(at i: Int, in lines: BodyLines) -> (end: Int, strong: Bool)? {
        let first = lines[i]
        guard first.utf8.count <= maxAttributionBytes, mayStartAttribution(first) else { return nil }
        var joined = trimmed(first)
        if endsWithColon(joined), let strong = attributionStrength(joined) { return (i + 1, strong) }
        // Gmail and Thunderbird wrap a long attribution; only follow lines from a line
        // that starts like one.
        guard startsLikeAttribution(joined) else { return nil }
        var k = i + 1
        while k < lines.count, k <= i + 2 {
            let line = lines[k]
            guard !isBlank(line), !isQuoted(line) else { return nil }
            joined += " " + trimmed(line)
            guard joined.utf8.count <= maxAttributionBytes else { return nil }
            if endsWithColon(joined) {
                guard let strong = attributionStrength(joined) else { return nil }
                return (k + 1, strong)
            }
            k += 1
        }
        return nil
    }

    /// A cheap byte-level filter run on every line before any string is built: the line
    /// ends in a colon (ASCII or the full-width U+FF1A, EF BC 9A) or starts like a wrapped
    /// attribution.
    static func mayStartAttribution(_ line: Substring) -> Bool {
        let utf8 = trimmedUTF8(line)
        if utf8.last == UInt8(ascii: ":") || utf8.reversed().starts(with: [0x9A, 0xBC, 0xEF]) {
            return true
        }
        guard let first = utf8.first else { return false }
        let lower = first | 0x20
        return (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9"))
            || lower == UInt8(ascii: "o") || lower == UInt8(ascii: "a") || lower == UInt8(ascii: "l")
            || lower == UInt8(ascii: "e") || lower == UInt8(ascii: "i") || lower == UInt8(ascii: "d")
    }

    static func startsLikeAttribution(_ text: String) -> Bool {
        guard let first = text.utf8.first else { return false }
        if first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") { return true }
        let head = String(decoding: text.utf8.prefix(4), as: UTF8.self).lowercased()
        return attributionStarts.contains { head.hasPrefix($0) }
    }

    static func endsWithColon(_ text: String) -> Bool {
        text.hasSuffix(":") || text.hasSuffix("：")
    }

    /// nil if `text` (ending in a colon) is not an attribution; otherwise whether it is
    /// strong.
    static func attributionStrength(_ text: String) -> Bool? {
        var lower = text.lowercased()
        if lower.hasSuffix("：") { lower = String(lower.dropLast()) + ":" }
        // French puts a (often no-break) space before the colon: "a écrit :".
        var body = lower.dropLast()
        while let last = body.last, last.isWhitespace { body = body.dropLast() }
        // Polish and Russian hedge the gender: "napisał(a):", "написал(а):".
        var verbEnd = body
        if verbEnd.hasSuffix("(a)") || verbEnd.hasSuffix("(а)") { verbEnd = verbEnd.dropLast(3) }
        let endsWithVerb = attributionVerbs.contains { verbEnd.hasSuffix($0) }
        let hasDateOrAddress = body.contains(where: { $0.isNumber || $0 == "@" })
        // "On <date>, <name> wrote:" and its kin: the verb may sit mid-sentence
        // ("Am ... schrieb John <j@x>:").
        if attributionStarts.contains(where: { body.hasPrefix($0) }), attributionVerbs.contains(where: { body.contains($0) }) {
            return true
        }
        // Otherwise the verb must end the line, so "I wrote 3 tests:" is not taken for one;
        // "John <john@x.com> wrote:" is strong, "John wrote:" needs `>` lines after it.
        if endsWithVerb { return hasDateOrAddress }
        // Gmail in languages without a verb (Japanese, Russian, ...):
        // "2024年3月5日(火) 10:00 John Doe <john@example.com>:". Weak: only with `>` lines.
        if body.hasSuffix(">"), body.contains("@"), hasDateOrAddress { return false }
        return nil
    }

    // MARK: - Helpers

    static func trimmed(_ line: Substring) -> String {
        var slice = line
        while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return String(slice)
    }

    static func trimmedUTF8(_ line: Substring) -> Substring.UTF8View.SubSequence {
        var utf8 = line.utf8[...]
        while let first = utf8.first, first == 0x20 || first == 0x09 { utf8 = utf8.dropFirst() }
        while let last = utf8.last, last == 0x20 || last == 0x09 || last == 0x0D { utf8 = utf8.dropLast() }
        return utf8
    }
}

/// The lines of a text split on "\n" exactly as `text.split(separator: "\n",
/// omittingEmptySubsequences: false)` splits them, because callers index their own split
/// with our ranges. (That split keeps a "\r\n" grapheme whole, so text must come with
/// "\n" line endings, as `MessageSummary.body` does; a stray "\r" before a split point
/// is tolerated by every predicate.)
fileprivate struct BodyLines {
    private let storage: [Substring]

    init(_ text: String) {
        storage = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    var count: Int { storage.count }

    subscript(index: Int) -> Substring { storage[index] }
}
