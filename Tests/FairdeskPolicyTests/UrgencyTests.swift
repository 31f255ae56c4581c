import Testing
@testable import FairdeskPolicy

@Suite struct UrgencyTests {
    private func claim(subject: String = "Question about the installer", body: String = "",
                       headers: [String] = []) -> UrgencyClaim? {
        UrgencyDetector.detect(subject: subject, body: body, headerSignals: headers)
    }

    // MARK: Sources and evidence

    @Test func aPlainRequestIsNoClaim() {
        #expect(claim(body: "Hello,\n\nthe installer stops at 80%. Log attached.\n\nThanks, Ann") == nil)
    }

    @Test func headerSignalsAreEvidence() {
        let found = claim(headers: ["X-Priority: 1 (Highest)", "Importance: high"])
        #expect(found?.evidence == ["header X-Priority: 1 (Highest)", "header Importance: high"])
    }

    @Test func subjectAndBodyAreQuoted() {
        let found = claim(subject: "URGENT", body: "Hi,\n\nplease reply ASAP.\n\nThanks")
        #expect(found?.evidence == ["subject: \"URGENT\"", "body: \"please reply ASAP\""])
    }

    @Test func evidenceComesInOrderHeadersSubjectBody() {
        let found = claim(subject: "Urgent: license", body: "This is an emergency.", headers: ["Priority: urgent"])
        #expect(found?.evidence == ["header Priority: urgent", "subject: \"Urgent: license\"", "body: \"This is an emergency\""])
    }

    @Test func oneQuotePerSentence() {
        let found = claim(subject: "URGENT: please help ASAP")
        #expect(found?.evidence == ["subject: \"URGENT: please help ASAP\""])
    }

    @Test func longSentencesAreQuotedAroundTheClaimWithinEightyCharacters() throws {
        let body = "We have been evaluating your memory profiler for several weeks in our build farm and "
            + "we now urgently need a working license for the release on Friday because otherwise we "
            + "cannot ship the product to our customers at all."
        let evidence = try #require(claim(body: body)?.evidence.first)
        let quote = evidence.dropFirst("body: \"".count).dropLast()
        #expect(quote.count <= 80)
        #expect(quote.contains("urgently"))
        #expect(quote.hasPrefix("…") && quote.hasSuffix("…"))
    }

    @Test func longHeaderSignalsAreClipped() throws {
        let evidence = try #require(claim(headers: ["X-Priority: 1 " + String(repeating: "x", count: 200)])?.evidence.first)
        #expect(evidence.count <= "header ".count + 80)
    }

    // MARK: Words and languages

    @Test(arguments: [
        "URGENT", "UrGeNt: login fails", "Need this urgently", "Please answer as soon as possible",
        "asap please", "Production emergency", "This is our top priority",
        "Dringend: Lizenz", "Sehr eilig!", "Notfall beim Kunden", "Bitte so schnell wie möglich",
        "Urgent : licence", "C'est une urgence", "Réponse dès que possible",
        "Urgente: licencia", "Por favor, lo antes posible",
        "Urgentissimo", "Rispondete il prima possibile",
        "Spoed: licentie", "Dringend probleem", "Graag zo snel mogelijk",
        "Urgente: licença", "O mais rápido possível, por favor",
        "Pilne: licencja", "Proszę jak najszybciej",
    ])
    func claimsAreFoundInEveryLanguage(subject: String) {
        #expect(claim(subject: subject) != nil)
    }

    @Test(arguments: [
        "Insurgent Tools v2 installer", "The ASAPI layer fails", "CRITICAL error in the event log",
        "High priority threads starve", "The emergencystop flag",
    ])
    func onlyWholeClaimWordsCount(subject: String) {
        #expect(claim(subject: subject) == nil)
    }

    @Test func accentsAreOptional() {
        #expect(claim(body: "Repondez immediatement svp.") != nil)
        #expect(claim(body: "Répondez immédiatement svp.") != nil)
    }

    // MARK: Negation

    @Test(arguments: [
        "This is not urgent.", "Not urgent at all, whenever you have time.", "No rush, whenever you have time.",
        "This isn't urgent.", "It's a non-urgent question.", "No need to reply ASAP.", "This is not an emergency.",
        "Es ist nicht dringend.", "Kein Notfall.", "Es eilt nicht.", "Ce n'est pas urgent.", "Pas urgent.",
        "No es urgente.", "Non è urgente.", "Het is niet dringend.", "Geen spoed.", "Não é urgente.",
        "To nie jest pilne.", "Nic pilnego.",
    ])
    func negatedClaimsDoNotCount(body: String) {
        #expect(claim(body: body) == nil)
    }

    @Test(arguments: [
        "It is not working and I need it urgently.", "Login not working, urgent!", "Das Programm funktioniert nicht, dringend!",
    ])
    func aNegationOfSomethingElseDoesNotHideTheClaim(body: String) {
        #expect(claim(body: body) != nil)
    }

    // MARK: Timing words

    @Test(arguments: [
        "The app crashes immediately after I click Save.", "It closes immediately when I open a file.",
        "Immediately after the update, the profiler stopped working.", "It crashes immediately on startup.",
        "It crashes immediately.", "Please help. It crashes immediately.", "It crashes immediately, help!",
        "Right now I am using version 3.2, please help.", "Right now we need help with the installer.",
        "Das Programm stürzt sofort nach dem Start ab.", "L'application plante immédiatement après le démarrage.",
        "La aplicación se cierra inmediatamente al abrirla.", "Si chiude subito dopo l'avvio.",
        "Het programma crasht onmiddellijk.", "Program zamyka się natychmiast po uruchomieniu.",
    ])
    func timingWordsDescribingABugDoNotCount(body: String) {
        #expect(claim(body: body) == nil)
    }

    @Test(arguments: [
        "Please fix this immediately.", "I need an answer right now!", "Reply right away please.",
        "We need this fixed, immediately!", "Bitte sofort antworten.", "Merci de répondre immédiatement.",
        "Necesito una respuesta inmediatamente.", "Per favore rispondete subito.", "Graag onmiddellijk antwoorden.",
        "Preciso de uma resposta imediatamente.", "Proszę odpowiedzieć natychmiast.",
    ])
    func timingWordsDemandingAnAnswerCount(body: String) {
        #expect(claim(body: body) != nil)
    }

    // MARK: Quoted text

    @Test func aClaimInAQuotedReplyDoesNotCount() {
        let body = """
        Thanks, the new build works.

        On Mon, 3 Mar 2025 at 10:00, Ann <ann@example.com> wrote:
        > URGENT: please reply ASAP
        > The installer fails.
        """
        #expect(claim(body: body) == nil)
    }

    @Test func theSameClaimUnquotedCounts() {
        let body = """
        Thanks, but it still fails. URGENT: please reply ASAP

        On Mon, 3 Mar 2025 at 10:00, Support <support@example.com> wrote:
        > Please try the new build.
        """
        #expect(claim(body: body)?.evidence == ["body: \"URGENT: please reply ASAP\""])
    }

    @Test func greaterThanQuotesAndOutlookBlocksAreSkipped() {
        #expect(claim(body: "Here is the log.\n\n> This is urgent!\n> Please answer immediately.\n") == nil)
        let outlook = "Here is the log.\r\n\r\n-----Original Message-----\r\nFrom: Ann\r\nSent: Monday\r\nTo: Support\r\nSubject: URGENT\r\n\r\nPlease reply ASAP!\r\n"
        #expect(claim(body: outlook) == nil)
    }

    @Test func aClaimInTheSignatureDoesNotCount() {
        #expect(claim(body: "The log is attached.\n\n-- \nAnn\nFor emergencies call our hotline") == nil)
    }

    @Test func aReplySubjectStillCarriesTheClaim() {
        #expect(claim(subject: "Re: URGENT license", body: "> old text") != nil)
    }
}
