import Foundation
import Glibc

/// Why a message looks automatic: Fairdesk never answers automatic mail (no mail loops,
/// RFC 3834 §2).
public enum AutomaticSignal: Sendable, Hashable, CustomStringConvertible {
    /// `Auto-Submitted` with any value but `no` (RFC 3834 §5).
    case autoSubmitted(String)
    /// `Precedence: bulk | list | junk | auto_reply`.
    case precedence(String)
    /// `X-Autoreply`, `X-Autorespond`, `X-Auto-Response-Suppress` and kin.
    case autoReplyHeader(String)
    /// `List-Id`, `List-Unsubscribe`, `List-Post` (RFC 2369, RFC 2919).
    case mailingList(String)
    /// A sender such as MAILER-DAEMON or postmaster.
    case systemSender(String)
    /// `multipart/report` (a DSN or MDN, RFC 6522).
    case deliveryReport(String)
    /// `Return-Path: <>`: the null reverse path of bounces.
    case nullReturnPath

    public var description: String {
        switch self {
        case .autoSubmitted(let v): return "Auto-Submitted: \(v)"
        case .precedence(let v): return "Precedence: \(v)"
        case .autoReplyHeader(let v): return v
        case .mailingList(let v): return v
        case .systemSender(let v): return "sender \(v)"
        case .deliveryReport(let v): return "multipart/report; report-type=\(v)"
        case .nullReturnPath: return "Return-Path: <>"
        }
    }
}

/// A file carried by a message, with its bytes decoded.
public struct Attachment: Sendable, Hashable {
    /// Decoded filename (RFC 2231 / RFC 2047 / raw), or nil when the part names none.
    public var filename: String?
    /// `type/subtype`, lower-case.
    public var contentType: String
    /// `attachment`, `inline` or another disposition value; nil without the header.
    public var disposition: String?
    /// Content-ID without angle brackets (for `cid:` references from HTML).
    public var contentID: String?
    public var bytes: [UInt8]
    public var size: Int { bytes.count }

    public init(filename: String?, contentType: String, disposition: String?, contentID: String?, bytes: [UInt8]) {
        self.filename = filename
        self.contentType = contentType
        self.disposition = disposition
        self.contentID = contentID
        self.bytes = bytes
    }

    /// For a forwarded message (`message/rfc822`): that message, parsed.
    public func embeddedMessage(limits: MailLimits = .default) -> Message? {
        guard contentType == "message/rfc822" || contentType == "message/global" else { return nil }
        return Message.parse(bytes, limits: limits)
    }
}

/// A parsed email: what a help desk needs out of it, plus the whole MIME tree and the
/// raw bytes. `Message.parse` never throws, never crashes and never loops; everything it
/// had to recover from is in `defects`.
public struct Message: Sendable {
    /// The bytes that were parsed (cut at `MailLimits.maxMessageBytes`).
    public let raw: [UInt8]
    public let root: MIMEPart
    public var headers: HeaderFields { root.headers }
    public private(set) var defects: [MailDefect]

    public private(set) var messageID: String?
    public private(set) var inReplyTo: String?
    public private(set) var references: [String] = []
    public private(set) var from: MailAddress?
    public private(set) var sender: MailAddress?
    public private(set) var replyTo: [MailAddress] = []
    public private(set) var to: [MailAddress] = []
    public private(set) var cc: [MailAddress] = []
    public private(set) var subject: String?
    public private(set) var date: Date?
    public private(set) var automaticSignals: [AutomaticSignal] = []
    /// Headers claiming urgency (`X-Priority: 1`, `Importance: high`, ...), as written.
    public private(set) var urgencySignals: [String] = []

    /// The main text body (see `bodyType`), "\n" line endings.
    public private(set) var textBody: String?
    /// `text/plain` or `text/html` (converted to text), or nil when there is no body text.
    public private(set) var bodyType: String?
    /// Inline text parts after the main body in a multipart/mixed, in order.
    public private(set) var bodyContinuations: [String] = []
    /// The first non-attachment text/html part, decoded but not sanitized.
    public private(set) var htmlBody: String?
    public private(set) var attachments: [Attachment] = []

    /// True when Fairdesk must not send an automatic answer to this message.
    public var isAutomatic: Bool { !automaticSignals.isEmpty }
    public var isUrgentByHeaders: Bool { !urgencySignals.isEmpty }

    /// The text body with its continuations: pieces joined by "\n", each piece ending in
    /// "\n" before the join (so pieces are separated by a blank line).
    public var fullText: String {
        guard let textBody else { return "" }
        var pieces = [textBody] + bodyContinuations
        for i in pieces.indices.dropLast() where !pieces[i].hasSuffix("\n") {
            pieces[i] += "\n"
        }
        return pieces.joined(separator: "\n")
    }

    /// Parses a message. Bytes past `limits.maxMessageBytes` are not parsed (defect).
    public static func parse(_ bytes: some Collection<UInt8>, limits: MailLimits = .default) -> Message {
        var raw = Array(bytes)
        var defects: [MailDefect] = []
        if raw.count > limits.maxMessageBytes {
            defects.append(MailDefect("limit.message-size", "\(raw.count) bytes; only the first \(limits.maxMessageBytes) parsed"))
            raw.removeLast(raw.count - limits.maxMessageBytes)
        }
        var parser = EntityParser(limits: limits)
        let root = parser.parse(raw, range: 0..<raw.count)
        defects += parser.defects
        var message = Message(raw: raw, root: root, defects: defects)
        message.readHeaders(limits: limits)
        message.readSignals()
        message.readBodies()
        return message
    }

    private init(raw: [UInt8], root: MIMEPart, defects: [MailDefect]) {
        self.raw = raw
        self.root = root
        self.defects = defects
    }

    // MARK: Headers

    private mutating func readHeaders(limits: MailLimits) {
        let headers = root.headers
        if let raw = headers["Message-ID"] {
            messageID = AddressParser.parseMessageIDs(raw).first ?? Self.bareID(raw)
        }
        if let raw = headers["In-Reply-To"] {
            inReplyTo = AddressParser.parseMessageIDs(raw).first
        }
        references = headers.all("References").flatMap { AddressParser.parseMessageIDs($0) }
        if let raw = headers["From"] {
            let parsed = AddressParser.parseSingle(raw)
            from = parsed.address
            defects += parsed.defects.map { Self.tag($0, "From") }
        }
        if let raw = headers["Sender"] {
            sender = AddressParser.parseSingle(raw).address
        }
        replyTo = addressList("Reply-To", limits)
        to = addressList("To", limits)
        cc = addressList("Cc", limits)
        if let raw = headers["Subject"] {
            let decoded = EncodedWords.decode(raw)
            subject = decoded.text.trimmingWhitespace()
            defects += decoded.defects.map { Self.tag($0, "Subject") }
        }
        if let raw = headers["Date"] {
            date = MailDate.parse(raw)
            if date == nil { defects.append(MailDefect("header.invalid-date", "'\(raw.prefix(60))'")) }
        }
    }

    private mutating func addressList(_ name: String, _ limits: MailLimits) -> [MailAddress] {
        var result: [MailAddress] = []
        for raw in root.headers.all(name) {
            let parsed = AddressParser.parseList(raw, limit: limits.maxAddressesPerHeader - result.count)
            result += parsed.addresses
            defects += parsed.defects.map { Self.tag($0, name) }
            if result.count >= limits.maxAddressesPerHeader { break }
        }
        return result
    }

    private static func tag(_ defect: MailDefect, _ field: String) -> MailDefect {
        MailDefect(defect.code, defect.detail.isEmpty ? field : "\(field): \(defect.detail)")
    }

    /// A Message-ID without brackets that the msg-id grammar did not accept.
    private static func bareID(_ raw: String) -> String? {
        let trimmed = raw.trimmingWhitespace().trimmingCharacters(in: CharacterSet(charactersIn: "<>"))
        return trimmed.isEmpty ? nil : trimmed
    }

    // MARK: Signals

    private mutating func readSignals() {
        let headers = root.headers
        if let value = headers["Auto-Submitted"] {
            let keyword = value.split(separator: ";").first.map { $0.trimmingWhitespace().lowercased() } ?? ""
            if keyword != "no", !keyword.isEmpty { automaticSignals.append(.autoSubmitted(keyword)) }
        }
        if let value = headers["Precedence"] {
            let keyword = value.trimmingWhitespace().lowercased()
            if ["bulk", "list", "junk", "auto_reply"].contains(keyword) { automaticSignals.append(.precedence(keyword)) }
        }
        for name in ["X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress", "X-AutoReply-From", "X-Mail-Autoreply"] {
            if let value = headers[name], !value.isEmpty {
                automaticSignals.append(.autoReplyHeader("\(name): \(value)"))
            }
        }
        for name in ["List-Id", "List-Unsubscribe", "List-Post"] where headers.contains(name) {
            automaticSignals.append(.mailingList(name))
            break
        }
        if let address = from?.address.lowercased() {
            let local = address.split(separator: "@", maxSplits: 1).first.map(String.init) ?? address
            if ["mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"].contains(local) {
                automaticSignals.append(.systemSender(address))
            }
        }
        if root.mediaType == "multipart/report" {
            automaticSignals.append(.deliveryReport(root.contentType.parameters["report-type"] ?? "unknown"))
        }
        if let returnPath = headers["Return-Path"], returnPath.filter({ !$0.isWhitespace }) == "<>" {
            automaticSignals.append(.nullReturnPath)
        }

        if let value = headers["X-Priority"], let digit = value.trimmingWhitespace().first, digit == "1" || digit == "2" {
            urgencySignals.append("X-Priority: \(value)")
        }
        if let value = headers["X-MSMail-Priority"], value.trimmingWhitespace().lowercased() == "high" {
            urgencySignals.append("X-MSMail-Priority: \(value)")
        }
        if let value = headers["Importance"], value.trimmingWhitespace().lowercased() == "high" {
            urgencySignals.append("Importance: \(value)")
        }
        if let value = headers["Priority"], value.trimmingWhitespace().lowercased() == "urgent" {
            urgencySignals.append("Priority: \(value)")
        }
    }

    // MARK: Bodies and attachments

    /// A leaf in document order, with every multipart/alternative it sits in.
    private struct Leaf {
        var part: MIMEPart
        var alternativeIDs: [Int]
    }

    private func leaves() -> [Leaf] {
        var result: [Leaf] = []
        var nextAlternativeID = 0
        func walk(_ part: MIMEPart, alternatives: [Int]) {
            switch part.content {
            case .leaf:
                result.append(Leaf(part: part, alternativeIDs: alternatives))
            case .multipart(let parts, _, _):
                var inner = alternatives
                if part.mediaType == "multipart/alternative" {
                    inner.append(nextAlternativeID)
                    nextAlternativeID += 1
                }
                for child in parts { walk(child, alternatives: inner) }
            }
        }
        walk(root, alternatives: [])
        return result
    }

    /// The attachment rule: a leaf is a file when it says so (disposition `attachment`),
    /// when it has a name, or when it is anything but plain text or HTML.
    static func isAttachment(_ part: MIMEPart) -> Bool {
        if part.disposition?.value == "attachment" { return true }
        if part.filename != nil { return true }
        return part.mediaType != "text/plain" && part.mediaType != "text/html"
    }

    private mutating func readBodies() {
        let leaves = leaves()
        var mainIndex: Int?
        for (i, leaf) in leaves.enumerated() where leaf.part.mediaType == "text/plain" && !Self.isAttachment(leaf.part) {
            mainIndex = i
            break
        }
        if mainIndex == nil {
            for (i, leaf) in leaves.enumerated() where leaf.part.mediaType == "text/html" && !Self.isAttachment(leaf.part) {
                mainIndex = i
                break
            }
        }
        var htmlDone = false

        for (i, leaf) in leaves.enumerated() {
            let part = leaf.part
            if Self.isAttachment(part) {
                let decoded = part.decodedBody()
                defects += decoded.defects
                attachments.append(Attachment(filename: part.filename, contentType: part.mediaType,
                                              disposition: part.disposition?.value, contentID: part.contentID,
                                              bytes: decoded.bytes))
                continue
            }
            if part.mediaType == "text/html", !htmlDone {
                htmlBody = decodeText(part)
                htmlDone = true
            }
            guard let mainIndex else { continue }
            let main = leaves[mainIndex]
            if i == mainIndex {
                bodyType = part.mediaType
                textBody = bodyText(of: part, html: i == mainIndex && part.mediaType == "text/html" ? htmlBody : nil)
            } else if i > mainIndex, part.mediaType == main.part.mediaType,
                      Set(leaf.alternativeIDs).isDisjoint(with: main.alternativeIDs) {
                // Not another rendering of the main text: no multipart/alternative holds both.
                bodyContinuations.append(bodyText(of: part, html: nil))
            }
        }
    }

    /// Text of a body part: charset-decoded, "\n" line endings, HTML converted, and any
    /// uuencoded files lifted out into attachments.
    private mutating func bodyText(of part: MIMEPart, html: String?) -> String {
        if part.mediaType == "text/html" {
            return HTMLText.plainText(fromHTML: html ?? decodeText(part))
        }
        let text = decodeText(part)
        return extractUUEncoded(text)
    }

    private mutating func decodeText(_ part: MIMEPart) -> String {
        let decoded = part.decodedBody()
        defects += decoded.defects
        let charset = Charset.decode(decoded.bytes, label: part.charset)
        if let defect = charset.defect { defects.append(defect) }
        return Self.normalizeLineEndings(charset.text)
    }

    static func normalizeLineEndings(_ text: String) -> String {
        var text = text
        return text.withUTF8 { utf8 -> String in
            guard let base = utf8.baseAddress, memchr(base, 0x0D, utf8.count) != nil else { return String(decoding: utf8, as: UTF8.self) }
            let bytes = [UInt8](unsafeUninitializedCapacity: utf8.count) { out, count in
                var written = 0
                var i = 0
                while i < utf8.count {
                    // Copy up to the next CR in one go; CRLF and lone CR both become LF.
                    let cr = memchr(base + i, 0x0D, utf8.count - i).map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - base } ?? utf8.count
                    let run = cr - i
                    if run > 0, let target = out.baseAddress {
                        (target + written).update(from: base + i, count: run)
                        written += run
                    }
                    guard cr < utf8.count else { break }
                    out[written] = 0x0A
                    written += 1
                    i = cr + 1
                    if i < utf8.count, base[i] == 0x0A { i += 1 }
                }
                count = written
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Whether some line of `text` starts with `prefix` (a byte scan: cheap on long bodies).
    static func hasLine(startingWith prefix: StaticString, in text: String) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            let p = prefix.utf8Start
            let length = prefix.utf8CodeUnitCount
            guard let base = utf8.baseAddress, utf8.count >= length else { return false }
            var i = 0
            while i + length <= utf8.count {
                if memcmp(base + i, p, length) == 0 { return true }
                guard let newline = memchr(base + i, 0x0A, utf8.count - i) else { return false }
                i = UnsafePointer(newline.assumingMemoryBound(to: UInt8.self)) - base + 1
            }
            return false
        }
    }

    /// Lifts `begin <mode> <name>` … `end` blocks out of a plain-text body into
    /// attachments (uuencode, still produced by old tools and some scanners).
    private mutating func extractUUEncoded(_ text: String) -> String {
        guard Self.hasLine(startingWith: "begin ", in: text) else { return text }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var i = 0
        var changed = false
        while i < lines.count {
            guard let (name) = Self.uuBeginName(lines[i]) else { i += 1; continue }
            guard let endIndex = lines[(i + 1)...].firstIndex(where: { $0 == "end" }) else { break }
            let data = lines[(i + 1)..<endIndex].map { ArraySlice(Array($0.utf8)) }
            let decoded = TransferEncoding.decodeUUEncodedLines(data)
            defects += decoded.defects
            attachments.append(Attachment(filename: name, contentType: "application/octet-stream",
                                          disposition: "attachment", contentID: nil, bytes: decoded.bytes))
            lines.removeSubrange(i...endIndex)
            changed = true
        }
        return changed ? lines.joined(separator: "\n") : text
    }

    /// `begin 644 name`: three or four octal digits, then the filename.
    private static func uuBeginName(_ line: Substring) -> String? {
        guard line.hasPrefix("begin ") else { return nil }
        let rest = line.dropFirst(6)
        guard let space = rest.firstIndex(of: " ") else { return nil }
        let mode = rest[..<space]
        guard (3...4).contains(mode.count), mode.allSatisfy({ ("0"..."7").contains($0) }) else { return nil }
        let name = rest[rest.index(after: space)...].trimmingWhitespace()
        return name.isEmpty ? nil : name
    }
}
