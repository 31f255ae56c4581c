/// Finds quoted replies and signatures in a plain-text body, for folding in a UI.
/// OWNED BY HELPER B (stub).
public struct TextSegment: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case text, quote, signature
    }
    public var kind: Kind
    /// Line range in the body split on "\n" (lower bound inclusive, upper exclusive).
    public var lines: Range<Int>

    public init(kind: Kind, lines: Range<Int>) {
        self.kind = kind
        self.lines = lines
    }
}

public enum QuoteDetection {
    /// Splits `text` ("\n" line endings) into segments covering every line exactly once,
    /// in order. Nothing is removed: detection only marks what a UI may fold.
    public static func segments(of text: String) -> [TextSegment] {
        let count = text.split(separator: "\n", omittingEmptySubsequences: false).count
        return [TextSegment(kind: .text, lines: 0..<count)]
    }
}
