import NIOCore
import NIOSSL

/// Where and how to submit outgoing mail: the relay ("smarthost") the help desk sends
/// through. Usually read once from an `smtp://` or `smtps://` URL.
public struct SMTPClientConfiguration: Sendable {
    public enum Security: Sendable, Hashable {
        /// Plain text only; STARTTLS is never attempted. Only sensible for a relay on the
        /// same host.
        case none
        /// STARTTLS (RFC 3207) is required: fail with `SMTPClientError.tlsUnavailable` if
        /// the server does not offer it.
        case startTLS
        /// STARTTLS when the server offers it, plain text otherwise.
        case startTLSIfAvailable
        /// TLS from the first byte (RFC 8314 §3.3, "smtps", usually port 465).
        case implicitTLS
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    /// The name sent in EHLO/HELO. Relays often check it, so use the help desk's public
    /// host name in production.
    public var heloName: String = "localhost"
    public var connectTimeout: TimeAmount = .seconds(30)
    /// The longest wait for any one reply, including the reply to the end of DATA.
    public var commandTimeout: TimeAmount = .minutes(5)
    /// Trust roots, certificate verification and client certificates for TLS. The server
    /// name is checked against the certificate unless verification is relaxed here.
    public var tlsConfiguration: TLSConfiguration = .makeClientConfiguration()
    public var limits: SMTPClientLimits = .default

    public init(
        host: String,
        port: Int,
        security: Security = .startTLSIfAvailable,
        username: String? = nil,
        password: String? = nil
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
    }

    /// Parses a relay URL.
    ///
    ///     smtp-url = ("smtp" / "smtps") "://" [ userinfo "@" ] host [ ":" port ] [ "/" ] [ "?" query ]
    ///     userinfo = user ":" password          ; each percent-encoded (RFC 3986 §2.1)
    ///     host     = reg-name / IPv4address / "[" IPv6address "]"
    ///     query    = "tls=required" / "tls=none"
    ///
    /// `smtp://` uses STARTTLS when the server offers it (`?tls=required` makes it
    /// mandatory, `?tls=none` turns it off) and defaults to port 587 with credentials, 25
    /// without. `smtps://` is implicit TLS on port 465 by default.
    ///
    /// Liberal where it is safe: the scheme is case-insensitive, surrounding whitespace is
    /// ignored, and a password may contain an unencoded "@" (the last "@" ends it).
    public init(url: String) throws {
        let url = url.trimmingWhitespace()
        guard let separator = url.firstRange(of: "://") else {
            throw SMTPClientError.invalidURL("expected smtp://host or smtps://host")
        }

        let scheme = url[..<separator.lowerBound].lowercased()
        let security: Security
        switch scheme {
        case "smtp": security = .startTLSIfAvailable
        case "smtps": security = .implicitTLS
        default:
            throw SMTPClientError.invalidURL("unsupported scheme \"\(scheme)\"; use smtp:// or smtps://")
        }

        var rest = url[separator.upperBound...]
        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            (username, password) = try Self.parseUserInfo(rest[..<at])
            rest = rest[rest.index(after: at)...]
        }

        var query: Substring = ""
        if let questionMark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: questionMark)...]
            rest = rest[..<questionMark]
        }
        if let slash = rest.firstIndex(of: "/") {
            guard rest[slash...] == "/" else {
                throw SMTPClientError.invalidURL("an SMTP URL has no path (\"\(rest[slash...])\")")
            }
            rest = rest[..<slash]
        }

        let (host, explicitPort) = try Self.parseHostAndPort(rest)
        self.init(host: host, port: 0, security: security, username: username, password: password)
        try self.applyQuery(query)
        self.port = explicitPort ?? Self.defaultPort(security: self.security, hasCredentials: username != nil)
    }

    /// The configuration as a URL, with the password replaced by "***", for logs and
    /// error messages.
    public var redactedDescription: String {
        var result = self.security == .implicitTLS ? "smtps://" : "smtp://"
        if let username {
            result += Self.percentEncode(username)
            if self.password != nil {
                result += ":***"
            }
            result += "@"
        }
        result += self.host.contains(":") ? "[\(self.host)]" : self.host
        result += ":\(self.port)"
        switch self.security {
        case .startTLS: result += "?tls=required"
        case .none: result += "?tls=none"
        case .startTLSIfAvailable, .implicitTLS: break
        }
        return result
    }

    // MARK: - URL parts

    /// RFC 8314 §3.3 (submissions, 465), RFC 6409 §3.1 (submission, 587), RFC 5321 (25).
    private static func defaultPort(security: Security, hasCredentials: Bool) -> Int {
        if security == .implicitTLS {
            return 465
        }
        return hasCredentials ? 587 : 25
    }

    private static func parseUserInfo(_ userInfo: Substring) throws -> (String, String) {
        guard let colon = userInfo.firstIndex(of: ":") else {
            throw SMTPClientError.invalidURL("the URL has a user name but no password (expected user:password@host)")
        }
        let username = try self.percentDecode(userInfo[..<colon], what: "user name")
        let password = try self.percentDecode(userInfo[userInfo.index(after: colon)...], what: "password")
        guard !username.isEmpty else {
            throw SMTPClientError.invalidURL("the user name is empty")
        }
        return (username, password)
    }

    private static func parseHostAndPort(_ authority: Substring) throws -> (String, Int?) {
        let host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            // IPv6 literal, RFC 3986 §3.2.2.
            guard let close = authority.firstIndex(of: "]") else {
                throw SMTPClientError.invalidURL("unterminated \"[\" in the host")
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let afterHost = authority[authority.index(after: close)...]
            if !afterHost.isEmpty {
                guard afterHost.hasPrefix(":") else {
                    throw SMTPClientError.invalidURL("unexpected \"\(afterHost)\" after the host")
                }
                portText = afterHost.dropFirst()
            }
        } else {
            let colons = authority.filter { $0 == ":" }.count
            guard colons <= 1 else {
                throw SMTPClientError.invalidURL("an IPv6 address must be written in brackets, like smtp://[::1]:25")
            }
            if let colon = authority.firstIndex(of: ":") {
                host = authority[..<colon]
                portText = authority[authority.index(after: colon)...]
            } else {
                host = authority
            }
        }

        guard !host.isEmpty else {
            throw SMTPClientError.invalidURL("the host is missing")
        }
        guard host.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && $0 != "/" && $0 != "@" }) else {
            throw SMTPClientError.invalidURL("the host \"\(host)\" contains characters a host name cannot have")
        }

        guard let portText else {
            return (String(host), nil)
        }
        guard !portText.isEmpty, portText.allSatisfy(\.isASCIIDigit), let port = Int(portText), (1...65535).contains(port) else {
            throw SMTPClientError.invalidURL("the port \"\(portText)\" is not a number from 1 to 65535")
        }
        return (String(host), port)
    }

    private mutating func applyQuery(_ query: Substring) throws {
        for parameter in query.split(separator: "&") {
            switch parameter.lowercased() {
            case "tls=required":
                if self.security != .implicitTLS {
                    self.security = .startTLS
                }
            case "tls=none":
                guard self.security != .implicitTLS else {
                    throw SMTPClientError.invalidURL("smtps:// is always TLS; tls=none contradicts it")
                }
                self.security = .none
            default:
                throw SMTPClientError.invalidURL("unknown parameter \"\(parameter)\"; supported: tls=required, tls=none")
            }
        }
    }

    /// RFC 3986 §2.1. "+" is not a space here (that is a form-encoding rule).
    static func percentDecode(_ text: Substring, what: String) throws -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue) else {
                throw SMTPClientError.invalidURL("the \(what) has a \"%\" not followed by two hex digits")
            }
            bytes.append(high << 4 | low)
        }
        let decoded = String(decoding: bytes, as: UTF8.self)
        guard decoded.utf8.elementsEqual(bytes) else {
            throw SMTPClientError.invalidURL("the \(what) is not valid UTF-8 after percent-decoding")
        }
        return decoded
    }

    /// Encodes everything but RFC 3986 "unreserved" characters.
    static func percentEncode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            let isUnreserved =
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || "-._~".utf8.contains(byte)
            if isUnreserved {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return result
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool {
        ("0"..."9").contains(self)
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        String(self.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
