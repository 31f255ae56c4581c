import Glibc

/// One header field, unfolded (RFC 5322 §2.2.3: the CRLF before folding whitespace is
/// removed, the whitespace kept) and trimmed. Raw 8-bit bytes are decoded as UTF-8 when
/// they are valid UTF-8, else with the entity's declared charset, else as Windows-1252.
/// Encoded words (RFC 2047) are *not* decoded here: structured fields must be parsed first.
public struct HeaderField: Sendable, Hashable {
    /// The field name as written (case preserved).
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// The header fields of one entity, in order.
public struct HeaderFields: Sendable, Hashable, RandomAccessCollection {
    public var fields: [HeaderField]

    public init(_ fields: [HeaderField] = []) { self.fields = fields }

    public var startIndex: Int { fields.startIndex }
    public var endIndex: Int { fields.endIndex }
    public subscript(position: Int) -> HeaderField { fields[position] }

    /// The first field with this name (case-insensitive), as RFC 5322 §3.6 allows one.
    public subscript(name: String) -> String? {
        fields.first { $0.name.caseInsensitiveEquals(name) }?.value
    }

    /// Every field with this name, in order.
    public func all(_ name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }
}

extension String {
    /// ASCII case-insensitive comparison; header names are ASCII.
    func caseInsensitiveEquals(_ other: String) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where x != y {
            let lx = x | 0x20, ly = y | 0x20
            if lx != ly || lx < UInt8(ascii: "a") || lx > UInt8(ascii: "z") { return false }
        }
        return true
    }
}

/// Splits an entity into its header block and body.
///
/// ```
/// fields      = *field
/// field       = field-name ":" unstructured CRLF          ; RFC 5322 §3.6.8
/// field-name  = 1*ftext                                   ; printable US-ASCII but ":"
/// obs-optional = field-name *WSP ":" unstructured CRLF    ; RFC 5322 §4.5.8
/// ```
/// The block ends at the first empty line. Real mail breaks this in every way; the
/// parser keeps going and records what it did.
struct HeaderBlockParser {
    struct Result {
        var fields: HeaderFields
        /// Where the body starts (after the empty line, or where the header block was cut).
        var bodyStart: Int
        var defects: [MailDefect]
    }

    private struct RawField {
        var name: String
        var value: [UInt8]
        var truncated = false
    }

    /// Parses the header block of the entity at `range` of `bytes`. `fallbackCharset` is
    /// used for raw 8-bit header bytes that are not UTF-8 when the entity itself names no
    /// charset (an embedded entity inherits nothing: pass nil).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>, limits: MailLimits) -> Result {
        var raw: [RawField] = []
        var defects: [MailDefect] = []
        var position = range.lowerBound
        let end = range.upperBound
        var lineNumber = 0
        var droppedFields = 0
        var lastFieldDropped = false
        var bodyStart: Int?

        // A `From ` line opens mbox-format files; it is not a header field.
        if let line = nextLine(bytes, from: position, end: end), startsWith(bytes, line.content, "From ") {
            defects.append(MailDefect("header.mbox-from-line", "leading mbox 'From ' line skipped"))
            position = line.next
            lineNumber += 1
        }

        while position < end {
            guard let line = nextLine(bytes, from: position, end: end) else { break }
            lineNumber += 1
            let content = line.content
            if content.isEmpty {
                bodyStart = line.next
                break
            }
            if position - range.lowerBound > limits.maxHeaderBytes {
                defects.append(MailDefect("limit.header-block", "header block over \(limits.maxHeaderBytes) bytes; the rest is read as body"))
                bodyStart = position
                break
            }
            let first = bytes[content.lowerBound]
            if first == 0x20 || first == 0x09 {
                // Continuation of the previous field (folding whitespace).
                if raw.isEmpty {
                    defects.append(MailDefect("header.leading-continuation", "line \(lineNumber) is indented before any field; skipped"))
                } else if !lastFieldDropped {
                    append(bytes, content, to: &raw[raw.count - 1], limit: limits.maxHeaderLineBytes, defects: &defects)
                }
                position = line.next
                continue
            }
            if let colon = fieldColon(bytes, content) {
                if raw.count >= limits.maxHeaderCount {
                    droppedFields += 1
                    lastFieldDropped = true
                } else {
                    let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[content.lowerBound..<colon.nameEnd]), as: UTF8.self)
                    if colon.nameEnd != colon.colon {
                        defects.append(MailDefect("header.space-before-colon", "field '\(name)' has whitespace before its colon"))
                    }
                    lastFieldDropped = false
                    var field = RawField(name: name, value: [])
                    append(bytes, (colon.colon + 1)..<content.upperBound, to: &field, limit: limits.maxHeaderLineBytes, defects: &defects)
                    raw.append(field)
                }
                position = line.next
                continue
            }
            // Not a field, not a continuation. If a field follows, this line is junk in the
            // header block; otherwise the blank line before the body is missing.
            if let following = nextLine(bytes, from: line.next, end: end),
               !following.content.isEmpty, fieldColon(bytes, following.content) != nil {
                let snippet = String(decoding: UnsafeBufferPointer(rebasing: bytes[content.lowerBound..<min(content.upperBound, content.lowerBound + 40)]), as: UTF8.self)
                defects.append(MailDefect(raw.isEmpty ? "header.junk-before-first" : "header.missing-colon", "line \(lineNumber) skipped: \"\(snippet)\""))
                position = line.next
                continue
            }
            defects.append(MailDefect("header.missing-separator", "line \(lineNumber) is not a header field; the body starts there"))
            bodyStart = position
            break
        }
        if droppedFields > 0 {
            defects.append(MailDefect("limit.header-count", "more than \(limits.maxHeaderCount) fields; \(droppedFields) ignored"))
        }
        if bodyStart == nil, position >= end, !raw.isEmpty {
            defects.append(MailDefect("header.no-body", "the message ends inside its header block"))
        }

        let fallback = declaredCharset(raw)
        var fields: [HeaderField] = []
        fields.reserveCapacity(raw.count)
        for field in raw {
            if field.truncated {
                defects.append(MailDefect("limit.header-line", "field '\(field.name)' cut at \(limits.maxHeaderLineBytes) bytes"))
            }
            fields.append(HeaderField(name: field.name, value: decodeValue(field.value, fallbackCharset: fallback, fieldName: field.name, defects: &defects)))
        }
        return Result(fields: HeaderFields(fields), bodyStart: bodyStart ?? end, defects: defects)
    }

    private struct Line {
        /// The line without its CRLF or LF.
        var content: Range<Int>
        /// Where the next line starts.
        var next: Int
    }

    private static func nextLine(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, end: Int) -> Line? {
        guard start < end, let base = bytes.baseAddress else { return nil }
        let found = memchr(base + start, 0x0A, end - start)
        let lf = found.map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - base } ?? end
        var contentEnd = lf
        if contentEnd > start, bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
        return Line(content: start..<contentEnd, next: min(lf + 1, end))
    }

    private static func startsWith(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ prefix: StaticString) -> Bool {
        guard range.count >= prefix.utf8CodeUnitCount else { return false }
        let p = prefix.utf8Start
        for k in 0..<prefix.utf8CodeUnitCount where bytes[range.lowerBound + k] != p[k] { return false }
        return true
    }

    /// Finds the colon of a field line: `ftext+ WSP* ":"`. Nil when the line is no field.
    private static func fieldColon(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> (nameEnd: Int, colon: Int)? {
        var i = range.lowerBound
        while i < range.upperBound {
            let byte = bytes[i]
            if byte == UInt8(ascii: ":") { break }
            if byte < 33 || byte > 126 { break }
            i += 1
        }
        let nameEnd = i
        guard nameEnd > range.lowerBound else { return nil }
        while i < range.upperBound, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
        guard i < range.upperBound, bytes[i] == UInt8(ascii: ":") else { return nil }
        return (nameEnd, i)
    }

    private static func append(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, to field: inout RawField, limit: Int, defects: inout [MailDefect]) {
        if field.truncated { return }
        let room = limit - field.value.count
        if range.count > room {
            field.value.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[range.lowerBound..<(range.lowerBound + max(0, room))]))
            field.truncated = true
        } else {
            field.value.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[range]))
        }
    }

    /// The charset named by this entity's Content-Type, for raw 8-bit header bytes that
    /// are not UTF-8 (Russian and Japanese mailers send headers in the body's charset).
    private static func declaredCharset(_ raw: [RawField]) -> String? {
        guard let field = raw.first(where: { $0.name.caseInsensitiveEquals("Content-Type") }) else { return nil }
        let text = String(decoding: field.value, as: UTF8.self)
        return MIMEHeaderValue.parse(text).parameters["charset"]
    }

    private static func decodeValue(_ value: [UInt8], fallbackCharset: String?, fieldName: String, defects: inout [MailDefect]) -> String {
        var bytes = value
        if bytes.contains(0) {
            bytes.removeAll { $0 == 0 }
            defects.append(MailDefect("header.nul", "NUL bytes removed from '\(fieldName)'"))
        }
        // Trim the whitespace around the value (the space after the colon and at the end).
        var lower = 0, upper = bytes.count
        while lower < upper, isWhitespace(bytes[lower]) { lower += 1 }
        while upper > lower, isWhitespace(bytes[upper - 1]) { upper -= 1 }
        let trimmed = bytes[lower..<upper]
        if !trimmed.contains(where: { $0 >= 0x80 }) {
            return String(decoding: trimmed, as: UTF8.self)
        }
        if let text = String(validating: trimmed, as: UTF8.self) {
            return text
        }
        let label = fallbackCharset.flatMap { Charset.isKnown($0) ? $0 : nil } ?? "windows-1252"
        defects.append(MailDefect("header.8bit", "'\(fieldName)' holds raw 8-bit bytes, read as \(label)"))
        return Charset.decode(trimmed, label: label).text
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }
}
