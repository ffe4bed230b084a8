import Foundation

/// The latency distributions as hand-written SVG: one panel per group of
/// scenarios, each a CDF (cumulative fraction of requests against latency, log scale).
enum Chart {
    static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    static func svg(_ results: Results, title: String) -> String {
        var groups: [String] = []
        for entry in results.latencies where !groups.contains(entry.group) { groups.append(entry.group) }
        let panelWidth = 560.0, panelHeight = 300.0, columns = 2
        let rows = (groups.count + columns - 1) / columns
        let width = panelWidth * Double(columns), height = panelHeight * Double(rows) + 40
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
        font-family="sans-serif" font-size="11">
        <rect width="100%" height="100%" fill="white"/>
        <text x="10" y="22" font-size="15" font-weight="bold">\(escape(title))</text>

        """
        for (index, group) in groups.enumerated() {
            let x0 = Double(index % columns) * panelWidth, y0 = 40 + Double(index / columns) * panelHeight
            out += panel(results.latencies.filter { $0.group == group }, title: group,
                         x: x0, y: y0, width: panelWidth, height: panelHeight)
        }
        return out + "</svg>\n"
    }

    private static func panel(_ entries: [Results.Latency], title: String, x: Double, y: Double,
                              width: Double, height: Double) -> String {
        let left = x + 50, right = x + width - 20, top = y + 24, bottom = y + height - 90
        let all = entries.flatMap { $0.samples.sorted }.filter { $0 > 0 }
        guard let low = all.min(), let high = all.max() else { return "" }
        var lowExp = floor(log10(Double(low))), highExp = ceil(log10(Double(high)))
        if highExp <= lowExp { highExp = lowExp + 1 }
        if highExp - lowExp > 6 { lowExp = highExp - 6 }
        func px(_ ns: Double) -> Double {
            let value = min(max(log10(max(ns, 1)), lowExp), highExp)
            return left + (value - lowExp) / (highExp - lowExp) * (right - left)
        }
        func py(_ fraction: Double) -> Double { bottom - fraction * (bottom - top) }
        var out = "<g>\n<text x=\"\(x + 10)\" y=\"\(y + 14)\" font-size=\"13\" font-weight=\"bold\">\(escape(title))</text>\n"
        out += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(right - left)\" height=\"\(bottom - top)\" fill=\"none\" stroke=\"#999\"/>\n"
        var exponent = lowExp
        while exponent <= highExp {
            let gx = px(pow(10, exponent))
            out += "<line x1=\"\(gx)\" y1=\"\(top)\" x2=\"\(gx)\" y2=\"\(bottom)\" stroke=\"#ddd\"/>\n"
            out += "<text x=\"\(gx)\" y=\"\(bottom + 14)\" text-anchor=\"middle\">\(label(pow(10, exponent)))</text>\n"
            exponent += 1
        }
        for fraction in [0.0, 0.5, 0.99, 1.0] {
            out += "<line x1=\"\(left)\" y1=\"\(py(fraction))\" x2=\"\(right)\" y2=\"\(py(fraction))\" stroke=\"#eee\"/>\n"
            out += "<text x=\"\(left - 4)\" y=\"\(py(fraction) + 4)\" text-anchor=\"end\">\(fraction == 0.99 ? "p99" : fraction == 0.5 ? "p50" : String(format: "%.0f", fraction))</text>\n"
        }
        for (index, entry) in entries.enumerated() {
            let color = colors[index % colors.count]
            let points = entry.samples.cdf().map { String(format: "%.1f,%.1f", px($0.0), py($0.1)) }.joined(separator: " ")
            out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.6\" points=\"\(points)\"/>\n"
            let legendY = bottom + 30 + Double(index / 2) * 14, legendX = left + Double(index % 2) * (right - left) / 2
            out += "<rect x=\"\(legendX)\" y=\"\(legendY - 8)\" width=\"10\" height=\"10\" fill=\"\(color)\"/>\n"
            out += "<text x=\"\(legendX + 14)\" y=\"\(legendY + 1)\">\(escape("\(entry.scenario) [\(entry.placement)] p50 \(human(ns: entry.samples.p50))"))</text>\n"
        }
        return out + "</g>\n"
    }

    private static func label(_ ns: Double) -> String {
        if ns < 1000 { return "\(Int(ns)) ns" }
        if ns < 1_000_000 { return "\(Int(ns / 1000)) µs" }
        if ns < 1_000_000_000 { return "\(Int(ns / 1_000_000)) ms" }
        return "\(Int(ns / 1_000_000_000)) s"
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
