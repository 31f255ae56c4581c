import Foundation
import Testing
@testable import FairdeskMail

/// A deterministic mutation fuzzer over the fixtures: every mutant must parse without a
/// crash or hang, deterministically, and with decoded attachments bounded by the input.
/// (The coverage-guided libFuzzer target in Fuzz/ goes further; .ci/run runs it.)
struct FuzzSmokeTests {
    static let seeds: [[UInt8]] = {
        FixtureTests.names.prefix(400).compactMap { name in
            (try? Data(contentsOf: FixtureTests.root.appendingPathComponent(name + ".eml"))).map(Array.init)
        }.filter { $0.count < 200_000 } + [BuilderTests.sample().render()]
    }()

    static let tokens: [[UInt8]] = [
        "\r\n", "\n", "--", "=?", "?=", "=?utf-8?b?", "=?iso-2022-jp?q?", "Content-Type: multipart/mixed; boundary=x\r\n",
        "\r\n--x\r\n", "\r\n--x--\r\n", ";", "\"", "<", ">", "(", ")", "\\", "=", "=\r\n", ":", "\u{1B}$B", "begin 644 a\r\n",
        "name*0*=utf-8''%E2", "Content-Transfer-Encoding: base64\r\n", "message/rfc822", "\0", "\u{FF}",
    ].map { Array($0.utf8) }

    @Test func mutantsParseSafely() {
        var rng = SplitMix64(seed: 0xFD)
        var checked = 0
        for round in 0..<1500 {
            guard var bytes = Self.seeds.randomElement(using: &rng) else { break }
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                mutate(&bytes, &rng)
            }
            let first = Message.parse(bytes)
            let second = Message.parse(bytes)
            #expect(MessageSummary(file: "", message: first, sha256: { "\($0.count)" }) ==
                    MessageSummary(file: "", message: second, sha256: { "\($0.count)" }), "round \(round): parsing is deterministic")
            let decoded = first.attachments.reduce(0) { $0 + $1.size }
            #expect(decoded <= bytes.count, "round \(round): decoded attachments (\(decoded)) cannot outgrow the message (\(bytes.count))")
            for attachment in first.attachments where attachment.contentType == "message/rfc822" {
                _ = attachment.embeddedMessage()
            }
            _ = QuoteDetection.segments(of: first.fullText)
            checked += 1
        }
        #expect(checked == 1500)
    }

    private func mutate(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
        let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
        switch Int.random(in: 0..<6, using: &rng) {
        case 0 where !bytes.isEmpty:
            bytes[position] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
        case 1:
            bytes.insert(contentsOf: Self.tokens.randomElement(using: &rng) ?? [], at: position)
        case 2 where !bytes.isEmpty:
            bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...64, using: &rng)))
        case 3:
            bytes.removeLast(bytes.count - position)
        case 4 where !bytes.isEmpty:
            let end = min(bytes.count, position + Int.random(in: 1...256, using: &rng))
            bytes.insert(contentsOf: bytes[position..<end], at: Int.random(in: 0...bytes.count, using: &rng))
        default:
            bytes.insert(UInt8.random(in: 0...255, using: &rng), at: position)
        }
    }
}
