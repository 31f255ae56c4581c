import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Testing

@testable import FairdeskTransport

/// The client against a real SMTP server: aiosmtpd, run by `smtp_peer.py`.
@Suite("SMTPClient against aiosmtpd", .serialized)
struct SMTPClientDeliveryTests {
    static let message = Array(
        """
        From: Fairdesk <support@fairdesk.test>\r
        To: Customer <customer@example.test>\r
        Subject: Re: [#42] Printer on fire\r
        MIME-Version: 1.0\r
        Content-Type: text/plain; charset=utf-8\r
        Content-Transfer-Encoding: 8bit\r
        \r
        Hello,\r
        .this line starts with a dot\r
        ..and this one with two\r
        .\r
        a lone dot came before this line; caf\u{00E9} \u{2615}\r

        """.utf8
    )

    private func client(_ configuration: SMTPClientConfiguration, log: SMTPClientRecordingLog = SMTPClientRecordingLog()) -> SMTPClient {
        var configuration = configuration
        configuration.connectTimeout = .seconds(10)
        configuration.commandTimeout = .seconds(10)
        return SMTPClient(configuration: configuration, logger: SMTPClientRecordingLogHandler.logger(recordingInto: log))
    }

    @Test func deliversBytesExactly() async throws {
        let peer = try SMTPClientTestPeer.start()
        defer { peer.stop() }
        let client = self.client(try SMTPClientConfiguration(url: "smtp://127.0.0.1:\(peer.port)"))

        let receipt = try await client.send(from: "support@fairdesk.test", to: ["customer@example.test"], message: Self.message)

        #expect(receipt.acceptedRecipients == ["customer@example.test"])
        #expect(receipt.rejectedRecipients.isEmpty)
        #expect(receipt.finalReply.hasPrefix("250 2.0.0 Ok: queued as"))
        let received = try #require(try peer.messages().only)
        #expect(received.bytes == Self.message, "dot-stuffed lines must arrive restored")
        #expect(received.mailFrom == "support@fairdesk.test")
        #expect(received.recipients == ["customer@example.test"])
        #expect(received.mailOptions.contains("SIZE=\(Self.message.count)"))
        #expect(received.mailOptions.contains("BODY=8BITMIME"))
        #expect(!received.overTLS)
    }

    @Test func normalizesLineEndingsOfSloppyMessages() async throws {
        let peer = try SMTPClientTestPeer.start()
        defer { peer.stop() }
        let client = self.client(SMTPClientConfiguration(host: "127.0.0.1", port: peer.port, security: .none))

        _ = try await client.send(from: "", to: ["customer@example.test"], message: Array("Subject: x\n\n.dot\nlast".utf8))

        let received = try #require(try peer.messages().only)
        #expect(String(decoding: received.bytes, as: UTF8.self) == "Subject: x\r\n\r\n.dot\r\nlast\r\n")
        #expect(received.mailFrom == "<>", "null reverse-path for auto-replies (aiosmtpd's spelling)")
        #expect(!received.mailOptions.contains("BODY=8BITMIME"))
    }

    @Test(arguments: ["127.0.0.1", "localhost"])
    func upgradesWithSTARTTLS(host: String) async throws {
        let certificate = try SMTPClientTestCertificate.shared()
        let peer = try SMTPClientTestPeer.start(.init(certificate: certificate, requireSTARTTLS: true))
        defer { peer.stop() }
        var configuration = try SMTPClientConfiguration(url: "smtp://\(host):\(peer.port)?tls=required")
        configuration.tlsConfiguration = try certificate.trustingClientConfiguration()

        let receipt = try await self.client(configuration).send(from: "support@fairdesk.test", to: ["customer@example.test"], message: Self.message)

        #expect(receipt.acceptedRecipients == ["customer@example.test"])
        let received = try #require(try peer.messages().only)
        #expect(received.overTLS)
        #expect(received.bytes == Self.message)
    }

    @Test func opportunisticSTARTTLSIsUsedWhenOffered() async throws {
        let certificate = try SMTPClientTestCertificate.shared()
        let peer = try SMTPClientTestPeer.start(.init(certificate: certificate))
        defer { peer.stop() }
        var configuration = try SMTPClientConfiguration(url: "smtp://127.0.0.1:\(peer.port)")
        configuration.tlsConfiguration = try certificate.trustingClientConfiguration()

        _ = try await self.client(configuration).send(from: "support@fairdesk.test", to: ["customer@example.test"], message: Self.message)

        #expect(try peer.messages().only?.overTLS == true)
    }

    @Test func refusesUntrustedCertificate() async throws {
        let certificate = try SMTPClientTestCertificate.shared()
        let peer = try SMTPClientTestPeer.start(.init(certificate: certificate, requireSTARTTLS: true))
        defer { peer.stop() }
        // Default trust roots: the self-signed certificate is not trusted.
        let client = self.client(try SMTPClientConfiguration(url: "smtp://127.0.0.1:\(peer.port)?tls=required"))

        await #expect {
            try await client.send(from: "support@fairdesk.test", to: ["customer@example.test"], message: Self.message)
        } throws: { error in
            guard case .connectionFailed(let text) = error as? SMTPClientError else { return false }
            return text.contains("TLS") && !(error as! SMTPClientError).isPermanent
        }
        #expect(try peer.messages().isEmpty)
    }

    @Test func requiredTLSFailsWhenServerDoesNotOfferIt() async throws {
        let peer = try SMTPClientTestPeer.start()
        defer { peer.stop() }
        let client = self.client(try SMTPClientConfiguration(url: "smtp://127.0.0.1:\(peer.port)?tls=required"))

        await #expect(throws: SMTPClientError.self) {
            do {
                _ = try await client.send(from: "support@fairdesk.test", to: ["customer@example.test"], message: Self.message)
            } catch SMTPClientError.tlsUnavailable {
                throw SMTPClientError.tlsUnavailable
            }
        }
        #expect(try peer.messages().isEmpty)
    }

    @Test func deliversOverImplicitTLS() async throws {
        let certificate = try SMTPClientTestCertificate.shared()
        let peer = try SMTPClientTestPeer.start(.init(certificate: certificate, implicitTLS: true))
        defer { peer.stop() }
        var configuration = try SMTPClientConfiguration(url: "smtps://127.0.0.1:\(peer.port)")
        configuration.tlsConfiguration = try certificate.trustingClientConfiguration()

        _ = try await self.client(configuration).send(from: "support@fairdesk.test", to: ["customer@example.test"], message: Self.message)

        let received = try #require(try peer.messages().only)
        #expect(received.overTLS)
        #expect(received.bytes == Self.message)
    }

    @Test(arguments: ["PLAIN", "LOGIN"])
    func authenticates(mechanism: String) async throws {
        let password = "p@ss:w/rd% \u{00E9}"
        let peer = try SMTPClientTestPeer.start(
            .init(authUser: "agent@fairdesk.test", authPassword: password, authMechanisms: [mechanism])
        )
        defer { peer.stop() }
        let log = SMTPClientRecordingLog()
        let url = "smtp://agent%40fairdesk.test:p%40ss%3Aw%2Frd%25%20%C3%A9@127.0.0.1:\(peer.port)"
        let client = self.client(try SMTPClientConfiguration(url: url), log: log)

        _ = try await client.send(from: "agent@fairdesk.test", to: ["customer@example.test"], message: Self.message)

        #expect(try peer.messages().only?.authenticatedAs == "agent@fairdesk.test")
        let secrets = [
            password,
            SMTPClientBase64.encode([0] + Array("agent@fairdesk.test".utf8) + [0] + Array(password.utf8)),
            SMTPClientBase64.encode(password.utf8),
            "this line starts with a dot",
        ]
        #expect(!log.entries.isEmpty)
        for entry in log.entries {
            for secret in secrets {
                #expect(!entry.contains(secret), "log leaks a secret or message content: \(entry)")
            }
        }
    }

    @Test(arguments: ["PLAIN", "LOGIN"])
    func reportsWrongPassword(mechanism: String) async throws {
        let peer = try SMTPClientTestPeer.start(.init(authUser: "agent", authPassword: "right", authMechanisms: [mechanism]))
        defer { peer.stop() }
        let client = self.client(try SMTPClientConfiguration(url: "smtp://agent:wrong@127.0.0.1:\(peer.port)"))

        await #expect {
            try await client.send(from: "agent@fairdesk.test", to: ["customer@example.test"], message: Self.message)
        } throws: { error in
            guard case .authenticationFailed(let code, _) = error as? SMTPClientError else { return false }
            return code == 535 && (error as! SMTPClientError).isPermanent
        }
        #expect(try peer.messages().isEmpty)
    }

    @Test func authenticatesAfterSTARTTLS() async throws {
        let certificate = try SMTPClientTestCertificate.shared()
        let peer = try SMTPClientTestPeer.start(
            .init(certificate: certificate, requireSTARTTLS: true, authUser: "agent", authPassword: "secret")
        )
        defer { peer.stop() }
        var configuration = try SMTPClientConfiguration(url: "smtp://agent:secret@127.0.0.1:\(peer.port)?tls=required")
        configuration.tlsConfiguration = try certificate.trustingClientConfiguration()

        _ = try await self.client(configuration).send(from: "agent@fairdesk.test", to: ["customer@example.test"], message: Self.message)

        let received = try #require(try peer.messages().only)
        #expect(received.overTLS)
        #expect(received.authenticatedAs == "agent")
    }

    @Test func reportsRejectedRecipientAndDeliversToTheOther() async throws {
        let peer = try SMTPClientTestPeer.start(.init(rejectRecipients: ["nobody@example.test"]))
        defer { peer.stop() }
        let client = self.client(try SMTPClientConfiguration(url: "smtp://127.0.0.1:\(peer.port)"))

        let receipt = try await client.send(
            from: "support@fairdesk.test",
            to: ["nobody@example.test", "customer@example.test"],
            message: Self.message
        )

        #expect(receipt.acceptedRecipients == ["customer@example.test"])
        let rejection = try #require(receipt.rejectedRecipients.only)
        #expect(rejection.address == "nobody@example.test")
        #expect(rejection.code == 550)
        #expect(rejection.enhanced == "5.1.1")
        #expect(rejection.isPermanent)
        #expect(try peer.messages().only?.recipients == ["customer@example.test"])
    }

    @Test func failsPermanentlyWhenEveryRecipientIsRejected() async throws {
        let peer = try SMTPClientTestPeer.start(.init(rejectRecipients: ["nobody@example.test"]))
        defer { peer.stop() }
        let client = self.client(try SMTPClientConfiguration(url: "smtp://127.0.0.1:\(peer.port)"))

        await #expect {
            try await client.send(from: "support@fairdesk.test", to: ["nobody@example.test"], message: Self.message)
        } throws: { error in
            guard case .rejected(550, "5.1.1", _, true) = error as? SMTPClientError else { return false }
            return true
        }
        #expect(try peer.messages().isEmpty)
    }

    @Test func temporaryFailureOnDataIsTemporary() async throws {
        let peer = try SMTPClientTestPeer.start(.init(dataReply: "451 4.3.0 Please try again later"))
        defer { peer.stop() }
        let client = self.client(try SMTPClientConfiguration(url: "smtp://127.0.0.1:\(peer.port)"))

        await #expect {
            try await client.send(from: "support@fairdesk.test", to: ["customer@example.test"], message: Self.message)
        } throws: { error in
            guard let error = error as? SMTPClientError, case .rejected(451, "4.3.0", "Please try again later", false) = error else {
                return false
            }
            return !error.isPermanent
        }
    }

    @Test func connectionRefusedIsTemporary() async throws {
        // Bind and close a listener to get a port nobody listens on.
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(listener.localAddress?.port)
        try await listener.close()
        let client = self.client(SMTPClientConfiguration(host: "127.0.0.1", port: port, security: .none))

        await #expect {
            try await client.send(from: "support@fairdesk.test", to: ["customer@example.test"], message: Self.message)
        } throws: { error in
            guard let error = error as? SMTPClientError, case .connectionFailed(let text) = error else { return false }
            return !error.isPermanent && text.contains("127.0.0.1:\(port)")
        }
    }
}

extension Collection {
    /// The single element, or nil when there are none or several.
    var only: Element? {
        self.count == 1 ? self.first : nil
    }
}
