import Testing

@testable import FairdeskTransport

/// Plays the connection task's part for a session, synchronously: performs checkRecipient and
/// deliver with fixed answers and records what the session asked for.
struct SMTPServerSessionDriver {
    var session: SMTPServerSession
    /// Recipients on this domain (and postmaster) are accepted, all others refused.
    var acceptedDomain = "desk.test"
    var deliveryResult = SMTPDeliveryResult.accepted(id: "T1")
    private(set) var replies: [SMTPServerReply] = []
    private(set) var deliveries: [(message: [UInt8], envelope: SMTPEnvelope)] = []
    private(set) var framingEvents: [String] = []
    private(set) var startedTLS = false
    private(set) var closed = false

    init(_ configuration: SMTPServerConfiguration = .init(), startTLSAvailable: Bool = false) {
        self.session = SMTPServerSession(
            configuration: configuration,
            remoteAddress: "192.0.2.7",
            startTLSAvailable: startTLSAvailable
        )
        self.perform(self.session.start())
    }

    /// Summaries ("250 2.1.0", "220") of the replies after the greeting.
    var codes: [String] { self.replies.dropFirst().map(Self.summary) }

    static func summary(_ reply: SMTPServerReply) -> String {
        "\(reply.code)" + (reply.enhancedCode.map { " " + $0 } ?? "")
    }

    /// One command, CRLF appended.
    mutating func send(_ line: String) {
        self.feed(Array((line + "\r\n").utf8))
    }

    mutating func feed(_ bytes: [UInt8], endsLine: Bool = true) {
        self.perform(self.session.receive(line: bytes, endsLine: endsLine))
    }

    /// The DATA body, split into lines after each LF as the framer would do.
    mutating func feedData(_ text: String) {
        var line: [UInt8] = []
        for byte in text.utf8 {
            line.append(byte)
            if byte == UInt8(ascii: "\n") {
                self.feed(line)
                line = []
            }
        }
        precondition(line.isEmpty, "data must end with a line ending")
    }

    private mutating func perform(_ actions: [SMTPServerSession.Action]) {
        var pending = actions[...]
        while let action = pending.popFirst() {
            switch action {
            case .send(let reply):
                self.replies.append(reply)
            case .checkRecipient(let address, _):
                let accepted = address.hasSuffix("@" + self.acceptedDomain) || address.lowercased() == "postmaster"
                pending.append(contentsOf: self.session.recipientChecked(accepted ? .accept : .reject("no such user here")))
            case .deliver(let message, let envelope):
                self.deliveries.append((message, envelope))
                pending.append(contentsOf: self.session.deliveryFinished(self.deliveryResult))
            case .enterDataMode:
                self.framingEvents.append("data")
            case .leaveDataMode:
                self.framingEvents.append("command")
            case .startTLS(let reply):
                self.replies.append(reply)
                self.startedTLS = true
            case .close:
                self.closed = true
            }
        }
    }
}

struct SMTPServerSessionCase: Sendable, CustomTestStringConvertible {
    var name: String
    var mode = SMTPServerMode.smtp
    var startTLSAvailable = false
    var lines: [String]
    var expected: [String]
    var testDescription: String { self.name }
}

@Suite("SMTPServer session")
struct SMTPServerSessionTests {
    static let ehlo = "EHLO client.example"
    static let mail = "MAIL FROM:<customer@example.com>"
    static let rcpt = "RCPT TO:<help@desk.test>"

    static let commandCases: [SMTPServerSessionCase] = [
        // Greetings
        .init(name: "EHLO", lines: [ehlo], expected: ["250"]),
        .init(name: "HELO", lines: ["HELO client.example"], expected: ["250"]),
        .init(name: "lower-case verb", lines: ["ehlo client.example"], expected: ["250"]),
        .init(name: "EHLO with an address literal", lines: ["EHLO [192.0.2.1]"], expected: ["250"]),
        .init(name: "EHLO without a name", lines: ["EHLO"], expected: ["501 5.5.4"]),
        .init(name: "LHLO on SMTP", lines: ["LHLO client.example"], expected: ["500 5.5.1"]),
        .init(name: "EHLO on LMTP", mode: .lmtp, lines: [ehlo], expected: ["500 5.5.1"]),
        .init(name: "HELO on LMTP", mode: .lmtp, lines: ["HELO client.example"], expected: ["500 5.5.1"]),
        .init(name: "LHLO on LMTP", mode: .lmtp, lines: ["LHLO client.example"], expected: ["250"]),
        // MAIL
        .init(name: "MAIL before EHLO", lines: [mail], expected: ["503 5.5.1"]),
        .init(name: "MAIL", lines: [ehlo, mail], expected: ["250", "250 2.1.0"]),
        .init(name: "null sender", lines: [ehlo, "MAIL FROM:<>"], expected: ["250", "250 2.1.0"]),
        .init(name: "blank after colon", lines: [ehlo, "MAIL FROM: <a@example.com>"], expected: ["250", "250 2.1.0"]),
        .init(name: "no angle brackets", lines: [ehlo, "MAIL FROM:a@example.com"], expected: ["250", "250 2.1.0"]),
        .init(name: "source route", lines: [ehlo, "MAIL FROM:<@relay.example:a@example.com>"], expected: ["250", "250 2.1.0"]),
        .init(name: "quoted local part", lines: [ehlo, #"MAIL FROM:<"john doe>"@example.com>"#], expected: ["250", "250 2.1.0"]),
        .init(name: "UTF-8 address", lines: [ehlo, "MAIL FROM:<jörg@bücher.example> SMTPUTF8"], expected: ["250", "250 2.1.0"]),
        .init(name: "sender without domain", lines: [ehlo, "MAIL FROM:<customer>"], expected: ["250", "501 5.1.7"]),
        .init(name: "unclosed path", lines: [ehlo, "MAIL FROM:<a@example.com"], expected: ["250", "501 5.1.7"]),
        .init(name: "MAIL without FROM:", lines: [ehlo, "MAIL <a@example.com>"], expected: ["250", "501 5.5.4"]),
        .init(name: "MAIL FRM", lines: [ehlo, "MAIL FRM:<a@example.com>"], expected: ["250", "501 5.5.4"]),
        .init(name: "nested MAIL", lines: [ehlo, mail, mail], expected: ["250", "250 2.1.0", "503 5.5.1"]),
        .init(name: "SIZE within the limit", lines: [ehlo, mail + " SIZE=1000"], expected: ["250", "250 2.1.0"]),
        .init(name: "SIZE over the limit", lines: [ehlo, mail + " SIZE=26214401"], expected: ["250", "552 5.3.4"]),
        .init(name: "SIZE overflowing Int", lines: [ehlo, mail + " SIZE=99999999999999999999"], expected: ["250", "552 5.3.4"]),
        .init(name: "SIZE not a number", lines: [ehlo, mail + " SIZE=big"], expected: ["250", "501 5.5.4"]),
        .init(name: "BODY=8BITMIME", lines: [ehlo, mail + " BODY=8BITMIME"], expected: ["250", "250 2.1.0"]),
        .init(name: "BODY=7BIT", lines: [ehlo, mail + " BODY=7bit"], expected: ["250", "250 2.1.0"]),
        .init(name: "BODY=BINARYMIME", lines: [ehlo, mail + " BODY=BINARYMIME"], expected: ["250", "555 5.5.4"]),
        .init(name: "SMTPUTF8 with a value", lines: [ehlo, mail + " SMTPUTF8=yes"], expected: ["250", "555 5.5.4"]),
        .init(name: "unknown MAIL parameter", lines: [ehlo, mail + " RET=HDRS"], expected: ["250", "555 5.5.4"]),
        .init(name: "malformed parameter", lines: [ehlo, mail + " =x"], expected: ["250", "501 5.5.4"]),
        .init(name: "parameter glued to path", lines: [ehlo, mail + "SIZE=10"], expected: ["250", "501 5.5.4"]),
        // RCPT
        .init(name: "RCPT before MAIL", lines: [ehlo, rcpt], expected: ["250", "503 5.5.1"]),
        .init(name: "RCPT", lines: [ehlo, mail, rcpt], expected: ["250", "250 2.1.0", "250 2.1.5"]),
        .init(name: "RCPT postmaster", lines: [ehlo, mail, "RCPT TO:<Postmaster>"], expected: ["250", "250 2.1.0", "250 2.1.5"]),
        .init(name: "RCPT refused by the handler", lines: [ehlo, mail, "RCPT TO:<victim@elsewhere.example>"], expected: ["250", "250 2.1.0", "550 5.1.1"]),
        .init(name: "RCPT null path", lines: [ehlo, mail, "RCPT TO:<>"], expected: ["250", "250 2.1.0", "501 5.1.3"]),
        .init(name: "RCPT parameter", lines: [ehlo, mail, rcpt + " NOTIFY=NEVER"], expected: ["250", "250 2.1.0", "555 5.5.4"]),
        // DATA
        .init(name: "DATA before MAIL", lines: [ehlo, "DATA"], expected: ["250", "503 5.5.1"]),
        .init(name: "DATA without recipients", lines: [ehlo, mail, "DATA"], expected: ["250", "250 2.1.0", "554 5.5.1"]),
        .init(name: "DATA when every recipient was refused", lines: [ehlo, mail, "RCPT TO:<x@elsewhere.example>", "DATA"], expected: ["250", "250 2.1.0", "550 5.1.1", "554 5.5.1"]),
        .init(name: "DATA with an argument", lines: [ehlo, mail, rcpt, "DATA now"], expected: ["250", "250 2.1.0", "250 2.1.5", "501 5.5.4"]),
        .init(name: "DATA", lines: [ehlo, mail, rcpt, "DATA"], expected: ["250", "250 2.1.0", "250 2.1.5", "354"]),
        // Others
        .init(name: "RSET ends the transaction", lines: [ehlo, mail, "RSET", rcpt], expected: ["250", "250 2.1.0", "250 2.0.0", "503 5.5.1"]),
        .init(name: "EHLO ends the transaction", lines: [ehlo, mail, ehlo, rcpt], expected: ["250", "250 2.1.0", "250", "503 5.5.1"]),
        .init(name: "NOOP", lines: ["NOOP", "NOOP anything"], expected: ["250 2.0.0", "250 2.0.0"]),
        .init(name: "VRFY", lines: ["VRFY help"], expected: ["252 2.5.2"]),
        .init(name: "VRFY without argument", lines: ["VRFY"], expected: ["501 5.5.4"]),
        .init(name: "EXPN", lines: ["EXPN staff"], expected: ["502 5.5.1"]),
        .init(name: "HELP", lines: ["HELP", "HELP MAIL"], expected: ["214 2.0.0", "214 2.0.0"]),
        .init(name: "QUIT", lines: ["QUIT"], expected: ["221 2.0.0"]),
        .init(name: "unknown command", lines: ["BDAT 100 LAST"], expected: ["500 5.5.2"]),
        .init(name: "verb glued to argument", lines: ["MAILFROM:<a@example.com>"], expected: ["500 5.5.2"]),
        .init(name: "empty line", lines: [""], expected: ["500 5.5.2"]),
        .init(name: "NUL in a command", lines: ["NOOP \u{0}"], expected: ["500 5.5.2"]),
        .init(name: "bare CR in a command", lines: ["NOOP a\rb"], expected: ["500 5.5.2"]),
        // STARTTLS
        .init(name: "STARTTLS not configured", lines: [ehlo, "STARTTLS"], expected: ["250", "502 5.5.1"]),
        .init(name: "STARTTLS before EHLO", startTLSAvailable: true, lines: ["STARTTLS"], expected: ["503 5.5.1"]),
        .init(name: "STARTTLS with an argument", startTLSAvailable: true, lines: [ehlo, "STARTTLS now"], expected: ["250", "501 5.5.4"]),
        .init(name: "STARTTLS inside a transaction", startTLSAvailable: true, lines: [ehlo, mail, "STARTTLS"], expected: ["250", "250 2.1.0", "503 5.5.1"]),
        .init(name: "STARTTLS", startTLSAvailable: true, lines: [ehlo, "STARTTLS"], expected: ["250", "220 2.0.0"]),
        .init(name: "STARTTLS forgets EHLO", startTLSAvailable: true, lines: [ehlo, "STARTTLS", mail], expected: ["250", "220 2.0.0", "503 5.5.1"]),
        .init(name: "STARTTLS twice", startTLSAvailable: true, lines: [ehlo, "STARTTLS", ehlo, "STARTTLS"], expected: ["250", "220 2.0.0", "250", "503 5.5.1"]),
        // Pipelining (RFC 2920): a batch is answered in order, one reply per command.
        .init(
            name: "pipelined transaction",
            lines: [ehlo, mail, rcpt, "RCPT TO:<x@elsewhere.example>", "RCPT TO:<second@desk.test>", "DATA"],
            expected: ["250", "250 2.1.0", "250 2.1.5", "550 5.1.1", "250 2.1.5", "354"]
        ),
    ]

    @Test(arguments: commandCases)
    func commands(_ testCase: SMTPServerSessionCase) {
        var driver = SMTPServerSessionDriver(
            SMTPServerConfiguration(mode: testCase.mode),
            startTLSAvailable: testCase.startTLSAvailable
        )

        for line in testCase.lines {
            driver.send(line)
        }

        #expect(driver.codes == testCase.expected)
    }

    @Test func greetingNamesHostAndProtocol() {
        let smtp = SMTPServerSessionDriver(SMTPServerConfiguration(hostname: "mx.desk.test"))
        let lmtp = SMTPServerSessionDriver(SMTPServerConfiguration(mode: .lmtp, hostname: "mx.desk.test"))

        #expect(smtp.replies.first?.description == "220 mx.desk.test ESMTP Fairdesk\r\n")
        #expect(lmtp.replies.first?.description == "220 mx.desk.test LMTP Fairdesk\r\n")
    }

    @Test func ehloAdvertisesExtensions() {
        var plain = SMTPServerSessionDriver(SMTPServerConfiguration(hostname: "mx.desk.test", maxMessageBytes: 1000))
        var withTLS = SMTPServerSessionDriver(startTLSAvailable: true)

        plain.send(Self.ehlo)
        withTLS.send(Self.ehlo)
        withTLS.send("STARTTLS")
        withTLS.send(Self.ehlo)

        #expect(
            plain.replies.last?.description
                == "250-mx.desk.test\r\n250-SIZE 1000\r\n250-8BITMIME\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250 SMTPUTF8\r\n"
        )
        #expect(withTLS.replies[1].lines.last == "STARTTLS")
        #expect(withTLS.startedTLS)
        #expect(withTLS.replies.last?.lines.contains("STARTTLS") == false)
    }

    @Test func quitAndCloseEndTheSession() {
        var driver = SMTPServerSessionDriver()

        driver.send("QUIT")
        driver.send("NOOP")

        #expect(driver.closed)
        #expect(driver.codes == ["221 2.0.0"])
    }

    @Test func deliversWithEnvelope() {
        var driver = SMTPServerSessionDriver()

        for line in [Self.ehlo, Self.mail + " BODY=8BITMIME SMTPUTF8", Self.rcpt, "RCPT TO:<other@desk.test>", "DATA"] {
            driver.send(line)
        }
        driver.feedData("Subject: Grüße\r\n\r\nHallo\r\n.\r\n")

        #expect(driver.codes == ["250", "250 2.1.0", "250 2.1.5", "250 2.1.5", "354", "250 2.0.0"])
        #expect(driver.replies.last?.lines == ["OK: queued as T1"])
        #expect(driver.framingEvents == ["data", "command"])
        #expect(driver.deliveries.count == 1)
        #expect(driver.deliveries.first?.message == Array("Subject: Grüße\r\n\r\nHallo\r\n".utf8))
        #expect(
            driver.deliveries.first?.envelope
                == SMTPEnvelope(
                    heloName: "client.example",
                    mailFrom: "customer@example.com",
                    recipients: ["help@desk.test", "other@desk.test"],
                    remoteAddress: "192.0.2.7",
                    tlsActive: false,
                    declaredBody: "8BITMIME"
                )
        )
    }

    @Test func transactionEndsAfterDelivery() {
        var driver = SMTPServerSessionDriver()
        for line in [Self.ehlo, Self.mail, Self.rcpt, "DATA"] {
            driver.send(line)
        }
        driver.feedData("x\r\n.\r\n")

        driver.send(Self.rcpt)
        driver.send(Self.mail)

        #expect(driver.codes.suffix(2) == ["503 5.5.1", "250 2.1.0"])
    }

    @Test(arguments: [
        (SMTPDeliveryResult.accepted(id: "A7"), "250 2.0.0"),
        (.temporaryFailure("disk full"), "451 4.3.0"),
        (.permanentFailure("mailbox disabled"), "554 5.3.0"),
    ])
    func deliveryResultBecomesTheReply(_ result: SMTPDeliveryResult, _ expected: String) {
        var driver = SMTPServerSessionDriver()
        driver.deliveryResult = result
        for line in [Self.ehlo, Self.mail, Self.rcpt, "DATA"] {
            driver.send(line)
        }

        driver.feedData("x\r\n.\r\n")

        #expect(driver.codes.last == expected)
    }

    @Test(arguments: [
        (SMTPDeliveryResult.accepted(id: "A7"), "250 2.0.0"),
        (.temporaryFailure("disk full"), "451 4.3.0"),
        (.permanentFailure("mailbox disabled"), "554 5.3.0"),
    ])
    func lmtpRepliesOncePerAcceptedRecipient(_ result: SMTPDeliveryResult, _ expected: String) {
        var driver = SMTPServerSessionDriver(SMTPServerConfiguration(mode: .lmtp))
        driver.deliveryResult = result
        for line in ["LHLO client.example", Self.mail, "RCPT TO:<a@desk.test>", "RCPT TO:<nobody@elsewhere.example>", "RCPT TO:<b@desk.test>", "DATA"] {
            driver.send(line)
        }

        driver.feedData("x\r\n.\r\n")

        #expect(driver.codes.suffix(2) == [expected, expected])
        #expect(driver.replies.suffix(2).map { $0.lines[0].hasPrefix("<a@desk.test> ") } == [true, false])
        #expect(driver.replies.last?.lines[0].hasPrefix("<b@desk.test> ") == true)
        #expect(driver.deliveries.first?.envelope.recipients == ["a@desk.test", "b@desk.test"])
    }

    // RFC 5321 §4.5.2: a leading dot is removed from every line but the terminator. Lines are
    // otherwise delivered as received, bare LF included; only CRLF "." CRLF ends the message.
    @Test(arguments: [
        ("plain\r\n.\r\n", "plain\r\n"),
        ("..leading dot\r\n.\r\n", ".leading dot\r\n"),
        ("...\r\n.\r\n", "..\r\n"),
        ("..\r\n.\r\n", ".\r\n"),
        ("a\r\n\r\n.\r\n", "a\r\n\r\n"),
        (".\r\n", ""),
        ("bare\nlf\n.\r\n", "bare\nlf\n.\r\n"),  // not ended: "." after a bare LF is content
        ("x\r\n.\nmore\r\n.\r\n", "x\r\n.\nmore\r\n"),  // ".\n" is content, not the end
        ("x\n..y\r\n.\r\n", "x\n.y\r\n"),
        ("no dot. here.\r\n.\r\n", "no dot. here.\r\n"),
    ])
    func dotUnstuffing(_ data: String, _ delivered: String) {
        var driver = SMTPServerSessionDriver()
        for line in [Self.ehlo, Self.mail, Self.rcpt, "DATA"] {
            driver.send(line)
        }

        driver.feedData(data)

        if data.hasPrefix("bare") {
            #expect(driver.deliveries.isEmpty, "the message has not ended yet")
            driver.feedData("\r\n.\r\n")
            #expect(driver.deliveries.first?.message == Array((delivered + "\r\n").utf8))
        } else {
            #expect(driver.deliveries.first?.message == Array(delivered.utf8))
        }
    }

    @Test func dataLineInPiecesIsDeliveredWhole() {
        var driver = SMTPServerSessionDriver()
        for line in [Self.ehlo, Self.mail, Self.rcpt, "DATA"] {
            driver.send(line)
        }

        // A line longer than the framer's limit arrives in pieces; a piece starting with "." is
        // not at the start of a line and keeps its dot.
        driver.feed(Array("..first piece ".utf8), endsLine: false)
        driver.feed(Array(".second piece ".utf8), endsLine: false)
        driver.feed(Array("end\r\n".utf8))
        driver.feedData(".\r\n")

        #expect(driver.deliveries.first?.message == Array(".first piece .second piece end\r\n".utf8))
    }

    @Test func oversizedMessageIsRefusedAfterTheDotAndTheConnectionSurvives() {
        var driver = SMTPServerSessionDriver(SMTPServerConfiguration(maxMessageBytes: 10))
        for line in [Self.ehlo, Self.mail, Self.rcpt, "DATA"] {
            driver.send(line)
        }

        driver.feedData("0123456789\r\nmore\r\n.\r\n")
        driver.send(Self.mail)

        #expect(driver.deliveries.isEmpty)
        #expect(driver.codes.suffix(2) == ["552 5.3.4", "250 2.1.0"])
        #expect(driver.framingEvents == ["data", "command"])
        #expect(!driver.closed)
    }

    @Test func messageOfExactlyTheLimitIsAccepted() {
        var driver = SMTPServerSessionDriver(SMTPServerConfiguration(maxMessageBytes: 10))
        for line in [Self.ehlo, Self.mail + " SIZE=10", Self.rcpt, "DATA"] {
            driver.send(line)
        }

        driver.feedData("..2345678\r\n.\r\n")  // 10 octets once unstuffed

        #expect(driver.codes.last == "250 2.0.0")
    }

    @Test func lmtpOversizedMessageIsRefusedPerRecipient() {
        var driver = SMTPServerSessionDriver(SMTPServerConfiguration(mode: .lmtp, maxMessageBytes: 4))
        for line in ["LHLO client.example", Self.mail, "RCPT TO:<a@desk.test>", "RCPT TO:<b@desk.test>", "DATA"] {
            driver.send(line)
        }

        driver.feedData("too long\r\n.\r\n")

        #expect(driver.codes.suffix(2) == ["552 5.3.4", "552 5.3.4"])
    }

    @Test func sizeIsRefusedBeforeAnyData() {
        var driver = SMTPServerSessionDriver(SMTPServerConfiguration(maxMessageBytes: 100))

        driver.send(Self.ehlo)
        driver.send(Self.mail + " SIZE=101")
        driver.send("DATA")

        #expect(driver.codes == ["250", "552 5.3.4", "503 5.5.1"])
        #expect(driver.framingEvents.isEmpty)
    }

    @Test func tooManyRecipientsIs452AndNotAnError() {
        var driver = SMTPServerSessionDriver(SMTPServerConfiguration(maxRecipients: 2, maxErrorsPerConnection: 1))
        driver.send(Self.ehlo)
        driver.send(Self.mail)

        for index in 1...5 {
            driver.send("RCPT TO:<r\(index)@desk.test>")
        }
        driver.send("DATA")

        #expect(driver.codes == ["250", "250 2.1.0", "250 2.1.5", "250 2.1.5", "452 4.5.3", "452 4.5.3", "452 4.5.3", "354"])
        #expect(!driver.closed)
    }

    @Test func tooManyErrorsCloses() {
        var driver = SMTPServerSessionDriver(SMTPServerConfiguration(maxErrorsPerConnection: 3))

        for _ in 1...5 {
            driver.send("WHAT")
        }

        #expect(driver.codes == ["500 5.5.2", "500 5.5.2", "500 5.5.2", "421 4.7.0"])
        #expect(driver.closed)
    }

    @Test func overlongCommandLineIsRefusedOnce() {
        var driver = SMTPServerSessionDriver(SMTPServerConfiguration(maxCommandLineBytes: 100))

        driver.feed(Array(repeating: UInt8(ascii: "A"), count: 100), endsLine: false)
        driver.feed(Array("AAAA\r\n".utf8))
        driver.send("NOOP")
        driver.send("NOOP " + String(repeating: "x", count: 100))

        #expect(driver.codes == ["500 5.5.6", "250 2.0.0", "500 5.5.6"])
    }

    @Test func commandLineThatNeverEndsCloses() {
        var driver = SMTPServerSessionDriver(SMTPServerConfiguration(maxCommandLineBytes: 100))

        for _ in 1...3 {
            driver.feed(Array(repeating: UInt8(ascii: "A"), count: 100), endsLine: false)
        }

        #expect(driver.codes == ["421 4.5.0"])
        #expect(driver.closed)
    }

    @Test func replyTextCannotInjectLines() {
        let reply = SMTPServerReply(451, "4.3.0", "bad\r\n250 2.0.0 forged")

        #expect(reply.description == "451 4.3.0 bad  250 2.0.0 forged\r\n")
    }

    @Test func multiLineReplyEncoding() {
        let reply = SMTPServerReply(214, "2.0.0", ["first", "second"])

        #expect(reply.description == "214-2.0.0 first\r\n214 2.0.0 second\r\n")
    }

    @Test func envelopeAfterSTARTTLSIsMarkedAndUsesTheNewEHLO() {
        var driver = SMTPServerSessionDriver(startTLSAvailable: true)
        for line in [Self.ehlo, "STARTTLS", "EHLO after.tls", Self.mail, Self.rcpt, "DATA"] {
            driver.send(line)
        }

        driver.feedData("x\r\n.\r\n")

        #expect(driver.deliveries.first?.envelope.tlsActive == true)
        #expect(driver.deliveries.first?.envelope.heloName == "after.tls")
    }
}

@Suite("SMTPServer command parser")
struct SMTPServerCommandParserTests {
    @Test(arguments: [
        ("EHLO mx.example", SMTPServerCommand.ehlo("mx.example")),
        ("helo mx.example", .helo("mx.example")),
        ("LHLO mx.example extra words", .lhlo("mx.example")),
        ("MAIL FROM:<>", .mail(reversePath: "", parameters: [])),
        ("MAIL FROM:<a@b.example> SIZE=12 BODY=8BITMIME", .mail(reversePath: "a@b.example", parameters: [.init("SIZE", "12"), .init("BODY", "8BITMIME")])),
        ("mail from:<a@b.example>  smtputf8  ", .mail(reversePath: "a@b.example", parameters: [.init("SMTPUTF8")])),
        ("MAIL FROM:<@r1.example,@r2.example:a@b.example>", .mail(reversePath: "a@b.example", parameters: [])),
        (#"MAIL FROM:<"a>b"@b.example>"#, .mail(reversePath: #""a>b"@b.example"#, parameters: [])),
        ("MAIL FROM:<user@[192.0.2.1]>", .mail(reversePath: "user@[192.0.2.1]", parameters: [])),
        ("RCPT TO:<help@desk.test>", .rcpt(forwardPath: "help@desk.test", parameters: [])),
        ("RCPT TO:<postmaster>", .rcpt(forwardPath: "postmaster", parameters: [])),
        ("RCPT TO:<支持@例子.测试>", .rcpt(forwardPath: "支持@例子.测试", parameters: [])),
        ("DATA", .data),
        ("RSET", .rset),
        ("QUIT", .quit),
        ("NOOP", .noop),
        ("STARTTLS", .startTLS),
        ("HELP", .help),
        ("VRFY someone", .vrfy("someone")),
        ("EXPN list", .expn("list")),
    ])
    func parses(_ line: String, _ command: SMTPServerCommand) throws {
        #expect(try SMTPServerCommandParser.parse(Array(line.utf8)) == command)
    }

    @Test(arguments: [
        ("", SMTPServerCommandError.unrecognized),
        ("TURN", .unrecognized),
        ("MAIL", .syntax(usage: "MAIL FROM:<address>")),
        ("MAIL TO:<a@b.example>", .syntax(usage: "MAIL FROM:<address>")),
        ("MAIL FROM:<a@b.example> SIZE==1", .syntax(usage: "MAIL FROM:<address>")),
        ("MAIL FROM:<a@b.example> -X", .syntax(usage: "MAIL FROM:<address>")),
        ("MAIL FROM:<a@>", .badSenderAddress),
        ("MAIL FROM:<@b.example>", .badSenderAddress),
        ("MAIL FROM:<a b@b.example>", .badSenderAddress),
        ("MAIL FROM:<a@b example>", .badSenderAddress),
        ("RCPT TO:<>", .badRecipientAddress),
        ("RCPT TO:<a@[1.2.3.4>", .badRecipientAddress),
        ("RCPT TO:", .badRecipientAddress),
        ("RCPT FROM:<a@b.example>", .syntax(usage: "RCPT TO:<address>")),
        ("STARTTLS please", .syntax(usage: "STARTTLS")),
        ("EHLO", .syntax(usage: "EHLO hostname")),
    ])
    func refuses(_ line: String, _ error: SMTPServerCommandError) {
        #expect(throws: error) {
            try SMTPServerCommandParser.parse(Array(line.utf8))
        }
    }

    @Test func refusesInvalidUTF8InAnAddress() {
        var line = Array("MAIL FROM:<".utf8)
        line += [0xC3, 0x28]
        line += Array("@b.example>".utf8)

        #expect(throws: SMTPServerCommandError.badSenderAddress) {
            try SMTPServerCommandParser.parse(line)
        }
    }
}

/// A small, deterministic fuzz run: random mixes of valid commands, mangled commands and junk
/// must never trap the session, and every reply must stay well-formed on the wire.
@Suite("SMTPServer session fuzzing")
struct SMTPServerSessionFuzzTests {
    /// SplitMix64, so a failure can be replayed from its seed.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            self.state &+= 0x9E37_79B9_7F4A_7C15
            var z = self.state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let fragments = [
        "EHLO x", "HELO x", "LHLO x", "MAIL FROM:<a@b.example>", "MAIL FROM:<>", "RCPT TO:<h@desk.test>",
        "RCPT TO:<x@else.example>", "DATA", ".", "..", "RSET", "NOOP", "QUIT", "STARTTLS", "VRFY a", "HELP",
        "MAIL FROM:<a@b.example> SIZE=", "BODY=8BITMIME", " ", "<", ">", "@", "\"", "\u{0}", "\r", "ü", "=",
    ]

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func randomInputKeepsRepliesWellFormed(seed: UInt64) {
        var random = SeededGenerator(state: seed)
        for mode in [SMTPServerMode.smtp, .lmtp] {
            var driver = SMTPServerSessionDriver(
                SMTPServerConfiguration(mode: mode, maxMessageBytes: 200, maxRecipients: 3, maxErrorsPerConnection: 1_000),
                startTLSAvailable: true
            )
            for _ in 0..<2_000 where !driver.closed {
                var line: [UInt8] = []
                for _ in 0..<Int.random(in: 1...3, using: &random) {
                    if Bool.random(using: &random) {
                        line += Array(Self.fragments.randomElement(using: &random)!.utf8)
                    } else {
                        line.append(UInt8.random(in: 0...255, using: &random))
                    }
                }
                let ending: [UInt8] = [[0x0D, 0x0A], [0x0A], []].randomElement(using: &random)!
                driver.feed(line + (ending.isEmpty ? [0x0D, 0x0A] : ending), endsLine: true)
            }

            for reply in driver.replies {
                let wire = String(decoding: reply.encoded, as: UTF8.self)
                let lines = wire.split(separator: "\r\n", omittingEmptySubsequences: false).dropLast()
                #expect((200...599).contains(reply.code))
                #expect(wire.hasSuffix("\r\n"))
                #expect(lines.allSatisfy { $0.hasPrefix("\(reply.code)") && !$0.contains("\r") && !$0.contains("\n") })
            }
        }
    }
}
