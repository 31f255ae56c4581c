import Testing
@testable import FairdeskMail

struct QuoteCase: Sendable, CustomTestStringConvertible {
    var name: String
    var text: String
    /// One letter per line: t(ext), q(uote), s(ignature).
    var kinds: String
    /// What a compact timeline shows.
    var visible: String

    var testDescription: String { name }
}

@Suite struct QuoteDetectionTests {
    static let cases: [QuoteCase] = [
        QuoteCase(name: "plain text", text: "Hello,\n\nIt is broken.\n\nAnn", kinds: "ttttt",
                  visible: "Hello,\n\nIt is broken.\n\nAnn"),
        QuoteCase(name: "empty", text: "", kinds: "t", visible: ""),
        QuoteCase(name: "Gmail top-posting, attribution wrapped over two lines", text: """
            Thanks, that fixed it!

            On Tue, Mar 5, 2024 at 10:00 AM Fairdesk Support <support@example.com>
            wrote:

            > Hi Ann,
            >
            > Please restart the router.
            >
            > > Earlier quote
            """, kinds: "ttqqqqqqqq", visible: "Thanks, that fixed it!"),
        QuoteCase(name: "Apple Mail", text: """
            Works now.

            Sent from my iPhone

            > On 5 Mar 2024, at 10:00, Support <support@example.com> wrote:
            >
            > Try again.
            """, kinds: "ttttqqq", visible: "Works now.\n\nSent from my iPhone"),
        QuoteCase(name: "Thunderbird with signature", text: """
            Hi,

            the invoice is attached.

            -- 
            Ann Lee
            ACME Corp

            On 05.03.24 10:00, Support wrote:
            > Could you send the invoice?
            """, kinds: "ttttssssqq", visible: "Hi,\n\nthe invoice is attached."),
        QuoteCase(name: "Outlook with underscore rule and header block", text: """
            Please see below.

            Regards,
            Ann
            ________________________________
            From: Support <support@example.com>
            Sent: Tuesday, March 5, 2024 10:00 AM
            To: Ann Lee <ann@example.com>
            Subject: RE: Ticket #42

            Hello Ann, we need more details.
            """, kinds: "ttttqqqqqqq", visible: "Please see below.\n\nRegards,\nAnn"),
        QuoteCase(name: "Outlook Original Message", text: """
            Yes.

            -----Original Message-----
            From: Support
            Sent: Tuesday
            Question?
            """, kinds: "ttqqqq", visible: "Yes."),
        QuoteCase(name: "German Outlook", text: """
            Danke!

            -----Ursprüngliche Nachricht-----
            Von: Support <support@example.com>
            Gesendet: Dienstag, 5. März 2024 10:00
            An: Anna <anna@example.de>
            Betreff: Ticket
            """, kinds: "ttqqqqq", visible: "Danke!"),
        QuoteCase(name: "German header block in bold, no separator", text: """
            Danke!

            *Von:* Support <support@example.com>
            *Gesendet:* Dienstag, 5. März 2024 10:00
            *An:* Anna <anna@example.de>
            *Betreff:* Ticket

            Alter Text
            """, kinds: "ttqqqqqq", visible: "Danke!"),
        QuoteCase(name: "French Outlook header block", text: """
            Merci.

            De : Support <support@example.com>
            Envoyé : mardi 5 mars 2024 10:00
            À : Anne <anne@example.fr>
            Objet : Ticket
            """, kinds: "ttqqqq", visible: "Merci."),
        QuoteCase(name: "German Gmail, wrapped", text: """
            Hallo,

            es geht wieder.

            Am Di., 5. März 2024 um 10:00 Uhr schrieb Support <
            support@example.com>:

            > Bitte neu starten.
            """, kinds: "ttttqqqq", visible: "Hallo,\n\nes geht wieder."),
        QuoteCase(name: "Japanese Apple Mail", text: """
            ありがとうございます。

            2024/03/05 10:00、Support <support@example.com>のメッセージ:

            > 再起動してください。
            """, kinds: "ttqqq", visible: "ありがとうございます。"),
        QuoteCase(name: "Japanese Gmail (no verb)", text: """
            了解です。

            2024年3月5日(火) 10:00 Support <support@example.com>:

            > 再起動してください。
            """, kinds: "ttqqq", visible: "了解です。"),
        QuoteCase(name: "Japanese Thunderbird", text: "承知しました。\n\nSupport さんは書きました:\n> テスト",
                  kinds: "ttqq", visible: "承知しました。"),
        QuoteCase(name: "Chinese", text: "好的。\n\nSupport <support@example.com> 于2024年3月5日周二 10:00写道：\n> 请重启。",
                  kinds: "ttqq", visible: "好的。"),
        QuoteCase(name: "inline (interleaved) reply", text: """
            On Tue, Mar 5, 2024 at 10:00 AM Support <support@example.com> wrote:
            > Which version do you run?
            3.2

            > And which browser?

            Firefox.
            """, kinds: "qqttqtt", visible: "3.2\n\n\nFirefox."),
        QuoteCase(name: "strong attribution without quote marks: rest is quote", text: """
            Done.

            On Tue, Mar 5, 2024 at 10:00 AM Support <support@example.com> wrote:
            Please confirm.
            """, kinds: "ttqq", visible: "Done."),
        QuoteCase(name: "weak attribution needs quote marks", text: "I wrote:\nmy own text", kinds: "tt",
                  visible: "I wrote:\nmy own text"),
        QuoteCase(name: "a sentence ending in wrote with a number is not an attribution", text: "Yesterday I wrote 3 tests:\n- one",
                  kinds: "tt", visible: "Yesterday I wrote 3 tests:\n- one"),
        QuoteCase(name: "a From: line alone is text", text: "From: the warehouse, I guess.\nSent it twice.",
                  kinds: "tt", visible: "From: the warehouse, I guess.\nSent it twice."),
        QuoteCase(name: "bare -- signature, ended by a quote", text: "Hi\n--\nAnn\n> old", kinds: "tssq", visible: "Hi"),
        QuoteCase(name: "indented quote marks; trailing blank lines outside the run", text: "A\n  > x\n\n\nB", kinds: "tqttt",
                  visible: "A\n\n\nB"),
        QuoteCase(name: "forwarded message is not a quote", text: "FYI\n\n---------- Forwarded message ---------\nFrom: X <x@example.com>\nbody",
                  kinds: "ttttt", visible: "FYI\n\n---------- Forwarded message ---------\nFrom: X <x@example.com>\nbody"),
        QuoteCase(name: "Gmail forward with its header block is text", text: """
            Please look at this.

            ---------- Forwarded message ---------
            From: Bank <noreply@bank.example>
            Date: Tue, Mar 5, 2024 at 10:00 AM
            Subject: Payment failed
            To: <ann@example.com>

            Your payment failed.
            """, kinds: "ttttttttt", visible: "Please look at this.\n\n---------- Forwarded message ---------\nFrom: Bank <noreply@bank.example>\nDate: Tue, Mar 5, 2024 at 10:00 AM\nSubject: Payment failed\nTo: <ann@example.com>\n\nYour payment failed."),
        QuoteCase(name: "Apple Mail forward is text", text: "FYI\n\nBegin forwarded message:\n\nFrom: X <x@example.com>\nSubject: Hi\nDate: 5 March 2024\nTo: Y <y@example.com>\n\nbody",
                  kinds: "tttttttttt", visible: "FYI\n\nBegin forwarded message:\n\nFrom: X <x@example.com>\nSubject: Hi\nDate: 5 March 2024\nTo: Y <y@example.com>\n\nbody"),
    ]

    @Test(arguments: cases)
    func segmentsRealisticReplies(_ c: QuoteCase) {
        let segments = QuoteDetection.segments(of: c.text)

        #expect(render(segments) == c.kinds)
        #expect(QuoteDetection.visibleText(c.text) == c.visible)
    }

    static let attributions: [String] = [
        "On Tue, Mar 5, 2024 at 10:00 AM John Doe <john@example.com> wrote:",
        "On 05/03/2024 10:00, John Doe wrote:",
        "John Doe <john@example.com> wrote:",
        "Am 05.03.2024 um 10:00 schrieb John Doe <john@example.com>:",
        "Le mar. 5 mars 2024 à 10:00, John Doe <john@example.com> a écrit :",
        "Le 05/03/2024 à 10:00, John Doe a écrit\u{A0}:",
        "El mar, 5 mar 2024 a las 10:00, John Doe (<john@example.com>) escribió:",
        "Il giorno mar 5 mar 2024 alle ore 10:00 John Doe <john@example.com> ha scritto:",
        "Op di 5 mrt. 2024 om 10:00 schreef John Doe <john@example.com>:",
        "Em ter., 5 de mar. de 2024 às 10:00, John Doe <john@example.com> escreveu:",
        "Den tis 5 mars 2024 kl 10:00 skrev John Doe <john@example.com>:",
        "tir. 5. mar. 2024 kl. 10:00 skrev John Doe <john@example.com>:",
        "wt., 5 mar 2024 o 10:00 John Doe <john@example.com> napisał(a):",
        "вт, 5 мар. 2024 г. в 10:00, John Doe <john@example.com> написал(а):",
        "2024/03/05 10:00、John Doe <john@example.com>のメッセージ:",
        "John Doe <john@example.com> 于2024年3月5日周二 10:00写道：",
    ]

    @Test(arguments: attributions)
    func attributionIntroducesTheQuote(_ line: String) {
        let text = "Reply.\n\n\(line)\n> quoted"

        #expect(render(QuoteDetection.segments(of: text)) == "ttqq")
    }

    @Test(arguments: ["-----Original Message-----", "----- Original Message -----", "-----Message d'origine-----",
                      "-----Mensaje original-----", "-----Oorspronkelijk bericht-----", "-----Messaggio originale-----"])
    func outlookSeparatorStartsQuoteToTheEnd(_ separator: String) {
        let text = "Answer\n\(separator)\nold\n\nolder"

        #expect(render(QuoteDetection.segments(of: text)) == "tqqqq")
    }

    @Test func segmentsCoverEveryLineOnceInOrder() {
        let text = "a\n> b\n\n> c\nd\n-- \ne\nOn Mon, 4 Mar 2024, X <x@example.com> wrote:\n> f\n"
        let lineCount = text.split(separator: "\n", omittingEmptySubsequences: false).count

        let segments = QuoteDetection.segments(of: text)

        #expect(segments.first?.lines.lowerBound == 0)
        #expect(segments.last?.lines.upperBound == lineCount)
        for (previous, next) in zip(segments, segments.dropFirst()) {
            #expect(previous.lines.upperBound == next.lines.lowerBound)
            #expect(previous.kind != next.kind, "adjacent segments of one kind are merged")
        }
        #expect(render(segments) == "tqqqtssqqt")
    }

    @Test func worksOnConvertedHTML() {
        let html = "<div>Thanks!</div><div class=gmail_quote>On Tue, Mar 5, 2024 at 10:00 AM Support &lt;s@example.com&gt; wrote:<br>"
            + "<blockquote><p>Restart it.</p><p>Then call us.</p></blockquote></div>"
        let text = HTMLText.plainText(fromHTML: html)

        #expect(QuoteDetection.visibleText(text) == "Thanks!")
    }

    @Test(arguments: [
        GarbageInput("100k newlines", String(repeating: "\n", count: 100_000)),
        GarbageInput("50k empty quote lines", String(repeating: ">\n", count: 50_000)),
        GarbageInput("20k almost-attributions", String(repeating: "On x wrote\n", count: 20_000)),
        GarbageInput("20k From: lines", String(repeating: "From: a\n", count: 20_000)),
        GarbageInput("20k signature delimiters", String(repeating: "-- \n", count: 20_000)),
        GarbageInput("one 300k line", String(repeating: "0", count: 300_000)),
        GarbageInput("20k wrapped almost-attributions", String(repeating: "On a\nb\n", count: 20_000) + "wrote:"),
        GarbageInput("CRLF", "\r\n\r\n> x\r\n"),
        GarbageInput("control bytes", "\u{0}\u{FFFD}:"),
        GarbageInput("full-width colon", "："),
        GarbageInput("dashes", "--\n-----\n------------"),
        GarbageInput("underscores then EOF", "________________________________"),
    ])
    func survivesGarbage(_ input: GarbageInput) {
        let lineCount = input.text.split(separator: "\n", omittingEmptySubsequences: false).count

        let segments = QuoteDetection.segments(of: input.text)
        _ = QuoteDetection.visibleText(input.text)

        #expect(segments.reduce(0) { $0 + $1.lines.count } == lineCount)
    }

    private func render(_ segments: [TextSegment]) -> String {
        segments.map { segment in
            let letter: Character = switch segment.kind {
            case .text: "t"
            case .quote: "q"
            case .signature: "s"
            }
            return String(repeating: letter, count: segment.lines.count)
        }.joined()
    }
}
