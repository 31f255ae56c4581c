import Foundation

/// A file to send.
public struct OutgoingAttachment: Sendable, Hashable {
    public var filename: String
    /// `type/subtype`.
    public var contentType: String
    public var bytes: [UInt8]
    /// Set for images referenced from the HTML body as `cid:…`; such parts go inline.
    public var contentID: String?

    public init(filename: String, contentType: String = "application/octet-stream", bytes: [UInt8], contentID: String? = nil) {
        self.filename = filename
        self.contentType = contentType
        self.bytes = bytes
        self.contentID = contentID
    }
}

/// An outgoing message, rendered to RFC 5322 / MIME bytes by `render()`.
///
/// Rendering is deterministic: boundaries derive from the Message-ID, and contain `=_`,
/// which can never occur in quoted-printable or base64 output (nor in the 7bit text we
/// send, which has no `=`), so no boundary can collide with content (RFC 2046 §5.1.1).
public struct OutgoingMessage: Sendable {
    public var from: MailAddress
    public var to: [MailAddress]
    public var cc: [MailAddress]
    public var replyTo: [MailAddress]
    public var subject: String
    public var date: Date
    /// Without angle brackets: `local@domain`.
    public var messageID: String
    public var inReplyTo: String?
    public var references: [String]
    /// `auto-replied` or `auto-generated` for automatic mail (RFC 3834 §5); nil for a
    /// person's mail.
    public var autoSubmitted: String?
    /// Further fields, written as given (names and values must be ASCII and unfolded).
    public var extraHeaders: [HeaderField]
    public var textBody: String
    public var htmlBody: String?
    public var attachments: [OutgoingAttachment]

    public init(
        from: MailAddress, to: [MailAddress], cc: [MailAddress] = [], replyTo: [MailAddress] = [],
        subject: String, date: Date, messageID: String, inReplyTo: String? = nil, references: [String] = [],
        autoSubmitted: String? = nil, extraHeaders: [HeaderField] = [], textBody: String, htmlBody: String? = nil,
        attachments: [OutgoingAttachment] = []
    ) {
        self.from = from
        self.to = to
        self.cc = cc
        self.replyTo = replyTo
        self.subject = subject
        self.date = date
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
        self.autoSubmitted = autoSubmitted
        self.extraHeaders = extraHeaders
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.attachments = attachments
    }

    /// The message as bytes with CRLF line endings, ready for SMTP `DATA` (before
    /// dot-stuffing, which is the transport's job).
    public func render() -> [UInt8] {
        var out = Writer()
        out.field("Date", MailDate.format(date))
        out.field("From", from.formatted)
        if !to.isEmpty { out.addressField("To", to) }
        if !cc.isEmpty { out.addressField("Cc", cc) }
        if !replyTo.isEmpty { out.addressField("Reply-To", replyTo) }
        out.field("Subject", EncodedWords.encodeUnstructured(subject, fieldNameLength: 7))
        out.field("Message-ID", "<\(messageID)>")
        if let inReplyTo { out.field("In-Reply-To", "<\(inReplyTo)>") }
        if !references.isEmpty {
            out.field("References", references.map { "<\($0)>" }.joined(separator: "\r\n "))
        }
        if let autoSubmitted { out.field("Auto-Submitted", autoSubmitted) }
        for field in extraHeaders { out.field(field.name, field.value) }
        out.field("MIME-Version", "1.0")

        let seed = Self.boundarySeed(messageID)
        var boundaryCounter = 0
        func nextBoundary() -> String {
            boundaryCounter += 1
            return "=_fd\(seed)_\(boundaryCounter)"
        }

        let inline = attachments.filter { $0.contentID != nil && htmlBody != nil }
        let files = attachments.filter { !($0.contentID != nil && htmlBody != nil) }

        // A text body always ends with a line break, so what the parser reads back is
        // exactly what was given.
        let text = textBody.hasSuffix("\n") ? textBody : textBody + "\n"
        var body: Entity = .text(text, subtype: "plain")
        if let htmlBody {
            var html: Entity = .text(htmlBody.hasSuffix("\n") ? htmlBody : htmlBody + "\n", subtype: "html")
            if !inline.isEmpty {
                html = .multipart("related", [html] + inline.map { .file($0, inline: true) }, boundary: nextBoundary())
            }
            body = .multipart("alternative", [body, html], boundary: nextBoundary())
        }
        if !files.isEmpty {
            body = .multipart("mixed", [body] + files.map { .file($0, inline: false) }, boundary: nextBoundary())
        }
        body.write(to: &out)
        return out.bytes
    }

    /// Eight hex digits from the Message-ID (FNV-1a), so re-rendering gives the same bytes.
    private static func boundarySeed(_ messageID: String) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in messageID.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }

    private indirect enum Entity {
        case text(String, subtype: String)
        case file(OutgoingAttachment, inline: Bool)
        case multipart(String, [Entity], boundary: String)

        func write(to out: inout Writer) {
            switch self {
            case .text(let text, let subtype):
                let bytes = Array(text.utf8)
                let encoding = OutgoingMessage.textEncoding(bytes)
                out.field("Content-Type", "text/\(subtype); charset=utf-8")
                out.field("Content-Transfer-Encoding", encoding)
                out.blankLine()
                switch encoding {
                case "7bit":
                    out.append(OutgoingMessage.crlfLines(bytes))
                case "quoted-printable":
                    out.append(TransferEncoding.encodeQuotedPrintable(bytes, isText: true))
                default:
                    out.append(TransferEncoding.encodeBase64(OutgoingMessage.crlfLines(bytes)))
                }
                out.endLine()
            case .file(let file, let inline):
                out.field("Content-Type", "\(file.contentType);\r\n \(MIMEHeaderValue.formatParameter(name: "name", value: file.filename))")
                out.field("Content-Disposition", "\(inline ? "inline" : "attachment");\r\n \(MIMEHeaderValue.formatParameter(name: "filename", value: file.filename))")
                if let id = file.contentID { out.field("Content-ID", "<\(id)>") }
                out.field("Content-Transfer-Encoding", "base64")
                out.blankLine()
                out.append(TransferEncoding.encodeBase64(file.bytes))
                out.endLine()
            case .multipart(let subtype, let parts, let boundary):
                out.field("Content-Type", "multipart/\(subtype);\r\n boundary=\"\(boundary)\"")
                out.blankLine()
                // Every entity ends in CRLF; the CRLF before a delimiter belongs to the
                // delimiter (RFC 2046 §5.1.1), so it is written on top.
                for (index, part) in parts.enumerated() {
                    if index > 0 { out.newline() }
                    out.append(Array("--\(boundary)\r\n".utf8))
                    part.write(to: &out)
                }
                out.newline()
                out.append(Array("--\(boundary)--\r\n".utf8))
            }
        }
    }

    /// 7bit for short-lined ASCII without `=` (readable as is, and cannot hold a
    /// boundary); quoted-printable for mostly-ASCII text; base64 otherwise.
    static func textEncoding(_ bytes: [UInt8]) -> String {
        var nonASCII = 0
        var longestLine = 0
        var lineLength = 0
        var hasEquals = false
        var trailingSpace = false
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == 0x0A {
                if previous == 0x20 || previous == 0x09 { trailingSpace = true }
                longestLine = max(longestLine, lineLength)
                lineLength = 0
            } else if byte != 0x0D {
                lineLength += 1
            }
            if byte >= 0x80 || (byte < 0x20 && byte != 0x0A && byte != 0x0D && byte != 0x09) { nonASCII += 1 }
            if byte == UInt8(ascii: "=") { hasEquals = true }
            previous = byte
        }
        longestLine = max(longestLine, lineLength)
        if previous == 0x20 || previous == 0x09 { trailingSpace = true }
        if nonASCII == 0, !hasEquals, !trailingSpace, longestLine <= 76 { return "7bit" }
        return nonASCII * 6 < bytes.count ? "quoted-printable" : "base64"
    }

    /// "\n" and "\r\n" line endings as CRLF.
    static func crlfLines(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 40)
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == 0x0A, previous != 0x0D { out.append(0x0D) }
            out.append(byte)
            previous = byte
        }
        return out
    }

    private struct Writer {
        var bytes: [UInt8] = []

        mutating func field(_ name: String, _ value: String) {
            bytes.append(contentsOf: name.utf8)
            bytes.append(contentsOf: ": ".utf8)
            bytes.append(contentsOf: value.utf8)
            newline()
        }

        mutating func addressField(_ name: String, _ addresses: [MailAddress]) {
            field(name, addresses.map(\.formatted).joined(separator: ",\r\n "))
        }

        mutating func blankLine() { newline() }
        /// Ends the current line unless the output already ends with CRLF.
        mutating func endLine() {
            if bytes.count >= 2, bytes[bytes.count - 2] == 0x0D, bytes[bytes.count - 1] == 0x0A { return }
            newline()
        }
        mutating func newline() { bytes.append(contentsOf: [0x0D, 0x0A]) }
        mutating func append(_ more: [UInt8]) { bytes.append(contentsOf: more) }
    }
}
