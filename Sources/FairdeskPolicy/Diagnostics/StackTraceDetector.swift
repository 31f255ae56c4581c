/// Stack traces in text.
///
/// Managed traces (.NET, Java, Python, JavaScript, Go and Rust panics) are what a program
/// prints when an exception goes unhandled: they count as an **exception report**, with the exception
/// type as the value. Native frames (gdb, lldb, WinDbg and Visual Studio `module!function`
/// frames, macOS crash reports, glibc `backtrace_symbols`) come from a debugger or a
/// crash reporter and count as a **crash call stack**. A managed trace is not also a
/// crash stack: it has no load addresses or registers, which is what an agent asking for
/// the crash stack needs.
enum StackTraceDetector {
    enum Family: CaseIterable {
        case dotnet, java, javascript, python, go, rust, gdb, lldb, windbg, macOS, glibc
    }

    /// What one line contributes to a trace.
    struct Mark {
        var family: Family
        var index: Int
        var isFrame = false
        /// A header line such as "Traceback (most recent call last):" or "Thread 0 Crashed:".
        var isHeader = false
        /// The exception type named on this line.
        var exception: String?
        /// The exception line has a message, a "Caused by:"-style prefix or similar, so it
        /// counts even without frames next to it.
        var isStrongException = false
        /// A gdb frame that shows its address ("#0  0x… in f () at x.c:1").
        var hasAddress = false
    }

    static func detect(_ source: TextSource) -> [Found] {
        var marks: [Family: [Mark]] = [:]
        for (i, line) in source.lines.enumerated() where !line.isBlank {
            if let mark = classify(line, index: i) { marks[mark.family, default: []].append(mark) }
        }
        var found: [Found] = []
        for family in Family.allCases {
            guard let list = marks[family] else { continue }
            var byIndex: [Int: Mark] = [:]
            for mark in list { byIndex[mark.index] = mark }
            for block in clusters(list.map(\.index)) {
                let blockMarks = block.compactMap { byIndex[$0] }
                if let f = evaluate(family, blockMarks, source) { found.append(f) }
            }
        }
        return found
    }

    // MARK: - Blocks

    private static func evaluate(_ family: Family, _ marks: [Mark], _ source: TextSource) -> Found? {
        let frames = marks.filter(\.isFrame)
        let headers = marks.filter(\.isHeader)
        let exceptions = marks.filter { $0.exception != nil }
        let first = marks[0].index
        let last = marks[marks.count - 1].index
        func found(_ item: DiagnosticItemKey, _ what: String, quote: Int, value: String? = nil) -> Found {
            Found(item, what, Evidence.lines(source, first, last, quote: source.lines[quote]), value: value,
                  source: source.order, line: source.lines[first].number)
        }
        switch family {
        case .dotnet, .java:
            let name = family == .dotnet ? ".NET" : "Java"
            let strong = exceptions.contains(where: \.isStrongException)
            guard frames.count >= 2 || (frames.count >= 1 && !exceptions.isEmpty) || strong else { return nil }
            let what = frames.isEmpty ? "\(name) exception message"
                : exceptions.isEmpty ? "\(name) stack trace" : "\(name) exception with stack trace"
            return found(.exceptionReport, what, quote: exceptions.first?.index ?? frames[0].index,
                         value: exceptions.first?.exception)
        case .javascript:
            guard frames.count >= 2 else { return nil }
            // Node prints the exception ("TypeError: …") on the line above the frames.
            if first > 0, let name = jsExceptionName(source.lines[first - 1]) {
                return Found(.exceptionReport, "JavaScript stack trace",
                             Evidence.lines(source, first - 1, last, quote: source.lines[first - 1]), value: name,
                             source: source.order, line: source.lines[first - 1].number)
            }
            return found(.exceptionReport, "JavaScript stack trace", quote: frames[0].index)
        case .python:
            guard (!headers.isEmpty && !frames.isEmpty) || frames.count >= 2 else { return nil }
            // The exception line follows the last frame and the code line under it.
            var end = last
            var value: String?
            for i in (last + 1)..<min(source.lines.count, last + 4) {
                if let name = pythonExceptionName(source.lines[i]) {
                    value = name
                    end = i
                    break
                }
            }
            return Found(.exceptionReport, "Python traceback",
                         Evidence.lines(source, first, end, quote: source.lines[first]), value: value,
                         source: source.order, line: source.lines[first].number)
        case .go:
            guard (!headers.isEmpty && !frames.isEmpty) || frames.count >= 2 else { return nil }
            return found(.exceptionReport, "Go panic stack trace", quote: exceptions.first?.index ?? first)
        case .rust:
            guard !headers.isEmpty else { return nil }
            return found(.exceptionReport, frames.isEmpty ? "Rust panic" : "Rust panic with backtrace", quote: headers[0].index)
        case .gdb:
            guard frames.count >= 2 || frames.contains(where: \.hasAddress) else { return nil }
            return found(.crashStack, "native stack trace (gdb)", quote: frames[0].index)
        case .lldb:
            guard !frames.isEmpty else { return nil }
            return found(.crashStack, "native stack trace (lldb)", quote: frames[0].index)
        case .windbg:
            guard frames.count >= 2 || (!headers.isEmpty && !frames.isEmpty) else { return nil }
            return found(.crashStack, "call stack (module!function frames)", quote: frames[0].index)
        case .macOS:
            guard frames.count >= 3 || (!headers.isEmpty && !frames.isEmpty) else { return nil }
            return found(.crashStack, "macOS crash report call stack", quote: frames[0].index)
        case .glibc:
            guard frames.count >= 2 else { return nil }
            return found(.crashStack, "native backtrace (glibc)", quote: frames[0].index)
        }
    }

    // MARK: - Lines

    static func classify(_ line: TextSource.Line, index: Int) -> Mark? {
        let s = line.bytes
        let t = line.indent
        let c = s[t]
        if let family = managedFrame(line) { return Mark(family: family, index: index, isFrame: true) }
        if let mark = goOrRust(line, index: index) { return mark }
        if let (family, name, strong) = exceptionLine(line) {
            return Mark(family: family, index: index, exception: name, isStrongException: strong)
        }
        if Scan.has(line.lower, traceback, at: t) { return Mark(family: .python, index: index, isHeader: true) }
        if c == UInt8(ascii: "F"), Scan.has(s, fileQuote, at: t), let q = Scan.find(lineComma, in: s, from: t + 6),
            ASCII.isDigit(s[min(q + lineComma.count, s.count - 1)])
        {
            return Mark(family: .python, index: index, isFrame: true)
        }
        if Scan.has(s, dotnetEnd, at: t) { return Mark(family: .dotnet, index: index) }
        if Scan.has(s, javaMore, at: t), Scan.digits(s, at: t + 4) > 0 { return Mark(family: .java, index: index) }
        if c == UInt8(ascii: "#"), let withAddress = gdbFrame(s, at: t) {
            return Mark(family: .gdb, index: index, isFrame: true, hasAddress: withAddress)
        }
        if let f = Scan.find(lldbFrame, in: s, from: t), lldbFrameRest(s, at: f + lldbFrame.count) {
            return Mark(family: .lldb, index: index, isFrame: true)
        }
        if isWinDbgHeader(line) { return Mark(family: .windbg, index: index, isHeader: true) }
        if isWinDbgFrame(s, from: t) { return Mark(family: .windbg, index: index, isFrame: true) }
        if isMacCrashedHeader(line) { return Mark(family: .macOS, index: index, isHeader: true) }
        if ASCII.isDigit(c), isMacFrame(s, at: t) { return Mark(family: .macOS, index: index, isFrame: true) }
        if isGlibcFrame(s) { return Mark(family: .glibc, index: index, isFrame: true) }
        return nil
    }

    static let traceback = Scan.bytes("traceback (most recent call last):")
    static let fileQuote = Scan.bytes("File \"")
    static let lineComma = Scan.bytes("\", line ")
    static let dotnetEnd = Scan.bytes("--- End of ")
    static let javaMore = Scan.bytes("... ")
    static let lldbFrame = Scan.bytes("frame #")
    static let atPrefixes: [[UInt8]] = ["at ", "bei ", "à "].map(Scan.bytes)
    static let javaSources: [[UInt8]] = [".java:", ".kt:", ".scala:", ".groovy:", ".clj:", ".java)", "Native Method",
                                         "Unknown Source"].map(Scan.bytes)

    /// `at Namespace.Type.Method(args) in path:line N` (.NET), `at com.x.Y.m(Y.java:12)`
    /// (Java), `at f (file.js:1:2)` or `at file.js:1:2` (JavaScript).
    static func managedFrame(_ line: TextSource.Line) -> Family? {
        let s = line.bytes
        var i = line.indent
        guard let prefix = atPrefixes.first(where: { Scan.has(s, $0, at: i) }) else { return nil }
        i = Scan.skipBlanks(s, from: i + prefix.count)
        if Scan.has(s, asyncWord, at: i) { i += asyncWord.count }
        let nameStart = i
        var dots = 0
        var slashes = 0
        while i < s.count, s[i] != UInt8(ascii: "("), !ASCII.isBlank(s[i]) {
            if s[i] == UInt8(ascii: ".") { dots += 1 }
            if s[i] == UInt8(ascii: "/") || s[i] == UInt8(ascii: "\\") { slashes += 1 }
            i += 1
        }
        guard i > nameStart else { return nil }
        let lastByte = lastNonBlank(s)
        if i >= s.count || i > lastByte {
            // "at /app/server.js:10:5"; Rust backtraces write "at /src/main.rs:5:10"
            guard endsWithLineAndColumn(s, lastByte + 1) else { return nil }
            return Scan.contains(Array(s[nameStart..<i]), rustSource) ? .rust : .javascript
        }
        if ASCII.isBlank(s[i]) {
            // "at Object.<anonymous> (/app/server.js:10:5)"
            let p = Scan.skipBlanks(s, from: i)
            guard p < s.count, s[p] == UInt8(ascii: "("), s[lastByte] == UInt8(ascii: ")"),
                endsWithLineAndColumn(s, lastByte)
            else { return nil }
            return .javascript
        }
        // s[i] == "("
        let first = s[nameStart]
        guard dots > 0, ASCII.isLetter(first) || first == UInt8(ascii: "_") || first == UInt8(ascii: "<") else {
            return nil
        }
        guard let close = lastIndex(of: UInt8(ascii: ")"), in: s, after: i) else { return nil }
        let args = Array(s[(i + 1)..<close])
        if slashes > 0 || javaSources.contains(where: { Scan.contains(args, $0) }) { return .java }
        if endsWithLineAndColumn(s, close) { return .javascript }
        guard slashes == 0 else { return nil }
        // .NET: nothing after the arguments but "in path:line N" or an IL offset.
        let rest = Scan.skipBlanks(s, from: close + 1)
        if rest >= s.count || Scan.has(s, inWord, at: rest) || s[rest] == UInt8(ascii: "+") { return .dotnet }
        return nil
    }

    static let asyncWord = Scan.bytes("async ")
    static let rustSource = Scan.bytes(".rs:")
    static let goroutine = Scan.bytes("goroutine ")
    static let goSource = Scan.bytes(".go:")
    static let panicPrefix = Scan.bytes("panic: ")
    static let rustThread = Scan.bytes("thread '")
    static let panickedAt = Scan.bytes("' panicked at")
    static let stackBacktrace = Scan.bytes("stack backtrace:")

    /// Go: "panic: …", "goroutine 1 [running]:", "\t/src/app/writer.go:88 +0x1c".
    /// Rust: "thread 'main' panicked at src/main.rs:5:10:".
    static func goOrRust(_ line: TextSource.Line, index: Int) -> Mark? {
        let s = line.bytes
        let t = line.indent
        if t == 0, Scan.has(s, panicPrefix, at: 0) {
            return Mark(family: .go, index: index, exception: "panic")
        }
        if Scan.has(line.lower, goroutine, at: t), Scan.digits(s, at: t + goroutine.count) > 0,
            Scan.contains(s, Scan.bytes(" ["))
        {
            return Mark(family: .go, index: index, isHeader: true)
        }
        if Scan.has(line.lower, rustThread, at: t), Scan.contains(s, panickedAt) {
            return Mark(family: .rust, index: index, isHeader: true, exception: "panic", isStrongException: true)
        }
        if Scan.has(line.lower, stackBacktrace, at: t) { return Mark(family: .rust, index: index) }
        // A Go frame's file line: an absolute path, ".go:", the line, optionally "+0x1c".
        guard t > 0, t < s.count, s[t] == UInt8(ascii: "/") || (ASCII.isLetter(s[t]) && Scan.has(s, Scan.bytes(":/"), at: t + 1)),
            let g = Scan.find(goSource, in: s, from: t)
        else { return nil }
        let d = Scan.digits(s, at: g + goSource.count)
        let end = g + goSource.count + d
        guard d > 0, end == s.count || Scan.has(s, Scan.bytes(" +0x"), at: end) else { return nil }
        return Mark(family: .go, index: index, isFrame: true)
    }
    static let inWord = Scan.bytes("in ")

    static let exceptionPrefixes: [(text: [UInt8], strong: Bool, java: Bool)] = [
        ("unhandled exception. ", true, false), ("unhandled exception: ", true, false),
        ("caused by: ", true, true), ("suppressed: ", true, true), ("---> ", true, false),
        ("exception info: ", true, false), ("exception in thread \"", true, true),
    ].map { (Scan.bytes($0.0), $0.1, $0.2) }
    static let exceptionSuffixes: [[UInt8]] = ["Exception", "Error", "Throwable", "Fault"].map(Scan.bytes)

    /// `System.NullReferenceException: Object reference…`, `Caused by: java.io.IOException`,
    /// `Exception in thread "main" java.lang.IllegalStateException: …`. The type must be
    /// namespace-qualified: "Error: file not found" in prose is not an exception report.
    static func exceptionLine(_ line: TextSource.Line) -> (Family, String, Bool)? {
        let s = line.bytes
        var i = line.indent
        var strong = false
        var java = false
        for prefix in exceptionPrefixes where Scan.has(line.lower, prefix.text, at: i) {
            i += prefix.text.count
            strong = prefix.strong
            java = prefix.java
            if prefix.text.last == UInt8(ascii: "\"") {
                // the thread name, then a space
                guard let q = s[i...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
                i = Scan.skipBlanks(s, from: q + 1)
            }
            break
        }
        let start = i
        var segments = 0
        var segmentStart = i
        while i < s.count {
            guard ASCII.isLetter(s[i]) || s[i] == UInt8(ascii: "_") else { return nil }
            segmentStart = i
            while i < s.count, ASCII.isIdent(s[i]) || s[i] == UInt8(ascii: "$") { i += 1 }
            segments += 1
            guard i < s.count, s[i] == UInt8(ascii: "."), i + 1 < s.count, ASCII.isLetter(s[i + 1]) || s[i + 1] == UInt8(ascii: "_") else {
                break
            }
            i += 1
        }
        guard segments >= 2 else { return nil }
        let last = Array(s[segmentStart..<i])
        guard exceptionSuffixes.contains(where: { last.count >= $0.count && Array(last.suffix($0.count)) == $0 }) else {
            return nil
        }
        let name = Scan.string(s, start..<i)
        // "System.Exception" and "java.lang.Error" are real types; "Note.Error" is prose.
        if last.count <= 5, !name.hasPrefix("System."), !name.hasPrefix("java.") { return nil }
        // An HRESULT: "Microsoft.Data.SqlClient.SqlException (0x80131904): Timeout expired."
        var j = i
        if Scan.has(s, hresult, at: j), let close = s[j...].firstIndex(of: UInt8(ascii: ")")) { j = close + 1 }
        let end = lastNonBlank(s) + 1
        if j < end {
            guard s[j] == UInt8(ascii: ":"), j + 1 == end || ASCII.isBlank(s[j + 1]) else { return nil }
            strong = true
        }
        if !java { java = ASCII.isLower(s[start]) }
        return (java ? .java : .dotnet, name, strong)
    }

    static let hresult = Scan.bytes(" (0x")

    /// The name in "TypeError: Cannot read properties of undefined" above a JavaScript trace.
    static func jsExceptionName(_ line: TextSource.Line) -> String? {
        let s = line.bytes
        var i = line.indent
        if Scan.has(line.lower, uncaught, at: i) { i += uncaught.count }
        let start = i
        while i < s.count, ASCII.isIdent(s[i]) { i += 1 }
        guard i > start, i < s.count, s[i] == UInt8(ascii: ":") else { return nil }
        let name = Array(s[start..<i])
        guard exceptionSuffixes.contains(where: { name.count >= $0.count && Array(name.suffix($0.count)) == $0 }) else {
            return nil
        }
        return Scan.string(s, start..<i)
    }

    static let uncaught = Scan.bytes("uncaught ")
    static let pythonSuffixes: [[UInt8]] = ["Error", "Exception", "Warning", "Interrupt", "Exit", "Iteration"]
        .map(Scan.bytes)

    /// The last line of a Python traceback: `ValueError: invalid literal…`, `KeyboardInterrupt`.
    static func pythonExceptionName(_ line: TextSource.Line) -> String? {
        guard line.indent == 0, !line.isBlank else { return nil }
        let s = line.bytes
        var i = 0
        var dotted = false
        while i < s.count, ASCII.isIdent(s[i]) || s[i] == UInt8(ascii: ".") {
            if s[i] == UInt8(ascii: ".") { dotted = true }
            i += 1
        }
        guard i > 0, ASCII.isLetter(s[0]) || s[0] == UInt8(ascii: "_"), i == s.count || s[i] == UInt8(ascii: ":")
        else { return nil }
        let name = Array(s[0..<i])
        let lastSegment = Array(name.split(separator: UInt8(ascii: ".")).last ?? [])
        guard dotted || pythonSuffixes.contains(where: { lastSegment.count >= $0.count && Array(lastSegment.suffix($0.count)) == $0 })
        else { return nil }
        return Scan.string(s, 0..<i)
    }

    /// `#0  0x00007f… in raise () from /lib/…` or `#1  main (argc=1) at main.c:12`.
    /// Returns whether the frame shows an address.
    static func gdbFrame(_ s: [UInt8], at t: Int) -> Bool? {
        let d = Scan.digits(s, at: t + 1)
        guard d >= 1, d <= 4 else { return nil }
        let i = Scan.skipBlanks(s, from: t + 1 + d)
        guard i > t + 1 + d, i < s.count else { return nil }
        if let a = Scan.address(s, at: i, minDigits: 4), Scan.has(s, Scan.zeroX, at: i) {
            return Scan.has(s, inSpaced, at: Scan.skipBlanks(s, from: a) - 1) ? true : nil
        }
        var j = i
        while j < s.count, ASCII.isIdent(s[j]) || s[j] == UInt8(ascii: ":") || s[j] == UInt8(ascii: "~") { j += 1 }
        guard j > i, Scan.has(s, spaceParen, at: j) else { return nil }
        return Scan.contains(s, closeAt) || Scan.contains(s, closeFrom) ? false : nil
    }

    static let inSpaced = Scan.bytes(" in ")
    static let spaceParen = Scan.bytes(" (")
    static let closeAt = Scan.bytes(") at ")
    static let closeFrom = Scan.bytes(") from ")

    /// After "frame #": `0: 0x0000000100003f50 a.out`main at main.c:5:3`.
    static func lldbFrameRest(_ s: [UInt8], at i: Int) -> Bool {
        let d = Scan.digits(s, at: i)
        guard d > 0, Scan.has(s, colonZeroX, at: i + d) else { return false }
        return Scan.hexDigits(s, at: i + d + colonZeroX.count) >= 4
    }

    static let colonZeroX = Scan.bytes(": 0x")

    /// " # Child-SP          RetAddr               Call Site", "ChildEBP RetAddr  Args to Child",
    /// "STACK_TEXT:".
    static func isWinDbgHeader(_ line: TextSource.Line) -> Bool {
        let s = line.lower
        if Scan.has(s, stackText, at: line.indent) { return true }
        guard Scan.contains(s, retAddr) else { return false }
        return Scan.contains(s, childSP) || Scan.contains(s, childEBP)
    }

    static let stackText = Scan.bytes("stack_text:")
    static let retAddr = Scan.bytes("retaddr")
    static let childSP = Scan.bytes("child-sp")
    static let childEBP = Scan.bytes("childebp")
    static let codeModules: [[UInt8]] = [".dll", ".exe", ".sys"].map(Scan.bytes)

    /// A `module!function+0x1a` frame: WinDbg `k`/`kb`, `!analyze` STACK_TEXT, or a call
    /// stack copied from Visual Studio (`MyApp.exe!Foo::Bar(int x) Line 12`).
    static func isWinDbgFrame(_ s: [UInt8], from t: Int) -> Bool {
        var p = t
        var seen = 0
        while seen < 4, let bang = s[p...].firstIndex(of: UInt8(ascii: "!")) {
            seen += 1
            p = bang + 1
            var m = bang
            while m > t, ASCII.isIdent(s[m - 1]) || s[m - 1] == UInt8(ascii: ".") || s[m - 1] == UInt8(ascii: "-") { m -= 1 }
            guard bang - m >= 2, ASCII.isLetter(s[m]) || s[m] == UInt8(ascii: "_") else { continue }
            var e = bang + 1
            while e < s.count, ASCII.isIdent(s[e]) || symbolBytes.contains(s[e]) { e += 1 }
            guard e > bang + 1 else { continue }
            if Scan.has(s, plusZeroX, at: e), Scan.hexDigits(s, at: e + 3) > 0 { return true }
            let module = Array(s[m..<bang]).map(ASCII.lowercased)
            if e < s.count, s[e] == UInt8(ascii: "("), codeModules.contains(where: { module.count > 4 && Array(module.suffix(4)) == $0 }) {
                return true
            }
            // A symbol without offset, on a line that also shows an address.
            var a = t
            while a < m {
                if Scan.isWordStart(s, a), ASCII.isHex(s[a]), Scan.address(s, at: a) != nil { return true }
                a += 1
            }
        }
        return false
    }

    static let plusZeroX = Scan.bytes("+0x")
    static let symbolBytes: Set<UInt8> = Set(":<>~`$@?".utf8)

    /// "Thread 0 Crashed:", "Thread 0 Crashed:: Dispatch queue: …", "Last Exception Backtrace:".
    static func isMacCrashedHeader(_ line: TextSource.Line) -> Bool {
        let s = line.lower
        let t = line.indent
        if Scan.has(s, lastExceptionBacktrace, at: t) { return true }
        guard Scan.has(s, threadWord, at: t) else { return false }
        let d = Scan.digits(s, at: t + threadWord.count)
        return d > 0 && Scan.has(s, crashed, at: t + threadWord.count + d)
    }

    static let lastExceptionBacktrace = Scan.bytes("last exception backtrace:")
    static let threadWord = Scan.bytes("thread ")
    static let crashed = Scan.bytes(" crashed")

    /// `0   libsystem_kernel.dylib        	0x00007ff81b2c91ce __pthread_kill + 10`.
    static func isMacFrame(_ s: [UInt8], at t: Int) -> Bool {
        let d = Scan.digits(s, at: t)
        guard d <= 3 else { return false }
        let m = Scan.skipBlanks(s, from: t + d)
        guard m > t + d, m < s.count else { return false }
        // The module name runs to the address column.
        var i = m
        var nonHexLetter = false
        while i < s.count {
            if ASCII.isBlank(s[i]), let a = Scan.address(s, at: Scan.skipBlanks(s, from: i)),
                Scan.has(s, Scan.zeroX, at: Scan.skipBlanks(s, from: i))
            {
                let rest = Scan.skipBlanks(s, from: a)
                return nonHexLetter && rest > a && rest < s.count
            }
            if ASCII.isLetter(s[i]), !ASCII.isHex(s[i]) { nonHexLetter = true }
            i += 1
        }
        return false
    }

    /// `/lib/x86_64-linux-gnu/libc.so.6(abort+0x12b)[0x7f2c1e4a2859]` or `./app(+0x1234)[0x55d…]`.
    static func isGlibcFrame(_ s: [UInt8]) -> Bool {
        guard let b = Scan.find(closeBracketZeroX, in: s) else { return false }
        guard let open = s[..<b].lastIndex(of: UInt8(ascii: "(")), open > 0 else { return false }
        let inner = Array(s[(open + 1)..<b])
        guard inner.isEmpty || Scan.contains(inner, plusZeroX) else { return false }
        let h = Scan.hexDigits(s, at: b + closeBracketZeroX.count)
        return h >= 4 && b + closeBracketZeroX.count + h < s.count && s[b + closeBracketZeroX.count + h] == UInt8(ascii: "]")
    }

    static let closeBracketZeroX = Scan.bytes(")[0x")

    // MARK: - Helpers

    static func lastNonBlank(_ s: [UInt8]) -> Int {
        var i = s.count - 1
        while i > 0, ASCII.isBlank(s[i]) { i -= 1 }
        return i
    }

    static func lastIndex(of b: UInt8, in s: [UInt8], after i: Int) -> Int? {
        var j = s.count - 1
        while j > i {
            if s[j] == b { return j }
            j -= 1
        }
        return nil
    }

    /// Whether the bytes before `end` are `:line:column` ("server.js:10:5").
    static func endsWithLineAndColumn(_ s: [UInt8], _ end: Int) -> Bool {
        var i = end - 1
        var groups = 0
        while groups < 2 {
            let stop = i
            while i >= 0, ASCII.isDigit(s[i]) { i -= 1 }
            guard i < stop, i >= 0, s[i] == UInt8(ascii: ":") else { return false }
            i -= 1
            groups += 1
        }
        return true
    }
}
