import Crypto
import Foundation
import Testing
@testable import FairdeskMail

/// Runs every `Fixtures/**/NAME.eml` against its `NAME.json` (format in Fixtures/README.md):
/// each key present in the JSON is an expectation about what the parser makes of the mail.
struct FixtureTests {
    static let root: URL = {
        guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            fatalError("Fixtures folder missing from the test bundle")
        }
        return url
    }()

    static let names: [String] = {
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        var names: [String] = []
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "eml" else { continue }
            let relative = url.path.replacingOccurrences(of: root.path + "/", with: "")
            names.append(String(relative.dropLast(4)))
        }
        return names.sorted()
    }()

    @Test func thereAreEnoughFixtures() {
        #expect(Self.names.count >= 150, "the suite promises at least 150 real-looking messages")
    }

    @Test(arguments: names)
    func fixture(_ name: String) throws {
        let eml = try Data(contentsOf: Self.root.appendingPathComponent(name + ".eml"))
        let expectedData = try Data(contentsOf: Self.root.appendingPathComponent(name + ".json"))
        let expected = try #require(try JSONSerialization.jsonObject(with: expectedData) as? [String: Any], "\(name).json is not an object")

        let message = Message.parse(Array(eml))
        let summary = MessageSummary(file: name, message: message, sha256: sha256Hex)
        let actualData = try JSONEncoder().encode(summary)
        var actual = try #require(try JSONSerialization.jsonObject(with: actualData) as? [String: Any])
        actual["reply_to"] = message.replyTo.map { ["name": $0.name as Any? ?? NSNull(), "address": $0.address] as [String: Any] }

        for (key, value) in expected.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "note":
                continue
            case "body_contains":
                for piece in value as? [String] ?? [] {
                    #expect(summary.body.contains(piece), "\(name): body lacks \(piece.debugDescription); body is \(summary.body.prefix(400).debugDescription)")
                }
            case "html_contains":
                for piece in value as? [String] ?? [] {
                    #expect(message.htmlBody?.contains(piece) == true, "\(name): HTML body lacks \(piece.debugDescription)")
                }
            case "attachment_count":
                #expect(summary.attachments.count == value as? Int, "\(name): \(summary.attachments.count) attachments, expected \(value)")
            case "has_defects":
                let wanted = value as? Bool ?? false
                #expect(message.defects.isEmpty != wanted, "\(name): defects \(message.defects.map(\.description)), expected has_defects=\(wanted)")
            case "auto_reply":
                #expect(message.isAutomatic == value as? Bool, "\(name): automatic=\(message.isAutomatic) \(message.automaticSignals)")
            case "urgent":
                #expect(message.isUrgentByHeaders == value as? Bool, "\(name): urgent=\(message.isUrgentByHeaders) \(message.urgencySignals)")
            case "quote_starts_with", "signature_starts_with":
                let kind: TextSegment.Kind = key == "quote_starts_with" ? .quote : .signature
                let lines = summary.body.split(separator: "\n", omittingEmptySubsequences: false)
                let segment = QuoteDetection.segments(of: summary.body).first { $0.kind == kind }
                let first = segment.map { String(lines[$0.lines.lowerBound]) }
                #expect(first == value as? String, "\(name): first \(kind) line is \(first.debugDescription)")
            default:
                guard let got = actual[key] else {
                    Issue.record("\(name): unknown expectation key '\(key)'")
                    continue
                }
                #expect(jsonEqual(got, value), "\(name): \(key) is \(render(got)), expected \(render(value))")
            }
        }
    }
}

func sha256Hex(_ bytes: [UInt8]) -> String {
    SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
}

/// Structural equality of two JSONSerialization values.
func jsonEqual(_ a: Any, _ b: Any) -> Bool {
    switch (a, b) {
    case (is NSNull, is NSNull):
        return true
    case (let x as [String: Any], let y as [String: Any]):
        return x.count == y.count && x.allSatisfy { key, value in y[key].map { jsonEqual(value, $0) } ?? false }
    case (let x as [Any], let y as [Any]):
        return x.count == y.count && zip(x, y).allSatisfy { jsonEqual($0, $1) }
    case (let x as String, let y as String):
        return x == y
    case (let x as NSNumber, let y as NSNumber):
        return x == y
    default:
        return false
    }
}

func render(_ value: Any) -> String {
    guard JSONSerialization.isValidJSONObject([value]),
          let data = try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys, .withoutEscapingSlashes]) else {
        return "\(value)"
    }
    return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast().prefix(600))
}
