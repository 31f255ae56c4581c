import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// One TCP connection to the relay: writes command lines and reads whole replies, each
/// exchange within a deadline.
///
/// Not Sendable on purpose: it belongs to the one task running the SMTP dialogue.
final class SMTPClientConnection {
    private let channel: any Channel
    private var replies: NIOAsyncChannelInboundStream<SMTPClientReply>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let server: String
    private let logger: Logger
    private(set) var isTLS: Bool

    private init(
        channel: any Channel,
        inbound: NIOAsyncChannelInboundStream<SMTPClientReply>,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        server: String,
        isTLS: Bool,
        logger: Logger
    ) {
        self.channel = channel
        self.replies = inbound.makeAsyncIterator()
        self.outbound = outbound
        self.server = server
        self.isTLS = isTLS
        self.logger = logger
    }

    /// Connects (with TLS from the first byte for `.implicitTLS`), runs `body`, and
    /// closes the connection however `body` ends.
    static func withConnection<Result: Sendable>(
        configuration: SMTPClientConfiguration,
        sslContext: NIOSSLContext?,
        eventLoopGroup: any EventLoopGroup,
        logger: Logger,
        _ body: (SMTPClientConnection) async throws -> Result
    ) async throws -> Result {
        let server = "\(configuration.host):\(configuration.port)"
        let implicitTLS = configuration.security == .implicitTLS ? sslContext : nil
        let serverHostname = Self.serverNameIndication(for: configuration.host)
        let limits = configuration.limits

        let asyncChannel: NIOAsyncChannel<SMTPClientReply, ByteBuffer>
        do {
            asyncChannel = try await ClientBootstrap(group: eventLoopGroup)
                .connectTimeout(configuration.connectTimeout)
                .connect(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let implicitTLS {
                            let tls = try NIOSSLClientHandler(context: implicitTLS, serverHostname: serverHostname)
                            try channel.pipeline.syncOperations.addHandler(tls)
                        }
                        try channel.pipeline.syncOperations.addHandler(SMTPClientReplyHandler(limits: limits))
                        return try NIOAsyncChannel<SMTPClientReply, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch ChannelError.connectTimeout {
            throw SMTPClientError.timeout("connecting to \(server) took longer than \(configuration.connectTimeout.humanReadable)")
        } catch {
            throw SMTPClientError.connectionFailed("could not connect to \(server): \(error)")
        }

        logger.debug("connected", metadata: ["smtp.peer": "\(asyncChannel.channel.remoteAddress.map { "\($0)" } ?? "?")"])
        return try await asyncChannel.executeThenClose { inbound, outbound in
            let connection = SMTPClientConnection(
                channel: asyncChannel.channel,
                inbound: inbound,
                outbound: outbound,
                server: server,
                isTLS: implicitTLS != nil,
                logger: logger
            )
            return try await body(connection)
        }
    }

    /// Whether the server is on this machine, where a password sent in plain text never
    /// crosses a network. Decided from the address actually connected to, so "localhost"
    /// counts but a DNS name that resolves elsewhere does not.
    var isLoopbackPeer: Bool {
        Self.isLoopback(self.channel.remoteAddress)
    }

    /// 127.0.0.0/8, ::1, and IPv4-mapped 127.0.0.0/8 (RFC 4291 §2.5.5.2).
    static func isLoopback(_ address: SocketAddress?) -> Bool {
        switch address {
        case .v4:
            return address?.ipAddress?.hasPrefix("127.") ?? false
        case .v6:
            guard let ip = address?.ipAddress?.lowercased() else {
                return false
            }
            return ip == "::1" || ip.hasPrefix("::ffff:127.")
        case .unixDomainSocket:
            return true
        case nil:
            return false
        }
    }

    /// SNI (RFC 6066 §3) carries host names only; for an IP literal NIOSSL checks the
    /// certificate against the connected address instead.
    static func serverNameIndication(for host: String) -> String? {
        (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
    }

    // MARK: - Dialogue

    /// Sends one command line and waits for the reply. `logAs` replaces the line in the
    /// log when it carries a secret.
    func command(_ line: String, logAs: String? = nil, timeout: TimeAmount) async throws -> SMTPClientReply {
        self.logger.debug("C: \(logAs ?? line)")
        let reply = try await self.exchange(
            ByteBuffer(string: line + "\r\n"),
            awaitingReplyTo: (logAs ?? line).prefix(while: { $0 != " " && $0 != ":" }).uppercased(),
            timeout: timeout
        )
        return reply
    }

    /// Waits for a reply the server sends unprompted (the greeting).
    func readReply(to what: String, timeout: TimeAmount) async throws -> SMTPClientReply {
        try await self.exchange(nil, awaitingReplyTo: what, timeout: timeout)
    }

    /// Sends the already-encoded DATA stream and waits for the final reply.
    func sendData(_ encoded: [UInt8], timeout: TimeAmount) async throws -> SMTPClientReply {
        self.logger.debug("C: <message, \(encoded.count) bytes>")
        return try await self.exchange(ByteBuffer(bytes: encoded), awaitingReplyTo: "the end of DATA", timeout: timeout)
    }

    /// Best effort, for when the dialogue is over either way.
    func quit(timeout: TimeAmount) async {
        _ = try? await self.command("QUIT", timeout: timeout)
    }

    /// The deadline covers the write too: a server that stops reading is as stuck as one
    /// that stops answering. On expiry the channel is closed, which ends the read.
    private func exchange(_ bytes: ByteBuffer?, awaitingReplyTo what: String, timeout: TimeAmount) async throws -> SMTPClientReply {
        let channel = self.channel
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            channel.close(promise: nil)
        }
        do {
            if let bytes {
                do {
                    try await self.outbound.write(bytes)
                } catch {
                    // The write failed because the channel is gone; the inbound side
                    // knows why (a TLS alert, a parse error) or holds the server's last
                    // words (a 421 before hanging up). The timer bounds this read.
                    if let lastWords = try await self.replies.next() {
                        self.logger.debug("S: \(lastWords)")
                        timer.cancel()
                        return lastWords
                    }
                    throw error
                }
            }
            guard let reply = try await self.replies.next() else {
                throw SMTPClientError.connectionFailed("\(self.server) closed the connection while we waited for the reply to \(what)")
            }
            timer.cancel()
            self.logger.debug("S: \(reply)")
            return reply
        } catch {
            timer.cancel()
            // The timer's future succeeds only if it fired; cancellation fails it.
            if (try? await timer.futureResult.get()) != nil {
                throw SMTPClientError.timeout("no reply to \(what) from \(self.server) within \(timeout.humanReadable)")
            }
            throw self.clientError(for: error)
        }
    }

    // MARK: - STARTTLS

    /// RFC 3207 §4: call before sending STARTTLS.
    func prepareForSTARTTLS() async throws {
        let channel = self.channel
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.handler(type: SMTPClientReplyHandler.self).expectSTARTTLSReply()
        }.get()
    }

    /// RFC 3207 §4.2: after the server's 220, start the handshake. Writes made from now on
    /// are held by the TLS handler until the handshake is done; a failed handshake closes
    /// the channel and surfaces as an error on the next read.
    func startTLS(context: NIOSSLContext, serverHostname: String?) async throws {
        let channel = self.channel
        do {
            try await channel.eventLoop.submit {
                let tls = try NIOSSLClientHandler(context: context, serverHostname: serverHostname)
                try channel.pipeline.syncOperations.addHandler(tls, position: .first)
                try channel.pipeline.syncOperations.handler(type: SMTPClientReplyHandler.self).tlsHandlerInstalled()
            }.get()
        } catch ChannelError.ioOnClosedChannel {
            // The server hung up, or the reply handler closed the channel over data
            // injected after the 220; the inbound side says which.
            do {
                _ = try await self.replies.next()
            } catch {
                throw self.clientError(for: error)
            }
            throw SMTPClientError.connectionFailed("\(self.server) closed the connection before TLS started")
        } catch {
            throw self.clientError(for: error)
        }
        self.isTLS = true
    }

    private func clientError(for error: any Error) -> SMTPClientError {
        switch error {
        case let error as SMTPClientError:
            return error
        case let error as SMTPClientReplyParseError:
            return .connectionFailed("\(self.server): \(error)")
        case let error as NIOSSLError:
            return .connectionFailed("TLS with \(self.server) failed: \(error)")
        case let error as NIOSSLExtraError:
            return .connectionFailed("TLS with \(self.server) failed: \(error)")
        case ChannelError.ioOnClosedChannel, ChannelError.alreadyClosed, ChannelError.eof:
            return .connectionFailed("\(self.server) closed the connection")
        default:
            return .connectionFailed("\(self.server): \(error)")
        }
    }
}

extension TimeAmount {
    /// "300 s", "250 ms": for error messages an admin reads.
    fileprivate var humanReadable: String {
        if self.nanoseconds >= 1_000_000_000 && self.nanoseconds % 1_000_000_000 == 0 {
            return "\(self.nanoseconds / 1_000_000_000) s"
        }
        return "\(self.nanoseconds / 1_000_000) ms"
    }
}
