import NIOCore
import NIOSSL

/// Which protocol the listener speaks on its port.
public enum SMTPServerMode: Sendable {
    /// RFC 5321 ESMTP, for mail handed over by other MTAs or by clients directly.
    case smtp
    /// RFC 2033 LMTP, for a local MTA (Postfix `lmtp:` transport, for example) delivering to Fairdesk.
    /// The difference that matters: after the final "." LMTP answers once per accepted recipient.
    case lmtp
}

/// Everything the inbound listener can be told, with every limit named and documented in one place.
public struct SMTPServerConfiguration: Sendable {
    /// Address to bind to.
    public var host: String
    /// Port to bind to; 0 picks an ephemeral port (reported through `SMTPServer.run(onBound:)`).
    public var port: Int
    public var mode: SMTPServerMode
    /// Name used in the greeting and in the EHLO/LHLO reply.
    public var hostname: String
    /// Largest message accepted, in octets after dot-unstuffing; advertised as `SIZE` (RFC 1870).
    public var maxMessageBytes: Int
    /// Recipients per transaction; RCPT beyond this is answered `452 4.5.3` (RFC 5321 §4.5.3.1.10).
    public var maxRecipients: Int
    /// Longest command line including CRLF. RFC 5321 §4.5.3.1.4 says 512; a little more tolerates
    /// long SMTPUTF8 addresses and parameter lists from real clients.
    public var maxCommandLineBytes: Int
    /// Longest line framed as one piece during DATA. A longer line is passed on in pieces of this
    /// size, so it is kept byte for byte while the memory a connection can pin stays bounded.
    public var maxDataLineBytes: Int
    /// How long the client may take to send the next command (RFC 5321 §4.5.3.2.7).
    public var commandTimeout: TimeAmount
    /// How long the whole DATA phase may take, from the 354 to the final ".". A deadline for the whole
    /// phase, not per line, so a client trickling one byte at a time cannot hold the connection open.
    public var dataTimeout: TimeAmount
    /// Concurrent connections; the next one is answered `421 4.3.2` and closed.
    public var maxConnections: Int
    /// Commands answered with an error before the server gives up on the client with `421`.
    public var maxErrorsPerConnection: Int
    /// When set, `STARTTLS` is offered (RFC 3207).
    public var tls: NIOSSLContext?

    public init(
        host: String = "127.0.0.1",
        port: Int = 2525,
        mode: SMTPServerMode = .smtp,
        hostname: String = "localhost",
        maxMessageBytes: Int = 25 << 20,
        maxRecipients: Int = 100,
        maxCommandLineBytes: Int = 2048,
        maxDataLineBytes: Int = 1 << 20,
        commandTimeout: TimeAmount = .minutes(5),
        dataTimeout: TimeAmount = .minutes(10),
        maxConnections: Int = 200,
        maxErrorsPerConnection: Int = 10,
        tls: NIOSSLContext? = nil
    ) {
        self.host = host
        self.port = port
        self.mode = mode
        self.hostname = hostname
        self.maxMessageBytes = maxMessageBytes
        self.maxRecipients = maxRecipients
        self.maxCommandLineBytes = maxCommandLineBytes
        self.maxDataLineBytes = maxDataLineBytes
        self.commandTimeout = commandTimeout
        self.dataTimeout = dataTimeout
        self.maxConnections = maxConnections
        self.maxErrorsPerConnection = maxErrorsPerConnection
        self.tls = tls
    }
}

extension SMTPServerConfiguration {
    /// Line limits as the framer and the session both apply them. The floor keeps the framer
    /// correct whatever is configured: the end-of-data line ".\r\n" must always fit in one piece.
    var commandLineLimit: Int { max(self.maxCommandLineBytes, 64) }
    var dataLineLimit: Int { max(self.maxDataLineBytes, self.commandLineLimit) }
}
