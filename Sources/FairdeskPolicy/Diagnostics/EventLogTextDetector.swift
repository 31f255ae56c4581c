/// Windows event log entries pasted or attached as text: Event Viewer's "Copy details as
/// text", `wevtutil qe /f:text`, PowerShell's `Get-WinEvent | Format-List`, the CSV and XML
/// exports, and the messages of the crash events themselves (Application Error 1000,
/// .NET Runtime 1026). Binary `.evtx` files are recognized in `BinarySignatures`.
enum EventLogTextDetector {
    /// Field labels of an event in text form, lowercased, spaces before the colon removed.
    static let labels: Set<String> = [
        "log name", "source", "event id", "task category", "level", "keywords", "computer", "date",
        "user", "opcode", "logged", "task", "providername", "logname", "id", "timecreated",
        "leveldisplayname", "machinename",
    ]

    /// Lines that only an event log has, with what they show.
    static let markers: [(text: [UInt8], what: String)] = [
        ("faulting application name:", "Application Error event (faulting application)"),
        ("faulting module name:", "Application Error event (faulting module)"),
        ("the process was terminated due to an unhandled exception", ".NET Runtime event (unhandled exception)"),
        ("<event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"", "event log entry (XML)"),
        ("level,date and time,source,event id,task category", "Event Viewer export (CSV)"),
    ].map { (Scan.bytes($0.0), $0.1) }

    static func detect(_ source: TextSource) -> [Found] {
        var found: [Found] = []
        var labelLines: [Int] = []
        var labelNames: [Int: String] = [:]
        for (i, line) in source.lines.enumerated() where !line.isBlank {
            if let label = label(line) {
                labelLines.append(i)
                labelNames[i] = label
            }
            for marker in markers where Scan.contains(line.lower, marker.text) {
                found.append(Found(.eventLog, marker.what, Evidence.lines(source, i, i, quote: line),
                                   source: source.order, line: line.number))
            }
        }
        for block in clusters(labelLines) {
            let names = Set(block.compactMap { labelNames[$0] })
            let hasID = names.contains("event id") || (names.contains("id") && names.contains("providername"))
            guard hasID, names.count >= 3 else { continue }
            found.append(Found(.eventLog, "event log entry (text)",
                               Evidence.lines(source, block[0], block[block.count - 1], quote: source.lines[block[0]]),
                               source: source.order, line: source.lines[block[0]].number))
        }
        return found
    }

    /// The field label of a `Label: value` line, if it is one of `labels`.
    private static func label(_ line: TextSource.Line) -> String? {
        let s = line.lower
        var j = line.indent
        let limit = min(s.count, line.indent + 24)
        while j < limit, s[j] != UInt8(ascii: ":") {
            guard ASCII.isLetter(s[j]) || s[j] == UInt8(ascii: " ") else { return nil }
            j += 1
        }
        guard j < limit else { return nil }
        var name = Array(s[line.indent..<j])
        while name.last == UInt8(ascii: " ") { name.removeLast() }
        let text = String(decoding: name, as: UTF8.self)
        return labels.contains(text) ? text : nil
    }
}
