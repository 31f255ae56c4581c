import Testing
@testable import FairdeskMail

struct MIMEHeaderCase: Sendable, CustomTestStringConvertible {
    var raw: String
    var value: String
    var parameters: [String: String]
    /// Defect codes that must be reported; an empty list means none at all.
    var defects: [String] = []

    var testDescription: String { raw.debugDescription }
}

@Suite struct MIMEParametersTests {
    static let cases: [MIMEHeaderCase] = [
        MIMEHeaderCase(raw: "text/plain; charset=\"utf-8\"; format=flowed", value: "text/plain",
                       parameters: ["charset": "utf-8", "format": "flowed"]),
        MIMEHeaderCase(raw: "  Text/HTML ; Charset = UTF-8 ", value: "text/html", parameters: ["charset": "UTF-8"]),
        MIMEHeaderCase(raw: "text / plain (body) ; charset=us-ascii (Plain text)", value: "text/plain",
                       parameters: ["charset": "us-ascii"]),
        MIMEHeaderCase(raw: "attachment", value: "attachment", parameters: [:]),
        MIMEHeaderCase(raw: "INLINE;", value: "inline", parameters: [:]),
        MIMEHeaderCase(raw: "multipart/mixed;\r\n\tboundary=\"----=_Part_1_2.3\"", value: "multipart/mixed",
                       parameters: ["boundary": "----=_Part_1_2.3"]),
        // Quoted strings.
        MIMEHeaderCase(raw: "attachment; filename=\"a;b \\\"q\\\" \\\\.pdf\"", value: "attachment",
                       parameters: ["filename": "a;b \"q\" \\.pdf"]),
        MIMEHeaderCase(raw: "attachment; filename=\"  spaced  \"", value: "attachment", parameters: ["filename": "  spaced  "]),
        // RFC 2231.
        MIMEHeaderCase(raw: "attachment; filename*=utf-8''%E2%82%AC%20rates.pdf", value: "attachment",
                       parameters: ["filename": "€ rates.pdf"]),
        MIMEHeaderCase(raw: "attachment; filename*=iso-8859-1'en'caf%E9.txt; filename=\"cafe.txt\"", value: "attachment",
                       parameters: ["filename": "café.txt"]),
        MIMEHeaderCase(raw: "attachment; filename=\"cafe.txt\"; filename*=UTF-8''caf%C3%A9.txt", value: "attachment",
                       parameters: ["filename": "café.txt"]),
        MIMEHeaderCase(raw: "attachment; filename*=''plain%20ascii", value: "attachment", parameters: ["filename": "plain ascii"]),
        MIMEHeaderCase(raw: "attachment; filename*=\"utf-8''quoted%20ext\"", value: "attachment", parameters: ["filename": "quoted ext"]),
        MIMEHeaderCase(raw: "message/external-body; access-type=URL; URL*0=\"ftp://\"; URL*1=\"cs.utk.edu/pub\"",
                       value: "message/external-body", parameters: ["access-type": "URL", "url": "ftp://cs.utk.edu/pub"]),
        // Sections in numeric, not textual, order; a character split across sections.
        MIMEHeaderCase(raw: "attachment; filename*11*=j; filename*2*=c; filename*0*=utf-8''a; filename*1*=b; filename*3*=d; "
                           + "filename*4*=e; filename*5*=f; filename*6*=g; filename*7*=h; filename*8*=i; filename*9*=%C3; filename*10*=%A9",
                       value: "attachment", parameters: ["filename": "abcdefghiéj"]),
        MIMEHeaderCase(raw: "attachment; filename*1*=%A9.txt; filename*0*=utf-8''caf%C3; filename*2=\" (copy)\"",
                       value: "attachment", parameters: ["filename": "café.txt (copy)"]),
        MIMEHeaderCase(raw: "attachment; filename*0*=iso-8859-1''caf; filename*1*=%E9", value: "attachment",
                       parameters: ["filename": "café"]),
        MIMEHeaderCase(raw: "attachment; filename*0=\"foo\"; filename*2=\"bar\"", value: "attachment",
                       parameters: ["filename": "foobar"], defects: ["parameter.missing-section"]),
        MIMEHeaderCase(raw: "attachment; filename*0=\"=?utf-8?B?5pel5pys?=\"; filename*1=\".pdf\"", value: "attachment",
                       parameters: ["filename": "日本.pdf"], defects: ["parameter.encoded-word"]),
        MIMEHeaderCase(raw: "attachment; filename*=utf-8''100%ZZ", value: "attachment", parameters: ["filename": "100%ZZ"],
                       defects: ["parameter.bad-escape"]),
        MIMEHeaderCase(raw: "attachment; filename*=caf%C3%A9", value: "attachment", parameters: ["filename": "café"],
                       defects: ["parameter.missing-charset"]),
        // Non-standard forms real mailers send.
        MIMEHeaderCase(raw: "attachment; filename=\"=?utf-8?B?5pel5pys6Kqe?=.pdf\"", value: "attachment",
                       parameters: ["filename": "日本語.pdf"], defects: ["parameter.encoded-word"]),
        MIMEHeaderCase(raw: "attachment; filename==?utf-8?Q?caf=C3=A9?=.pdf", value: "attachment",
                       parameters: ["filename": "café.pdf"], defects: ["parameter.encoded-word"]),
        MIMEHeaderCase(raw: "application/pdf; name=\"=?iso-8859-1?Q?R=E9sum=E9?= =?iso-8859-1?Q?_final.pdf?=\"",
                       value: "application/pdf", parameters: ["name": "Résumé final.pdf"], defects: ["parameter.encoded-word"]),
        MIMEHeaderCase(raw: "attachment; filename=\"résumé.pdf\"", value: "attachment", parameters: ["filename": "résumé.pdf"]),
        MIMEHeaderCase(raw: "attachment; filename=résumé 2024.pdf", value: "attachment", parameters: ["filename": "résumé 2024.pdf"]),
        MIMEHeaderCase(raw: "attachment; filename=my report.pdf; size=12", value: "attachment",
                       parameters: ["filename": "my report.pdf", "size": "12"]),
        MIMEHeaderCase(raw: "attachment; filename=report(1).pdf", value: "attachment", parameters: ["filename": "report(1).pdf"]),
        MIMEHeaderCase(raw: "attachment; filename=\"unterminated.pdf", value: "attachment",
                       parameters: ["filename": "unterminated.pdf"], defects: ["parameter.unterminated-quote"]),
        MIMEHeaderCase(raw: "attachment; filename=\"half.pdf; size=3", value: "attachment",
                       parameters: ["filename": "half.pdf", "size": "3"], defects: ["parameter.unterminated-quote"]),
        MIMEHeaderCase(raw: "text/plain; charset=utf-8 format=flowed", value: "text/plain",
                       parameters: ["charset": "utf-8", "format": "flowed"], defects: ["parameter.missing-semicolon"]),
        MIMEHeaderCase(raw: "text/plain; charset=\"utf-8\"format=flowed", value: "text/plain",
                       parameters: ["charset": "utf-8", "format": "flowed"], defects: ["parameter.missing-semicolon"]),
        MIMEHeaderCase(raw: "text/plain charset=utf-8", value: "text/plain", parameters: ["charset": "utf-8"],
                       defects: ["parameter.missing-semicolon"]),
        MIMEHeaderCase(raw: "text/plain; charset=utf-8;;; ", value: "text/plain", parameters: ["charset": "utf-8"]),
        MIMEHeaderCase(raw: "text/plain; charset=utf-8; CHARSET=iso-8859-1", value: "text/plain",
                       parameters: ["charset": "utf-8"], defects: ["parameter.duplicate"]),
        MIMEHeaderCase(raw: "text/plain; charset = \"utf-8\" ; delsp = yes", value: "text/plain",
                       parameters: ["charset": "utf-8", "delsp": "yes"]),
        MIMEHeaderCase(raw: "text/plain; @@@; charset=x", value: "text/plain", parameters: ["charset": "x"],
                       defects: ["parameter.junk"]),
        MIMEHeaderCase(raw: "text/plain; flowed; charset=x", value: "text/plain", parameters: ["charset": "x"],
                       defects: ["parameter.missing-value"]),
        MIMEHeaderCase(raw: "text/plain; name=", value: "text/plain", parameters: ["name": ""]),
        MIMEHeaderCase(raw: "; charset=utf-8", value: "", parameters: ["charset": "utf-8"], defects: ["header-value.missing"]),
        MIMEHeaderCase(raw: "", value: "", parameters: [:], defects: ["header-value.missing"]),
        MIMEHeaderCase(raw: "text/plain; (unterminated comment", value: "text/plain", parameters: [:],
                       defects: ["parameter.unterminated-comment"]),
    ]

    @Test(arguments: cases)
    func parses(_ example: MIMEHeaderCase) {
        let parsed = MIMEHeaderValue.parse(example.raw)
        #expect(parsed.value == example.value)
        #expect(parsed.parameters == example.parameters)
        let codes = Set(parsed.defects.map(\.code))
        for defect in example.defects {
            #expect(codes.contains(defect), "missing \(defect) in \(codes)")
        }
        if example.defects.isEmpty {
            #expect(parsed.defects.isEmpty, "\(parsed.defects)")
        }
    }

    @Test func shortASCIIIsQuoted() {
        #expect(MIMEHeaderValue.formatParameter(name: "filename", value: "report.pdf") == "filename=\"report.pdf\"")
        #expect(MIMEHeaderValue.formatParameter(name: "filename", value: "a \"b\" \\c") == "filename=\"a \\\"b\\\" \\\\c\"")
    }

    @Test func nonASCIIUsesRFC2231() {
        #expect(MIMEHeaderValue.formatParameter(name: "filename", value: "café.pdf") == "filename*=utf-8''caf%C3%A9.pdf")
    }

    static let roundTripValues: [String] = [
        "report.pdf",
        "",
        "  spaced  out  ",
        "quote \" and backslash \\",
        "semi;colon and 'apostrophe' and 100% * (stars)",
        "café.pdf",
        "naïve café – ünïcödé 日本語.pdf",
        "=?utf-8?q?not-a-word?=.txt",
        "line\r\nbreak\ttab",
        String(repeating: "x", count: 196) + ".pdf",
        String(repeating: "日本", count: 100) + ".pdf",
        String(repeating: "é", count: 150) + " " + String(repeating: "😀", count: 50),
        "e\u{301}\u{302}\u{303} combining",
    ]

    @Test(arguments: roundTripValues)
    func formatThenParseRoundTrips(value: String) {
        let formatted = MIMEHeaderValue.formatParameter(name: "filename", value: value)
        let parsed = MIMEHeaderValue.parse("attachment; " + formatted)
        #expect(parsed.parameters["filename"] == value)
        #expect(parsed.defects.isEmpty, "\(parsed.defects)")

        // As a caller would write it: each parameter on its own folded line.
        let lines = (" " + formatted + ";").split(separator: "\r\n", omittingEmptySubsequences: false)
        for line in lines {
            #expect(line.utf8.count <= 76, "\(line)")
        }
    }
}
