import FairdeskMail
import Foundation

/// The HTML of a mail made inert, for "Show original formatting": a pure function from
/// the mail's HTML to a document the frame route serves (with a sandbox CSP, inside an
/// `<iframe sandbox="">`: three layers, each enough on its own for scripts).
///
/// Nothing of the input is copied through: it is tokenized (in the spirit of the WHATWG
/// tokenizer, like `HTMLText`, without a DOM) and a new document is written from an
/// allow-list. Every text is decoded and re-escaped and every attribute value checked and
/// re-escaped, so no input, however broken, can open a tag, a comment or an attribute
/// the sanitizer did not write. What is dropped:
/// - elements whose content is code or a foreign world, with their content: script,
///   style, iframe, object, embed, applet, svg, math, template, noscript, head, title,
///   form controls, media;
/// - meta, link, base and every other element not on the list (their text is kept);
/// - every attribute not on the list, which includes every `on…` handler, `style`,
///   `class`, `id` and every URL attribute but an image's `src`;
/// - remote images (tracking pixels): the image becomes its alt text. Images the mail
///   itself carries (`cid:` parts, `data:` PNG/JPEG/GIF/WebP) are kept as `data:` URLs;
/// - links: an agent's browser must not follow a link a stranger wrote, so `<a>` loses
///   its `href`; an `http`, `https` or `mailto` target is shown after the link text, in
///   brackets, to be copied by hand. Any other scheme (`javascript:`, `data:`, `vbscript:`)
///   is dropped.
enum HTMLSanitizer {
    /// The whole frame document for `html`. `inlineImages` maps a part's Content-ID
    /// (without brackets) to a `data:` URL of an image the message carries.
    static func document(_ html: String, inlineImages: [String: String] = [:]) -> String {
        """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>Original formatting</title></head>
        <body>\(sanitize(html, inlineImages: inlineImages))</body></html>

        """
    }

    /// A document for a message that has no HTML part.
    static func emptyDocument(_ text: String) -> String {
        document("<p>\(HTMLEscaping.text(text))</p>")
    }

    /// The body content: allowed elements and attributes only, re-escaped.
    static func sanitize(_ html: String, inlineImages: [String: String] = [:]) -> String {
        var run = Run(bytes: Array(html.utf8), inlineImages: inlineImages)
        run.go()
        return run.out
    }

    // MARK: The lists

    static let allowedElements: Set<String> = [
        "abbr", "acronym", "address", "article", "aside", "b", "bdi", "bdo", "big", "blockquote", "br", "caption",
        "center", "cite", "code", "col", "colgroup", "dd", "del", "dfn", "div", "dl", "dt", "em", "figcaption",
        "figure", "font", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "img", "ins", "kbd",
        "li", "main", "mark", "nav", "ol", "p", "pre", "q", "s", "samp", "section", "small", "span", "strike",
        "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul",
        "var", "wbr",
    ]

    /// Elements without content (never closed).
    static let voidElements: Set<String> = [
        "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img", "input", "keygen",
        "link", "meta", "param", "source", "track", "wbr",
    ]

    /// Dropped with everything inside them.
    static let droppedWithContent: Set<String> = [
        "applet", "audio", "button", "canvas", "datalist", "dialog", "frameset", "head", "iframe", "map", "math",
        "noembed", "noframes", "noscript", "object", "optgroup", "option", "picture", "plaintext", "script", "select",
        "style", "svg", "template", "textarea", "title", "video", "xml", "xmp",
    ]

    /// Elements whose content browsers do not read as markup: skipped to their end tag.
    static let rawTextElements: Set<String> = [
        "iframe", "noembed", "noframes", "noscript", "plaintext", "script", "style", "textarea", "title", "xmp",
    ]

    /// Attributes allowed on every kept element, with their check.
    static let globalAttributes: [String: Check] = [
        "dir": .oneOf(["ltr", "rtl", "auto"]), "lang": .languageTag, "title": .text,
        "align": .oneOf(["left", "right", "center", "justify", "top", "middle", "bottom"]),
        "valign": .oneOf(["top", "middle", "bottom", "baseline"]),
    ]

    /// Further attributes by element (presentation only; no URLs: images are handled apart).
    static let elementAttributes: [String: [String: Check]] = [
        "table": ["width": .length, "border": .number, "cellpadding": .number, "cellspacing": .number, "bgcolor": .color],
        "td": ["width": .length, "height": .length, "colspan": .number, "rowspan": .number, "bgcolor": .color, "nowrap": .flag],
        "th": ["width": .length, "height": .length, "colspan": .number, "rowspan": .number, "bgcolor": .color, "nowrap": .flag],
        "tr": ["bgcolor": .color, "height": .length], "tbody": ["bgcolor": .color], "thead": ["bgcolor": .color],
        "tfoot": ["bgcolor": .color], "col": ["span": .number, "width": .length], "colgroup": ["span": .number, "width": .length],
        "img": ["alt": .text, "width": .length, "height": .length, "border": .number],
        "font": ["color": .color, "face": .fontFace, "size": .fontSize],
        "ol": ["start": .number, "type": .oneOf(["1", "a", "A", "i", "I"])], "li": ["value": .number],
        "hr": ["width": .length, "size": .number, "noshade": .flag], "div": [:], "p": [:],
    ]

    /// How an attribute value is checked; a value that fails is dropped.
    enum Check {
        case text, number, length, color, fontFace, fontSize, languageTag, flag
        case oneOf(Set<String>)

        func accepts(_ value: String) -> Bool {
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            switch self {
            case .text, .flag:
                return true
            case .number:
                return trimmed.count <= 4 && !trimmed.isEmpty && trimmed.allSatisfy { $0.isASCII && $0.isNumber }
            case .length:
                var digits = Substring(trimmed)
                if digits.hasSuffix("%") { digits = digits.dropLast() } else if digits.hasSuffix("px") { digits = digits.dropLast(2) }
                return digits.count <= 4 && !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
            case .color:
                if trimmed.hasPrefix("#") {
                    let hex = trimmed.dropFirst()
                    return (3...8).contains(hex.count) && hex.allSatisfy(\.isHexDigit)
                }
                return (1...20).contains(trimmed.count) && trimmed.allSatisfy { $0.isASCII && $0.isLetter }
            case .fontFace:
                return (1...100).contains(trimmed.count)
                    && trimmed.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == " " || $0 == "," || $0 == "-") }
            case .fontSize:
                var digits = Substring(trimmed)
                if digits.first == "+" || digits.first == "-" { digits = digits.dropFirst() }
                return digits.count == 1 && ("1"..."7").contains(digits)
            case .languageTag:
                return (1...35).contains(trimmed.count) && trimmed.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            case .oneOf(let values):
                return values.contains(trimmed.lowercased()) || values.contains(trimmed)
            }
        }
    }

    /// Image types a browser decodes without running anything (no SVG).
    static let rasterImageTypes: Set<String> = ["image/png", "image/jpeg", "image/gif", "image/webp"]

    /// A `data:` URL of a raster image, as given (whitespace removed), or nil.
    static func rasterDataURL(_ value: String) -> String? {
        let compact = String(value.unicodeScalars.filter { $0.value > 0x20 }.map(Character.init))
        guard let comma = compact.firstIndex(of: ",") else { return nil }
        let header = compact[..<comma].lowercased()
        let payload = compact[compact.index(after: comma)...]
        let types = rasterImageTypes.map { "data:\($0);base64" } + ["data:image/jpg;base64"]
        guard types.contains(header),
              payload.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "/" || $0 == "=") })
        else { return nil }
        return compact
    }

    /// A link target worth showing as text: http, https or mailto.
    static func shownLinkTarget(_ value: String) -> String? {
        // Browsers ignore tabs and line breaks inside URLs ("java\tscript:").
        let compact = String(value.unicodeScalars.filter { $0.value > 0x20 || $0 == " " }.map(Character.init))
            .trimmingCharacters(in: .whitespaces)
        let lower = compact.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("mailto:") else { return nil }
        return String(compact.prefix(2000))
    }

    // MARK: The run

    private struct Tag {
        var name: String
        var attributes: [(name: String, value: String)]
        var selfClosing: Bool
    }

    private struct Run {
        let bytes: [UInt8]
        let inlineImages: [String: String]
        var i = 0
        var out = ""
        /// While inside an element dropped with its content: its name and nesting.
        var skipping: (name: String, depth: Int)?
        /// Open links: their target to show, and the text seen inside them.
        var links: [(target: String?, text: String)] = []

        init(bytes: [UInt8], inlineImages: [String: String]) {
            self.bytes = bytes
            self.inlineImages = inlineImages
        }

        mutating func go() {
            let n = bytes.count
            while i < n {
                if bytes[i] != UInt8(ascii: "<") {
                    let start = i
                    while i < n, bytes[i] != UInt8(ascii: "<") { i += 1 }
                    text(bytes[start..<i])
                    continue
                }
                markup()
            }
            while !links.isEmpty { closeLink() }
        }

        mutating func text(_ raw: ArraySlice<UInt8>) {
            guard skipping == nil else { return }
            let decoded = HTMLText.decodeEntities(String(decoding: raw, as: UTF8.self))
            if !links.isEmpty, links[links.count - 1].text.utf8.count < 4000 { links[links.count - 1].text += decoded }
            out += HTMLEscaping.text(decoded)
        }

        /// At a `<`.
        mutating func markup() {
            let n = bytes.count
            let next = i + 1 < n ? bytes[i + 1] : 0
            if next == UInt8(ascii: "!") {
                if i + 3 < n, bytes[i + 2] == UInt8(ascii: "-"), bytes[i + 3] == UInt8(ascii: "-") {
                    skipComment()
                } else {
                    skipTo(UInt8(ascii: ">"))
                }
                return
            }
            if next == UInt8(ascii: "?") {
                skipTo(UInt8(ascii: ">"))
                return
            }
            if next == UInt8(ascii: "/") {
                let after = i + 2 < n ? bytes[i + 2] : 0
                if Self.isLetter(after) {
                    i += 2
                    let name = readName()
                    skipTo(UInt8(ascii: ">"))
                    endTag(name)
                } else {
                    // "</>" and "</ ..." are ignored by browsers (a bogus comment).
                    skipTo(UInt8(ascii: ">"))
                }
                return
            }
            if Self.isLetter(next) {
                i += 1
                guard let tag = readTag() else { i = n; return }
                startTag(tag)
                return
            }
            // A lone "<" is text.
            i += 1
            text([UInt8(ascii: "<")])
        }

        mutating func startTag(_ tag: Tag) {
            let name = tag.name
            if var skip = skipping {
                if name == skip.name, !tag.selfClosing { skip.depth += 1 }
                skipping = skip
                if HTMLSanitizer.rawTextElements.contains(name) { skipRawText(name) }
                return
            }
            if HTMLSanitizer.rawTextElements.contains(name) {
                skipRawText(name)
                return
            }
            if HTMLSanitizer.droppedWithContent.contains(name) {
                if !tag.selfClosing, !HTMLSanitizer.voidElements.contains(name) { skipping = (name, 1) }
                return
            }
            if name == "a" {
                if links.count >= 100 { closeLink() }
                let href = tag.attributes.first { $0.name == "href" }?.value
                links.append((href.flatMap(HTMLSanitizer.shownLinkTarget), ""))
                return
            }
            if name == "img" {
                image(tag)
                return
            }
            guard HTMLSanitizer.allowedElements.contains(name) else { return }
            out += "<\(name)\(attributes(of: tag))>"
        }

        mutating func endTag(_ name: String) {
            if var skip = skipping {
                if name == skip.name {
                    skip.depth -= 1
                    skipping = skip.depth == 0 ? nil : skip
                }
                return
            }
            if name == "a" {
                if !links.isEmpty { closeLink() }
                return
            }
            if name == "br" {
                // Browsers read "</br>" as "<br>".
                out += "<br>"
                return
            }
            guard HTMLSanitizer.allowedElements.contains(name), !HTMLSanitizer.voidElements.contains(name) else { return }
            out += "</\(name)>"
        }

        mutating func closeLink() {
            let link = links.removeLast()
            guard let target = link.target else { return }
            let shown = link.text.trimmingCharacters(in: .whitespacesAndNewlines)
            let bare = target.lowercased().hasPrefix("mailto:") ? String(target.dropFirst(7)) : target
            if shown != target, shown != bare {
                out += " [\(HTMLEscaping.text(target))]"
            }
        }

        mutating func image(_ tag: Tag) {
            let source = tag.attributes.first { $0.name == "src" }?.value ?? ""
            var data = HTMLSanitizer.rasterDataURL(source)
            let compact = source.trimmingCharacters(in: .whitespacesAndNewlines)
            if data == nil, compact.lowercased().hasPrefix("cid:") {
                let id = String(compact.dropFirst(4)).trimmingCharacters(in: CharacterSet(charactersIn: "<>"))
                data = (inlineImages[id] ?? id.removingPercentEncoding.flatMap { inlineImages[$0] }).flatMap(HTMLSanitizer.rasterDataURL)
            }
            guard let data else {
                // Not loaded: remote images are how senders see that mail was read.
                let alt = (tag.attributes.first { $0.name == "alt" }?.value ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                if !alt.isEmpty { out += HTMLEscaping.text("[\(alt)]") }
                return
            }
            out += "<img src=\"\(HTMLEscaping.attribute(data))\"\(attributes(of: tag))>"
        }

        func attributes(of tag: Tag) -> String {
            var written = ""
            let specific = HTMLSanitizer.elementAttributes[tag.name] ?? [:]
            for (name, value) in tag.attributes {
                guard let check = specific[name] ?? HTMLSanitizer.globalAttributes[name], check.accepts(value) else { continue }
                if case .flag = check {
                    written += " \(name)"
                } else {
                    written += " \(name)=\"\(HTMLEscaping.attribute(value.trimmingCharacters(in: .whitespaces)))\""
                }
            }
            return written
        }

        // MARK: Tokenizing

        static func isLetter(_ byte: UInt8) -> Bool {
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
        }

        static func isSpace(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0C || byte == 0x0D
        }

        /// A tag or attribute name from `i`: up to whitespace, `/`, `>` (and `=` after the
        /// first byte), ASCII lower-cased.
        mutating func readName() -> String {
            let n = bytes.count
            var name: [UInt8] = []
            while i < n {
                let byte = bytes[i]
                if Self.isSpace(byte) || byte == UInt8(ascii: "/") || byte == UInt8(ascii: ">") { break }
                if byte == UInt8(ascii: "="), !name.isEmpty { break }
                name.append(byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte)
                i += 1
            }
            return String(decoding: name, as: UTF8.self)
        }

        /// A start tag from just after `<`; nil when the input ends inside it (browsers
        /// drop such a tag).
        mutating func readTag() -> Tag? {
            let n = bytes.count
            let name = readName()
            var tag = Tag(name: name, attributes: [], selfClosing: false)
            var seen: Set<String> = []
            while true {
                while i < n, Self.isSpace(bytes[i]) || bytes[i] == UInt8(ascii: "/") {
                    if bytes[i] == UInt8(ascii: "/"), i + 1 < n, bytes[i + 1] == UInt8(ascii: ">") { tag.selfClosing = true }
                    i += 1
                }
                guard i < n else { return nil }
                if bytes[i] == UInt8(ascii: ">") {
                    i += 1
                    return tag
                }
                let attribute = readName()
                while i < n, Self.isSpace(bytes[i]) { i += 1 }
                var value = ""
                if i < n, bytes[i] == UInt8(ascii: "=") {
                    i += 1
                    while i < n, Self.isSpace(bytes[i]) { i += 1 }
                    guard i < n else { return nil }
                    let quote = bytes[i]
                    let start: Int
                    if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
                        i += 1
                        start = i
                        while i < n, bytes[i] != quote { i += 1 }
                        guard i < n else { return nil }
                        value = String(decoding: bytes[start..<i], as: UTF8.self)
                        i += 1
                    } else {
                        start = i
                        while i < n, !Self.isSpace(bytes[i]), bytes[i] != UInt8(ascii: ">") { i += 1 }
                        value = String(decoding: bytes[start..<i], as: UTF8.self)
                    }
                }
                // The first of duplicate attributes counts, as in browsers.
                if !attribute.isEmpty, seen.insert(attribute).inserted, tag.attributes.count < 64 {
                    tag.attributes.append((attribute, HTMLText.decodeEntities(value)))
                }
            }
        }

        mutating func skipTo(_ byte: UInt8) {
            while i < bytes.count, bytes[i] != byte { i += 1 }
            i = min(i + 1, bytes.count)
        }

        /// `<!-- ... -->` (also the abrupt `<!-->` and `<!--->`).
        mutating func skipComment() {
            let n = bytes.count
            var k = i + 4
            if k < n, bytes[k] == UInt8(ascii: ">") { i = k + 1; return }
            if k + 1 < n, bytes[k] == UInt8(ascii: "-"), bytes[k + 1] == UInt8(ascii: ">") { i = k + 2; return }
            while k + 2 < n {
                if bytes[k] == UInt8(ascii: "-"), bytes[k + 1] == UInt8(ascii: "-"), bytes[k + 2] == UInt8(ascii: ">") {
                    i = k + 3
                    return
                }
                k += 1
            }
            i = n
        }

        /// Skips the content of a raw-text element to its end tag (left for `endTag`).
        mutating func skipRawText(_ name: String) {
            let n = bytes.count
            guard name != "plaintext" else { i = n; return }
            let closing = Array("</\(name)".utf8)
            var k = i
            while k + closing.count <= n {
                if bytes[k] == UInt8(ascii: "<"), bytes[k + 1] == UInt8(ascii: "/") {
                    var matches = true
                    for offset in 2..<closing.count {
                        let byte = bytes[k + offset]
                        if (byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte) != closing[offset] { matches = false; break }
                    }
                    let after = k + closing.count < n ? bytes[k + closing.count] : UInt8(ascii: ">")
                    if matches, Self.isSpace(after) || after == UInt8(ascii: "/") || after == UInt8(ascii: ">") {
                        i = k
                        return
                    }
                }
                k += 1
            }
            i = n
        }
    }
}
