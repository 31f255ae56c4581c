/// A command line from the client, parsed. Verbs are case-insensitive (RFC 5321 §2.4).
enum SMTPServerCommand: Sendable, Equatable {
    case ehlo(String)
    case helo(String)
    case lhlo(String)
    /// `reversePath` is "" for the null sender `<>`.
    case mail(reversePath: String, parameters: [SMTPServerParameter])
    case rcpt(forwardPath: String, parameters: [SMTPServerParameter])
    case data
    case rset
    case noop
    case quit
    case startTLS
    case help
    case vrfy(String)
    case expn(String)
}

/// One ESMTP parameter of MAIL or RCPT, keyword upper-cased.
struct SMTPServerParameter: Sendable, Equatable {
    var keyword: String
    var value: String?

    init(_ keyword: String, _ value: String? = nil) {
        self.keyword = keyword
        self.value = value
    }
}

/// Why a command line could not be parsed; each maps to exactly one reply.
enum SMTPServerCommandError: Error, Sendable, Equatable {
    /// Not a command this server knows (500 5.5.2).
    case unrecognized
    /// A known command with arguments that do not fit its grammar (501 5.5.4); `usage` is shown to the client.
    case syntax(usage: String)
    /// MAIL FROM with an unusable reverse-path (501 5.1.7).
    case badSenderAddress
    /// RCPT TO with an unusable forward-path (501 5.1.3).
    case badRecipientAddress
}

/// Parses one command line (without its line ending) from an `inout` byte slice.
///
/// Lenient where real clients are sloppy and it costs nothing: blanks after "FROM:" and "TO:",
/// trailing blanks, addresses without angle brackets, source routes (ignored, RFC 5321 §4.1.2),
/// UTF-8 in addresses without the SMTPUTF8 parameter. Strict where leniency would hide mistakes:
/// arguments to DATA or STARTTLS, control characters anywhere.
enum SMTPServerCommandParser {
    static func parse(_ line: some Collection<UInt8>) throws(SMTPServerCommandError) -> SMTPServerCommand {
        var input = ArraySlice(line)
        while let last = input.last, last == .space || last == .tab {
            input.removeLast()
        }
        // A bare CR, NUL or other control byte inside a command is never legitimate; refusing it
        // here keeps such bytes out of every string the rest of the server sees.
        guard !input.contains(where: { $0 < 0x20 && $0 != .tab || $0 == 0x7F }) else {
            throw .unrecognized
        }
        let verb = Self.parseVerb(&input)
        switch verb {
        case "EHLO":
            return .ehlo(try Self.parseHelloArgument(&input, usage: "EHLO hostname"))
        case "HELO":
            return .helo(try Self.parseHelloArgument(&input, usage: "HELO hostname"))
        case "LHLO":
            return .lhlo(try Self.parseHelloArgument(&input, usage: "LHLO hostname"))
        case "MAIL":
            return try Self.parseMail(&input)
        case "RCPT":
            return try Self.parseRcpt(&input)
        case "DATA":
            // data = "DATA" CRLF
            guard input.isEmpty else { throw .syntax(usage: "DATA") }
            return .data
        case "STARTTLS":
            // starttls = "STARTTLS" CRLF   (RFC 3207 §4)
            guard input.isEmpty else { throw .syntax(usage: "STARTTLS") }
            return .startTLS
        case "RSET":
            // rset = "RSET" CRLF   (arguments tolerated and ignored)
            return .rset
        case "QUIT":
            // quit = "QUIT" CRLF   (arguments tolerated and ignored)
            return .quit
        case "NOOP":
            // noop = "NOOP" [ SP String ] CRLF
            return .noop
        case "HELP":
            // help = "HELP" [ SP String ] CRLF
            return .help
        case "VRFY":
            // vrfy = "VRFY" SP String CRLF
            return .vrfy(try Self.parseRequiredString(&input, usage: "VRFY address"))
        case "EXPN":
            // expn = "EXPN" SP String CRLF
            return .expn(try Self.parseRequiredString(&input, usage: "EXPN list"))
        default:
            throw .unrecognized
        }
    }

    // Command verbs are alphabetic keywords: "Verb" in RFC 5321 §4.1.1 terms, followed by SP or the end.
    private static func parseVerb(_ input: inout ArraySlice<UInt8>) -> String {
        let verb = input.prefix(while: { $0.isASCIILetter })
        input.removeFirst(verb.count)
        if let next = input.first, next != .space {
            return ""  // "MAILFROM:" and the like: not a verb we know
        }
        return String(decoding: verb, as: UTF8.self).uppercased()
    }

    // ehlo = "EHLO" SP ( Domain / address-literal ) CRLF
    // helo = "HELO" SP Domain CRLF
    // lhlo = "LHLO" SP Domain CRLF                        (RFC 2033 §4.1)
    //
    // The name is not verified (RFC 5321 §4.1.4: a server MUST NOT refuse a message for it);
    // only the first word is kept, since some clients append comments.
    private static func parseHelloArgument(
        _ input: inout ArraySlice<UInt8>,
        usage: String
    ) throws(SMTPServerCommandError) -> String {
        Self.skipBlanks(&input)
        let word = input.prefix(while: { $0 != .space && $0 != .tab })
        input.removeFirst(word.count)
        guard !word.isEmpty, let name = Self.validatedString(word) else {
            throw .syntax(usage: usage)
        }
        return name
    }

    // vrfy = "VRFY" SP String CRLF
    // expn = "EXPN" SP String CRLF
    private static func parseRequiredString(
        _ input: inout ArraySlice<UInt8>,
        usage: String
    ) throws(SMTPServerCommandError) -> String {
        Self.skipBlanks(&input)
        guard !input.isEmpty, let string = Self.validatedString(input) else {
            throw .syntax(usage: usage)
        }
        input.removeAll()
        return string
    }

    // mail = "MAIL FROM:" Reverse-path [SP Mail-parameters] CRLF
    // Reverse-path = Path / "<>"
    private static func parseMail(_ input: inout ArraySlice<UInt8>) throws(SMTPServerCommandError) -> SMTPServerCommand {
        let usage = "MAIL FROM:<address>"
        guard Self.skipBlanks(&input) > 0, Self.consumeKeyword("FROM:", from: &input) else {
            throw .syntax(usage: usage)
        }
        Self.skipBlanks(&input)
        guard let path = Self.parsePath(&input, allowsNull: true, allowsPostmaster: false) else {
            throw .badSenderAddress
        }
        guard let parameters = Self.parseParameters(&input) else {
            throw .syntax(usage: usage)
        }
        return .mail(reversePath: path, parameters: parameters)
    }

    // rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" / Forward-path ) [SP Rcpt-parameters] CRLF
    // Forward-path = Path
    private static func parseRcpt(_ input: inout ArraySlice<UInt8>) throws(SMTPServerCommandError) -> SMTPServerCommand {
        let usage = "RCPT TO:<address>"
        guard Self.skipBlanks(&input) > 0, Self.consumeKeyword("TO:", from: &input) else {
            throw .syntax(usage: usage)
        }
        Self.skipBlanks(&input)
        guard let path = Self.parsePath(&input, allowsNull: false, allowsPostmaster: true) else {
            throw .badRecipientAddress
        }
        guard let parameters = Self.parseParameters(&input) else {
            throw .syntax(usage: usage)
        }
        return .rcpt(forwardPath: path, parameters: parameters)
    }

    // Path   = "<" [ A-d-l ":" ] Mailbox ">"
    // A-d-l  = At-domain *( "," At-domain )      ; source route, MUST be accepted and SHOULD be ignored
    // At-domain = "@" Domain
    //
    // Leniency: a path without the angle brackets runs to the next blank.
    // Returns the mailbox without brackets and source route, "" for "<>" when `allowsNull`,
    // nil when the path is unusable.
    static func parsePath(_ input: inout ArraySlice<UInt8>, allowsNull: Bool, allowsPostmaster: Bool) -> String? {
        var content: ArraySlice<UInt8>
        if input.first == .lessThan {
            guard let close = Self.indexOfClosingBracket(in: input) else { return nil }
            content = input[input.index(after: input.startIndex)..<close]
            input = input[input.index(after: close)...]
        } else {
            content = input.prefix(while: { $0 != .space })
            input.removeFirst(content.count)
        }
        if content.isEmpty {
            return allowsNull ? "" : nil
        }
        if content.first == .at {
            guard let colon = content.firstIndex(of: .colon) else { return nil }
            content = content[content.index(after: colon)...]
        }
        guard let mailbox = Self.validatedString(content) else { return nil }
        if allowsPostmaster && mailbox.lowercased() == "postmaster" {
            return mailbox
        }
        return Self.isMailbox(content) ? mailbox : nil
    }

    /// The ">" that closes a path, skipping quoted strings (a local part may be `"a>b"@example.com`).
    private static func indexOfClosingBracket(in input: ArraySlice<UInt8>) -> ArraySlice<UInt8>.Index? {
        var inQuotes = false
        var escaped = false
        for index in input.indices.dropFirst() {
            let byte = input[index]
            if escaped {
                escaped = false
            } else if inQuotes && byte == .backslash {
                escaped = true
            } else if byte == .quote {
                inQuotes.toggle()
            } else if byte == .greaterThan && !inQuotes {
                return index
            }
        }
        return nil
    }

    // Mailbox        = Local-part "@" ( Domain / address-literal )
    // Local-part     = Dot-string / Quoted-string
    // Dot-string     = Atom *("."  Atom)
    // Quoted-string  = DQUOTE *QcontentSMTP DQUOTE
    // Domain         = sub-domain *("." sub-domain)
    // address-literal = "[" ( IPv4-address-literal / IPv6-address-literal / General-address-literal ) "]"
    //
    // Leniency: dots anywhere in a Dot-string (old mobile-phone addresses have "a..b." local parts),
    // UTF-8 in local part and domain (RFC 6531), "_" in domains.
    private static func isMailbox(_ bytes: ArraySlice<UInt8>) -> Bool {
        var rest = bytes
        if rest.first == .quote {
            guard let close = Self.indexOfClosingQuote(in: rest) else { return false }
            rest = rest[rest.index(after: close)...]
        } else {
            let localPart = rest.prefix(while: { $0 != .at })
            guard !localPart.isEmpty, localPart.allSatisfy(\.isAtextOrDot) else { return false }
            rest.removeFirst(localPart.count)
        }
        guard rest.first == .at else { return false }
        let domain = rest.dropFirst()
        if domain.first == .openBracket {
            guard domain.last == .closeBracket, domain.count > 2 else { return false }
            return domain.dropFirst().dropLast().allSatisfy { $0 > .space && $0 != .openBracket && $0 != .closeBracket && $0 != .backslash }
        }
        return !domain.isEmpty && domain.allSatisfy(\.isDomainCharacter)
    }

    private static func indexOfClosingQuote(in input: ArraySlice<UInt8>) -> ArraySlice<UInt8>.Index? {
        var escaped = false
        for index in input.indices.dropFirst() {
            let byte = input[index]
            if escaped {
                escaped = false
            } else if byte == .backslash {
                escaped = true
            } else if byte == .quote {
                return index
            }
        }
        return nil
    }

    // Mail-parameters  = esmtp-param *(SP esmtp-param)
    // Rcpt-parameters  = esmtp-param *(SP esmtp-param)
    // esmtp-param      = esmtp-keyword ["=" esmtp-value]
    // esmtp-keyword    = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
    // esmtp-value      = 1*(%d33-60 / %d62-126)   ; RFC 6531 §3.3 adds UTF8-non-ascii
    //
    // Expects what follows the path: nothing, or blanks and parameters. Nil when malformed.
    static func parseParameters(_ input: inout ArraySlice<UInt8>) -> [SMTPServerParameter]? {
        var parameters: [SMTPServerParameter] = []
        while !input.isEmpty {
            guard Self.skipBlanks(&input) > 0 else { return nil }
            let word = input.prefix(while: { $0 != .space && $0 != .tab })
            input.removeFirst(word.count)
            let keyword = word.prefix(while: { $0 != .equals })
            guard let first = keyword.first, first.isASCIILetter || first.isASCIIDigit,
                keyword.allSatisfy({ $0.isASCIILetter || $0.isASCIIDigit || $0 == .hyphen })
            else { return nil }
            var value: String?
            if keyword.count < word.count {
                let valueBytes = word.dropFirst(keyword.count + 1)
                guard !valueBytes.isEmpty, !valueBytes.contains(.equals),
                    let string = Self.validatedString(valueBytes)
                else { return nil }
                value = string
            }
            parameters.append(SMTPServerParameter(String(decoding: keyword, as: UTF8.self).uppercased(), value))
        }
        return parameters
    }

    // MARK: Small helpers

    @discardableResult
    private static func skipBlanks(_ input: inout ArraySlice<UInt8>) -> Int {
        let blanks = input.prefix(while: { $0 == .space || $0 == .tab }).count
        input.removeFirst(blanks)
        return blanks
    }

    private static func consumeKeyword(_ keyword: String, from input: inout ArraySlice<UInt8>) -> Bool {
        let expected = Array(keyword.utf8)
        guard input.count >= expected.count,
            zip(input, expected).allSatisfy({ $0.asciiUppercased == $1 })
        else { return false }
        input.removeFirst(expected.count)
        return true
    }

    /// The bytes as a String, or nil when they are not valid UTF-8 (decoding would have repaired them).
    private static func validatedString(_ bytes: some Collection<UInt8>) -> String? {
        let string = String(decoding: bytes, as: UTF8.self)
        return string.utf8.elementsEqual(bytes) ? string : nil
    }
}

// File-private so these names cannot collide with anything else in the module.
fileprivate extension UInt8 {
    static let tab = UInt8(ascii: "\t")
    static let lf = UInt8(ascii: "\n")
    static let cr = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let quote = UInt8(ascii: "\"")
    static let lessThan = UInt8(ascii: "<")
    static let greaterThan = UInt8(ascii: ">")
    static let at = UInt8(ascii: "@")
    static let colon = UInt8(ascii: ":")
    static let equals = UInt8(ascii: "=")
    static let hyphen = UInt8(ascii: "-")
    static let period = UInt8(ascii: ".")
    static let backslash = UInt8(ascii: "\\")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")

    var isASCIILetter: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
    }

    var isASCIIDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
    }

    var asciiUppercased: UInt8 {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) ? self - 0x20 : self
    }

    // atext = ALPHA / DIGIT / "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "/" / "=" / "?" /
    //         "^" / "_" / "`" / "{" / "|" / "}" / "~"          (RFC 5322 §3.2.3; RFC 6531 adds UTF8-non-ascii)
    var isAtextOrDot: Bool {
        if self >= 0x80 || self.isASCIILetter || self.isASCIIDigit { return true }
        return Array("!#$%&'*+-/=?^_`{|}~.".utf8).contains(self)
    }

    // sub-domain = Let-dig [Ldh-str]   (plus "_" seen in the wild, and U-labels per RFC 6531)
    var isDomainCharacter: Bool {
        self >= 0x80 || self.isASCIILetter || self.isASCIIDigit || self == .hyphen || self == .period || self == UInt8(ascii: "_")
    }
}
