import Foundation
import RegistryDocuments

/// A version's lineage as an SVG graph drawn on the server: a box per node, an arrow per edge,
/// every arrow pointing right (each node one column past the longest chain that leads to it, so
/// commits and datasets come before what was built from them). Versions link to their pages.
enum LineageGraph {
    static let boxWidth = 190.0, boxHeight = 34.0, columnGap = 60.0, rowGap = 14.0, margin = 8.0

    static func svg(_ lineage: LineageDocument) -> String {
        let column = columns(lineage)
        var rows = [Int: Int]()
        var place = [String: (x: Double, y: Double)]()
        let first = column.values.min() ?? 0
        for node in lineage.nodes {
            guard let layer = column[node.id] else { continue }
            let row = rows[layer, default: 0]
            rows[layer] = row + 1
            place[node.id] = (margin + Double(layer - first) * (boxWidth + columnGap), margin + Double(row) * (boxHeight + rowGap))
        }
        let width = place.values.map(\.x).max().map { $0 + boxWidth + margin } ?? 0
        let height = place.values.map(\.y).max().map { $0 + boxHeight + margin } ?? 0
        func n(_ value: Double) -> String { String(format: "%.1f", value) }
        let title = ParametersHTML.escaped("Lineage of \(lineage.root): \(lineage.nodes.count) nodes, \(lineage.edges.count) edges")
        var svg = "<svg class=\"lineage\" viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"\(n(width))\" height=\"\(n(height))\" role=\"img\" aria-label=\"\(title)\"><title>\(title)</title>"
        svg += "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0 0L10 5L0 10Z\"/></marker></defs>"
        for edge in lineage.edges {
            guard let from = place[edge.from], let to = place[edge.to] else { continue }
            let (x1, y1, x2, y2) = (from.x + boxWidth, from.y + boxHeight / 2, to.x, to.y + boxHeight / 2)
            let bend = (x2 - x1) / 2
            svg += "<path class=\"edge\" d=\"M\(n(x1)) \(n(y1))C\(n(x1 + bend)) \(n(y1)) \(n(x2 - bend)) \(n(y2)) \(n(x2)) \(n(y2))\" marker-end=\"url(#arrow)\">"
                + "<title>\(ParametersHTML.escaped(edge.label))</title></path>"
        }
        for node in lineage.nodes {
            guard let (x, y) = place[node.id] else { continue }
            let label = node.label.count > 28 ? String(node.label.prefix(27)) + "…" : node.label
            var box = "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(boxWidth))\" height=\"\(n(boxHeight))\" rx=\"5\"/>"
            box += "<text x=\"\(n(x + 8))\" y=\"\(n(y + 21))\">\(ParametersHTML.escaped(label))</text><title>\(ParametersHTML.escaped(node.kind + ": " + node.label))</title>"
            let kind = ParametersHTML.escaped(node.kind) + (node.id == lineage.root ? " root" : "")
            if node.kind == "version", let page = versionPage(node.id) {
                svg += "<a href=\"\(page)\" class=\"node \(kind)\">\(box)</a>"
            } else {
                svg += "<g class=\"node \(kind)\">\(box)</g>"
            }
        }
        return svg + "</svg>"
    }

    /// Each node's column: the length of the longest chain of edges that leads to it. Lineage has
    /// no cycles; if a document ever held one, the relaxation stops after one pass per node.
    static func columns(_ lineage: LineageDocument) -> [String: Int] {
        var column = Dictionary(uniqueKeysWithValues: lineage.nodes.map { ($0.id, 0) })
        for _ in lineage.nodes {
            var changed = false
            for edge in lineage.edges {
                guard let from = column[edge.from], let to = column[edge.to], to < from + 1 else { continue }
                column[edge.to] = from + 1
                changed = true
            }
            if !changed { break }
        }
        return column
    }

    /// `churn@3` → its page.
    static func versionPage(_ reference: String) -> String? {
        guard let at = reference.lastIndex(of: "@"), let number = Int(reference[reference.index(after: at)...]) else { return nil }
        return Link.version(String(reference[..<at]), number)
    }
}
