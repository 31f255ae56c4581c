import Testing
@testable import FairdeskMail

struct EncodedWordCase: Sendable, CustomTestStringConvertible {
    var raw: String
    var expected: String
    /// Defect codes that must be reported (others may be too).
    var defects: [String] = []

    var testDescription: String { raw.debugDescription }
}

@Suite struct EncodedWordsTests {
    static let decodeCases: [EncodedWordCase] = [
        EncodedWordCase(raw: "=?utf-8?q?caf=C3=A9?=", expected: "café"),
        EncodedWordCase(raw: "=?UTF-8?B?Y2Fmw6k=?=", expected: "café"),
        EncodedWordCase(raw: "=?utf-8?b?Y2Fmw6k?=", expected: "café"),  // padding missing
        EncodedWordCase(raw: "=?utf-8?Q?a_b?=", expected: "a b"),
        EncodedWordCase(raw: "plain text", expected: "plain text"),
        // §6.2: white space between adjacent words goes, around text it stays.
        EncodedWordCase(raw: "=?utf-8?q?a?= =?utf-8?q?b?=", expected: "ab"),
        EncodedWordCase(raw: "=?utf-8?q?a?=\r\n =?utf-8?q?b?=", expected: "ab"),
        EncodedWordCase(raw: "=?utf-8?q?a?=\t  =?iso-8859-1?q?=E9?=", expected: "aé"),
        EncodedWordCase(raw: "a =?utf-8?q?b?= c", expected: "a b c"),
        EncodedWordCase(raw: "=?utf-8?q?a?=  x  =?utf-8?q?b?=", expected: "a  x  b"),
        EncodedWordCase(raw: "Hello\r\n world", expected: "Hello world"),
        // A character split across words is joined at the byte level.
        EncodedWordCase(raw: "=?utf-8?q?=E2=82?= =?utf-8?q?=AC?=", expected: "€"),
        EncodedWordCase(raw: "=?utf-8?b?4oI=?= =?utf-8?b?rA==?=", expected: "€"),
        EncodedWordCase(raw: "=?utf-8?b?SGVsbG?= =?utf-8?b?8=?=", expected: "Hello"),
        EncodedWordCase(raw: "=?iso-2022-jp?B?GyRCJDMkcyRLJEEkTxsoQg==?=", expected: "こんにちは"),
        EncodedWordCase(raw: "=?shift_jis?B?h0A=?=", expected: "①"),
        EncodedWordCase(raw: "=?iso-8859-1?q?caf=E9?= =?utf-8?q?_=E2=82=AC?=", expected: "café €"),
        // Glued to text, inside quotes, RFC 2231 language.
        EncodedWordCase(raw: "Re:=?utf-8?q?x?=", expected: "Re:x"),
        EncodedWordCase(raw: "=?utf-8?q?a?=b", expected: "ab"),
        EncodedWordCase(raw: "\"=?utf-8?q?Jos=C3=A9?=\" <j@example.com>", expected: "\"José\" <j@example.com>"),
        EncodedWordCase(raw: "=?utf-8*en-us?q?hi?=", expected: "hi"),
        // Broken words.
        EncodedWordCase(raw: "=?utf-8?q?unterminated", expected: "unterminated", defects: ["encoded-word.unterminated"]),
        EncodedWordCase(raw: "=?utf-8?q?a =?utf-8?q?b?= c", expected: "ab c", defects: ["encoded-word.unterminated"]),
        EncodedWordCase(raw: "=?utf-8?q?100=ZZ?=", expected: "100=ZZ", defects: ["encoded-word.bad-escape"]),
        EncodedWordCase(raw: "=?utf-8?q?100=?=", expected: "100=", defects: ["encoded-word.bad-escape"]),
        EncodedWordCase(raw: "=?utf-8?b?Y2F$mw6k=?=", expected: "café", defects: ["encoded-word.bad-base64"]),
        EncodedWordCase(raw: "=?x-bogus?q?caf=E9?=", expected: "café", defects: ["charset.unknown"]),
        EncodedWordCase(raw: "=?utf-8?q?caf=E9?=", expected: "café", defects: ["charset.invalid-bytes"]),
        EncodedWordCase(raw: "=?utf-8?q??=", expected: ""),
        // Looks like a word but is not.
        EncodedWordCase(raw: "1+1=?2", expected: "1+1=?2"),
        EncodedWordCase(raw: "=?", expected: "=?"),
        EncodedWordCase(raw: "=?utf-8", expected: "=?utf-8"),
        EncodedWordCase(raw: "=?utf-8?", expected: "=?utf-8?"),
        EncodedWordCase(raw: "=?utf-8?q", expected: "=?utf-8?q"),
        EncodedWordCase(raw: "=?utf-8?x?abc?=", expected: "=?utf-8?x?abc?="),
        EncodedWordCase(raw: "=??q?abc?=", expected: "=??q?abc?="),
        EncodedWordCase(raw: "what =? now ?=", expected: "what =? now ?="),
        EncodedWordCase(raw: "==??==", expected: "==??=="),
    ]

    @Test(arguments: decodeCases)
    func decodes(_ example: EncodedWordCase) {
        let result = EncodedWords.decode(example.raw)
        #expect(result.text == example.expected)
        let codes = Set(result.defects.map(\.code))
        for defect in example.defects {
            #expect(codes.contains(defect), "missing \(defect) in \(codes)")
        }
        if example.defects.isEmpty {
            #expect(result.defects.isEmpty)
        }
    }

    @Test func decodeIsLinear() {
        let hostile = String(repeating: "=?utf-8?q", count: 20_000) + String(repeating: "=?", count: 50_000)
        let clock = ContinuousClock()
        let elapsed = clock.measure { _ = EncodedWords.decode(hostile) }
        #expect(elapsed < .seconds(5))
        let manyWords = String(repeating: "=?utf-8?q?a?= ", count: 20_000)
        #expect(EncodedWords.decode(manyWords).text == String(repeating: "a", count: 20_000) + " ")
    }

    // MARK: Encoding

    static let roundTripTexts: [String] = [
        "Hello world",
        "Re: Café au lait",
        "Grüße aus Köln",
        "日本語のテキストです",
        String(repeating: "日本語のテキスト", count: 10),
        "Party 🎉🎉 tonight 👨‍👩‍👧‍👦!",
        "e\u{301}" + String(repeating: "\u{302}", count: 60),
        "Looks like a word =?utf-8?q?x?= but is not",
        "=?utf-8?q?x?=",
        "snake_case? q=1 and ünïcödé",
        "  leading and trailing  ",
        "tab\tseparated\tünï",
        "line\r\nbreak",
        String(repeating: "a long subject line without any special characters ", count: 4),
        "Ticket #4821: " + String(repeating: "ß", count: 120),
        "x" + String(repeating: "y", count: 100) + " Zürich",
        "Ελληνικά και русский и עברית",
    ]

    @Test(arguments: roundTripTexts, [7, 30])
    func unstructuredRoundTrip(text: String, fieldNameLength: Int) {
        let encoded = EncodedWords.encodeUnstructured(text, fieldNameLength: fieldNameLength)
        #expect(EncodedWords.decode(encoded).text == text)
        let unfolded = encoded.replacingAll("\r\n", with: "")
        #expect(EncodedWords.decode(unfolded).text == text)

        let lines = encoded.split(separator: "\r\n", omittingEmptySubsequences: false)
        let isEncoded = encoded.contains("=?UTF-8?")
        let limit = isEncoded ? 76 : 78
        for (number, line) in lines.enumerated() {
            let width = line.utf8.count + (number == 0 ? fieldNameLength + 2 : 0)
            #expect(width <= limit, "line \(number) is \(width) wide: \(line)")
            if number > 0 { #expect(line.first == " " || line.first == "\t") }
        }
        for word in encoded.split(whereSeparator: { $0 == " " || $0 == "\r\n" }) where word.hasPrefix("=?") {
            #expect(word.utf8.count <= 75, "\(word)")
        }
    }

    @Test func plainASCIIIsUntouched() {
        #expect(EncodedWords.encodeUnstructured("Hello world", fieldNameLength: 7) == "Hello world")
        #expect(EncodedWords.encodeUnstructured("", fieldNameLength: 7) == "")
    }

    @Test func longASCIIFoldsAtWhitespace() {
        let text = String(repeating: "word ", count: 40).dropLast()
        let encoded = EncodedWords.encodeUnstructured(String(text), fieldNameLength: 7)
        #expect(!encoded.contains("=?"))
        #expect(encoded.contains("\r\n word"))
        #expect(encoded.replacingAll("\r\n", with: "") == text)
    }

    @Test func leadingASCIIWordsStayReadable() {
        let encoded = EncodedWords.encodeUnstructured("Re: [Ticket 12] Grüße", fieldNameLength: 7)
        #expect(encoded.hasPrefix("Re: [Ticket 12] =?UTF-8?"))
    }

    @Test func encodedWordsUseQWhenShorter() {
        let encoded = EncodedWords.encodeUnstructured("Zürich", fieldNameLength: 7)
        #expect(encoded == "=?UTF-8?Q?Z=C3=BCrich?=")
    }

    @Test(arguments: [
        ("John Smith", "John Smith"),
        ("O'Brien", "O'Brien"),
        ("Smith, John", "\"Smith, John\""),
        ("J. R. R. Tolkien", "\"J. R. R. Tolkien\""),
        ("a\"b\\c", "\"a\\\"b\\\\c\""),
        ("support@example.com", "\"support@example.com\""),
        ("two  spaces", "\"two  spaces\""),
        ("", "\"\""),
    ])
    func phrases(text: String, expected: String) {
        #expect(EncodedWords.encodePhrase(text) == expected)
    }

    @Test(arguments: ["José Ramírez", "Jean-Luc Picard, né", "山田 太郎", "=?utf-8?q?x?=", "Café (Support)",
                      String(repeating: "Ünïcödé ", count: 20), "🙂", "tab\there"])
    func phraseRoundTrip(text: String) {
        let encoded = EncodedWords.encodePhrase(text)
        #expect(encoded.hasPrefix("=?UTF-8?"))
        #expect(EncodedWords.decode(encoded).text == text)
        for word in encoded.split(separator: " ") {
            #expect(word.utf8.count <= 75)
            // RFC 2047 §5 (3): a Q word in a phrase uses only these characters.
            if word.hasPrefix("=?UTF-8?Q?") {
                let payload = word.dropFirst(10).dropLast(2)
                #expect(payload.allSatisfy { $0.isLetter && $0.isASCII || $0.isNumber && $0.isASCII || "!*+-/=_".contains($0) }, "\(word)")
            }
        }
    }
}

fileprivate extension String {
    /// Foundation-free replacement, so the tests need nothing the module does not.
    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
