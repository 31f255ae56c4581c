import Foundation

/// A customer's demand for a phone call, a video meeting or remote access before email was
/// tried (DESIGN.md §1). On plans without those channels the customer gets the policy's
/// polite answer once and stays in the email queue.
public struct CallDemand: Sendable, Equatable {
    /// The real-time channels asked for: `.phone`, `.videoCall`, `.remoteAccess`.
    public var channels: Set<Channel>
    /// What was found, for the agent: `body: "please call me at +1 555 0100"`. Quotes are at
    /// most 80 characters; passwords after "password:" and meeting-link queries are left out.
    public var evidence: [String]

    public init(channels: Set<Channel>, evidence: [String]) {
        self.channels = channels
        self.evidence = evidence
    }
}

/// Finds demands for a call, video meeting or remote session in a message's subject and
/// own text (quotes and signatures are skipped, as for urgency).
///
/// Three kinds of evidence:
///
/// - **Requests that say so** count wherever they stand, unless negated ("please don't
///   call me"): "call me", "give me a call", "ring me", "can we have a call", "Rückruf",
///   "rufen Sie mich an", "appelez-moi", "llámeme", "Zoom meeting", "Teams meeting",
///   "Google Meet", "Webex", "Skype call", "TeamViewer", "AnyDesk", ...
/// - **Channel nouns** also name things a bug report talks about ("it crashes in a remote
///   desktop session", "during screen sharing", "the zoom level"). "remote desktop",
///   "remote session", "screen share", "video call", "phone call", "connect to my PC", ...
///   count only after a request word earlier in the same sentence ("can we", "could you",
///   "please", "I'd prefer", "können wir", "pouvez-vous", "podemos", ...) and not right after
///   "in", "during", "when", "while", "under" and their kin.
/// - **Links and numbers**: a zoom.us, teams.microsoft.com/l/meetup-join, meet.google.com,
///   webex.com or join.skype.com link; a phone number on a line that also asks to be called
///   or reached ("reach me at +1 555 0100"). A number alone, and any number on a signature
///   line ("Phone: +1 555 0100", "Tel.:", "Mobile:"), is not a demand.
///
/// Screen sharing counts as a video call: the customer shows, we watch, nobody takes control.
public enum CallDemandDetector {
    public static func detect(subject: String, body: String) -> CallDemand? {
        var channels: Set<Channel> = []
        var evidence = EvidenceList()
        for (label, text) in [("subject", subject), ("body", PolicyText.ownText(ofBody: body))] {
            let found = demands(in: text)
            channels.formUnion(found.channels)
            for quote in found.quotes { evidence.append("\(label): \"\(quote)\"") }
        }
        return channels.isEmpty ? nil : CallDemand(channels: channels, evidence: evidence.items)
    }

    static func demands(in source: String) -> (channels: Set<Channel>, quotes: [String]) {
        let text = ScannedText(source)
        var channels: Set<Channel> = []
        var matches: [Range<Int>] = []
        for rule in CallTerms.rules {
            for match in text.occurrences(of: rule.phrase) where isDemand(match, rule: rule, in: text) {
                channels.insert(rule.channel)
                matches.append(match)
            }
        }
        var quotes = text.quotesBySentence(matches)
        for link in meetingLinks(in: source) {
            channels.insert(link.channel)
            quotes.append(link.quote)
        }
        // A line already quoted for its words ("please call me at +1 555 …") is not quoted again.
        let quotedLines = Set(matches.map { text.tokens[$0.lowerBound].line })
        for line in numberOffers(in: text, skipping: quotedLines) {
            channels.insert(.phone)
            quotes.append(line)
        }
        return (channels, quotes)
    }

    static func isDemand(_ match: Range<Int>, rule: CallRule, in text: ScannedText) -> Bool {
        if text.isNegated(match) { return false }
        if let next = text.token(at: match.upperBound, inClauseOf: match.lowerBound),
           rule.unlessFollowedBy.contains(next.word) {
            return false
        }
        guard rule.needsRequest else { return true }
        for back in 1...2 {
            if let token = text.token(at: match.lowerBound - back, inClauseOf: match.lowerBound),
               CallTerms.circumstances.contains(token.word) {
                return false
            }
        }
        return hasRequest(before: match.lowerBound, in: text)
    }

    /// Whether a request word comes earlier in the sentence of `index`, not itself negated
    /// ("can't" is no request).
    static func hasRequest(before index: Int, in text: ScannedText) -> Bool {
        let sentence = text.tokens[index].sentence
        var position = index - 1
        while position >= 0, text.tokens[position].sentence == sentence {
            let word = text.tokens[position].word
            // "I'd like", "we would like"; a bare "like" is too often "looks like".
            let isLike = word == "like" && position > 0 && ["d", "would", "should"].contains(text.tokens[position - 1].word)
            if isLike || CallTerms.requestWords.contains(word) {
                let next = text.tokens[position + 1].word
                if !ScannedText.negations.contains(next) { return true }
            }
            position -= 1
        }
        return false
    }

    // MARK: Links

    /// Meeting links by host and path, lower-cased.
    static let meetingHosts: [(marker: String, channel: Channel)] = [
        ("zoom.us/j/", .videoCall), ("zoom.us/my/", .videoCall), ("zoom.us/s/", .videoCall),
        ("zoom.us/meeting", .videoCall), ("teams.microsoft.com/l/meetup-join", .videoCall),
        ("teams.live.com/meet", .videoCall), ("meet.google.com/", .videoCall), ("webex.com/", .videoCall),
        ("join.skype.com/", .videoCall), ("anydesk.com/", .remoteAccess), ("teamviewer.com/", .remoteAccess),
    ]

    static func meetingLinks(in source: String) -> [(channel: Channel, quote: String)] {
        var found: [(Channel, String)] = []
        for word in source.split(whereSeparator: { $0.isWhitespace }) {
            let lower = word.lowercased()
            guard let host = meetingHosts.first(where: { lower.contains($0.marker) }) else { continue }
            // The query of a meeting link often carries its password; the path is enough.
            var link = word.split(separator: "?", maxSplits: 1).first.map(String.init) ?? String(word)
            link = link.trimmingCharacters(in: CharacterSet(charactersIn: "<>()[]\"'.,;"))
            found.append((host.channel, PolicyText.clip(link)))
        }
        return found
    }

    // MARK: Phone numbers

    /// A phone number as people write it: "+1 555 010 0199", "(555) 010-0199",
    /// "0171 1234567", "+49 (0)30 123456". It needs a plus sign or more than one group, so
    /// "10000000 times" is no number, and no dots, so versions and addresses are none
    /// either. Seven to fifteen digits (ITU-T E.164) and "not a date" are checked after.
    static let phonePattern = try? NSRegularExpression(
        pattern: #"(?<![\w+.])(?:\+\d[\d ()/-]{5,}\d|\(?\d{2,5}\)?[ /-]\d[\d /-]{3,}\d)(?!\w)(?!\.\d)"#
    )

    static let datePattern = try? NSRegularExpression(pattern: #"^\d{4}-\d{2}-\d{2}"#)

    /// Labels that open a signature or contact-card line.
    static let numberLabels: Set<String> = PolicyText.words([
        "phone", "tel", "telephone", "mobile", "mob", "cell", "fax", "office", "direct", "ph", "t", "m", "f",
        "telefon", "handy", "mobil", "téléphone", "tél", "portable", "teléfono", "móvil", "celular", "telefono",
        "cellulare", "telefoon", "mobiel", "telemóvel", "telefone", "komórka",
    ])

    /// Lines holding a phone number and a word asking to be called or reached on it.
    static func numberOffers(in text: ScannedText, skipping skipped: Set<Int> = []) -> [String] {
        guard let phonePattern else { return [] }
        var offers: [String] = []
        var lineTokens: [Int: [ScannedText.Token]] = [:]
        for token in text.tokens { lineTokens[token.line, default: []].append(token) }
        let lines = text.source.split(separator: "\n", omittingEmptySubsequences: false)
        for (number, line) in lines.enumerated() where !skipped.contains(number) {
            guard let words = lineTokens[number], let first = words.first else { continue }
            // "Phone: +1 555 …", "Tel. +49 …": a signature or contact block.
            if numberLabels.contains(first.word) { continue }
            let lineText = String(line)
            let range = NSRange(lineText.startIndex..., in: lineText)
            let hasNumber = phonePattern.matches(in: lineText, range: range).contains { match in
                guard let found = Range(match.range, in: lineText) else { return false }
                let candidate = String(lineText[found])
                let isDate = datePattern?.firstMatch(in: candidate, range: NSRange(candidate.startIndex..., in: candidate)) != nil
                return !isDate && (7...15).contains(candidate.filter(\.isNumber).count)
            }
            guard hasNumber else { continue }
            let asks = words.indices.contains { index in
                guard CallTerms.numberVerbs.contains(words[index].word) else { return false }
                return index == 0 || !ScannedText.negations.contains(words[index - 1].word)
            }
            if asks { offers.append(PolicyText.clip(PolicyText.maskSecrets(lineText))) }
        }
        return offers
    }
}

/// A phrase that asks for a real-time channel.
struct CallRule: Sendable {
    var phrase: Phrase
    var channel: Channel
    /// The phrase also names things bug reports describe; it counts only after a request word.
    var needsRequest: Bool
    /// Words after the phrase that make it mean something else ("on zoom level").
    var unlessFollowedBy: Set<String>
}

enum CallTerms {
    static let rules: [CallRule] =
        strong(.phone, [
            "call me", "call us", "call me back", "call us back", "call you", "give me a call", "give us a call",
            "phone me", "phone us", "ring me", "ring us", "telephone me", "have a call", "have a phone call",
            "have a quick call", "a quick call", "schedule a call", "set up a call", "arrange a call", "book a call",
            "jump on a call", "hop on a call", "get on a call", "get on the phone", "talk on the phone",
            "speak on the phone", "talk by phone", "speak by phone", "discuss by phone",
            "rufen sie mich an", "rufen sie mich bitte an", "ruf mich an", "ruf mich bitte an", "rufen sie uns an",
            "rufen sie uns bitte an", "ruft mich an", "mich anrufen", "uns anrufen",
            "mich zurückrufen", "uns zurückrufen", "rückruf", "rückrufbitte", "telefontermin",
            "appelez moi", "appelez nous", "rappelez moi", "rappelez nous", "m appeler", "nous appeler",
            "me rappeler", "nous rappeler", "me téléphoner", "téléphonez moi",
            "llámeme", "llámame", "llámenme", "llámenos", "me llamen", "me llame", "llamarme", "llamarnos",
            "chiamatemi", "chiamami", "mi chiami", "mi chiamate", "chiamarmi", "richiamatemi",
            "bel me", "bel mij", "belt u mij", "mij bellen", "me bellen", "mij terugbellen", "terugbellen",
            "ligue me", "liga me", "me ligue", "me liga", "me ligar", "ligar para mim",
            "zadzwoń do mnie", "zadzwońcie", "proszę o telefon",
        ])
        + requested(.phone, [
            "phone call", "telephone call", "over the phone", "by phone", "by telephone", "on the phone",
            "telefonisch", "telefonat", "anruf", "per telefon", "am telefon",
            "par téléphone", "au téléphone", "appel téléphonique",
            "por teléfono", "llamada telefónica",
            "per telefono", "telefonata",
            "telefoontje",
            "por telefone", "chamada telefônica",
            "telefonicznie", "zadzwonić", "rozmowa telefoniczna",
        ])
        // "a call" is also a function call: "could you check why a call to CreateFile fails".
        + requested(.phone, ["a call", "una llamada", "una chiamata", "uma chamada"],
                    unlessFollowedBy: ["to", "of", "from", "with", "stack", "a", "al", "de", "del", "di", "alla",
                                       "della", "para", "da"])
        + strong(.videoCall, [
            "zoom meeting", "zoom call", "zoom session", "zoom link", "via zoom", "over zoom",
            "teams meeting", "teams call", "teams link", "teams session", "via teams", "over teams",
            "google meet", "webex", "skype call", "skype meeting", "skype me", "via skype", "over skype",
            "share my screen", "share your screen", "share our screen",
            "videokonferenz", "videoanruf", "videotelefonat", "visioconférence", "visio",
            "videollamada", "videoconferencia", "videochiamata", "videogesprek", "videochamada", "wideorozmowa",
        ])
        + strong(.videoCall, [
            "talk on zoom", "meet on zoom", "chat on zoom", "talk on teams", "meet on teams", "talk on skype",
        ])
        + requested(.videoCall, [
            "video call", "videocall", "video conference", "videoconference", "video meeting", "video chat",
            "screen share", "screenshare", "screen sharing", "screensharing", "online meeting", "web meeting",
        ])
        + strong(.remoteAccess, [
            "teamviewer", "team viewer", "anydesk", "fernwartung", "prise en main à distance",
            "prise de contrôle à distance", "remote into my", "remote in to my",
        ])
        + requested(.remoteAccess, [
            "remote session", "remote desktop", "remote access", "remote support",
            "remote assistance", "remote in", "remote into",
            "connect to my machine", "connect to my pc", "connect to my computer", "connect to my laptop",
            "connect to my desktop", "connect to my workstation", "connect to our machine", "connect to our pc",
            "log into my machine", "log into my pc", "log in to my pc", "log in to my machine",
            "access my machine", "access my pc", "access my computer", "take control of my pc",
            "take control of my machine", "take control of my computer",
            "fernzugriff", "fernsteuerung", "bureau à distance", "accès à distance", "session à distance",
            "acceso remoto", "control remoto", "escritorio remoto", "sesión remota",
            "accesso remoto", "controllo remoto", "sessione remota", "desktop remoto",
            "toegang op afstand", "acesso remoto", "área de trabalho remota",
            "zdalny dostęp", "zdalny pulpit", "zdalne połączenie",
        ])

    private static func strong(_ channel: Channel, _ texts: [String]) -> [CallRule] {
        Phrase.list(texts).map { CallRule(phrase: $0, channel: channel, needsRequest: false, unlessFollowedBy: []) }
    }

    private static func requested(_ channel: Channel, _ texts: [String], unlessFollowedBy: [String] = []) -> [CallRule] {
        let excluded = PolicyText.words(unlessFollowedBy)
        return Phrase.list(texts).map {
            CallRule(phrase: $0, channel: channel, needsRequest: true, unlessFollowedBy: excluded)
        }
    }

    /// Request words that, earlier in a sentence, make a channel noun a request.
    static let requestWords: Set<String> = PolicyText.words([
        "please", "pls", "can", "could", "would", "let", "lets", "shall", "need", "want", "prefer",
        "schedule", "arrange", "book", "join", "suggest", "propose", "happy", "willing", "available", "maybe",
        "perhaps",
        "bitte", "können", "könnten", "kann", "möchte", "möchten", "würde", "würden", "gerne", "gern", "wäre",
        "svp", "pouvez", "pourriez", "pouvons", "pourrions", "peut", "voulez", "voudrais", "souhaite",
        "souhaiterais", "possible",
        "puede", "pueden", "podemos", "podría", "podríamos", "quisiera", "quiero", "favor", "necesito",
        "può", "possiamo", "potete", "potremmo", "vorrei", "favore",
        "kunt", "kunnen", "kan", "wilt", "graag", "zou",
        "pode", "podem", "gostaria", "queria", "preciso",
        "możemy", "może", "proszę", "chciałbym", "chciałabym",
    ])

    /// Words just before a channel noun that make it a circumstance of the bug: "crashes in
    /// a remote desktop session", "freezes during screen sharing".
    static let circumstances: Set<String> = PolicyText.words([
        "in", "inside", "within", "under", "during", "while", "when", "whilst", "through", "using", "after",
        "with", "about", "of",
        "im", "in", "bei", "beim", "während", "unter", "über", "nach", "mit",
        "dans", "pendant", "lors", "sous", "en", "après", "avec",
        "en", "durante", "dentro", "bajo", "tras", "con",
        "nel", "nella", "durante", "dopo", "sotto",
        "tijdens", "onder", "bij", "na",
        "no", "na", "durante", "em", "após",
        "w", "podczas", "pod", "po",
    ])

    /// Words on a line with a phone number that ask to be called on it.
    static let numberVerbs: Set<String> = PolicyText.words([
        "call", "ring", "phone", "reach", "contact", "dial", "reachable", "available",
        "anrufen", "erreichbar", "erreichen", "kontaktieren", "rückruf", "zurückrufen",
        "appelez", "appeler", "rappeler", "joindre", "joignable", "contacter", "téléphoner",
        "llamar", "llámeme", "llámenme", "contactar", "localizable", "localizar",
        "chiamare", "chiamatemi", "contattare", "reperibile", "raggiungibile",
        "bellen", "bel", "bereikbaar",
        "ligar", "ligue", "contatar", "contactar",
        "zadzwoń", "zadzwonić", "kontakt", "dzwonić",
    ])
}
