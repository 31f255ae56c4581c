import NIOCore

/// Turns the server's bytes into whole replies, one per `SMTPClientReply`, and guards
/// the STARTTLS boundary.
///
/// Each connection gets its own instance. Parse errors are fired down the pipeline (the
/// `NIOAsyncChannel` stream then throws them) and close the connection.
final class SMTPClientReplyHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = SMTPClientReply

    /// RFC 3207 §4.2 / §6: nothing the server sent before TLS may be read as if it had
    /// come after. So between the server's "220" to STARTTLS and the TLS handler taking
    /// its place in front of this one, any inbound byte is an attack or a broken server.
    /// Once the TLS handler is in place, every byte that reaches this handler has come
    /// through it (reads are delivered on the event loop, so none is in flight).
    private enum TLSBoundary {
        case none
        case nextReplyMayStartTLS
        case awaitingTLSHandler
    }

    private let limits: SMTPClientLimits
    private var buffer = ByteBuffer()
    private var boundary = TLSBoundary.none
    private var hasFailed = false

    init(limits: SMTPClientLimits) {
        self.limits = limits
    }

    /// Call on the event loop before writing STARTTLS, so that the reply to it is checked
    /// for trailing plain text the moment it is framed.
    func expectSTARTTLSReply() {
        self.boundary = .nextReplyMayStartTLS
    }

    /// Call on the event loop in the same turn that puts the TLS handler in front.
    func tlsHandlerInstalled() {
        self.boundary = .none
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.hasFailed else {
            return
        }
        guard self.boundary != .awaitingTLSHandler else {
            self.fail(context: context, error: .plaintextAfterSTARTTLS)
            return
        }
        var incoming = Self.unwrapInboundIn(data)
        self.buffer.writeBuffer(&incoming)

        do throws(SMTPClientReplyParseError) {
            while let reply = try SMTPClientReply.parse(from: &self.buffer, limits: self.limits) {
                context.fireChannelRead(Self.wrapInboundOut(reply))
                if self.boundary == .nextReplyMayStartTLS {
                    guard reply.code == 220 else {
                        self.boundary = .none
                        continue
                    }
                    self.boundary = .awaitingTLSHandler
                    if self.buffer.readableBytes > 0 {
                        throw .plaintextAfterSTARTTLS
                    }
                    break
                }
            }
        } catch {
            self.fail(context: context, error: error)
            return
        }
        self.buffer.discardReadBytes()
    }

    private func fail(context: ChannelHandlerContext, error: SMTPClientReplyParseError) {
        self.hasFailed = true
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }
}
