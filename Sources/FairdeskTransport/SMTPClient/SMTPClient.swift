import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// A recipient the server (or the client's own address check) refused while others
/// were accepted.
public struct SMTPClientRecipientRejection: Sendable, Hashable, CustomStringConvertible {
    public var address: String
    public var code: Int
    public var enhanced: String?
    public var text: String

    /// 5xx: do not retry this recipient. 4xx: it may work later.
    public var isPermanent: Bool { (500..<600).contains(self.code) }

    public var description: String {
        [String(self.code), self.enhanced, self.text].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
    }

    public init(address: String, code: Int, enhanced: String?, text: String) {
        self.address = address
        self.code = code
        self.enhanced = enhanced
        self.text = text
    }
}

/// What the server accepted.
public struct SMTPClientReceipt: Sendable {
    public var acceptedRecipients: [String]
    public var rejectedRecipients: [SMTPClientRecipientRejection]
    /// The server's reply to the end of DATA, e.g. "250 2.0.0 Ok: queued as 4Z3k".
    public var finalReply: String
}

/// Submits messages to one relay. Each `send` is one SMTP transaction on a fresh
/// connection: no pooling, so nothing is shared between sends.
public struct SMTPClient: Sendable {
    public let configuration: SMTPClientConfiguration
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger

    public init(
        configuration: SMTPClientConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
    }

    /// Sends `message` (RFC 5322 bytes) from `from` (may be "" for the null reverse-path
    /// of bounces and auto-replies) to `recipients`.
    ///
    /// Succeeds when at least one recipient was accepted and the server accepted the
    /// data; the receipt lists the recipients it refused. Throws `SMTPClientError`.
    public func send(from: String, to recipients: [String], message: [UInt8]) async throws -> SMTPClientReceipt {
        var logger = self.logger
        logger[metadataKey: "smtp.relay"] = "\(self.configuration.host):\(self.configuration.port)"

        let envelope = try SMTPClientEnvelope(from: from, recipients: recipients)
        guard Self.isValidHeloName(self.configuration.heloName) else {
            throw SMTPClientError.connectionFailed(
                "the configured HELO name \"\(self.configuration.heloName)\" is empty or contains spaces or control characters"
            )
        }
        let sslContext: NIOSSLContext?
        do {
            sslContext = self.configuration.security == .none ? nil : try NIOSSLContext(configuration: self.configuration.tlsConfiguration)
        } catch {
            throw SMTPClientError.connectionFailed("the TLS configuration is unusable: \(error)")
        }

        logger.debug(
            "sending message",
            metadata: ["smtp.recipients": "\(recipients.count)", "smtp.bytes": "\(message.count)"]
        )
        let configuration = self.configuration
        let receipt = try await SMTPClientConnection.withConnection(
            configuration: configuration,
            sslContext: sslContext,
            eventLoopGroup: self.eventLoopGroup,
            logger: logger
        ) { connection in
            let session = SMTPClientSession(
                connection: connection,
                configuration: configuration,
                sslContext: sslContext,
                logger: logger
            )
            return try await session.run(envelope: envelope, message: message)
        }
        logger.info(
            "message accepted",
            metadata: [
                "smtp.accepted": "\(receipt.acceptedRecipients.count)",
                "smtp.rejected": "\(receipt.rejectedRecipients.count)",
                "smtp.reply": "\(receipt.finalReply)",
            ]
        )
        return receipt
    }

    /// RFC 5321 §4.1.1.1: a domain or address literal; we only refuse what would break
    /// the command line.
    static func isValidHeloName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F }
    }
}

/// The envelope after the checks that need no server.
struct SMTPClientEnvelope {
    var from: String
    var recipients: [String]
    /// Refused before connecting: their address would break the command line.
    var locallyRejected: [SMTPClientRecipientRejection]

    init(from: String, recipients: [String]) throws {
        guard Self.isSafeInCommand(from) else {
            throw SMTPClientError.rejected(
                code: 501,
                enhanced: "5.1.7",
                text: "the sender address contains control characters or angle brackets (checked before sending)",
                permanent: true
            )
        }
        guard !recipients.isEmpty else {
            throw SMTPClientError.rejected(code: 554, enhanced: "5.5.1", text: "no recipients given (checked before sending)", permanent: true)
        }
        self.from = from
        self.recipients = recipients.filter(Self.isSafeInCommand)
        self.locallyRejected = recipients.filter { !Self.isSafeInCommand($0) }.map {
            SMTPClientRecipientRejection(
                address: $0,
                code: 501,
                enhanced: "5.1.3",
                text: "address contains control characters or angle brackets (checked before sending)"
            )
        }
        guard !self.recipients.isEmpty else {
            throw SMTPClientError.rejected(code: 501, enhanced: "5.1.3", text: "no recipient address is usable (checked before sending)", permanent: true)
        }
    }

    /// RFC 5321 §4.1.2 Path = "<" Mailbox ">". A CR, LF or ">" in an address would let
    /// it end the command early and inject another one, so such addresses never reach
    /// the wire. Anything else (quoted local parts, odd domains) is the server's call.
    static func isSafeInCommand(_ address: String) -> Bool {
        address.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F && $0 != "<" && $0 != ">" }
    }

    static func needsSMTPUTF8(_ address: String) -> Bool {
        address.utf8.contains { $0 >= 0x80 }
    }
}

/// The dialogue of one transaction, RFC 5321 §3: greeting, EHLO, STARTTLS, AUTH, MAIL,
/// RCPT, DATA, QUIT.
struct SMTPClientSession {
    let connection: SMTPClientConnection
    let configuration: SMTPClientConfiguration
    let sslContext: NIOSSLContext?
    let logger: Logger

    private var timeout: TimeAmount { self.configuration.commandTimeout }

    func run(envelope: SMTPClientEnvelope, message: [UInt8]) async throws -> SMTPClientReceipt {
        do {
            let greeting = try await self.connection.readReply(to: "the connection (greeting)", timeout: self.timeout)
            guard greeting.isPositiveCompletion else {
                throw greeting.rejection()
            }
            var capabilities = try await self.hello()
            capabilities = try await self.secure(capabilities)
            try await self.authenticate(capabilities)
            let receipt = try await self.transaction(envelope: envelope, message: message, capabilities: capabilities)
            await self.connection.quit(timeout: min(self.timeout, self.configuration.limits.quitTimeout))
            return receipt
        } catch let error as SMTPClientError {
            switch error {
            case .rejected, .authenticationFailed, .tlsUnavailable:
                // The server is still listening: end the session properly.
                await self.connection.quit(timeout: min(self.timeout, self.configuration.limits.quitTimeout))
            case .invalidURL, .connectionFailed, .timeout:
                break
            }
            throw error
        }
    }

    /// RFC 5321 §4.1.4: EHLO, falling back to HELO when the server does not know EHLO.
    private func hello() async throws -> SMTPClientCapabilities {
        let ehlo = try await self.connection.command("EHLO \(self.configuration.heloName)", timeout: self.timeout)
        if ehlo.isPositiveCompletion {
            return SMTPClientCapabilities(ehloReply: ehlo)
        }
        guard ehlo.code == 500 || ehlo.code == 502 else {
            throw ehlo.rejection()
        }
        let helo = try await self.connection.command("HELO \(self.configuration.heloName)", timeout: self.timeout)
        guard helo.isPositiveCompletion else {
            throw helo.rejection()
        }
        return SMTPClientCapabilities()
    }

    /// RFC 3207. Returns the capabilities to use from here on: after TLS starts, the
    /// ones from before are forgotten and EHLO is sent again (§4.2).
    private func secure(_ capabilities: SMTPClientCapabilities) async throws -> SMTPClientCapabilities {
        let required: Bool
        switch self.configuration.security {
        case .none, .implicitTLS:
            return capabilities
        case .startTLS:
            required = true
        case .startTLSIfAvailable:
            required = false
        }
        guard capabilities.supportsSTARTTLS, let sslContext else {
            if required {
                throw SMTPClientError.tlsUnavailable
            }
            self.logger.notice("the relay does not offer STARTTLS; continuing without TLS")
            return capabilities
        }

        try await self.connection.prepareForSTARTTLS()
        let reply = try await self.connection.command("STARTTLS", timeout: self.timeout)
        guard reply.code == 220 else {
            // Opportunistic TLS: a refusal (typically 454 "TLS not available due to
            // temporary reason") means plain text, as if STARTTLS had not been offered.
            guard !required, reply.code >= 400 else {
                throw reply.rejection()
            }
            self.logger.notice("the relay refused STARTTLS; continuing without TLS", metadata: ["smtp.reply": "\(reply)"])
            return capabilities
        }
        try await self.connection.startTLS(
            context: sslContext,
            serverHostname: SMTPClientConnection.serverNameIndication(for: self.configuration.host)
        )
        return try await self.hello()
    }

    /// RFC 4954. PLAIN (RFC 4616) when offered, LOGIN otherwise.
    private func authenticate(_ capabilities: SMTPClientCapabilities) async throws {
        guard let username = self.configuration.username else {
            return
        }
        let password = self.configuration.password ?? ""
        guard self.connection.isTLS || self.connection.isLoopbackPeer else {
            throw SMTPClientError.authenticationFailed(
                code: 0,
                text: "refusing to send the password unencrypted to \(self.configuration.host); "
                    + "use smtps://, or smtp:// with ?tls=required, or a relay on this machine"
            )
        }

        if capabilities.authMechanisms.contains("PLAIN") {
            // authzid (empty) NUL authcid NUL passwd, sent as the initial response.
            let payload = SMTPClientBase64.encode([0] + Array(username.utf8) + [0] + Array(password.utf8))
            var reply = try await self.connection.command("AUTH PLAIN \(payload)", logAs: "AUTH PLAIN <credentials>", timeout: self.timeout)
            if reply.code == 334 {
                // A server that ignores initial responses asks again with an empty challenge.
                reply = try await self.connection.command(payload, logAs: "<credentials>", timeout: self.timeout)
            }
            try self.checkAuthenticated(reply)
        } else if capabilities.authMechanisms.contains("LOGIN") {
            // draft-murchison-sasl-login: the server prompts for user name, then password.
            var reply = try await self.connection.command("AUTH LOGIN", timeout: self.timeout)
            if reply.code == 334 {
                reply = try await self.connection.command(
                    SMTPClientBase64.encode(username.utf8),
                    logAs: "<user name>",
                    timeout: self.timeout
                )
            }
            if reply.code == 334 {
                reply = try await self.connection.command(
                    SMTPClientBase64.encode(password.utf8),
                    logAs: "<password>",
                    timeout: self.timeout
                )
            }
            try self.checkAuthenticated(reply)
        } else if capabilities.authMechanisms.isEmpty {
            throw SMTPClientError.authenticationFailed(
                code: 0,
                text: "credentials are configured but the relay does not offer AUTH"
                    + (self.connection.isTLS ? "" : " (many relays offer it only after STARTTLS)")
            )
        } else {
            throw SMTPClientError.authenticationFailed(
                code: 0,
                text: "the relay offers AUTH \(capabilities.authMechanisms.sorted().joined(separator: " ")), but only PLAIN and LOGIN are supported"
            )
        }
        self.logger.debug("authenticated")
    }

    private func checkAuthenticated(_ reply: SMTPClientReply) throws {
        guard reply.isPositiveCompletion else {
            throw SMTPClientError.authenticationFailed(code: reply.code, text: reply.text)
        }
    }

    /// RFC 5321 §3.3: MAIL, RCPT for each recipient, DATA.
    private func transaction(
        envelope: SMTPClientEnvelope,
        message: [UInt8],
        capabilities: SMTPClientCapabilities
    ) async throws -> SMTPClientReceipt {
        var rejected = envelope.locallyRejected
        var candidates = envelope.recipients

        // RFC 6531: a non-ASCII address needs SMTPUTF8 on both ends.
        let senderNeedsUTF8 = SMTPClientEnvelope.needsSMTPUTF8(envelope.from)
        if !capabilities.supportsSMTPUTF8 {
            if senderNeedsUTF8 {
                throw SMTPClientError.rejected(
                    code: 553,
                    enhanced: "5.6.7",
                    text: "the sender address is not ASCII and the relay does not offer SMTPUTF8",
                    permanent: true
                )
            }
            for address in candidates where SMTPClientEnvelope.needsSMTPUTF8(address) {
                rejected.append(
                    SMTPClientRecipientRejection(
                        address: address,
                        code: 553,
                        enhanced: "5.6.7",
                        text: "address is not ASCII and the relay does not offer SMTPUTF8"
                    )
                )
            }
            candidates.removeAll(where: SMTPClientEnvelope.needsSMTPUTF8)
        }

        let data = SMTPClientDataEncoding.encode(message)
        let size = data.messageSize
        if let limit = capabilities.maxMessageSize, limit > 0, size > limit {
            throw SMTPClientError.rejected(
                code: 552,
                enhanced: "5.3.4",
                text: "the message is \(size) bytes and the relay accepts at most \(limit) (checked before sending)",
                permanent: true
            )
        }

        var mailFrom = "MAIL FROM:<\(envelope.from)>"
        if capabilities.maxMessageSize != nil {
            mailFrom += " SIZE=\(size)"
        }
        if capabilities.supports8BitMIME && SMTPClientDataEncoding.containsEightBitBytes(message) {
            // RFC 6152. Without 8BITMIME the bytes are sent anyway: most servers cope,
            // and re-encoding the MIME body is not this layer's job.
            mailFrom += " BODY=8BITMIME"
        }
        let anyAddressNeedsUTF8 = senderNeedsUTF8 || candidates.contains(where: SMTPClientEnvelope.needsSMTPUTF8)
        if capabilities.supportsSMTPUTF8 && anyAddressNeedsUTF8 {
            mailFrom += " SMTPUTF8"
        }
        let mailReply = try await self.connection.command(mailFrom, timeout: self.timeout)
        guard mailReply.isPositiveCompletion else {
            throw mailReply.rejection()
        }

        var accepted: [String] = []
        for address in candidates {
            let reply = try await self.connection.command("RCPT TO:<\(address)>", timeout: self.timeout)
            if reply.isPositiveCompletion {
                accepted.append(address)
            } else {
                rejected.append(
                    SMTPClientRecipientRejection(address: address, code: reply.code, enhanced: reply.enhancedCode, text: reply.text)
                )
            }
        }
        guard !accepted.isEmpty else {
            // If any refusal was temporary, the whole message may still go later.
            let worst = rejected.first(where: { !$0.isPermanent }) ?? rejected[0]
            throw SMTPClientError.rejected(
                code: worst.code,
                enhanced: worst.enhanced,
                text: "no recipient accepted; \(worst.address): \(worst.text)",
                permanent: worst.isPermanent
            )
        }

        let dataReply = try await self.connection.command("DATA", timeout: self.timeout)
        guard dataReply.code == 354 else {
            throw dataReply.rejection()
        }
        let finalReply = try await self.connection.sendData(data.wire, timeout: self.timeout)
        guard finalReply.isPositiveCompletion else {
            throw finalReply.rejection()
        }
        return SMTPClientReceipt(acceptedRecipients: accepted, rejectedRecipients: rejected, finalReply: finalReply.description)
    }
}
