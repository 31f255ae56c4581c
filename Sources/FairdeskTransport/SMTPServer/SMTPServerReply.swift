/// One SMTP reply: a three-digit code, an optional enhanced status code (RFC 3463, announced with
/// ENHANCEDSTATUSCODES per RFC 2034) and one or more lines of text.
struct SMTPServerReply: Sendable, Equatable, CustomStringConvertible {
var code: Int
    /// "2.1.0" and the like; nil for the greeting and the EHLO/HELO/LHLO reply, which RFC 2034 §3 exempts.
var enhancedCode: String?
var lines: [String]

init(_ code: Int, _ enhancedCode: String?, _ lines: [String]) {
        self.code = code
        self.enhancedCode = enhancedCode
        self.lines = lines.isEmpty ? [""] : lines
    }

init(_ code: Int, _ enhancedCode: String?, _ text: String) {
        self.init(code, enhancedCode, [text])
    }

    /// The reply on the wire, RFC 5321 §4.2:
    ///
    ///     Reply-line     = *( Reply-code "-" [ textstring ] CRLF )
    ///                      Reply-code [ SP textstring ] CRLF
var encoded: [UInt8] {
        var out: [UInt8] = []
        for (index, line) in self.lines.enumerated() {
            let separator = index == self.lines.count - 1 ? " " : "-"
            var text = "\(self.code)\(separator)"
            if let enhancedCode = self.enhancedCode {
                text += enhancedCode + " "
            }
            text += line
            out.append(contentsOf: Self.sanitized(text).utf8)
            out.append(contentsOf: [0x0D, 0x0A])
        }
        return out
    }

var description: String {
        String(decoding: self.encoded, as: UTF8.self)
    }

    /// Text from the delivery handler or from the client (an address) must never be able to end
    /// a reply line early and inject a reply of its own.
    private static func sanitized(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            scalar.value < 0x20 || scalar.value == 0x7F ? " " : scalar
        }))
    }
}

/// The replies with fixed wording, in one place so the session and the framing handler agree.
extension SMTPServerReply {
    static func greeting(hostname: String, mode: SMTPServerMode) -> Self {
        .init(220, nil, "\(hostname) \(mode == .smtp ? "ESMTP" : "LMTP") Fairdesk")
    }

    static func timeout(hostname: String) -> Self {
        .init(421, "4.4.2", "\(hostname) Timeout, closing connection")
    }

    static func tooBusy(hostname: String) -> Self {
        .init(421, "4.3.2", "\(hostname) Too busy, try again later")
    }

    static func tooManyErrors(hostname: String) -> Self {
        .init(421, "4.7.0", "\(hostname) Too many errors, closing connection")
    }

    static func lineNeverEnds(hostname: String) -> Self {
        .init(421, "4.5.0", "\(hostname) Line too long, closing connection")
    }

    static let ok = Self(250, "2.0.0", "OK")
    static let lineTooLong = Self(500, "5.5.6", "Line too long")
    static let messageTooBig = Self(552, "5.3.4", "Message size exceeds fixed maximum message size")
}
