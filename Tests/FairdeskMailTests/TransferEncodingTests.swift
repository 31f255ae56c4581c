import Testing
@testable import FairdeskMail

struct TransferEncodingTests {
    @Test(arguments: [
        ("SGVsbG8sIHdvcmxkIQ==", "Hello, world!"),
        ("SGVsbG8s\r\nIHdvcmxkIQ==\r\n", "Hello, world!"),
        ("SGVsbG8sIHdvcmxkIQ", "Hello, world!"),          // missing padding
        ("SGVs bG8s*IHdv!cmxkIQ==", "Hello, world!"),     // garbage and spaces
        ("SGk=SGk=", "HiHi"),                             // concatenated padded chunks
        ("", ""),
    ])
    func base64Decodes(_ encoded: String, _ plain: String) {
        let decoded = TransferEncoding.decodeBase64(Array(encoded.utf8))
        #expect(decoded.bytes == Array(plain.utf8))
    }

    @Test func base64ReportsGarbage() {
        #expect(TransferEncoding.decodeBase64(Array("SGk*=".utf8)).defects.map(\.code) == ["base64.invalid-characters"])
        #expect(TransferEncoding.decodeBase64(Array("SGkhS".utf8)).defects.map(\.code) == ["base64.truncated"])
        #expect(TransferEncoding.decodeBase64(Array("SGVsbG8=\r\n".utf8)).defects.isEmpty)
    }

    @Test func base64RoundTripsEveryLength() {
        var rng = SplitMix64(seed: 7)
        for length in 0..<300 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let encoded = TransferEncoding.encodeBase64(bytes)
            let lines = encoded.split(separator: 0x0A)
            #expect(lines.allSatisfy { $0.count <= 77 }, "base64 lines stay within 76 characters plus CR")
            #expect(TransferEncoding.decodeBase64(encoded).bytes == bytes)
        }
    }

    @Test(arguments: [
        ("caf=C3=A9", "café"),
        ("caf=c3=a9", "café"),                             // lower-case hex
        ("soft=\r\nbreak", "softbreak"),
        ("soft=\nbreak", "softbreak"),
        ("soft=  \r\nbreak", "softbreak"),                 // whitespace after the =
        ("a=ZZb", "a=ZZb"),                                // bad escape kept
        ("ends with =", "ends with "),
        ("x=3", "x=3"),
        ("line1\r\nline2", "line1\r\nline2"),
    ])
    func quotedPrintableDecodes(_ encoded: String, _ plain: String) {
        #expect(TransferEncoding.decodeQuotedPrintable(Array(encoded.utf8)).bytes == Array(plain.utf8))
    }

    @Test func quotedPrintableReportsBadEscapes() {
        #expect(TransferEncoding.decodeQuotedPrintable(Array("a=ZZ".utf8)).defects.map(\.code) == ["quoted-printable.invalid-escape"])
    }

    @Test func quotedPrintableRoundTripsTextAndBinary() {
        let text = "Grüße aus Köln = heiß\nFrom here on\n.dot line\ntrailing space \n" + String(repeating: "long line ", count: 30) + "\n"
        let encoded = TransferEncoding.encodeQuotedPrintable(Array(text.utf8), isText: true)
        #expect(encoded.split(separator: 0x0A).allSatisfy { $0.count <= 77 })
        #expect(!encoded.contains(where: { $0 >= 0x80 }))
        let decoded = TransferEncoding.decodeQuotedPrintable(encoded).bytes
        #expect(String(decoding: decoded, as: UTF8.self) == text.replacingOccurrences(of: "\n", with: "\r\n"))

        var rng = SplitMix64(seed: 11)
        let binary = (0..<2000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let binaryEncoded = TransferEncoding.encodeQuotedPrintable(binary, isText: false)
        #expect(TransferEncoding.decodeQuotedPrintable(binaryEncoded).bytes == binary)
    }

    @Test func uudecodes() {
        // "Cat" uuencoded: length char '#' (3), then "0V%T".
        let lines: [ArraySlice<UInt8>] = [ArraySlice("#0V%T".utf8), ArraySlice("`".utf8)]
        #expect(TransferEncoding.decodeUUEncodedLines(lines).bytes == Array("Cat".utf8))
    }
}

/// A small deterministic generator so randomized tests repeat exactly.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
