import ArgumentParser
import FairdeskTransport
import Foundation
import Logging
import NIOPosix

/// `fairdesk mailgate`: reads one message on standard input and hands it to a running
/// Fairdesk over SMTP, the way Postfix's `pipe` or a `.forward` hands mail to a program.
/// Exit codes follow sysexits.h so the MTA knows what to do: 0 delivered, 75
/// (EX_TEMPFAIL) when Fairdesk is down or busy — the MTA keeps the message and retries —
/// and 69 (EX_UNAVAILABLE) when Fairdesk refused it for good (the MTA bounces it).
struct MailgateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailgate",
        abstract: "Deliver one message from standard input to a running Fairdesk (for an MTA's pipe).",
        discussion: """
            Postfix master.cf:  fairdesk unix - n n - - pipe flags=Rq user=fairdesk argv=/usr/local/bin/fairdesk mailgate --sender ${sender} --recipient ${recipient}
            Exit codes: 0 delivered; 75 temporary failure (retry); 69 refused; 64 bad usage; 74 cannot read input.
            """
    )

    @ArgumentParser.Option(help: "Host of Fairdesk's SMTP listener (env FAIRDESK_MAILGATE_HOST)")
    var host: String = ProcessInfo.processInfo.environment["FAIRDESK_MAILGATE_HOST"] ?? "127.0.0.1"
    @ArgumentParser.Option(help: "Port of Fairdesk's SMTP listener (env FAIRDESK_MAILGATE_PORT)")
    var port: Int = Int(ProcessInfo.processInfo.environment["FAIRDESK_MAILGATE_PORT"] ?? "") ?? 2525
    @ArgumentParser.Option(help: "Envelope sender (the MTA's ${sender}); empty for bounces")
    var sender: String = ""
    @ArgumentParser.Option(help: "Envelope recipient, a support address (the MTA's ${recipient})")
    var recipient: String = "support@localhost"

    func run() async throws {
        let input = FileHandle.standardInput.readDataToEndOfFile()
        guard !input.isEmpty else {
            FileHandle.standardError.write(Data("fairdesk mailgate: no message on standard input\n".utf8))
            throw ExitCode(74)
        }
        var logger = Logger(label: "fairdesk.mailgate")
        logger.logLevel = .warning
        let settings = SMTPClientConfiguration(host: host, port: port, security: .none, username: nil, password: nil)
        let client = SMTPClient(configuration: settings, eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger)
        do {
            _ = try await client.send(from: sender, to: [recipient], message: Array(input))
        } catch let error as SMTPClientError {
            FileHandle.standardError.write(Data("fairdesk mailgate: \(error)\n".utf8))
            throw ExitCode(error.isPermanent ? 69 : 75)
        } catch {
            FileHandle.standardError.write(Data("fairdesk mailgate: \(error)\n".utf8))
            throw ExitCode(75)
        }
    }
}
