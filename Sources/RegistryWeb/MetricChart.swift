import Foundation

/// A metric across versions as an SVG line chart: one point per version, oldest on the left, an
/// evaluation's interval as a whisker through its point; the versions that held `production`
/// drawn as diamonds. Drawn on the server, so it needs no script.
enum MetricChart {
    struct Point {
        let version: Int
        let value: Double
        /// The evaluation's interval, drawn as a whisker.
        var low: Double? = nil
        var high: Double? = nil
    }

    static let width = 360.0, height = 160.0
    static let left = 56.0, right = 12.0, top = 12.0, bottom = 28.0

    static func svg(metric: String, points: [Point], marked: Set<Int>) -> String {
        let values = points.flatMap { [$0.value] + [$0.low, $0.high].compactMap { $0 } }
        var low = values.min()!, high = values.max()!
        if low == high {
            low -= abs(low) * 0.05 + 0.5
            high += abs(high) * 0.05 + 0.5
        }
        let first = Double(points.first!.version), last = Double(points.last!.version)
        func x(_ version: Int) -> Double { left + (last == first ? 0.5 : (Double(version) - first) / (last - first)) * (width - left - right) }
        func y(_ value: Double) -> Double { top + (1 - (value - low) / (high - low)) * (height - top - bottom) }
        func n(_ value: Double) -> String { String(format: "%.1f", value) }
        let title = ParametersHTML.escaped("\(metric) for versions \(points.first!.version) to \(points.last!.version)")
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"img\" aria-label=\"\(title)\"><title>\(title)</title>"
        svg += "<line class=\"axis\" x1=\"\(n(left))\" y1=\"\(n(height - bottom))\" x2=\"\(n(width - right))\" y2=\"\(n(height - bottom))\"/>"
        svg += "<line class=\"axis\" x1=\"\(n(left))\" y1=\"\(n(top))\" x2=\"\(n(left))\" y2=\"\(n(height - bottom))\"/>"
        for value in [low, high] {
            svg += "<text class=\"tick\" x=\"\(n(left - 4))\" y=\"\(n(y(value) + 4))\" text-anchor=\"end\">\(Format.number(value))</text>"
        }
        for version in [points.first!.version, points.last!.version] {
            svg += "<text class=\"tick\" x=\"\(n(x(version)))\" y=\"\(n(height - 8))\" text-anchor=\"middle\">v\(version)</text>"
        }
        svg += "<polyline class=\"line\" points=\"" + points.map { "\(n(x($0.version))),\(n(y($0.value)))" }.joined(separator: " ") + "\"/>"
        for point in points {
            if let low = point.low, let high = point.high {
                svg += "<line class=\"interval\" x1=\"\(n(x(point.version)))\" y1=\"\(n(y(low)))\" x2=\"\(n(x(point.version)))\" y2=\"\(n(y(high)))\">"
                    + "<title>v\(point.version): \(Format.number(low)) – \(Format.number(high))</title></line>"
            }
        }
        for point in points {
            let (px, py) = (x(point.version), y(point.value))
            let label = "<title>v\(point.version): \(Format.number(point.value))</title>"
            if marked.contains(point.version) {
                svg += "<path class=\"production\" d=\"M\(n(px)) \(n(py - 6))L\(n(px + 6)) \(n(py))L\(n(px)) \(n(py + 6))L\(n(px - 6)) \(n(py))Z\">\(label)</path>"
            } else {
                svg += "<circle class=\"point\" cx=\"\(n(px))\" cy=\"\(n(py))\" r=\"2.5\">\(label)</circle>"
            }
        }
        return svg + "</svg>"
    }
}
