import Logging
import NIOCore
import NIOPosix

/// The inbound SMTP/LMTP listener.
///
/// Shaped like SwiftNIO's `NIOTCPEchoServer`: every accepted connection gets its own framing
/// handler and `NIOAsyncChannel`, and is served by its own child task in a discarding task group.
/// All per-connection state lives in that task; a failing connection is logged and closed, and
/// nothing it does reaches the others.
public final class SMTPServer: Sendable {
    private let configuration: SMTPServerConfiguration
    private let handler: any SMTPDeliveryHandler
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger

    public init(
        configuration: SMTPServerConfiguration,
        handler: some SMTPDeliveryHandler,
        eventLoopGroup: EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        self.configuration = configuration
        self.handler = handler
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
    }

    /// Binds and serves until the task is cancelled. `onBound` reports the bound port (for port 0).
    public func run(onBound: @Sendable (Int) -> Void = { _ in }) async throws {
        let configuration = self.configuration
        let framingSettings = SMTPServerFramingHandler.Settings(configuration: configuration)
        let logger = self.logger
        let serverChannel = try await ServerBootstrap(group: self.eventLoopGroup)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    var connectionLogger = logger
                    connectionLogger[metadataKey: "smtp.remote"] = "\(channel.remoteAddress.map(Self.describe) ?? "unknown")"
                    try channel.pipeline.syncOperations.addHandler(
                        SMTPServerFramingHandler(settings: framingSettings, logger: connectionLogger)
                    )
                    return try NIOAsyncChannel<SMTPServerInboundLine, SMTPServerOutbound>(
                        wrappingChannelSynchronously: channel
                    )
                }
            }

        let port = serverChannel.channel.localAddress?.port ?? configuration.port
        logger.info(
            "SMTP listener started",
            metadata: ["smtp.host": "\(configuration.host)", "smtp.port": "\(port)", "smtp.mode": "\(configuration.mode)"]
        )
        onBound(port)

        let slots = SMTPServerConnectionSlots(limit: configuration.maxConnections)
        try await withThrowingDiscardingTaskGroup { group in
            try await serverChannel.executeThenClose { inbound in
                for try await connection in inbound {
                    var connectionLogger = logger
                    connectionLogger[metadataKey: "smtp.remote"] = "\(connection.channel.remoteAddress.map(Self.describe) ?? "unknown")"
                    if await slots.acquire() {
                        group.addTask {
                            await self.serve(connection, logger: connectionLogger)
                            await slots.release()
                        }
                    } else {
                        group.addTask {
                            await self.refuseBusy(connection, logger: connectionLogger)
                        }
                    }
                }
            }
        }
        logger.info("SMTP listener stopped", metadata: ["smtp.port": "\(port)"])
    }

    /// Serves one connection to the end. Never throws: whatever goes wrong ends this connection only.
    private func serve(
        _ connection: NIOAsyncChannel<SMTPServerInboundLine, SMTPServerOutbound>,
        logger: Logger
    ) async {
        logger.info("SMTP connection opened")
        do {
            try await connection.executeThenClose { inbound, outbound in
                var driver = SMTPServerConnection(
                    session: SMTPServerSession(
                        configuration: self.configuration,
                        remoteAddress: connection.channel.remoteAddress?.ipAddress ?? "unknown"
                    ),
                    handler: self.handler,
                    outbound: outbound,
                    allocator: connection.channel.allocator,
                    logger: logger
                )
                try await driver.run(inbound)
            }
            logger.info("SMTP connection closed")
        } catch {
            logger.info("SMTP connection ended with an error", metadata: ["error": "\(error)"])
        }
    }

    private func refuseBusy(
        _ connection: NIOAsyncChannel<SMTPServerInboundLine, SMTPServerOutbound>,
        logger: Logger
    ) async {
        logger.warning(
            "SMTP connection refused: too many connections",
            metadata: ["smtp.maxConnections": "\(self.configuration.maxConnections)"]
        )
        let reply = SMTPServerReply.tooBusy(hostname: self.configuration.hostname).encoded
        do {
            try await connection.executeThenClose { _, outbound in
                try await outbound.write(.reply(connection.channel.allocator.buffer(bytes: reply), lastConsumedSequence: 0))
            }
        } catch {
            logger.debug("SMTP busy reply not delivered", metadata: ["error": "\(error)"])
        }
    }

    private static func describe(_ address: SocketAddress) -> String {
        guard let ip = address.ipAddress, let port = address.port else { return "\(address)" }
        return "\(ip):\(port)"
    }
}

/// Drives one `SMTPServerSession`: feeds it the framed lines and performs its actions.
struct SMTPServerConnection {
    var session: SMTPServerSession
    let handler: any SMTPDeliveryHandler
    let outbound: NIOAsyncChannelOutboundWriter<SMTPServerOutbound>
    let allocator: ByteBufferAllocator
    let logger: Logger
    private var lastConsumedSequence = 0
    private var epoch = 0

    init(
        session: SMTPServerSession,
        handler: any SMTPDeliveryHandler,
        outbound: NIOAsyncChannelOutboundWriter<SMTPServerOutbound>,
        allocator: ByteBufferAllocator,
        logger: Logger
    ) {
        self.session = session
        self.handler = handler
        self.outbound = outbound
        self.allocator = allocator
        self.logger = logger
    }

    /// Returns when the session closes, the client goes away, or the task is cancelled.
    mutating func run(_ inbound: NIOAsyncChannelInboundStream<SMTPServerInboundLine>) async throws {
        guard try await self.perform(self.session.start()) else { return }
        var discardedAfterSTARTTLS = 0
        for try await line in inbound {
            self.lastConsumedSequence = line.sequence
            guard line.epoch == self.epoch else {
                // Framed from cleartext that followed STARTTLS in the same packet: never executed.
                if discardedAfterSTARTTLS == 0 {
                    self.logger.warning("SMTP client pipelined commands after STARTTLS; discarded")
                }
                discardedAfterSTARTTLS += line.bytes.readableBytes
                continue
            }
            let actions = self.session.receive(line: line.bytes.readableBytesView, endsLine: line.endsLine)
            guard try await self.perform(actions) else { return }
        }
    }

    /// Performs the actions in order, feeding the handler's answers back into the session.
    /// Returns false once the connection is to be closed.
    private mutating func perform(_ actions: [SMTPServerSession.Action]) async throws -> Bool {
        var pending = actions[...]
        while let action = pending.popFirst() {
            switch action {
            case .send(let reply):
                try await self.outbound.write(
                    .reply(self.allocator.buffer(bytes: reply.encoded), lastConsumedSequence: self.lastConsumedSequence)
                )
            case .checkRecipient(let address, let envelope):
                let decision = await self.handler.checkRecipient(address, envelope: envelope)
                pending.append(contentsOf: self.session.recipientChecked(decision))
            case .deliver(let message, let envelope):
                let result = await self.handler.deliver(message, envelope: envelope)
                self.log(result, envelope: envelope, size: message.count)
                pending.append(contentsOf: self.session.deliveryFinished(result))
            case .enterDataMode:
                try await self.outbound.write(.enterDataMode)
            case .leaveDataMode:
                try await self.outbound.write(.leaveDataMode)
            case .startTLS(let reply):
                try await self.outbound.write(.startTLS(self.allocator.buffer(bytes: reply.encoded)))
                self.epoch += 1
            case .close:
                return false
            }
        }
        return true
    }

    /// The envelope and the outcome; never the message.
    private func log(_ result: SMTPDeliveryResult, envelope: SMTPEnvelope, size: Int) {
        var metadata: Logger.Metadata = [
            "smtp.from": "\(envelope.mailFrom)",
            "smtp.recipients": "\(envelope.recipients.count)",
            "smtp.bytes": "\(size)",
            "smtp.tls": "\(envelope.tlsActive)",
        ]
        switch result {
        case .accepted(let id):
            metadata["smtp.id"] = "\(id)"
            self.logger.info("SMTP message accepted", metadata: metadata)
        case .temporaryFailure(let reason):
            metadata["smtp.reason"] = "\(reason)"
            self.logger.warning("SMTP message deferred (451)", metadata: metadata)
        case .permanentFailure(let reason):
            metadata["smtp.reason"] = "\(reason)"
            self.logger.warning("SMTP message refused (554)", metadata: metadata)
        }
    }
}

/// Counts connections being served, for `maxConnections`.
actor SMTPServerConnectionSlots {
    private let limit: Int
    private var inUse = 0

    init(limit: Int) {
        self.limit = limit
    }

    func acquire() -> Bool {
        guard self.inUse < self.limit else { return false }
        self.inUse += 1
        return true
    }

    func release() {
        self.inUse -= 1
    }
}
