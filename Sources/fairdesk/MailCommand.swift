import ArgumentParser
import Crypto
import FairdeskMail
import Foundation

struct MailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail",
        abstract: "Inspect mail the way Fairdesk reads it.",
        subcommands: [MailParseCommand.self]
    )
}

/// `fairdesk mail parse`: shows an admin what Fairdesk understood of a message, so they
/// can see why a mail landed where it did.
struct MailParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Print what Fairdesk understands of each message file.",
        discussion: """
            With --json, prints one JSON object per line per file with the keys file, \
            message_id, from, to, cc, subject, date, in_reply_to, references, body, \
            body_type, attachments and defects. Malformed mail is still parsed; what was \
            recovered from is listed under defects. Exits non-zero only when a file \
            cannot be read.
            """
    )

    @Flag(name: .long, help: "One JSON object per line per file.")
    var json = false

    @ArgumentParser.Argument(help: "Message files (RFC 5322, e.g. .eml). '-' reads standard input.")
    var files: [String]

    func run() throws {
        var unreadable = 0
        for file in files {
            let bytes: [UInt8]
            do {
                bytes = try Self.read(file)
            } catch {
                unreadable += 1
                FileHandle.standardError.write(Data("fairdesk: cannot read \(file): \(Self.reason(error))\n".utf8))
                continue
            }
            let message = Message.parse(bytes)
            let summary = MessageSummary(file: file, message: message, sha256: Self.sha256)
            if json {
                print(summary.jsonLine())
            } else {
                print(Self.describe(summary, message))
            }
        }
        if unreadable > 0 { throw ExitCode(1) }
    }

    static func read(_ file: String) throws -> [UInt8] {
        if file == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        return Array(try Data(contentsOf: URL(fileURLWithPath: file)))
    }

    static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return nsError.localizedDescription
    }

    static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// The human-readable report.
    static func describe(_ summary: MessageSummary, _ message: Message) -> String {
        func address(_ a: MessageSummary.Address) -> String {
            a.name.map { "\($0) <\(a.address)>" } ?? a.address
        }
        var lines = ["== \(summary.file)"]
        lines.append("Message-ID:  \(summary.messageID ?? "(none)")")
        lines.append("From:        \(summary.from.map(address) ?? "(none)")")
        if !summary.to.isEmpty { lines.append("To:          \(summary.to.map(address).joined(separator: ", "))") }
        if !summary.cc.isEmpty { lines.append("Cc:          \(summary.cc.map(address).joined(separator: ", "))") }
        lines.append("Subject:     \(summary.subject ?? "(none)")")
        lines.append("Date:        \(summary.date ?? "(none or unreadable)")")
        if let inReplyTo = summary.inReplyTo { lines.append("In-Reply-To: \(inReplyTo)") }
        if !summary.references.isEmpty { lines.append("References:  \(summary.references.joined(separator: " "))") }
        if message.isAutomatic {
            lines.append("Automatic:   yes (\(message.automaticSignals.map(\.description).joined(separator: "; "))): Fairdesk will not auto-reply")
        }
        if message.isUrgentByHeaders {
            lines.append("Urgency:     \(message.urgencySignals.joined(separator: "; ")) (flagged, never reordered)")
        }
        let continuations = message.bodyContinuations.isEmpty ? "" : ", \(message.bodyContinuations.count) continuation(s)"
        lines.append("Body:        \(summary.bodyType ?? "none")\(continuations), \(summary.body.count) characters")
        for line in summary.body.split(separator: "\n", omittingEmptySubsequences: false).prefix(12) {
            lines.append("  | \(line)")
        }
        if summary.body.split(separator: "\n", omittingEmptySubsequences: false).count > 12 { lines.append("  | …") }
        if summary.attachments.isEmpty {
            lines.append("Attachments: none")
        } else {
            lines.append("Attachments:")
            for (i, file) in summary.attachments.enumerated() {
                lines.append("  \(i + 1). \(file.filename ?? "(no name)")  \(file.contentType)  \(file.disposition ?? "-")  \(file.size) bytes  sha256 \(file.sha256)")
            }
        }
        if !summary.defects.isEmpty {
            lines.append("Defects:")
            for defect in summary.defects { lines.append("  - \(defect)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
