import NIOCore
import Testing

@testable import FairdeskTransport

@Suite("SMTPClientDataEncoding (dot-stuffing)")
struct SMTPClientDataEncodingTests {
    private func encode(_ message: String) -> String {
        String(decoding: SMTPClientDataEncoding.encode(Array(message.utf8)).wire, as: UTF8.self)
    }

    @Test(arguments: [
        ("Subject: hi\r\n\r\nbody\r\n", "Subject: hi\r\n\r\nbody\r\n.\r\n"),
        // RFC 5321 §4.5.2: a leading "." is doubled, wherever the line is.
        (".starts with a dot\r\n", "..starts with a dot\r\n.\r\n"),
        ("a\r\n.\r\nb\r\n", "a\r\n..\r\nb\r\n.\r\n"),
        ("a\r\n..two\r\n", "a\r\n...two\r\n.\r\n"),
        ("a\r\n.\r\n", "a\r\n..\r\n.\r\n"),
        ("dot. in the middle.\r\n", "dot. in the middle.\r\n.\r\n"),
        // No final line break: one is added before the terminator.
        ("no final break", "no final break\r\n.\r\n"),
        ("ends with a dot line\r\n.", "ends with a dot line\r\n..\r\n.\r\n"),
        // Bare LF and bare CR become CRLF, so "LF . CR LF" cannot end DATA early anywhere.
        ("a\nb\n", "a\r\nb\r\n.\r\n"),
        ("a\n.\r\nb", "a\r\n..\r\nb\r\n.\r\n"),
        ("a\r.\r\nb\r\n", "a\r\n..\r\nb\r\n.\r\n"),
        ("a\n\n.\n", "a\r\n\r\n..\r\n.\r\n"),
        ("a\r\r\nb", "a\r\n\r\nb\r\n.\r\n"),
        ("", ".\r\n"),
        ("\r\n", "\r\n.\r\n"),
        (".", "..\r\n.\r\n"),
    ])
    func encodes(message: String, wire: String) {
        #expect(self.encode(message) == wire)
    }

    @Test func messageSizeExcludesStuffingAndTerminator() {
        let encoded = SMTPClientDataEncoding.encode(Array("a\r\n.b\r\n..c\n".utf8))

        #expect(encoded.wire == Array("a\r\n..b\r\n...c\r\n.\r\n".utf8))
        #expect(encoded.messageSize == Array("a\r\n.b\r\n..c\r\n".utf8).count)
    }

    @Test func keepsEightBitBytesUntouched() {
        let message: [UInt8] = Array("Caf\u{00E9}\r\n".utf8) + [0xFF, 0x00, 0x80] + Array("\r\n".utf8)

        let encoded = SMTPClientDataEncoding.encode(message)

        #expect(encoded.wire == message + Array(".\r\n".utf8))
        #expect(encoded.messageSize == message.count)
        #expect(SMTPClientDataEncoding.containsEightBitBytes(message))
        #expect(!SMTPClientDataEncoding.containsEightBitBytes(Array("plain ascii\r\n".utf8)))
    }

    @Test func wireNeverContainsTheTerminatorBeforeTheEnd() {
        var generator = SMTPClientTestRandom(seed: 42)
        let alphabet = Array(".\r\na".utf8)
        for _ in 0..<2_000 {
            let message = (0..<Int(generator.next() % 24)).map { _ in alphabet[Int(generator.next() % 4)] }

            let wire = SMTPClientDataEncoding.encode(message).wire

            let terminator = Array("\r\n.\r\n".utf8)
            let body = Array(wire.dropLast(3))
            let early = (0...max(0, body.count - terminator.count)).contains { start in
                start + terminator.count <= body.count && Array(body[start..<start + terminator.count]) == terminator
            }
            #expect(!early, "message \(message) encoded to \(wire)")
            #expect(body.isEmpty || body.suffix(2) == [13, 10])
            #expect(!(body.first == UInt8(ascii: ".") && body.dropFirst().first != UInt8(ascii: ".")))
        }
    }
}

@Suite("SMTPClientBase64")
struct SMTPClientBase64Tests {
    /// RFC 4648 §10 test vectors.
    @Test(arguments: [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ])
    func encodesRFCVectors(input: String, output: String) {
        #expect(SMTPClientBase64.encode(input.utf8) == output)
    }

    @Test func encodesPlainSASLPayload() {
        // RFC 4616 §4 example: authcid "tim", passwd "tanstaaftanstaaf".
        let payload: [UInt8] = [0] + Array("tim".utf8) + [0] + Array("tanstaaftanstaaf".utf8)

        #expect(SMTPClientBase64.encode(payload) == "AHRpbQB0YW5zdGFhZnRhbnN0YWFm")
    }
}

@Suite("SMTPClient address and peer checks")
struct SMTPClientEnvelopeTests {
    @Test func refusesRecipientsThatWouldInjectCommands() throws {
        let envelope = try SMTPClientEnvelope(
            from: "agent@fairdesk.test",
            recipients: ["ok@example.com", "evil@example.com>\r\nRCPT TO:<other@example.com", "a\nb@example.com"]
        )

        #expect(envelope.recipients == ["ok@example.com"])
        #expect(envelope.locallyRejected.map(\.address).count == 2)
        #expect(envelope.locallyRejected.allSatisfy { $0.code == 501 && $0.isPermanent })
    }

    @Test func acceptsNullReversePath() throws {
        let envelope = try SMTPClientEnvelope(from: "", recipients: ["a@example.com"])

        #expect(envelope.from == "")
    }

    @Test(arguments: [
        ("agent@fairdesk.test\r\nRSET", ["a@example.com"]),
        ("agent@fairdesk.test", [String]()),
        ("agent@fairdesk.test", ["<a@example.com>"]),
    ])
    func refusesUnusableEnvelopeBeforeConnecting(from: String, recipients: [String]) {
        #expect {
            try SMTPClientEnvelope(from: from, recipients: recipients)
        } throws: { error in
            (error as? SMTPClientError)?.isPermanent == true
        }
    }

    @Test(arguments: [
        ("127.0.0.1", true), ("127.8.9.10", true), ("::1", true), ("::ffff:127.0.0.1", true),
        ("10.0.0.1", false), ("192.168.1.1", false), ("128.0.0.1", false), ("::2", false), ("2001:db8::1", false),
    ])
    func loopbackDetection(ip: String, loopback: Bool) throws {
        let address = try SocketAddress(ipAddress: ip, port: 25)

        #expect(SMTPClientConnection.isLoopback(address) == loopback)
    }

    @Test func sniIsOnlySentForHostNames() {
        #expect(SMTPClientConnection.serverNameIndication(for: "smtp.example.com") == "smtp.example.com")
        #expect(SMTPClientConnection.serverNameIndication(for: "127.0.0.1") == nil)
        #expect(SMTPClientConnection.serverNameIndication(for: "::1") == nil)
    }
}
