import Foundation
import NIOCore
import NIOPosix

/// A tiny SMTP "server" on 127.0.0.1 that answers from a script, for behaviour aiosmtpd
/// cannot be made to show: no EHLO, silence, garbage, injected text after STARTTLS.
///
/// `respond` gets each command line (without CRLF) and returns the raw reply bytes to
/// send (CRLFs included), or nil to stay silent. After a reply starting with "354" the
/// peer collects DATA up to the "." line and calls `respond` with `"<end of data>"`.
final class SMTPClientScriptedPeer: Sendable {
    let port: Int
    private let channel: any Channel
    private let log: CommandLog

    /// Lines the peer received, DATA contents excluded.
    var commands: [String] { self.log.lines }

    init(greeting: String?, respond: @escaping @Sendable (String) -> String?) async throws {
        let log = CommandLog()
        self.log = log
        self.channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ScriptHandler(greeting: greeting, respond: respond, log: log))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        self.port = self.channel.localAddress?.port ?? 0
    }

    func stop() async {
        try? await self.channel.close()
    }

    /// Thread-safe list of received lines. NSLock guards every access, which is why the
    /// `@unchecked Sendable` is safe.
    private final class CommandLog: @unchecked Sendable {
        private let lock = NSLock()
        private var storage: [String] = []

        var lines: [String] { self.lock.withLock { self.storage } }

        func append(_ line: String) {
            self.lock.withLock { self.storage.append(line) }
        }
    }

    private final class ScriptHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        private let greeting: String?
        private let respond: @Sendable (String) -> String?
        private let log: CommandLog
        private var pending: [UInt8] = []
        private var inData = false

        init(greeting: String?, respond: @escaping @Sendable (String) -> String?, log: CommandLog) {
            self.greeting = greeting
            self.respond = respond
            self.log = log
        }

        func channelActive(context: ChannelHandlerContext) {
            if let greeting {
                context.writeAndFlush(Self.wrapOutboundOut(ByteBuffer(string: greeting)), promise: nil)
            }
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = Self.unwrapInboundIn(data)
            self.pending += buffer.readBytes(length: buffer.readableBytes) ?? []
            while let lineFeed = self.pending.firstIndex(of: UInt8(ascii: "\n")) {
                var line = String(decoding: self.pending[..<lineFeed], as: UTF8.self)
                self.pending.removeSubrange(...lineFeed)
                if line.hasSuffix("\r") { line.removeLast() }

                let answer: String?
                if self.inData {
                    guard line == "." else { continue }
                    self.inData = false
                    answer = self.respond("<end of data>")
                } else {
                    self.log.append(line)
                    answer = self.respond(line)
                }
                if let answer {
                    self.inData = answer.hasPrefix("354")
                    context.writeAndFlush(Self.wrapOutboundOut(ByteBuffer(string: answer)), promise: nil)
                }
            }
        }
    }
}

/// Collects every log message and metadata value, to prove secrets never reach a log.
/// NSLock guards every access, which is why the `@unchecked Sendable` is safe.
final class SMTPClientRecordingLog: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []

    var entries: [String] { self.lock.withLock { self.storage } }

    func append(_ entry: String) {
        self.lock.withLock { self.storage.append(entry) }
    }
}
