import FairdeskMail
import Foundation

// Text scanning shared by UrgencyDetector and CallDemandDetector: what counts as the
// customer's own words, phrases, sentences and quoted evidence.

/// Limits and helpers for reading customers' text.
enum PolicyText {
    /// The longest quote shown as evidence, in characters.
    static let quoteLimit = 80
    /// At most this many pieces of evidence are kept per detection: enough for an agent to
    /// see why, short enough to read.
    static let evidenceLimit = 6
    /// Only the first characters of a message's own text are read: claims and requests sit
    /// at the top, and a pasted log of megabytes should not cost a scan.
    static let scannedCharacters = 100_000

    /// What the customer wrote in this message: line endings normalized, then quotes,
    /// attributions and signatures removed.
    static func ownText(ofBody body: String) -> String {
        var text = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        if text.utf8.count > scannedCharacters { text = String(text.prefix(scannedCharacters)) }
        return QuoteDetection.visibleText(text)
    }

    /// Lower case without accents: "Rückruf" → "ruckruf", "NÃO" → "nao".
    static func fold<S: StringProtocol>(_ word: S) -> String {
        if word.utf8.allSatisfy({ $0 < 0x80 }) { return word.lowercased() }
        return word.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }

    /// A set of single words, folded.
    static func words(_ list: [String]) -> Set<String> {
        Set(list.map { fold($0) })
    }

    /// `text` on one line, at most `limit` characters, with "…" where it was cut.
    static func clip(_ text: String, limit: Int = quoteLimit) -> String {
        let line = text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        guard line.count > limit else { return line }
        return String(line.prefix(limit - 1)) + "…"
    }

    /// Words after which a secret follows; its value is masked in evidence, which agents
    /// read in lists and which outlives the message it came from.
    static let secretLabel = try? NSRegularExpression(
        pattern: #"(?i)\b(password|passwort|kennwort|pwd|passcode|mot de passe|contraseña|senha|hasło|wachtwoord)(\s*[:=]?\s*)(\S+)"#
    )

    static func maskSecrets(_ text: String) -> String {
        guard let secretLabel else { return text }
        let range = NSRange(text.startIndex..., in: text)
        return secretLabel.stringByReplacingMatches(in: text, range: range, withTemplate: "$1$2•••")
    }
}

/// A phrase to look for: one or more folded words.
struct Phrase: Sendable, Hashable {
    var words: [String]

    init(_ text: String) {
        words = ScannedText(text).tokens.map(\.word)
    }

    static func list(_ texts: [String]) -> [Phrase] {
        var seen: Set<Phrase> = []
        return texts.map(Phrase.init).filter { !$0.words.isEmpty && seen.insert($0).inserted }
    }
}

/// Keeps evidence in order, once each, up to `PolicyText.evidenceLimit`.
struct EvidenceList {
    private(set) var items: [String] = []

    var isEmpty: Bool { items.isEmpty }

    mutating func append(_ item: String) {
        guard items.count < PolicyText.evidenceLimit, !items.contains(item) else { return }
        items.append(item)
    }
}

/// A text split into words, each folded for matching and remembering where it came from
/// (for quoting) and which sentence and clause it belongs to.
///
/// Sentences end at ".", "!", "?", ";" or "…" followed by a space, and at blank lines; a
/// single line break does not end one, because mail clients wrap lines at 72 columns.
/// Clauses also end at ",", ":", brackets, quotation marks and dashes. Everything that is
/// not a letter or digit separates words, so "non-urgent" is "non urgent", "don't" is
/// "don t" and "zoom.us/j/1" is "zoom us j 1".
struct ScannedText {
    struct Token {
        var word: String
        var range: Range<String.Index>
        var sentence: Int
        var clause: Int
        var line: Int
    }

    let source: String
    let tokens: [Token]
    private let starts: [String: [Int]]

    init(_ source: String) {
        self.source = source
        var tokens: [Token] = []
        var sentence = 0
        var clause = 0
        var line = 0
        var newlines = 0
        var wordStart: String.Index?
        var index = source.startIndex
        while index < source.endIndex {
            let character = source[index]
            let next = source.index(after: index)
            if character.isLetter || character.isNumber {
                if wordStart == nil { wordStart = index }
                newlines = 0
                index = next
                continue
            }
            if let start = wordStart {
                tokens.append(Token(word: PolicyText.fold(source[start..<index]), range: start..<index,
                                    sentence: sentence, clause: clause, line: line))
                wordStart = nil
            }
            if character.isNewline {
                line += 1
                newlines += 1
                if newlines == 2 {
                    sentence += 1
                    clause += 1
                }
            } else if !character.isWhitespace {
                newlines = 0
                let atBreak = next == source.endIndex || source[next].isWhitespace
                if ".!?;…".contains(character), atBreak {
                    sentence += 1
                    clause += 1
                } else if ",:()[]{}\"“”„«»–—".contains(character) || (character == "-" && atBreak) {
                    clause += 1
                }
            }
            index = next
        }
        if let start = wordStart {
            tokens.append(Token(word: PolicyText.fold(source[start...]), range: start..<source.endIndex,
                                sentence: sentence, clause: clause, line: line))
        }
        self.tokens = tokens
        var starts: [String: [Int]] = [:]
        for (position, token) in tokens.enumerated() { starts[token.word, default: []].append(position) }
        self.starts = starts
    }

    /// Every place `phrase` occurs as consecutive words of one sentence.
    func occurrences(of phrase: Phrase) -> [Range<Int>] {
        guard let first = phrase.words.first, let candidates = starts[first] else { return [] }
        let length = phrase.words.count
        return candidates.compactMap { start in
            guard start + length <= tokens.count else { return nil }
            for offset in 1..<length {
                let token = tokens[start + offset]
                guard token.word == phrase.words[offset], token.sentence == tokens[start].sentence else { return nil }
            }
            return start..<(start + length)
        }
    }

    /// The token at `index` if it is in the same clause as the token at `other`.
    func token(at index: Int, inClauseOf other: Int) -> Token? {
        guard index >= 0, index < tokens.count, tokens[index].clause == tokens[other].clause else { return nil }
        return tokens[index]
    }

    /// The token indices of the clause holding `index`.
    func clause(containing index: Int) -> Range<Int> {
        let clause = tokens[index].clause
        var lower = index
        while lower > 0, tokens[lower - 1].clause == clause { lower -= 1 }
        var upper = index + 1
        while upper < tokens.count, tokens[upper].clause == clause { upper += 1 }
        return lower..<upper
    }

    /// The clause right before `clause`, if it is in the same sentence.
    func previousClause(before clause: Range<Int>) -> Range<Int>? {
        let last = clause.lowerBound - 1
        guard last >= 0, tokens[last].sentence == tokens[clause.lowerBound].sentence else { return nil }
        return self.clause(containing: last)
    }

    /// Negations: "not", "no", "nicht", "pas", "niet", "não", "nie", the "t" of "don't", ...
    static let negations: Set<String> = PolicyText.words([
        "not", "no", "never", "non", "t", "nt", "isnt", "dont", "doesnt", "didnt", "wont", "cant", "arent",
        "wasnt", "without", "nothing", "hardly",
        "nicht", "kein", "keine", "keinen", "keiner", "keinesfalls", "nichts", "ohne", "nie",
        "pas", "ne", "rien", "sans", "aucun", "aucune", "jamais",
        "nada", "sin", "ni", "nunca", "ningún", "ninguna",
        "niente", "senza", "mai", "nessun", "nessuna",
        "niet", "geen", "nooit", "zonder",
        "não", "sem", "nem", "nenhum", "nenhuma",
        "nic", "bez", "żaden", "żadne",
    ])

    /// Negations that follow the word they negate ("es eilt nicht", "het is dringend niet").
    static let trailingNegations: Set<String> = PolicyText.words(["nicht", "niet"])

    /// Words that end the reach of a negation: a new clause ("and", "but", "und", "mais",
    /// ...) or the thing that is negated instead ("not working and urgent"). Italian and
    /// Portuguese "e" (and) is missing on purpose: folded, it is also "è"/"é" (is), as in
    /// "non è urgente".
    static let negationBarriers: Set<String> = PolicyText.words([
        "and", "but", "so", "because", "although", "und", "aber", "denn", "weil", "et", "mais", "car", "parce",
        "y", "pero", "porque", "ma", "perché", "maar", "omdat", "mas", "i", "ale", "bo",
        "working", "work", "works", "worked", "functioning", "loading", "starting", "responding", "running",
        "funktioniert", "funktionieren", "geht", "läuft", "fonctionne", "marche", "funciona", "funziona",
        "werkt", "działa",
    ])

    /// How many words before a phrase a negation may stand.
    static let negationReach = 4

    func isNegated(_ match: Range<Int>) -> Bool {
        var index = match.lowerBound - 1
        var steps = 0
        while steps < Self.negationReach, let token = token(at: index, inClauseOf: match.lowerBound) {
            if Self.negationBarriers.contains(token.word) { break }
            if Self.negations.contains(token.word) { return true }
            index -= 1
            steps += 1
        }
        if let next = token(at: match.upperBound, inClauseOf: match.lowerBound),
           Self.trailingNegations.contains(next.word) {
            return true
        }
        return false
    }

    /// One quote per sentence holding a match, in text order: the matches of a sentence
    /// and as much of their sentence around them as fits in `PolicyText.quoteLimit`.
    func quotesBySentence(_ matches: [Range<Int>]) -> [String] {
        var bySentence: [Int: Range<Int>] = [:]
        var order: [Int] = []
        for match in matches.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            let sentence = tokens[match.lowerBound].sentence
            if let known = bySentence[sentence] {
                let joined = known.lowerBound..<max(known.upperBound, match.upperBound)
                if text(joined).count <= PolicyText.quoteLimit { bySentence[sentence] = joined }
            } else {
                bySentence[sentence] = match
                order.append(sentence)
            }
        }
        return order.compactMap { bySentence[$0].map(quote) }
    }

    /// The words in `match` with as much of their sentence on both sides as fits.
    func quote(_ match: Range<Int>) -> String {
        let limit = PolicyText.quoteLimit
        let sentence = tokens[match.lowerBound].sentence
        var lower = match.lowerBound
        var upper = match.upperBound
        func inSentence(_ index: Int) -> Bool {
            index >= 0 && index < tokens.count && tokens[index].sentence == sentence
        }
        func length(_ range: Range<Int>) -> Int {
            text(range).count + (inSentence(range.lowerBound - 1) ? 1 : 0) + (inSentence(range.upperBound) ? 1 : 0)
        }
        if length(lower..<upper) > limit {
            return PolicyText.clip(PolicyText.maskSecrets(text(lower..<upper)), limit: limit)
        }
        var grew = true
        while grew {
            grew = false
            if inSentence(upper), length(lower..<(upper + 1)) <= limit {
                upper += 1
                grew = true
            }
            if inSentence(lower - 1), length((lower - 1)..<upper) <= limit {
                lower -= 1
                grew = true
            }
        }
        let quoted = (inSentence(lower - 1) ? "…" : "") + text(lower..<upper) + (inSentence(upper) ? "…" : "")
        return PolicyText.clip(PolicyText.maskSecrets(quoted), limit: limit)
    }

    /// The source from the first to the last token of `range`, on one line.
    func text(_ range: Range<Int>) -> String {
        let slice = source[tokens[range.lowerBound].range.lowerBound..<tokens[range.upperBound - 1].range.upperBound]
        return slice.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
