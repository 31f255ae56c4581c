/// What the client told the server about one message, handed to the `SMTPDeliveryHandler`.
public struct SMTPEnvelope: Sendable, Equatable {
    /// The name from EHLO, HELO or LHLO (as sent; it is not verified).
    public var heloName: String
    /// The reverse-path of MAIL FROM without angle brackets; "" for the null sender `<>` (bounces).
    public var mailFrom: String
    /// Accepted recipients in the order given, without angle brackets.
    public var recipients: [String]
    /// IP address of the client.
    public var remoteAddress: String
    /// Whether the transaction ran inside STARTTLS.
    public var tlsActive: Bool
    /// The MAIL FROM `BODY=` value ("7BIT", "8BITMIME"; RFC 6152), nil when the client declared none.
    public var declaredBody: String?

    public init(
        heloName: String,
        mailFrom: String,
        recipients: [String],
        remoteAddress: String,
        tlsActive: Bool = false,
        declaredBody: String? = nil
    ) {
        self.heloName = heloName
        self.mailFrom = mailFrom
        self.recipients = recipients
        self.remoteAddress = remoteAddress
        self.tlsActive = tlsActive
        self.declaredBody = declaredBody
    }
}

/// The outcome of `SMTPDeliveryHandler.deliver`, which becomes the reply to the final ".".
public enum SMTPDeliveryResult: Sendable, Equatable {
    /// Stored durably; answered 250. The id appears in the reply (useful when tracing a message).
    case accepted(id: String)
    /// Answered 451: the client keeps the message and retries later.
    case temporaryFailure(String)
    /// Answered 554: the client gives up and bounces the message.
    case permanentFailure(String)
}

/// The handler's answer to one RCPT TO.
public enum SMTPRecipientDecision: Sendable, Equatable {
    case accept
    /// Answered `550 5.1.1 <address>: reason`. This is how the application refuses to be an open relay.
    case reject(String)
}

/// What the application plugs into the listener.
public protocol SMTPDeliveryHandler: Sendable {
    func checkRecipient(_ address: String, envelope: SMTPEnvelope) async -> SMTPRecipientDecision
    /// Called once per message after the final "."; the server answers only when this returns,
    /// so the handler must return only after the message is durably stored.
    func deliver(_ message: [UInt8], envelope: SMTPEnvelope) async -> SMTPDeliveryResult
}
