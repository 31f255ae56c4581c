import Foundation
import Logging
import NIOCore
import NIOSSL

@testable import FairdeskTransport

/// Records what the server hands to the application. Accepts recipients on one domain only,
/// as the real application does to avoid being an open relay.
actor SMTPServerRecordingHandler: SMTPDeliveryHandler {
    struct Delivery: Sendable {
        var message: [UInt8]
        var envelope: SMTPEnvelope
    }

    let acceptedDomain: String
    private(set) var deliveries: [Delivery] = []
    private(set) var recipientChecks = 0

    init(acceptedDomain: String = "desk.test") {
        self.acceptedDomain = acceptedDomain
    }

    func checkRecipient(_ address: String, envelope: SMTPEnvelope) -> SMTPRecipientDecision {
        self.recipientChecks += 1
        return address.lowercased().hasSuffix("@" + self.acceptedDomain) ? .accept : .reject("relay access denied")
    }

    func deliver(_ message: [UInt8], envelope: SMTPEnvelope) -> SMTPDeliveryResult {
        self.deliveries.append(Delivery(message: message, envelope: envelope))
        return .accepted(id: "T\(self.deliveries.count)")
    }
}

struct SMTPServerTestError: Error, CustomStringConvertible {
    var description: String
}

enum SMTPServerTestSupport {
    static let logger = Logger(label: "fairdesk.smtp-server.test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Runs a server on an ephemeral port of 127.0.0.1 for the duration of `body`, then cancels it.
    static func withServer<Result: Sendable>(
        _ configuration: SMTPServerConfiguration,
        handler: SMTPServerRecordingHandler,
        _ body: (_ port: Int) async throws -> Result
    ) async throws -> Result {
        var configuration = configuration
        configuration.host = "127.0.0.1"
        configuration.port = 0
        let server = SMTPServer(configuration: configuration, handler: handler, logger: Self.logger)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { portContinuation.finish() }
                try await server.run(onBound: { port in portContinuation.yield(port) })
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                try await group.next()
                throw SMTPServerTestError(description: "the server stopped before binding")
            }
            let result: Result
            do {
                result = try await body(port)
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
            while true {
                do {
                    guard try await group.next() != nil else { break }
                } catch is CancellationError {
                    continue
                }
            }
            return result
        }
    }

    /// Common helpers for the Python clients: a raw line-based connection for what smtplib cannot do
    /// (pipelining, trickling, STARTTLS injection), and `out` to report results as JSON.
    static let pythonPrelude = #"""
        import base64, json, os, smtplib, socket, ssl, sys, time
        PORT = int(sys.argv[1])

        class Raw:
            def __init__(self, timeout=20):
                self.sock = socket.create_connection(("127.0.0.1", PORT), timeout=timeout)
                self.buf = b""
            def send(self, data):
                self.sock.sendall(data.encode() if isinstance(data, str) else data)
            def line(self):
                while b"\n" not in self.buf:
                    chunk = self.sock.recv(65536)
                    if not chunk:
                        raise EOFError("server closed the connection")
                    self.buf += chunk
                line, _, self.buf = self.buf.partition(b"\n")
                return line.rstrip(b"\r").decode()
            def reply(self):
                lines = []
                while True:
                    line = self.line()
                    lines.append(line)
                    if len(line) < 4 or line[3] != "-":
                        return int(line[:3]), lines
            def closed_by_server(self):
                try:
                    return self.buf == b"" and self.sock.recv(1) == b""
                except ConnectionResetError:
                    return True

        def out(**values):
            print(json.dumps(values))

        """#

    /// Runs `script` (after the prelude) as `python3 -c script port arguments...` and decodes
    /// the JSON it prints last.
    static func runPython<Report: Decodable>(
        _ script: String,
        port: Int,
        arguments: [String] = [],
        as report: Report.Type
    ) async throws -> Report {
        let (status, stdout, stderr) = try await Self.run(
            "timeout",
            ["120", "python3", "-c", Self.pythonPrelude + script, "\(port)"] + arguments
        )
        guard status == 0, let last = stdout.split(separator: "\n").last else {
            throw SMTPServerTestError(description: "python3 exited with \(status)\nstdout: \(stdout)\nstderr: \(stderr)")
        }
        return try JSONDecoder().decode(Report.self, from: Data(last.utf8))
    }

    /// Runs a program found on PATH; output goes through files, so a chatty child cannot block on a full pipe.
    static func run(_ program: String, _ arguments: [String]) async throws -> (Int32, String, String) {
        let directory = try Self.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let stdoutURL = directory.appendingPathComponent("stdout")
        let stderrURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        let stdoutHandle = try FileHandle(forWritingTo: stdoutURL)
        let stderrHandle = try FileHandle(forWritingTo: stderrURL)
        defer {
            try? stdoutHandle.close()
            try? stderrHandle.close()
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        process.standardOutput = stdoutHandle
        process.standardError = stderrHandle
        process.standardInput = FileHandle.nullDevice
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let stdout = try String(contentsOf: stdoutURL, encoding: .utf8)
        let stderr = try String(contentsOf: stderrURL, encoding: .utf8)
        return (process.terminationStatus, stdout, stderr)
    }

    static func makeTemporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fairdesk-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A throw-away self-signed certificate made with openssl, as a server TLS context.
    static func makeSelfSignedTLSContext() async throws -> NIOSSLContext {
        let directory = try Self.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyPath = directory.appendingPathComponent("key.pem").path
        let certificatePath = directory.appendingPathComponent("cert.pem").path
        let (status, _, stderr) = try await Self.run(
            "openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", keyPath, "-out", certificatePath, "-days", "2", "-subj", "/CN=localhost",
            ]
        )
        guard status == 0 else {
            throw SMTPServerTestError(description: "openssl failed: \(stderr)")
        }
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificatePath).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: keyPath, format: .pem))
        )
        return try NIOSSLContext(configuration: configuration)
    }
}
