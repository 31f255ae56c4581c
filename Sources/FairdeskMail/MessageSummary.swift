import Foundation
import Glibc

/// What `fairdesk mail parse --json` prints for one message: the fields a help desk acts
/// on, in a fixed shape (keys in this order; absent values are `null`, not missing).
///
/// The digest is passed in because this module depends on Foundation and Glibc only;
/// callers hand it SHA-256 from swift-crypto.
public struct MessageSummary: Encodable, Sendable, Equatable {
    public struct Address: Encodable, Sendable, Equatable {
        public var name: String?
        public var address: String

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(address, forKey: .address)
        }

        enum CodingKeys: String, CodingKey { case name, address }
    }

    public struct File: Encodable, Sendable, Equatable {
        public var filename: String?
        public var contentType: String
        public var disposition: String?
        public var size: Int
        public var sha256: String

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(filename, forKey: .filename)
            try c.encode(contentType, forKey: .contentType)
            try c.encode(disposition, forKey: .disposition)
            try c.encode(size, forKey: .size)
            try c.encode(sha256, forKey: .sha256)
        }

        enum CodingKeys: String, CodingKey {
            case filename, contentType = "content_type", disposition, size, sha256
        }
    }

    public var file: String
    public var messageID: String?
    public var from: Address?
    public var to: [Address]
    public var cc: [Address]
    public var subject: String?
    public var date: String?
    public var inReplyTo: String?
    public var references: [String]
    public var body: String
    public var bodyType: String?
    public var attachments: [File]
    public var defects: [String]

    public init(file: String, message: Message, sha256: ([UInt8]) -> String) {
        func address(_ a: MailAddress) -> Address { Address(name: a.name, address: a.address) }
        self.file = file
        messageID = message.messageID
        from = message.from.map(address)
        to = message.to.map(address)
        cc = message.cc.map(address)
        subject = message.subject
        date = message.date.map(Self.iso8601)
        inReplyTo = message.inReplyTo
        references = message.references
        body = message.fullText
        bodyType = message.bodyType
        attachments = message.attachments.map {
            File(filename: $0.filename, contentType: $0.contentType, disposition: $0.disposition,
                 size: $0.size, sha256: sha256($0.bytes))
        }
        defects = message.defects.map(\.description)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(file, forKey: .file)
        try c.encode(messageID, forKey: .messageID)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try c.encode(cc, forKey: .cc)
        try c.encode(subject, forKey: .subject)
        try c.encode(date, forKey: .date)
        try c.encode(inReplyTo, forKey: .inReplyTo)
        try c.encode(references, forKey: .references)
        try c.encode(body, forKey: .body)
        try c.encode(bodyType, forKey: .bodyType)
        try c.encode(attachments, forKey: .attachments)
        try c.encode(defects, forKey: .defects)
    }

    enum CodingKeys: String, CodingKey {
        case file, messageID = "message_id", from, to, cc, subject, date
        case inReplyTo = "in_reply_to", references, body, bodyType = "body_type", attachments, defects
    }

    /// One line of JSON.
    public func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`.
    public static func iso8601(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))Z"
    }
}
