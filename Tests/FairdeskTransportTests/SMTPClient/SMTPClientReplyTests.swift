import NIOCore
import Testing

@testable import FairdeskTransport

@Suite("SMTPClientReply parsing")
struct SMTPClientReplyTests {
    private func parse(_ text: String, limits: SMTPClientLimits = .default) throws -> (SMTPClientReply?, remaining: String) {
        var buffer = ByteBuffer(string: text)
        let reply = try SMTPClientReply.parse(from: &buffer, limits: limits)
        return (reply, String(buffer: buffer))
    }

    struct Fixture: Sendable, CustomTestStringConvertible {
        var input: String
        var code: Int
        var lines: [String]
        var enhanced: String?
        var text: String
        var testDescription: String { self.input.debugDescription }
    }

    @Test(arguments: [
        Fixture(input: "220 mx.example.com ESMTP ready\r\n", code: 220, lines: ["mx.example.com ESMTP ready"], enhanced: nil, text: "mx.example.com ESMTP ready"),
        Fixture(
            input: "250-mx.example.com greets you\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n250 STARTTLS\r\n",
            code: 250, lines: ["mx.example.com greets you", "SIZE 10240000", "8BITMIME", "STARTTLS"], enhanced: nil,
            text: "mx.example.com greets you SIZE 10240000 8BITMIME STARTTLS"
        ),
        Fixture(
            input: "550 5.1.1 <nobody@example.com>: Recipient address rejected\r\n",
            code: 550, lines: ["5.1.1 <nobody@example.com>: Recipient address rejected"], enhanced: "5.1.1",
            text: "<nobody@example.com>: Recipient address rejected"
        ),
        Fixture(
            input: "451-4.7.1 Greylisted, please\r\n451 4.7.1 try again later\r\n",
            code: 451, lines: ["4.7.1 Greylisted, please", "4.7.1 try again later"], enhanced: "4.7.1",
            text: "Greylisted, please try again later"
        ),
        Fixture(input: "250 2.0.0\r\n", code: 250, lines: ["2.0.0"], enhanced: "2.0.0", text: ""),
        Fixture(input: "354\r\n", code: 354, lines: [""], enhanced: nil, text: ""),
        Fixture(input: "250-\r\n250 \r\n", code: 250, lines: ["", ""], enhanced: nil, text: ""),
        // Liberal: bare LF, and a code that changes between lines (the last one wins).
        Fixture(input: "250-first\n251 second\n", code: 251, lines: ["first", "second"], enhanced: nil, text: "first second"),
        // Not enhanced codes: wrong class, too many digits, no separator after.
        Fixture(input: "550 3.1.1 odd\r\n", code: 550, lines: ["3.1.1 odd"], enhanced: nil, text: "3.1.1 odd"),
        Fixture(input: "550 5.1234.1 odd\r\n", code: 550, lines: ["5.1234.1 odd"], enhanced: nil, text: "5.1234.1 odd"),
        Fixture(input: "550 5.1.1x odd\r\n", code: 550, lines: ["5.1.1x odd"], enhanced: nil, text: "5.1.1x odd"),
        Fixture(input: "554 5.7.1 Spam \u{00E9}t\u{00E9}\r\n", code: 554, lines: ["5.7.1 Spam été"], enhanced: "5.7.1", text: "Spam été"),
    ])
    func parsesCompleteReply(_ fixture: Fixture) throws {
        let (reply, remaining) = try self.parse(fixture.input)

        let parsed = try #require(reply)
        #expect(parsed.code == fixture.code)
        #expect(parsed.lines == fixture.lines)
        #expect(parsed.enhancedCode == fixture.enhanced)
        #expect(parsed.text == fixture.text)
        #expect(remaining.isEmpty)
    }

    @Test(arguments: [
        "",
        "2",
        "250",
        "250 ok",
        "250 ok\r",
        "250-first line\r\n",
        "250-first line\r\n250-second\r\n250 thi",
    ])
    func waitsForMoreBytesWithoutConsuming(_ input: String) throws {
        let (reply, remaining) = try self.parse(input)

        #expect(reply == nil)
        #expect(remaining == input)
    }

    @Test func consumesExactlyOneReplyAndLeavesTheNext() throws {
        let (reply, remaining) = try self.parse("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go")

        #expect(reply?.code == 250)
        #expect(reply?.enhancedCode == "2.1.0")
        #expect(remaining == "250 2.1.5 Ok\r\n354 go")
    }

    @Test(arguments: [
        "hello there\r\n",
        "25 short\r\n",
        "2x0 letters\r\n",
        "150 code class 1 does not exist\r\n",
        "650 code class 6 does not exist\r\n",
        "250_bad separator\r\n",
        "\r\n",
        "250-ok\r\nHTTP/1.1 400 Bad Request\r\n",
        "\u{16}\u{03}\u{01}\u{02}\u{00}\r\n",
    ])
    func rejectsGarbage(_ input: String) {
        #expect(throws: SMTPClientReplyParseError.self) {
            try self.parse(input)
        }
    }

    @Test func rejectsOverlongLineEvenBeforeItEnds() {
        var limits = SMTPClientLimits()
        limits.maxReplyLineLength = 64
        let endless = "250 " + String(repeating: "x", count: 100)

        #expect(throws: SMTPClientReplyParseError.lineTooLong(limit: 64)) {
            try self.parse(endless, limits: limits)
        }
        #expect(throws: SMTPClientReplyParseError.lineTooLong(limit: 64)) {
            try self.parse(endless + "\r\n", limits: limits)
        }
    }

    @Test func acceptsLineExactlyAtTheLimit() throws {
        var limits = SMTPClientLimits()
        limits.maxReplyLineLength = 64
        let line = "250 " + String(repeating: "x", count: 58) + "\r\n"
        #expect(line.utf8.count == 64)

        let (reply, _) = try self.parse(line, limits: limits)

        #expect(reply?.code == 250)
    }

    @Test func rejectsEndlessMultiLineReply() {
        var limits = SMTPClientLimits()
        limits.maxReplyLines = 5
        let input = String(repeating: "250-more\r\n", count: 6) + "250 end\r\n"

        #expect(throws: SMTPClientReplyParseError.tooManyLines(limit: 5)) {
            try self.parse(input, limits: limits)
        }
    }

    /// A poor man's fuzz target: random bytes, split anywhere, must either parse, wait
    /// for more, or throw, and a parsed reply must have consumed what it claims.
    @Test func randomInputNeverTraps() {
        var generator = SMTPClientTestRandom(seed: 0x5EED)
        let alphabet = Array("0123455-  \r\n\r\n250-250 554 abc.5.1.1\u{0}\u{FF}".utf8)
        for _ in 0..<5_000 {
            let length = Int(generator.next() % 80)
            let bytes = (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            var buffer = ByteBuffer(bytes: bytes)
            var limits = SMTPClientLimits()
            limits.maxReplyLineLength = 32
            limits.maxReplyLines = 4
            let before = buffer.readableBytes
            if let reply = try? SMTPClientReply.parse(from: &buffer, limits: limits) {
                #expect((200..<600).contains(reply.code))
                #expect(buffer.readableBytes < before)
            }
        }
    }
}

@Suite("SMTPClientCapabilities")
struct SMTPClientCapabilitiesTests {
    @Test func parsesEHLOKeywords() {
        let reply = SMTPClientReply(
            code: 250,
            lines: ["mx.example.com Hello", "PIPELINING", "SIZE 35882577", "8bitmime", "STARTTLS", "AUTH PLAIN LOGIN XOAUTH2", "ENHANCEDSTATUSCODES", "SMTPUTF8"]
        )

        let capabilities = SMTPClientCapabilities(ehloReply: reply)

        #expect(capabilities.isExtended)
        #expect(capabilities.maxMessageSize == 35_882_577)
        #expect(capabilities.supports8BitMIME)
        #expect(capabilities.supportsPipelining)
        #expect(capabilities.supportsSTARTTLS)
        #expect(capabilities.supportsSMTPUTF8)
        #expect(capabilities.authMechanisms == ["PLAIN", "LOGIN", "XOAUTH2"])
    }

    @Test func parsesOldStyleAuthAndSizeWithoutLimit() {
        let reply = SMTPClientReply(code: 250, lines: ["mx.example.com", "AUTH=login cram-md5", "SIZE"])

        let capabilities = SMTPClientCapabilities(ehloReply: reply)

        #expect(capabilities.authMechanisms == ["LOGIN", "CRAM-MD5"])
        #expect(capabilities.maxMessageSize == 0)
        #expect(!capabilities.supportsSTARTTLS)
    }

    @Test func greetingLineIsNotAKeyword() {
        // Some servers put a word that looks like a keyword in the greeting line.
        let reply = SMTPClientReply(code: 250, lines: ["STARTTLS.example.com"])

        #expect(!SMTPClientCapabilities(ehloReply: reply).supportsSTARTTLS)
    }
}

/// Deterministic generator for the random-input test (reproducible failures).
struct SMTPClientTestRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
