import Testing
@testable import FairdeskMail

struct HTMLCase: Sendable, CustomTestStringConvertible {
    var html: String
    var text: String

    var testDescription: String { html.debugDescription }
}

@Suite struct HTMLTextTests {
    static let cases: [HTMLCase] = [
        // Tags, any case, attributes with quotes containing ">".
        HTMLCase(html: "Hello <b>world</b>", text: "Hello world"),
        HTMLCase(html: "<P ALIGN=center>Hi</P>", text: "Hi"),
        HTMLCase(html: "<a href=\"x?a>b\" title='c>d'>link</a> text", text: "link text"),
        HTMLCase(html: "<img src=x alt=\"a > b\"/>after", text: "after"),
        HTMLCase(html: "a<span\n  class=x\n>b</span>", text: "ab"),
        // Whitespace collapses outside <pre>.
        HTMLCase(html: "  a \n\t b  \r\n c  ", text: "a b c"),
        HTMLCase(html: "a<span> </span>b", text: "a b"),
        // Blocks.
        HTMLCase(html: "<div>one</div><div>two</div>", text: "one\ntwo"),
        HTMLCase(html: "<p>one</p><p>two</p>", text: "one\n\ntwo"),
        HTMLCase(html: "<h1>Title</h1>Body", text: "Title\n\nBody"),
        HTMLCase(html: "a<br>b<br/>c<BR >d", text: "a\nb\nc\nd"),
        HTMLCase(html: "a<br><br><br><br>b", text: "a\n\nb"),
        HTMLCase(html: "<div>a</div><div><br></div><div>b</div>", text: "a\n\nb"),  // Gmail's blank line
        HTMLCase(html: "<p>a</p>\n\n<p></p><p> </p>\n<p>b</p>", text: "a\n\nb"),
        HTMLCase(html: "a<hr>b", text: "a\nb"),
        HTMLCase(html: "<section>a</section><article>b</article><header>c</header><footer>d</footer>",
                 text: "a\nb\nc\nd"),
        HTMLCase(html: "<dl><dt>Term</dt><dd>Meaning</dd></dl><address>Street 1</address>",
                 text: "Term\nMeaning\nStreet 1"),
        // Lists and tables.
        HTMLCase(html: "<ul><li>one</li><li>two<ul><li>nested</li></ul></li></ul>after",
                 text: "- one\n- two\n  - nested\nafter"),
        HTMLCase(html: "<ol><li>first<li>second</ol>", text: "- first\n- second"),
        HTMLCase(html: "<table><tr><th>Name</th><th>Qty</th></tr><tr><td>Pen</td><td>2</td></tr></table>",
                 text: "Name | Qty\nPen | 2"),
        HTMLCase(html: "<table><tr><td>&nbsp;</td><td>only</td><td></td></tr></table>", text: "only"),
        // Quotes become "> " lines.
        HTMLCase(html: "<p>Reply</p><blockquote><p>a</p><p>b</p></blockquote><p>after</p>",
                 text: "Reply\n\n> a\n>\n> b\n\nafter"),
        HTMLCase(html: "<blockquote>outer<blockquote>inner</blockquote></blockquote>", text: "> outer\n>> inner"),
        HTMLCase(html: "<blockquote>a<br>b</blockquote>c", text: "> a\n> b\nc"),
        // <pre> keeps whitespace (and drops the newline right after the tag).
        HTMLCase(html: "x<pre>\n  if a {\n      b()\n  }   \n</pre>y", text: "x\n  if a {\n      b()\n  }\ny"),
        HTMLCase(html: "<pre>a\n\n\n\nb</pre>", text: "a\n\nb"),
        // Hidden content.
        HTMLCase(html: "<html><head><title>Secret</title><style>p { color: red }</style></head><body>Shown</body></html>",
                 text: "Shown"),
        HTMLCase(html: "a<script>if (x < 1 && y > 2) { document.write('</b>') }</script>b", text: "ab"),
        HTMLCase(html: "a<SCRIPT type=x>1</SCRIPT >b<style>x</style\n>c", text: "abc"),
        HTMLCase(html: "a<noscript>Enable JS</noscript>b", text: "aEnable JSb"),
        HTMLCase(html: "a<svg><text>chart</text><svg>nested</svg>label</svg>b", text: "ab"),
        HTMLCase(html: "a<template><p>later</p></template>b", text: "ab"),
        HTMLCase(html: "<head><meta charset=utf-8>Visible even without body", text: "Visible even without body"),
        // Comments, doctype, CDATA, processing instructions, Outlook conditionals.
        HTMLCase(html: "<!DOCTYPE html><!-- note -->a<!---->b<!-->c", text: "abc"),
        HTMLCase(html: "a<!--[if mso]><p>Outlook only</p><![endif]-->b", text: "ab"),
        HTMLCase(html: "<!--[if !mso]><!-->shown<!--<![endif]-->", text: "shown"),
        HTMLCase(html: "<?xml version=\"1.0\"?>a<![CDATA[ x > y ]]>b", text: "ab"),
        HTMLCase(html: "a<!-- unclosed comment", text: "a"),
        // Unclosed tags at EOF, and "<" that is not markup.
        HTMLCase(html: "Hello <b", text: "Hello"),
        HTMLCase(html: "x <a href=\"never closed>more", text: "x"),
        HTMLCase(html: "1 < 2 and 3 <= 4 <3", text: "1 < 2 and 3 <= 4 <3"),
        HTMLCase(html: "a </> b </ c> d", text: "a b d"),
        // Entities.
        HTMLCase(html: "&amp; &lt; &gt; &quot; &apos; &nbsp;x", text: "& < > \" ' x"),
        HTMLCase(html: "&copy; &reg; &trade; &hellip; &mdash; &ndash; &euro; &pound; &yen; &cent; &sect; &deg;",
                 text: "© ® ™ … — – € £ ¥ ¢ § °"),
        HTMLCase(html: "&lsquo;a&rsquo; &ldquo;b&rdquo; &laquo;c&raquo; &plusmn;&times;&divide;&middot;&bull;",
                 text: "‘a’ “b” «c» ±×÷·•"),
        HTMLCase(html: "&eacute;&Eacute;&uuml;&szlig;&ntilde;&ccedil;&oslash;&aring;&AElig;&thorn;",
                 text: "éÉüßñçøåÆþ"),
        HTMLCase(html: "&alpha;&Omega;&rarr;&infin;&ne;&le;&hearts;&OElig;&Scaron;&dagger;",
                 text: "αΩ→∞≠≤♥ŒŠ†"),
        HTMLCase(html: "&#233; &#xE9; &#XE9; &#x1F600; &#65", text: "é é é 😀 A"),
        HTMLCase(html: "&#0; &#xD800; &#x110000; &#99999999999999999999;", text: "\u{FFFD} \u{FFFD} \u{FFFD} \u{FFFD}"),
        HTMLCase(html: "&#150; &#153; &#128;", text: "– ™ €"),  // Windows-1252, as browsers read them
        // Legacy names without ";", as a prefix too; others need ";"; unknown ones stay.
        HTMLCase(html: "&copy 2024 &amp &lt;tag&gt &eacutex", text: "© 2024 & <tag> éx"),
        HTMLCase(html: "&hellip &euro &foo; &; & &# &#x; AT&T", text: "&hellip &euro &foo; &; & &# &#x; AT&T"),
        HTMLCase(html: "Tom&amp;Jerry &amp;amp;", text: "Tom&Jerry &amp;"),
        HTMLCase(html: "&lt;script&gt;alert(1)&lt;/script&gt;", text: "<script>alert(1)</script>"),
        HTMLCase(html: "a&shy;b", text: "ab"),
        // UTF-8 passes through; a raw no-break space is a space.
        HTMLCase(html: "<p>Grüße aus Köln 日本語</p>", text: "Grüße aus Köln 日本語"),
        HTMLCase(html: "a\u{A0}\u{A0}b\u{A0}", text: "a b"),
        // Trimmed, and nothing at all for empty documents.
        HTMLCase(html: "", text: ""),
        HTMLCase(html: "<html><body><p> </p><br><br></body></html>", text: ""),
        HTMLCase(html: "\n\n<div>\n  <p>  x  </p>\n</div>\n\n", text: "x"),
    ]

    @Test(arguments: cases)
    func convertsToPlainText(_ c: HTMLCase) {
        #expect(HTMLText.plainText(fromHTML: c.html) == c.text)
    }

    @Test func convertsATypicalNewsletterAndReply() {
        let html = """
            <!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN">
            <html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
            <style type="text/css"><!-- body { font-family: Arial } --></style></head>
            <body>
            <div dir="ltr">Hi team,<div><br></div><div>the export still fails:</div>
            <ul><li>CSV: <b>timeout</b></li><li>PDF: OK</li></ul>
            <div>Thanks,<br>Ann</div></div><br>
            <div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Tue, Mar 5, 2024 at 10:00 AM Support &lt;<a href="mailto:s@example.com">s@example.com</a>&gt; wrote:<br></div>
            <blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex">Please try again.<br>-- <br>Support</blockquote></div>
            </body></html>
            """

        let text = HTMLText.plainText(fromHTML: html)

        #expect(text == """
            Hi team,

            the export still fails:
            - CSV: timeout
            - PDF: OK
            Thanks,
            Ann

            On Tue, Mar 5, 2024 at 10:00 AM Support <s@example.com> wrote:
            > Please try again.
            > --
            > Support
            """)
    }

    @Test func outputInvariants() {
        let html = "<p>a   </p>\n\n\n<div>  b\t</div><br><br><br><pre>  c  \n\n\n\n d \t</pre>  "

        let text = HTMLText.plainText(fromHTML: html)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)

        #expect(!text.contains("\r"))
        #expect(!text.hasPrefix("\n") && !text.hasSuffix("\n"))
        #expect(lines.allSatisfy { !$0.hasSuffix(" ") && !$0.hasSuffix("\t") })
        #expect(!text.contains("\n\n\n"))
    }

    @Test func decodesEntitiesInPlainText() {
        #expect(HTMLText.decodeEntities("Fish &amp; Chips &lt;3 &bogus; &#x263A;") == "Fish & Chips <3 &bogus; ☺")
    }

    /// Hostile input must be linear: these finish quickly and give sane output.
    @Test func survivesHostileInput() {
        let size = 5_000_000

        let lessThans = HTMLText.plainText(fromHTML: String(repeating: "<", count: size))
        #expect(lessThans.utf8.count == size && lessThans.utf8.allSatisfy { $0 == UInt8(ascii: "<") })

        let ampersands = HTMLText.plainText(fromHTML: String(repeating: "&", count: size))
        #expect(ampersands.utf8.count == size)

        let openTags = HTMLText.plainText(fromHTML: "x" + String(repeating: "<a", count: size / 2))
        #expect(openTags == "x")

        let entityLike = HTMLText.plainText(fromHTML: String(repeating: "&amp", count: size / 4))
        #expect(entityLike.utf8.count == size / 4)

        let numeric = HTMLText.plainText(fromHTML: "&#" + String(repeating: "9", count: size))
        #expect(numeric == "\u{FFFD}")

        let comments = HTMLText.plainText(fromHTML: String(repeating: "<!--", count: size / 4))
        #expect(comments.isEmpty)

        let scripts = HTMLText.plainText(fromHTML: String(repeating: "<script></scrip", count: size / 15))
        #expect(scripts.isEmpty)

        let quotes = HTMLText.plainText(fromHTML: String(repeating: "<blockquote>", count: 100_000) + "deep")
        #expect(quotes.hasSuffix("deep") && quotes.utf8.count < 100)

        let lists = HTMLText.plainText(fromHTML: String(repeating: "<ul><li>", count: 100_000) + "x")
        #expect(lists.hasSuffix("- x") && lists.utf8.count < 100)

        let cells = HTMLText.plainText(fromHTML: String(repeating: "<td>x", count: size / 5))
        #expect(cells.hasPrefix("x | x"))

        let breaks = HTMLText.plainText(fromHTML: "a" + String(repeating: "<br>", count: size / 4) + "b")
        #expect(breaks == "a\n\nb")
    }

    @Test(arguments: ["<", ">", "&", "<!", "<!-", "<!--", "</", "</a", "<a ", "<a b=", "<a b='", "<a b=\"x",
                      "<script>", "<![CDATA[", "&#", "&#x", "&#x;", "<pre>", "</pre></blockquote></ul>", "\u{0}", "<a/", "<a =x>y"])
    func survivesTruncatedMarkup(_ html: String) {
        let text = HTMLText.plainText(fromHTML: html)

        #expect(text.utf8.count <= html.utf8.count + 3)
    }
}
