import Foundation
import ParkImpactModel
import ParkImpactDefinition
import ParkImpactKPIs

/// Inline SVG charts for the pilot report: drawn from the KPI values, no scripts, fixed geometry (so the bytes only
/// depend on the data), axis labels with units, and fills that stay apart in grey-scale print: each style differs in
/// lightness or carries a pattern (`ChartStyle.defs`), and every shape has a dark outline.
enum ChartStyle {
    /// Shared `<defs>`: the patterns the fills refer to (`url(#pi-…)`, a fragment of this same document).
    static let defs = """
    <svg class="defs" width="0" height="0" aria-hidden="true" focusable="false"><defs>
    <pattern id="pi-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">\
    <rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#1f4e3d" stroke-width="2.2"/></pattern>
    <pattern id="pi-dots" width="5" height="5" patternUnits="userSpaceOnUse">\
    <rect width="5" height="5" fill="#e4efe8"/><circle cx="2.5" cy="2.5" r="1.2" fill="#1d2329"/></pattern>
    <pattern id="pi-cross" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">\
    <rect width="6" height="6" fill="#ffffff"/><path d="M0 3H6M3 0V6" stroke="#3f6f58" stroke-width="1.2"/></pattern>
    <pattern id="pi-hatch-dark" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)">\
    <rect width="6" height="6" fill="#1f4e3d"/><line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="1.6"/></pattern>
    <pattern id="pi-vert" width="5" height="5" patternUnits="userSpaceOnUse">\
    <rect width="5" height="5" fill="#9cc5ad"/><line x1="2.5" y1="0" x2="2.5" y2="5" stroke="#1d2329" stroke-width="1.2"/></pattern>
    <pattern id="pi-horiz" width="5" height="5" patternUnits="userSpaceOnUse">\
    <rect width="5" height="5" fill="#ffffff"/><line x1="0" y1="2.5" x2="5" y2="2.5" stroke="#1d2329" stroke-width="1.2"/></pattern>
    </defs></svg>

    """

    /// Ten fills: dark, mid, light, then patterns; distinct in grey scale.
    static let fills = ["#1f4e3d", "#6fa88a", "#cfe6d8", "url(#pi-hatch)", "url(#pi-dots)", "url(#pi-hatch-dark)",
                        "url(#pi-vert)", "#ffffff", "url(#pi-cross)", "url(#pi-horiz)"]
    static func fill(_ index: Int) -> String { fills[index % fills.count] }

    /// Line styles for the lines of a chart: dash pattern and marker shape differ.
    static let dashes = ["", "6 3", "2 3", "9 3 2 3"]
    static let lineColors = ["#1d2329", "#1f5a8a", "#7a4a00", "#56606a"]
}

/// One series of a chart: a label (legend) and one value per category (nil: no data, nothing drawn).
struct ChartSeries {
    let label: String
    let values: [Double?]
    var style: Int
}

/// Numbers in SVG coordinates: one decimal, no trailing `.0`, locale-independent.
@inline(__always)
func svgNumber(_ value: Double) -> String {
    let tenths = (value * 10).rounded()
    let whole = Int(tenths) / 10, fraction = abs(Int(tenths) % 10)
    if fraction == 0 { return "\(Int(tenths) / 10)" }
    return (tenths < 0 && whole == 0 ? "-" : "") + "\(whole).\(fraction)"
}

/// A round axis: 0…top in steps of 1, 2, 2.5 or 5 × 10ⁿ, about four steps.
struct NiceScale {
    let top: Double
    let step: Double
    let decimals: Int

    init(maximum: Double) {
        let maximum = maximum.isFinite && maximum > 0 ? maximum : 1
        let raw = maximum / 4
        var magnitude = 1.0
        while magnitude * 10 <= raw { magnitude *= 10 }
        while magnitude > raw { magnitude /= 10 }
        let normalized = raw / magnitude
        let factor = normalized <= 1 ? 1 : normalized <= 2 ? 2 : normalized <= 2.5 ? 2.5 : normalized <= 5 ? 5 : 10
        step = factor * magnitude
        top = (maximum / step).rounded(.up) * step
        var decimals = 0
        var scaled = step
        while decimals < 6, abs(scaled - scaled.rounded()) > 1e-9 * max(1, scaled) {
            scaled *= 10
            decimals += 1
        }
        self.decimals = decimals
    }

    var ticks: [Double] {
        let count = Int((top / step).rounded())
        return (0...count).map { Double($0) * step }
    }
}

/// Vertical bars (stacked when there are several series), optionally with lines on a second axis at the right.
struct BarChart {
    var title: String
    var categories: [String]
    var series: [ChartSeries]
    var yTitle: String
    var lines: [ChartSeries] = []
    var lineTitle: String = ""
    /// Brackets above the bars (`Referentie 2023`, `Rapportage 2024`): category index ranges.
    var groups: [(label: String, from: Int, to: Int)] = []
    /// A short text above each bar (e.g. the recycling rate); nil: none.
    var barLabels: [String?] = []
    var width = 720.0
    var plotHeight = 190.0

    func svg(language: PipelineDefinition.Language) -> String {
        let hasBars = !series.isEmpty
        let left = 62.0, right = lines.isEmpty || !hasBars ? 16.0 : 62.0
        let top = groups.isEmpty ? 24.0 : 40.0
        let plotWidth = width - left - right
        let legendItems = (series + lines).map(\.label)
        let legend = Legend(items: legendItems, width: width - left, x: left)
        let xLabelHeight = 34.0
        let height = top + plotHeight + xLabelHeight + legend.height + 6
        let count = max(categories.count, 1)
        let slot = plotWidth / Double(count)
        let barWidth = min(46, slot * 0.72)

        var stackMax = 0.0
        for index in categories.indices {
            let total = series.reduce(0.0) { $0 + max(0, $1.values[index] ?? 0) }
            stackMax = max(stackMax, total)
        }
        let lineMax = lines.flatMap { $0.values.compactMap { $0 } }.max() ?? 0
        let barScale = NiceScale(maximum: hasBars ? stackMax : lineMax)
        let lineScale = hasBars ? NiceScale(maximum: lineMax) : barScale
        func y(_ value: Double, _ scale: NiceScale) -> Double { top + plotHeight - value / scale.top * plotHeight }

        var out = "<svg class=\"chart\" viewBox=\"0 0 \(svgNumber(width)) \(svgNumber(height))\" role=\"img\" "
        out += "aria-label=\"\(esc(title))\">\n<title>\(esc(title))</title>\n"
        // Grid and left axis.
        for tick in barScale.ticks {
            let ty = y(tick, barScale)
            out += "<line class=\"grid\" x1=\"\(svgNumber(left))\" y1=\"\(svgNumber(ty))\" x2=\"\(svgNumber(left + plotWidth))\" "
            out += "y2=\"\(svgNumber(ty))\"/>"
            out += "<text class=\"tick\" x=\"\(svgNumber(left - 6))\" y=\"\(svgNumber(ty + 4))\" text-anchor=\"end\">"
            out += esc(NumberFormatting.format(tick, decimals: barScale.decimals, language: language)) + "</text>\n"
        }
        out += "<text class=\"axis-title\" x=\"12\" y=\"\(svgNumber(top + plotHeight / 2))\" text-anchor=\"middle\" "
        out += "transform=\"rotate(-90 12 \(svgNumber(top + plotHeight / 2)))\">\(esc(hasBars ? yTitle : lineTitle))</text>\n"
        if hasBars, !lines.isEmpty {
            for tick in lineScale.ticks {
                out += "<text class=\"tick\" x=\"\(svgNumber(left + plotWidth + 6))\" y=\"\(svgNumber(y(tick, lineScale) + 4))\">"
                out += esc(NumberFormatting.format(tick, decimals: lineScale.decimals, language: language)) + "</text>\n"
            }
            let rx = width - 10
            out += "<text class=\"axis-title\" x=\"\(svgNumber(rx))\" y=\"\(svgNumber(top + plotHeight / 2))\" "
            out += "text-anchor=\"middle\" transform=\"rotate(90 \(svgNumber(rx)) \(svgNumber(top + plotHeight / 2)))\">"
            out += "\(esc(lineTitle))</text>\n"
        }
        // Groups.
        for group in groups where group.from <= group.to && group.to < categories.count {
            let x1 = left + Double(group.from) * slot + 2, x2 = left + Double(group.to + 1) * slot - 2
            out += "<path class=\"bracket\" d=\"M\(svgNumber(x1)) \(svgNumber(top - 6))V\(svgNumber(top - 12))"
            out += "H\(svgNumber(x2))V\(svgNumber(top - 6))\"/>"
            out += "<text class=\"group\" x=\"\(svgNumber((x1 + x2) / 2))\" y=\"\(svgNumber(top - 17))\" "
            out += "text-anchor=\"middle\">\(esc(group.label))</text>\n"
            if group.from > 0 {
                let sx = left + Double(group.from) * slot
                out += "<line class=\"separator\" x1=\"\(svgNumber(sx))\" y1=\"\(svgNumber(top))\" x2=\"\(svgNumber(sx))\" "
                out += "y2=\"\(svgNumber(top + plotHeight))\"/>\n"
            }
        }
        // Bars.
        for index in categories.indices {
            let x = left + Double(index) * slot + (slot - barWidth) / 2
            var base = 0.0
            for entry in series {
                guard let value = entry.values[index], value > 0 else { continue }
                let y0 = y(base, barScale), y1 = y(base + value, barScale)
                out += "<rect x=\"\(svgNumber(x))\" y=\"\(svgNumber(y1))\" width=\"\(svgNumber(barWidth))\" "
                out += "height=\"\(svgNumber(max(0.5, y0 - y1)))\" fill=\"\(ChartStyle.fill(entry.style))\" class=\"bar\">"
                out += "<title>\(esc(categories[index])): \(esc(entry.label)) "
                out += "\(esc(NumberFormatting.format(value, decimals: barScale.decimals + 1, language: language))) "
                out += "\(esc(yTitle))</title></rect>"
                base += value
            }
            if index < barLabels.count, let label = barLabels[index] {
                out += "<text class=\"bar-label\" x=\"\(svgNumber(x + barWidth / 2))\" y=\"\(svgNumber(y(base, barScale) - 4))\" "
                out += "text-anchor=\"middle\">\(esc(label))</text>"
            }
            out += "\n"
        }
        // Lines.
        for (number, entry) in lines.enumerated() {
            let color = ChartStyle.lineColors[number % ChartStyle.lineColors.count]
            let dash = ChartStyle.dashes[number % ChartStyle.dashes.count]
            var path = ""
            var pen = false
            for index in categories.indices {
                guard let value = entry.values[index] else { pen = false; continue }
                let px = left + (Double(index) + 0.5) * slot, py = y(value, lineScale)
                path += (pen ? "L" : "M") + svgNumber(px) + " " + svgNumber(py)
                pen = true
            }
            out += "<path class=\"line\" d=\"\(path)\" stroke=\"\(color)\"\(dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"")/>"
            for index in categories.indices {
                guard let value = entry.values[index] else { continue }
                let px = left + (Double(index) + 0.5) * slot, py = y(value, lineScale)
                out += Marker.shape(number, x: px, y: py, color: color)
            }
            out += "\n"
        }
        // Axis and category labels.
        out += "<line class=\"axis\" x1=\"\(svgNumber(left))\" y1=\"\(svgNumber(top + plotHeight))\" "
        out += "x2=\"\(svgNumber(left + plotWidth))\" y2=\"\(svgNumber(top + plotHeight))\"/>\n"
        for (index, label) in categories.enumerated() {
            out += "<text class=\"cat\" x=\"\(svgNumber(left + (Double(index) + 0.5) * slot))\" "
            out += "y=\"\(svgNumber(top + plotHeight + 15))\" text-anchor=\"middle\">\(esc(label))</text>"
        }
        out += "\n"
        out += legend.svg(y: top + plotHeight + xLabelHeight, styles: series.map(\.style))
        out += "</svg>\n"
        return out
    }
}

/// Marker shapes for line series: circle, square, triangle, diamond.
enum Marker {
    static func shape(_ number: Int, x: Double, y: Double, color: String) -> String {
        switch number % 4 {
        case 0:
            return "<circle cx=\"\(svgNumber(x))\" cy=\"\(svgNumber(y))\" r=\"3.2\" fill=\"#ffffff\" stroke=\"\(color)\" stroke-width=\"1.6\"/>"
        case 1:
            return "<rect x=\"\(svgNumber(x - 3))\" y=\"\(svgNumber(y - 3))\" width=\"6\" height=\"6\" fill=\"\(color)\"/>"
        case 2:
            return "<path d=\"M\(svgNumber(x)) \(svgNumber(y - 4))L\(svgNumber(x + 4)) \(svgNumber(y + 3))"
                + "H\(svgNumber(x - 4))Z\" fill=\"\(color)\"/>"
        default:
            return "<path d=\"M\(svgNumber(x)) \(svgNumber(y - 4))L\(svgNumber(x + 4)) \(svgNumber(y))L\(svgNumber(x)) "
                + "\(svgNumber(y + 4))L\(svgNumber(x - 4)) \(svgNumber(y))Z\" fill=\"#ffffff\" stroke=\"\(color)\"/>"
        }
    }
}

/// A legend under a chart: swatches for bar series (the first `barCount` items), line samples for the others.
struct Legend {
    let items: [String]
    let width: Double
    let x: Double
    static let rowHeight = 18.0

    /// Item positions, wrapping at the chart width (text width estimated from the character count).
    var layout: [(x: Double, row: Int)] {
        var result: [(x: Double, row: Int)] = []
        var cx = 0.0, row = 0
        for item in items {
            let itemWidth = 26 + Double(item.count) * 6.3 + 16
            if cx > 0, cx + itemWidth > width { cx = 0; row += 1 }
            result.append((cx, row))
            cx += itemWidth
        }
        return result
    }

    var height: Double { items.isEmpty ? 0 : Double((layout.last?.row ?? 0) + 1) * Self.rowHeight }

    /// `styles`: the fill styles of the bar series (the first items); the other items are lines.
    func svg(y: Double, styles: [Int]) -> String {
        let barCount = styles.count
        var out = ""
        for (index, item) in items.enumerated() {
            let place = layout[index]
            let ix = x + place.x, iy = y + Double(place.row) * Self.rowHeight
            if index < barCount {
                out += "<rect x=\"\(svgNumber(ix))\" y=\"\(svgNumber(iy))\" width=\"18\" height=\"11\" "
                out += "fill=\"\(ChartStyle.fill(styles[index]))\" class=\"bar\"/>"
            } else {
                let number = index - barCount
                let color = ChartStyle.lineColors[number % ChartStyle.lineColors.count]
                let dash = ChartStyle.dashes[number % ChartStyle.dashes.count]
                out += "<path class=\"line\" d=\"M\(svgNumber(ix)) \(svgNumber(iy + 5.5))H\(svgNumber(ix + 20))\" "
                out += "stroke=\"\(color)\"\(dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"")/>"
                out += Marker.shape(number, x: ix + 10, y: iy + 5.5, color: color)
            }
            out += "<text class=\"legend\" x=\"\(svgNumber(ix + 24))\" y=\"\(svgNumber(iy + 10))\">\(esc(item))</text>\n"
        }
        return out
    }
}

/// Horizontal 100 % stacked bars (modal split): one row per period, one segment per category.
struct ShareBars {
    var title: String
    var rows: [(label: String, shares: [Double?])]
    var categories: [String]
    var width = 720.0

    func svg(language: PipelineDefinition.Language) -> String {
        let left = 110.0, right = 16.0, top = 10.0, barHeight = 34.0, gap = 16.0
        let plotWidth = width - left - right
        let legend = Legend(items: categories, width: width - left, x: left)
        let axisY = top + Double(rows.count) * (barHeight + gap)
        let height = axisY + 24 + legend.height + 6
        var out = "<svg class=\"chart\" viewBox=\"0 0 \(svgNumber(width)) \(svgNumber(height))\" role=\"img\" "
        out += "aria-label=\"\(esc(title))\">\n<title>\(esc(title))</title>\n"
        for tick in stride(from: 0, through: 100, by: 25) {
            let tx = left + Double(tick) / 100 * plotWidth
            out += "<line class=\"grid\" x1=\"\(svgNumber(tx))\" y1=\"\(svgNumber(top - 4))\" x2=\"\(svgNumber(tx))\" "
            out += "y2=\"\(svgNumber(axisY))\"/><text class=\"tick\" x=\"\(svgNumber(tx))\" y=\"\(svgNumber(axisY + 14))\" "
            out += "text-anchor=\"middle\">\(tick)&#160;%</text>\n"
        }
        for (number, row) in rows.enumerated() {
            let ry = top + Double(number) * (barHeight + gap)
            out += "<text class=\"cat\" x=\"\(svgNumber(left - 8))\" y=\"\(svgNumber(ry + barHeight / 2 + 4))\" "
            out += "text-anchor=\"end\">\(esc(row.label))</text>"
            let total = row.shares.reduce(0.0) { $0 + max(0, $1 ?? 0) }
            var cx = left
            for (index, share) in row.shares.enumerated() {
                guard let share, share > 0, total > 0 else { continue }
                let w = share / total * plotWidth
                out += "<rect x=\"\(svgNumber(cx))\" y=\"\(svgNumber(ry))\" width=\"\(svgNumber(w))\" "
                out += "height=\"\(svgNumber(barHeight))\" fill=\"\(ChartStyle.fill(index))\" class=\"bar\">"
                out += "<title>\(esc(row.label)): \(esc(categories[index])) "
                out += "\(esc(NumberFormatting.percent(ratio: share, language: language)))</title></rect>"
                // Percentages on the solid fills only (a pattern would make the digits hard to read).
                let solid = [0, 1, 2, 7].contains(index % ChartStyle.fills.count)
                if w >= 34, solid {
                    let dark = index % ChartStyle.fills.count == 0
                    out += "<text class=\"seg\(dark ? " on-dark" : "")\" x=\"\(svgNumber(cx + w / 2))\" "
                    out += "y=\"\(svgNumber(ry + barHeight / 2 + 4))\" text-anchor=\"middle\">"
                    out += esc(NumberFormatting.percent(ratio: share, decimals: 0, language: language)) + "</text>"
                }
                cx += w
            }
            out += "\n"
        }
        out += legend.svg(y: axisY + 26, styles: Array(categories.indices))
        out += "</svg>\n"
        return out
    }
}

/// A calendar heatmap: one row per month, one cell per day of the month; five lightness classes (light = low,
/// dark = high), days without a value are left white with a dotted outline.
struct CalendarHeatmap {
    var title: String
    /// Row label and the 28–31 day values of that month (nil: no value; the array ends at the month's last day).
    var rows: [(label: String, values: [Double?])]
    /// Upper bounds of the classes, ascending; a value above the last bound is in the last class.
    var bounds: [Double]
    var legendLabels: [String]
    var width = 720.0

    static let classFills = ["#eef5f0", "#c3ddcc", "#88b99b", "#4f8a6b", "#1f4e3d"]

    func svg() -> String {
        let left = 110.0, top = 18.0, cell = min(18.0, (width - left - 10) / 31), rowHeight = cell + 2
        let gridBottom = top + Double(rows.count) * rowHeight
        let legendY = gridBottom + 12
        let height = legendY + 20
        var out = "<svg class=\"chart\" viewBox=\"0 0 \(svgNumber(width)) \(svgNumber(height))\" role=\"img\" "
        out += "aria-label=\"\(esc(title))\">\n<title>\(esc(title))</title>\n"
        for day in [1, 5, 10, 15, 20, 25, 31] {
            out += "<text class=\"tick\" x=\"\(svgNumber(left + (Double(day) - 0.5) * (cell + 1)))\" y=\"\(svgNumber(top - 5))\" "
            out += "text-anchor=\"middle\">\(day)</text>"
        }
        out += "\n"
        for (number, row) in rows.enumerated() {
            let ry = top + Double(number) * rowHeight
            out += "<text class=\"cat\" x=\"\(svgNumber(left - 8))\" y=\"\(svgNumber(ry + cell - 4))\" text-anchor=\"end\">"
            out += "\(esc(row.label))</text>"
            for (index, value) in row.values.enumerated() {
                let cx = left + Double(index) * (cell + 1)
                if let value {
                    let level = bounds.firstIndex { value <= $0 } ?? (Self.classFills.count - 1)
                    out += "<rect x=\"\(svgNumber(cx))\" y=\"\(svgNumber(ry))\" width=\"\(svgNumber(cell))\" "
                    out += "height=\"\(svgNumber(cell))\" fill=\"\(Self.classFills[min(level, Self.classFills.count - 1)])\" "
                    out += "class=\"cell\"/>"
                } else {
                    out += "<rect x=\"\(svgNumber(cx + 0.5))\" y=\"\(svgNumber(ry + 0.5))\" width=\"\(svgNumber(cell - 1))\" "
                    out += "height=\"\(svgNumber(cell - 1))\" class=\"cell-empty\"/>"
                }
            }
            out += "\n"
        }
        var lx = left
        for (index, label) in legendLabels.enumerated() {
            if index < Self.classFills.count {
                out += "<rect x=\"\(svgNumber(lx))\" y=\"\(svgNumber(legendY))\" width=\"14\" height=\"14\" "
                out += "fill=\"\(Self.classFills[index])\" class=\"cell\"/>"
            } else {
                out += "<rect x=\"\(svgNumber(lx + 0.5))\" y=\"\(svgNumber(legendY + 0.5))\" width=\"13\" height=\"13\" "
                out += "class=\"cell-empty\"/>"
            }
            out += "<text class=\"legend\" x=\"\(svgNumber(lx + 18))\" y=\"\(svgNumber(legendY + 11))\">\(esc(label))</text>"
            lx += 18 + Double(label.count) * 6.3 + 16
        }
        out += "\n</svg>\n"
        return out
    }
}
