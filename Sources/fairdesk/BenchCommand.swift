import ArgumentParser
import FairdeskMail
import FairdeskServer
import Foundation
import Glibc

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Fairdesk's speed (build with -c release for real figures).",
        subcommands: [BenchParseCommand.self, BenchSeedCommand.self]
    )
}

/// `fairdesk bench parse`: parse throughput of FairdeskMail on a corpus of `.eml` files,
/// doing the work ingestion does: parse, decode every attachment and the text bodies.
/// Benchmarks/python_email_bench.py does the same work with Python's `email` package.
struct BenchParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Parse throughput (MB/s, messages/s) and peak memory on a corpus."
    )

    @ArgumentParser.Argument(help: "Files or folders of .eml files.")
    var paths: [String]

    @ArgumentParser.Option(name: .long, help: "Runs; the best is reported.")
    var runs = 3

    func run() throws {
        let files = try Self.collect(paths)
        guard !files.isEmpty else { throw ValidationError("no .eml files under \(paths.joined(separator: " "))") }
        let corpus = try files.map { Array(try Data(contentsOf: URL(fileURLWithPath: $0))) }
        let totalBytes = corpus.reduce(0) { $0 + $1.count }
        let rssBefore = Self.peakRSSBytes()

        var bestWall = Double.infinity
        var bestCPU = Double.infinity
        var checksum = 0
        for _ in 0..<max(1, runs) {
            let wallStart = Self.monotonicSeconds()
            let cpuStart = Self.cpuSeconds()
            for bytes in corpus {
                let message = Message.parse(bytes)
                checksum &+= message.fullText.utf8.count
                checksum &+= message.htmlBody?.utf8.count ?? 0
                for attachment in message.attachments { checksum &+= attachment.size }
            }
            bestWall = min(bestWall, Self.monotonicSeconds() - wallStart)
            bestCPU = min(bestCPU, Self.cpuSeconds() - cpuStart)
        }
        let megabytes = Double(totalBytes) / 1_000_000
        let result: [String: Any] = [
            "tool": "fairdesk",
            "messages": corpus.count,
            "bytes": totalBytes,
            "best_wall_s": bestWall,
            "best_cpu_s": bestCPU,
            "mb_per_s": megabytes / bestCPU,
            "messages_per_s": Double(corpus.count) / bestCPU,
            "peak_rss_mb": Double(Self.peakRSSBytes()) / 1_048_576,
            "corpus_rss_mb": Double(rssBefore) / 1_048_576,
        ]
        print(String(format: "fairdesk parse: %d messages, %.1f MB: %.1f MB/s, %.0f messages/s (CPU time, best of %d); peak RSS %.0f MB (%.0f MB before parsing, corpus in memory) [checksum %d]",
                     corpus.count, megabytes, megabytes / bestCPU, Double(corpus.count) / bestCPU, runs,
                     Double(Self.peakRSSBytes()) / 1_048_576, Double(rssBefore) / 1_048_576, checksum))
        let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }

    static func collect(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ValidationError("no such file or folder: \(path)")
            }
            if isDirectory.boolValue {
                let names = try FileManager.default.subpathsOfDirectory(atPath: path).filter { $0.hasSuffix(".eml") }.sorted()
                files += names.map { "\(path)/\($0)" }
            } else {
                files.append(path)
            }
        }
        return files
    }

    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func peakRSSBytes() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss * 1024
    }
}

/// `fairdesk bench seed`: a generated installation for the web benchmarks.
struct BenchSeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Fill the data directory with generated organizations, tickets and messages.",
        discussion: """
            For benchmarks only: adds TICKETS tickets with MESSAGES messages each (encrypted bodies, \
            raw messages, events and the search index), spread over ORGANIZATIONS organizations, to \
            the installation in --data-dir (or FAIRDESK_DATABASE_URL). Commits are not fsynced while \
            seeding. Reproducible with --seed.
            """
    )

    @ArgumentParser.Option(help: "Tickets to add") var tickets = 1_000_000
    @ArgumentParser.Option(name: .customLong("messages-per-ticket"), help: "Messages per ticket") var messagesPerTicket = 5
    @ArgumentParser.Option(help: "Organizations (each with its people and a pool of message bodies)") var organizations = 10_000
    @ArgumentParser.Option(help: "Random seed") var seed: UInt64 = 2026
    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let app = try await FairdeskApp.make(try options.resolve(), background: false)
        let started = Date()
        do {
            try await BenchSeed.run(app, options: .init(tickets: tickets, messagesPerTicket: messagesPerTicket,
                                                       organizations: organizations, seed: seed)) { progress in
                let seconds = Date().timeIntervalSince(started)
                FileHandle.standardError.write(Data("\(progress.tickets) tickets, \(progress.messages) messages, \(Int(seconds)) s\r".utf8))
            }
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
        print("\nseeded \(tickets) tickets with \(tickets * messagesPerTicket) messages in \(Int(Date().timeIntervalSince(started))) s")
    }
}
