import Testing
@testable import FairdeskMail

@Test func limitsHaveDefaults() {
    #expect(MailLimits.default.maxNestingDepth > 0)
}
