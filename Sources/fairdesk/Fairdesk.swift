import ArgumentParser

@main
struct Fairdesk: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fairdesk",
        abstract: "Fairdesk, an email-first support desk.",
        subcommands: [MailCommand.self, BenchCommand.self]
    )
}
