/// Every limit the parser enforces, in one place. A message over a limit is still parsed
/// as far as the limit allows; what was cut is recorded as a defect.
///
/// The defaults are generous for real mail (RFC 5322 §2.1.1 allows 998-octet lines; real
/// mailers send far longer) and small enough that a hostile message cannot make the
/// parser use unbounded memory or time.
public struct MailLimits: Sendable, Hashable {
    /// Largest message parsed; bytes beyond it are ignored (the caller keeps the raw bytes).
    public var maxMessageBytes: Int
    /// Largest header block (all fields of one entity together).
    public var maxHeaderBytes: Int
    /// Most header fields in one entity.
    public var maxHeaderCount: Int
    /// Longest single (unfolded) header field; longer ones are truncated.
    public var maxHeaderLineBytes: Int
    /// Deepest multipart / message nesting; deeper entities are kept as opaque leaves.
    public var maxNestingDepth: Int
    /// Most MIME entities in one message; the rest is kept as one opaque leaf.
    public var maxParts: Int
    /// Most addresses read from one address header (To, Cc, ...).
    public var maxAddressesPerHeader: Int

    public init(
        maxMessageBytes: Int = 64 << 20,
        maxHeaderBytes: Int = 1 << 20,
        maxHeaderCount: Int = 2_000,
        maxHeaderLineBytes: Int = 256 << 10,
        maxNestingDepth: Int = 32,
        maxParts: Int = 1_000,
        maxAddressesPerHeader: Int = 5_000
    ) {
        self.maxMessageBytes = maxMessageBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxHeaderLineBytes = maxHeaderLineBytes
        self.maxNestingDepth = maxNestingDepth
        self.maxParts = maxParts
        self.maxAddressesPerHeader = maxAddressesPerHeader
    }

    public static let `default` = MailLimits()
}
