import NIOCore
import NIOEmbedded
import Testing

@testable import FairdeskTransport

@Suite("SMTPClientReplyHandler on EmbeddedChannel")
struct SMTPClientReplyHandlerTests {
    private func makeChannel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(SMTPClientReplyHandler(limits: .default))
        return channel
    }

    @Test func framesRepliesSplitAcrossReads() throws {
        let channel = try self.makeChannel()
        defer { _ = try? channel.finish() }

        for fragment in ["250-mx.exa", "mple.com\r\n250-SIZE 100\r", "\n250 8BITMIME\r\n550 5.1.1 no", " such user\r\n"] {
            try channel.writeInbound(ByteBuffer(string: fragment))
        }

        let ehlo = try channel.readInbound(as: SMTPClientReply.self)
        let rcpt = try channel.readInbound(as: SMTPClientReply.self)
        #expect(ehlo?.lines == ["mx.example.com", "SIZE 100", "8BITMIME"])
        #expect(rcpt?.code == 550)
        #expect(rcpt?.enhancedCode == "5.1.1")
        #expect(try channel.readInbound(as: SMTPClientReply.self) == nil)
    }

    @Test func garbageFailsAndClosesTheChannel() throws {
        let channel = try self.makeChannel()

        #expect(throws: SMTPClientReplyParseError.self) {
            try channel.writeInbound(ByteBuffer(string: "HTTP/1.1 400 Bad Request\r\n"))
        }
        #expect(!channel.isActive)
    }

    /// RFC 3207 §6 / CVE-2011-0411: text sent together with the 220 to STARTTLS must not
    /// survive into the TLS session.
    @Test func plaintextPipelinedAfterSTARTTLSReplyIsRefused() throws {
        let channel = try self.makeChannel()
        try channel.pipeline.syncOperations.handler(type: SMTPClientReplyHandler.self).expectSTARTTLSReply()

        #expect(throws: SMTPClientReplyParseError.plaintextAfterSTARTTLS) {
            try channel.writeInbound(ByteBuffer(string: "220 2.0.0 Ready to start TLS\r\n250 AUTH PLAIN\r\n"))
        }
        #expect(try channel.readInbound(as: SMTPClientReply.self)?.code == 220)
        #expect(try channel.readInbound(as: SMTPClientReply.self) == nil)
    }

    @Test func plaintextArrivingLaterBeforeTLSIsRefused() throws {
        let channel = try self.makeChannel()
        try channel.pipeline.syncOperations.handler(type: SMTPClientReplyHandler.self).expectSTARTTLSReply()
        try channel.writeInbound(ByteBuffer(string: "220 go ahead\r\n"))

        #expect(throws: SMTPClientReplyParseError.plaintextAfterSTARTTLS) {
            try channel.writeInbound(ByteBuffer(string: "250 injected\r\n"))
        }
        #expect(try channel.readInbound(as: SMTPClientReply.self)?.code == 220)
        #expect(try channel.readInbound(as: SMTPClientReply.self) == nil)
    }

    @Test func bytesAfterTLSIsInstalledAreReadAgain() throws {
        let channel = try self.makeChannel()
        defer { _ = try? channel.finish() }
        let handler = try channel.pipeline.syncOperations.handler(type: SMTPClientReplyHandler.self)
        handler.expectSTARTTLSReply()
        try channel.writeInbound(ByteBuffer(string: "220 go ahead\r\n"))

        handler.tlsHandlerInstalled()
        try channel.writeInbound(ByteBuffer(string: "250 mx.example.com\r\n"))

        #expect(try channel.readInbound(as: SMTPClientReply.self)?.code == 220)
        #expect(try channel.readInbound(as: SMTPClientReply.self)?.code == 250)
    }

    @Test func refusedSTARTTLSLeavesTheConnectionUsable() throws {
        let channel = try self.makeChannel()
        defer { _ = try? channel.finish() }
        try channel.pipeline.syncOperations.handler(type: SMTPClientReplyHandler.self).expectSTARTTLSReply()

        try channel.writeInbound(ByteBuffer(string: "454 4.7.0 TLS not available\r\n250 2.1.0 Ok\r\n"))

        #expect(try channel.readInbound(as: SMTPClientReply.self)?.code == 454)
        #expect(try channel.readInbound(as: SMTPClientReply.self)?.code == 250)
    }
}
