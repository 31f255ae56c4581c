import ArgumentParser

@main
struct Fairdesk: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fairdesk",
        abstract: "Fairdesk, an email-first support desk.",
        subcommands: [ServeCommand.self, MigrateCommand.self, UserCommand.self, TokenCommand.self, MailgateCommand.self, MailCommand.self, SearchCommand.self, BenchCommand.self]
    )
}
