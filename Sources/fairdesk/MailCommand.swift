import ArgumentParser

struct MailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail",
        abstract: "Inspect mail the way Fairdesk reads it.",
        subcommands: []
    )
}
