import Testing
@testable import FairdeskPolicy

@Suite struct CallDemandTests {
    private func demand(subject: String = "Profiler question", body: String) -> CallDemand? {
        CallDemandDetector.detect(subject: subject, body: body)
    }

    // MARK: Phone

    @Test(arguments: [
        "Please call me at +1 555 010 0199.", "Can you give me a call tomorrow?", "Can we have a call?",
        "Can we have a phone call about this?", "Ring me when you can.", "Call us at +1 555 010 0199.",
        "Phone me, it is faster.", "Could we schedule a call this week?", "I would prefer a phone call.",
        "You can reach me at +1 555 010 0199.", "I am available on (555) 010-0199 all day.",
        "Rufen Sie mich an.", "Rufen Sie mich bitte an.", "Bitte um Rückruf.", "Können Sie mich anrufen?",
        "Appelez-moi au 01 23 45 67 89.", "Pouvez-vous me rappeler ?",
        "Llámeme, por favor.", "¿Podemos tener una llamada?", "Chiamatemi.", "Bel me even.", "Me ligue, por favor.",
    ])
    func phoneRequestsAreDemands(body: String) {
        #expect(demand(body: body)?.channels == [.phone])
    }

    @Test func theSubjectIsReadToo() {
        #expect(demand(subject: "Please call me", body: "The installer fails.")?.evidence == ["subject: \"Please call me\""])
    }

    @Test func evidenceQuotesTheRequest() {
        #expect(demand(body: "Hello,\n\nplease call me at +1 555 010 0199.\n\nAnn")?.evidence
            == ["body: \"please call me at +1 555 010 0199\""])
    }

    // MARK: Video and remote access

    @Test(arguments: [
        "Let's do a Teams meeting tomorrow.", "Can we talk on Zoom?", "I sent you a Zoom link.",
        "Join here: https://us02web.zoom.us/j/81234567890", "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc",
        "Join via Google Meet.", "meet.google.com/abc-defg-hij", "We could use Webex.", "Skype call at 3 pm?",
        "Could we do a video call?", "Can I share my screen with you?", "Can we screen share?",
        "Können wir eine Videokonferenz machen?", "On peut faire une visio ?", "¿Hacemos una videollamada?",
    ])
    func videoRequestsAreDemands(body: String) {
        #expect(demand(body: body)?.channels == [.videoCall])
    }

    @Test(arguments: [
        "My TeamViewer ID is 123 456 789.", "AnyDesk address: 123 456 789", "Could we do a remote session?",
        "Can you connect to my machine and look?", "Please connect via remote desktop.",
        "Could you remote into my PC?", "Wäre eine Fernwartung möglich?", "¿Puede usar acceso remoto?",
    ])
    func remoteRequestsAreDemands(body: String) {
        #expect(demand(body: body)?.channels == [.remoteAccess])
    }

    @Test func severalChannelsAreCollected() {
        let found = demand(body: "Please call me.\n\nOr we do a remote session, could you send a TeamViewer link?")
        #expect(found?.channels == [.phone, .remoteAccess])
        #expect(found?.evidence.count == 2)
    }

    @Test func meetingLinksAreQuotedWithoutTheirQuery() throws {
        let found = try #require(demand(body: "Join: <https://us02web.zoom.us/j/81234567890?pwd=SeCrEt>"))
        #expect(found.evidence == ["body: \"https://us02web.zoom.us/j/81234567890\""])
    }

    @Test func passwordsAreMaskedInEvidence() throws {
        let found = try #require(demand(body: "TeamViewer ID 123 456 789, password: hunter2"))
        #expect(found.evidence.count == 1)
        #expect(!found.evidence[0].contains("hunter2"))
        #expect(found.evidence[0].contains("password: •••"))
    }

    @Test func evidenceIsAtMostEightyCharacters() throws {
        let body = "After trying everything described in the documentation and the forum for two days we would really like to have a call with one of your engineers about the crash."
        let found = try #require(demand(body: body))
        for item in found.evidence { #expect(item.count <= "body: \"\"".count + 80) }
    }

    // MARK: Not demands

    @Test(arguments: [
        "Best regards,\nAnn Smith\nPhone: +1 555 010 0199\nMobile: +1 555 010 0198",
        "Thanks.\n\nAnn\nTel. +49 30 1234567",
        "The zoom level of the window resets after restart.",
        "Could you check why the zoom factor is wrong?",
        "Our app calls the API twice.", "I called the function with a null pointer.",
        "The agent cannot reach the remote server.",
        "It crashes in a remote desktop session, can you help?",
        "Could you check why the app freezes during screen sharing?",
        "Could you look at the call stack in the attached minidump?",
        "Can you explain why a call to CreateFile fails?",
        "Please don't call me, email is fine.", "No need to call us.",
        "I ran it 10000000 times, please contact me if you need more.",
        "Please contact me by email.",
        "Please contact me, the error appeared on 2024-03-05 at 10:00.",
        "Please contact me, the version is 10.0.19045.1234.",
        "Our customers use Microsoft Teams with our plugin.",
        "It looks like the phone call drops in our VoIP app.",
    ])
    func thingsThatAreNotDemands(body: String) {
        #expect(demand(body: body) == nil)
    }

    @Test func aQuotedDemandIsNotANewOne() {
        let body = """
        Here is the log you asked for.

        On Tue, 4 Mar 2025 at 09:00, Ann <ann@example.com> wrote:
        > Please call me at +1 555 010 0199.
        """
        #expect(demand(body: body) == nil)
    }

    @Test func aNumberInTheSignatureWithACallRequestInTheText() {
        let body = "Please give me a call.\n\nBest regards,\nAnn\nPhone: +1 555 010 0199"
        #expect(demand(body: body)?.evidence == ["body: \"Please give me a call\""])
    }
}
