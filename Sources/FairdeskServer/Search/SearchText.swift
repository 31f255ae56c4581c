import Foundation

/// What search counts as a word. Indexing, queries and snippets all split text here,
/// so a word written in a message and the same word typed into the search box always
/// come out the same.
///
/// A word is a run of letters, digits and combining marks; anything else separates
/// words. Each word is normalized:
/// - case folded: upper-cased, then lower-cased, so "ß", "SS" and "ss" meet;
/// - compatibility-decomposed (NFKD): "ﬁ" is "fi", full-width "ＡＢＣ" is "abc", "²" is "2";
/// - stripped of diacritics (the combining diacritical mark blocks): "Zürich" is "zurich".
///   Other combining marks (Indic vowel signs, the kana voicing marks) are kept, as they
///   change the letter rather than decorate it.
///
/// Han ideographs and kana are a word each, one character at a time: those scripts put
/// no spaces between words, and a query "東京" then becomes the phrase "東 京".
///
/// Punctuation splits, so an email address is its words in order: jane.doe@example.com
/// is "jane doe example com". A query word that splits into several words is searched as
/// a phrase (see `SearchQuery`), which finds the whole address, its local part
/// ("jane.doe"), its domain ("example.com") and each label alike.
enum SearchText {
    /// The longest word, in Unicode scalars after normalization. Longer runs (base64,
    /// hex dumps) are cut, on both sides alike, so they still match themselves.
    static let maxWordLength = 64

    /// The normalized words of `text`, in order.
    static func words(in text: some StringProtocol) -> [String] {
        var words: [String] = []
        forEachWord(in: String(text)) { word, _ in
            words.append(word)
            return true
        }
        return words
    }

    /// Calls `body` with each normalized word and the range of the text it came from
    /// (a run of word characters; several words may share a run, e.g. "東京"), until
    /// `body` returns false.
    static func forEachWord(in text: String, _ body: (_ word: String, _ range: Range<String.Index>) -> Bool) {
        let scalars = text.unicodeScalars
        var runStart: String.Index?
        var ascii: [UInt8] = []
        var runIsASCII = true
        var index = scalars.startIndex

        // Ends the current run at `end`; false when `body` asked to stop.
        func finishRun(at end: String.Index) -> Bool {
            guard let start = runStart else { return true }
            runStart = nil
            defer {
                ascii.removeAll(keepingCapacity: true)
                runIsASCII = true
            }
            if runIsASCII {
                // The common case, without Foundation: ASCII only needs lower-casing.
                return body(String(decoding: ascii.prefix(maxWordLength), as: UTF8.self), start..<end)
            }
            for word in normalizedWords(String(scalars[start..<end])) {
                if !body(word, start..<end) { return false }
            }
            return true
        }

        while index < scalars.endIndex {
            let scalar = scalars[index]
            if isWordScalar(scalar) {
                if runStart == nil { runStart = index }
                if scalar.isASCII {
                    let byte = UInt8(scalar.value)
                    ascii.append((UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte)
                } else {
                    runIsASCII = false
                }
            } else if !finishRun(at: index) {
                return
            }
            index = scalars.index(after: index)
        }
        _ = finishRun(at: scalars.endIndex)
    }

    /// Folds, decomposes and strips one run of word characters, then splits it again:
    /// decomposition can bring separators ("½" is "1⁄2") and one-character words (kana).
    static func normalizedWords(_ run: String) -> [String] {
        let normalized = run.uppercased().lowercased().decomposedStringWithCompatibilityMapping
        var words: [String] = []
        var current = String.UnicodeScalarView()
        var currentLength = 0
        var currentIsSingle = false

        func finish() {
            if !current.isEmpty { words.append(String(current)) }
            current = String.UnicodeScalarView()
            currentLength = 0
            currentIsSingle = false
        }
        func append(_ scalar: Unicode.Scalar) {
            guard currentLength < maxWordLength else { return }
            current.append(scalar)
            currentLength += 1
        }

        for scalar in normalized.unicodeScalars {
            if isDiacritic(scalar) { continue }
            if isMark(scalar) {
                // A mark belongs to the character before it (a one-character word too).
                if !current.isEmpty { append(scalar) }
            } else if isSingleCharacterWord(scalar) {
                finish()
                append(scalar)
                currentIsSingle = true
            } else if isWordScalar(scalar) {
                if currentIsSingle { finish() }
                append(scalar)
            } else {
                finish()
            }
        }
        finish()
        return words
    }

    // MARK: Character classes

    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            switch UInt8(scalar.value) {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            default:
                return false
            }
        }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark,
             .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    private static func isMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    /// The combining diacritical mark blocks: accents on Latin, Greek and Cyrillic letters.
    private static func isDiacritic(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0300...0x036F, 0x1AB0...0x1AFF, 0x1DC0...0x1DFF, 0x20D0...0x20FF, 0xFE20...0xFE2F: return true
        default: return false
        }
    }

    /// Han ideographs, hiragana and katakana: scripts written without spaces.
    private static func isSingleCharacterWord(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3040...0x30FF, 0x31F0...0x31FF, 0xFF66...0xFF9F: return true
        default: return scalar.properties.isIdeographic
        }
    }
}
