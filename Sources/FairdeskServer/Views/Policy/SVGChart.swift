import Foundation

/// A small chart drawn on the server as inline SVG: no script, nothing to download, and
/// readable by screen readers (`role="img"`, a `<title>`, and a `<title>` on every bar and
/// point). Series in, markup out; `render()` is pure.
///
/// The page's CSP forbids `style` attributes, in SVG too, so everything is drawn with
/// presentation attributes (`fill`, `stroke`, …) and classes that `desk.css` styles.
struct SVGChart: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// One bar per category (side by side when there are several series).
        case bars
        /// One line per series; a nil value leaves a gap.
        case lines
    }

    /// How values read on the axis and in tooltips.
    enum Format: Sendable, Equatable {
        case count
        /// Values in hours.
        case hours
        /// Values as fractions (0.25 reads "25%").
        case percent
    }

    struct Series: Sendable, Equatable {
        var name: String
        /// One per category; nil is "no value" (no bar, a gap in a line).
        var values: [Double?]
    }

    var title: String
    var kind: Kind
    var format: Format
    /// The categories along the x axis, oldest first.
    var labels: [String]
    var series: [Series]
    /// A fixed top of the y axis (e.g. 1 for shares); otherwise a round number above the
    /// largest value.
    var fixedTop: Double?

    var width: Double = 640
    var height: Double = 220

    /// The plot area inside the margins (room for tick labels on the left, category labels
    /// below, the legend above).
    static let margin = (top: 24.0, right: 12.0, bottom: 32.0, left: 52.0)
    /// How many gridlines, about (the step is rounded to 1, 2, 2.5 or 5 × 10ⁿ).
    static let gridlines = 4
    /// At most this many category labels; others are skipped evenly so they never overlap.
    static let maxLabels = 10
    /// Colors by series (also set as classes `chart-series-N` for the stylesheet).
    static let palette = ["#1f5fa8", "#c2571a", "#216e39", "#7a4fa3"]

    var plotWidth: Double { width - Self.margin.left - Self.margin.right }
    var plotHeight: Double { height - Self.margin.top - Self.margin.bottom }

    /// The y axis: its top value and the gridline step.
    var scale: (top: Double, step: Double) {
        let largest = series.flatMap(\.values).compactMap { $0 }.filter(\.isFinite).max() ?? 0
        if let fixedTop, fixedTop > 0 {
            return (fixedTop, fixedTop / Double(Self.gridlines))
        }
        // Waits under an hour are scaled (and labelled) in whole minutes: "0.004 h" helps nobody.
        if format == .hours, largest < 1 {
            let minutes = Self.niceScale(largest: max(largest * 60, 1), integers: true)
            return (minutes.top / 60, minutes.step / 60)
        }
        return Self.niceScale(largest: largest, integers: format == .count)
    }

    /// A round step (1, 2, 2.5 or 5 × 10ⁿ) giving about `gridlines` lines up to `largest`.
    static func niceScale(largest: Double, integers: Bool) -> (top: Double, step: Double) {
        guard largest > 0, largest.isFinite else { return (Double(gridlines), 1) }
        let raw = largest / Double(gridlines)
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let residual = raw / magnitude
        let nice: Double = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 2.5 ? 2.5 : residual <= 5 ? 5 : 10
        var step = nice * magnitude
        if integers { step = max(1, step.rounded(.up)) }
        // Less a hair, so 0.3 / 0.1 = 3.0000000000000004 does not add a gridline.
        let top = (largest / step - 1e-9).rounded(.up) * step
        return (top, step)
    }

    /// The y coordinate of `value` (values above the top are drawn at the top).
    func y(_ value: Double) -> Double {
        let top = scale.top
        let fraction = top > 0 ? min(max(value, 0), top) / top : 0
        return Self.margin.top + plotHeight * (1 - fraction)
    }

    /// The x coordinate of the middle of category `index`.
    func x(_ index: Int) -> Double {
        let slot = plotWidth / Double(max(labels.count, 1))
        return Self.margin.left + slot * (Double(index) + 0.5)
    }

    func render() -> String {
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\""
            + " role=\"img\" aria-label=\"\(HTMLEscaping.attribute(title))\" font-size=\"11\">"
        svg += "<title>\(HTMLEscaping.text(title))</title>"
        let hasValues = series.contains { $0.values.contains { $0 != nil } }
        guard !labels.isEmpty, hasValues else {
            svg += "<text class=\"chart-empty\" x=\"\(Self.number(width / 2))\" y=\"\(Self.number(height / 2))\""
                + " text-anchor=\"middle\" fill=\"#5f6b73\">No data</text></svg>"
            return svg
        }
        svg += grid()
        svg += categoryLabels()
        switch kind {
        case .bars: svg += bars()
        case .lines: svg += lines()
        }
        if series.count > 1 { svg += legend() }
        svg += "</svg>"
        return svg
    }

    // MARK: Parts

    private func grid() -> String {
        let (top, step) = scale
        let left = Self.margin.left, right = width - Self.margin.right
        var out = "<g class=\"chart-grid\">"
        var value = 0.0
        // A little slack so rounding never drops the top line.
        while value <= top + step / 1000 {
            let y = Self.number(y(value))
            out += "<line x1=\"\(Self.number(left))\" y1=\"\(y)\" x2=\"\(Self.number(right))\" y2=\"\(y)\" stroke=\"#d8dee3\"/>"
            out += "<text class=\"chart-tick\" x=\"\(Self.number(left - 6))\" y=\"\(y)\" dy=\"4\" text-anchor=\"end\" fill=\"#5f6b73\">"
                + HTMLEscaping.text(formatTick(value, step: step)) + "</text>"
            value += step
        }
        let bottom = Self.number(Self.margin.top + plotHeight)
        out += "<line class=\"chart-axis\" x1=\"\(Self.number(left))\" y1=\"\(bottom)\" x2=\"\(Self.number(right))\" y2=\"\(bottom)\" stroke=\"#5f6b73\"/>"
        return out + "</g>"
    }

    private func categoryLabels() -> String {
        let every = max(1, Int((Double(labels.count) / Double(Self.maxLabels)).rounded(.up)))
        let y = Self.number(Self.margin.top + plotHeight + 16)
        var out = "<g class=\"chart-labels\">"
        for (index, label) in labels.enumerated() where index % every == 0 {
            out += "<text class=\"chart-label\" x=\"\(Self.number(x(index)))\" y=\"\(y)\" text-anchor=\"middle\" fill=\"#5f6b73\">"
                + HTMLEscaping.text(label) + "</text>"
        }
        return out + "</g>"
    }

    private func bars() -> String {
        let slot = plotWidth / Double(max(labels.count, 1))
        let groupWidth = slot * 0.7
        let barWidth = groupWidth / Double(max(series.count, 1))
        let bottom = Self.margin.top + plotHeight
        var out = ""
        for (seriesIndex, series) in series.enumerated() {
            out += "<g class=\"chart-series-\(seriesIndex)\">"
            for (index, value) in series.values.enumerated() where index < labels.count {
                guard let value, value.isFinite else { continue }
                let x = self.x(index) - groupWidth / 2 + barWidth * Double(seriesIndex)
                let top = y(value)
                out += "<rect class=\"chart-bar\" x=\"\(Self.number(x))\" y=\"\(Self.number(top))\" width=\"\(Self.number(barWidth))\""
                    + " height=\"\(Self.number(bottom - top))\" fill=\"\(color(seriesIndex))\">"
                    + "<title>\(HTMLEscaping.text(tooltip(label: labels[index], series: series, value: value)))</title></rect>"
            }
            out += "</g>"
        }
        return out
    }

    private func lines() -> String {
        var out = ""
        for (seriesIndex, series) in series.enumerated() {
            out += "<g class=\"chart-series-\(seriesIndex)\">"
            // A new segment (M) after every gap, so a missing period is not bridged.
            var path = ""
            var drawing = false
            for (index, value) in series.values.enumerated() where index < labels.count {
                guard let value, value.isFinite else {
                    drawing = false
                    continue
                }
                path += (drawing ? " L" : (path.isEmpty ? "M" : " M")) + "\(Self.number(x(index))) \(Self.number(y(value)))"
                drawing = true
            }
            if !path.isEmpty {
                out += "<path class=\"chart-line\" d=\"\(path)\" fill=\"none\" stroke=\"\(color(seriesIndex))\" stroke-width=\"2\"/>"
            }
            // Points carry the values (and show a lone value between two gaps).
            for (index, value) in series.values.enumerated() where index < labels.count {
                guard let value, value.isFinite else { continue }
                out += "<circle class=\"chart-point\" cx=\"\(Self.number(x(index)))\" cy=\"\(Self.number(y(value)))\" r=\"3\""
                    + " fill=\"\(color(seriesIndex))\"><title>"
                    + HTMLEscaping.text(tooltip(label: labels[index], series: series, value: value)) + "</title></circle>"
            }
            out += "</g>"
        }
        return out
    }

    private func legend() -> String {
        var out = "<g class=\"chart-legend\">"
        var x = Self.margin.left
        for (index, series) in series.enumerated() {
            out += "<rect x=\"\(Self.number(x))\" y=\"6\" width=\"10\" height=\"10\" fill=\"\(color(index))\"/>"
            out += "<text x=\"\(Self.number(x + 14))\" y=\"15\" fill=\"#1d2327\">\(HTMLEscaping.text(series.name))</text>"
            x += 28 + Double(series.name.count) * 6.5
        }
        return out + "</g>"
    }

    // MARK: Text

    private func color(_ index: Int) -> String { Self.palette[index % Self.palette.count] }

    private func tooltip(label: String, series: Series, value: Double) -> String {
        "\(label): \(series.name) \(Self.format(value, as: format))"
    }

    /// A tick label: as precise as the step needs, no more.
    private func formatTick(_ value: Double, step: Double) -> String {
        // The fewest decimals that show the step exactly (2.5 needs one, 0.25 two).
        let decimals = (0...3).first { digits in
            let scaled = step * pow(10, Double(digits))
            return abs(scaled - scaled.rounded()) < 1e-6
        } ?? 3
        let digits = String(format: "%.\(decimals)f", value)
        switch format {
        case .count: return digits
        case .hours where scale.top < 1: return "\(Int((value * 60).rounded())) min"
        case .hours: return "\(digits) h"
        case .percent: return "\(Int((value * 100).rounded()))%"
        }
    }

    /// A value for people: "4", "2.5 h", "25%".
    static func format(_ value: Double, as format: Format) -> String {
        switch format {
        case .count:
            return value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
        case .hours:
            if value < 1 {
                let minutes = Int((value * 60).rounded())
                return minutes < 1 ? "< 1 min" : "\(minutes) min"
            }
            return value < 10 ? String(format: "%.1f h", value) : "\(Int(value.rounded())) h"
        case .percent:
            return "\(Int((value * 100).rounded()))%"
        }
    }

    /// A coordinate: one decimal is plenty at this size, and keeps the markup short.
    static func number(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
    }
}
