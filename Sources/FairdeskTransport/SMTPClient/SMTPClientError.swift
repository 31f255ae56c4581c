/// Why a send failed, with enough context for an admin to act on it.
///
/// `isPermanent` tells the outbox whether to give up (bounce to the agent) or retry
/// later. Server replies follow their code class (RFC 5321 §4.2.1: 4xx transient, 5xx
/// permanent). Local refusals caused by configuration (no TLS where it is required,
/// credentials that would go out unencrypted) are *temporary*: the message stays queued
/// while an admin fixes the setting, instead of being lost.
public enum SMTPClientError: Error, Sendable, CustomStringConvertible {
    /// The SMTP URL in the configuration could not be parsed. The message never echoes
    /// the password.
    case invalidURL(String)
    /// Could not connect, TLS failed, the server hung up or spoke garbage. Retry later.
    case connectionFailed(String)
    /// Connecting or waiting for a reply took longer than the configured timeout.
    case timeout(String)
    /// TLS is required (`smtps://`, `?tls=required`) but the server does not offer STARTTLS.
    case tlsUnavailable
    /// The server refused the credentials (code and text are the server's reply), or the
    /// client refused to send them (code 0, see the text).
    case authenticationFailed(code: Int, text: String)
    /// The server refused the transaction: the sender, every recipient, or the message.
    case rejected(code: Int, enhanced: String?, text: String, permanent: Bool)

    public var isPermanent: Bool {
        switch self {
        case .invalidURL:
            return true
        case .connectionFailed, .timeout, .tlsUnavailable:
            return false
        case .authenticationFailed(let code, _):
            return (500..<600).contains(code)
        case .rejected(_, _, _, let permanent):
            return permanent
        }
    }

    public var description: String {
        switch self {
        case .invalidURL(let why):
            return "invalid SMTP URL: \(why)"
        case .connectionFailed(let why):
            return "SMTP connection failed: \(why)"
        case .timeout(let why):
            return "SMTP timeout: \(why)"
        case .tlsUnavailable:
            return "the SMTP server does not offer STARTTLS, but the configuration requires TLS"
        case .authenticationFailed(let code, let text):
            return code == 0
                ? "SMTP authentication not attempted: \(text)"
                : "SMTP authentication failed: \(code) \(text)"
        case .rejected(let code, let enhanced, let text, let permanent):
            let kind = permanent ? "permanently" : "temporarily"
            let status = [String(code), enhanced].compactMap { $0 }.joined(separator: " ")
            return "SMTP server \(kind) rejected the message: \(status) \(text)"
        }
    }
}
