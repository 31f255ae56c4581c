import Foundation
import NIOCore
import NIOSSL

/// Starts `smtp_peer.py` (aiosmtpd) as a subprocess on 127.0.0.1 and reads back what it
/// received. One peer per test; `stop()` it in a `defer`.
///
/// A missing aiosmtpd is a failure, not a skip: CI must install it
/// (`python3 -m pip install aiosmtpd==1.4.6`).
struct SMTPClientTestPeer: Sendable {
    struct Options: Sendable {
        var certificate: SMTPClientTestCertificate?
        var requireSTARTTLS = false
        var implicitTLS = false
        var authUser: String?
        var authPassword: String?
        var authMechanisms = ["PLAIN", "LOGIN"]
        var rejectRecipients: [String] = []
        var dataReply: String?
    }

    /// One message as the peer stored it.
    struct Received: Sendable {
        var bytes: [UInt8]
        var mailFrom: String
        var mailOptions: [String]
        var recipients: [String]
        var overTLS: Bool
        var authenticatedAs: String?
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let port: Int
    let maildir: URL
    private let process: Process
    private let input: Pipe

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("smtp_peer.py")

    static func start(_ options: Options = Options()) throws -> SMTPClientTestPeer {
        try self.requireAiosmtpd()

        let maildir = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-peer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: maildir, withIntermediateDirectories: true)

        var arguments = [self.script.path, "--maildir", maildir.path]
        if let certificate = options.certificate {
            arguments += ["--cert", certificate.certificatePath, "--key", certificate.keyPath]
        }
        if options.requireSTARTTLS { arguments.append("--require-starttls") }
        if options.implicitTLS { arguments.append("--implicit-tls") }
        if let user = options.authUser {
            arguments += ["--auth-user", user, "--auth-password", options.authPassword ?? "", "--auth-mechanisms", options.authMechanisms.joined(separator: ",")]
        }
        for recipient in options.rejectRecipients { arguments += ["--reject-recipient", recipient] }
        if let reply = options.dataReply { arguments += ["--data-reply", reply] }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-u"] + arguments
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()

        // The first line of stdout is the port; EOF first means the script died.
        var firstLine: [UInt8] = []
        while !firstLine.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            firstLine += chunk
        }
        guard let port = Int(String(decoding: firstLine, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            process.waitUntilExit()
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw Failure(description: "smtp_peer.py did not start: \(stderr)")
        }
        return SMTPClientTestPeer(port: port, maildir: maildir, process: process, input: input)
    }

    func stop() {
        try? self.input.fileHandleForWriting.close()
        self.process.terminate()
        self.process.waitUntilExit()
        try? FileManager.default.removeItem(at: self.maildir)
    }

    /// Messages received so far, oldest first.
    func messages() throws -> [Received] {
        let names = try FileManager.default.contentsOfDirectory(atPath: self.maildir.path)
            .filter { $0.hasSuffix(".json") }
            .sorted()
        return try names.map { name in
            let base = String(name.dropLast(".json".count))
            let sidecar = try JSONSerialization.jsonObject(with: Data(contentsOf: self.maildir.appendingPathComponent(name))) as? [String: Any] ?? [:]
            let bytes = try Data(contentsOf: self.maildir.appendingPathComponent(base + ".eml"))
            return Received(
                bytes: Array(bytes),
                mailFrom: sidecar["mail_from"] as? String ?? "",
                mailOptions: sidecar["mail_options"] as? [String] ?? [],
                recipients: sidecar["rcpt_tos"] as? [String] ?? [],
                overTLS: sidecar["tls"] as? Bool ?? false,
                authenticatedAs: sidecar["authenticated_as"] as? String
            )
        }
    }

    private static func requireAiosmtpd() throws {
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", "import aiosmtpd"]
        check.standardOutput = FileHandle.nullDevice
        check.standardError = FileHandle.nullDevice
        do {
            try check.run()
            check.waitUntilExit()
        } catch {
            throw Failure(description: "python3 is needed for the SMTP client tests (\(error)); install python3 and then: python3 -m pip install aiosmtpd==1.4.6")
        }
        guard check.terminationStatus == 0 else {
            throw Failure(description: "the SMTP client tests need the Python package aiosmtpd: python3 -m pip install aiosmtpd==1.4.6")
        }
    }
}

/// A self-signed certificate for localhost and 127.0.0.1, made once per test run with
/// the openssl command line tool.
struct SMTPClientTestCertificate: Sendable {
    let certificatePath: String
    let keyPath: String

    static func shared() throws -> SMTPClientTestCertificate {
        try self.generated.get()
    }

    private static let generated: Result<SMTPClientTestCertificate, any Error> = Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-client-cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificate = SMTPClientTestCertificate(
            certificatePath: directory.appendingPathComponent("cert.pem").path,
            keyPath: directory.appendingPathComponent("key.pem").path
        )
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", certificate.keyPath, "-out", certificate.certificatePath, "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else {
            throw SMTPClientTestPeer.Failure(description: "openssl req -x509 failed (status \(openssl.terminationStatus))")
        }
        return certificate
    }

    /// A client TLS configuration that trusts only this certificate.
    func trustingClientConfiguration() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(self.certificatePath))
        return configuration
    }
}
