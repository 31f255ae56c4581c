import Vapor

/// The lists: the desk's queue and views, the portal's tickets, people, organizations,
/// mail that needs attention, API tokens.
enum ListPagesController {
    static func register(_ web: any RoutesBuilder) {}
}
