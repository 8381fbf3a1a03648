import ArgumentParser
import Foundation
import RegistryDocuments
import RegistryKit
import RegistryModel

struct LineageCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "lineage",
        abstract: "Show the lineage graph around a version: parents and children, datasets, evaluations, commits.",
        discussion: """
            EXAMPLES
              mreg lineage churn@7
              mreg lineage churn@7 --upstream --depth 5 --format mermaid
              mreg lineage base@2 --downstream --format dot | dot -Tsvg > lineage.svg
            """)

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json, dot, mermaid
    }

    @Argument(help: ArgumentHelp("The version.", valueName: "ref"))
    var reference: String

    @Flag(name: .long, help: "Only what the version came from.")
    var upstream = false

    @Flag(name: .long, help: "Only the versions fine-tuned from it.")
    var downstream = false

    @Option(name: .long, help: "How many steps to follow each way.")
    var depth = 3

    @Option(name: .long, help: "text, json, dot (Graphviz) or mermaid.")
    var format: OutputFormat = .text

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        guard depth >= 1, depth <= 100 else { throw RegistryError(.usage, "--depth must be between 1 and 100") }
        let both = !upstream && !downstream
        let graph = try invocation.openRegistry(global).lineage(reference, upstream: upstream || both, downstream: downstream || both, depth: depth)
        switch global.json ? .json : format {
        case .json:
            Console.json(LineageDocument(
                root: graph.root, nodes: graph.nodes.map { .init(id: $0.id, kind: $0.kind.rawValue, label: $0.label) },
                edges: graph.edges.map { .init(from: $0.from, to: $0.to, label: $0.label) }))
        case .dot:
            var lines = ["digraph lineage {", "  rankdir=LR;"]
            for node in graph.nodes {
                let shape = switch node.kind {
                case .version: "box"
                case .dataset: "cylinder"
                case .evaluation: "note"
                case .commit: "ellipse"
                }
                lines.append("  \(Self.quoted(node.id)) [label=\(Self.quoted(node.label)), shape=\(shape)\(node.id == graph.root ? ", style=bold" : "")];")
            }
            lines += graph.edges.map { "  \(Self.quoted($0.from)) -> \(Self.quoted($0.to)) [label=\(Self.quoted($0.label))];" }
            lines.append("}")
            Console.out(lines.joined(separator: "\n"))
        case .mermaid:
            let ids = Dictionary(uniqueKeysWithValues: graph.nodes.enumerated().map { ($1.id, "n\($0)") })
            var lines = ["graph LR"]
            for node in graph.nodes {
                let text = node.label.replacingOccurrences(of: "\"", with: "'")
                let shaped = switch node.kind {
                case .version: "[\"\(text)\"]"
                case .dataset: "[(\"\(text)\")]"
                case .evaluation: "[/\"\(text)\"/]"
                case .commit: "((\"\(text)\"))"
                }
                lines.append("  \(ids[node.id]!)\(shaped)")
            }
            lines += graph.edges.map { "  \(ids[$0.from]!) -->|\($0.label.replacingOccurrences(of: "|", with: "/"))| \(ids[$0.to]!)" }
            Console.out(lines.joined(separator: "\n"))
        case .text:
            var lines = ["lineage of \(graph.root)"]
            for edge in graph.edges { lines.append("  \(edge.from) --\(edge.label)--> \(edge.to)") }
            if graph.edges.isEmpty { lines.append("  (no recorded parents, children, datasets, evaluations or commits)") }
            Console.out(lines.joined(separator: "\n"))
        }
    }

    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
