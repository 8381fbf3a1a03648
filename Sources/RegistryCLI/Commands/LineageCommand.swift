import ArgumentParser
import Foundation
import RegistryKit
import RegistryModel

struct FindCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "find",
        abstract: "Find the versions that used a dataset, came from a commit, or hold a blob, and the aliases they hold now.",
        discussion: """
            The questions after an incident: which models trained or were evaluated on this data, \
            which came from this commit, which contain this file.

            EXAMPLES
              mreg find --dataset churn-train
              mreg find --dataset data/2026-02-export.csv     # by content: the file is hashed
              mreg find --commit 1a2b3c4
              mreg find --blob sha256:6b2749f733e6…
            """)

    @Option(name: .long, help: ArgumentHelp("A dataset name, sha256:PREFIX digest, or a file or folder (matched by content).", valueName: "dataset"))
    var dataset: String?

    @Option(name: .long, help: ArgumentHelp("A commit id or its prefix (at least 4 hex digits).", valueName: "sha"))
    var commit: String?

    @Option(name: .long, help: ArgumentHelp("A blob digest (sha256:…).", valueName: "digest"))
    var blob: String?

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let given = [dataset, commit, blob].compactMap { $0 }
        guard given.count == 1 else { throw RegistryError(.usage, "give exactly one of --dataset, --commit or --blob") }
        let registry = try invocation.openRegistry(global)
        let results: [FindResult]
        if let dataset {
            results = try registry.find(dataset: dataset, currentDirectory: invocation.currentDirectory)
        } else if let commit {
            results = try registry.find(commit: commit)
        } else {
            results = try registry.find(blob: blob!)
        }
        if global.json {
            Console.json(FindDocument(results: results.map {
                .init(reference: $0.version.reference, version: $0.version.number, digest: $0.version.manifestDigest.description, relations: $0.relations, aliases: $0.aliases.map(\.value))
            }))
            return
        }
        if results.isEmpty {
            Console.out("no version is related to \(given[0])")
            return
        }
        for result in results {
            let aliases = result.aliases.isEmpty ? "" : " [holds \(result.aliases.map(\.value).joined(separator: ", "))]"
            Console.out("\(result.version.reference)\(aliases): \(result.relations.joined(separator: "; "))")
        }
    }
}

struct FindDocument: Encodable {
    struct Result: Encodable {
        let reference: String
        /// The version number, as every document names it.
        let version: Int
        let digest: String
        let relations: [String]
        let aliases: [String]
    }
    let results: [Result]
}

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

struct LineageDocument: Encodable {
    struct Node: Encodable {
        let id: String
        let kind: String
        let label: String
    }
    struct Edge: Encodable {
        let from: String
        let to: String
        let label: String
    }
    let root: String
    let nodes: [Node]
    let edges: [Edge]
}
