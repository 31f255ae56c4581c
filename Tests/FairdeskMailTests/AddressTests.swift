import Testing
@testable import FairdeskMail

struct AddressCase: Sendable, CustomTestStringConvertible {
    var raw: String
    /// Expected addresses as (name, address).
    var expected: [(String?, String)]
    /// Defect codes that must be reported; an empty list means none may be.
    var defects: [String] = []

    var testDescription: String { raw.debugDescription }
}

/// A test argument that may be huge, named so test output stays readable.
struct GarbageInput: Sendable, CustomTestStringConvertible {
    var name: String
    var text: String

    init(_ name: String, _ text: String) {
        self.name = name
        self.text = text
    }

    var testDescription: String { name.debugDescription }
}

@Suite struct AddressTests {
    static let listCases: [AddressCase] = [
        // RFC 5322 §3.4 forms.
        AddressCase(raw: "john@example.com", expected: [(nil, "john@example.com")]),
        AddressCase(raw: "John Doe <john@example.com>", expected: [("John Doe", "john@example.com")]),
        AddressCase(raw: "<john@example.com>", expected: [(nil, "john@example.com")]),
        AddressCase(raw: "\"Doe, John\" <john@example.com>, jane@example.org",
                    expected: [("Doe, John", "john@example.com"), (nil, "jane@example.org")]),
        AddressCase(raw: #""John \"Johnny\" Doe" <j@example.com>"#, expected: [(#"John "Johnny" Doe"#, "j@example.com")]),
        AddressCase(raw: "  John   \t Doe  <j@example.com>  ", expected: [("John Doe", "j@example.com")]),
        AddressCase(raw: "\"\" <j@example.com>", expected: [(nil, "j@example.com")]),
        // obs-phrase: dots in an unquoted name.
        AddressCase(raw: "John Q. Public <jqp@example.com>", expected: [("John Q. Public", "jqp@example.com")]),
        AddressCase(raw: "J.R.R. Tolkien <jrrt@example.com>", expected: [("J.R.R. Tolkien", "jrrt@example.com")]),
        // Comments anywhere; a comment names an address without a display name.
        AddressCase(raw: "john@example.com (John Doe)", expected: [("John Doe", "john@example.com")]),
        AddressCase(raw: "John (the boss) Doe <j@example.com> (ignored)", expected: [("John Doe", "j@example.com")]),
        AddressCase(raw: "<j@example.com> (John (Jack) Doe)", expected: [("John (Jack) Doe", "j@example.com")]),
        // Groups.
        AddressCase(raw: "Team: a@example.com, Bob <b@example.org>;",
                    expected: [(nil, "a@example.com"), ("Bob", "b@example.org")]),
        AddressCase(raw: "undisclosed-recipients:;", expected: []),
        AddressCase(raw: "Undisclosed recipients: ;", expected: []),
        AddressCase(raw: "A: a@x.example;, B: b@y.example;, c@z.example",
                    expected: [(nil, "a@x.example"), (nil, "b@y.example"), (nil, "c@z.example")]),
        // Obsolete route (RFC 5322 §4.4), dropped.
        AddressCase(raw: "<@a.example,@b.example:user@c.example>", expected: [(nil, "user@c.example")]),
        AddressCase(raw: "Joe <@relay.example:joe@example.com>, x@example.com",
                    expected: [("Joe", "joe@example.com"), (nil, "x@example.com")]),
        // Quoted local part kept as written; UTF-8 and IDN (RFC 6532).
        AddressCase(raw: "\"john smith\"@example.com", expected: [(nil, "\"john smith\"@example.com")]),
        AddressCase(raw: "Boss <\"john..smith\"@example.com>", expected: [("Boss", "\"john..smith\"@example.com")]),
        AddressCase(raw: "Jörg Müller <jörg@müller.example>", expected: [("Jörg Müller", "jörg@müller.example")]),
        AddressCase(raw: "用户 <用户@例子.中国>", expected: [("用户", "用户@例子.中国")]),
        AddressCase(raw: "root@[192.0.2.1]", expected: [(nil, "root@[192.0.2.1]")]),
        // Empty elements and trailing commas (obs-addr-list).
        AddressCase(raw: ", a@example.com,, ,b@example.com,", expected: [(nil, "a@example.com"), (nil, "b@example.com")]),
        AddressCase(raw: "", expected: []),
        AddressCase(raw: "   (just a comment)  ", expected: []),
        // Old Outlook's single-quoted names; obs spaces around "@".
        AddressCase(raw: "'John Doe' <j@example.com>", expected: [("John Doe", "j@example.com")]),
        AddressCase(raw: "john @ example.com", expected: [(nil, "john@example.com")]),
        AddressCase(raw: "<mailto:a@example.com>", expected: [(nil, "a@example.com")]),

        // Broken mail: recovered, with a defect.
        AddressCase(raw: "John Doe john@example.com", expected: [("John Doe", "john@example.com")],
                    defects: ["address.missing-angle-brackets"]),
        AddressCase(raw: "a@example.com; b@example.com;", expected: [(nil, "a@example.com"), (nil, "b@example.com")],
                    defects: ["address.semicolon-separator"]),
        AddressCase(raw: "\"John Doe <john@example.com>", expected: [("John Doe", "john@example.com")],
                    defects: ["address.unclosed-quote"]),
        AddressCase(raw: "\"Doe, John <john@example.com>, x@example.com",
                    expected: [("Doe, John", "john@example.com"), (nil, "x@example.com")], defects: ["address.unclosed-quote"]),
        AddressCase(raw: "John <john@example.com", expected: [("John", "john@example.com")], defects: ["address.unclosed-angle"]),
        AddressCase(raw: "John <john@example.com, b@example.com",
                    expected: [("John", "john@example.com"), (nil, "b@example.com")], defects: ["address.unclosed-angle"]),
        AddressCase(raw: "a@example.com (unclosed", expected: [("unclosed", "a@example.com")], defects: ["address.unclosed-comment"]),
        AddressCase(raw: "Ann <a@example.com> Bob <b@example.com>",
                    expected: [("Ann", "a@example.com"), ("Bob", "b@example.com")], defects: ["address.missing-comma"]),
        AddressCase(raw: "a@example.com b@example.com", expected: [(nil, "a@example.com"), (nil, "b@example.com")],
                    defects: ["address.missing-comma"]),
        AddressCase(raw: "postmaster", expected: [(nil, "postmaster")], defects: ["address.no-domain"]),
        AddressCase(raw: "Local User <root>", expected: [("Local User", "root")], defects: ["address.no-domain"]),
        AddressCase(raw: "<>", expected: [], defects: ["address.empty"]),
        AddressCase(raw: "Mailer Daemon <>", expected: [], defects: ["address.empty"]),
        AddressCase(raw: "John <<j@example.com>>", expected: [("John", "j@example.com")], defects: ["address.stray-bracket"]),
        AddressCase(raw: "just some words, a@example.com", expected: [(nil, "a@example.com")], defects: ["address.junk"]),
    ]

    @Test(arguments: listCases)
    func parsesList(_ c: AddressCase) {
        let (addresses, defects) = AddressParser.parseList(c.raw)

        #expect(addresses.map(\.name) == c.expected.map(\.0))
        #expect(addresses.map(\.address) == c.expected.map(\.1))
        let codes = Set(defects.map(\.code))
        if c.defects.isEmpty {
            #expect(codes.isEmpty, "unexpected defects \(defects)")
        } else {
            #expect(codes.isSuperset(of: c.defects), "defects \(defects)")
        }
    }

    /// These need RFC 2047 decoding (EncodedWords.decode).
    static let encodedCases: [AddressCase] = [
        AddressCase(raw: "=?UTF-8?B?SsO2cmcgTcO8bGxlcg==?= <j@example.com>", expected: [("Jörg Müller", "j@example.com")]),
        AddressCase(raw: "=?iso-8859-1?q?Andr=E9?= Pirard <pirard@example.be>", expected: [("André Pirard", "pirard@example.be")]),
        // Inside quotes (forbidden by RFC 2047 §5, common in practice): decoded after unquoting.
        AddressCase(raw: "\"=?utf-8?q?Caf=C3=A9_Team?=\" <cafe@example.com>", expected: [("Café Team", "cafe@example.com")]),
        AddressCase(raw: "x@example.com (=?utf-8?q?Jos=C3=A9?=)", expected: [("José", "x@example.com")]),
    ]

    @Test(arguments: encodedCases)
    func decodesEncodedNames(_ c: AddressCase) {
        let (addresses, _) = AddressParser.parseList(c.raw)

        #expect(addresses.map(\.name) == c.expected.map(\.0))
        #expect(addresses.map(\.address) == c.expected.map(\.1))
    }

    @Test func stopsAtTheLimit() {
        let raw = (1...10).map { "u\($0)@example.com" }.joined(separator: ", ")

        let (addresses, defects) = AddressParser.parseList(raw, limit: 3)

        #expect(addresses.map(\.address) == ["u1@example.com", "u2@example.com", "u3@example.com"])
        #expect(defects.map(\.code) == ["address.limit"])
    }

    @Test func exactlyTheLimitIsNotADefect() {
        let (addresses, defects) = AddressParser.parseList("a@x.example, b@x.example", limit: 2)

        #expect(addresses.count == 2)
        #expect(defects.isEmpty)
    }

    @Test func reportsEachKindOfDefectOnceWithContext() {
        let (addresses, defects) = AddressParser.parseList("alice, bob, carol")

        #expect(addresses.map(\.address) == ["alice", "bob", "carol"])
        #expect(defects.count == 1)
        #expect(defects.first?.detail.contains("alice") == true)
    }

    @Test func singleTakesTheFirstAuthor() {
        let one = AddressParser.parseSingle("Ann <ann@example.com>")
        #expect(one.address == MailAddress(name: "Ann", address: "ann@example.com"))
        #expect(one.defects.isEmpty)

        let two = AddressParser.parseSingle("ann@example.com, bob@example.com")
        #expect(two.address?.address == "ann@example.com")
        #expect(two.defects.map(\.code) == ["address.multiple"])

        let none = AddressParser.parseSingle("Nobody at all")
        #expect(none.address == nil)
        #expect(none.defects.map(\.code).contains("address.missing"))

        let blank = AddressParser.parseSingle("  ")
        #expect(blank.address == nil)
        #expect(blank.defects.isEmpty)

        let null = AddressParser.parseSingle("<>")
        #expect(null.address == nil)
        #expect(null.defects.map(\.code) == ["address.empty"])
    }

    static let messageIDCases: [(String, [String])] = [
        ("<1234@example.com>", ["1234@example.com"]),
        ("  <a@b>\r\n <c@d>\t<e@f>", ["a@b", "c@d", "e@f"]),
        ("<a@b> (added by x)", ["a@b"]),
        ("(comment <x@y>) <a@b>", ["a@b"]),
        ("a@b c@d", ["a@b", "c@d"]),
        ("<a@b>,<c@d>", ["a@b", "c@d"]),
        ("Your message of Tue, 5 Mar 2024 <a@b>", ["a@b"]),
        ("<CAB12345@mail.gmail.com\r\n >", ["CAB12345@mail.gmail.com"]),
        ("<unclosed@x <next@y>", ["unclosed@x", "next@y"]),
        ("<local-only>", ["local-only"]),
        ("<>", []),
        ("", []),
        ("no ids here", []),
        ("\"a@b\";", ["a@b"]),
    ]

    @Test(arguments: messageIDCases)
    func extractsMessageIDs(_ raw: String, _ expected: [String]) {
        #expect(AddressParser.parseMessageIDs(raw) == expected)
    }

    @Test func formatsForOutgoingMail() {
        #expect(MailAddress(address: "a@example.com").formatted == "a@example.com")
        #expect(MailAddress(name: "", address: "a@example.com").formatted == "a@example.com")
        #expect(MailAddress(name: "Ann Lee", address: "a@example.com").formatted == "Ann Lee <a@example.com>")
    }

    @Test(arguments: [
        MailAddress(name: "Ann Lee", address: "a@example.com"),
        MailAddress(name: "Doe, John (Sales)", address: "j@example.com"),
        MailAddress(name: "Jörg Müller", address: "j@example.com"),
        MailAddress(name: #"Say "hi""#, address: "s@example.com"),
    ])
    func formattedRoundTrips(_ address: MailAddress) {
        let (parsed, defects) = AddressParser.parseList(address.formatted)

        #expect(parsed == [address], "formatted as \(address.formatted)")
        #expect(defects.isEmpty)
    }

    /// Garbage and hostile input: never a crash or hang, and only bounded output.
    @Test(arguments: [
        GarbageInput("200k <", String(repeating: "<", count: 200_000)),
        GarbageInput("200k quotes", String(repeating: "\"", count: 200_001)),
        GarbageInput("200k (", String(repeating: "(", count: 200_000)),
        GarbageInput("unclosed quotes before <", String(repeating: "\"<", count: 100_000)),
        GarbageInput("unclosed comments before <", String(repeating: "(<", count: 100_000)),
        GarbageInput("colons after addresses", String(repeating: "a@b:", count: 50_000)),
        GarbageInput("addresses with comments, no commas", String(repeating: "a@b (c) ", count: 30_000)),
        GarbageInput("every special", String(repeating: ",;:@<>[]\\", count: 20_000)),
        GarbageInput("100k [", String(repeating: "[", count: 100_000)),
        GarbageInput("control bytes", "\u{0}\u{FF}\u{FFFD}<\u{0}@\u{0}>"),
    ] + ["@", ":", ";", ">", "\\", "\"\\", "(\\", "<@", "<@a,@b", "<@:>", "[", "a@[", ":;:;:;"].map { GarbageInput($0, $0) })
    func survivesGarbage(_ input: GarbageInput) {
        let (addresses, defects) = AddressParser.parseList(input.text)
        _ = AddressParser.parseSingle(input.text)
        _ = AddressParser.parseMessageIDs(input.text)

        #expect(addresses.count <= MailLimits.default.maxAddressesPerHeader)
        #expect(defects.count < 30)
    }
}
