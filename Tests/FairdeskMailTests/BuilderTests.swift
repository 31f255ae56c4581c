import Foundation
import Testing
@testable import FairdeskMail

struct BuilderTests {
    static func sample() -> OutgoingMessage {
        OutgoingMessage(
            from: MailAddress(name: "Fairdesk Support", address: "support@example.com"),
            to: [MailAddress(name: "Doe, Jane", address: "jane@example.org")],
            cc: [MailAddress(name: "Jürgen Groß", address: "j@example.de")],
            subject: "Re: [#42] Crash beim Öffnen — 日本語",
            date: Date(timeIntervalSince1970: 1_795_000_000),
            messageID: "t42.abc123@fairdesk.example.com",
            inReplyTo: "orig@customer.example.org",
            references: ["first@customer.example.org", "orig@customer.example.org"],
            autoSubmitted: "auto-replied",
            textBody: "Hello Jane,\n\nplease send the minidump.\n-- \nSupport\n",
            htmlBody: "<p>Hello Jane,</p><p>please send the minidump.</p>",
            attachments: [OutgoingAttachment(filename: "Anleitung für Dumps.pdf", contentType: "application/pdf", bytes: Array(0...255))]
        )
    }

    @Test func roundTripsEveryField() throws {
        let outgoing = Self.sample()
        let parsed = Message.parse(outgoing.render())
        #expect(parsed.subject == outgoing.subject)
        #expect(parsed.from == outgoing.from)
        #expect(parsed.to == outgoing.to)
        #expect(parsed.cc == outgoing.cc)
        #expect(parsed.messageID == outgoing.messageID)
        #expect(parsed.inReplyTo == outgoing.inReplyTo)
        #expect(parsed.references == outgoing.references)
        #expect(parsed.date == outgoing.date)
        #expect(parsed.automaticSignals == [.autoSubmitted("auto-replied")])
        #expect(parsed.textBody == outgoing.textBody)
        #expect(parsed.htmlBody == outgoing.htmlBody! + "\n")
        let attachment = try #require(parsed.attachments.first)
        #expect(attachment.filename == "Anleitung für Dumps.pdf")
        #expect(attachment.contentType == "application/pdf")
        #expect(attachment.disposition == "attachment")
        #expect(attachment.bytes == Array(0...255))
        #expect(parsed.defects.isEmpty, "\(parsed.defects)")
    }

    @Test func writesValidLines() {
        let bytes = Self.sample().render()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(!bytes.contains(where: { $0 >= 0x80 }), "outgoing mail is 7-bit clean")
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 78 }, "no line over 78 characters (RFC 5322 §2.1.1)")
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "only CRLF line endings")
        #expect(text.contains("Auto-Submitted: auto-replied\r\n"))
        #expect(text.contains("In-Reply-To: <orig@customer.example.org>\r\n"))
    }

    @Test func renderingIsDeterministic() {
        #expect(Self.sample().render() == Self.sample().render())
    }

    @Test func inlineImagesGoInARelatedPart() throws {
        var outgoing = Self.sample()
        outgoing.attachments = [OutgoingAttachment(filename: "logo.png", contentType: "image/png", bytes: [0x89, 0x50, 0x4E, 0x47], contentID: "logo@fd")]
        let parsed = Message.parse(outgoing.render())
        let attachment = try #require(parsed.attachments.first)
        #expect(attachment.contentID == "logo@fd")
        #expect(attachment.disposition == "inline")
        #expect(parsed.root.parts.last?.mediaType == "multipart/related")
    }

    @Test func textEncodingIsChosenByContent() {
        #expect(OutgoingMessage.textEncoding(Array("plain ascii\nshort lines\n".utf8)) == "7bit")
        #expect(OutgoingMessage.textEncoding(Array("Grüße, mostly ASCII text here\n".utf8)) == "quoted-printable")
        #expect(OutgoingMessage.textEncoding(Array("日本語のテキストです。\n".utf8)) == "base64")
        #expect(OutgoingMessage.textEncoding(Array("a = b\n".utf8)) == "quoted-printable")
    }

    /// Random messages: whatever the builder writes, the parser reads back the same.
    @Test func randomRoundTrips() {
        var rng = SplitMix64(seed: 2026)
        let words = ["hello", "Grüße", "日本語", "naïve", "🙂", "crash", "=?utf-8?q?x?=", "\"quoted\"", "a,b", "Ωμέγα", "fix:", "[#12]",
                     "привет", "한국어", "x", "   ", "From", ".", "=", "\t", "long" + String(repeating: "o", count: 90)]
        func phrase(_ count: Int) -> String {
            (0..<count).map { _ in words.randomElement(using: &rng) ?? "x" }.joined(separator: " ")
        }
        for iteration in 0..<200 {
            let subject = phrase(Int.random(in: 0...12, using: &rng)).trimmingWhitespace()
            let name = phrase(Int.random(in: 1...4, using: &rng)).trimmingWhitespace()
            let lines = (0..<Int.random(in: 0...8, using: &rng)).map { _ in phrase(Int.random(in: 0...15, using: &rng)) }
            let body = lines.joined(separator: "\n") + "\n"
            let attachments = (0..<Int.random(in: 0...2, using: &rng)).map { i in
                OutgoingAttachment(filename: "\(phrase(2).trimmingWhitespace())-\(i).bin",
                                   bytes: (0..<Int.random(in: 0...3000, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
            }
            let outgoing = OutgoingMessage(
                from: MailAddress(name: name.isEmpty ? nil : name, address: "agent\(iteration)@example.com"),
                to: [MailAddress(address: "c\(iteration)@example.org")],
                subject: subject, date: Date(timeIntervalSince1970: Double(1_700_000_000 + iteration * 3607)),
                messageID: "m\(iteration)@example.com", textBody: body, attachments: attachments)
            let parsed = Message.parse(outgoing.render())
            #expect(parsed.subject == (subject.isEmpty ? "" : subject), "iteration \(iteration): subject")
            // Display names are read with whitespace runs collapsed (AddressParser's rule).
            let collapsed = name.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
            #expect(parsed.from?.name == (collapsed.isEmpty ? nil : collapsed), "iteration \(iteration): name \(name.debugDescription)")
            #expect(parsed.textBody == body, "iteration \(iteration): body")
            #expect(parsed.attachments.map(\.bytes) == attachments.map(\.bytes), "iteration \(iteration): attachment bytes")
            #expect(parsed.attachments.map(\.filename) == attachments.map(\.filename), "iteration \(iteration): filenames")
        }
    }
}
