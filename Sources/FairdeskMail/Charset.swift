/// Charset decoding through glibc iconv. OWNED BY HELPER A (stub).
public enum Charset {
    /// Decodes `bytes` labelled `label` (a MIME charset name, any case, possibly junk).
    /// Never fails and never returns an empty string for non-empty input.
    public static func decode(_ bytes: some Collection<UInt8>, label: String?) -> (text: String, defect: MailDefect?) {
        let array = Array(bytes)
        if let s = String(validating: array, as: UTF8.self) { return (s, nil) }
        return (String(decoding: array, as: UTF8.self), MailDefect("charset.fallback", label ?? ""))
    }
}
