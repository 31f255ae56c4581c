import Glibc

/// Charset decoding for MIME bodies and header words (RFC 2045 §5.1 `charset`,
/// RFC 2046 §4.1.2, RFC 2047 §2), through glibc `iconv` plus a few decoders of our own.
///
/// Real mail lies about its charset all the time, so decoding never fails: bytes that
/// the label cannot explain become U+FFFD or are re-read as Windows-1252, and the
/// recovery is reported as a `MailDefect`.
public enum Charset {
    /// Decodes `bytes` labelled `label` (a MIME charset name, any case, possibly junk).
    /// Never fails and never returns an empty string for non-empty input.
    public static func decode(_ bytes: some Collection<UInt8>, label: String?) -> (text: String, defect: MailDefect?) {
        if bytes.isEmpty { return ("", nil) }
        let entry = lookup(label)

        // Fast path (every message goes through here): valid UTF-8, which includes pure
        // ASCII, under a UTF-8 / US-ASCII label or none at all needs no conversion.
        // RFC 6532 allows raw UTF-8 in headers, so an absent label is no defect.
        let preferUTF8: Bool
        switch entry?.decoder {
        case .utf8?, .ascii?: preferUTF8 = true
        case nil: preferUTF8 = label.map { trimLabel($0).isEmpty } ?? true
        default: preferUTF8 = false
        }
        if preferUTF8,
           let text = bytes.withContiguousStorageIfAvailable({ String(validating: $0, as: UTF8.self) })
               ?? String(validating: Array(bytes), as: UTF8.self) {
            if entry?.decoder == .ascii, text.utf8.contains(where: { $0 >= 0x80 }) {
                return (text, MailDefect("charset.invalid-bytes", "labelled US-ASCII but has 8-bit bytes that are valid UTF-8; read as UTF-8"))
            }
            return (text, nil)
        }

        return bytes.withContiguousStorageIfAvailable { decodeSlow($0, label: label, entry: entry) }
            ?? Array(bytes).withUnsafeBufferPointer { decodeSlow($0, label: label, entry: entry) }
    }

    /// The name to hand to `iconv` for `label` (for example `WINDOWS-1252` for
    /// `iso-8859-1`, `CP932` for `shift_jis`), or nil when neither our alias table nor
    /// glibc knows the label. `UTF-8`, `US-ASCII`, `WINDOWS-1252` and `ISO-2022-JP` are
    /// decoded without iconv, but their names are still what iconv would accept.
    public static func canonicalName(_ label: String) -> String? {
        lookup(label)?.name
    }

    /// Whether `label` names a charset we can decode.
    public static func isKnown(_ label: String) -> Bool {
        lookup(label) != nil
    }
}

// MARK: - Label table

extension Charset {
    /// How a known charset is decoded.
    enum Decoder: Sendable, Equatable {
        case utf8
        case ascii
        case windows1252
        case iso2022JP
        /// UTF-16 or UTF-32 with no byte order in the label: sniff the BOM (RFC 2781 §4.3).
        case unicodeBOM(unitSize: Int)
        /// UTF-16/32 with an explicit byte order; a leading matching BOM is dropped.
        case unicodeFixed(unitSize: Int)
        /// Anything else: glibc iconv with the entry's name. ASCII-compatible charsets
        /// skip iconv for pure-ASCII input.
        case iconv(asciiCompatible: Bool)
    }

    struct Entry: Sendable, Equatable {
        /// The iconv name.
        var name: String
        var decoder: Decoder
    }

    /// Alias table keyed by the label with everything but ASCII letters and digits
    /// removed, so `ISO_8859-1`, `iso-8859-1` and `ISO8859-1` meet. Aliases follow the
    /// WHATWG Encoding Standard where it differs from IANA: `iso-8859-1` and `latin1` are
    /// read as Windows-1252 because mailers label 1252 text that way, and 8-bit bytes
    /// under `us-ascii` as UTF-8 where valid, else Windows-1252. Legacy CJK labels map
    /// to the vendor supersets mailers really use (GB18030, CP932, CP949, CP950).
    static let aliases: [String: Entry] = {
        var table: [String: Entry] = [:]
        func add(_ name: String, as decoder: Decoder = .iconv(asciiCompatible: true), _ keys: [String]) {
            for key in keys { table[key] = Entry(name: name, decoder: decoder) }
        }
        add("UTF-8", as: .utf8, ["utf8", "unicode11utf8", "unicode20utf8", "xunicode20utf8"])
        add("US-ASCII", as: .ascii, ["usascii", "ascii", "ansix341968", "ansix341986", "iso646us", "us",
                                 "cp367", "ibm367", "csascii", "iso646irv1991", "isoir6"])
        add("WINDOWS-1252", as: .windows1252, ["iso88591", "latin1", "l1", "isoir100", "cp819", "ibm819",
                                           "csisolatin1", "isolatin1", "88591", "windows1252", "cp1252",
                                           "xcp1252", "win1252", "ms1252"])
        for n in [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16] {
            add("ISO-8859-\(n)", ["iso8859\(n)", "8859\(n)", "isolatin\(n)", "csisolatin\(n)"])
        }
        let latinNames = [("latin2", 2), ("l2", 2), ("latin3", 3), ("l3", 3), ("latin4", 4), ("l4", 4),
                          ("latin5", 9), ("l5", 9), ("latin6", 10), ("l6", 10), ("latin7", 13),
                          ("latin8", 14), ("latin9", 15), ("latin0", 15), ("latin10", 16),
                          ("cyrillic", 5), ("isoir144", 5), ("arabic", 6), ("asmo708", 6),
                          ("greek", 7), ("greek8", 7), ("isoir126", 7), ("hebrew", 8), ("isoir138", 8),
                          ("iso88598i", 8), ("iso88596i", 6)]
        for (key, n) in latinNames { add("ISO-8859-\(n)", [key]) }
        for n in [1250, 1251, 1253, 1254, 1255, 1256, 1257, 1258] {
            add("WINDOWS-\(n)", ["windows\(n)", "cp\(n)", "xcp\(n)", "win\(n)", "ms\(n)"])
        }
        add("KOI8-R", ["koi8r", "koi8", "cskoi8r"])
        add("KOI8-U", ["koi8u"])
        add("KOI8-RU", ["koi8ru"])
        // GB18030 is a superset of GBK, which is a superset of GB2312 (EUC-CN).
        add("GB18030", ["gb18030", "gb2312", "gbk", "xgbk", "cp936", "ms936", "windows936", "euccn",
                        "xeuccn", "csgb2312", "gb231280", "chinese", "csiso58gb231280", "isoir58"])
        // CP950 is Big5 as Windows mailers write it (with the ETEN extensions).
        add("CP950", ["big5", "csbig5", "xxbig5", "cnbig5", "xbig5", "cp950", "ms950", "windows950"])
        add("BIG5-HKSCS", ["big5hkscs", "hkscs"])
        // Shift_JIS in mail is Windows-31J in practice (NEC and IBM extensions).
        add("CP932", ["shiftjis", "sjis", "xsjis", "mskanji", "csshiftjis", "windows31j", "cp932",
                      "ms932", "xmscp932", "sjisopen", "sjiswin"])
        // eucJP-ms is EUC-JP plus the vendor characters, with the same mappings as CP932.
        add("EUC-JP-MS", ["eucjp", "xeucjp", "cseucpkdfmtjapanese", "eucjpms", "eucjpwin"])
        add("ISO-2022-JP", as: .iso2022JP, ["iso2022jp", "csiso2022jp", "iso2022jp1", "iso2022jp2",
                                        "iso2022jp3", "cp50220", "cp50221", "cp50222"])
        // CP949 (Unified Hangul Code) is a superset of EUC-KR.
        add("CP949", ["euckr", "cseuckr", "ksc56011987", "ksc56011989", "ksc5601", "isoir149", "korean",
                      "csksc56011987", "windows949", "cp949", "uhc", "xwindows949", "ksx1001"])
        add("ISO-2022-KR", as: .iconv(asciiCompatible: false), ["iso2022kr", "csiso2022kr"])
        add("UTF-16", as: .unicodeBOM(unitSize: 2), ["utf16", "ucs2", "csunicode", "iso10646ucs2"])
        add("UTF-16LE", as: .unicodeFixed(unitSize: 2), ["utf16le", "unicode", "unicodefeff"])
        add("UTF-16BE", as: .unicodeFixed(unitSize: 2), ["utf16be", "unicodefffe"])
        add("UTF-32", as: .unicodeBOM(unitSize: 4), ["utf32", "ucs4", "iso10646ucs4"])
        add("UTF-32LE", as: .unicodeFixed(unitSize: 4), ["utf32le"])
        add("UTF-32BE", as: .unicodeFixed(unitSize: 4), ["utf32be"])
        add("UTF-7", as: .iconv(asciiCompatible: false), ["utf7", "unicode11utf7", "csunicode11utf7", "xunicode20utf7"])
        add("TIS-620", ["tis620", "cstis620"])
        add("CP874", ["windows874", "cp874", "ms874", "xcp874"])
        add("CP866", ["cp866", "ibm866", "866", "csibm866"])
        add("MACINTOSH", ["macintosh", "mac", "macroman", "xmacroman", "csmacintosh"])
        add("MAC-CYRILLIC", ["xmaccyrillic", "maccyrillic", "xmacukrainian"])
        return table
    }()

    static let utf8Entry = Entry(name: "UTF-8", decoder: .utf8)
    static let asciiEntry = Entry(name: "US-ASCII", decoder: .ascii)

    /// Longest label we pass to glibc; real charset names are far shorter.
    static let maximumLabelLength = 64

    /// Finds how to decode `label`: the alias table first, then any name glibc knows.
    static func lookup(_ label: String?) -> Entry? {
        guard let label else { return nil }
        // Most mail says one of these; skip building a normalized key for them.
        switch label {
        case "utf-8", "UTF-8", "utf8", "UTF8": return utf8Entry
        case "us-ascii", "US-ASCII": return asciiEntry
        default: break
        }
        let trimmed = trimLabel(label)
        if trimmed.isEmpty { return nil }
        let key = String(decoding: trimmed.utf8.compactMap(aliasKeyByte), as: UTF8.self)
        if let entry = aliases[key] { return entry }
        return probeIconv(trimmed).map { Entry(name: $0, decoder: .iconv(asciiCompatible: false)) }
    }

    /// Strips what mailers wrap labels in: whitespace, quotes, and a `:1987`-style year
    /// suffix from the ISO registry names (`ISO_8859-1:1987`).
    static func trimLabel(_ label: String) -> String {
        var scalars = Substring(label).unicodeScalars
        let junk: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\"" || $0 == "'" || $0 == "\r" || $0 == "\n" }
        while let first = scalars.first, junk(first) { scalars.removeFirst() }
        while let last = scalars.last, junk(last) { scalars.removeLast() }
        var text = String(scalars)
        if let colon = text.firstIndex(of: ":") { text = String(text[..<colon]) }
        return text
    }

    private static func aliasKeyByte(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return byte
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte + 32
        default: return nil
        }
    }

    /// Asks glibc whether it knows `label`. The label comes from the message, so only
    /// plain name characters are allowed: a `/` would let it add `//TRANSLIT`-style
    /// options, and glibc treats "" and a few internal names as special.
    static func probeIconv(_ label: String) -> String? {
        guard label.utf8.count <= maximumLabelLength else { return nil }
        let allowed = label.utf8.allSatisfy { byte in
            aliasKeyByte(byte) != nil || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
        let name = label.uppercased()
        guard allowed, !["CHAR", "WCHAR_T", "INTERNAL", "UNKNOWN", "UNKNOWN-8BIT", "DEFAULT"].contains(name) else { return nil }
        guard let converter = IconvHandle(from: name) else { return nil }
        converter.close()
        return name
    }
}

// MARK: - Decoding

extension Charset {
    static func decodeSlow(_ bytes: UnsafeBufferPointer<UInt8>, label: String?, entry: Entry?) -> (text: String, defect: MailDefect?) {
        let shown = label.map { trimLabel($0) } ?? ""
        guard let entry else {
            let (text, invalid) = decodeUTF8OrWindows1252(bytes)
            if label == nil || shown.isEmpty {
                // No label at all: RFC 2045 §5.2 says US-ASCII, so 8-bit bytes are a defect.
                return (text, invalid > 0 ? MailDefect("charset.invalid-bytes", "no charset label; \(invalid) byte(s) that are not UTF-8 read as Windows-1252") : nil)
            }
            return (text, MailDefect("charset.unknown", "unknown charset \"\(shown.prefix(maximumLabelLength))\"; read as UTF-8 where valid, else Windows-1252"))
        }
        if isASCII(bytes) && isASCIICompatible(entry.decoder) {
            return (String(decoding: bytes, as: UTF8.self), nil)
        }
        var result: (text: String, defect: MailDefect?)
        switch entry.decoder {
        case .utf8, .ascii:
            // The label lied (the fast path already tried strict UTF-8).
            let (text, invalid) = decodeUTF8OrWindows1252(bytes)
            result = (text, MailDefect("charset.invalid-bytes", "labelled \(shown) but \(invalid) byte(s) are not valid UTF-8; read those as Windows-1252"))
        case .windows1252:
            result = (decodeWindows1252(bytes), nil)
        case .iso2022JP:
            result = decodeISO2022JP(bytes)
        case .unicodeBOM(let unitSize):
            result = decodeUnicodeSniffingBOM(bytes, unitSize: unitSize)
        case .unicodeFixed(let unitSize):
            let bom = byteOrderMark(for: entry.name)
            let body = bytes.starts(with: bom) ? UnsafeBufferPointer(rebasing: bytes[bom.count...]) : bytes
            result = decodeWithIconv(body, from: entry.name, unitSize: unitSize)
        case .iconv:
            result = decodeWithIconv(bytes, from: entry.name, unitSize: 1)
        }
        if result.text.isEmpty {
            // Only escapes or a bare BOM: keep the promise of non-empty text for non-empty
            // input so that a caller never loses a part without a trace.
            let (text, _) = decodeUTF8OrWindows1252(bytes)
            return (text, MailDefect("charset.empty-result", "\(bytes.count) byte(s) labelled \(shown) decoded to nothing; shown as Windows-1252"))
        }
        return result
    }

    static func isASCIICompatible(_ decoder: Decoder) -> Bool {
        switch decoder {
        case .utf8, .ascii, .windows1252: return true
        case .iconv(let compatible): return compatible
        case .iso2022JP, .unicodeBOM, .unicodeFixed: return false
        }
    }

    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var combined: UInt8 = 0
        for byte in bytes { combined |= byte }
        return combined < 0x80
    }

    // MARK: Windows-1252

    /// Windows-1252 0x80...0x9F per the WHATWG index, with the five bytes Microsoft
    /// leaves undefined (0x81 0x8D 0x8F 0x90 0x9D) mapped to the C1 controls as browsers
    /// do, so this decoder cannot fail. 0xA0...0xFF equal Latin-1.
    static let windows1252High: [UInt16] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]

    static func appendWindows1252(_ byte: UInt8, to output: inout [UInt8]) {
        if byte < 0x80 {
            output.append(byte)
            return
        }
        let code = byte < 0xA0 ? UInt32(windows1252High[Int(byte - 0x80)]) : UInt32(byte)
        if code < 0x800 {
            output.append(UInt8(0xC0 | (code >> 6)))
            output.append(UInt8(0x80 | (code & 0x3F)))
        } else {
            output.append(UInt8(0xE0 | (code >> 12)))
            output.append(UInt8(0x80 | ((code >> 6) & 0x3F)))
            output.append(UInt8(0x80 | (code & 0x3F)))
        }
    }

    static func decodeWindows1252(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 4)
        for byte in bytes { appendWindows1252(byte, to: &output) }
        return String(decoding: output, as: UTF8.self)
    }

    /// Reads valid UTF-8 sequences as UTF-8 and every other byte as Windows-1252. Mail
    /// labelled UTF-8 that is not is almost always 1252 (then no byte validates and this
    /// is plain 1252), or UTF-8 with a stray 1252 byte pasted in (then only that byte is
    /// re-read). Returns the text and how many bytes were not UTF-8.
    static func decodeUTF8OrWindows1252(_ bytes: UnsafeBufferPointer<UInt8>) -> (String, invalid: Int) {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 4)
        var invalid = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                output.append(byte)
                index += 1
                continue
            }
            let length = validUTF8SequenceLength(bytes, at: index)
            if length > 0 {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index ..< index + length]))
                index += length
            } else {
                appendWindows1252(byte, to: &output)
                invalid += 1
                index += 1
            }
        }
        return (String(decoding: output, as: UTF8.self), invalid)
    }

    /// Length of the well-formed UTF-8 sequence starting at `index` (Unicode 15 table 3-7),
    /// or 0 if there is none.
    static func validUTF8SequenceLength(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        let lead = bytes[index]
        let remaining = bytes.count - index
        func continuation(_ offset: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool {
            offset < remaining && range.contains(bytes[index + offset])
        }
        switch lead {
        case 0xC2...0xDF: return continuation(1) ? 2 : 0
        case 0xE0: return continuation(1, 0xA0...0xBF) && continuation(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: return continuation(1) && continuation(2) ? 3 : 0
        case 0xED: return continuation(1, 0x80...0x9F) && continuation(2) ? 3 : 0
        case 0xF0: return continuation(1, 0x90...0xBF) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF1...0xF3: return continuation(1) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF4: return continuation(1, 0x80...0x8F) && continuation(2) && continuation(3) ? 4 : 0
        default: return 0
        }
    }

    // MARK: UTF-16 / UTF-32

    static func byteOrderMark(for name: String) -> [UInt8] {
        switch name {
        case "UTF-16LE": return [0xFF, 0xFE]
        case "UTF-16BE": return [0xFE, 0xFF]
        case "UTF-32LE": return [0xFF, 0xFE, 0x00, 0x00]
        case "UTF-32BE": return [0x00, 0x00, 0xFE, 0xFF]
        default: return []
        }
    }

    /// RFC 2781 §4.3: a BOM decides the byte order; without one the text "SHOULD be
    /// interpreted as being big-endian", but Windows software writes little-endian without
    /// a BOM, so we look where the zero bytes of ASCII-range characters fall.
    static func decodeUnicodeSniffingBOM(_ bytes: UnsafeBufferPointer<UInt8>, unitSize: Int) -> (text: String, defect: MailDefect?) {
        let little = unitSize == 2 ? "UTF-16LE" : "UTF-32LE"
        let big = unitSize == 2 ? "UTF-16BE" : "UTF-32BE"
        // Test the UTF-32LE BOM before the UTF-16LE one, which is its prefix.
        for name in [little, big] where bytes.starts(with: byteOrderMark(for: name)) {
            return decodeWithIconv(UnsafeBufferPointer(rebasing: bytes[unitSize...]), from: name, unitSize: unitSize)
        }
        var zerosAtStart = 0
        var zerosAtEnd = 0
        var offset = 0
        while offset + unitSize <= bytes.count {
            if bytes[offset] == 0 { zerosAtStart += 1 }
            if bytes[offset + unitSize - 1] == 0 { zerosAtEnd += 1 }
            offset += unitSize
        }
        return decodeWithIconv(bytes, from: zerosAtEnd > zerosAtStart ? little : big, unitSize: unitSize)
    }

    // MARK: iconv

    /// One open `iconv_t`. glibc conversion descriptors carry shift state and must not be
    /// used from two threads at once, so each decode opens its own and closes it before
    /// returning; the value never escapes the call, which is why it is not `Sendable`.
    struct IconvHandle {
        let descriptor: iconv_t

        init?(from name: String) {
            guard let descriptor = iconv_open("UTF-8", name), Int(bitPattern: descriptor) != -1 else { return nil }
            self.descriptor = descriptor
        }

        func close() { iconv_close(descriptor) }
    }

    /// Converts with glibc iconv, reporting replaced sequences as one defect.
    static func decodeWithIconv(_ bytes: UnsafeBufferPointer<UInt8>, from name: String, unitSize: Int) -> (text: String, defect: MailDefect?) {
        guard let (text, invalid) = convertWithIconv(bytes, from: name, unitSize: unitSize) else {
            let (text, _) = decodeUTF8OrWindows1252(bytes)
            return (text, MailDefect("charset.unknown", "iconv cannot open \(name); read as UTF-8 where valid, else Windows-1252"))
        }
        let defect = invalid > 0 ? MailDefect("charset.invalid-bytes", "\(invalid) sequence(s) not valid in \(name) replaced with U+FFFD") : nil
        return (text, defect)
    }

    /// Converts with glibc iconv, or nil if iconv does not know `name`. On a byte the
    /// charset cannot explain (EILSEQ), or a truncated sequence at the end (EINVAL),
    /// emits U+FFFD, skips one code unit and carries on: one bad byte must not cost the
    /// rest of the message. Returns the text and how many sequences were replaced.
    static func convertWithIconv(_ bytes: UnsafeBufferPointer<UInt8>, from name: String, unitSize: Int) -> (String, invalid: Int)? {
        guard let handle = IconvHandle(from: name) else { return nil }
        defer { handle.close() }
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return ("", 0) }

        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 2)
        var invalid = 0
        var chunk = [UInt8](repeating: 0, count: min(max(bytes.count * 3, 256), 1 << 16))
        chunk.withUnsafeMutableBufferPointer { chunkBuffer in
            guard let chunkBase = chunkBuffer.baseAddress else { return }
            // glibc declares the input `char **` but never writes through it.
            var input: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(mutating: base).assumingMemoryBound(to: CChar.self)
            var inputLeft = bytes.count
            var flushing = false
            while true {
                var out: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(chunkBase).assumingMemoryBound(to: CChar.self)
                var outLeft = chunkBuffer.count
                // A final call with no input writes any pending shift-state output.
                let rc = flushing ? iconv(handle.descriptor, nil, nil, &out, &outLeft)
                                  : iconv(handle.descriptor, &input, &inputLeft, &out, &outLeft)
                let error = errno
                output.append(contentsOf: UnsafeBufferPointer(rebasing: chunkBuffer[0 ..< chunkBuffer.count - outLeft]))
                if rc != -1 {
                    if flushing { break }
                    flushing = inputLeft == 0
                    continue
                }
                if error == E2BIG { continue }
                if flushing { break }
                // EILSEQ, EINVAL, or anything unexpected: replace and step over.
                output.append(contentsOf: [0xEF, 0xBF, 0xBD])
                invalid += 1
                let step = min(unitSize, inputLeft)
                input = input.map { $0 + step }
                inputLeft -= step
                if inputLeft == 0 { flushing = true }
            }
        }
        return (String(decoding: output, as: UTF8.self), invalid)
    }

    // MARK: ISO-2022-JP

    /// Decodes ISO-2022-JP (RFC 1468) including the Microsoft CP50220/CP50221 extensions
    /// Japanese mailers send: half-width katakana by `ESC ( I` or SO/SI, NEC special
    /// characters (row 13) and NEC-selected IBM extensions (rows 89-92). glibc's
    /// ISO-2022-JP rejects those, and CP50221 is defined as CP932 in 7-bit form, so we
    /// re-encode the JIS stream as Shift_JIS and let iconv decode that as CP932.
    static func decodeISO2022JP(_ bytes: UnsafeBufferPointer<UInt8>) -> (text: String, defect: MailDefect?) {
        if bytes.contains(where: { $0 >= 0x80 }), bytes.contains(0x1B) {
            // Escape sequences say it really is ISO-2022-JP: a stray 8-bit byte is transport
            // damage, so it is dropped rather than the whole text re-read as Shift_JIS
            // (found by the differential test; Python also loses only that byte).
            let clean = bytes.filter { $0 < 0x80 }
            let stray = bytes.count - clean.count
            let decoded = clean.withUnsafeBufferPointer { decodeISO2022JP($0) }
            return (decoded.text, MailDefect("charset.invalid-bytes", "\(stray) stray 8-bit byte(s) in ISO-2022-JP dropped"))
        }
        if bytes.contains(where: { $0 >= 0x80 }) {
            // 8-bit bytes without escape sequences: the usual truth is UTF-8 or Shift_JIS.
            if let text = String(validating: bytes, as: UTF8.self) {
                return (text, MailDefect("charset.invalid-bytes", "labelled ISO-2022-JP but is UTF-8"))
            }
            let (text, _) = decodeWithIconv(bytes, from: "CP932", unitSize: 1)
            return (text, MailDefect("charset.invalid-bytes", "labelled ISO-2022-JP but has 8-bit bytes; read as Shift_JIS"))
        }
        guard let runs = transcodeISO2022JP(bytes) else {
            // Other ISO-2022 designations (GB 2312, KS C 5601, ISO-8859 high halves, JIS X 0213).
            let name = containsJISX0213Designation(bytes) ? "ISO-2022-JP-3" : "ISO-2022-JP-2"
            return decodeWithIconv(bytes, from: name, unitSize: 1)
        }
        var text = ""
        var invalid = 0
        for run in runs {
            guard let charset = run.charset else {
                text.unicodeScalars.append("\u{FFFD}")
                invalid += 1
                continue
            }
            let decoded = run.bytes.withUnsafeBufferPointer { convertWithIconv($0, from: charset, unitSize: 1) }
            text += decoded?.0 ?? String(decoding: run.bytes, as: UTF8.self)
            invalid += decoded?.invalid ?? 0
        }
        let defect = invalid > 0 ? MailDefect("charset.invalid-bytes", "\(invalid) invalid ISO-2022-JP sequence(s) replaced with U+FFFD") : nil
        return (text, defect)
    }

    private static func containsJISX0213Designation(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        while index + 3 < bytes.count {
            if bytes[index] == 0x1B, bytes[index + 1] == UInt8(ascii: "$"), bytes[index + 2] == UInt8(ascii: "("),
               [UInt8(ascii: "O"), UInt8(ascii: "P"), UInt8(ascii: "Q")].contains(bytes[index + 3]) {
                return true
            }
            index += 1
        }
        return false
    }

    private enum JISCharacterSet {
        case ascii, jisX0208, jisX0212, katakana
    }

    /// Bytes in one 8-bit charset, or (charset nil) one invalid sequence.
    struct TranscodedRun {
        var charset: String?
        var bytes: [UInt8] = []
    }

    /// Re-encodes 7-bit ISO-2022-JP into runs of CP932 bytes (and eucJP-ms bytes for
    /// JIS X 0212, which CP932 lacks). Returns nil for a designation this transcoder does
    /// not handle.
    ///
    ///     ESC ( B  ASCII           ESC ( J  JIS X 0201 Roman (read as ASCII)
    ///     ESC ( I  JIS X 0201 katakana, 0x21-0x5F -> Shift_JIS b + 0x80
    ///     ESC $ @, ESC $ B, ESC $ ( B   JIS X 0208 pairs -> Shift_JIS pairs
    ///     ESC $ ( D  JIS X 0212 pairs -> EUC 0x8F (b1 | 0x80)(b2 | 0x80)
    ///     SO / SI  shift to / from katakana (CP50221)
    private static func transcodeISO2022JP(_ bytes: UnsafeBufferPointer<UInt8>) -> [TranscodedRun]? {
        var runs: [TranscodedRun] = []
        func emit(_ charset: String?, _ output: UInt8...) {
            if let charset, runs.last?.charset == charset {
                runs[runs.count - 1].bytes.append(contentsOf: output)
            } else {
                runs.append(TranscodedRun(charset: charset, bytes: output))
            }
        }
        let shiftJIS = "CP932"
        var designated = JISCharacterSet.ascii
        var shiftedOut = false
        var index = 0
        func byte(_ offset: Int) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }

        while index < bytes.count {
            let b = bytes[index]
            switch b {
            case 0x1B:
                switch (byte(1), byte(2), byte(3)) {
                case (UInt8(ascii: "(")?, UInt8(ascii: "B")?, _), (UInt8(ascii: "(")?, UInt8(ascii: "J")?, _),
                     (UInt8(ascii: "(")?, UInt8(ascii: "H")?, _):
                    designated = .ascii
                    index += 3
                case (UInt8(ascii: "(")?, UInt8(ascii: "I")?, _):
                    designated = .katakana
                    index += 3
                case (UInt8(ascii: "$")?, UInt8(ascii: "@")?, _), (UInt8(ascii: "$")?, UInt8(ascii: "B")?, _):
                    designated = .jisX0208
                    index += 3
                case (UInt8(ascii: "$")?, UInt8(ascii: "(")?, UInt8(ascii: "B")?), (UInt8(ascii: "$")?, UInt8(ascii: "(")?, UInt8(ascii: "@")?):
                    designated = .jisX0208
                    index += 4
                case (UInt8(ascii: "$")?, UInt8(ascii: "(")?, UInt8(ascii: "D")?):
                    designated = .jisX0212
                    index += 4
                case (UInt8(ascii: "&")?, UInt8(ascii: "@")?, _), (UInt8(ascii: ")")?, UInt8(ascii: "I")?, _):
                    // JIS X 0208-1990 announcer / G1 designation for SO: nothing to emit.
                    index += 3
                case (nil, _, _), (UInt8(ascii: "(")?, nil, _), (UInt8(ascii: "$")?, nil, _), (UInt8(ascii: "$")?, UInt8(ascii: "(")?, nil):
                    // An escape cut off at the end of the input.
                    emit(nil)
                    index = bytes.count
                default:
                    return nil
                }
            case 0x0E:
                shiftedOut = true
                index += 1
            case 0x0F:
                shiftedOut = false
                index += 1
            case 0x00...0x20, 0x7F:
                // Controls and space pass through in every mode; mailers put CRLF and
                // spaces inside JIS X 0208 runs without switching back to ASCII.
                emit(shiftJIS, b)
                index += 1
            default:
                if shiftedOut || designated == .katakana {
                    if b <= 0x5F { emit(shiftJIS, b + 0x80) } else { emit(nil) }
                    index += 1
                } else if designated == .ascii {
                    emit(shiftJIS, b)
                    index += 1
                } else if let trail = byte(1), (0x21...0x7E).contains(trail) {
                    if designated == .jisX0212 {
                        emit("EUC-JP-MS", 0x8F, b | 0x80, trail | 0x80)
                    } else {
                        let (lead, second) = shiftJISPair(b, trail)
                        emit(shiftJIS, lead, second)
                    }
                    index += 2
                } else {
                    emit(nil)
                    index += 1
                }
            }
        }
        return runs
    }

    /// JIS X 0208 row/cell bytes (0x21-0x7E each) to Shift_JIS (JIS X 0208:1997 Annex 1).
    /// Rows 89-92, where CP50221 puts the NEC-selected IBM extensions, land on CP932's
    /// 0xED-0xEE; row 13 (NEC specials) on 0x87.
    static func shiftJISPair(_ first: UInt8, _ second: UInt8) -> (UInt8, UInt8) {
        let lead = ((first - 0x21) >> 1) + (first <= 0x5E ? 0x81 : 0xC1)
        let trail: UInt8
        if first & 1 == 1 {
            trail = second + (second <= 0x5F ? 0x1F : 0x20)
        } else {
            trail = second + 0x7E
        }
        return (lead, trail)
    }
}
