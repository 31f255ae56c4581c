import Logging
import NIOCore
import Testing

@testable import FairdeskTransport

/// Server behaviour aiosmtpd cannot be made to show, from a scripted peer.
@Suite("SMTPClient against scripted servers")
struct SMTPClientScriptedPeerTests {
    private func send(to peer: SMTPClientScriptedPeer, commandTimeout: TimeAmount = .seconds(10)) async throws -> SMTPClientReceipt {
        var configuration = SMTPClientConfiguration(host: "127.0.0.1", port: peer.port, security: .startTLSIfAvailable)
        configuration.commandTimeout = commandTimeout
        configuration.heloName = "fairdesk.test"
        let client = SMTPClient(configuration: configuration, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        return try await client.send(from: "support@fairdesk.test", to: ["customer@example.test"], message: Array("Subject: x\r\n\r\nhi\r\n".utf8))
    }

    /// A server that answers every command of a successful transaction.
    private static func standard(ehlo: String) -> @Sendable (String) -> String? {
        { line in
            switch line.prefix(4).uppercased() {
            case "EHLO": ehlo
            case "HELO": "250 mx.example.test\r\n"
            case "MAIL", "RCPT": "250 2.1.0 Ok\r\n"
            case "DATA": "354 go ahead\r\n"
            case "<END": "250 2.0.0 queued\r\n"
            case "QUIT": "221 bye\r\n"
            default: "500 5.5.2 what?\r\n"
            }
        }
    }

    @Test func fallsBackToHELOWhenEHLOIsUnknown() async throws {
        let peer = try await SMTPClientScriptedPeer(greeting: "220 old.example.test SMTP\r\n", respond: Self.standard(ehlo: "502 5.5.1 command not implemented\r\n"))

        let receipt = try await self.send(to: peer)
        await peer.stop()

        #expect(receipt.finalReply == "250 2.0.0 queued")
        #expect(peer.commands.prefix(3) == ["EHLO fairdesk.test", "HELO fairdesk.test", "MAIL FROM:<support@fairdesk.test>"])
    }

    @Test func usesNoExtensionTheServerDidNotOffer() async throws {
        let peer = try await SMTPClientScriptedPeer(greeting: "220 mx\r\n", respond: Self.standard(ehlo: "250 mx.example.test\r\n"))

        _ = try await self.send(to: peer)
        await peer.stop()

        #expect(peer.commands.contains("MAIL FROM:<support@fairdesk.test>"), "no SIZE or BODY parameter")
        #expect(!peer.commands.contains("STARTTLS"))
        #expect(peer.commands.last == "QUIT")
    }

    @Test func greetingRefusalIsReported() async throws {
        let peer = try await SMTPClientScriptedPeer(greeting: "554 5.7.1 no mail from you\r\n", respond: Self.standard(ehlo: ""))

        await #expect {
            try await self.send(to: peer)
        } throws: { error in
            guard case .rejected(554, "5.7.1", "no mail from you", true) = error as? SMTPClientError else { return false }
            return true
        }
        await peer.stop()
    }

    @Test func silentServerTimesOut() async throws {
        let peer = try await SMTPClientScriptedPeer(greeting: nil, respond: { _ in nil })
        await #expect {
            try await self.send(to: peer, commandTimeout: .seconds(2))
        } throws: { error in
            guard let error = error as? SMTPClientError, case .timeout(let text) = error else { return false }
            return !error.isPermanent && text.contains("greeting")
        }
        await peer.stop()
    }

    @Test func serverThatStopsAnsweringMidTransactionTimesOut() async throws {
        let peer = try await SMTPClientScriptedPeer(greeting: "220 mx\r\n") { line in
            line.hasPrefix("RCPT") ? nil : Self.standard(ehlo: "250 mx\r\n")(line)
        }

        await #expect {
            try await self.send(to: peer, commandTimeout: .seconds(2))
        } throws: { error in
            guard case .timeout(let text) = error as? SMTPClientError else { return false }
            return text.contains("RCPT")
        }
        await peer.stop()
    }

    @Test func garbageReplyIsATemporaryConnectionFailure() async throws {
        let peer = try await SMTPClientScriptedPeer(greeting: "HTTP/1.1 400 Bad Request\r\n\r\n", respond: { _ in nil })

        await #expect {
            try await self.send(to: peer)
        } throws: { error in
            guard let error = error as? SMTPClientError, case .connectionFailed(let text) = error else { return false }
            return !error.isPermanent && text.contains("malformed reply")
        }
        await peer.stop()
    }

    @Test func plaintextInjectedAfterSTARTTLSIsRefused() async throws {
        let peer = try await SMTPClientScriptedPeer(greeting: "220 mx\r\n") { line in
            switch line {
            case "STARTTLS": "220 2.0.0 Ready to start TLS\r\n250-mx\r\n250 AUTH PLAIN\r\n"
            default: Self.standard(ehlo: "250-mx\r\n250 STARTTLS\r\n")(line)
            }
        }

        await #expect {
            try await self.send(to: peer)
        } throws: { error in
            guard case .connectionFailed(let text) = error as? SMTPClientError else { return false }
            return text.contains("unencrypted data after agreeing to STARTTLS")
        }
        #expect(!peer.commands.contains { $0.hasPrefix("MAIL") })
        await peer.stop()
    }

    @Test func serverHangingUpIsATemporaryConnectionFailure() async throws {
        let peer = try await SMTPClientScriptedPeer(greeting: "220 mx\r\n") { line in
            line.hasPrefix("EHLO") ? "421 4.3.2 shutting down\r\n" : nil
        }

        await #expect {
            try await self.send(to: peer)
        } throws: { error in
            guard let error = error as? SMTPClientError, case .rejected(421, "4.3.2", _, false) = error else { return false }
            return !error.isPermanent
        }
        await peer.stop()
    }
}
