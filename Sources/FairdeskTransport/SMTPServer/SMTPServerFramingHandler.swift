import Logging
import NIOCore
import NIOSSL

/// One framed line (or piece of an over-long line) for the connection task.
struct SMTPServerInboundLine: Sendable, Equatable {
    /// The bytes as received, line ending included.
    var bytes: ByteBuffer
    /// True when `bytes` ends with LF; false for a piece of a line longer than the current limit.
    var endsLine: Bool
    /// Counts every frame of the connection, from 1. The connection task reports back the last one
    /// it has consumed, which tells the handler whether the client or the server is to move next.
    var sequence: Int
    /// Bumped by STARTTLS. Frames from an older epoch were received in the clear after STARTTLS
    /// and must be thrown away.
    var epoch: Int
}

/// What the connection task sends down the pipeline.
enum SMTPServerOutbound: Sendable, Equatable {
    /// Reply bytes, and the sequence number of the last frame the task has consumed.
    case reply(ByteBuffer, lastConsumedSequence: Int)
    case enterDataMode
    case leaveDataMode
    /// Write this reply in the clear, then put TLS in front of everything.
    case startTLS(ByteBuffer)
}

/// Frames lines for the SMTP session and enforces the deadlines that protect the server from
/// clients that stop talking or stop listening.
///
/// Framing: lines end at LF (CRLF or a bare LF; the session decides what they mean). A line longer
/// than the current limit (`maxCommandLineBytes` between commands, `maxDataLineBytes` during DATA)
/// is passed on in pieces of at most that size, so a connection never holds more than one limit's
/// worth of unframed bytes. The message itself is assembled only once, by the session.
///
/// Deadlines, each answered `421 4.4.2` and a close (RFC 5321 §4.5.3.2):
/// - command: runs while the server waits for a command, i.e. after a reply has been written and
///   every frame handed on has been consumed, until a complete command line arrives. Work the
///   server does for the client (a slow delivery handler) never counts against the client.
/// - data: the whole DATA phase, from the 354 to the final ".", however the bytes trickle in.
/// - write stall: the client does not read our replies and the socket stays unwritable.
///
/// STARTTLS (RFC 3207 §4.2): the reply goes out in the clear and TLS is put in front of this handler
/// in the same event loop tick, so no byte can slip between the two. Bytes that arrived in the clear
/// after STARTTLS (buffered here, or already framed) are discarded, never executed: that is the
/// command injection of CVE-2011-0411.
final class SMTPServerFramingHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = SMTPServerInboundLine
    typealias OutboundIn = SMTPServerOutbound
    typealias OutboundOut = ByteBuffer

    struct Settings: Sendable {
        var commandLineLimit: Int
        var dataLineLimit: Int
        var commandTimeout: TimeAmount
        var dataTimeout: TimeAmount
        var timeoutReply: [UInt8]
        var tls: NIOSSLContext?

        init(configuration: SMTPServerConfiguration) {
            self.commandLineLimit = configuration.commandLineLimit
            self.dataLineLimit = configuration.dataLineLimit
            self.commandTimeout = configuration.commandTimeout
            self.dataTimeout = configuration.dataTimeout
            self.timeoutReply = SMTPServerReply.timeout(hostname: configuration.hostname).encoded
            self.tls = configuration.tls
        }
    }

    private enum Mode {
        case command
        case data
    }

    private let settings: Settings
    private let logger: Logger
    private var buffer = ByteBuffer()
    private var mode = Mode.command
    private var lastSequence = 0
    private var epoch = 0
    private var commandDeadline: Scheduled<Void>?
    private var dataDeadline: Scheduled<Void>?
    private var writeStallDeadline: Scheduled<Void>?

    init(settings: Settings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = Self.unwrapInboundIn(data)
        if self.buffer.readableBytes == 0 {
            self.buffer = incoming
        } else {
            self.buffer.writeBuffer(&incoming)
        }
        self.frameLines(context: context)
    }

    private func frameLines(context: ChannelHandlerContext) {
        while self.buffer.readableBytes > 0 {
            let limit = self.mode == .command ? self.settings.commandLineLimit : self.settings.dataLineLimit
            let window = self.buffer.readableBytesView.prefix(limit)
            let length: Int
            let endsLine: Bool
            if let lf = window.firstIndex(of: UInt8(ascii: "\n")) {
                length = lf - window.startIndex + 1
                endsLine = true
            } else if window.count == limit {
                // A piece of an over-long line. Keep a trailing CR for the next piece so a CRLF is
                // never split between two frames.
                length = window.last == UInt8(ascii: "\r") ? limit - 1 : limit
                endsLine = false
            } else {
                break  // need more bytes
            }
            // Only reads the slice: frames share the storage of `buffer` instead of copying it.
            let bytes = self.buffer.readSlice(length: length)!
            self.lastSequence += 1
            if endsLine && self.mode == .command {
                // The client has said something: the server is to move now.
                self.cancel(&self.commandDeadline)
            }
            context.fireChannelRead(
                Self.wrapInboundOut(
                    SMTPServerInboundLine(bytes: bytes, endsLine: endsLine, sequence: self.lastSequence, epoch: self.epoch)
                )
            )
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            self.cancel(&self.writeStallDeadline)
        } else if self.writeStallDeadline == nil {
            self.writeStallDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: self.settings.commandTimeout) {
                self.logger.info("SMTP client stopped reading replies, closing")
                context.close(promise: nil)
            }
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.cancelDeadlines()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.cancelDeadlines()
    }

    // MARK: Outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch Self.unwrapOutboundIn(data) {
        case .reply(let bytes, let lastConsumedSequence):
            if self.mode == .command && lastConsumedSequence >= self.lastSequence {
                // Every frame has been answered: the client is to move next.
                self.armCommandDeadline(context: context)
            }
            context.write(Self.wrapOutboundOut(bytes), promise: promise)

        case .enterDataMode:
            self.mode = .data
            self.cancel(&self.commandDeadline)
            self.cancel(&self.dataDeadline)
            self.dataDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: self.settings.dataTimeout) {
                self.timedOut(context: context, phase: "DATA")
            }
            promise?.succeed()

        case .leaveDataMode:
            self.mode = .command
            self.cancel(&self.dataDeadline)
            promise?.succeed()

        case .startTLS(let bytes):
            guard let tls = self.settings.tls else {
                promise?.fail(ChannelError.operationUnsupported)
                return
            }
            context.write(Self.wrapOutboundOut(bytes), promise: promise)
            context.flush()
            if self.buffer.readableBytes > 0 {
                self.logger.warning(
                    "SMTP client sent data in the clear after STARTTLS; discarded",
                    metadata: ["smtp.discardedBytes": "\(self.buffer.readableBytes)"]
                )
            }
            self.buffer.moveReaderIndex(forwardBy: self.buffer.readableBytes)
            self.epoch += 1
            do {
                try context.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls), position: .first)
            } catch {
                context.fireErrorCaught(error)
                context.close(promise: nil)
                return
            }
            // Whatever was framed before is stale now; the handshake and the new EHLO are the client's move.
            self.armCommandDeadline(context: context)
        }
    }

    // MARK: Deadlines

    private func armCommandDeadline(context: ChannelHandlerContext) {
        self.cancel(&self.commandDeadline)
        self.commandDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: self.settings.commandTimeout) {
            self.timedOut(context: context, phase: "command")
        }
    }

    private func timedOut(context: ChannelHandlerContext, phase: String) {
        self.logger.info("SMTP client timed out, closing", metadata: ["smtp.phase": "\(phase)"])
        self.cancelDeadlines()
        // On a writable socket, flushing writes to the kernel right away, so the reply goes out
        // before the close; on an unwritable one it is lost, which is fine for a client not reading.
        context.writeAndFlush(Self.wrapOutboundOut(context.channel.allocator.buffer(bytes: self.settings.timeoutReply)), promise: nil)
        context.close(promise: nil)
    }

    private func cancel(_ deadline: inout Scheduled<Void>?) {
        deadline?.cancel()
        deadline = nil
    }

    private func cancelDeadlines() {
        self.cancel(&self.commandDeadline)
        self.cancel(&self.dataDeadline)
        self.cancel(&self.writeStallDeadline)
    }
}
