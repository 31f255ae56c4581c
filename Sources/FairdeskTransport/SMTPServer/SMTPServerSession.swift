/// The protocol logic of one SMTP or LMTP connection, with no I/O: lines go in, actions come out.
///
/// The connection task feeds it every framed line and performs the actions in order. Two actions
/// need the application (`checkRecipient`, `deliver`); while one is outstanding the session
/// takes no input, and the result is handed back with `recipientChecked(_:)` or `deliveryFinished(_:)`.
/// Pipelined commands (RFC 2920) therefore simply wait in the framer until their turn.
struct SMTPServerSession: Sendable {
    enum Action: Sendable, Equatable {
        case send(SMTPServerReply)
        /// Ask the handler; answer with `recipientChecked(_:)`.
        case checkRecipient(String, SMTPEnvelope)
        /// Hand the message to the handler; answer with `deliveryFinished(_:)`.
        case deliver([UInt8], SMTPEnvelope)
        /// Framing: lines up to `maxDataLineBytes` from now on, and the DATA deadline starts.
        case enterDataMode
        /// Framing: back to command lines; the DATA deadline is over.
        case leaveDataMode
        /// Send this reply in the clear, then everything that follows is TLS.
        case startTLS(SMTPServerReply)
        /// Close the connection after the replies before this action are sent.
        case close
    }

    private enum Phase: Sendable, Equatable {
        case command
        case awaitingRecipientDecision(String)
        case data
        case awaitingDelivery
        case closed
    }

    private struct Transaction: Sendable {
        var mailFrom: String
        var declaredBody: String?
        var recipients: [String] = []
    }

    let configuration: SMTPServerConfiguration
    let remoteAddress: String
    let startTLSAvailable: Bool
    private(set) var tlsActive = false

    private var phase = Phase.command
    private var heloName: String?
    private var transaction: Transaction?
    private var errorCount = 0
    /// Set while the rest of an over-long command line is being discarded: the bytes seen so far.
    private var overlongLineBytes: Int?

    // The DATA phase. Kept in plain stored properties rather than an enum payload, so appending
    // to `message` happens in place instead of copying the message on every line.
    private var message: [UInt8] = []
    private var messageBytes = 0
    private var atLineStart = true
    private var previousLineEndedWithCRLF = true

    init(configuration: SMTPServerConfiguration, remoteAddress: String, startTLSAvailable: Bool? = nil) {
        self.configuration = configuration
        self.remoteAddress = remoteAddress
        self.startTLSAvailable = startTLSAvailable ?? (configuration.tls != nil)
    }

    /// Whether the session has finished; the connection closes.
    var isClosed: Bool { self.phase == .closed }

    mutating func start() -> [Action] {
        [.send(.greeting(hostname: self.configuration.hostname, mode: self.configuration.mode))]
    }

    /// One framed line with its line ending as received (`endsLine`), or, when `endsLine` is false,
    /// a piece of a line longer than the framer's current limit.
    mutating func receive(line: some RandomAccessCollection<UInt8>, endsLine: Bool) -> [Action] {
        switch self.phase {
        case .command:
            return self.receiveCommandLine(line, endsLine: endsLine)
        case .data:
            return self.receiveDataLine(line, endsLine: endsLine)
        case .closed:
            return []
        case .awaitingRecipientDecision, .awaitingDelivery:
            assertionFailure("the connection must not read while the delivery handler is working")
            return []
        }
    }

    mutating func recipientChecked(_ decision: SMTPRecipientDecision) -> [Action] {
        guard case .awaitingRecipientDecision(let address) = self.phase else {
            assertionFailure("recipientChecked without checkRecipient")
            return []
        }
        self.phase = .command
        switch decision {
        case .accept:
            self.transaction?.recipients.append(address)
            return [.send(SMTPServerReply(250, "2.1.5", "Recipient OK"))]
        case .reject(let reason):
            return self.reject(SMTPServerReply(550, "5.1.1", "<\(address)>: \(reason)"))
        }
    }

    mutating func deliveryFinished(_ result: SMTPDeliveryResult) -> [Action] {
        guard self.phase == .awaitingDelivery, let transaction = self.transaction else {
            assertionFailure("deliveryFinished without deliver")
            return []
        }
        self.phase = .command
        self.transaction = nil
        return self.endOfDataReplies(for: transaction) { recipient in
            let prefix = recipient.map { "<\($0)> " } ?? ""
            switch result {
            case .accepted(let id):
                return SMTPServerReply(250, "2.0.0", "\(prefix)OK: queued as \(id)")
            case .temporaryFailure(let reason):
                return SMTPServerReply(451, "4.3.0", "\(prefix)\(reason)")
            case .permanentFailure(let reason):
                return SMTPServerReply(554, "5.3.0", "\(prefix)\(reason)")
            }
        }
    }

    // MARK: Commands

    private mutating func receiveCommandLine(_ line: some RandomAccessCollection<UInt8>, endsLine: Bool) -> [Action] {
        let limit = self.configuration.commandLineLimit
        // RFC 5321 §4.5.3.1.4 lets a server refuse over-long lines (500). The framer hands an
        // over-long line over in pieces; they are discarded and the line is answered once it ends.
        // One that never ends is not a client worth waiting for.
        if let discarded = self.overlongLineBytes {
            let total = discarded + line.count
            guard endsLine else {
                if total > 2 * limit {
                    return self.close(with: .lineNeverEnds(hostname: self.configuration.hostname))
                }
                self.overlongLineBytes = total
                return []
            }
            self.overlongLineBytes = nil
            return self.reject(.lineTooLong)
        }
        guard endsLine else {
            self.overlongLineBytes = line.count
            return []
        }
        guard line.count <= limit else {
            return self.reject(.lineTooLong)
        }
        var content = line[...]
        content.removeLast()  // LF
        if content.last == UInt8(ascii: "\r") {
            content.removeLast()
        }
        do {
            return self.handle(try SMTPServerCommandParser.parse(content))
        } catch {
            return self.reject(Self.reply(for: error))
        }
    }

    private mutating func handle(_ command: SMTPServerCommand) -> [Action] {
        let isLMTP = self.configuration.mode == .lmtp
        switch command {
        case .ehlo(let name), .helo(let name):
            guard !isLMTP else {
                return self.reject(SMTPServerReply(500, "5.5.1", "This is an LMTP server: use LHLO"))
            }
            if case .ehlo = command {
                return self.hello(name, extended: true)
            }
            return self.hello(name, extended: false)
        case .lhlo(let name):
            guard isLMTP else {
                return self.reject(SMTPServerReply(500, "5.5.1", "This is an SMTP server: use EHLO"))
            }
            return self.hello(name, extended: true)
        case .mail(let reversePath, let parameters):
            return self.mail(from: reversePath, parameters: parameters)
        case .rcpt(let forwardPath, let parameters):
            return self.rcpt(to: forwardPath, parameters: parameters)
        case .data:
            return self.data()
        case .rset:
            self.transaction = nil
            return [.send(.ok)]
        case .noop:
            return [.send(.ok)]
        case .quit:
            return self.close(with: SMTPServerReply(221, "2.0.0", "\(self.configuration.hostname) closing connection"))
        case .startTLS:
            return self.startTLS()
        case .help:
            return [
                .send(SMTPServerReply(214, "2.0.0", [
                    "Fairdesk accepts mail for its support addresses.",
                    "Commands: \(isLMTP ? "LHLO" : "EHLO HELO") MAIL RCPT DATA RSET NOOP QUIT VRFY HELP"
                        + (self.startTLSAvailable ? " STARTTLS" : ""),
                ]))
            ]
        case .vrfy:
            // RFC 5321 §3.5.3: 252 when the server will not tell, which also denies address harvesting.
            return [.send(SMTPServerReply(252, "2.5.2", "Cannot VRFY user, but will accept message and attempt delivery"))]
        case .expn:
            return self.reject(SMTPServerReply(502, "5.5.1", "EXPN not available"))
        }
    }

    private mutating func hello(_ name: String, extended: Bool) -> [Action] {
        // RFC 5321 §4.1.4: a later EHLO resets the state exactly as RSET would.
        self.heloName = name
        self.transaction = nil
        let hostname = self.configuration.hostname
        guard extended else {
            return [.send(SMTPServerReply(250, nil, hostname))]
        }
        var lines = [
            hostname,
            "SIZE \(self.configuration.maxMessageBytes)",
            "8BITMIME",
            "PIPELINING",
            "ENHANCEDSTATUSCODES",
            "SMTPUTF8",
        ]
        if self.startTLSAvailable && !self.tlsActive {
            lines.append("STARTTLS")
        }
        return [.send(SMTPServerReply(250, nil, lines))]
    }

    private mutating func mail(from reversePath: String, parameters: [SMTPServerParameter]) -> [Action] {
        guard self.heloName != nil else {
            return self.reject(self.helloFirst)
        }
        guard self.transaction == nil else {
            return self.reject(SMTPServerReply(503, "5.5.1", "Nested MAIL command"))
        }
        var declaredBody: String?
        for parameter in parameters {
            switch parameter.keyword {
            case "SIZE":
                // size-param = "SIZE=" size-value ; size-value = 1*20DIGIT   (RFC 1870 §6)
                guard let value = parameter.value, (1...20).contains(value.count), value.allSatisfy(\.isASCIIDigit) else {
                    return self.reject(SMTPServerReply(501, "5.5.4", "Syntax: SIZE=<octets>"))
                }
                // Refused before any data is sent: RFC 1870 §6.2. More than 19 digits overflows Int and is too big anyway.
                if (Int(value) ?? .max) > self.configuration.maxMessageBytes {
                    return [.send(.messageTooBig)]
                }
            case "BODY":
                // body-value = "7BIT" / "8BITMIME"   (RFC 6152 §2); BINARYMIME needs CHUNKING (RFC 3030), not offered.
                let value = parameter.value?.uppercased() ?? ""
                guard value == "7BIT" || value == "8BITMIME" else {
                    return self.reject(SMTPServerReply(555, "5.5.4", "BODY=\(value) not supported"))
                }
                declaredBody = value
            case "SMTPUTF8":
                // RFC 6531 §3.4: the parameter has no value.
                guard parameter.value == nil else {
                    return self.reject(SMTPServerReply(555, "5.5.4", "SMTPUTF8 takes no value"))
                }
            default:
                return self.reject(SMTPServerReply(555, "5.5.4", "Unsupported parameter \(parameter.keyword)"))
            }
        }
        self.transaction = Transaction(mailFrom: reversePath, declaredBody: declaredBody)
        return [.send(SMTPServerReply(250, "2.1.0", "Sender OK"))]
    }

    private mutating func rcpt(to forwardPath: String, parameters: [SMTPServerParameter]) -> [Action] {
        guard let transaction = self.transaction else {
            return self.reject(SMTPServerReply(503, "5.5.1", "Need MAIL before RCPT"))
        }
        if let parameter = parameters.first {
            return self.reject(SMTPServerReply(555, "5.5.4", "Unsupported parameter \(parameter.keyword)"))
        }
        // RFC 5321 §4.5.3.1.10: 452 (not an error of the client, so not counted as one).
        guard transaction.recipients.count < self.configuration.maxRecipients else {
            return [.send(SMTPServerReply(452, "4.5.3", "Too many recipients"))]
        }
        self.phase = .awaitingRecipientDecision(forwardPath)
        return [.checkRecipient(forwardPath, self.envelope(for: transaction))]
    }

    private mutating func data() -> [Action] {
        guard let transaction = self.transaction else {
            return self.reject(SMTPServerReply(503, "5.5.1", "Need MAIL command"))
        }
        // RFC 5321 §3.3: "no valid recipients" when every RCPT was refused.
        guard !transaction.recipients.isEmpty else {
            return self.reject(SMTPServerReply(554, "5.5.1", "No valid recipients"))
        }
        self.phase = .data
        self.message = []
        self.messageBytes = 0
        self.atLineStart = true
        self.previousLineEndedWithCRLF = true
        // Data mode first: the framer must frame the client's data with the data limits, and the
        // client starts sending once it has the 354.
        return [.enterDataMode, .send(SMTPServerReply(354, nil, "End data with <CR><LF>.<CR><LF>"))]
    }

    private mutating func startTLS() -> [Action] {
        guard self.startTLSAvailable else {
            return self.reject(SMTPServerReply(502, "5.5.1", "STARTTLS not available"))
        }
        guard !self.tlsActive else {
            return self.reject(SMTPServerReply(503, "5.5.1", "TLS already active"))
        }
        guard self.heloName != nil else {
            return self.reject(self.helloFirst)
        }
        guard self.transaction == nil else {
            return self.reject(SMTPServerReply(503, "5.5.1", "MAIL transaction in progress"))
        }
        // RFC 3207 §4.2: forget everything learnt in the clear; the client must EHLO again.
        self.tlsActive = true
        self.heloName = nil
        return [.startTLS(SMTPServerReply(220, "2.0.0", "Ready to start TLS"))]
    }

    // MARK: DATA

    // RFC 5321 §4.5.2 and §4.1.1.4: the message ends with a line holding only ".", and a leading
    // "." is removed from any other line starting with one.
    //
    // Lines ending in a bare LF are accepted as content and delivered as they came. They cannot
    // take part in ending the message: only CRLF "." CRLF ends it. A server that also ends it on
    // LF "." LF, or on "." after a bare LF, disagrees with the MTA in front of it about where the
    // message stops, which is what SMTP smuggling (CVE-2023-51764, -51765, -51766) exploits to
    // slip a second, forged message through.
    private mutating func receiveDataLine(_ line: some RandomAccessCollection<UInt8>, endsLine: Bool) -> [Action] {
        let endsWithCRLF = endsLine && line.count >= 2 && line.dropFirst(line.count - 2).elementsEqual([0x0D, 0x0A])
        if self.atLineStart && self.previousLineEndedWithCRLF && endsWithCRLF && line.count == 3
            && line.first == UInt8(ascii: ".")
        {
            return self.finishData()
        }
        let contentLength = endsLine ? line.count - (endsWithCRLF ? 2 : 1) : line.count
        var content = line[...]
        if self.atLineStart && content.first == UInt8(ascii: ".") && contentLength > 1 {
            content.removeFirst()
        }
        self.messageBytes += content.count
        if self.messageBytes <= self.configuration.maxMessageBytes {
            self.message.append(contentsOf: content)
        } else if !self.message.isEmpty {
            // Too big: keep reading to the final "." so the connection stays usable (RFC 1870 §6.3),
            // but stop holding on to the bytes.
            self.message = []
        }
        self.atLineStart = endsLine
        if endsLine {
            self.previousLineEndedWithCRLF = endsWithCRLF
        }
        return []
    }

    private mutating func finishData() -> [Action] {
        guard let transaction = self.transaction else {
            assertionFailure("DATA without a transaction")
            return self.close(with: SMTPServerReply(421, "4.3.0", "Internal error"))
        }
        guard self.messageBytes <= self.configuration.maxMessageBytes else {
            self.phase = .command
            self.transaction = nil
            self.message = []
            return [.leaveDataMode] + self.endOfDataReplies(for: transaction) { _ in .messageTooBig }
        }
        self.phase = .awaitingDelivery
        let message = self.message
        self.message = []  // the action now holds the only reference: no copy on the way to the handler
        return [.leaveDataMode, .deliver(message, self.envelope(for: transaction))]
    }

    /// SMTP answers the final "." once; LMTP once per accepted recipient (RFC 2033 §4.2).
    private func endOfDataReplies(
        for transaction: Transaction,
        _ reply: (_ recipient: String?) -> SMTPServerReply
    ) -> [Action] {
        switch self.configuration.mode {
        case .smtp:
            return [.send(reply(nil))]
        case .lmtp:
            return transaction.recipients.map { .send(reply($0)) }
        }
    }

    // MARK: Helpers

    private func envelope(for transaction: Transaction) -> SMTPEnvelope {
        SMTPEnvelope(
            heloName: self.heloName ?? "",
            mailFrom: transaction.mailFrom,
            recipients: transaction.recipients,
            remoteAddress: self.remoteAddress,
            tlsActive: self.tlsActive,
            declaredBody: transaction.declaredBody
        )
    }

    private var helloFirst: SMTPServerReply {
        SMTPServerReply(503, "5.5.1", "Send \(self.configuration.mode == .lmtp ? "LHLO" : "EHLO") first")
    }

    /// A reply to a client's mistake. Past `maxErrorsPerConnection` the client is not worth talking to.
    private mutating func reject(_ reply: SMTPServerReply) -> [Action] {
        self.errorCount += 1
        if self.errorCount > self.configuration.maxErrorsPerConnection {
            return self.close(with: .tooManyErrors(hostname: self.configuration.hostname))
        }
        return [.send(reply)]
    }

    private mutating func close(with reply: SMTPServerReply) -> [Action] {
        self.phase = .closed
        return [.send(reply), .close]
    }

    private static func reply(for error: SMTPServerCommandError) -> SMTPServerReply {
        switch error {
        case .unrecognized:
            return SMTPServerReply(500, "5.5.2", "Command not recognized")
        case .syntax(let usage):
            return SMTPServerReply(501, "5.5.4", "Syntax: \(usage)")
        case .badSenderAddress:
            return SMTPServerReply(501, "5.1.7", "Bad sender address syntax")
        case .badRecipientAddress:
            return SMTPServerReply(501, "5.1.3", "Bad recipient address syntax")
        }
    }
}

private extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
