import Testing

@testable import FairdeskTransport

@Suite("SMTPClientError")
struct SMTPClientErrorTests {
    @Test(arguments: [
        (SMTPClientError.invalidURL("x"), true),
        (.connectionFailed("refused"), false),
        (.timeout("slow"), false),
        (.tlsUnavailable, false),
        (.authenticationFailed(code: 535, text: "bad credentials"), true),
        (.authenticationFailed(code: 454, text: "try later"), false),
        (.authenticationFailed(code: 0, text: "refused locally"), false),
        (.rejected(code: 550, enhanced: "5.1.1", text: "unknown", permanent: true), true),
        (.rejected(code: 451, enhanced: "4.3.0", text: "later", permanent: false), false),
    ])
    func permanence(error: SMTPClientError, permanent: Bool) {
        #expect(error.isPermanent == permanent)
    }

    @Test func descriptionsCarryTheServerReply() {
        let error = SMTPClientError.rejected(code: 550, enhanced: "5.1.1", text: "User unknown", permanent: true)

        #expect(error.description == "SMTP server permanently rejected the message: 550 5.1.1 User unknown")
    }
}
