import Testing
@testable import FairdeskPolicy

@Suite struct PolicyTemplatesTests {
    // MARK: The catalog

    @Test func templatesHaveTheirKeysAndPlaceholders() {
        #expect(PolicyTemplates.all.map(\.key) == ["urgency_explanation", "call_demand_answer", "info_request", "info_reminder"])
        #expect(PolicyTemplates.urgencyExplanation.placeholders == ["name", "number", "position", "estimate"])
        #expect(PolicyTemplates.callDemandAnswer.placeholders == ["name", "number", "estimate"])
        #expect(PolicyTemplates.infoRequest.placeholders == ["name", "number", "items", "portal_link"])
        #expect(PolicyTemplates.infoReminder.placeholders == ["name", "number", "items", "portal_link", "asked_on"])
    }

    @Test func templatesAreFoundByKey() {
        for template in PolicyTemplates.all {
            #expect(PolicyTemplates.named(template.key) == template)
        }
        #expect(PolicyTemplates.named("nope") == nil)
    }

    @Test(arguments: PolicyTemplates.all)
    func defaultTextsUseOnlyTheirOwnPlaceholders(template: PolicyTemplate) {
        #expect(PolicyTemplates.unknownPlaceholders(in: template.body, for: template).isEmpty)
        #expect(PolicyTemplates.unknownPlaceholders(in: template.subject, for: template).isEmpty)
        #expect(template.body.contains("{{name}}") && template.body.contains("{{number}}"))
    }

    @Test(arguments: PolicyTemplates.all)
    func subjectsAreShortAndCarryNoNumber(template: PolicyTemplate) {
        #expect(template.subject.count <= 40)
        #expect(!template.subject.contains("#") && !template.subject.contains("{{"))
        #expect(!template.title.isEmpty)
    }

    @Test func theUrgencyAnswerExplainsTheQueue() {
        let body = PolicyTemplates.urgencyExplanation.body
        #expect(body.contains("{{estimate}}"))
        #expect(body.contains("first come, first served"))
        #expect(body.contains("If we put you ahead of the queue, we would put someone else behind it"))
        #expect(PolicyTemplates.urgencyExplanation.subject == "About the order we answer in")
    }

    @Test func theCallAnswerExplainsEmailFirst() {
        let body = PolicyTemplates.callDemandAnswer.body
        #expect(body.contains("{{estimate}}"))
        #expect(body.contains("attach"))
        #expect(body.contains("written down"))
        #expect(body.contains("at the same moment"))
        #expect(body.contains("email is not working"))
    }

    @Test func informationRequestsCarryTheItemsAndThePortal() {
        for template in [PolicyTemplates.infoRequest, PolicyTemplates.infoReminder] {
            #expect(template.body.contains("{{items}}") && template.body.contains("{{portal_link}}"))
        }
        #expect(PolicyTemplates.infoReminder.body.contains("{{asked_on}}"))
    }

    // MARK: Rendering

    @Test func placeholdersAreReplaced() {
        let text = PolicyTemplates.render("Hello {{name}}, request #{{number}}.", values: ["name": "Ann", "number": "42"])
        #expect(text == "Hello Ann, request #42.")
    }

    @Test func unknownPlaceholdersAreLeftAsWritten() {
        #expect(PolicyTemplates.render("Hi {{nmae}} {{name}}", values: ["name": "Ann"]) == "Hi {{nmae}} Ann")
    }

    @Test func spacesInsideBracesAreAllowed() {
        #expect(PolicyTemplates.render("Hi {{ name }}!", values: ["name": "Ann"]) == "Hi Ann!")
    }

    @Test func valuesAreNotExpandedAgain() {
        #expect(PolicyTemplates.render("{{name}} / {{number}}", values: ["name": "{{number}}", "number": "7"]) == "{{number}} / 7")
    }

    @Test func bracesThatAreNoPlaceholderStayText() {
        let text = "JSON {\"a\": {{1, 2}}} and {{ }} and {{open"
        #expect(PolicyTemplates.render(text, values: ["name": "Ann"]) == text)
        #expect(PolicyTemplates.render("{{{name}}}", values: ["name": "Ann"]) == "{Ann}")
    }

    @Test func aPlaceholderMayRepeat() {
        #expect(PolicyTemplates.render("{{name}}, {{name}}", values: ["name": "Ann"]) == "Ann, Ann")
    }

    @Test func unknownPlaceholdersAreReportedOnceInOrder() {
        let text = "{{name}} {{ticket}} {{asked_on}} {{ticket}} {{Name}}"
        #expect(PolicyTemplates.unknownPlaceholders(in: text, for: PolicyTemplates.infoRequest) == ["ticket", "asked_on", "Name"])
        #expect(PolicyTemplates.unknownPlaceholders(in: text, for: PolicyTemplates.infoReminder) == ["ticket", "Name"])
    }

    @Test func aRenderedDefaultLeavesNoPlaceholderBehind() {
        let template = PolicyTemplates.infoReminder
        let values = ["name": "Ann", "number": "42", "items": "1. Minidump", "portal_link": "https://desk.example/t/42",
                      "asked_on": "3 March 2025"]
        #expect(!PolicyTemplates.render(template.body, values: values).contains("{{"))
    }

    // MARK: Investigation stages (their portal sentences are texts the policy shows too)

    @Test func investigationStagesRunInOrder() {
        #expect(InvestigationStage.allCases == [.reproduce, .investigate, .fix, .test])
        #expect(InvestigationStage.allCases.map(\.title) == ["Reproducing", "Investigating", "Fixing", "Testing"])
        #expect(InvestigationStage(rawValue: "investigate") == .investigate)
    }

    @Test(arguments: InvestigationStage.allCases)
    func everyStageHasOneSentenceForTheCustomer(stage: InvestigationStage) {
        let sentence = stage.customerDescription
        #expect(sentence.hasPrefix("We "))
        #expect(sentence.hasSuffix("."))
        #expect(sentence.filter { $0 == "." }.count == 1)
    }
}
