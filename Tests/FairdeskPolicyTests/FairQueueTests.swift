import Foundation
import Testing
@testable import FairdeskPolicy

@Suite struct FairQueueTests {
    private let now = Date(timeIntervalSince1970: 1_741_600_000) // 2025-03-10 09:46:40 UTC
    private let me = UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!
    private let colleague = UUID(uuidString: "00000000-0000-0000-0000-00000000000B")!
    private let queue = FairQueue()

    private func ticket(_ number: Int, waitedMinutes: Double, heldBy: UUID? = nil, heldMinutesAgo: Double? = nil) -> QueuedTicket {
        QueuedTicket(
            id: UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", number))!,
            number: number,
            waitingSince: now.addingTimeInterval(-waitedMinutes * 60),
            heldBy: heldBy,
            heldAt: heldMinutesAgo.map { now.addingTimeInterval(-$0 * 60) }
        )
    }

    // MARK: Holds

    @Test func theDefaultHoldIsHalfAnHour() {
        #expect(FairQueue().holdTimeout == 1800)
    }

    @Test func aFreshHoldByAColleagueCounts() {
        #expect(queue.isHeld(ticket(1, waitedMinutes: 60, heldBy: colleague, heldMinutesAgo: 5), byOtherThan: me, now: now))
    }

    @Test func myOwnHoldIsNotHeldAgainstMe() {
        #expect(!queue.isHeld(ticket(1, waitedMinutes: 60, heldBy: me, heldMinutesAgo: 5), byOtherThan: me, now: now))
    }

    @Test func aHoldOlderThanTheTimeoutIsFree() {
        #expect(!queue.isHeld(ticket(1, waitedMinutes: 60, heldBy: colleague, heldMinutesAgo: 31), byOtherThan: me, now: now))
    }

    @Test func aHoldExactlyAsOldAsTheTimeoutStillCounts() {
        #expect(queue.isHeld(ticket(1, waitedMinutes: 60, heldBy: colleague, heldMinutesAgo: 30), byOtherThan: me, now: now))
    }

    @Test func aHoldWithoutATimeIsNotTrusted() {
        #expect(!queue.isHeld(ticket(1, waitedMinutes: 60, heldBy: colleague), byOtherThan: me, now: now))
    }

    @Test func aHoldFromAClockAheadOfOursCounts() {
        #expect(queue.isHeld(ticket(1, waitedMinutes: 60, heldBy: colleague, heldMinutesAgo: -2), byOtherThan: me, now: now))
    }

    @Test func theTimeoutIsConfigurable() {
        let strict = FairQueue(holdTimeout: 300)
        #expect(!strict.isHeld(ticket(1, waitedMinutes: 60, heldBy: colleague, heldMinutesAgo: 6), byOtherThan: me, now: now))
    }

    // MARK: Next

    @Test func nextIsTheOldestWaitingTicket() {
        let tickets = [ticket(3, waitedMinutes: 10), ticket(1, waitedMinutes: 90), ticket(2, waitedMinutes: 45)]
        #expect(queue.next(in: tickets, for: me, now: now)?.number == 1)
    }

    @Test func theLowerNumberBreaksATie() {
        let tickets = [ticket(8, waitedMinutes: 30), ticket(7, waitedMinutes: 30), ticket(9, waitedMinutes: 30)]
        #expect(queue.next(in: tickets, for: me, now: now)?.number == 7)
    }

    @Test func aTicketHeldByAColleagueIsSkipped() {
        let tickets = [ticket(1, waitedMinutes: 90, heldBy: colleague, heldMinutesAgo: 10), ticket(2, waitedMinutes: 45)]
        #expect(queue.next(in: tickets, for: me, now: now)?.number == 2)
    }

    @Test func aTicketWithAnExpiredHoldIsNextAgain() {
        let tickets = [ticket(1, waitedMinutes: 90, heldBy: colleague, heldMinutesAgo: 45), ticket(2, waitedMinutes: 45)]
        #expect(queue.next(in: tickets, for: me, now: now)?.number == 1)
    }

    @Test func myOwnHoldIsMine() {
        let tickets = [ticket(1, waitedMinutes: 90, heldBy: me, heldMinutesAgo: 10), ticket(2, waitedMinutes: 45)]
        #expect(queue.next(in: tickets, for: me, now: now)?.number == 1)
        #expect(queue.next(in: tickets, for: colleague, now: now)?.number == 2)
    }

    @Test func nothingIsNextInAnEmptyOrFullyHeldQueue() {
        #expect(queue.next(in: [], for: me, now: now) == nil)
        #expect(queue.next(in: [ticket(1, waitedMinutes: 5, heldBy: colleague, heldMinutesAgo: 1)], for: me, now: now) == nil)
    }

    // MARK: Out of order

    @Test func answeringTheNextTicketIsInOrder() {
        let tickets = [ticket(1, waitedMinutes: 90), ticket(2, waitedMinutes: 45)]
        #expect(!queue.isOutOfOrder(tickets[0], in: tickets, agent: me, now: now))
    }

    @Test func answeringAYoungerTicketIsOutOfOrder() {
        let tickets = [ticket(1, waitedMinutes: 90), ticket(2, waitedMinutes: 45)]
        #expect(queue.isOutOfOrder(tickets[1], in: tickets, agent: me, now: now))
    }

    @Test func skippingAColleaguesTicketIsNotOutOfOrder() {
        let tickets = [ticket(1, waitedMinutes: 90, heldBy: colleague, heldMinutesAgo: 10), ticket(2, waitedMinutes: 45)]
        #expect(!queue.isOutOfOrder(tickets[1], in: tickets, agent: me, now: now))
    }

    @Test func withNothingNextNoPickIsOutOfOrder() {
        let held = ticket(1, waitedMinutes: 90, heldBy: colleague, heldMinutesAgo: 10)
        #expect(!queue.isOutOfOrder(held, in: [held], agent: me, now: now))
    }

    // MARK: Position

    @Test func positionCountsHeldTicketsToo() {
        let tickets = [
            ticket(4, waitedMinutes: 5),
            ticket(1, waitedMinutes: 90, heldBy: colleague, heldMinutesAgo: 10),
            ticket(2, waitedMinutes: 45),
            ticket(3, waitedMinutes: 45),
        ]
        #expect(tickets.map { queue.position(of: $0, in: tickets) } == [4, 1, 2, 3])
    }

    @Test func aTicketNotInTheQueueHasNoPosition() {
        #expect(queue.position(of: ticket(9, waitedMinutes: 1), in: [ticket(1, waitedMinutes: 2)]) == nil)
    }

    // MARK: Customer replies

    @Test func aReplyToATicketWaitingOnTheCustomerJoinsTheLineNow() {
        let replyAt = now
        let waiting = FairQueue.waitingSince(current: now.addingTimeInterval(-86400), isWaitingOnSupport: false, replyAt: replyAt)
        #expect(waiting == replyAt)
    }

    @Test func aReplyToATicketAlreadyWaitingKeepsItsPlace() {
        let since = now.addingTimeInterval(-3 * 3600)
        #expect(FairQueue.waitingSince(current: since, isWaitingOnSupport: true, replyAt: now) == since)
    }

    @Test func aReplyWhileAnAgentHoldsTheTicketLeavesWaitingSinceAlone() {
        var held = ticket(1, waitedMinutes: 120, heldBy: colleague, heldMinutesAgo: 3)
        held.waitingSince = FairQueue.waitingSince(current: held.waitingSince, isWaitingOnSupport: true, replyAt: now)
        #expect(held.waitingSince == now.addingTimeInterval(-120 * 60))
        #expect(queue.position(of: held, in: [held, ticket(2, waitedMinutes: 60)]) == 1)
    }

    @Test func aTicketWithoutAWaitStartsNow() {
        #expect(FairQueue.waitingSince(current: nil, isWaitingOnSupport: true, replyAt: now) == now)
    }

    // MARK: Reasons

    @Test(arguments: [
        ("quick_answer", OutOfOrderReason.quickAnswer),
        ("related", .relatedToCurrent),
        ("same_customer", .sameCustomer),
    ])
    func fixedReasonsComeFromTheirCodes(code: String, reason: OutOfOrderReason) {
        #expect(OutOfOrderReason(code: code, text: nil) == reason)
        #expect(OutOfOrderReason(code: code, text: "ignored") == reason)
        #expect(reason.code == code)
    }

    @Test func otherNeedsText() {
        #expect(OutOfOrderReason(code: "other", text: nil) == nil)
        #expect(OutOfOrderReason(code: "other", text: "   \n") == nil)
        #expect(OutOfOrderReason(code: "other", text: "  customer on site today ") == .other("customer on site today"))
        #expect(OutOfOrderReason.other("x").code == "other")
    }

    @Test func otherTextIsCutAtFiveHundredCharacters() {
        #expect(OutOfOrderReason(code: "other", text: String(repeating: "a", count: 600)) == .other(String(repeating: "a", count: 500)))
    }

    @Test(arguments: [nil, "", "urgent", "Quick_Answer", "vip"] as [String?])
    func unknownCodesAreNoReason(code: String?) {
        #expect(OutOfOrderReason(code: code, text: "because") == nil)
    }

    @Test func reasonsReadWellForPeople() {
        #expect(OutOfOrderReason.quickAnswer.description == "quick answer")
        #expect(OutOfOrderReason.relatedToCurrent.description == "related to the ticket in hand")
        #expect(OutOfOrderReason.sameCustomer.description == "same customer")
        #expect(OutOfOrderReason.other("waiting for a build").description == "waiting for a build")
    }

    @Test func everyChoiceIsAValidCode() {
        #expect(OutOfOrderReason.choices.map(\.code) == ["quick_answer", "related", "same_customer", "other"])
        for choice in OutOfOrderReason.choices {
            #expect(OutOfOrderReason(code: choice.code, text: "why")?.code == choice.code)
        }
    }
}
