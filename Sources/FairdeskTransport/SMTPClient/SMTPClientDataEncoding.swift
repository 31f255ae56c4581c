/// Turns RFC 5322 message bytes into the DATA stream: CRLF line endings, dot-stuffing,
/// and the terminating "." line.
enum SMTPClientDataEncoding {
    struct Encoded: Sendable, Hashable {
        /// What goes on the wire after the server's 354, terminator included.
        var wire: [UInt8]
        /// RFC 1870 §3: the message size counts CRLFs but not the doubled dots nor the
        /// terminating "." CRLF.
        var messageSize: Int
    }

    /// RFC 5321 §4.5.2: a line that begins with "." gets one more "." in front, and the
    /// data ends with CRLF "." CRLF. RFC 5321 §2.3.8: lines end with CRLF only.
    ///
    /// Every bare LF and bare CR is sent as CRLF. Servers disagree about what a bare LF
    /// means, and that disagreement is what "SMTP smuggling" exploits (a message
    /// containing LF "." CR LF could end DATA early on one server and not another), so
    /// the client makes the line structure unambiguous before stuffing. A message that
    /// does not end with a line break gets one.
    static func encode(_ message: some Collection<UInt8>) -> Encoded {
        let cr = UInt8(ascii: "\r")
        let lf = UInt8(ascii: "\n")
        let dot = UInt8(ascii: ".")

        var output: [UInt8] = []
        output.reserveCapacity(message.count + message.count / 64 + 5)
        var atLineStart = true
        var previousWasCR = false
        var stuffedDots = 0
        for byte in message {
            if previousWasCR {
                previousWasCR = false
                if byte == lf {
                    continue  // the LF of a CRLF we already wrote
                }
            }
            switch byte {
            case cr:
                output.append(cr)
                output.append(lf)
                atLineStart = true
                previousWasCR = true
            case lf:
                output.append(cr)
                output.append(lf)
                atLineStart = true
            default:
                if atLineStart && byte == dot {
                    output.append(dot)
                    stuffedDots += 1
                }
                output.append(byte)
                atLineStart = false
            }
        }
        if !atLineStart {
            output.append(cr)
            output.append(lf)
        }
        let messageSize = output.count - stuffedDots
        output.append(contentsOf: [dot, cr, lf])
        return Encoded(wire: output, messageSize: messageSize)
    }

    /// Whether BODY=8BITMIME (RFC 6152) applies.
    static func containsEightBitBytes(_ message: some Sequence<UInt8>) -> Bool {
        message.contains { $0 >= 0x80 }
    }
}
