import Foundation
import Testing
@testable import FairdeskPolicy

/// The precision/recall check over the fixture corpus (issue requirement: ≥ 95% of both,
/// micro-averaged over all item keys).
@Suite struct DiagnosticCorpusTests {
    struct Counts {
        var tp = 0
        var fp = 0
        var fn = 0
        var precision: Double { tp + fp == 0 ? 1 : Double(tp) / Double(tp + fp) }
        var recall: Double { tp + fn == 0 ? 1 : Double(tp) / Double(tp + fn) }
    }

    @Test func precisionAndRecallAreAtLeast95Percent() throws {
        let manifest = try DiagnosticFixtures.manifest()
        let detector = DiagnosticDetector()
        var counts: [DiagnosticItemKey: Counts] = [:]
        var mismatches: [String] = []
        for c in manifest.cases {
            let detections = detector.detect(try DiagnosticFixtures.input(for: c))
            let provided = DiagnosticDetector.providedItems(detections)
            let expected = c.expected
            for key in provided.union(expected) {
                switch (provided.contains(key), expected.contains(key)) {
                case (true, true): counts[key, default: Counts()].tp += 1
                case (true, false): counts[key, default: Counts()].fp += 1
                case (false, true): counts[key, default: Counts()].fn += 1
                case (false, false): break
                }
            }
            if provided != expected || ProcessInfo.processInfo.environment["DIAGNOSTICS_DUMP"] != nil {
                let extra = provided.subtracting(expected).sorted().map(\.rawValue)
                let missing = expected.subtracting(provided).sorted().map(\.rawValue)
                let lines = detections.map { "    \($0.item) | \($0.what) | \($0.value ?? "-") | \($0.evidence)" }
                mismatches.append("\(c.name): extra \(extra), missing \(missing)\n" + lines.joined(separator: "\n"))
            }
        }

        var total = Counts()
        var table = "item               tp   fp   fn  precision  recall\n"
        for key in DiagnosticItemKey.seeded {
            let k = counts[key] ?? Counts()
            total.tp += k.tp
            total.fp += k.fp
            total.fn += k.fn
            table += row(key.rawValue, k)
        }
        table += row("TOTAL (micro)", total)
        print("Diagnostic corpus: \(manifest.cases.count) cases\n" + table)
        if !mismatches.isEmpty { print("Mismatches:\n" + mismatches.joined(separator: "\n")) }

        #expect(manifest.cases.count >= 60)
        #expect(total.precision >= 0.95)
        #expect(total.recall >= 0.95)
        for key in DiagnosticItemKey.seeded {
            let positives = manifest.cases.filter { $0.expected.contains(key) }.count
            #expect(positives >= 3, "only \(positives) positive cases for \(key)")
        }
    }

    private func row(_ name: String, _ k: Counts) -> String {
        let padded = name.padding(toLength: 17, withPad: " ", startingAt: 0)
        return padded + String(format: "%5d%5d%5d%11.3f%8.3f\n", k.tp, k.fp, k.fn, k.precision, k.recall)
    }

    @Test func everyFixtureFileIsListedInTheManifest() throws {
        let manifest = try DiagnosticFixtures.manifest()
        let listed = Set(manifest.cases.flatMap { c in c.texts.compactMap(\.path) + c.files.compactMap(\.path) })
        let root = DiagnosticFixtures.directory
        var onDisk: Set<String> = []
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true,
                url.lastPathComponent != "manifest.json", !url.lastPathComponent.hasPrefix(".")
            else { continue }
            onDisk.insert(String(url.path.dropFirst(root.path.count + 1)))
        }
        #expect(onDisk == listed)
        #expect(Set(manifest.cases.map(\.name)).count == manifest.cases.count)
    }
}
