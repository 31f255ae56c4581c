/// RFC 2047 encoded words. OWNED BY HELPER A (stub).
public enum EncodedWords {
    /// Decodes unstructured header text (Subject, Comments, a display name already
    /// unquoted) that may contain encoded words. `raw` is the unfolded field body.
    public static func decode(_ raw: String) -> (text: String, defects: [MailDefect]) { (raw, []) }

    /// Encodes `text` for an unstructured header field (RFC 2047 §5 (1)) if it needs it,
    /// folding so no line exceeds 76 characters given `fieldNameLength` (e.g. 7 for "Subject").
    public static func encodeUnstructured(_ text: String, fieldNameLength: Int) -> String { text }

    /// Encodes a display name for use as a `phrase` (RFC 2047 §5 (3)): returns it bare if it
    /// is an atom sequence, quoted if it is ASCII with specials, encoded words otherwise.
    public static func encodePhrase(_ text: String) -> String { text }
}
