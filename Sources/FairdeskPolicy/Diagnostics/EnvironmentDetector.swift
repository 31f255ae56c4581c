/// Environment variable listings: the output of `set` (Windows), `env`, `printenv`,
/// `export -p`, and PowerShell's `Get-ChildItem env:` table.
///
/// A block needs at least `minVariables` consecutive `KEY=VALUE` lines, and at least
/// `minEnvLikeShare` of the keys must look like environment variables (upper case,
/// digits, underscores, or one of the mixed-case names Windows uses), and at least one
/// must be a variable every system sets (PATH, HOME, TEMP, ComSpec…). Config files
/// ("Server=localhost"), `/etc/os-release`, `.env` files, URLs with query strings and a
/// lone "FOO=1" do not qualify.
/// The evidence names variables but never quotes values, which may be secrets.
enum EnvironmentDetector {
    static let minVariables = 4
    static let minEnvLikeShare = 0.75

    /// Variables that every `set`/`env` listing has a few of.
    static let wellKnown: Set<String> = [
        "PATH", "Path", "HOME", "USER", "LOGNAME", "SHELL", "PWD", "OLDPWD", "LANG", "TERM", "HOSTNAME", "SHLVL",
        "TMPDIR", "TEMP", "TMP", "ComSpec", "windir", "SystemRoot", "SystemDrive", "USERPROFILE", "USERNAME",
        "USERDOMAIN", "COMPUTERNAME", "APPDATA", "LOCALAPPDATA", "ProgramFiles", "ProgramFiles(x86)", "ProgramData",
        "PATHEXT", "PROCESSOR_ARCHITECTURE", "NUMBER_OF_PROCESSORS", "OS", "HOMEDRIVE", "HOMEPATH", "JAVA_HOME",
        "LD_LIBRARY_PATH", "XDG_RUNTIME_DIR", "DISPLAY", "PSModulePath", "PUBLIC", "ALLUSERSPROFILE",
    ]
    /// Mixed-case names that Windows itself sets.
    static let windowsMixedCase: Set<String> = [
        "Path", "ComSpec", "windir", "SystemRoot", "SystemDrive", "ProgramFiles", "ProgramFiles(x86)", "ProgramData",
        "ProgramW6432", "CommonProgramFiles", "CommonProgramFiles(x86)", "CommonProgramW6432", "PSModulePath",
        "DriverData", "OneDrive", "OneDriveConsumer", "OneDriveCommercial", "ZES_ENABLE_SYSMAN",
        "http_proxy", "https_proxy", "no_proxy", "ftp_proxy", "all_proxy",
    ]
    static let windowsOnly: Set<String> = ["ComSpec", "windir", "SystemRoot", "USERPROFILE", "Path", "PATHEXT", "APPDATA"]

    static let exportPrefix = Scan.bytes("export ")
    static let declarePrefix = Scan.bytes("declare -x ")

    static func detect(_ source: TextSource) -> [Found] {
        var found: [Found] = []
        var block: [(index: Int, key: String)] = []
        var misses = 0
        func close() {
            defer { block = [] }
            guard block.count >= minVariables else { return }
            let keys = block.map(\.key)
            let envLike = keys.filter(isEnvLike)
            let known = keys.filter(wellKnown.contains)
            guard Double(envLike.count) >= minEnvLikeShare * Double(keys.count), !known.isEmpty else { return }
            let flavor = keys.contains(where: windowsOnly.contains) ? "Windows set" : "env"
            found.append(entry(source, block.map(\.index), keys, known, what: "environment variables (\(flavor))"))
        }
        for (i, line) in source.lines.enumerated() {
            if let key = assignmentKey(line) {
                block.append((i, key))
                misses = 0
            } else if !block.isEmpty {
                // A value that spans lines, or a stray line in the middle of a listing.
                misses += 1
                if misses > 1 { close() }
            }
        }
        close()
        found += powerShellTables(source)
        return found
    }

    private static func entry(_ source: TextSource, _ indexes: [Int], _ keys: [String], _ known: [String], what: String) -> Found {
        let examples = (known + keys.filter { !known.contains($0) }).prefix(3).joined(separator: ", ")
        let evidence = "\(Evidence.place(source, indexes[0], indexes[indexes.count - 1])): "
            + "\(keys.count) variables, e.g. \(examples)"
        return Found(.environment, what, evidence, source: source.order, line: source.lines[indexes[0]].number)
    }

    /// The key of a `KEY=VALUE` line (also `export KEY=…` and `declare -x KEY=…`): a name
    /// of letters, digits, underscores and parentheses directly followed by `=`.
    static func assignmentKey(_ line: TextSource.Line) -> String? {
        let s = line.bytes
        // Listings pasted into mail are sometimes indented as a block.
        var i = line.indent
        guard i <= 8 else { return nil }
        if Scan.has(s, exportPrefix, at: i) { i += exportPrefix.count }
        else if Scan.has(s, declarePrefix, at: i) { i += declarePrefix.count }
        let start = i
        guard i < s.count, ASCII.isLetter(s[i]) || s[i] == UInt8(ascii: "_") else { return nil }
        while i < s.count, ASCII.isIdent(s[i]) || s[i] == UInt8(ascii: "(") || s[i] == UInt8(ascii: ")") { i += 1 }
        guard i < s.count, s[i] == UInt8(ascii: "="), i - start <= 64 else { return nil }
        return Scan.string(s, start..<i)
    }

    /// Upper case with digits and underscores (`JAVA_HOME`, `ProgramFiles(x86)` aside), or
    /// a mixed-case name Windows sets.
    static func isEnvLike(_ key: String) -> Bool {
        if windowsMixedCase.contains(key) { return true }
        var letters = 0
        for b in key.utf8 {
            if ASCII.isLower(b) { return false }
            if ASCII.isUpper(b) { letters += 1 }
        }
        return letters > 0
    }

    static let nameHeader = Scan.bytes("name")
    static let valueHeader = Scan.bytes("value")

    /// PowerShell's `Get-ChildItem env:`:
    ///
    ///     Name                           Value
    ///     ----                           -----
    ///     ALLUSERSPROFILE                C:\ProgramData
    private static func powerShellTables(_ source: TextSource) -> [Found] {
        var found: [Found] = []
        let lines = source.lines
        var i = 0
        while i + 1 < lines.count {
            let header = lines[i]
            guard Scan.has(header.lower, nameHeader, at: header.indent),
                Scan.contains(header.lower, valueHeader),
                Scan.has(lines[i + 1].bytes, Scan.bytes("----"), at: lines[i + 1].indent)
            else {
                i += 1
                continue
            }
            var keys: [String] = []
            var indexes: [Int] = []
            var j = i + 2
            while j < lines.count, let key = tableKey(lines[j]) {
                keys.append(key)
                indexes.append(j)
                j += 1
            }
            let known = keys.filter(wellKnown.contains)
            if keys.count >= minVariables, !known.isEmpty {
                found.append(entry(source, [i] + indexes, keys, known, what: "environment variables (PowerShell)"))
            }
            i = j
        }
        return found
    }

    /// The first column of a `Name   Value` row when it looks like a variable name.
    private static func tableKey(_ line: TextSource.Line) -> String? {
        let s = line.bytes
        guard line.indent == 0, !line.isBlank else { return nil }
        var i = 0
        while i < s.count, ASCII.isIdent(s[i]) || s[i] == UInt8(ascii: "(") || s[i] == UInt8(ascii: ")") { i += 1 }
        guard i > 0, i == s.count || ASCII.isBlank(s[i]) else { return nil }
        let key = Scan.string(s, 0..<i)
        return isEnvLike(key) || wellKnown.contains(key) ? key : nil
    }
}
