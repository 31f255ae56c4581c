import Testing
@testable import FairdeskMail

/// One labelled byte string and what a reader must see.
struct CharsetCase: Sendable, CustomTestStringConvertible {
    var bytes: [UInt8]
    var label: String?
    var expected: String
    /// The defect code expected, or nil for a clean decode.
    var defect: String?

    var testDescription: String { "\(label ?? "nil"): \(expected.debugDescription)" }
}

private let esc: UInt8 = 0x1B

@Suite struct CharsetTests {
    static let cases: [CharsetCase] = [
        // Fast paths.
        CharsetCase(bytes: Array("héllo wörld".utf8), label: "utf-8", expected: "héllo wörld"),
        CharsetCase(bytes: Array("plain".utf8), label: nil, expected: "plain"),
        CharsetCase(bytes: Array("plain".utf8), label: "US-ASCII", expected: "plain"),
        CharsetCase(bytes: Array("plain".utf8), label: "koi8-r", expected: "plain"),
        CharsetCase(bytes: Array("ünïcode".utf8), label: nil, expected: "ünïcode"),
        CharsetCase(bytes: [], label: "utf-8", expected: ""),
        // Latin-1 and US-ASCII are read as Windows-1252, as browsers do.
        CharsetCase(bytes: [0x63, 0x61, 0x66, 0xE9], label: "iso-8859-1", expected: "café"),
        CharsetCase(bytes: [0x93, 0x78, 0x94, 0x80], label: "ISO-8859-1", expected: "“x”€"),
        CharsetCase(bytes: [0x93, 0x78, 0x94], label: "latin1", expected: "“x”"),
        CharsetCase(bytes: [0xE9], label: "ISO_8859-1:1987", expected: "é"),
        CharsetCase(bytes: [0x80], label: "us-ascii", expected: "€", defect: "charset.invalid-bytes"),
        CharsetCase(bytes: [0x81, 0x8D, 0x8F, 0x90, 0x9D], label: "windows-1252", expected: "\u{81}\u{8D}\u{8F}\u{90}\u{9D}"),
        // Lying labels.
        CharsetCase(bytes: [0x63, 0x61, 0x66, 0xE9], label: "utf-8", expected: "café", defect: "charset.invalid-bytes"),
        CharsetCase(bytes: Array("é".utf8), label: "us-ascii", expected: "é", defect: "charset.invalid-bytes"),
        CharsetCase(bytes: Array("€ ".utf8) + [0xE9], label: "UTF8", expected: "€ é", defect: "charset.invalid-bytes"),
        CharsetCase(bytes: [0xE9], label: nil, expected: "é", defect: "charset.invalid-bytes"),
        // Unknown labels.
        CharsetCase(bytes: [0x41, 0xE9], label: "x-bogus", expected: "Aé", defect: "charset.unknown"),
        CharsetCase(bytes: Array("é".utf8), label: "unknown-8bit", expected: "é", defect: "charset.unknown"),
        // Single-byte charsets through iconv.
        CharsetCase(bytes: [0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4], label: "koi8-r", expected: "Привет"),
        CharsetCase(bytes: [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2], label: "windows-1251", expected: "Привет"),
        CharsetCase(bytes: [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2], label: "CP1251", expected: "Привет"),
        CharsetCase(bytes: [0xA4], label: "iso-8859-15", expected: "€"),
        CharsetCase(bytes: [0xB3], label: "iso-8859-2", expected: "ł"),
        CharsetCase(bytes: [0xB3], label: "Latin2", expected: "ł"),
        CharsetCase(bytes: [0xA1], label: "tis-620", expected: "ก"),
        CharsetCase(bytes: [0x8F], label: "cp866", expected: "П"),
        CharsetCase(bytes: [0x8E], label: "macintosh", expected: "é"),
        // CJK.
        CharsetCase(bytes: [0xC4, 0xE3, 0xBA, 0xC3], label: "gb2312", expected: "你好"),
        CharsetCase(bytes: [0xC4, 0xE3, 0xBA, 0xC3], label: "GB18030", expected: "你好"),
        CharsetCase(bytes: [0xA4, 0xA4, 0xA4, 0xE5], label: "big5", expected: "中文"),
        CharsetCase(bytes: [0x93, 0xFA, 0x96, 0x7B], label: "shift_jis", expected: "日本"),
        CharsetCase(bytes: [0x87, 0x40, 0xB1], label: "x-sjis", expected: "①ｱ"),
        CharsetCase(bytes: [0xC6, 0xFC, 0xCB, 0xDC], label: "euc-jp", expected: "日本"),
        CharsetCase(bytes: [0xC7, 0xD1, 0xB1, 0xB9], label: "euc-kr", expected: "한국"),
        CharsetCase(bytes: [0xC7, 0xD1, 0xB1, 0xB9], label: "ks_c_5601-1987", expected: "한국"),
        CharsetCase(bytes: [0x8C, 0x63], label: "euc-kr", expected: "똠"),  // a CP949 extension
        // ISO-2022-JP with the CP50220/CP50221 extensions.
        CharsetCase(bytes: [esc, 0x24, 0x42, 0x46, 0x7C, 0x4B, 0x5C, esc, 0x28, 0x42], label: "iso-2022-jp", expected: "日本"),
        CharsetCase(bytes: [esc, 0x24, 0x42, 0x2D, 0x21, esc, 0x28, 0x42], label: "ISO-2022-JP", expected: "①"),
        CharsetCase(bytes: [esc, 0x28, 0x49, 0x31, esc, 0x28, 0x42], label: "iso-2022-jp", expected: "ｱ"),
        CharsetCase(bytes: [esc, 0x24, 0x42, 0x30, 0x21, esc, 0x28, 0x42, 0x0E, 0x31, 0x0F, 0x61], label: "iso-2022-jp", expected: "亜ｱa"),
        CharsetCase(bytes: [esc, 0x24, 0x42, 0x79, 0x21, esc, 0x28, 0x42], label: "iso-2022-jp", expected: "纊"),
        CharsetCase(bytes: [esc, 0x24, 0x40, 0x46, 0x7C, 0x0D, 0x0A, 0x4B, 0x5C, esc, 0x28, 0x4A], label: "iso-2022-jp", expected: "日\r\n本"),
        CharsetCase(bytes: Array("plain".utf8), label: "iso-2022-jp", expected: "plain"),
        CharsetCase(bytes: [esc, 0x24, 0x42, 0x46], label: "iso-2022-jp", expected: "\u{FFFD}", defect: "charset.invalid-bytes"),
        CharsetCase(bytes: [0x93, 0xFA], label: "iso-2022-jp", expected: "日", defect: "charset.invalid-bytes"),
        // UTF-16 / UTF-32 / UTF-7.
        CharsetCase(bytes: [0xFF, 0xFE, 0x61, 0x00, 0xE9, 0x00], label: "utf-16", expected: "aé"),
        CharsetCase(bytes: [0xFE, 0xFF, 0x00, 0x61, 0x00, 0xE9], label: "UTF-16", expected: "aé"),
        CharsetCase(bytes: [0x61, 0x00, 0x62, 0x00], label: "utf-16", expected: "ab"),
        CharsetCase(bytes: [0x00, 0x61, 0x00, 0x62], label: "utf-16", expected: "ab"),
        CharsetCase(bytes: [0xFF, 0xFE, 0x61, 0x00], label: "utf-16le", expected: "a"),
        CharsetCase(bytes: [0x3D, 0xD8, 0x00, 0xDE], label: "utf-16le", expected: "😀"),
        CharsetCase(bytes: [0x61, 0x00, 0x62], label: "utf-16le", expected: "a\u{FFFD}", defect: "charset.invalid-bytes"),
        CharsetCase(bytes: [0xFF, 0xFE, 0x00, 0x00, 0x61, 0x00, 0x00, 0x00], label: "utf-32", expected: "a"),
        CharsetCase(bytes: [0x00, 0x00, 0x00, 0x61], label: "utf-32be", expected: "a"),
        CharsetCase(bytes: Array("Hi Mom -+Jjo--!".utf8), label: "utf-7", expected: "Hi Mom -☺-!"),
        // iconv errors mid-stream: U+FFFD, skip, carry on.
        CharsetCase(bytes: [0xB0, 0xA1, 0xFF, 0x41], label: "euc-kr", expected: "가\u{FFFD}A", defect: "charset.invalid-bytes"),
        CharsetCase(bytes: [0x41, 0x93], label: "shift_jis", expected: "A\u{FFFD}", defect: "charset.invalid-bytes"),
        // Non-empty input never decodes to nothing.
        CharsetCase(bytes: [esc, 0x28, 0x42], label: "iso-2022-jp", expected: "\u{1B}(B", defect: "charset.empty-result"),
    ]

    @Test(arguments: cases)
    func decodes(_ example: CharsetCase) {
        let result = Charset.decode(example.bytes, label: example.label)
        #expect(Array(result.text.unicodeScalars) == Array(example.expected.unicodeScalars))
        #expect(result.defect?.code == example.defect)
    }

    @Test func acceptsAnyByteCollection() {
        let bytes: [UInt8] = [0x00, 0x63, 0x61, 0x66, 0xE9, 0x00]
        let slice = bytes[1 ..< 5]
        #expect(Charset.decode(slice, label: "latin1").text == "café")
        #expect(Charset.decode(Array("日本".utf8).reversed().reversed(), label: "utf-8").text == "日本")
    }

    @Test(arguments: [
        ("UTF8", "UTF-8"), ("utf-8", "UTF-8"), ("\"utf-8\"", "UTF-8"), (" Latin1 ", "WINDOWS-1252"),
        ("ISO_8859-1:1987", "WINDOWS-1252"), ("ANSI_X3.4-1968", "US-ASCII"), ("x-sjis", "CP932"),
        ("MS_Kanji", "CP932"), ("ks_c_5601-1987", "CP949"), ("GB2312", "GB18030"), ("x-gbk", "GB18030"),
        ("cp1250", "WINDOWS-1250"), ("iso-8859-16", "ISO-8859-16"), ("latin9", "ISO-8859-15"),
        ("BIG5-HKSCS", "BIG5-HKSCS"), ("iso-2022-jp", "ISO-2022-JP"), ("utf-16be", "UTF-16BE"),
        ("cp437", "CP437"),
    ])
    func canonicalNames(label: String, name: String) {
        #expect(Charset.canonicalName(label) == name)
        #expect(Charset.isKnown(label))
    }

    @Test(arguments: ["x-bogus", "", "   ", "utf-8//TRANSLIT", "unknown-8bit", "WCHAR_T", String(repeating: "a", count: 200)])
    func unknownLabels(label: String) {
        #expect(Charset.canonicalName(label) == nil)
        #expect(!Charset.isKnown(label))
    }

    /// Deterministic junk through every kind of decoder: never empty, never a crash.
    @Test func neverEmptyForNonEmptyInput() {
        var state: UInt32 = 2_463_534_242
        func next() -> UInt8 {
            state ^= state << 13
            state ^= state >> 17
            state ^= state << 5
            return UInt8(truncatingIfNeeded: state)
        }
        let labels: [String?] = [nil, "utf-8", "us-ascii", "latin1", "iso-2022-jp", "shift_jis", "euc-kr",
                                 "gb2312", "big5", "utf-16", "utf-32", "utf-7", "koi8-r", "x-bogus", "iso-2022-kr"]
        for length in [1, 2, 3, 7, 64] {
            for label in labels {
                let bytes = (0 ..< length).map { _ in next() }
                let result = Charset.decode(bytes, label: label)
                #expect(!result.text.isEmpty, "label \(label ?? "nil") bytes \(bytes)")
            }
        }
    }

    @Test func decodesConcurrently() async {
        let sample: [UInt8] = [esc, 0x24, 0x42, 0x2D, 0x21, esc, 0x28, 0x42]
        let results = await withTaskGroup(of: String.self) { group in
            for index in 0 ..< 64 {
                group.addTask {
                    index.isMultiple(of: 2)
                        ? Charset.decode(sample, label: "iso-2022-jp").text
                        : Charset.decode([0x87, 0x40], label: "shift_jis").text
                }
            }
            var collected: [String] = []
            for await text in group { collected.append(text) }
            return collected
        }
        #expect(results.count == 64)
        #expect(results.allSatisfy { $0 == "①" })
    }
}
