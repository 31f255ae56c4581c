/// Operating system names with a version: "Windows 11 Pro 23H2", "Windows Server 2022",
/// "Microsoft Windows [Version 10.0.22631.2861]", "macOS Sonoma 14.2", "OS X 10.15",
/// "Ubuntu 22.04", "Debian 12", "RHEL 9.3", "Linux 6.1.0-13-amd64" (uname), "Android 14",
/// "iOS 17.1", and `sw_vers` output. A name without a version ("we use Windows") is not
/// enough: the agent would still have to ask which one.
enum OperatingSystemDetector {
    struct Match {
        var value: String
        var what: String
        /// The bytes of the line the match covers, so the tool-version detector does not
        /// report "10.0.22631" again.
        var range: Range<Int>
    }

    /// A Linux distribution or other system named by a keyword and a numeric version.
    struct Rule {
        var keyword: [UInt8]
        var display: String
        /// Words that may come between the name and the version, with how to show them.
        var skip: [(word: [UInt8], display: String?)] = []
        var components: ClosedRange<Int>
        var first: ClosedRange<Int>
        /// Ubuntu versions are YY.MM with MM either 04 or 10.
        var ubuntu = false
        /// "SLES 15 SP5".
        var servicePack = false
    }

    static func rule(_ keyword: String, _ display: String, skip: [(String, String?)] = [], _ components: ClosedRange<Int>,
                     _ first: ClosedRange<Int>, ubuntu: Bool = false, servicePack: Bool = false) -> Rule
    {
        Rule(keyword: Scan.bytes(keyword), display: display, skip: skip.map { (Scan.bytes($0.0), $0.1) },
             components: components, first: first, ubuntu: ubuntu, servicePack: servicePack)
    }

    // Longer keywords first where one starts another ("linux mint" before "linux").
    static let rules: [Rule] = [
        rule("ubuntu", "Ubuntu", 2...3, 4...40, ubuntu: true),
        rule("kubuntu", "Kubuntu", 2...3, 4...40, ubuntu: true),
        rule("debian", "Debian", skip: [("gnu/linux", nil), ("linux", nil)], 1...2, 2...20),
        rule("fedora", "Fedora", skip: [("linux", nil), ("release", nil)], 1...1, 10...60),
        rule("rhel", "RHEL", skip: [("release", nil)], 1...2, 4...12),
        rule("red hat enterprise linux", "RHEL", skip: [("server", nil), ("workstation", nil), ("release", nil)],
             1...2, 4...12),
        rule("centos", "CentOS", skip: [("linux", nil), ("stream", "Stream"), ("release", nil)], 1...3, 4...12),
        rule("rocky linux", "Rocky Linux", skip: [("release", nil)], 1...2, 8...12),
        rule("almalinux", "AlmaLinux", skip: [("release", nil)], 1...2, 8...12),
        rule("alma linux", "AlmaLinux", 1...2, 8...12),
        rule("oracle linux", "Oracle Linux", skip: [("server", nil), ("release", nil)], 1...2, 5...12),
        rule("opensuse", "openSUSE", skip: [("leap", "Leap")], 2...2, 15...16),
        rule("sles", "SLES", 1...1, 11...16, servicePack: true),
        rule("suse linux enterprise server", "SLES", 1...1, 11...16, servicePack: true),
        rule("linux mint", "Linux Mint", 1...2, 17...30),
        rule("alpine", "Alpine Linux", skip: [("linux", nil)], 2...3, 3...3),
        rule("amazon linux", "Amazon Linux", 1...1, 2...2030),
        rule("android", "Android", skip: [("version", nil)], 1...3, 4...20),
        rule("ios", "iOS", 1...3, 5...30),
        rule("ipados", "iPadOS", 1...3, 13...30),
        rule("freebsd", "FreeBSD", 2...2, 9...20),
        rule("darwin", "Darwin", skip: [("kernel", nil), ("version", nil)], 3...3, 9...40),
        rule("chromeos", "ChromeOS", 1...4, 80...200),
    ]

    static let macNames: [(word: [UInt8], display: String)] = [
        ("big sur", "Big Sur"), ("catalina", "Catalina"), ("el capitan", "El Capitan"), ("high sierra", "High Sierra"),
        ("mojave", "Mojave"), ("monterey", "Monterey"), ("sequoia", "Sequoia"), ("sierra", "Sierra"),
        ("sonoma", "Sonoma"), ("tahoe", "Tahoe"), ("ventura", "Ventura"), ("yosemite", "Yosemite"),
    ].map { (Scan.bytes($0.0), $0.1) }
    static let macPrefixes: [(word: [UInt8], display: String)] = [
        ("mac os x", "Mac OS X"), ("macos", "macOS"), ("mac os", "macOS"), ("os x", "OS X"), ("osx", "OS X"),
    ].map { (Scan.bytes($0.0), $0.1) }

    static func detect(_ source: TextSource) -> (found: [Found], claimed: [Int: [Range<Int>]]) {
        var found: [Found] = []
        var claimed: [Int: [Range<Int>]] = [:]
        for (i, line) in source.lines.enumerated() where !line.isBlank {
            let matches = scan(source, i)
            guard !matches.isEmpty else { continue }
            claimed[i] = matches.map(\.range)
            for m in matches {
                found.append(Found(.operatingSystem, m.what, Evidence.lines(source, i, i, quote: line), value: m.value,
                                   source: source.order, line: line.number))
            }
        }
        return (found, claimed)
    }

    /// The leading letters of every keyword above. Most words of a text are not one of
    /// these, and one set lookup rules them out.
    static let firstWords: Set<String> = {
        var words: Set<String> = ["windows", "win", "macos", "mac", "os", "osx", "linux", "kernel", "productversion"]
        for keyword in rules.map(\.keyword) + macNames.map(\.word) {
            words.insert(String(decoding: keyword.prefix(while: ASCII.isLetter), as: UTF8.self))
        }
        return words
    }()

    static func scan(_ source: TextSource, _ index: Int) -> [Match] {
        let s = source.lines[index].lower
        var result: [Match] = []
        var i = 0
        while i < s.count {
            guard ASCII.isLetter(s[i]), Scan.isWordStart(s, i), i == 0 || s[i - 1] != UInt8(ascii: "/") else {
                i += 1
                continue
            }
            var letters = i
            while letters < s.count, letters - i < 16, ASCII.isLetter(s[letters]) { letters += 1 }
            guard firstWords.contains(Scan.string(s, i..<letters)) else {
                while i < s.count, ASCII.isIdent(s[i]) { i += 1 }
                continue
            }
            if let m = match(source, index, at: i) {
                result.append(m)
                i = max(m.range.upperBound, i + 1)
            } else {
                while i < s.count, ASCII.isIdent(s[i]) { i += 1 }
            }
        }
        return result
    }

    private static func match(_ source: TextSource, _ index: Int, at i: Int) -> Match? {
        let line = source.lines[index]
        let s = line.lower
        switch s[i] {
        case UInt8(ascii: "w"):
            if let m = windows(line, at: i) { return m }
        case UInt8(ascii: "m"), UInt8(ascii: "o"):
            if let m = mac(line, at: i) { return m }
        case UInt8(ascii: "l"), UInt8(ascii: "k"):
            if let m = kernel(line, at: i) { return m }
        case UInt8(ascii: "p"):
            if let m = swVers(source, index, at: i) { return m }
        default:
            break
        }
        if let m = macName(line, at: i) { return m }
        for rule in rules where rule.keyword[0] == s[i] {
            if let m = distribution(line, rule, at: i) { return m }
        }
        return nil
    }

    // MARK: - Versions

    /// Digits separated by dots at `i`, not followed by more version-like text
    /// ("6.1.55-1" is not a Debian version). Returns the end and the components.
    static func version(_ s: [UInt8], at i: Int) -> (end: Int, components: [Int])? {
        var j = i
        var components: [Int] = []
        while true {
            let d = Scan.digits(s, at: j)
            guard d > 0, d <= 5 else { return nil }
            components.append(Scan.int(s, j..<(j + d)))
            j += d
            guard j + 1 < s.count, s[j] == UInt8(ascii: "."), ASCII.isDigit(s[j + 1]) else { break }
            j += 1
        }
        if j < s.count {
            guard !ASCII.isLetter(s[j]), s[j] != UInt8(ascii: "_") else { return nil }
            // "6.1.55-1" is a package version, "12:00" a time.
            if s[j] == UInt8(ascii: "-") || s[j] == UInt8(ascii: ":"), j + 1 < s.count, ASCII.isAlnum(s[j + 1]) { return nil }
        }
        return (j, components)
    }

    private static func distribution(_ line: TextSource.Line, _ rule: Rule, at i: Int) -> Match? {
        let s = line.lower
        guard Scan.has(s, rule.keyword, at: i) else { return nil }
        var j = i + rule.keyword.count
        guard Scan.isWordEnd(s, j) || ASCII.isDigit(s[j]) else { return nil }
        var words = [rule.display]
        var moved = true
        while moved {
            moved = false
            let k = Scan.skipBlanks(s, from: j)
            for skip in rule.skip where Scan.has(s, skip.word, at: k) && Scan.isWordEnd(s, k + skip.word.count) {
                j = k + skip.word.count
                if let d = skip.display { words.append(d) }
                moved = true
            }
        }
        var k = Scan.skipBlanks(s, from: j)
        if k < s.count, s[k] == UInt8(ascii: "-") || s[k] == UInt8(ascii: ":") { k = Scan.skipBlanks(s, from: k + 1) }
        guard let v = version(s, at: k), rule.components.contains(v.components.count),
            rule.first.contains(v.components[0])
        else { return nil }
        if rule.ubuntu {
            guard v.components.count >= 2, Scan.digits(s, at: k) == 2, [4, 10].contains(v.components[1]),
                Scan.has(s, Scan.bytes("0"), at: k + 3) || v.components[1] == 10
            else { return nil }
        }
        var end = v.end
        var text = Scan.string(s, k..<v.end)
        if rule.servicePack {
            let p = Scan.skipBlanks(s, from: end)
            if Scan.has(s, Scan.bytes("sp"), at: p), Scan.digits(s, at: p + 2) > 0 {
                end = p + 2 + Scan.digits(s, at: p + 2)
                text += " SP" + Scan.string(s, (p + 2)..<end)
            }
        }
        words.append(text)
        return Match(value: words.joined(separator: " "), what: "OS version", range: i..<end)
    }

    // MARK: - Windows

    static let windowsWord = Scan.bytes("windows")
    static let winWord = Scan.bytes("win")
    static let windowsReleases: [String: String] = [
        "10": "10", "11": "11", "7": "7", "8": "8", "8.1": "8.1", "xp": "XP", "vista": "Vista",
    ]
    static let windowsEditions: [String: String] = [
        "pro": "Pro", "home": "Home", "enterprise": "Enterprise", "education": "Education", "ltsc": "LTSC",
        "ltsb": "LTSB", "iot": "IoT", "professional": "Professional", "ultimate": "Ultimate", "s": "S", "n": "N",
    ]
    static let serverYears: Set<Int> = [2003, 2008, 2012, 2016, 2019, 2022, 2025]

    /// The word at `i` (letters, digits and dots).
    private static func word(_ s: [UInt8], at i: Int) -> (text: String, end: Int) {
        var j = i
        while j < s.count, ASCII.isAlnum(s[j]) || (s[j] == UInt8(ascii: ".") && j + 1 < s.count && ASCII.isDigit(s[j + 1])) {
            j += 1
        }
        return (Scan.string(s, i..<j), j)
    }

    private static func windows(_ line: TextSource.Line, at i: Int) -> Match? {
        let s = line.lower
        var j: Int
        if Scan.has(s, windowsWord, at: i), Scan.isWordEnd(s, i + windowsWord.count) {
            j = Scan.skipBlanks(s, from: i + windowsWord.count)
        } else if Scan.has(s, winWord, at: i), i + 3 < s.count, ASCII.isDigit(s[i + 3]) || ASCII.isBlank(s[i + 3]) {
            // "Win10", "Win 11"
            j = Scan.skipBlanks(s, from: i + 3)
            let w = word(s, at: j)
            guard ["7", "8", "8.1", "10", "11"].contains(w.text) else { return nil }
        } else {
            return nil
        }
        // "Microsoft Windows [Version 10.0.22631.2861]"
        if Scan.has(s, Scan.bytes("[version "), at: j) {
            let k = j + 9
            guard let v = version(s, at: k), v.components.count >= 3 else { return nil }
            return Match(value: "Windows " + Scan.string(s, k..<v.end), what: "OS version", range: i..<v.end)
        }
        // "Windows NT 10.0"
        if Scan.has(s, Scan.bytes("nt "), at: j) {
            let k = Scan.skipBlanks(s, from: j + 3)
            guard let v = version(s, at: k), v.components.count == 2 else { return nil }
            return Match(value: "Windows NT " + Scan.string(s, k..<v.end), what: "OS version", range: i..<v.end)
        }
        var words: [String] = ["Windows"]
        var end: Int
        if Scan.has(s, Scan.bytes("server "), at: j) {
            let k = Scan.skipBlanks(s, from: j + 7)
            guard Scan.digits(s, at: k) == 4, serverYears.contains(Scan.int(s, k..<(k + 4))), Scan.isWordEnd(s, k + 4)
            else { return nil }
            words += ["Server", Scan.string(s, k..<(k + 4))]
            end = k + 4
            let r = Scan.skipBlanks(s, from: end)
            if Scan.has(s, Scan.bytes("r2"), at: r), Scan.isWordEnd(s, r + 2) {
                words.append("R2")
                end = r + 2
            }
        } else {
            let w = word(s, at: j)
            if let release = windowsReleases[w.text] {
                words.append(release)
                end = w.end
            } else if let v = version(s, at: j), v.components.count >= 3, [6, 10].contains(v.components[0]) {
                // "Windows 10.0.19045"
                return Match(value: "Windows " + Scan.string(s, j..<v.end), what: "OS version", range: i..<v.end)
            } else {
                return nil
            }
        }
        // Editions, then a feature update ("23H2", "1909") or a build number.
        var k = Scan.skipBlanks(s, from: end)
        var editions = 0
        while editions < 3, k < s.count {
            let w = word(s, at: k)
            guard let edition = windowsEditions[w.text] else { break }
            words.append(edition)
            end = w.end
            editions += 1
            k = Scan.skipBlanks(s, from: end)
        }
        if k < s.count, s[k] == UInt8(ascii: ",") || s[k] == UInt8(ascii: "(") { k = Scan.skipBlanks(s, from: k + 1) }
        for keyword in ["version ", "build "] where Scan.has(s, Scan.bytes(keyword), at: k) {
            let after = Scan.skipBlanks(s, from: k + keyword.count)
            if keyword == "build ", Scan.digits(s, at: after) >= 4 {
                let d = Scan.digits(s, at: after)
                words.append("build " + Scan.string(s, after..<(after + d)))
                return Match(value: words.joined(separator: " "), what: "OS version", range: i..<(after + d))
            }
            k = after
        }
        let w = word(s, at: k)
        let b = Array(w.text.utf8)
        if b.count == 4, ASCII.isDigit(b[0]), ASCII.isDigit(b[1]), b[2] == UInt8(ascii: "h"), ASCII.isDigit(b[3]) {
            words.append(w.text.uppercased())
            end = w.end
        } else if b.count == 4, let n = Int(w.text), (1507...2009).contains(n) {
            words.append(w.text)
            end = w.end
        }
        return Match(value: words.joined(separator: " "), what: "OS version", range: i..<end)
    }

    // MARK: - Apple

    private static func mac(_ line: TextSource.Line, at i: Int) -> Match? {
        let s = line.lower
        guard let prefix = macPrefixes.first(where: { Scan.has(s, $0.word, at: i) && Scan.isWordEnd(s, i + $0.word.count) })
        else { return nil }
        var words = [prefix.display]
        var end = i + prefix.word.count
        var k = Scan.skipBlanks(s, from: end)
        var named = false
        if let name = macNames.first(where: { Scan.has(s, $0.word, at: k) && Scan.isWordEnd(s, k + $0.word.count) }) {
            words.append(name.display)
            end = k + name.word.count
            named = true
            k = Scan.skipBlanks(s, from: end)
        }
        if let v = version(s, at: k), v.components[0] >= 10, v.components[0] <= 30, v.components.count <= 3 {
            words.append(Scan.string(s, k..<v.end))
            end = v.end
        } else if !named {
            return nil
        }
        return Match(value: words.joined(separator: " "), what: "OS version", range: i..<end)
    }

    /// "Sonoma 14.2" without "macOS" in front: only with a version.
    private static func macName(_ line: TextSource.Line, at i: Int) -> Match? {
        let s = line.lower
        guard let name = macNames.first(where: { Scan.has(s, $0.word, at: i) && Scan.isWordEnd(s, i + $0.word.count) })
        else { return nil }
        let k = Scan.skipBlanks(s, from: i + name.word.count)
        guard k > i + name.word.count, let v = version(s, at: k), v.components.count >= 2, (10...30).contains(v.components[0])
        else { return nil }
        return Match(value: "macOS \(name.display) " + Scan.string(s, k..<v.end), what: "OS version", range: i..<v.end)
    }

    static let productVersion = Scan.bytes("productversion:")
    static let productName = Scan.bytes("productname:")

    /// `sw_vers`: "ProductName: macOS" then "ProductVersion: 14.2.1".
    private static func swVers(_ source: TextSource, _ index: Int, at i: Int) -> Match? {
        let s = source.lines[index].lower
        guard Scan.has(s, productVersion, at: i) else { return nil }
        let k = Scan.skipBlanks(s, from: i + productVersion.count)
        guard let v = version(s, at: k) else { return nil }
        for back in 1...3 where index - back >= 0 {
            let previous = source.lines[index - back].lower
            guard let p = Scan.find(productName, in: previous) else { continue }
            let rest = Array(previous[(p + productName.count)...])
            let display = Scan.contains(rest, Scan.bytes("mac os x")) ? "Mac OS X"
                : Scan.contains(rest, Scan.bytes("macos")) ? "macOS"
                : Scan.contains(rest, Scan.bytes("ipados")) ? "iPadOS"
                : Scan.contains(rest, Scan.bytes("ios")) ? "iOS" : nil
            guard let display else { return nil }
            return Match(value: "\(display) " + Scan.string(s, k..<v.end), what: "OS version", range: i..<v.end)
        }
        return nil
    }

    // MARK: - Linux kernel

    static let linuxWord = Scan.bytes("linux")
    static let kernelWord = Scan.bytes("kernel")

    /// "Linux 6.1.0-13-amd64", `uname -a` ("Linux host 6.1.0-13-amd64 #1 SMP …"),
    /// "kernel 5.15.0-91-generic".
    private static func kernel(_ line: TextSource.Line, at i: Int) -> Match? {
        let s = line.lower
        let keyword: [UInt8]
        if Scan.has(s, linuxWord, at: i) { keyword = linuxWord } else if Scan.has(s, kernelWord, at: i) { keyword = kernelWord } else {
            return nil
        }
        guard Scan.isWordEnd(s, i + keyword.count) else { return nil }
        var k = Scan.skipBlanks(s, from: i + keyword.count)
        guard k > i + keyword.count else { return nil }
        if keyword == kernelWord {
            for word in ["version", "release"] where Scan.has(s, Scan.bytes(word), at: k) {
                k = Scan.skipBlanks(s, from: k + word.count)
            }
            if k < s.count, s[k] == UInt8(ascii: ":") { k = Scan.skipBlanks(s, from: k + 1) }
        }
        if let end = kernelVersion(s, at: k) {
            return Match(value: "Linux " + Scan.string(line.bytes, k..<end), what: "Linux kernel version", range: i..<end)
        }
        // uname -a: "Linux <hostname> <release> #1 SMP …"
        guard keyword == linuxWord, i == line.indent else { return nil }
        var h = k
        while h < s.count, !ASCII.isBlank(s[h]) { h += 1 }
        let r = Scan.skipBlanks(s, from: h)
        guard r > h, let end = kernelVersion(s, at: r), Scan.contains(s, Scan.bytes(" #")) else { return nil }
        return Match(value: "Linux " + Scan.string(line.bytes, r..<end), what: "Linux kernel version", range: i..<end)
    }

    /// A kernel release: "6.1.0", "5.15.0-91-generic", "4.18.0-513.el8.x86_64". Needs three
    /// components or a suffix, so "Linux 2.0" in prose is not one.
    static func kernelVersion(_ s: [UInt8], at i: Int) -> Int? {
        var j = i
        var components = 0
        // major.minor.patch: one digit, then at most two, then at most three.
        let maxDigits = [1, 2, 3]
        while true {
            let d = Scan.digits(s, at: j)
            guard d > 0, d <= maxDigits[components] else { return nil }
            if components == 0, !(2...7).contains(Scan.int(s, j..<(j + d))) { return nil }
            j += d
            components += 1
            guard components < 3, j + 1 < s.count, s[j] == UInt8(ascii: "."), ASCII.isDigit(s[j + 1]) else { break }
            j += 1
        }
        guard components >= 2 else { return nil }
        var suffix = false
        if j + 1 < s.count, s[j] == UInt8(ascii: "-") || s[j] == UInt8(ascii: "+") || s[j] == UInt8(ascii: "."),
            ASCII.isAlnum(s[j + 1])
        {
            j += 1
            while j < s.count, ASCII.isAlnum(s[j]) || [UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "+")].contains(s[j]) {
                j += 1
            }
            while j > i, s[j - 1] == UInt8(ascii: ".") || s[j - 1] == UInt8(ascii: "-") { j -= 1 }
            suffix = true
        }
        guard components == 3 || suffix, Scan.isWordEnd(s, j) else { return nil }
        return j
    }
}
