/// The stages of a long investigation (seed 003: "reproduce, investigate, fix and test").
/// A ticket under investigation leaves the queue head and shows on its own board, and the
/// customer sees which stage it is in (DESIGN.md §2).
public enum InvestigationStage: String, Sendable, CaseIterable, Codable {
    case reproduce, investigate, fix, test

    /// For agents' boards.
    public var title: String {
        switch self {
        case .reproduce: "Reproducing"
        case .investigate: "Investigating"
        case .fix: "Fixing"
        case .test: "Testing"
        }
    }

    /// One kind sentence for the customer portal.
    public var customerDescription: String {
        switch self {
        case .reproduce: "We are reproducing the problem you reported."
        case .investigate: "We can see the problem and are investigating its cause."
        case .fix: "We have found the cause and are working on a fix."
        case .test: "We are testing the fix before we send it to you."
        }
    }
}
