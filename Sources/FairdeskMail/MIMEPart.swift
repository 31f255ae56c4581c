import Glibc

/// One MIME entity (RFC 2045 §2.4): header fields and a body that is either a leaf or a
/// list of parts. Bodies are ranges into the message's bytes, which every part shares, so
/// the tree costs no copies; decoding happens on request.
public struct MIMEPart: Sendable {
    public enum Content: Sendable {
        case leaf
        /// RFC 2046 §5.1.1: parts between boundary delimiters; preamble and epilogue are
        /// the bytes before the first and after the closing delimiter.
        case multipart(parts: [MIMEPart], preamble: Range<Int>, epilogue: Range<Int>)
    }

    public let headers: HeaderFields
    /// The effective Content-Type, with defaults applied (RFC 2045 §5.2).
    public let contentType: MIMEHeaderValue
    public let disposition: MIMEHeaderValue?
    /// Lower-cased Content-Transfer-Encoding; `7bit` when absent.
    public let transferEncoding: String
    public let content: Content
    /// The body's bytes within `source`.
    public let bodyRange: Range<Int>
    /// Nesting depth: 0 for the message itself.
    public let depth: Int
    let source: [UInt8]

    /// `type/subtype`, lower-case.
    public var mediaType: String { contentType.value }
    public var isMultipart: Bool {
        if case .multipart = content { return true }
        return false
    }
    public var parts: [MIMEPart] {
        if case .multipart(let parts, _, _) = content { return parts }
        return []
    }
    /// The body as it stands, still transfer-encoded.
    public var rawBody: ArraySlice<UInt8> { source[bodyRange] }
    public var charset: String? { contentType.parameters["charset"] }

    /// The filename from Content-Disposition, else from the Content-Type `name` parameter.
    public var filename: String? {
        if let name = disposition?.parameters["filename"], !name.isEmpty { return name }
        if let name = contentType.parameters["name"], !name.isEmpty { return name }
        return nil
    }

    /// Content-ID without angle brackets.
    public var contentID: String? {
        guard let raw = headers["Content-ID"] else { return nil }
        let trimmed = raw.trimmingWhitespace()
        var id = Substring(trimmed)
        if id.hasPrefix("<") { id = id.dropFirst() }
        if let close = id.firstIndex(of: ">") { id = id[..<close] }
        return id.isEmpty ? nil : String(id)
    }

    static let knownTransferEncodings: Set<String> = [
        "7bit", "8bit", "binary", "", "base64", "quoted-printable", "x-uuencode", "uuencode", "x-uue",
    ]

    /// The body with its transfer encoding undone.
    public func decodedBody() -> (bytes: [UInt8], defects: [MailDefect]) {
        switch transferEncoding {
        case "base64":
            return TransferEncoding.decodeBase64(rawBody)
        case "quoted-printable":
            return TransferEncoding.decodeQuotedPrintable(rawBody)
        case "x-uuencode", "uuencode", "x-uue":
            let lines = uuBlockLines(rawBody)
            return TransferEncoding.decodeUUEncodedLines(lines)
        case "7bit", "8bit", "binary", "":
            return (Array(rawBody), [])
        default:
            return (Array(rawBody), [MailDefect("mime.unknown-transfer-encoding", "'\(transferEncoding)' kept as is")])
        }
    }

    /// The lines of a uuencoded body between `begin` and `end`, or all lines if unmarked.
    private func uuBlockLines(_ body: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var lines = body.split(separator: 0x0A, omittingEmptySubsequences: false).map { line -> ArraySlice<UInt8> in
            line.last == 0x0D ? line.dropLast() : line
        }
        if let begin = lines.firstIndex(where: { $0.starts(with: "begin ".utf8) }) {
            lines.removeFirst(begin + 1)
        }
        if let end = lines.firstIndex(where: { Array($0) == Array("end".utf8) }) {
            lines.removeLast(lines.count - end)
        }
        return lines
    }

    /// For a `message/rfc822` (or `message/global`) part: the embedded message, parsed.
    public func embeddedMessage(limits: MailLimits = .default) -> Message? {
        guard mediaType == "message/rfc822" || mediaType == "message/global" else { return nil }
        return Message.parse(decodedBody().bytes, limits: limits)
    }
}

/// Builds the entity tree of a message. One instance per parse: it counts parts against
/// the limit and collects defects.
struct EntityParser {
    let limits: MailLimits
    var partCount = 0
    var defects: [MailDefect] = []

    init(limits: MailLimits) { self.limits = limits }

    mutating func parse(_ source: [UInt8], range: Range<Int>) -> MIMEPart {
        source.withUnsafeBufferPointer { buffer in
            parseEntity(source, buffer, range: range, depth: 0, defaultType: "text/plain")
        }
    }

    private mutating func parseEntity(_ source: [UInt8], _ buffer: UnsafeBufferPointer<UInt8>, range: Range<Int>, depth: Int, defaultType: String) -> MIMEPart {
        partCount += 1
        let block = HeaderBlockParser.parse(buffer, range: range, limits: limits)
        defects += block.defects
        let headers = block.fields
        let bodyRange = block.bodyStart..<range.upperBound

        var contentType = effectiveContentType(headers, defaultType: defaultType)
        let disposition = headers["Content-Disposition"].map { raw -> MIMEHeaderValue in
            let parsed = MIMEHeaderValue.parse(raw)
            defects += parsed.defects
            return parsed
        }
        let transferEncoding = headers["Content-Transfer-Encoding"].map { $0.trimmingWhitespace().lowercased() } ?? "7bit"

        func leaf(_ type: MIMEHeaderValue) -> MIMEPart {
            MIMEPart(headers: headers, contentType: type, disposition: disposition, transferEncoding: transferEncoding,
                     content: .leaf, bodyRange: bodyRange, depth: depth, source: source)
        }

        guard contentType.value.hasPrefix("multipart/") else {
            // RFC 2045 §6.4: an entity with an unrecognized transfer encoding "must be
            // treated as if it has a Content-Type of application/octet-stream".
            if !MIMEPart.knownTransferEncodings.contains(transferEncoding) {
                return leaf(MIMEHeaderValue(value: "application/octet-stream", parameters: contentType.parameters))
            }
            return leaf(contentType)
        }

        if depth >= limits.maxNestingDepth {
            defects.append(MailDefect("limit.nesting-depth", "multipart at depth \(depth) kept unsplit (limit \(limits.maxNestingDepth))"))
            return leaf(contentType)
        }
        guard let boundary = contentType.parameters["boundary"], !boundary.isEmpty else {
            defects.append(MailDefect("mime.no-boundary", "\(contentType.value) without a boundary read as text/plain"))
            contentType = MIMEHeaderValue(value: "text/plain", parameters: contentType.parameters)
            return leaf(contentType)
        }
        let delimiters = findDelimiters(buffer, range: bodyRange, boundary: Array(boundary.utf8))
        guard let first = delimiters.first else {
            defects.append(MailDefect("mime.boundary-not-found", "no '--\(boundary)' line in the body; read as text/plain"))
            contentType = MIMEHeaderValue(value: "text/plain", parameters: contentType.parameters)
            return leaf(contentType)
        }

        // Children of multipart/digest default to message/rfc822 (RFC 2046 §5.1.5).
        let childDefault = contentType.value == "multipart/digest" ? "message/rfc822" : "text/plain"
        var parts: [MIMEPart] = []
        var epilogue = bodyRange.upperBound..<bodyRange.upperBound
        var closed = false
        var index = 0
        while index < delimiters.count {
            let delimiter = delimiters[index]
            if delimiter.isClose {
                closed = true
                epilogue = delimiter.next..<bodyRange.upperBound
                break
            }
            let partEnd: Int
            if index + 1 < delimiters.count {
                partEnd = delimiters[index + 1].lineBreakStart
            } else {
                partEnd = bodyRange.upperBound
            }
            let partRange = delimiter.next..<max(delimiter.next, partEnd)
            if partCount >= limits.maxParts {
                defects.append(MailDefect("limit.parts", "more than \(limits.maxParts) MIME parts; the rest kept as one opaque part"))
                let restEnd = delimiters.last(where: { $0.isClose })?.lineBreakStart ?? bodyRange.upperBound
                let rest = partRange.lowerBound..<max(partRange.lowerBound, restEnd)
                parts.append(MIMEPart(headers: HeaderFields(), contentType: MIMEHeaderValue(value: "application/octet-stream"),
                                      disposition: nil, transferEncoding: "7bit", content: .leaf, bodyRange: rest,
                                      depth: depth + 1, source: source))
                closed = true
                break
            }
            parts.append(parseEntity(source, buffer, range: partRange, depth: depth + 1, defaultType: childDefault))
            index += 1
        }
        if !closed {
            defects.append(MailDefect("mime.missing-close-boundary", "'--\(boundary)--' not found; the last part runs to the end"))
        }
        let preamble = bodyRange.lowerBound..<max(bodyRange.lowerBound, first.lineBreakStart)
        return MIMEPart(headers: headers, contentType: contentType, disposition: disposition, transferEncoding: transferEncoding,
                        content: .multipart(parts: parts, preamble: preamble, epilogue: epilogue),
                        bodyRange: bodyRange, depth: depth, source: source)
    }

    /// Content-Type with RFC 2045 §5.2 defaults: absent → the context's default; a value
    /// without a subtype → text/plain, as for any syntactically invalid Content-Type.
    private mutating func effectiveContentType(_ headers: HeaderFields, defaultType: String) -> MIMEHeaderValue {
        guard let raw = headers["Content-Type"] else {
            return MIMEHeaderValue(value: defaultType, parameters: defaultType == "text/plain" ? ["charset": "us-ascii"] : [:])
        }
        var parsed = MIMEHeaderValue.parse(raw)
        defects += parsed.defects
        parsed.defects = []
        let pieces = parsed.value.split(separator: "/", omittingEmptySubsequences: false)
        if pieces.count != 2 || pieces[0].isEmpty || pieces[1].isEmpty {
            defects.append(MailDefect("mime.invalid-content-type", "'\(raw.prefix(80))' read as text/plain"))
            parsed.value = "text/plain"
        }
        return parsed
    }

    struct Delimiter {
        /// Start of the line break before the delimiter line: the end of the previous part
        /// (RFC 2046 §5.1.1: the CRLF preceding the boundary belongs to the boundary).
        var lineBreakStart: Int
        /// Start of the line after the delimiter line.
        var next: Int
        var isClose: Bool
    }

    /// Finds the delimiter lines of `boundary` in `range`.
    ///
    /// ```
    /// dash-boundary  := "--" boundary
    /// delimiter      := CRLF dash-boundary
    /// close-delimiter := delimiter "--"
    /// ; each followed by transport-padding (LWSP) and CRLF
    /// ```
    /// A line that starts with the dash-boundary but goes on with other characters is not
    /// a delimiter (inner boundaries sometimes extend outer ones).
    private func findDelimiters(_ buffer: UnsafeBufferPointer<UInt8>, range: Range<Int>, boundary: [UInt8]) -> [Delimiter] {
        guard let base = buffer.baseAddress else { return [] }
        let needle = [UInt8(ascii: "-"), UInt8(ascii: "-")] + boundary
        var result: [Delimiter] = []
        // Every delimiter line starts with "-". Scanning for "-" with memchr crosses a whole
        // base64 attachment (which has none) in one vectorized call; each hit is then
        // checked for a line start and the full dash-boundary.
        var search = range.lowerBound
        while search < range.upperBound {
            guard let hit = memchr(base + search, Int32(UInt8(ascii: "-")), range.upperBound - search) else { break }
            let lineStart = UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) - base
            search = lineStart + 1
            guard lineStart == range.lowerBound || buffer[lineStart - 1] == 0x0A,
                  range.upperBound - lineStart >= needle.count,
                  memcmp(base + lineStart, needle, needle.count) == 0 else { continue }
            var i = lineStart + needle.count
            var isClose = false
            if i + 1 < range.upperBound, buffer[i] == UInt8(ascii: "-"), buffer[i + 1] == UInt8(ascii: "-") {
                isClose = true
                i += 2
            }
            while i < range.upperBound, buffer[i] == 0x20 || buffer[i] == 0x09 || buffer[i] == 0x0D { i += 1 }
            guard i == range.upperBound || buffer[i] == 0x0A else { continue }
            let next = min(i + 1, range.upperBound)
            var lineBreakStart = lineStart
            if lineBreakStart > range.lowerBound, buffer[lineBreakStart - 1] == 0x0A {
                lineBreakStart -= 1
                if lineBreakStart > range.lowerBound, buffer[lineBreakStart - 1] == 0x0D { lineBreakStart -= 1 }
            }
            result.append(Delimiter(lineBreakStart: lineBreakStart, next: next, isClose: isClose))
            search = next
        }
        return result
    }
}

extension StringProtocol {
    /// Trims spaces, tabs, CR and LF, the whitespace of mail.
    func trimmingWhitespace() -> String {
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, first == " " || first == "\t" || first == "\r" || first == "\n" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" || last == "\r" || last == "\n" { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
