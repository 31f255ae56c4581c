/// HTML to readable plain text, for display and indexing. OWNED BY HELPER B (stub).
public enum HTMLText {
    /// Block elements become line breaks, entities are decoded, scripts/styles/head are
    /// dropped, runs of blank lines collapse. Output uses "\n" line endings.
    public static func plainText(fromHTML html: String) -> String { html }
}
