import ArgumentParser
import FairdeskServer
import Foundation

struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Maintain the search index.",
        subcommands: [Reindex.self, Optimize.self]
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

    /// `fairdesk search optimize`: merges the index after a bulk load.
    struct Optimize: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "optimize",
            abstract: "Merge the search index into one part (after an import or a bulk load).",
            discussion: """
                SQLite's full-text index grows in segments, which every search walks; merging \
                them makes searches faster after many messages arrived at once. It rewrites \
                the index (minutes at millions of messages) in one transaction; mail arriving \
                meanwhile waits. On PostgreSQL it refreshes the planner's statistics.
                """
        )
        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let app = try await FairdeskApp.make(try options.resolve(), background: false)
            do {
                try await SearchReindex.optimize(app)
            } catch {
                try? await app.asyncShutdown()
                throw error
            }
            try await app.asyncShutdown()
            print("search index optimized")
        }
    }
}
