import Testing
@testable import FairdeskPolicy

@Suite struct ChannelTests {
    @Test func onlyMailAndPortalAreAsynchronous() {
        #expect(Channel.allCases.filter { !$0.isRealTime } == [.email, .portal])
    }
}
