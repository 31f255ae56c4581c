import Plot

/// Exact HTML escaping, for what Plot leaves alone.
///
/// Plot writes attribute values as given (`name="<value>"`, nothing escaped), and its
/// text escaping keeps anything that looks like a character reference, so a body
/// containing `&lt;` would be shown as `<`. Values that come from users or mail go
/// through these instead.
enum HTMLEscaping {
    /// Text content: `&`, `<`, `>` (and quotes, harmlessly) become references, so the
    /// browser shows exactly `text`.
    static func text(_ text: String) -> String {
        escape(text)
    }

    /// A double-quoted attribute value.
    static func attribute(_ value: String) -> String {
        escape(value)
    }

    private static func escape(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\0": out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

extension Node {
    /// Text shown exactly as given (see `HTMLEscaping`).
    static func exactText(_ text: String) -> Node {
        .raw(HTMLEscaping.text(text))
    }
}
