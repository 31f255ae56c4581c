import NIOCore

/// Every limit the SMTP client enforces, in one place.
///
/// The defaults are generous on purpose: real servers overrun the RFC limits (long EHLO
/// lines listing AUTH mechanisms, chatty multi-line banners), and the client should cope
/// with them, while still bounding how much memory a hostile or broken server can make
/// it buffer.
public struct SMTPClientLimits: Sendable, Hashable {
    /// Longest reply line accepted, CRLF included. RFC 5321 §4.5.3.1.5 says 512 octets;
    /// we allow four times that before calling the server broken.
    public var maxReplyLineLength: Int = 2048

    /// Most lines in one multi-line reply (an EHLO reply rarely has more than 20).
    public var maxReplyLines: Int = 128

    /// How long to wait for the reply to QUIT once the message has been accepted. The
    /// message is already delivered then, so a server that does not answer must not hold
    /// the caller for the whole `commandTimeout`.
    public var quitTimeout: TimeAmount = .seconds(10)

    public init() {}

    public static let `default` = SMTPClientLimits()
}
