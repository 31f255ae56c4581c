import NIOCore
import NIOEmbedded
import NIOSSL
import Testing

@testable import FairdeskTransport

@Suite("SMTPServer framing handler")
struct SMTPServerFramingHandlerTests {
    struct Frame: Equatable, CustomStringConvertible {
        var text: String
        var endsLine: Bool
        var description: String { "\(self.text.debugDescription)\(self.endsLine ? "" : " (piece)")" }
    }

    static func makeChannel(
        maxCommandLineBytes: Int = 64,
        maxDataLineBytes: Int = 128,
        commandTimeout: TimeAmount = .seconds(300),
        dataTimeout: TimeAmount = .seconds(600),
        tls: NIOSSLContext? = nil
    ) throws -> EmbeddedChannel {
        let configuration = SMTPServerConfiguration(
            hostname: "mx.desk.test",
            maxCommandLineBytes: maxCommandLineBytes,
            maxDataLineBytes: maxDataLineBytes,
            commandTimeout: commandTimeout,
            dataTimeout: dataTimeout,
            tls: tls
        )
        let channel = EmbeddedChannel(
            handler: SMTPServerFramingHandler(
                settings: .init(configuration: configuration),
                logger: SMTPServerTestSupport.logger
            )
        )
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 25)).wait()
        return channel
    }

    static func write(_ text: String, to channel: EmbeddedChannel) throws {
        try channel.writeInbound(ByteBuffer(string: text))
    }

    static func readFrames(_ channel: EmbeddedChannel) throws -> [Frame] {
        var frames: [Frame] = []
        while let line = try channel.readInbound(as: SMTPServerInboundLine.self) {
            frames.append(Frame(text: String(buffer: line.bytes), endsLine: line.endsLine))
        }
        return frames
    }

    static func readOutbound(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            text += String(buffer: buffer)
        }
        return text
    }

    static func reply(_ text: String, lastConsumed: Int) -> SMTPServerOutbound {
        .reply(ByteBuffer(string: text), lastConsumedSequence: lastConsumed)
    }

    @Test func framesLinesSplitAcrossReads() throws {
        let channel = try Self.makeChannel()

        try Self.write("EH", to: channel)
        try Self.write("LO client.example\r", to: channel)
        try Self.write("\nMAIL FROM:<a@example.com>\r\nRCPT", to: channel)
        let beforeRest = try Self.readFrames(channel)
        try Self.write(" TO:<b@desk.test>\r\n", to: channel)

        #expect(
            beforeRest == [
                Frame(text: "EHLO client.example\r\n", endsLine: true),
                Frame(text: "MAIL FROM:<a@example.com>\r\n", endsLine: true),
            ]
        )
        #expect(try Self.readFrames(channel) == [Frame(text: "RCPT TO:<b@desk.test>\r\n", endsLine: true)])
    }

    @Test func keepsCRLFTogetherWhenSplitAcrossReads() throws {
        let channel = try Self.makeChannel()

        try Self.write("NOOP\r", to: channel)
        let afterCR = try Self.readFrames(channel)
        try Self.write("\n", to: channel)

        #expect(afterCR.isEmpty)
        #expect(try Self.readFrames(channel) == [Frame(text: "NOOP\r\n", endsLine: true)])
    }

    @Test func acceptsBareLF() throws {
        let channel = try Self.makeChannel()

        try Self.write("NOOP\nRSET\r\n\n", to: channel)

        #expect(
            try Self.readFrames(channel) == [
                Frame(text: "NOOP\n", endsLine: true),
                Frame(text: "RSET\r\n", endsLine: true),
                Frame(text: "\n", endsLine: true),
            ]
        )
    }

    @Test func passesOverlongLinesOnInPieces() throws {
        let channel = try Self.makeChannel(maxCommandLineBytes: 64)
        let long = String(repeating: "a", count: 150)

        try Self.write(long + "\r\nNOOP\r\n", to: channel)

        #expect(
            try Self.readFrames(channel) == [
                Frame(text: String(repeating: "a", count: 64), endsLine: false),
                Frame(text: String(repeating: "a", count: 64), endsLine: false),
                Frame(text: String(repeating: "a", count: 22) + "\r\n", endsLine: true),
                Frame(text: "NOOP\r\n", endsLine: true),
            ]
        )
    }

    @Test func neverSplitsCRLFBetweenPieces() throws {
        let channel = try Self.makeChannel(maxCommandLineBytes: 64)

        try Self.write(String(repeating: "a", count: 63) + "\r\n", to: channel)

        #expect(
            try Self.readFrames(channel) == [
                Frame(text: String(repeating: "a", count: 63), endsLine: false),
                Frame(text: "\r\n", endsLine: true),
            ]
        )
    }

    @Test func lineThatNeverEndsIsNotBuffered() throws {
        let channel = try Self.makeChannel(maxCommandLineBytes: 64)

        for _ in 0..<100 {
            try Self.write(String(repeating: "x", count: 1000), to: channel)
        }
        let frames = try Self.readFrames(channel)

        // 100,000 bytes in: all but the last partial piece (less than one limit) have been handed on.
        #expect(frames.count == 100_000 / 64)
        #expect(frames.allSatisfy { $0.text.utf8.count == 64 && !$0.endsLine })
    }

    @Test func dataModeUsesTheDataLineLimit() throws {
        let channel = try Self.makeChannel(maxCommandLineBytes: 64, maxDataLineBytes: 128)
        let line = String(repeating: "d", count: 100) + "\r\n"

        try channel.writeOutbound(SMTPServerOutbound.enterDataMode)
        try Self.write(line, to: channel)
        let inData = try Self.readFrames(channel)
        try channel.writeOutbound(SMTPServerOutbound.leaveDataMode)
        try Self.write(line, to: channel)
        let inCommands = try Self.readFrames(channel)

        #expect(inData == [Frame(text: line, endsLine: true)])
        #expect(inCommands.map(\.endsLine) == [false, true])
    }

    @Test func numbersFramesInOrder() throws {
        let channel = try Self.makeChannel(maxCommandLineBytes: 64)

        try Self.write("A\r\nB\r\n" + String(repeating: "c", count: 70) + "\r\n", to: channel)
        var sequences: [Int] = []
        while let line = try channel.readInbound(as: SMTPServerInboundLine.self) {
            sequences.append(line.sequence)
        }

        #expect(sequences == [1, 2, 3, 4])
    }

    // MARK: Deadlines

    @Test func commandTimeoutClosesAnIdleClient() throws {
        let channel = try Self.makeChannel(commandTimeout: .seconds(10))

        try channel.writeOutbound(Self.reply("220 hello\r\n", lastConsumed: 0))
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        let stillOpen = channel.isActive
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))

        #expect(stillOpen)
        #expect(try Self.readOutbound(channel) == "220 hello\r\n421 4.4.2 mx.desk.test Timeout, closing connection\r\n")
        #expect(!channel.isActive)
    }

    @Test func commandTimeoutCountsAPartialLineAgainstTheClient() throws {
        let channel = try Self.makeChannel(commandTimeout: .seconds(10))

        try channel.writeOutbound(Self.reply("220 hello\r\n", lastConsumed: 0))
        for _ in 0..<5 {
            try Self.write("N", to: channel)
            channel.embeddedEventLoop.advanceTime(by: .seconds(3))
        }

        #expect(!channel.isActive)
    }

    @Test func commandTimeoutDoesNotRunWhileTheServerWorks() throws {
        let channel = try Self.makeChannel(commandTimeout: .seconds(10))

        try channel.writeOutbound(Self.reply("220 hello\r\n", lastConsumed: 0))
        try Self.write("DATA\r\n", to: channel)  // frame 1: now the server's move (a slow handler, say)
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        let openWhileServerWorked = channel.isActive
        try channel.writeOutbound(Self.reply("250 ok\r\n", lastConsumed: 1))
        channel.embeddedEventLoop.advanceTime(by: .seconds(11))

        #expect(openWhileServerWorked)
        #expect(!channel.isActive)
    }

    @Test func commandTimeoutWaitsForPipelinedCommandsToBeAnswered() throws {
        let channel = try Self.makeChannel(commandTimeout: .seconds(10))

        try channel.writeOutbound(Self.reply("220 hello\r\n", lastConsumed: 0))
        try Self.write("NOOP\r\nNOOP\r\n", to: channel)  // frames 1 and 2
        try channel.writeOutbound(Self.reply("250 ok\r\n", lastConsumed: 1))  // frame 2 still unanswered
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))

        #expect(channel.isActive)
    }

    @Test func dataTimeoutCoversTheWholeDataPhase() throws {
        let channel = try Self.makeChannel(commandTimeout: .seconds(300), dataTimeout: .seconds(10))

        try channel.writeOutbound(SMTPServerOutbound.enterDataMode)
        try channel.writeOutbound(Self.reply("354 go\r\n", lastConsumed: 0))
        var openAfter = [Bool]()
        for _ in 0..<6 {
            // A line every two seconds: each one is progress, yet the phase as a whole is too slow.
            try Self.write("trickle\r\n", to: channel)
            channel.embeddedEventLoop.advanceTime(by: .seconds(2))
            openAfter.append(channel.isActive)
        }

        #expect(openAfter == [true, true, true, true, false, false])
        #expect(try Self.readOutbound(channel).hasSuffix("421 4.4.2 mx.desk.test Timeout, closing connection\r\n"))
    }

    @Test func leavingDataModeStopsTheDataDeadline() throws {
        let channel = try Self.makeChannel(commandTimeout: .seconds(300), dataTimeout: .seconds(10))

        try channel.writeOutbound(SMTPServerOutbound.enterDataMode)
        try Self.write(".\r\n", to: channel)
        try channel.writeOutbound(SMTPServerOutbound.leaveDataMode)
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))

        #expect(channel.isActive)
    }

    // MARK: STARTTLS

    @Test func startTLSDiscardsCleartextAndPutsTLSInFront() async throws {
        let tls = try await SMTPServerTestSupport.makeSelfSignedTLSContext()
        let channel = try Self.makeChannel(tls: tls)

        // The attacker's bytes come in the same packet as STARTTLS (CVE-2011-0411).
        try Self.write("STARTTLS\r\nMAIL FROM:<evil@attacker.example>\r\nRCPT TO:<x", to: channel)
        var frames: [SMTPServerInboundLine] = []
        while let line = try channel.readInbound(as: SMTPServerInboundLine.self) {
            frames.append(line)
        }
        try channel.writeOutbound(SMTPServerOutbound.startTLS(ByteBuffer(string: "220 2.0.0 Ready to start TLS\r\n")))

        #expect(frames.map(\.epoch) == [0, 0], "already framed: dropped by the connection task by their old epoch")
        #expect(try Self.readOutbound(channel) == "220 2.0.0 Ready to start TLS\r\n", "the reply goes out in the clear")
        #expect(throws: Never.self) {
            _ = try channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
        }
        // The buffered partial line is gone: had it survived, these bytes would complete it.
        // Stand in for TLS: hand decrypted bytes to the framer from the TLS handler's position.
        let tlsHandlerContext = try channel.pipeline.syncOperations.context(handlerType: NIOSSLServerHandler.self)
        tlsHandlerContext.fireChannelRead(NIOAny(ByteBuffer(string: "@desk.test>\r\n")))
        let after = try channel.readInbound(as: SMTPServerInboundLine.self)
        #expect(after.map { String(buffer: $0.bytes) } == "@desk.test>\r\n")
        #expect(after?.epoch == 1)
    }
}
