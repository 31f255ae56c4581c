import Vapor

/// The ticket pages of the desk and the portal: timeline, reply, note, status, assignee,
/// downloads.
enum TicketPagesController {
    static func register(_ web: any RoutesBuilder) {}
}
