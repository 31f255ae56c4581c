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
