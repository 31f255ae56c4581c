import NIOCore

/// One complete server reply: its code and the text of every line.
struct SMTPClientReply: Sendable, Hashable, CustomStringConvertible {
    var code: Int
    /// The text after "250-" / "250 " on each line, enhanced status code included.
    var lines: [String]

    /// RFC 5321 §4.2.1: the first digit is the verdict.
    var isPositiveCompletion: Bool { (200..<300).contains(self.code) }
    var isPositiveIntermediate: Bool { (300..<400).contains(self.code) }
    var isPermanentNegative: Bool { (500..<600).contains(self.code) }

    /// The RFC 3463 status code ("5.1.1") at the start of the first line, if the server
    /// sent one (RFC 2034 says it starts the text of every line when ENHANCEDSTATUSCODES
    /// is advertised; many servers send it anyway).
    var enhancedCode: String? {
        self.lines.first.flatMap { Self.splitEnhancedCode($0)?.code }
    }

    /// The human text of all lines, without codes, on one line.
    var text: String {
        self.lines
            .map { line in Self.splitEnhancedCode(line).map { String($0.rest) } ?? line }
            .filter { !$0.isEmpty }
            .joined(separator: " ")
    }

    var description: String {
        [String(self.code), self.enhancedCode, self.text].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// The error for a reply that ends the transaction.
    func rejection() -> SMTPClientError {
        // A 2xx or 3xx where something else was expected means client and server disagree
        // about the state of the dialogue; a fresh attempt may well work.
        .rejected(code: self.code, enhanced: self.enhancedCode, text: self.text, permanent: self.isPermanentNegative)
    }
}

enum SMTPClientReplyParseError: Error, Hashable, CustomStringConvertible {
    case lineTooLong(limit: Int)
    case tooManyLines(limit: Int)
    case malformedLine(String)
    /// Bytes arrived after the server's "220" to STARTTLS and before TLS started. They
    /// would otherwise be read as if they had come over TLS (response injection,
    /// RFC 3207 §6 and CVE-2011-0411).
    case plaintextAfterSTARTTLS

    var description: String {
        switch self {
        case .lineTooLong(let limit): "a reply line is longer than \(limit) bytes"
        case .tooManyLines(let limit): "a reply has more than \(limit) lines"
        case .malformedLine(let excerpt): "malformed reply line \"\(excerpt)\""
        case .plaintextAfterSTARTTLS: "the server sent unencrypted data after agreeing to STARTTLS"
        }
    }
}

extension SMTPClientReply {
    /// RFC 5321 §4.2:
    ///
    ///     Reply-line = *( Reply-code "-" [ textstring ] CRLF )
    ///                  Reply-code [ SP textstring ] CRLF
    ///     Reply-code = %x32-35 %x30-35 %x30-39
    ///     textstring = 1*(%d09 / %d32-126)
    ///
    /// Returns nil, consuming nothing, while the buffer does not yet hold a whole reply;
    /// throws when what it holds can never become one.
    ///
    /// Liberal where real servers are sloppy: a bare LF ends a line, a line may be just
    /// the code, any second digit is accepted, text bytes are decoded as UTF-8 with
    /// replacement, and if a server changes the code between lines the last line's wins.
    static func parse(from buffer: inout ByteBuffer, limits: SMTPClientLimits) throws(SMTPClientReplyParseError) -> SMTPClientReply? {
        let view = buffer.readableBytesView
        var lineStart = view.startIndex
        var lines: [String] = []

        while true {
            guard let lineFeed = view[lineStart...].firstIndex(of: UInt8(ascii: "\n")) else {
                if view.endIndex - lineStart > limits.maxReplyLineLength {
                    throw .lineTooLong(limit: limits.maxReplyLineLength)
                }
                return nil
            }
            if lineFeed + 1 - lineStart > limits.maxReplyLineLength {
                throw .lineTooLong(limit: limits.maxReplyLineLength)
            }
            var line = view[lineStart..<lineFeed]
            if line.last == UInt8(ascii: "\r") {
                line = line.dropLast()
            }

            let (code, isLast, text) = try self.parseLine(line)
            lines.append(text)
            lineStart = lineFeed + 1

            if isLast {
                buffer.moveReaderIndex(forwardBy: lineStart - view.startIndex)
                return SMTPClientReply(code: code, lines: lines)
            }
            if lines.count >= limits.maxReplyLines {
                throw .tooManyLines(limit: limits.maxReplyLines)
            }
        }
    }

    private static func parseLine(_ line: ByteBufferView.SubSequence) throws(SMTPClientReplyParseError) -> (code: Int, isLast: Bool, text: String) {
        let bytes = Array(line)
        let isDigit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
        guard bytes.count >= 3, (UInt8(ascii: "2")...UInt8(ascii: "5")).contains(bytes[0]), isDigit(bytes[1]), isDigit(bytes[2]) else {
            throw .malformedLine(Self.excerpt(bytes))
        }
        let code = bytes[0..<3].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        guard bytes.count > 3 else {
            return (code, true, "")
        }
        let text = String(decoding: bytes[4...], as: UTF8.self)
        switch bytes[3] {
        case UInt8(ascii: "-"): return (code, false, text)
        case UInt8(ascii: " "): return (code, true, text)
        default: throw .malformedLine(Self.excerpt(bytes))
        }
    }

    /// RFC 3463 §2:
    ///
    ///     status-code = class "." subject "." detail
    ///     class       = "2" / "4" / "5"
    ///     subject     = 1*3digit
    ///     detail      = 1*3digit
    ///
    /// followed by a space or the end of the line.
    static func splitEnhancedCode(_ text: String) -> (code: String, rest: Substring)? {
        let end = text.firstIndex(of: " ") ?? text.endIndex
        let candidate = text[..<end]
        let parts = candidate.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, ["2", "4", "5"].contains(parts[0]),
            parts[1...].allSatisfy({ (1...3).contains($0.count) && $0.allSatisfy { ("0"..."9").contains($0) } })
        else {
            return nil
        }
        return (String(candidate), text[end...].drop(while: { $0 == " " }))
    }

    /// A printable, bounded excerpt of a bad line for the error message.
    private static func excerpt(_ bytes: [UInt8]) -> String {
        let shown = bytes.prefix(60).map { byte -> String in
            (0x20..<0x7F).contains(byte) ? String(Unicode.Scalar(byte)) : "\\x" + String(byte, radix: 16)
        }
        return shown.joined() + (bytes.count > 60 ? "..." : "")
    }
}
