import FairdeskMail
import Foundation

/// A customer's claim that their request is urgent (DESIGN.md §2). A claim never moves a
/// ticket: it is flagged on the ticket and explained to the customer once.
public struct UrgencyClaim: Sendable, Equatable {
    /// What was found, for the agent: `header X-Priority: 1`, `subject: "URGENT"`,
    /// `body: "please reply ASAP"`. Quotes are at most `PolicyText.quoteLimit` characters.
    public var evidence: [String]

    public init(evidence: [String]) {
        self.evidence = evidence
    }
}

/// Finds claims of urgency in a message's headers, subject and own text.
///
/// Two kinds of words are looked for, case- and accent-insensitively, as whole words, in
/// English, German, French, Spanish, Italian, Dutch, Portuguese and Polish:
///
/// - **Claim words** say the request is urgent whatever the sentence: "urgent", "ASAP",
///   "as soon as possible", "emergency", "top priority", "dringend", "Notfall", "urgence",
///   "lo antes posible", "spoed", "pilne", ... They count anywhere unless negated.
/// - **Timing words** ("immediately", "right now", "sofort", "immédiatement", "subito",
///   "natychmiast", ...) are just as often used to describe a bug ("it crashes immediately
///   after I click Save"). They count only as a demand directed at support, which we read
///   as: their clause also holds a request word ("please", "need", "reply", "fix", "bitte",
///   "besoin", "necesito", ...), the next word is not a temporal connector ("after", "when",
///   "on", "nach", "après", "al", ...), and they do not open a clause before a subject
///   ("Right now I use version 3"). A clause that holds nothing but the timing word
///   ("We need this fixed, immediately!") borrows the clause before it.
///
/// "critical" and "high priority" are deliberately not claims: pasted logs say CRITICAL and
/// bug reports talk about critical sections and high-priority threads. "top priority" is.
///
/// A word is negated when a negation ("not", "no", "nicht", "pas", "no", "non", "niet",
/// "não", "nie", "n't", ...) stands at most four words before it in the same clause, with no
/// "and"/"but" or "working"/"funktioniert" in between ("not urgent", "no need to reply
/// ASAP", "ce n'est pas urgent"), or when "nicht"/"niet" follows it ("es eilt nicht").
///
/// Only what the customer wrote in this message is read: `>` quotes, attributions ("On …
/// wrote:"), Outlook's "-----Original Message-----" blocks and signatures are skipped
/// (`QuoteDetection.visibleText`), so our own earlier reply cannot make a message urgent.
public enum UrgencyDetector {
    /// `headerSignals` are the header lines FairdeskMail already recognized
    /// (`Message.urgencySignals`, e.g. "X-Priority: 1", "Importance: high").
    public static func detect(subject: String, body: String, headerSignals: [String]) -> UrgencyClaim? {
        var evidence = EvidenceList()
        for signal in headerSignals {
            let line = signal.trimmingCharacters(in: .whitespacesAndNewlines)
            if !line.isEmpty { evidence.append("header " + PolicyText.clip(line)) }
        }
        for quote in claims(in: ScannedText(subject)) { evidence.append("subject: \"\(quote)\"") }
        for quote in claims(in: ScannedText(PolicyText.ownText(ofBody: body))) { evidence.append("body: \"\(quote)\"") }
        return evidence.isEmpty ? nil : UrgencyClaim(evidence: evidence.items)
    }

    /// Quotes of the sentences in `text` that claim urgency, one per sentence.
    static func claims(in text: ScannedText) -> [String] {
        var matches: [Range<Int>] = []
        for phrase in UrgencyTerms.claims {
            for match in text.occurrences(of: phrase) where !text.isNegated(match) {
                matches.append(match)
            }
        }
        for phrase in UrgencyTerms.timing {
            for match in text.occurrences(of: phrase) where !text.isNegated(match) && isDemand(match, in: text) {
                matches.append(match)
            }
        }
        return text.quotesBySentence(matches)
    }

    /// Whether a timing word is a demand on support rather than part of describing a bug.
    static func isDemand(_ match: Range<Int>, in text: ScannedText) -> Bool {
        let clause = text.clause(containing: match.lowerBound)
        if let next = text.token(at: match.upperBound, inClauseOf: match.lowerBound) {
            if UrgencyTerms.temporalConnectors.contains(next.word) { return false }
            if match.lowerBound == clause.lowerBound, UrgencyTerms.clauseSubjects.contains(next.word) { return false }
        }
        var scope = clause
        if scope == match, let previous = text.previousClause(before: clause) {
            scope = previous.lowerBound..<clause.upperBound
        }
        return scope.contains { index in
            !match.contains(index) && UrgencyTerms.requestWords.contains(text.tokens[index].word)
        }
    }
}

/// The word lists of `UrgencyDetector`, written as people write them; they are folded
/// (lower case, no accents) and split into words the same way as the text they match.
enum UrgencyTerms {
    static let claims: [Phrase] = Phrase.list([
        // English
        "urgent", "urgently", "urgency", "asap", "as soon as possible", "emergency", "top priority",
        "time critical", "time sensitive", "immediate attention", "immediate response", "immediate reply",
        "immediate help", "immediate assistance",
        // German
        "dringend", "dringende", "dringender", "dringendes", "dringlich", "eilig", "eilt", "notfall",
        "so schnell wie möglich", "schnellstmöglich", "schnellstens", "höchste priorität",
        // French
        "urgente", "urgence", "au plus vite", "dès que possible", "le plus vite possible",
        "le plus rapidement possible", "priorité absolue",
        // Spanish
        "urgencia", "urgentemente", "emergencia", "lo antes posible", "cuanto antes", "lo más pronto posible",
        "lo más rápido posible", "máxima prioridad",
        // Italian
        "urgentissimo", "urgentissima", "urgenza", "emergenza", "il prima possibile", "al più presto", "quanto prima",
        // Dutch
        "spoed", "zo snel mogelijk", "zo spoedig mogelijk", "zsm", "noodgeval",
        // Portuguese
        "urgência", "emergência", "o mais rápido possível", "o quanto antes", "o mais breve possível",
        // Polish
        "pilne", "pilnie", "pilny", "pilna", "pilnego", "jak najszybciej", "na cito",
    ])

    static let timing: [Phrase] = Phrase.list([
        "immediately", "right now", "right away", "straight away",
        "sofort", "umgehend", "unverzüglich",
        "immédiatement", "tout de suite", "sur le champ",
        "inmediatamente", "de inmediato", "ahora mismo",
        "subito", "immediatamente",
        "onmiddellijk", "meteen",
        "imediatamente", "de imediato", "agora mesmo",
        "natychmiast", "od razu",
    ])

    /// Words after a timing word that make it describe when something happens.
    static let temporalConnectors: Set<String> = PolicyText.words([
        "after", "afterwards", "when", "whenever", "once", "upon", "on", "at", "before", "while", "following",
        "during",
        "nach", "nachdem", "wenn", "beim", "bei", "als", "vor", "sobald",
        "après", "quand", "lorsque", "lors", "dès", "au",
        "después", "cuando", "al", "tras", "antes",
        "dopo", "quando", "appena", "all", "alla", "prima",
        "na", "nadat", "wanneer", "bij", "voor",
        "após", "depois", "ao",
        "po", "gdy", "kiedy", "przy", "przed",
    ])

    /// Words that, opening the clause after a timing word, make it a sentence adverb.
    static let clauseSubjects: Set<String> = PolicyText.words([
        "i", "we", "it", "the", "my", "our", "this", "there", "they",
        "ich", "wir", "es", "das", "der", "die", "je", "nous", "il", "le", "la",
        "yo", "el", "io", "ik", "wij", "het", "de", "eu", "o", "ja",
    ])

    /// Words that make a clause a request to support.
    static let requestWords: Set<String> = PolicyText.words([
        "please", "pls", "plz", "need", "needs", "needed", "require", "requires", "required", "want", "expect",
        "must", "reply", "respond", "response", "answer", "help", "fix", "fixed", "resolve", "resolved", "solve",
        "contact", "call", "look", "assist", "escalate", "attention",
        "bitte", "brauche", "brauchen", "benötige", "benötigen", "muss", "müssen", "antworten", "antwort",
        "melden", "helfen", "hilfe", "beheben", "lösen", "behoben", "gelöst",
        "svp", "plaît", "merci", "besoin", "répondre", "réponse", "aide", "aider", "corriger", "résoudre", "faut",
        "favor", "necesito", "necesitamos", "necesita", "responder", "respuesta", "ayuda", "ayuden", "ayudar",
        "arreglar", "solucionar", "resolver",
        "favore", "bisogno", "rispondere", "risposta", "aiuto", "aiutare", "risolvere", "sistemare",
        "alstublieft", "graag", "nodig", "moet", "antwoord", "antwoorden", "helpen", "hulp", "oplossen",
        "preciso", "precisamos", "resposta", "ajuda", "ajudar", "corrigir",
        "proszę", "potrzebuję", "potrzebujemy", "odpowiedź", "odpowiedzieć", "pomoc", "pomóc", "naprawić",
        "rozwiązać",
    ])
}

// MARK: - Text scanning (shared with CallDemandDetector)

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
