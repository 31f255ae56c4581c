/// A structured MIME header value with parameters: Content-Type, Content-Disposition.
///
/// Grammar: RFC 2045 §5.1 (Content-Type), RFC 2183 §2 (Content-Disposition), with the
/// RFC 2231 extensions (charsets, languages, continuations) and the non-standard forms
/// real mailers send (RFC 2047 words in parameter values, raw UTF-8, unquoted spaces).
public struct MIMEHeaderValue: Sendable, Hashable {
    /// The main value, lower-cased and trimmed: `text/plain`, `attachment`.
    public var value: String
    /// Parameters by lower-cased name, fully decoded (RFC 2231 continuations joined,
    /// charsets applied, RFC 2047 words in non-standard `name="=?...?="` decoded).
    public var parameters: [String: String]
    public var defects: [MailDefect]

    public init(value: String, parameters: [String: String] = [:], defects: [MailDefect] = []) {
        self.value = value
        self.parameters = parameters
        self.defects = defects
    }

    /// Parses the field body (unfolded; may hold raw 8-bit bytes already decoded as UTF-8
    /// or Windows-1252).
    ///
    ///     content     := type "/" subtype *(";" parameter)      ; RFC 2045 §5.1
    ///     disposition := disposition-type *(";" disposition-parm) ; RFC 2183 §2
    public static func parse(_ raw: String) -> MIMEHeaderValue {
        var scanner = Scanner(bytes: Array(raw.utf8))
        let value = scanner.parseMainValue()
        let rawParameters = scanner.parseParameters()
        var defects = scanner.defects
        let parameters = RawParameter.assemble(rawParameters, defects: &defects)
        return MIMEHeaderValue(value: value, parameters: parameters, defects: defects)
    }

    /// Renders a parameter for an outgoing header: `name="value"` when ASCII, RFC 2231
    /// `name*=utf-8''percent-encoded` (with continuations for long values) otherwise.
    ///
    /// Continuation lines are joined with `";\r\n "`, and every line, counted with the
    /// leading space and trailing `;` it gets when the caller puts the parameter on a
    /// line of its own, is at most 76 characters.
    public static func formatParameter(name: String, value: String) -> String {
        let bytes = Array(value.utf8)
        let isQuotable = bytes.allSatisfy { (0x20...0x7E).contains($0) }
            // Readers (ours included) decode "=?" words even inside quotes.
            && !EncodedWords.containsWordStart(bytes)
        if isQuotable, bytes.count <= maximumQuotedValueLength {
            var quoted = "\(name)=\""
            for character in value {
                if character == "\"" || character == "\\" { quoted.append("\\") }
                quoted.append(character)
            }
            quoted.append("\"")
            // Escapes can make a short value long; then continuations keep lines short.
            if quoted.utf8.count <= maximumSegmentLength { return quoted }
        }

        // RFC 2231 §4: extended-initial-value := [charset] "'" [language] "'" extended-other-values
        let single = "\(name)*=utf-8''" + percentEncode(bytes)
        if single.utf8.count <= maximumSegmentLength { return single }

        // RFC 2231 §3 continuations; cut between scalars so every segment is valid UTF-8
        // on its own, for readers that decode segments separately.
        var segments: [String] = []
        var current = ""
        var prefix = "\(name)*0*=utf-8''"
        for scalar in value.unicodeScalars {
            let encoded = percentEncode(Array(String(scalar).utf8))
            if !current.isEmpty, prefix.utf8.count + current.utf8.count + encoded.utf8.count > maximumSegmentLength {
                segments.append(prefix + current)
                current = ""
                prefix = "\(name)*\(segments.count)*="
            }
            current += encoded
        }
        segments.append(prefix + current)
        return segments.joined(separator: ";\r\n ")
    }

    /// Longest ASCII value written as a plain quoted string; longer ones use RFC 2231
    /// continuations so the line stays short.
    public static let maximumQuotedValueLength = 60
    /// 76 columns minus the leading folding space and the trailing ";".
    static let maximumSegmentLength = EncodedWords.maximumEncodedLineLength - 2

    /// RFC 2231 §7:
    ///
    ///     attribute-char := <any (US-ASCII) CHAR except SPACE, CTLs, "*", "'", "%", or tspecials>
    ///     ext-octet      := "%" 2(DIGIT / "A" / "B" / "C" / "D" / "E" / "F")
    static func percentEncode(_ bytes: [UInt8]) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 3)
        for byte in bytes {
            if byte < 0x80, Scanner.isTokenByte(byte), byte != UInt8(ascii: "*"), byte != UInt8(ascii: "'"), byte != UInt8(ascii: "%") {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "%"))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}

// MARK: - Scanner

extension MIMEHeaderValue {
    /// A parameter as written, before RFC 2231 sections are joined.
    struct RawParameter {
        /// Lower-cased attribute without the RFC 2231 `*N*` suffix.
        var name: String
        var section: Int?
        var isExtended: Bool
        /// The value with quotes removed and quoted-pairs resolved.
        var value: [UInt8]
    }

    /// Reads a field body from an index into its UTF-8 bytes. All delimiters are ASCII, so
    /// cutting at them never splits a UTF-8 sequence.
    struct Scanner {
        let bytes: [UInt8]
        var index = 0
        var defects: [MailDefect] = []

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        /// token := 1*<any (US-ASCII) CHAR except SPACE, CTLs, or tspecials>   ; RFC 2045 §5.1
        /// tspecials := "(" / ")" / "<" / ">" / "@" / "," / ";" / ":" / "\" / <"> / "/" / "[" / "]" / "?" / "="
        ///
        /// Bytes above 0x7F count as token bytes: raw UTF-8 in unquoted values is common.
        static func isTokenByte(_ byte: UInt8) -> Bool {
            switch byte {
            case 0x00...0x20, 0x7F: return false
            case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "@"),
                 UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: "\\"), UInt8(ascii: "\""),
                 UInt8(ascii: "/"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "?"), UInt8(ascii: "="):
                return false
            default: return true
            }
        }

        /// White space of an unfolded or still folded field body.
        static func isSpace(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
        }

        mutating func skipSpaces() {
            while let byte = current, Self.isSpace(byte) { index += 1 }
        }

        /// CFWS, RFC 5322 §3.2.2:
        ///
        ///     comment  = "(" *([FWS] ccontent) [FWS] ")"
        ///     ccontent = ctext / quoted-pair / comment
        mutating func skipCFWS() {
            skipSpaces()
            while current == UInt8(ascii: "(") {
                var depth = 0
                while let byte = current {
                    index += 1
                    if byte == UInt8(ascii: "\\") {
                        index += 1
                    } else if byte == UInt8(ascii: "(") {
                        depth += 1
                    } else if byte == UInt8(ascii: ")") {
                        depth -= 1
                        if depth == 0 { break }
                    }
                }
                if depth > 0 {
                    defects.append(MailDefect("parameter.unterminated-comment", "comment runs to the end of the field"))
                }
                index = min(index, bytes.count)
                skipSpaces()
            }
        }

        mutating func readToken() -> ArraySlice<UInt8> {
            let start = index
            while let byte = current, Self.isTokenByte(byte) { index += 1 }
            return bytes[start ..< index]
        }

        /// Whether a parameter (`token [WSP] "="`) starts at `position`: used to spot a
        /// missing ";" without mistaking the words of an unquoted file name for one.
        func looksLikeParameter(at position: Int) -> Bool {
            var cursor = position
            while cursor < bytes.count, Self.isTokenByte(bytes[cursor]) { cursor += 1 }
            guard cursor > position else { return false }
            while cursor < bytes.count, bytes[cursor] == 0x20 || bytes[cursor] == 0x09 { cursor += 1 }
            return cursor < bytes.count && bytes[cursor] == UInt8(ascii: "=")
        }

        /// Moves past the next ";" outside a quoted string, or to the end.
        mutating func skipToNextSemicolon() {
            var quoted = false
            while let byte = current {
                if quoted, byte == UInt8(ascii: "\\") {
                    index += 2
                    continue
                }
                if byte == UInt8(ascii: "\"") { quoted.toggle() }
                if !quoted, byte == UInt8(ascii: ";") { break }
                index += 1
            }
            index = min(index, bytes.count)
        }

        /// The main value: `type "/" subtype` for Content-Type, a token for
        /// Content-Disposition. White space and comments around the "/" are dropped.
        mutating func parseMainValue() -> String {
            skipCFWS()
            var value = readToken()
            skipCFWS()
            if current == UInt8(ascii: "/") {
                index += 1
                skipCFWS()
                let subtype = readToken()
                value = ArraySlice(Array(value) + [UInt8(ascii: "/")] + Array(subtype))
                skipCFWS()
            }
            if value.isEmpty {
                defects.append(MailDefect("header-value.missing", "no value before the parameters"))
            }
            if let byte = current, byte != UInt8(ascii: ";") {
                if looksLikeParameter(at: index) {
                    defects.append(MailDefect("parameter.missing-semicolon", "no \";\" after the value"))
                } else {
                    let start = index
                    skipToNextSemicolon()
                    defects.append(MailDefect("header-value.junk", "ignored \(Self.preview(bytes[start ..< index]))"))
                }
            }
            return String(decoding: value, as: UTF8.self).lowercased()
        }

        /// parameter := attribute "=" value        ; RFC 2045 §5.1 (RFC 2231 names allowed)
        /// value     := token / quoted-string
        mutating func parseParameters() -> [RawParameter] {
            var parameters: [RawParameter] = []
            while true {
                skipCFWS()
                while current == UInt8(ascii: ";") {
                    index += 1
                    skipCFWS()
                }
                guard current != nil else { break }

                let nameBytes = readToken()
                if nameBytes.isEmpty {
                    let start = index
                    index += 1
                    skipToNextSemicolon()
                    defects.append(MailDefect("parameter.junk", "ignored \(Self.preview(bytes[start ..< index]))"))
                    continue
                }
                let name = String(decoding: nameBytes, as: UTF8.self).lowercased()
                skipCFWS()
                guard current == UInt8(ascii: "=") else {
                    defects.append(MailDefect("parameter.missing-value", "parameter \"\(name)\" has no \"=\""))
                    continue
                }
                index += 1
                skipSpaces()

                let value = current == UInt8(ascii: "\"") ? readQuotedValue(name: name) : readUnquotedValue(name: name)
                parameters.append(RawParameter(name: name, value: value))

                skipCFWS()
                if let byte = current, byte != UInt8(ascii: ";") {
                    if looksLikeParameter(at: index) {
                        defects.append(MailDefect("parameter.missing-semicolon", "no \";\" before \(Self.preview(bytes[index...]))"))
                    } else {
                        let start = index
                        skipToNextSemicolon()
                        defects.append(MailDefect("parameter.junk", "ignored \(Self.preview(bytes[start ..< index])) after \"\(name)\""))
                    }
                }
            }
            return parameters
        }

        /// quoted-string = DQUOTE *([FWS] qcontent) [FWS] DQUOTE   ; RFC 5322 §3.2.4
        /// qcontent      = qtext / quoted-pair
        ///
        /// Without a closing quote the value ends at the first ";" that is followed by
        /// another parameter, else at the end of the field.
        mutating func readQuotedValue(name: String) -> [UInt8] {
            index += 1
            var value: [UInt8] = []
            var semicolons: [(valueLength: Int, position: Int)] = []
            while let byte = current {
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return value
                case UInt8(ascii: "\\"):
                    if let escaped = current {
                        value.append(escaped)
                        index += 1
                    }
                case UInt8(ascii: ";"):
                    semicolons.append((value.count, index - 1))
                    value.append(byte)
                default:
                    value.append(byte)
                }
            }
            defects.append(MailDefect("parameter.unterminated-quote", "value of \"\(name)\" has no closing quote"))
            for semicolon in semicolons {
                var next = semicolon.position + 1
                while next < bytes.count, Self.isSpace(bytes[next]) { next += 1 }
                if looksLikeParameter(at: next) {
                    index = semicolon.position
                    return Self.trimmingTrailingSpace(Array(value[..<semicolon.valueLength]))
                }
            }
            return Self.trimmingTrailingSpace(value)
        }

        /// An unquoted value: a token by the RFC, but mailers write `filename=my report.pdf`,
        /// so it runs to the next ";", or to white space followed by another parameter
        /// (a missing ";"). A trailing comment after white space, as in
        /// `charset=us-ascii (Plain text)`, is dropped.
        mutating func readUnquotedValue(name: String) -> [UInt8] {
            let start = index
            while let byte = current, byte != UInt8(ascii: ";") {
                if Self.isSpace(byte) {
                    var next = index
                    while next < bytes.count, Self.isSpace(bytes[next]) { next += 1 }
                    if looksLikeParameter(at: next) { break }
                }
                index += 1
            }
            var value = Self.trimmingTrailingSpace(Array(bytes[start ..< index]))
            if let open = Self.trailingCommentStart(value) {
                value = Self.trimmingTrailingSpace(Array(value[..<open]))
            }
            return value
        }

        /// Start of a comment that closes the value and follows white space (or starts it).
        static func trailingCommentStart(_ value: [UInt8]) -> Int? {
            guard value.last == UInt8(ascii: ")") else { return nil }
            var depth = 0
            var position = value.count - 1
            while position >= 0 {
                if value[position] == UInt8(ascii: ")") { depth += 1 }
                if value[position] == UInt8(ascii: "(") {
                    depth -= 1
                    if depth == 0 { break }
                }
                position -= 1
            }
            guard position >= 0 else { return nil }
            return position == 0 || isSpace(value[position - 1]) ? position : nil
        }

        static func trimmingTrailingSpace(_ value: [UInt8]) -> [UInt8] {
            var end = value.count
            while end > 0, isSpace(value[end - 1]) { end -= 1 }
            return Array(value[..<end])
        }

        static func preview(_ bytes: ArraySlice<UInt8>) -> String {
            "\"" + String(decoding: bytes.prefix(40), as: UTF8.self) + "\""
        }
    }

}

// MARK: - RFC 2231 assembly

extension MIMEHeaderValue.RawParameter {
    /// Splits an RFC 2231 name:
    ///
    ///     extended-initial-name := attribute [initial-section] "*"
    ///     extended-other-names  := attribute other-sections "*"
    ///     regular-parameter-name := attribute [section]
    ///     section := initial-section / other-sections
    ///     initial-section := "*0"
    ///     other-sections  := "*" ("1" / "2" / "3" / "4" / "5" / "6" / "7" / "8" / "9") *DIGIT
    init(name rawName: String, value: [UInt8]) {
        var name = Substring(rawName)
        isExtended = name.hasSuffix("*")
        if isExtended { name = name.dropLast() }
        section = nil
        if let star = name.lastIndex(of: "*") {
            let digits = name[name.index(after: star)...]
            if !digits.isEmpty, digits.count <= Self.maximumSectionDigits, digits.allSatisfy(\.isASCIIDigit), let number = Int(digits) {
                section = number
                name = name[..<star]
            }
        }
        self.name = String(name)
        self.value = value
    }

    /// RFC 2231 sets no limit; four digits (9,999 sections) is more than any mailer writes.
    static let maximumSectionDigits = 4

    /// Joins sections, applies charsets and decodes non-standard RFC 2047 words.
    static func assemble(_ raw: [Self], defects: inout [MailDefect]) -> [String: String] {
        var order: [String] = []
        var plain: [String: Self] = [:]
        var extended: [String: Self] = [:]
        var sections: [String: [Int: Self]] = [:]
        for parameter in raw {
            if plain[parameter.name] == nil, extended[parameter.name] == nil, sections[parameter.name] == nil {
                order.append(parameter.name)
            }
            var duplicate = false
            if let section = parameter.section {
                if sections[parameter.name]?[section] != nil { duplicate = true } else {
                    sections[parameter.name, default: [:]][section] = parameter
                }
            } else if parameter.isExtended {
                if extended[parameter.name] != nil { duplicate = true } else { extended[parameter.name] = parameter }
            } else {
                if plain[parameter.name] != nil { duplicate = true } else { plain[parameter.name] = parameter }
            }
            if duplicate {
                defects.append(MailDefect("parameter.duplicate", "second \"\(parameter.name)\" ignored; the first wins"))
            }
        }

        var result: [String: String] = [:]
        for name in order {
            // RFC 2231 forms carry the charset, so they win over a plain fallback that
            // mailers add for old readers.
            if let parameter = extended[name] {
                result[name] = decodeExtended(parameter.value, name: name, defects: &defects)
            } else if let parts = sections[name] {
                result[name] = joinSections(parts, name: name, defects: &defects)
            } else if let parameter = plain[name] {
                result[name] = decodePlain(parameter.value, name: name, defects: &defects)
            }
        }
        return result
    }

    /// A regular value; `=?charset?...?=` inside it is non-standard (RFC 2047 §5 forbids
    /// encoded words in parameters) but common, so it is decoded.
    static func decodePlain(_ value: [UInt8], name: String, defects: inout [MailDefect]) -> String {
        let text = String(decoding: value, as: UTF8.self)
        // A boundary is compared byte for byte with the body's delimiter lines; `=?` is
        // legal in it (RFC 2046 §5.1.1 bchars) and must never be decoded.
        guard name != "boundary", EncodedWords.containsWordStart(value) else { return text }
        let decoded = EncodedWords.decode(text)
        guard decoded.text != text else { return text }
        defects.append(MailDefect("parameter.encoded-word", "\"\(name)\" uses RFC 2047 encoding"))
        defects.append(contentsOf: decoded.defects)
        return decoded.text
    }

    /// extended-initial-value := [charset] "'" [language] "'" extended-other-values
    /// extended-other-values  := *(ext-octet / attribute-char)          ; RFC 2231 §7
    static func splitInitialValue(_ value: [UInt8], name: String, defects: inout [MailDefect]) -> (charset: String?, rest: ArraySlice<UInt8>) {
        let quote = UInt8(ascii: "'")
        guard let first = value.firstIndex(of: quote),
              let second = value[(first + 1)...].firstIndex(of: quote) else {
            defects.append(MailDefect("parameter.missing-charset", "\"\(name)*\" has no charset'language' prefix"))
            return (nil, value[...])
        }
        let charset = String(decoding: value[..<first], as: UTF8.self)
        return (charset.isEmpty ? nil : charset, value[(second + 1)...])
    }

    static func percentDecode(_ value: ArraySlice<UInt8>, name: String, defects: inout [MailDefect]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(value.count)
        var index = value.startIndex
        var bad = 0
        while index < value.endIndex {
            let byte = value[index]
            if byte == UInt8(ascii: "%"), index + 2 < value.endIndex,
               let high = EncodedWords.hexValue(value[index + 1]), let low = EncodedWords.hexValue(value[index + 2]) {
                output.append(high << 4 | low)
                index += 3
            } else {
                if byte == UInt8(ascii: "%") { bad += 1 }
                output.append(byte)
                index += 1
            }
        }
        if bad > 0 {
            defects.append(MailDefect("parameter.bad-escape", "\(bad) \"%\" in \"\(name)\" not followed by two hex digits"))
        }
        return output
    }

    static func decodeExtended(_ value: [UInt8], name: String, defects: inout [MailDefect]) -> String {
        let (charset, rest) = splitInitialValue(value, name: name, defects: &defects)
        let bytes = percentDecode(rest, name: name, defects: &defects)
        let decoded = Charset.decode(bytes, label: charset)
        if let defect = decoded.defect { defects.append(defect) }
        return decoded.text
    }

    /// RFC 2231 §3-4: sections are joined in numeric order; consecutive `*` sections are
    /// percent-decoded and joined as bytes (a character may straddle two), then decoded
    /// with section 0's charset. Gaps are reported and what exists is joined.
    static func joinSections(_ parts: [Int: Self], name: String, defects: inout [MailDefect]) -> String {
        let numbers = parts.keys.sorted()
        if numbers != Array(0 ..< numbers.count) {
            defects.append(MailDefect("parameter.missing-section", "\"\(name)\" has sections \(numbers) with gaps"))
        }
        var charset: String?
        var output = ""
        var pending: [UInt8] = []
        var anyExtended = false
        func flush() {
            guard !pending.isEmpty else { return }
            let decoded = Charset.decode(pending, label: charset)
            if let defect = decoded.defect { defects.append(defect) }
            output += decoded.text
            pending = []
        }
        for number in numbers {
            guard let part = parts[number] else { continue }
            if part.isExtended {
                anyExtended = true
                var rest = part.value[...]
                if number == 0 {
                    (charset, rest) = splitInitialValue(part.value, name: name, defects: &defects)
                }
                pending += percentDecode(rest, name: name, defects: &defects)
            } else {
                flush()
                output += String(decoding: part.value, as: UTF8.self)
            }
        }
        flush()
        if !anyExtended, EncodedWords.containsWordStart(Array(output.utf8)) {
            return decodePlain(Array(output.utf8), name: name, defects: &defects)
        }
        return output
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
