import Foundation
import Testing
@testable import FairdeskMail

/// Builds a message from lines joined with CRLF.
func mail(_ lines: String...) -> [UInt8] {
    Array(lines.joined(separator: "\r\n").utf8)
}

struct HeaderBlockTests {
    @Test func unfoldsAndKeepsFoldingWhitespace() {
        let message = Message.parse(mail("Subject: a long", "\tsubject line", "From: a@example.com", "", "body"))
        #expect(message.subject == "a long\tsubject line")
        #expect(message.textBody == "body")
    }

    @Test func acceptsBareLFAndMixedEndings() {
        let message = Message.parse(Array("Subject: one\nFrom: a@example.com\r\n\nbody\r\nline".utf8))
        #expect(message.subject == "one")
        #expect(message.textBody == "body\nline")
    }

    @Test func skipsMboxFromLineAndJunk() {
        let message = Message.parse(mail("From someone@example.com Sat Jan  3 01:05:34 1996", "Subject: hi", "", "x"))
        #expect(message.subject == "hi")
        #expect(message.defects.map(\.code).contains("header.mbox-from-line"))
    }

    @Test func lineWithoutColonBetweenFieldsIsSkipped() {
        let message = Message.parse(mail("Subject: hi", "this is junk", "From: a@example.com", "", "body"))
        #expect(message.subject == "hi")
        #expect(message.textBody == "body")
        #expect(message.defects.map(\.code).contains("header.missing-colon"))
    }

    @Test func missingBlankLineStartsTheBody() {
        let message = Message.parse(mail("Subject: hi", "Hello there, no blank line.", "Second line"))
        #expect(message.subject == "hi")
        #expect(message.textBody == "Hello there, no blank line.\nSecond line")
        #expect(message.defects.map(\.code).contains("header.missing-separator"))
    }

    @Test func spaceBeforeColonIsObsoleteButRead() {
        let message = Message.parse(mail("Subject : obsolete", "", ""))
        #expect(message.subject == "obsolete")
    }

    @Test func nulBytesAreRemovedFromHeaders() {
        let message = Message.parse(Array("Subject: a\u{0}b\r\n\r\nx".utf8))
        #expect(message.subject == "ab")
        #expect(message.defects.map(\.code).contains("header.nul"))
    }

    @Test func eightBitHeaderFallsBackToWindows1252() {
        let bytes = Array("Subject: caf".utf8) + [0xE9, 0x20, 0x93] + Array("ok".utf8) + [0x94] + Array("\r\n\r\nx".utf8)
        let message = Message.parse(bytes)
        #expect(message.subject == "café \u{201C}ok\u{201D}")
    }

    @Test func firstSubjectWins() {
        #expect(Message.parse(mail("Subject: first", "Subject: second", "", "")).subject == "first")
    }

    @Test func emptyInputIsAnEmptyMessage() {
        let message = Message.parse([UInt8]())
        #expect(message.subject == nil)
        #expect(message.from == nil)
        #expect(message.attachments.isEmpty)
    }
}

struct MIMEStructureTests {
    static let nested = mail(
        "From: a@example.com",
        "Subject: nested",
        "Content-Type: multipart/mixed; boundary=\"outer\"",
        "",
        "preamble text",
        "--outer",
        "Content-Type: multipart/alternative; boundary=inner",
        "",
        "--inner",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "plain body",
        "--inner",
        "Content-Type: text/html; charset=utf-8",
        "",
        "<p>html body</p>",
        "--inner--",
        "--outer",
        "Content-Type: application/octet-stream; name=\"dump.dmp\"",
        "Content-Transfer-Encoding: base64",
        "",
        "TURNUJOnAAA=",
        "--outer--",
        "epilogue"
    )

    @Test func buildsTheTree() {
        let message = Message.parse(Self.nested)
        #expect(message.root.mediaType == "multipart/mixed")
        #expect(message.root.parts.count == 2)
        #expect(message.root.parts[0].parts.map(\.mediaType) == ["text/plain", "text/html"])
        guard case .multipart(_, let preamble, let epilogue) = message.root.content else {
            Issue.record("root is not multipart")
            return
        }
        #expect(String(decoding: message.raw[preamble], as: UTF8.self) == "preamble text")
        #expect(String(decoding: message.raw[epilogue], as: UTF8.self) == "epilogue")
    }

    @Test func choosesBodiesAndAttachments() {
        let message = Message.parse(Self.nested)
        #expect(message.textBody == "plain body")
        #expect(message.bodyType == "text/plain")
        #expect(message.htmlBody == "<p>html body</p>")
        #expect(message.attachments.count == 1)
        #expect(message.attachments.first?.filename == "dump.dmp")
        #expect(message.attachments.first?.bytes.prefix(4) == [0x4D, 0x44, 0x4D, 0x50])   // "MDMP"
        #expect(message.defects.isEmpty, "\(message.defects)")
    }

    @Test func missingCloseBoundaryKeepsTheLastPart() {
        let message = Message.parse(mail(
            "Content-Type: multipart/mixed; boundary=b", "", "--b", "", "first", "--b",
            "Content-Type: text/plain; name=log.txt", "", "last part, never closed"))
        #expect(message.textBody == "first")
        #expect(message.attachments.first.map { String(decoding: $0.bytes, as: UTF8.self) } == "last part, never closed")
        #expect(message.defects.map(\.code).contains("mime.missing-close-boundary"))
    }

    @Test func boundaryPrefixInBodyIsNotADelimiter() {
        let message = Message.parse(mail(
            "Content-Type: multipart/mixed; boundary=b", "", "--b", "", "text", "--bogus line", "--b--"))
        #expect(message.textBody == "text\n--bogus line")
    }

    @Test func multipartWithoutBoundaryIsReadAsText() {
        let message = Message.parse(mail("Content-Type: multipart/mixed", "", "just text"))
        #expect(message.textBody == "just text")
        #expect(message.defects.map(\.code).contains("mime.no-boundary"))
    }

    @Test func messageRFC822IsOneAttachmentParseableOnDemand() throws {
        let inner = "From: inner@example.com\r\nSubject: forwarded\r\n\r\ninner body"
        let message = Message.parse(mail(
            "Content-Type: multipart/mixed; boundary=b", "", "--b", "", "see below", "--b",
            "Content-Type: message/rfc822", "", inner, "--b--", ""))
        #expect(message.textBody == "see below")
        let attachment = try #require(message.attachments.first)
        #expect(attachment.contentType == "message/rfc822")
        #expect(attachment.bytes == Array(inner.utf8))
        let embedded = try #require(attachment.embeddedMessage())
        #expect(embedded.subject == "forwarded")
        #expect(embedded.textBody == "inner body")
    }

    @Test func digestChildrenDefaultToMessage() {
        let message = Message.parse(mail(
            "Content-Type: multipart/digest; boundary=d", "", "--d", "", "Subject: one", "", "1", "--d--"))
        #expect(message.attachments.first?.contentType == "message/rfc822")
    }

    @Test func contentTypeWithoutSubtypeIsText() {
        let message = Message.parse(mail("Content-Type: text", "", "hello"))
        #expect(message.bodyType == "text/plain")
        #expect(message.textBody == "hello")
    }
}

struct BodyRuleTests {
    @Test func htmlOnlyMailIsConvertedToText() {
        let message = Message.parse(mail("Content-Type: text/html", "", "<p>Hello <b>there</b></p>"))
        #expect(message.bodyType == "text/html")
        #expect(message.textBody?.contains("Hello there") == true)
    }

    @Test func inlineTextAfterAnImageIsAContinuation() {
        let message = Message.parse(mail(
            "Content-Type: multipart/mixed; boundary=b", "", "--b", "", "before the picture", "--b",
            "Content-Type: image/png", "Content-Disposition: inline", "Content-Transfer-Encoding: base64", "", "iVBORw0KGgo=",
            "--b", "Content-Type: text/plain", "", "after the picture", "--b--"))
        #expect(message.textBody == "before the picture")
        #expect(message.bodyContinuations == ["after the picture"])
        #expect(message.fullText == "before the picture\n\nafter the picture")
        #expect(message.attachments.map(\.contentType) == ["image/png"])
    }

    @Test func alternativeSiblingIsNotAContinuation() {
        let message = Message.parse(mail(
            "Content-Type: multipart/alternative; boundary=b", "", "--b", "", "one", "--b", "", "two", "--b--"))
        #expect(message.textBody == "one")
        #expect(message.bodyContinuations.isEmpty)
    }

    @Test func namedTextPartIsAnAttachment() {
        let message = Message.parse(mail(
            "Content-Type: multipart/mixed; boundary=b", "", "--b", "", "body", "--b",
            "Content-Type: text/plain; name=\"app.log\"", "", "2026-01-01 ERROR", "--b--"))
        #expect(message.textBody == "body")
        #expect(message.attachments.map(\.filename) == ["app.log"])
    }

    @Test func uuencodedFileInTextBodyBecomesAnAttachment() {
        let message = Message.parse(mail("Subject: uu", "", "see file", "begin 644 cat.txt", "#0V%T", "`", "end", "thanks"))
        #expect(message.attachments.map(\.filename) == ["cat.txt"])
        #expect(message.attachments.first?.bytes == Array("Cat".utf8))
        #expect(message.textBody == "see file\nthanks")
    }

    @Test func bodyCRAndCRLFBecomeLF() {
        #expect(Message.parse(Array("Subject: x\r\n\r\na\rb\r\nc".utf8)).textBody == "a\nb\nc")
    }
}

struct SignalTests {
    @Test(arguments: [
        ("Auto-Submitted: auto-replied", true),
        ("Auto-Submitted: no", false),
        ("Precedence: bulk", true),
        ("Precedence: first-class", false),
        ("List-Id: <dev.lists.example.com>", true),
        ("X-Autoreply: yes", true),
        ("Return-Path: <>", true),
        ("From: MAILER-DAEMON@mx.example.com", true),
        ("X-Mailer: Thunderbird", false),
    ])
    func automaticMail(_ header: String, _ automatic: Bool) {
        #expect(Message.parse(mail(header, "Subject: x", "", "body")).isAutomatic == automatic)
    }

    @Test func deliveryReportIsAutomatic() {
        let message = Message.parse(mail("Content-Type: multipart/report; report-type=delivery-status; boundary=r", "", "--r", "", "failed", "--r--"))
        #expect(message.automaticSignals == [.deliveryReport("delivery-status")])
    }

    @Test(arguments: [
        ("X-Priority: 1 (Highest)", true),
        ("X-Priority: 2", true),
        ("X-Priority: 3 (Normal)", false),
        ("Importance: High", true),
        ("Importance: normal", false),
        ("Priority: urgent", true),
        ("X-MSMail-Priority: High", true),
    ])
    func urgencyHeaders(_ header: String, _ urgent: Bool) {
        #expect(Message.parse(mail(header, "", "")).isUrgentByHeaders == urgent)
    }
}

struct LimitTests {
    @Test func tooManyHeaderFields() {
        let fields = (0..<50).map { "X-Field-\($0): v" }
        let message = Message.parse(Array((["Subject: kept"] + fields + ["", "body"]).joined(separator: "\r\n").utf8),
                                    limits: MailLimits(maxHeaderCount: 10))
        #expect(message.subject == "kept")
        #expect(message.headers.count == 10)
        #expect(message.textBody == "body")
        #expect(message.defects.map(\.code).contains("limit.header-count"))
    }

    @Test func overlongHeaderFieldIsCut() {
        let message = Message.parse(mail("Subject: " + String(repeating: "x", count: 5000), "", "body"),
                                    limits: MailLimits(maxHeaderLineBytes: 100))
        #expect(message.subject?.count ?? 0 <= 100)
        #expect(message.textBody == "body")
        #expect(message.defects.map(\.code).contains("limit.header-line"))
    }

    @Test func nestingDepthIsBounded() {
        var lines = ["Subject: deep"]
        for level in 0..<60 { lines += ["Content-Type: multipart/mixed; boundary=b\(level)", "", "--b\(level)"] }
        lines += ["Content-Type: text/plain", "", "innermost"]
        let message = Message.parse(Array(lines.joined(separator: "\r\n").utf8), limits: MailLimits(maxNestingDepth: 8))
        #expect(message.subject == "deep")
        #expect(message.defects.map(\.code).contains("limit.nesting-depth"))
        #expect(message.attachments.count == 1, "the unsplit remainder is kept as one part")
    }

    @Test func partCountIsBounded() {
        var lines = ["Subject: many", "Content-Type: multipart/mixed; boundary=b", ""]
        for i in 0..<200 { lines += ["--b", "Content-Type: application/octet-stream; name=f\(i)", "", "data \(i)"] }
        lines.append("--b--")
        let message = Message.parse(Array(lines.joined(separator: "\r\n").utf8), limits: MailLimits(maxParts: 20))
        #expect(message.defects.map(\.code).contains("limit.parts"))
        #expect(message.attachments.count == 20)
        #expect(message.attachments.first?.filename == "f0")
    }

    @Test func messageSizeIsBounded() {
        let message = Message.parse(mail("Subject: big", "", String(repeating: "a", count: 10_000)), limits: MailLimits(maxMessageBytes: 1000))
        #expect(message.subject == "big")
        #expect(message.raw.count == 1000)
        #expect(message.defects.map(\.code).contains("limit.message-size"))
    }

    @Test func headerBlockSizeIsBounded() {
        let fields = (0..<200).map { "X-F\($0): " + String(repeating: "v", count: 50) }
        let message = Message.parse(Array((["Subject: s"] + fields + ["", "body"]).joined(separator: "\r\n").utf8),
                                    limits: MailLimits(maxHeaderBytes: 2000))
        #expect(message.subject == "s")
        #expect(message.defects.map(\.code).contains("limit.header-block"))
    }
}

/// Regressions found by the differential test against Python (Tests/Differential/examples).
struct DifferentialRegressionTests {
    @Test func strayURLSafeCharactersInBase64AreIgnored() {
        #expect(TransferEncoding.decodeBase64(Array("SGVs_bG8-=".utf8)).bytes == Array("Hello".utf8))
    }

    @Test func nestedAlternativesAreRenderingsNotContinuations() {
        let message = Message.parse(mail(
            "Content-Type: multipart/alternative; boundary=outer", "", "--outer", "", "rendering one", "--outer",
            "Content-Type: multipart/alternative; boundary=inner", "", "--inner", "", "rendering two", "--inner",
            "Content-Type: text/html", "", "<p>three</p>", "--inner--", "--outer--"))
        #expect(message.textBody == "rendering one")
        #expect(message.bodyContinuations.isEmpty)
    }

    @Test func aStray8BitByteInISO2022JPIsDropped() {
        // "お世話" in JIS X 0208 between ESC $ B and ESC ( B, with a stray 0x8E after it.
        let bytes: [UInt8] = [0x1B, 0x24, 0x42, 0x24, 0x2A, 0x40, 0x24, 0x4F, 0x43, 0x1B, 0x28, 0x42, 0x8E]
        let decoded = Charset.decode(bytes, label: "iso-2022-jp")
        #expect(decoded.text == "お世話")
        #expect(decoded.defect != nil)
    }
}
