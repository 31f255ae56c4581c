import Fluent

/// Every migration, in order. A migration that has landed is never edited: add a new one.
enum Migrations {
    static let all: [any Migration] = [
        M001CreateOrganizations(),
        M002CreatePeople(),
        M003CreateTickets(),
        M004CreateTicketMessages(),
        M005CreateTicketEvents(),
        M006CreateInboundMail(),
        M007CreateOutbox(),
        M008CreateAPITokens(),
        M009CreateDataKeys(),
        M010CreateCounters(),
        M011CreateBlobs(),
        M012CreateWebSessions(),
        M013CreateSignInTokens(),
        M014CreateAuditEvents(),
        M015CreateSearchIndex(),
        M018AddListIndexes(),
        M019AddSupportPolicy(),
        M020AddPersonAddressIndex(),
    ]
}
