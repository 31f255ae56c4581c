/// What the server said it supports in its EHLO reply.
struct SMTPClientCapabilities: Sendable, Hashable {
    /// False after a HELO fallback: then no extension may be used.
    var isExtended = false
    /// RFC 1870. `nil` when SIZE is not advertised; 0 when it is, without a limit.
    var maxMessageSize: Int?
    var supports8BitMIME = false
    var supportsPipelining = false
    var supportsSTARTTLS = false
    var supportsSMTPUTF8 = false
    /// Upper-cased SASL mechanism names from AUTH (RFC 4954 §3).
    var authMechanisms: Set<String> = []

    /// RFC 5321 §4.1.1.1:
    ///
    ///     ehlo-ok-rsp = ( "250" SP Domain [ SP ehlo-greet ] CRLF )
    ///                 / ( "250-" Domain [ SP ehlo-greet ] CRLF
    ///                     *( "250-" ehlo-line CRLF )
    ///                     "250" SP ehlo-line CRLF )
    ///     ehlo-line   = ehlo-keyword *( SP ehlo-param )
    ///
    /// The first line is the greeting. Keywords are case-insensitive. Also accepts the
    /// pre-standard "AUTH=PLAIN LOGIN" form that some servers still send.
    init(ehloReply: SMTPClientReply) {
        self.isExtended = true
        for line in ehloReply.lines.dropFirst() {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "=" })
            guard let keyword = words.first?.uppercased() else {
                continue
            }
            let parameters = words.dropFirst()
            switch keyword {
            case "SIZE":
                self.maxMessageSize = parameters.first.flatMap { Int($0) } ?? 0
            case "8BITMIME":
                self.supports8BitMIME = true
            case "PIPELINING":
                self.supportsPipelining = true
            case "STARTTLS":
                self.supportsSTARTTLS = true
            case "SMTPUTF8":
                self.supportsSMTPUTF8 = true
            case "AUTH":
                self.authMechanisms.formUnion(parameters.map { $0.uppercased() })
            default:
                break
            }
        }
    }

    /// After HELO: plain RFC 821, nothing advertised.
    init() {}
}
