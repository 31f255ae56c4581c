import Testing
@testable import FairdeskPolicy

@Suite struct PlansTests {
    // MARK: Plans

    @Test func freeIsEmailAndPortalOnly() {
        #expect(Plans.free.id == "free")
        #expect(Plans.free.channels == [.email, .portal])
        #expect(Plans.free.channels.allSatisfy { !$0.isRealTime })
    }

    @Test func aServiceAgreementIncludesEveryChannel() {
        #expect(Plans.serviceAgreement.id == "service_agreement")
        #expect(Plans.serviceAgreement.channels == Set(Channel.allCases))
    }

    @Test func allListsEachPlanOnce() {
        #expect(Plans.all.map(\.id) == ["free", "service_agreement"])
    }

    @Test func plansAreFoundByID() {
        #expect(Plans.plan(id: "service_agreement") == Plans.serviceAgreement)
        #expect(Plans.plan(id: "free") == Plans.free)
    }

    @Test(arguments: ["", "gold", "Service_Agreement", "service_agreement "])
    func unknownIDsFallBackToTheStrictestPlan(id: String) {
        #expect(Plans.plan(id: id) == Plans.free)
    }

    // MARK: Escalation

    @Test(arguments: Channel.allCases)
    func everyChannelOfThePlanIsAllowedWithoutReason(channel: Channel) {
        #expect(Escalation.decide(plan: Plans.serviceAgreement, channel: channel, reason: nil) == .allowed)
    }

    @Test func emailIsAlwaysAllowedOnFree() {
        #expect(Escalation.decide(plan: Plans.free, channel: .email, reason: nil) == .allowed)
        #expect(Escalation.decide(plan: Plans.free, channel: .portal, reason: "") == .allowed)
    }

    @Test(arguments: [nil, "", "   ", "\n\t "] as [String?])
    func aCallOnFreeNeedsAReason(reason: String?) {
        #expect(Escalation.decide(plan: Plans.free, channel: .phone, reason: reason) == .needsReason)
    }

    @Test func aReasonEscalatesTrimmed() {
        let decision = Escalation.decide(plan: Plans.free, channel: .remoteAccess,
                                         reason: "  Three rounds of logs could not show the driver conflict.\n")
        #expect(decision == .escalated(reason: "Three rounds of logs could not show the driver conflict."))
    }

    @Test func aLongReasonIsCutAtTwoThousandCharacters() {
        let decision = Escalation.decide(plan: Plans.free, channel: .videoCall, reason: String(repeating: "é", count: 2500))
        #expect(decision == .escalated(reason: String(repeating: "é", count: 2000)))
    }

    // MARK: Answering call demands

    private let phone = CallDemand(channels: [.phone], evidence: ["body: \"call me\""])

    @Test func aCallDemandOnFreeIsAnswered() {
        #expect(Escalation.shouldAnswer(phone, plan: Plans.free, alreadyAnswered: false))
    }

    @Test func aCallDemandOnAPlanWithCallsIsNotAnswered() {
        #expect(!Escalation.shouldAnswer(phone, plan: Plans.serviceAgreement, alreadyAnswered: false))
    }

    @Test func aCallDemandIsAnsweredOncePerTicket() {
        #expect(!Escalation.shouldAnswer(phone, plan: Plans.free, alreadyAnswered: true))
    }

    @Test func oneChannelOutsideThePlanIsEnough() {
        let phoneOnly = Plan(id: "per_minute", name: "Per minute", channels: [.email, .phone])
        let both = CallDemand(channels: [.phone, .remoteAccess], evidence: [])
        #expect(Escalation.shouldAnswer(both, plan: phoneOnly, alreadyAnswered: false))
        #expect(!Escalation.shouldAnswer(phone, plan: phoneOnly, alreadyAnswered: false))
    }
}
