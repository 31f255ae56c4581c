import ArgumentParser
import FairdeskServer
import Foundation

struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Maintain the search index.",
        subcommands: [Reindex.self]
    )

    /// `fairdesk search reindex`: fills the blind index from the stored, encrypted
    /// messages (mail stored before search existed), or with --all rebuilds it.
    struct Reindex: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reindex",
            abstract: "Index the messages that are not in the search index yet.",
            discussion: """
                Reads and decrypts every message that has no entry in the search index, and \
                indexes it. With --all, replaces every message's entry: after an organization \
                was renamed, or to redo the whole index. Safe to run again and while Fairdesk \
                is serving; running it twice changes nothing the second time.
                """
        )

        @ArgumentParser.Flag(name: .customLong("all"), help: "Re-index every message, not only those missing.")
        var everything = false
        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let app = try await FairdeskApp.make(try options.resolve(), background: false)
            let result: SearchReindex.Result
            do {
                result = try await SearchReindex.run(app, everything: everything) { progress in
                    FileHandle.standardError.write(Data("indexed \(progress.indexed) messages\r".utf8))
                }
            } catch {
                try? await app.asyncShutdown()
                throw error
            }
            try await app.asyncShutdown()
            if result.indexed > 0 { FileHandle.standardError.write(Data("\n".utf8)) }
            print("indexed \(result.indexed) messages" + (result.withoutBody > 0
                ? "; \(result.withoutBody) of them by subject, sender and organization only: their body could not be read (the organization's key was shredded, or the blob is missing or damaged)" : ""))
        }
    }
}
