/// What a customer sent on a ticket, as the detector sees it: message texts and the
/// first bytes of each attachment.
public struct DiagnosticInput: Sendable {
    public struct Text: Sendable {
        /// How a person finds the text again, e.g. "message from ann@example.com, 3 Nov".
        public var label: String
        public var body: String

        public init(label: String, body: String) {
            self.label = label
            self.body = body
        }
    }

    public struct File: Sendable {
        /// How a person finds the file again, e.g. `attachment "crash.dmp"`. Used verbatim
        /// at the start of the evidence.
        public var label: String
        public var filename: String?
        public var contentType: String?
        /// The size of the whole file; `head` may be shorter.
        public var size: Int
        /// The first bytes of the file (the server passes up to 256 KiB).
        public var head: [UInt8]

        public init(label: String, filename: String?, contentType: String?, size: Int, head: [UInt8]) {
            self.label = label
            self.filename = filename
            self.contentType = contentType
            self.size = size
            self.head = head
        }
    }

    public var texts: [Text]
    public var files: [File]

    public init(texts: [Text] = [], files: [File] = []) {
        self.texts = texts
        self.files = files
    }
}

/// One piece of diagnostic information recognized in what the customer sent.
public struct Detection: Sendable, Hashable {
    public var item: DiagnosticItemKey
    /// What was recognized, e.g. "minidump", ".NET exception trace", "register dump (x86-64)".
    public var what: String
    /// Where and why, for a person, e.g.
    /// `attachment "crash.dmp": starts with the MDMP signature` or
    /// `message from …, lines 4–19: "   at Foo.Bar() in C:\src\x.cs:line 12"`.
    public var evidence: String
    /// The recognized value where there is one: "Windows 11 23H2", "Europe/Berlin",
    /// "UTC+02:00", "MyTool 4.2.1", "System.NullReferenceException".
    public var value: String?

    public init(item: DiagnosticItemKey, what: String, evidence: String, value: String? = nil) {
        self.item = item
        self.what = what
        self.evidence = evidence
        self.value = value
    }
}
