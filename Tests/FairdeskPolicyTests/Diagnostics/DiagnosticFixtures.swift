import Foundation
@testable import FairdeskPolicy

/// The diagnostic fixture corpus: `Fixtures/Diagnostics/manifest.json` lists each case
/// with its message texts, its attachments (files next to the manifest, or binaries made
/// by `BinaryFixtures` at test time) and the item keys a person would say it provides.
enum DiagnosticFixtures {
    struct Manifest: Decodable {
        var cases: [Case]
    }

    struct Case: Decodable {
        var name: String
        var texts: [TextEntry]
        var files: [FileEntry]
        var expect: [String]
        var note: String?

        var expected: Set<DiagnosticItemKey> { Set(expect.map(DiagnosticItemKey.init(rawValue:))) }
    }

    struct TextEntry: Decodable {
        var path: String?
        var generate: String?
    }

    struct FileEntry: Decodable {
        var filename: String
        var path: String?
        var generate: String?
        /// "utf-16le": the text file is attached as UTF-16 with a byte order mark, the
        /// way PowerShell 5 writes `set > env.txt`.
        var encoding: String?
    }

    /// The server passes at most this much of each attachment.
    static let headLimit = 256 * 1024

    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures/Diagnostics")

    static func manifest() throws -> Manifest {
        let data = try Data(contentsOf: directory.appendingPathComponent("manifest.json"))
        return try JSONDecoder().decode(Manifest.self, from: data)
    }

    static func input(for c: Case) throws -> DiagnosticInput {
        var texts: [DiagnosticInput.Text] = []
        for (i, entry) in c.texts.enumerated() {
            let body: String
            if let path = entry.path {
                body = try String(contentsOf: directory.appendingPathComponent(path), encoding: .utf8)
            } else if entry.generate == "catalog-request" {
                body = quotedCatalogRequest()
            } else {
                throw FixtureError.unknown("text of \(c.name)")
            }
            texts.append(.init(label: "message \(i + 1)", body: body))
        }
        var files: [DiagnosticInput.File] = []
        for entry in c.files {
            var bytes: [UInt8]
            if let path = entry.path {
                bytes = Array(try Data(contentsOf: directory.appendingPathComponent(path)))
            } else if let name = entry.generate, let generated = BinaryFixtures.make(name) {
                bytes = generated
            } else {
                throw FixtureError.unknown("file \(entry.filename) of \(c.name)")
            }
            if entry.encoding == "utf-16le" {
                let text = String(decoding: bytes, as: UTF8.self)
                bytes = [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
            }
            files.append(.init(label: "attachment \"\(entry.filename)\"", filename: entry.filename, contentType: nil,
                               size: bytes.count, head: Array(bytes.prefix(headLimit))))
        }
        return DiagnosticInput(texts: texts, files: files)
    }

    /// A customer's reply that quotes the agent's request for every catalog item: quoting
    /// a request must not count as providing what it asks for.
    static func quotedCatalogRequest() -> String {
        var request = "Hello,\n\nto look into this we need the following from you:\n\n"
        for item in DiagnosticCatalog.seed {
            request += "\(item.title)\n\(item.customerText)\n\n"
        }
        request += "Kind regards\nYour support team\n"
        let quoted = request.split(separator: "\n", omittingEmptySubsequences: false).map { "> \($0)" }
        return "Thanks, I will collect all of this tomorrow.\n\nOn Tue, support wrote:\n" + quoted.joined(separator: "\n")
    }

    enum FixtureError: Error {
        case unknown(String)
    }
}
