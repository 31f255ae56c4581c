import FairdeskMail

/// Finds the diagnostic information a customer already sent (DESIGN.md §3), so that the
/// agent's request asks only for what is missing and the ticket's checklist can show
/// each provided item with its evidence.
///
/// Pure and synchronous: message texts and the first bytes of attachments in, detections
/// out. Every scanner reads its input line by line with bounded work per line (no regular
/// expressions), so the detector can run on every inbound message.
public struct DiagnosticDetector: Sendable {
    /// Each text (message body, or attachment read as text) is cut after this many bytes.
    /// Quotes and signatures in message bodies are not scanned (see `quotedLines`).
    public var maxTextBytes: Int

    public init(maxTextBytes: Int = 1 << 20) {
        self.maxTextBytes = maxTextBytes
    }

    /// The detections, ordered by item (catalog order), then by source (texts in input
    /// order, then files), then by line.
    ///
    /// De-duplicated: a value ("Windows 11 23H2", "System.NullReferenceException") is
    /// reported once, at its first occurrence; a detection without a value is reported
    /// once per kind (`what`) and source.
    public func detect(_ input: DiagnosticInput) -> [Detection] {
        var found: [Found] = []
        for (k, text) in input.texts.enumerated() {
            let body = prefix(text.body)
            let source = TextSource(label: text.label, order: k, isAttachment: false, text: body,
                                    skipping: Self.quotedLines(body))
            found += Self.scanText(source)
        }
        for (k, file) in input.files.enumerated() {
            let order = input.texts.count + k
            if let binary = BinarySignatures.detect(file, order: order) {
                found += binary
            } else if let text = TextDecoding.decode(file.head) {
                let source = TextSource(label: file.label, order: order, isAttachment: true, text: prefix(text))
                found += Self.scanText(source)
            }
        }
        // Sorted stably: detections on one line keep the order they were found in.
        let ordered = found.enumerated().sorted { a, b in
            let (x, y) = (a.element, b.element)
            if x.detection.item != y.detection.item { return x.detection.item < y.detection.item }
            if x.source != y.source { return x.source < y.source }
            if x.line != y.line { return x.line < y.line }
            return a.offset < b.offset
        }
        var seen: Set<DuplicateKey> = []
        var result: [Detection] = []
        for f in ordered.map(\.element) {
            let d = f.detection
            let key = d.value.map { DuplicateKey(item: d.item, value: $0) }
                ?? DuplicateKey(item: d.item, what: d.what, source: f.source)
            if seen.insert(key).inserted { result.append(d) }
        }
        return result
    }

    /// What makes two detections the same: the value, or, without one, the kind and source.
    private struct DuplicateKey: Hashable {
        var item: DiagnosticItemKey
        var value: String?
        var what: String?
        var source: Int?
    }

    /// At most `maxTextBytes` of `text` (a character cut in half becomes U+FFFD), with "\n"
    /// line endings: `QuoteDetection` and `TextSource` must count the same lines, and a
    /// Swift `String` treats "\r\n" as one character.
    private func prefix(_ text: String) -> String {
        let utf8 = text.utf8
        guard utf8.count > maxTextBytes || utf8.contains(0x0D) else { return text }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(utf8.count, maxTextBytes))
        var previous: UInt8 = 0
        for b in utf8.prefix(max(0, maxTextBytes)) {
            if b == 0x0A, previous == 0x0D {
                previous = b
                continue  // the "\n" of "\r\n": already written as the "\r"
            }
            bytes.append(b == 0x0D ? 0x0A : b)
            previous = b
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The lines of a message that are quotes or a signature (0-based, split on "\n").
    ///
    /// A quote is what was said before: the agent's own questions ("> Which version of
    /// Windows do you use, 10 or 11?") must not count as the customer's answer, and what
    /// the customer quotes from an earlier message of theirs was detected when that message
    /// arrived. Forwarded messages are not quotes (`QuoteDetection`), so an error report a
    /// customer forwards still counts.
    static func quotedLines(_ body: String) -> Set<Int> {
        var lines: Set<Int> = []
        for segment in QuoteDetection.segments(of: body) where segment.kind != .text {
            lines.formUnion(segment.lines)
        }
        return lines
    }

    /// The item keys provided by `detect`'s result.
    public static func providedItems(_ detections: [Detection]) -> Set<DiagnosticItemKey> {
        Set(detections.map(\.item))
    }

    static func scanText(_ source: TextSource) -> [Found] {
        var found: [Found] = []
        let os = OperatingSystemDetector.detect(source)
        found += os.found
        found += TimezoneDetector.detect(source)
        found += EnvironmentDetector.detect(source)
        found += ToolVersionDetector.detect(source, claimed: os.claimed)
        found += EventLogTextDetector.detect(source)
        found += StackTraceDetector.detect(source)
        found += ModuleListDetector.detect(source)
        found += RegisterDumpDetector.detect(source)
        found += LogFileDetector.detect(source)
        return found
    }
}

/// Reading an attachment's head as text.
enum TextDecoding {
    /// At most this share of the decoded characters may be control characters or
    /// replacement characters for the head to count as text.
    static let maxNonTextShare = 0.02

    /// The text of `head` if it is UTF-8, UTF-16 with a byte order mark, or (failing
    /// UTF-8) Windows-1252 / Latin-1, and mostly printable.
    static func decode(_ head: [UInt8]) -> String? {
        guard !head.isEmpty else { return nil }
        if head.count >= 2, head[0] == 0xFF, head[1] == 0xFE { return utf16(head.dropFirst(2), bigEndian: false) }
        if head.count >= 2, head[0] == 0xFE, head[1] == 0xFF { return utf16(head.dropFirst(2), bigEndian: true) }
        var bytes = head[...]
        if Scan.has(head, [0xEF, 0xBB, 0xBF], at: 0) { bytes = bytes.dropFirst(3) }
        // The head may end inside a multi-byte character.
        var end = bytes.endIndex
        var back = 0
        while back < 3, end > bytes.startIndex, bytes[end - 1] & 0xC0 == 0x80 {
            end -= 1
            back += 1
        }
        if end > bytes.startIndex, bytes[end - 1] >= 0xC0 { end -= 1 } else if back > 0 { end = bytes.endIndex }
        let text = String(decoding: bytes[..<end], as: UTF8.self)
        if isMostlyText(text) { return text }
        // Not UTF-8: a legacy Windows text file ("set > env.txt" in cmd.exe).
        let latin = String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        return isMostlyText(latin) ? latin : nil
    }

    private static func utf16(_ bytes: ArraySlice<UInt8>, bigEndian: Bool) -> String? {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var i = bytes.startIndex
        while i + 1 < bytes.endIndex {
            let a = UInt16(bytes[i])
            let b = UInt16(bytes[i + 1])
            units.append(bigEndian ? a << 8 | b : b << 8 | a)
            i += 2
        }
        let text = String(decoding: units, as: UTF16.self)
        return isMostlyText(text) ? text : nil
    }

    static func isMostlyText(_ text: String) -> Bool {
        var total = 0
        var bad = 0
        for scalar in text.unicodeScalars {
            total += 1
            switch scalar.value {
            case 0x09, 0x0A, 0x0C, 0x0D: break
            case 0..<0x20, 0x7F, 0x80..<0xA0, 0xFFFD: bad += 1
            default: break
            }
        }
        return total > 0 && Double(bad) <= maxNonTextShare * Double(total)
    }
}
