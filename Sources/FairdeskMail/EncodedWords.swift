/// RFC 2047 encoded words: `=?charset?B|Q?encoded-text?=` in header fields.
///
/// Decoding is liberal (mailers break every rule of §5 and §6), encoding is strict.
public enum EncodedWords {
    /// Decodes unstructured header text (Subject, Comments, a display name already
    /// unquoted) that may contain encoded words. `raw` is the unfolded field body.
    public static func decode(_ raw: String) -> (text: String, defects: [MailDefect]) {
        var bytes = Array(raw.utf8)
        unfold(&bytes)
        guard containsWordStart(bytes) else {
            return (bytes.count == raw.utf8.count ? raw : String(decoding: bytes, as: UTF8.self), [])
        }
        var defects: [MailDefect] = []
        let segments = split(bytes, defects: &defects)
        return (assemble(segments, bytes: bytes, defects: &defects), defects)
    }

    /// Encodes `text` for an unstructured header field (RFC 2047 §5 (1)) if it needs it,
    /// folding so no line exceeds 76 characters given `fieldNameLength` (e.g. 7 for "Subject").
    public static func encodeUnstructured(_ text: String, fieldNameLength: Int) -> String {
        let prefixLength = fieldNameLength + 2  // "Subject: "
        let tokens = tokenize(text)
        if tokens.allSatisfy({ $0.isSpace || isPlain($0.text) }),
           let folded = foldPlain(tokens, prefixLength: prefixLength) {
            return folded
        }
        return encodeMixed(tokens, prefixLength: prefixLength)
    }

    /// Encodes a display name for use as a `phrase` (RFC 2047 §5 (3)): returns it bare if it
    /// is an atom sequence, quoted if it is ASCII with specials, encoded words otherwise.
    public static func encodePhrase(_ text: String) -> String {
        if text.isEmpty { return "\"\"" }
        // A phrase holding "=?" must be encoded even if it is ASCII: decoders (ours
        // included) find encoded words inside quoted strings too.
        let hasWordStart = containsWordStart(Array(text.utf8))
        if !hasWordStart, isAtomSequence(text) { return text }
        if !hasWordStart, text.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) {
            var quoted = "\""
            for character in text {
                if character == "\"" || character == "\\" { quoted.append("\\") }
                quoted.append(character)
            }
            quoted.append("\"")
            return quoted
        }
        var units = text.map { Array(String($0).utf8) }
        let encoding = chooseEncoding(units, literal: isPhraseLiteral)
        var words: [String] = []
        var index = 0
        while index < units.count {
            let (word, consumed) = makeWord(&units, from: index, maxLength: maximumWordLength, encoding: encoding, literal: isPhraseLiteral)
            words.append(word)
            index += consumed
        }
        return words.joined(separator: " ")
    }
}

// MARK: - Limits

extension EncodedWords {
    /// RFC 2047 §2: "An 'encoded-word' may not be more than 75 characters long".
    public static let maximumWordLength = 75
    /// RFC 2047 §2: lines holding encoded words should not exceed 76 characters.
    public static let maximumEncodedLineLength = 76
    /// RFC 5322 §2.1.1: lines SHOULD be no more than 78 characters.
    public static let maximumPlainLineLength = 78
    /// Longest charset name we accept when decoding; real ones are under 20.
    static let maximumCharsetLength = 64
    /// `=?UTF-8?Q?` plus `?=`.
    static let wordOverhead = 12
}

// MARK: - Decoding

extension EncodedWords {
    /// One piece of the field body: literal text or an encoded word, as byte ranges of
    /// the unfolded body.
    enum Segment {
        case text(Range<Int>)
        case word(charset: String, isBase64: Bool, payload: Range<Int>)
    }

    /// RFC 5322 §2.2.3: unfolding removes a CRLF (or a bare LF) that is followed by WSP.
    static func unfold(_ bytes: inout [UInt8]) {
        guard bytes.contains(UInt8(ascii: "\n")) else { return }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let next = index + 1 < bytes.count ? bytes[index + 1] : nil
            if byte == UInt8(ascii: "\r"), next == UInt8(ascii: "\n"), index + 2 < bytes.count, isWSP(bytes[index + 2]) {
                index += 2
            } else if byte == UInt8(ascii: "\n"), let next, isWSP(next) {
                index += 1
            } else {
                output.append(byte)
                index += 1
            }
        }
        bytes = output
    }

    static func containsWordStart(_ bytes: [UInt8]) -> Bool {
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "="), bytes[index + 1] == UInt8(ascii: "?") { return true }
            index += 1
        }
        return false
    }

    static func isWSP(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    static func isLinearWhiteSpace(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.allSatisfy { isWSP($0) || $0 == 0x0D || $0 == 0x0A }
    }

    /// Cuts the body into literal text and encoded words. Each failed match consumes at
    /// most the bounded charset prefix, and each match consumes its whole word, so this
    /// is linear in the input.
    static func split(_ bytes: [UInt8], defects: inout [MailDefect]) -> [Segment] {
        var segments: [Segment] = []
        var textStart = 0
        var index = 0
        while index + 1 < bytes.count {
            guard bytes[index] == UInt8(ascii: "="), bytes[index + 1] == UInt8(ascii: "?"),
                  let (word, end) = parseWord(bytes, at: index, defects: &defects) else {
                index += 1
                continue
            }
            if textStart < index { segments.append(.text(textStart ..< index)) }
            segments.append(word)
            index = end
            textStart = end
        }
        if textStart < bytes.count { segments.append(.text(textStart ..< bytes.count)) }
        return segments
    }

    /// Parses one encoded word starting at `start` (which holds "=?"), returning it and
    /// the index after it, or nil when the bytes only look like the start of one.
    ///
    ///     encoded-word = "=?" charset "?" encoding "?" encoded-text "?="   ; RFC 2047 §2
    ///     charset      = token [ "*" language ]                          ; RFC 2231 §5
    ///     encoding     = "B" / "Q"                                       ; either case, §4
    ///     encoded-text = 1*<any printable ASCII except "?" and SPACE>
    ///
    /// Liberal: the encoded text may hold spaces and may be empty; when "?=" is missing
    /// it runs to the next white-space-separated "=?" or the end of the body.
    static func parseWord(_ bytes: [UInt8], at start: Int, defects: inout [MailDefect]) -> (Segment, Int)? {
        var index = start + 2
        let charsetStart = index
        while index < bytes.count, index - charsetStart <= maximumCharsetLength, isCharsetByte(bytes[index]) {
            index += 1
        }
        guard index > charsetStart, index - charsetStart <= maximumCharsetLength, index + 2 < bytes.count,
              bytes[index] == UInt8(ascii: "?"), bytes[index + 2] == UInt8(ascii: "?") else { return nil }
        let encodingByte = bytes[index + 1] | 0x20  // ASCII lower case
        guard encodingByte == UInt8(ascii: "b") || encodingByte == UInt8(ascii: "q") else { return nil }
        var charset = String(decoding: bytes[charsetStart ..< index], as: UTF8.self)
        if let star = charset.firstIndex(of: "*") { charset = String(charset[..<star]) }
        guard !charset.isEmpty else { return nil }

        let payloadStart = index + 3
        var end = payloadStart
        var terminated = false
        while end < bytes.count {
            if end + 1 < bytes.count, bytes[end] == UInt8(ascii: "?"), bytes[end + 1] == UInt8(ascii: "=") {
                terminated = true
                break
            }
            // White space then "=?" is the next word: this one lost its "?=".
            if isWSP(bytes[end]), end + 2 < bytes.count, bytes[end + 1] == UInt8(ascii: "="), bytes[end + 2] == UInt8(ascii: "?") {
                break
            }
            end += 1
        }
        if !terminated {
            defects.append(MailDefect("encoded-word.unterminated", "encoded word missing \"?=\": \(preview(bytes[start...]))"))
        }
        let word = Segment.word(charset: charset.lowercased(), isBase64: encodingByte == UInt8(ascii: "b"), payload: payloadStart ..< end)
        return (word, terminated ? end + 2 : end)
    }

    /// `token` characters (RFC 2045 §5.1) plus `*` for the RFC 2231 language suffix.
    static func isCharsetByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x21...0x7E: return !"()<>@,;:\\\"/[]?=".utf8.contains(byte)
        default: return false
        }
    }

    static func preview(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix(40), as: UTF8.self)
    }

    /// Joins the segments: drops white space between adjacent words (§6.2) and decodes
    /// runs of words with the same charset and encoding as one byte string, because
    /// mailers split multi-byte characters (and even base64 quanta) across words.
    static func assemble(_ segments: [Segment], bytes: [UInt8], defects: inout [MailDefect]) -> String {
        var output = ""
        var run = WordRun()
        for (position, segment) in segments.enumerated() {
            switch segment {
            case .text(let range):
                let between = position > 0 && position + 1 < segments.count
                    && segments[position - 1].isWord && segments[position + 1].isWord
                if between, isLinearWhiteSpace(bytes[range]) { continue }
                run.flush(into: &output, defects: &defects)
                output += String(decoding: bytes[range], as: UTF8.self)
            case .word(let charset, let isBase64, let payload):
                if run.charset != charset || run.isBase64 != isBase64 {
                    run.flush(into: &output, defects: &defects)
                    run.charset = charset
                    run.isBase64 = isBase64
                }
                if isBase64 {
                    run.appendBase64(bytes[payload])
                } else {
                    run.appendQ(bytes[payload])
                }
            }
        }
        run.flush(into: &output, defects: &defects)
        return output
    }

    /// Decoded bytes of consecutive words sharing a charset and encoding.
    struct WordRun {
        var charset: String?
        var isBase64 = false
        var decoded: [UInt8] = []
        var bits: UInt32 = 0
        var bitCount = 0
        var badBase64 = 0
        var badEscapes = 0

        /// RFC 2045 §6.8 base64, decoded as a stream across words so a quantum split
        /// between words survives. Padding ends a quantum; anything outside the alphabet
        /// is skipped and counted.
        mutating func appendBase64(_ payload: ArraySlice<UInt8>) {
            for byte in payload {
                let value: UInt32
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(byte - UInt8(ascii: "A"))
                case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(byte - UInt8(ascii: "a")) + 26
                case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(byte - UInt8(ascii: "0")) + 52
                case UInt8(ascii: "+"): value = 62
                case UInt8(ascii: "/"): value = 63
                case UInt8(ascii: "="):
                    bits = 0
                    bitCount = 0
                    continue
                default:
                    if !EncodedWords.isWSP(byte) { badBase64 += 1 }
                    continue
                }
                bits = (bits << 6) | value
                bitCount += 6
                if bitCount >= 8 {
                    bitCount -= 8
                    decoded.append(UInt8(truncatingIfNeeded: bits >> UInt32(bitCount)))
                    bits &= (1 << UInt32(bitCount)) - 1
                }
            }
        }

        /// RFC 2047 §4.2 "Q": `_` is space, `=XX` is a byte; a bad escape stays literal.
        mutating func appendQ(_ payload: ArraySlice<UInt8>) {
            var index = payload.startIndex
            while index < payload.endIndex {
                let byte = payload[index]
                if byte == UInt8(ascii: "_") {
                    decoded.append(0x20)
                } else if byte == UInt8(ascii: "="), index + 2 < payload.endIndex,
                          let high = EncodedWords.hexValue(payload[index + 1]), let low = EncodedWords.hexValue(payload[index + 2]) {
                    decoded.append(high << 4 | low)
                    index += 2
                } else {
                    if byte == UInt8(ascii: "=") { badEscapes += 1 }
                    decoded.append(byte)
                }
                index += 1
            }
        }

        mutating func flush(into output: inout String, defects: inout [MailDefect]) {
            defer { self = WordRun() }
            guard let charset else { return }
            if badBase64 > 0 {
                defects.append(MailDefect("encoded-word.bad-base64", "\(badBase64) character(s) outside the base64 alphabet skipped"))
            }
            if badEscapes > 0 {
                defects.append(MailDefect("encoded-word.bad-escape", "\(badEscapes) \"=\" not followed by two hex digits kept literally"))
            }
            guard !decoded.isEmpty else { return }
            let (text, defect) = Charset.decode(decoded, label: charset)
            output += text
            if let defect { defects.append(defect) }
        }
    }
}

extension EncodedWords.Segment {
    var isWord: Bool {
        if case .word = self { return true }
        return false
    }
}

extension EncodedWords {
    /// Value of an ASCII hex digit, either case (RFC 2047 §4.2 and RFC 2231 §7 escapes).
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}

// MARK: - Encoding

extension EncodedWords {
    struct Token {
        var text: Substring
        var isSpace: Bool
    }

    /// Splits on runs of SPACE and TAB, the only places RFC 5322 §2.2.3 lets us fold.
    static func tokenize(_ text: String) -> [Token] {
        var tokens: [Token] = []
        var start = text.startIndex
        var startIsSpace: Bool?
        for index in text.indices {
            let isSpace = text[index] == " " || text[index] == "\t"
            if let current = startIsSpace, current != isSpace {
                tokens.append(Token(text: text[start ..< index], isSpace: current))
                start = index
            }
            startIsSpace = isSpace
        }
        if let current = startIsSpace { tokens.append(Token(text: text[start...], isSpace: current)) }
        return tokens
    }

    /// A word that may appear as is: printable ASCII that a decoder cannot take for the
    /// start of an encoded word.
    static func isPlain(_ word: Substring) -> Bool {
        word.utf8.allSatisfy { (0x21...0x7E).contains($0) } && !containsWordStart(Array(word.utf8))
    }

    /// Lays out all-plain text, folding before white space; nil if some line would
    /// still be longer than RFC 5322's 78 characters.
    static func foldPlain(_ tokens: [Token], prefixLength: Int) -> String? {
        var layout = LineLayout(limit: maximumPlainLineLength, prefixLength: prefixLength)
        var separator: Substring = ""
        for token in tokens {
            if token.isSpace {
                separator = token.text
            } else {
                layout.place(String(separator), String(token.text))
                separator = ""
            }
        }
        if !separator.isEmpty { layout.appendUnbroken(String(separator)) }
        return layout.isWithinLimit ? layout.result : nil
    }

    /// Lines being filled greedily; a fold goes before a piece's white-space separator.
    struct LineLayout {
        let limit: Int
        var lines: [String] = []
        var current = ""
        var length: Int
        var placedOnLine = false
        var isWithinLimit = true

        init(limit: Int, prefixLength: Int) {
            self.limit = limit
            self.length = prefixLength
        }

        var result: String { (lines + [current]).joined(separator: "\r\n") }

        mutating func fold() {
            lines.append(current)
            current = ""
            length = 0
            placedOnLine = false
        }

        /// Columns left on this line after `separator`, folding first when `needed`
        /// columns do not fit and a fold is possible.
        mutating func room(after separator: String, needed: Int) -> Int {
            if placedOnLine, !separator.isEmpty, length + separator.utf8.count + needed > limit { fold() }
            return limit - length - separator.utf8.count
        }

        mutating func place(_ separator: String, _ text: String) {
            _ = room(after: separator, needed: text.utf8.count)
            appendUnbroken(separator + text)
        }

        mutating func appendUnbroken(_ text: String) {
            current += text
            length += text.utf8.count
            placedOnLine = true
            if length > limit { isWithinLimit = false }
        }
    }

    /// Encoded words for the stretch from the first word that needs encoding to the last
    /// one; plain words before and after stay readable. White space inside the stretch is
    /// encoded, because §6.2 drops white space between adjacent encoded words.
    static func encodeMixed(_ tokens: [Token], prefixLength: Int) -> String {
        let longestPlainWord = maximumWordLength  // a plain word alone on a continuation line
        var needs = tokens.map { !$0.isSpace && (!isPlain($0.text) || $0.text.utf8.count > longestPlainWord) }
        if let first = tokens.first, !first.isSpace, prefixLength + first.text.utf8.count > maximumEncodedLineLength {
            needs[0] = true
        }
        // Leading or trailing white space of the whole text cannot be folded around or
        // kept by every parser, so it goes inside the encoded stretch.
        if tokens.first?.isSpace == true { needs[0] = true }
        if tokens.last?.isSpace == true { needs[tokens.count - 1] = true }
        guard let firstEncoded = needs.firstIndex(of: true), let lastEncoded = needs.lastIndex(of: true) else {
            return tokens.map { String($0.text) }.joined()
        }

        var layout = LineLayout(limit: maximumEncodedLineLength, prefixLength: prefixLength)
        var separator = ""
        for token in tokens[..<firstEncoded] {
            if token.isSpace { separator = String(token.text) } else {
                layout.place(separator, String(token.text))
                separator = ""
            }
        }

        let stretch = tokens[firstEncoded...lastEncoded].map { $0.text }.joined()
        var units = stretch.map { Array(String($0).utf8) }
        let encoding = chooseEncoding(units, literal: isUnstructuredLiteral)
        var index = 0
        while index < units.count {
            let needed = wordOverhead + encodedLength(units[index], encoding: encoding, literal: isUnstructuredLiteral)
            let room = layout.room(after: separator, needed: min(needed, maximumWordLength))
            let (word, consumed) = makeWord(&units, from: index, maxLength: min(maximumWordLength, room), encoding: encoding, literal: isUnstructuredLiteral)
            layout.appendUnbroken(separator + word)
            index += consumed
            separator = " "
        }

        separator = ""
        for token in tokens[(lastEncoded + 1)...] {
            if token.isSpace { separator = String(token.text) } else {
                layout.place(separator, String(token.text))
                separator = ""
            }
        }
        return layout.result
    }

    /// RFC 2047 §5 (1): in unstructured text a Q word may carry any printable ASCII
    /// except "=", "?" and "_" literally (and SPACE becomes "_").
    static func isUnstructuredLiteral(_ byte: UInt8) -> Bool {
        (0x21...0x7E).contains(byte) && byte != UInt8(ascii: "=") && byte != UInt8(ascii: "?") && byte != UInt8(ascii: "_")
    }

    /// RFC 2047 §5 (3): in a phrase only letters, digits and "!*+-/" may stay literal.
    static func isPhraseLiteral(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!*+-/".utf8.contains(byte)
        }
    }

    enum WordEncoding { case q, b }

    static func qCost(_ byte: UInt8, literal: (UInt8) -> Bool) -> Int {
        byte == 0x20 || literal(byte) ? 1 : 3
    }

    static func encodedLength(_ bytes: [UInt8], encoding: WordEncoding, literal: (UInt8) -> Bool) -> Int {
        switch encoding {
        case .q: return bytes.reduce(0) { $0 + qCost($1, literal: literal) }
        case .b: return (bytes.count + 2) / 3 * 4
        }
    }

    /// Q when it is no longer than B (it stays readable), else B.
    static func chooseEncoding(_ units: [[UInt8]], literal: (UInt8) -> Bool) -> WordEncoding {
        let all = units.flatMap { $0 }
        return encodedLength(all, encoding: .q, literal: literal) <= encodedLength(all, encoding: .b, literal: literal) ? .q : .b
    }

    /// Builds one UTF-8 encoded word of at most `maxLength` characters from `units`
    /// (the UTF-8 of whole Characters) starting at `start`; returns it and how many units
    /// it used. A Character too big for any word (a long combining sequence) is split
    /// into its scalars, so a UTF-8 sequence is never cut.
    static func makeWord(_ units: inout [[UInt8]], from start: Int, maxLength: Int, encoding: WordEncoding,
                         literal: (UInt8) -> Bool) -> (String, Int) {
        let capacity = maxLength - wordOverhead
        var bytes: [UInt8] = []
        var end = start
        while end < units.count {
            let candidate = bytes + units[end]
            if encodedLength(candidate, encoding: encoding, literal: literal) > capacity {
                if end > start { break }
                let scalars = String(decoding: units[end], as: UTF8.self).unicodeScalars.map { Array(String($0).utf8) }
                if scalars.count > 1 {
                    units.replaceSubrange(end ... end, with: scalars)
                    continue
                }
                // One scalar wider than the room left: emit it anyway (only possible
                // with an absurdly long field name).
            }
            bytes = candidate
            end += 1
        }
        return (renderWord(bytes, encoding: encoding, literal: literal), end - start)
    }

    static func renderWord(_ bytes: [UInt8], encoding: WordEncoding, literal: (UInt8) -> Bool) -> String {
        var output = Array("=?UTF-8?".utf8)
        switch encoding {
        case .q:
            output.append(contentsOf: "Q?".utf8)
            let hex = Array("0123456789ABCDEF".utf8)
            for byte in bytes {
                if byte == 0x20 {
                    output.append(UInt8(ascii: "_"))
                } else if literal(byte) {
                    output.append(byte)
                } else {
                    output.append(UInt8(ascii: "="))
                    output.append(hex[Int(byte >> 4)])
                    output.append(hex[Int(byte & 0x0F)])
                }
            }
        case .b:
            output.append(contentsOf: "B?".utf8)
            output.append(contentsOf: base64(bytes))
        }
        output.append(contentsOf: "?=".utf8)
        return String(decoding: output, as: UTF8.self)
    }

    static func base64(_ bytes: [UInt8]) -> [UInt8] {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let count = min(3, bytes.count - index)
            var group: UInt32 = 0
            for offset in 0..<3 {
                group = group << 8 | (offset < count ? UInt32(bytes[index + offset]) : 0)
            }
            for position in 0..<4 {
                if position <= count {
                    output.append(alphabet[Int((group >> UInt32(18 - 6 * position)) & 0x3F)])
                } else {
                    output.append(UInt8(ascii: "="))
                }
            }
            index += 3
        }
        return output
    }

    /// `atext` words separated by single spaces (RFC 5322 §3.2.3, §3.2.5):
    ///
    ///     atext = ALPHA / DIGIT / "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" /
    ///             "/" / "=" / "?" / "^" / "_" / "`" / "{" / "|" / "}" / "~"
    ///     phrase = 1*word   ; word = atom / quoted-string
    static func isAtomSequence(_ text: String) -> Bool {
        let words = text.split(separator: " ", omittingEmptySubsequences: false)
        return words.allSatisfy { word in
            !word.isEmpty && word.utf8.allSatisfy(isAtext)
        }
    }

    static func isAtext(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-/=?^_`{|}~".utf8.contains(byte)
        }
    }
}
