/// Software names with version numbers: "MyTool version 4.2.1", "git version 2.43.0",
/// "Fairsync v4.2", "PostgreSQL 16.1", "Visual Studio 2022 17.8.3", "Version: 8.12.0.0".
///
/// A version has at least two dotted components. Dates ("2026.11.03", "03.11.2026"), IP
/// addresses ("10.0.0.1", unless a "Version" label says otherwise), amounts ("4.50 EUR")
/// and versions the OS detector already claimed are not tool versions. Without a
/// "version" keyword, the word in front must look like a product name: capitalized or a
/// known command-line tool, and not a common word ("Section 3.2", "Total 4.50").
enum ToolVersionDetector {
    /// Lowercase command names that print "name x.y.z".
    static let lowercaseTools: Set<String> = [
        "git", "node", "npm", "yarn", "pnpm", "python", "python3", "pip", "pip3", "java", "javac", "openjdk", "dotnet",
        "gcc", "g++", "clang", "cmake", "make", "docker", "kubectl", "helm", "curl", "wget", "openssl", "perl", "ruby",
        "go", "rustc", "cargo", "swift", "psql", "mysql", "nginx", "httpd", "php", "bash", "zsh", "gradle", "mvn",
        "terraform", "ansible", "podman", "sqlite3", "redis-server", "mongod", "ffmpeg", "msbuild", "nuget", "deno",
    ]
    /// Words that are not product names, lowercased.
    static let stopwords: Set<String> = [
        "i", "we", "you", "they", "he", "she", "it", "our", "my", "your", "their", "the", "a", "an", "this", "that",
        "these", "those", "with", "using", "use", "on", "in", "at", "and", "or", "but", "also", "now", "then", "after",
        "before", "since", "from", "to", "for", "of", "by", "hi", "hello", "dear", "thanks", "thank", "sorry", "yes",
        "no", "please", "version", "ver", "step", "steps", "section", "chapter", "figure", "fig", "table", "page",
        "item", "line", "room", "suite", "apt", "floor", "price", "total", "subtotal", "tax", "vat", "invoice",
        "ticket", "order", "nr", "number", "tel", "phone", "fax", "mobile", "paragraph", "clause", "article",
        "appendix", "rule", "ip", "address", "host", "build", "rev", "revision", "about", "approx",
        "approximately", "ca", "around", "only", "just", "is", "was", "are", "be", "been", "upgraded", "updated",
        "installed", "running", "run", "release", "released", "patch", "hotfix", "update", "sp", "level", "score",
        "rating", "rated", "costs", "cost", "eur", "usd", "gbp", "chf", "day", "days", "hour", "hours", "minutes",
        "week", "weeks", "month", "months", "year", "years", "size", "width", "height", "weight", "ratio", "rate",
        "current", "latest", "newest", "new", "old", "previous", "last", "next", "mr", "mrs", "ms", "dr", "team",
        "building", "box", "po", "street", "str", "road", "kernel", "os", "release:", "see", "between", "upgrade",
        "downgrade", "than", "until", "till", "except", "like", "as", "per", "vs", "via", "both", "all", "any",
        "every", "each", "note", "warning", "error", "info", "debug", "trace", "fatal", "exhibit", "annex", "part",
        "point", "question", "answer", "issue", "bug", "case", "test", "tests", "option", "options", "phase",
        "stage", "milestone", "sprint", "quarter", "q1", "q2", "q3", "q4", "jan", "feb", "mar", "apr", "may", "jun",
        "jul", "aug", "sep", "oct", "nov", "dec", "january", "february", "march", "april", "june", "july", "august",
        "september", "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
        "sunday", "today", "tomorrow", "yesterday", "ok", "okay", "ping", "traceroute", "nslookup", "dns", "gateway", "subnet", "starting", "started", "stopping", "stopped", "loading",
        "loaded", "launching", "launched", "initializing", "welcome", "upgrading", "installing", "downloading",
    ]
    /// Operating system words: their versions belong to the OS detector.
    static let osWords: Set<String> = [
        "windows", "macos", "osx", "linux", "ubuntu", "debian", "fedora", "centos", "rhel", "android", "ios", "ipados",
        "freebsd", "darwin", "opensuse", "sles", "mint", "alpine", "x", "nt",
    ]
    static let units: Set<String> = [
        "%", "kb", "mb", "gb", "tb", "kib", "mib", "gib", "tib", "ghz", "mhz", "khz", "hz", "ms", "s", "sec", "secs",
        "seconds", "min", "mins", "minutes", "h", "hrs", "hours", "days", "eur", "usd", "gbp", "chf", "€", "$", "x",
        "times", "px", "pt", "em", "mm", "cm", "m", "km", "kg", "g", "lb", "lbs", "in", "ft", "v", "w", "kw", "mbit",
        "mbps", "gbps", "fps", "points", "stars", "percent",
    ]
    static let versionKeywords: Set<String> = ["version", "ver", "ver.", "v."]

    static func detect(_ source: TextSource, claimed: [Int: [Range<Int>]]) -> [Found] {
        var found: [Found] = []
        for (i, line) in source.lines.enumerated() where !line.isBlank {
            for (what, value) in scan(line, claimed: claimed[i] ?? []) {
                found.append(Found(.toolVersion, what, Evidence.lines(source, i, i, quote: line), value: value,
                                   source: source.order, line: line.number))
            }
        }
        return found
    }

    static func scan(_ line: TextSource.Line, claimed: [Range<Int>]) -> [(what: String, value: String)] {
        let s = line.bytes
        var result: [(String, String)] = []
        var i = 0
        while i < s.count {
            guard ASCII.isDigit(s[i]) else {
                i += 1
                continue
            }
            var next = i
            while next < s.count, ASCII.isDigit(s[next]) || s[next] == UInt8(ascii: ".") { next += 1 }
            if let candidate = versionAt(s, i) {
                next = max(next, candidate.end)
                if !claimed.contains(where: { $0.contains(i) }), let found = classify(s, candidate) { result.append(found) }
            }
            i = next
        }
        return result
    }

    struct Candidate {
        /// Where the version text starts ("v" included) and ends.
        var start: Int
        var end: Int
        var components: [Int]
        var text: String
    }

    /// A dotted version starting at the digit at `i`, optionally after a "v", with an
    /// optional suffix ("-beta2", "+build.5", "a1").
    static func versionAt(_ s: [UInt8], _ i: Int) -> Candidate? {
        var start = i
        if i > 0 {
            let p = s[i - 1]
            if p == UInt8(ascii: "v") || p == UInt8(ascii: "V") {
                guard i == 1 || !ASCII.isIdent(s[i - 2]) else { return nil }
                start = i - 1
            } else if ASCII.isIdent(p) || p == UInt8(ascii: ".") || p == UInt8(ascii: "-") || p == UInt8(ascii: "/")
                || p == UInt8(ascii: "\\") || p == UInt8(ascii: ":") || p == UInt8(ascii: "+") || p == UInt8(ascii: "~")
                || p == UInt8(ascii: "$") || p >= 0x80
            {
                return nil
            }
        }
        guard let v = OperatingSystemDetector.versionLenient(s, at: i), v.components.count >= 2 else { return nil }
        var end = v.end
        // Pre-release and build suffixes.
        if end + 1 < s.count, s[end] == UInt8(ascii: "-") || s[end] == UInt8(ascii: "+"), ASCII.isAlnum(s[end + 1]) {
            end += 1
            while end < s.count, ASCII.isAlnum(s[end]) || s[end] == UInt8(ascii: ".") { end += 1 }
            while s[end - 1] == UInt8(ascii: ".") { end -= 1 }
        } else if end < s.count, ASCII.isLetter(s[end]) {
            var k = end
            while k < s.count, ASCII.isAlnum(s[k]) { k += 1 }
            guard k - end <= 6 else { return nil }
            end = k
        }
        // Not a time ("12:00:01"), a port ("10.0.0.1:8080"), a path or a range.
        if end < s.count, [UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: "\\"), UInt8(ascii: "%"),
                           UInt8(ascii: "@"), UInt8(ascii: "_")].contains(s[end])
        {
            guard s[end] == UInt8(ascii: ":"), end + 1 >= s.count || !ASCII.isAlnum(s[end + 1]) else { return nil }
        }
        return Candidate(start: start, end: end, components: v.components,
                         text: Scan.string(s, i..<end))
    }

    static func classify(_ s: [UInt8], _ v: Candidate) -> (String, String)? {
        // The words before the version, nearest first.
        let words = wordsBefore(s, v.start)
        var nameWords: [String] = []
        var labelled = false
        var rest = words[...]
        if let w = rest.first, versionKeywords.contains(w.lowercased().trimmingSuffix(":")) {
            // A calendar version ("2023.10.1") is fine after a label; a day-first date is not.
            guard !isDate(v) || v.components[0] >= 1900 else { return nil }
            labelled = true
            rest = rest.dropFirst()
            if let w = rest.first {
                let trimmed = w.trimmingSuffix(",").trimmingSuffix(":")
                let lower = trimmed.lowercased()
                if osWords.contains(lower) || lower == "os" || lower == "kernel" { return nil }
                if isProductName(trimmed), !stopwords.contains(lower) { nameWords.append(trimmed) }
            }
        } else {
            // A labelled four-part number ("Version: 8.12.0.0") is a version even though
            // it looks like an address; an unlabelled one is not.
            guard !isDate(v), !isIPAddress(v), !isAmount(s, v) else { return nil }
            // "Visual Studio 2022 17.8.3": a year may sit between the name and the version.
            if let w = rest.first, w.count == 4, Int(w) != nil, rest.count > 1, isProductName(rest[rest.startIndex + 1]) {
                nameWords.append(w)
                rest = rest.dropFirst()
            }
            guard let w = rest.first, isProductName(w) else { return nil }
            let lower = w.lowercased()
            guard !stopwords.contains(lower), !osWords.contains(lower) else { return nil }
            nameWords.insert(w, at: 0)
            rest = rest.dropFirst()
            // "Visual Studio 2022 17.8.3", "SQL Server Management Studio 19.2"
            while nameWords.count < 4, let w = rest.first, !stopwords.contains(w.lowercased()),
                isProductName(w) || (w.count == 4 && Int(w) != nil)
            {
                nameWords.insert(w, at: 0)
                rest = rest.dropFirst()
            }
        }
        if nameWords.isEmpty {
            return labelled ? ("version number", v.text) : nil
        }
        return ("tool version", nameWords.joined(separator: " ") + " " + v.text)
    }

    /// Up to five blank-separated words ending right before `end` (quotes and blanks
    /// between them and the version skipped). A word that ends in punctuation other than
    /// ":" or "," stops the list: "…Berlin. 4.2" does not name a product.
    static func wordsBefore(_ s: [UInt8], _ end: Int) -> [String] {
        var words: [String] = []
        var k = end
        if k > 0, s[k - 1] == UInt8(ascii: "\"") || s[k - 1] == UInt8(ascii: "'") { k -= 1 }
        while words.count < 5 {
            var b = k
            while b > 0, ASCII.isBlank(s[b - 1]) { b -= 1 }
            guard b < k || (words.isEmpty && k < end) else { break }
            var a = b
            while a > 0, !ASCII.isBlank(s[a - 1]) { a -= 1 }
            guard a < b else { break }
            var word = Scan.string(s, a..<b)
            while let f = word.first, "([{\"'".contains(f) { word.removeFirst() }
            k = a
            // "madExcept version  : 5.1.2"
            if word == ":", words.count < 2 { continue }
            guard !word.isEmpty else { break }
            words.append(word)
            if let last = word.last, ".;!?)]}".contains(last) { break }
        }
        return words
    }

    /// Starts with a letter (or ".NET"), has no path or mail characters, and is either
    /// capitalized somewhere or a known command.
    static func isProductName(_ w: String) -> Bool {
        let b = Array(w.utf8)
        guard b.count >= 2, b.count <= 40 else { return false }
        guard ASCII.isLetter(b[0]) || (b[0] == UInt8(ascii: ".") && ASCII.isUpper(b[1])) else { return false }
        for c in b where !(ASCII.isAlnum(c) || "._-+#".utf8.contains(c)) { return false }
        if b.last == UInt8(ascii: ".") || b.last == UInt8(ascii: ",") || b.last == UInt8(ascii: ":") { return false }
        let lower = w.lowercased()
        return b.contains(where: ASCII.isUpper) || lowercaseTools.contains(w)
            || [".exe", ".dll", ".so", ".jar", ".dylib"].contains { lower.hasSuffix($0) }
    }

    static func isDate(_ v: Candidate) -> Bool {
        let c = v.components
        guard c.count == 3 else { return false }
        if (1900...2100).contains(c[0]), (1...12).contains(c[1]), (1...31).contains(c[2]) { return true }
        if (1900...2100).contains(c[2]), (1...31).contains(c[0]), (1...31).contains(c[1]) { return true }
        return false
    }

    /// Four numbers up to 255. "1.0.0.0" and "8.12.0.0" are versions rather than hosts:
    /// a small first part and a zero last part is how four-part versions look.
    static func isIPAddress(_ v: Candidate) -> Bool {
        let c = v.components
        guard c.count == 4, c.allSatisfy({ $0 <= 255 }), !v.text.contains("-") else { return false }
        return !(c[0] < 10 && c[3] == 0)
    }

    /// "4.50 EUR", "2.5 GB", "1.5 hours".
    static func isAmount(_ s: [UInt8], _ v: Candidate) -> Bool {
        let k = Scan.skipBlanks(s, from: v.end)
        var e = k
        while e < s.count, !ASCII.isBlank(s[e]), ![UInt8(ascii: ","), UInt8(ascii: "."), UInt8(ascii: ")")].contains(s[e]) {
            e += 1
        }
        return k < s.count && units.contains(Scan.string(s, k..<e).lowercased())
    }
}

extension OperatingSystemDetector {
    /// Like `version(_:at:)` but allowing letters and dashes after the digits: a tool
    /// version may have a suffix ("4.2.1-beta2").
    static func versionLenient(_ s: [UInt8], at i: Int) -> (end: Int, components: [Int])? {
        var j = i
        var components: [Int] = []
        while true {
            let d = Scan.digits(s, at: j)
            guard d > 0, d <= 9 else { return nil }
            components.append(Scan.int(s, j..<(j + d)))
            j += d
            guard j + 1 < s.count, s[j] == UInt8(ascii: "."), ASCII.isDigit(s[j + 1]) else { break }
            j += 1
        }
        return (j, components)
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
