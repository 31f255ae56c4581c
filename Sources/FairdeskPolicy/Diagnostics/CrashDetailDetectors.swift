/// Module lists with load addresses: WinDbg `lm`, gdb `info sharedlibrary`,
/// `/proc/PID/maps`, the "Binary Images" of a macOS crash report, and
/// "0x… - 0x… C:\path\x.dll" lists written by crash reporters. They count as part of the
/// crash call stack.
enum ModuleListDetector {
    static func detect(_ source: TextSource) -> [Found] {
        var lines: [Int] = []
        var headers: Set<Int> = []
        for (i, line) in source.lines.enumerated() where !line.isBlank {
            if isHeader(line) {
                lines.append(i)
                headers.insert(i)
            } else if isModuleLine(line) {
                lines.append(i)
            }
        }
        var found: [Found] = []
        for block in clusters(lines) {
            let modules = block.filter { !headers.contains($0) }
            guard modules.count >= 2 || (modules.count == 1 && block.count > 1) else { continue }
            found.append(Found(.crashStack, "module list with load addresses",
                               Evidence.lines(source, block[0], block[block.count - 1], quote: source.lines[modules[0]]),
                               source: source.order, line: source.lines[block[0]].number))
        }
        return found
    }

    static let binaryImages = Scan.bytes("binary images:")
    static let start = Scan.bytes("start")
    static let moduleName = Scan.bytes("module name")
    static let from = Scan.bytes("from")
    static let sharedObjectLibrary = Scan.bytes("shared object library")

    /// "start             end                 module name" (WinDbg `lm`), "From  To  Syms Read
    /// Shared Object Library" (gdb), "Binary Images:" (macOS).
    static func isHeader(_ line: TextSource.Line) -> Bool {
        let s = line.lower
        let t = line.indent
        return Scan.has(s, binaryImages, at: t)
            || (Scan.has(s, start, at: t) && Scan.contains(s, moduleName))
            || (Scan.has(s, from, at: t) && Scan.contains(s, sharedObjectLibrary))
    }

    /// Two addresses (separated by blanks or a dash), then a name that is not one more
    /// hex number: `00007ff6`12340000 00007ff6`12360000   MyApp   (deferred)`,
    /// `7f1c2a000000-7f1c2a021000 r-xp 00000000 08:01 1234 /lib/…`.
    static func isModuleLine(_ line: TextSource.Line) -> Bool {
        let s = line.bytes
        guard let a = Scan.address(s, at: line.indent) else { return false }
        var j = Scan.skipBlanks(s, from: a)
        if j < s.count, s[j] == UInt8(ascii: "-") {
            j = Scan.skipBlanks(s, from: j + 1)
        } else if j == a {
            return false
        }
        guard let b = Scan.address(s, at: j) else { return false }
        let n = Scan.skipBlanks(s, from: b)
        guard n > b, n < s.count, !s.contains(UInt8(ascii: "!")) else { return false }
        var k = n
        while k < s.count, !ASCII.isBlank(s[k]) {
            if !ASCII.isHex(s[k]), s[k] != UInt8(ascii: "`") { return true }
            k += 1
        }
        return false
    }
}

/// Register dumps: WinDbg `r` (`rax=0000000000000000 rbx=…`, `eax=… ebx=…`), crash
/// reporters' `EAX=…` / `RAX: …`, gdb `info registers` (`rip  0x401136  0x401136 <main+4>`),
/// lldb `register read` (`x0 = 0x…`), and the thread state of a macOS crash report
/// (`rax: 0x…  rbx: 0x…`, `x0: 0x…`). At least `minRegisters` different registers
/// must show a hexadecimal value.
enum RegisterDumpDetector {
    static let minRegisters = 3

    static let x86: Set<String> = ["eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "esp", "eip", "efl", "eflags"]
    static let x64: Set<String> = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "rip", "rflags"]
    static let arm64: Set<String> = Set((0...30).map { "x\($0)" })
    static let shared: Set<String> = Set((0...15).map { "r\($0)" })
        .union(["fp", "lr", "sp", "pc", "cpsr", "cs", "ds", "es", "fs", "gs", "ss"])
    static let known = x86.union(x64).union(arm64).union(shared)

    static func detect(_ source: TextSource) -> [Found] {
        var lines: [Int] = []
        var names: [Int: [String]] = [:]
        for (i, line) in source.lines.enumerated() where !line.isBlank {
            let found = registers(line)
            if !found.isEmpty {
                lines.append(i)
                names[i] = found
            }
        }
        var result: [Found] = []
        for block in clusters(lines, gap: 2) {
            let all = Set(block.flatMap { names[$0] ?? [] })
            guard all.count >= minRegisters else { continue }
            let arch = architecture(all)
            result.append(Found(.crashStack, arch.isEmpty ? "register dump" : "register dump (\(arch))",
                                Evidence.lines(source, block[0], block[block.count - 1], quote: source.lines[block[0]]),
                                source: source.order, line: source.lines[block[0]].number))
        }
        return result
    }

    static func architecture(_ names: Set<String>) -> String {
        if !names.isDisjoint(with: x64) { return "x86-64" }
        if !names.isDisjoint(with: x86) { return "x86" }
        if !names.isDisjoint(with: arm64) { return "ARM64" }
        if names.contains(where: { $0.hasPrefix("r") }), names.contains("pc") || names.contains("cpsr") { return "ARM" }
        return ""
    }

    /// The registers named with a hexadecimal value on one line.
    static func registers(_ line: TextSource.Line) -> [String] {
        let s = line.lower
        var result: [String] = []
        var i = line.indent
        while i < s.count {
            guard ASCII.isLetter(s[i]), Scan.isWordStart(s, i) else {
                i += 1
                continue
            }
            var k = i
            while k < s.count, ASCII.isAlnum(s[k]) { k += 1 }
            guard k - i <= 6 else {
                i = k
                continue
            }
            // The value check is cheap and fails for almost every word of prose, so it
            // comes before building the name.
            if hasValue(s, after: k, firstOnLine: i == line.indent) {
                let name = Scan.string(s, i..<k)
                if known.contains(name) { result.append(name) }
            }
            i = k
        }
        return result
    }

    /// `=HEX`, `: HEX`, ` = 0xHEX`, or (first on the line, gdb) blanks then `0xHEX`.
    /// Without `0x` the value needs four hex digits, so "cs=1" in prose is not a register.
    private static func hasValue(_ s: [UInt8], after k: Int, firstOnLine: Bool) -> Bool {
        var j = k
        var separated = false
        if j < s.count, s[j] == UInt8(ascii: "=") || s[j] == UInt8(ascii: ":") {
            separated = true
            j += 1
        } else {
            let b = Scan.skipBlanks(s, from: j)
            if b < s.count, s[b] == UInt8(ascii: "=") {
                separated = true
                j = b + 1
            } else if firstOnLine, b > j {
                j = b
                guard Scan.has(s, Scan.zeroX, at: j) else { return false }
            } else {
                return false
            }
        }
        if separated { j = Scan.skipBlanks(s, from: j) }
        let prefixed = Scan.has(s, Scan.zeroX, at: j)
        if prefixed { j += 2 }
        let n = Scan.hexDigits(s, at: j)
        guard n >= (prefixed ? 1 : 4), n <= 16 else { return false }
        return Scan.isWordEnd(s, j + n)
    }
}
