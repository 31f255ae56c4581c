/// RFC 5322 §3.4 addresses, read liberally: real headers break every rule of the grammar,
/// and a help desk must still find out who wrote.
public struct MailAddress: Sendable, Hashable, Codable {
    /// Display name, decoded (RFC 2047) and unquoted; nil when absent or empty.
    public var name: String?
    /// `local@domain` as written (RFC 6532 allows UTF-8); may lack a domain in broken mail.
    public var address: String

    public init(name: String? = nil, address: String) {
        self.name = name
        self.address = address
    }

    /// `Name <addr>` for an outgoing header, the name encoded or quoted as a phrase needs
    /// (RFC 5322 §3.4, RFC 2047 §5 (3)); the bare address when there is no name.
    public var formatted: String {
        guard let name, !name.isEmpty else { return address }
        return "\(EncodedWords.encodePhrase(name)) <\(address)>"
    }
}

public enum AddressParser {
    /// Parses an address-list field body (From, To, Cc, Reply-To...). Groups are
    /// flattened into their member addresses. Never fails; what it skipped is a defect.
    ///
    ///     address-list    = (address *("," address)) / obs-addr-list
    ///     obs-addr-list   = *([CFWS] ",") address *("," [address / CFWS])
    ///     address         = mailbox / group
    ///     group           = display-name ":" [group-list] ";" [CFWS]
    ///     mailbox         = name-addr / addr-spec
    ///     name-addr       = [display-name] angle-addr
    ///     angle-addr      = [CFWS] "<" addr-spec ">" [CFWS] / obs-angle-addr
    ///     obs-angle-addr  = [CFWS] "<" obs-route addr-spec ">" [CFWS]
    ///     display-name    = phrase          ; phrase = 1*word / obs-phrase
    ///     addr-spec       = local-part "@" domain
    ///
    /// Beyond the grammar it accepts `;` as a list separator (Outlook), a missing comma
    /// between two angle-addrs, an address after a name without angle brackets, unclosed
    /// quotes, comments and brackets, and addresses without a domain. A comment after an
    /// address serves as its name when there is no display name (`a@x.com (Ann)`). Each
    /// kind of defect is reported once, with its first example.
    public static func parseList(_ raw: String, limit: Int = MailLimits.default.maxAddressesPerHeader) -> (addresses: [MailAddress], defects: [MailDefect]) {
        var parser = AddressListParser(bytes: Array(raw.utf8), limit: limit)
        parser.run()
        return (parser.addresses, parser.defects)
    }

    /// The first address of a From-like field (From, Sender, Return-Path), for code that
    /// wants one author. A second address is reported as a defect: RFC 5322 §3.6.2 allows
    /// several authors in From, but Fairdesk credits the first.
    public static func parseSingle(_ raw: String) -> (address: MailAddress?, defects: [MailDefect]) {
        var (addresses, defects) = parseList(raw)
        if addresses.count > 1 {
            defects.append(MailDefect("address.multiple", "\(addresses.count) addresses; using \(addresses[0].address)"))
        }
        if addresses.isEmpty, raw.utf8.contains(where: { !isWhitespace($0) }),
           !defects.contains(where: { $0.code == "address.empty" }) {
            defects.append(MailDefect("address.missing", "no address in \(snippet(Array(raw.utf8)[...]))"))
        }
        return (addresses.first, defects)
    }

    /// Message identifiers from In-Reply-To or References, without angle brackets, in order.
    ///
    ///     msg-id      = [CFWS] "<" id-left "@" id-right ">" [CFWS]     ; RFC 5322 §3.6.4
    ///     references  = "References:" 1*msg-id CRLF
    ///
    /// Liberal: comments and text around ids (`<a@b> (added by x)`) are skipped, folding
    /// whitespace inside brackets is removed, and whitespace-separated ids without brackets
    /// are taken when they contain `@`.
    public static func parseMessageIDs(_ raw: String) -> [String] {
        let b = Array(raw.utf8)
        let n = b.count
        var ids: [String] = []
        var i = 0
        while i < n {
            let c = b[i]
            if isWhitespace(c) {
                i += 1
            } else if c == UInt8(ascii: "(") {
                i = commentEnd(b, from: i)
            } else if c == UInt8(ascii: "<") {
                var id: [UInt8] = []
                i += 1
                // A `<` inside an id means the previous one was never closed.
                while i < n, b[i] != UInt8(ascii: ">"), b[i] != UInt8(ascii: "<") {
                    if !isWhitespace(b[i]) { id.append(b[i]) }
                    i += 1
                }
                if i < n, b[i] == UInt8(ascii: ">") { i += 1 }
                if !id.isEmpty { ids.append(String(decoding: id, as: UTF8.self)) }
            } else {
                let start = i
                while i < n, !isWhitespace(b[i]), b[i] != UInt8(ascii: "<"), b[i] != UInt8(ascii: "(") { i += 1 }
                var word = b[start..<i]
                // Separators and quotes that careless software puts around bare ids.
                let punctuation: Set<UInt8> = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\""), UInt8(ascii: "'")]
                while let first = word.first, punctuation.contains(first) { word = word.dropFirst() }
                while let last = word.last, punctuation.contains(last) { word = word.dropLast() }
                if word.contains(UInt8(ascii: "@")), word.first != UInt8(ascii: "@"), word.last != UInt8(ascii: "@") {
                    ids.append(String(decoding: word, as: UTF8.self))
                }
            }
        }
        return ids
    }

    /// The index after the comment starting at `b[start]` (a `(`), nested comments and
    /// quoted-pairs included; the end of input if it is never closed (RFC 5322 §3.2.2).
    static func commentEnd(_ b: [UInt8], from start: Int) -> Int {
        var depth = 0
        var i = start
        while i < b.count {
            switch b[i] {
            case UInt8(ascii: "\\"): i += 1
            case UInt8(ascii: "("): depth += 1
            case UInt8(ascii: ")"):
                depth -= 1
                if depth == 0 { return i + 1 }
            default: break
            }
            i += 1
        }
        return b.count
    }

    static func isWhitespace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A
    }

    /// A short quotation of raw input for a defect detail.
    static func snippet(_ bytes: ArraySlice<UInt8>) -> String {
        let limit = 80
        let text = String(decoding: bytes.prefix(limit), as: UTF8.self)
        return "\"\(text)\(bytes.count > limit ? "..." : "")\""
    }
}

/// A lexical token of an address field (RFC 5322 §3.2).
private struct AddressToken {
    enum Kind {
        case atom, quoted, comment, literal, special
    }

    var kind: Kind
    /// Raw bytes of the token, delimiters included.
    var start: Int
    var end: Int
    /// Whitespace or a comment came right before: the token does not continue the
    /// word before it.
    var spaceBefore: Bool
    /// A quoted string, comment or domain literal that was never closed.
    var unclosed = false

    func isSpecial(_ c: Character) -> Bool {
        kind == .special && c.asciiValue.map { $0 == specialByte } == true
    }

    var specialByte: UInt8 = 0
}

/// Splits an address field into tokens. Recovery from unclosed quotes and comments is
/// linear: each byte is scanned a bounded number of times.
private struct AddressLexer {
    let b: [UInt8]
    var pos = 0
    /// Once a quoted string has run to the end unclosed, every later `"` is unclosed too
    /// (quoted-pairs line up the same way), so later ones need not scan to the end again.
    var quotesRunToEnd = false
    /// Likewise for comments, though nesting makes it a heuristic rather than a fact.
    var commentsRunToEnd = false

    init(_ bytes: [UInt8]) {
        b = bytes
    }

    mutating func next() -> AddressToken? {
        let n = b.count
        var spaceBefore = false
        while pos < n, AddressParser.isWhitespace(b[pos]) {
            spaceBefore = true
            pos += 1
        }
        guard pos < n else { return nil }
        let start = pos
        let c = b[pos]
        switch c {
        case UInt8(ascii: "\""):
            return delimited(.quoted, close: UInt8(ascii: "\""), spaceBefore: spaceBefore)
        case UInt8(ascii: "("):
            return delimited(.comment, close: UInt8(ascii: ")"), spaceBefore: spaceBefore)
        case UInt8(ascii: "["):
            return domainLiteral(spaceBefore: spaceBefore)
        case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: ":"), UInt8(ascii: ";"), UInt8(ascii: "@"), UInt8(ascii: ","):
            pos += 1
            return AddressToken(kind: .special, start: start, end: pos, spaceBefore: spaceBefore, specialByte: c)
        default:
            // atext plus "." (dot-atom and obs-phrase), UTF-8 (RFC 6532), and the stray
            // ")", "]" and "\" that broken mailers leave: every byte must land in some token.
            while pos < n, !Self.endsAtom(b[pos]) { pos += 1 }
            return AddressToken(kind: .atom, start: start, end: pos, spaceBefore: spaceBefore)
        }
    }

    static func endsAtom(_ c: UInt8) -> Bool {
        switch c {
        case 0x20, 0x09, 0x0D, 0x0A,
             UInt8(ascii: "\""), UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "<"), UInt8(ascii: ">"),
             UInt8(ascii: ":"), UInt8(ascii: ";"), UInt8(ascii: "@"), UInt8(ascii: ","):
            return true
        default:
            return false
        }
    }

    ///     quoted-string = [CFWS] DQUOTE *([FWS] qcontent) [FWS] DQUOTE [CFWS]
    ///     comment       = "(" *([FWS] ccontent) [FWS] ")"
    ///     ccontent      = ctext / quoted-pair / comment
    ///
    /// An unclosed one ends before the next `<`: the usual breakage is a missing closing
    /// quote or parenthesis in a display name before its angle-addr.
    private mutating func delimited(_ kind: AddressToken.Kind, close: UInt8, spaceBefore: Bool) -> AddressToken {
        let n = b.count
        let start = pos
        let open = b[pos]
        let nests = kind == .comment
        let knownToRunToEnd = kind == .quoted ? quotesRunToEnd : commentsRunToEnd
        var depth = 1
        var i = pos + 1
        while i < n {
            let c = b[i]
            if c == UInt8(ascii: "\\") {
                i += 2
                continue
            }
            if knownToRunToEnd, c == UInt8(ascii: "<") { break }
            if c == close {
                depth -= 1
                if depth == 0 {
                    pos = i + 1
                    return AddressToken(kind: kind, start: start, end: pos, spaceBefore: spaceBefore)
                }
            } else if nests, c == open {
                depth += 1
            }
            i += 1
        }
        if kind == .quoted { quotesRunToEnd = true } else { commentsRunToEnd = true }
        var end = start + 1
        while end < n, b[end] != UInt8(ascii: "<") { end += 1 }
        pos = end
        return AddressToken(kind: kind, start: start, end: end, spaceBefore: spaceBefore, unclosed: true)
    }

    ///     domain-literal = [CFWS] "[" *([FWS] dtext) [FWS] "]" [CFWS]
    ///
    /// Also "[Bot]" in display names. An unclosed one ends at the next delimiter of the
    /// list, so it cannot swallow the addresses after it.
    private mutating func domainLiteral(spaceBefore: Bool) -> AddressToken {
        let n = b.count
        let start = pos
        var i = pos + 1
        while i < n {
            let c = b[i]
            if c == UInt8(ascii: "]") {
                pos = i + 1
                return AddressToken(kind: .literal, start: start, end: pos, spaceBefore: spaceBefore)
            }
            if c == UInt8(ascii: "<") || c == UInt8(ascii: ">") || c == UInt8(ascii: ",") || c == UInt8(ascii: ";") { break }
            i += 1
        }
        pos = i
        return AddressToken(kind: .literal, start: start, end: i, spaceBefore: spaceBefore, unclosed: true)
    }
}

/// Splits the token stream into list elements (at `,`, `;`, group colons and missing
/// commas) and turns each element into mailboxes.
private struct AddressListParser {
    let bytes: [UInt8]
    let limit: Int
    var lexer: AddressLexer
    var addresses: [MailAddress] = []
    var defects: [MailDefect] = []
    var reportedCodes: Set<String> = []
    var stopped = false

    // State of the element being read.
    var element: [AddressToken] = []
    var angleOpen = false
    /// Inside `<@a,@b:` (an obs-route), where commas do not separate addresses.
    var inRoute = false
    var angleClosed = false
    var inGroup = false
    /// The element has an `@` or `<`, so a `:` in it cannot start a group. Kept as a flag
    /// because scanning the element at every colon would be quadratic.
    var elementHasAddress = false

    init(bytes: [UInt8], limit: Int) {
        self.bytes = bytes
        self.limit = limit
        lexer = AddressLexer(bytes)
    }

    mutating func run() {
        while !stopped, let token = lexer.next() {
            if token.unclosed {
                switch token.kind {
                case .quoted: report("address.unclosed-quote", token)
                case .comment: report("address.unclosed-comment", token)
                default: report("address.unclosed-bracket", token)
                }
            }
            guard token.kind == .special else {
                if angleClosed, !angleOpen, token.kind != .comment {
                    // `Ann <a@x> Bob <b@y>`: a word after a complete angle-addr starts
                    // the next mailbox.
                    report("address.missing-comma", token)
                    finishElement()
                }
                element.append(token)
                continue
            }
            switch token.specialByte {
            case UInt8(ascii: ","):
                if inRoute {
                    element.append(token)
                } else {
                    finishElement()
                }
            case UInt8(ascii: ";"):
                finishElement()
                if inGroup {
                    inGroup = false
                } else {
                    // Outlook separates addresses with ";"; RFC 5322 only ends groups with it.
                    report("address.semicolon-separator", token)
                }
            case UInt8(ascii: ":"):
                if angleOpen {
                    inRoute = false
                    element.append(token)
                } else if !elementHasAddress {
                    // `display-name ":"` starts a group (RFC 5322 §3.4); its name is not
                    // an address and is dropped.
                    if inGroup { report("address.nested-group", token) }
                    inGroup = true
                    element.removeAll(keepingCapacity: true)
                } else {
                    element.append(token)
                }
            case UInt8(ascii: "<"):
                if angleOpen {
                    report("address.stray-bracket", token)
                } else {
                    if angleClosed {
                        report("address.missing-comma", token)
                        finishElement()
                    }
                    angleOpen = true
                    elementHasAddress = true
                    element.append(token)
                }
            case UInt8(ascii: ">"):
                if angleOpen {
                    angleOpen = false
                    inRoute = false
                    angleClosed = true
                    element.append(token)
                } else {
                    report("address.stray-bracket", token)
                }
            case UInt8(ascii: "@"):
                // `<@` begins an obs-route (RFC 5322 §4.4): `<@a.example,@b.example:u@c.example>`.
                if angleOpen, element.last?.isSpecial("<") == true { inRoute = true }
                elementHasAddress = true
                element.append(token)
            default:
                element.append(token)
            }
        }
        if !stopped { finishElement() }
    }

    mutating func finishElement() {
        defer {
            element.removeAll(keepingCapacity: true)
            angleOpen = false
            angleClosed = false
            inRoute = false
            elementHasAddress = false
        }
        guard !stopped, element.contains(where: { $0.kind != .comment }) else { return }
        if angleOpen { report("address.unclosed-angle", element[element.count - 1]) }
        if let open = element.firstIndex(where: { $0.isSpecial("<") }) {
            angleElement(open: open)
        } else {
            bareElement()
        }
    }

    /// `[display-name] "<" [obs-route] addr-spec ">" [CFWS]`
    mutating func angleElement(open: Int) {
        let close = element[(open + 1)...].firstIndex(where: { $0.isSpecial(">") }) ?? element.count
        var inner = element[(open + 1)..<close].filter { $0.kind != .comment }
        // obs-route = obs-domain-list ":" ; dropped, as RFC 5322 §4.4 says to ignore it.
        if inner.first?.isSpecial("@") == true, let colon = inner.firstIndex(where: { $0.isSpecial(":") }) {
            inner.removeSubrange(...colon)
        }
        // `<mailto:a@x>`, pasted from a web page.
        if inner.count >= 2, inner[0].kind == .atom, inner[1].isSpecial(":"),
           String(decoding: bytes[inner[0].start..<inner[0].end], as: UTF8.self).lowercased() == "mailto" {
            inner.removeFirst(2)
        }
        guard !inner.isEmpty else {
            // `<>` is the null reverse-path (RFC 5321 §4.5.5): no address at all.
            report("address.empty", element[open])
            return
        }
        let address = raw(inner)
        if !inner.contains(where: { $0.isSpecial("@") }) { report("address.no-domain", inner[0]) }

        var name = displayName(element[..<open])
        let after = close < element.count ? element[(close + 1)...] : []
        if name == nil, let comment = after.first(where: { $0.kind == .comment }) ?? element[..<open].first(where: { $0.kind == .comment }) {
            name = commentText(comment)
        }
        if let junk = after.first(where: { $0.kind != .comment }) { report("address.junk", junk) }
        append(MailAddress(name: name, address: address))
    }

    /// Everything without `<`: `addr-spec [CFWS]`, or broken forms such as a name before
    /// a bare address (`John Doe john@x.com`) or several addresses without commas.
    mutating func bareElement() {
        // Words glued together (no whitespace between them) make one unit: a dot-atom,
        // `"john smith"@x.com`. Units around `@` join even when spaced (obs-local-part
        // and obs-domain allow CFWS there).
        var units: [[AddressToken]] = []
        // The first comment after each unit (key -1: before the first unit).
        var commentAfter: [Int: AddressToken] = [:]
        for token in element {
            if token.kind == .comment {
                if commentAfter[units.count - 1] == nil { commentAfter[units.count - 1] = token }
                continue
            }
            if token.kind == .special, !token.isSpecial("@") {
                report("address.junk", token)
                units.append([])
                continue
            }
            let joinsPrevious = !token.spaceBefore || token.isSpecial("@") || units.last?.last?.isSpecial("@") == true
            if joinsPrevious, let last = units.indices.last, !units[last].isEmpty {
                units[last].append(token)
            } else {
                units.append([token])
            }
        }

        var phrase: [AddressToken] = []
        var found = 0
        for (index, unit) in units.enumerated() {
            guard unit.contains(where: { $0.isSpecial("@") }) else {
                phrase.append(contentsOf: unit)
                continue
            }
            var name: String?
            if !phrase.isEmpty {
                report("address.missing-angle-brackets", phrase[0])
                name = displayName(phrase[...])
                phrase.removeAll()
            } else if found > 0 {
                report("address.missing-comma", unit[0])
            }
            if name == nil, let comment = commentAfter[index] ?? commentAfter[index - 1] {
                name = commentText(comment)
            }
            let address = raw(unit)
            if unit.first?.isSpecial("@") == true || unit.last?.isSpecial("@") == true {
                report("address.no-domain", unit[0])
            }
            append(MailAddress(name: name, address: address))
            found += 1
            if stopped { return }
        }
        guard !phrase.isEmpty else { return }
        if found == 0, units.filter({ !$0.isEmpty }).count == 1 {
            // A lone word: a local user name, or an address whose domain was lost. Kept,
            // since it is all there is to reply to.
            report("address.no-domain", phrase[0])
            let name = commentAfter.min(by: { $0.key < $1.key }).flatMap { commentText($0.value) }
            append(MailAddress(name: name, address: raw(phrase)))
        } else {
            report("address.junk", phrase[0])
        }
    }

    mutating func append(_ address: MailAddress) {
        guard addresses.count < max(limit, 0) else {
            report("address.limit", "more than \(limit) addresses; the rest were ignored")
            stopped = true
            return
        }
        addresses.append(address)
    }

    // MARK: - Text of tokens

    /// The address as written, without the whitespace and comments around its parts.
    func raw(_ tokens: [AddressToken]) -> String {
        var out: [UInt8] = []
        for token in tokens where token.kind != .comment {
            out.append(contentsOf: bytes[token.start..<token.end])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A phrase as a person reads it: quoted strings unquoted, comments dropped, encoded
    /// words decoded, whitespace collapsed. Encoded words inside quotes are decoded too;
    /// RFC 2047 §5 forbids them there, but many mailers write them.
    mutating func displayName(_ tokens: ArraySlice<AddressToken>) -> String? {
        var out: [UInt8] = []
        for token in tokens where token.kind != .comment {
            if !out.isEmpty, token.spaceBefore { out.append(0x20) }
            if token.kind == .quoted {
                out.append(contentsOf: unescaped(token))
            } else {
                out.append(contentsOf: bytes[token.start..<token.end])
            }
        }
        return decodedName(out)
    }

    mutating func commentText(_ token: AddressToken) -> String? {
        decodedName(unescaped(token))
    }

    mutating func decodedName(_ text: [UInt8]) -> String? {
        guard !text.isEmpty else { return nil }
        let (decoded, decodeDefects) = EncodedWords.decode(String(decoding: text, as: UTF8.self))
        for defect in decodeDefects where reportedCodes.insert(defect.code).inserted {
            defects.append(defect)
        }
        var name = decoded.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        // Old Outlook wrote 'John Doe' in single quotes.
        if name.count >= 2, name.first == "'", name.last == "'" {
            name = name.dropFirst().dropLast().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        }
        return name.isEmpty ? nil : name
    }

    /// The content of a quoted string or comment: delimiters dropped, quoted-pairs
    /// (RFC 5322 §3.2.1) resolved. Nested comments keep their parentheses.
    func unescaped(_ token: AddressToken) -> [UInt8] {
        let contentEnd = token.unclosed ? token.end : token.end - 1
        var out: [UInt8] = []
        var i = token.start + 1
        while i < contentEnd {
            if bytes[i] == UInt8(ascii: "\\"), i + 1 < contentEnd {
                i += 1
            }
            out.append(bytes[i])
            i += 1
        }
        return out
    }

    // MARK: - Defects

    mutating func report(_ code: String, _ token: AddressToken) {
        guard !reportedCodes.contains(code) else { return }
        // Quote the element the token is in, for context.
        let from = element.first.map { min($0.start, token.start) } ?? token.start
        let to = max(element.last?.end ?? token.end, token.end)
        report(code, "in \(AddressParser.snippet(bytes[from..<to]))")
    }

    mutating func report(_ code: String, _ detail: String) {
        guard reportedCodes.insert(code).inserted else { return }
        defects.append(MailDefect(code, detail))
    }
}
