import RegistryStorage
import Foundation
import RegistryModel

/// A version found by `find`, with every way it relates to the search and the aliases it holds now.
public struct FindResult: Sendable {
    public let version: VersionPointer
    public let relations: [String]
    public let aliases: [AliasName]
}

/// The lineage graph around a version: versions, datasets, evaluations and commits.
public struct LineageGraph: Sendable {
    public struct Node: Sendable, Hashable {
        public enum Kind: String, Sendable { case version, dataset, evaluation, commit }
        public let id: String
        public let kind: Kind
        public let label: String
    }

    public struct Edge: Sendable, Hashable {
        public let from: String
        public let to: String
        public let label: String
    }

    public let root: String
    public let nodes: [Node]
    public let edges: [Edge]
}

extension Registry {
    /// Versions that trained or were evaluated on a dataset (a name, a digest, or a path when
    /// `currentDirectory` is given: a server answering a client reads no path of its own).
    public func find(dataset reference: String, currentDirectory: String?) throws(RegistryError) -> [FindResult] {
        let digest: Digest
        if let currentDirectory, !reference.hasPrefix(Digest.algorithm + ":"),
            FileManager.default.fileExists(atPath: RegistryLocator.absolute(reference, from: currentDirectory)),
            try database({ (db) throws(MetadataError) in try db.datasetDigest(named: reference) }) == nil
        {
            let files = try SourceFileCollector.collect([reference], currentDirectory: currentDirectory, what: "dataset")
            digest = try fingerprintDataset(
                role: "find", path: reference, files: files, currentDirectory: currentDirectory, store: false, progress: nil, profile: false
            ).use.fingerprint.digest
        } else {
            digest = try datasetDigest(reference)
        }
        return try grouped(try database { (db) throws(MetadataError) in try db.findings(dataset: digest) })
    }

    /// Versions built from (or evaluated by code at) commits starting with `prefix`.
    public func find(commit prefix: String) throws(RegistryError) -> [FindResult] {
        let hex = prefix.lowercased()
        guard hex.count >= 4, hex.utf8.allSatisfy(Digest.isLowerHex) else {
            throw .usage("'\(prefix)' is not a commit id prefix", hint: "give at least 4 hex digits")
        }
        return try grouped(try database { (db) throws(MetadataError) in try db.findings(commitPrefix: hex) })
    }

    /// Everything that references a blob.
    ///
    /// `text` is a digest, or at least 12 of its first hex digits (with or without `sha256:`),
    /// as `mreg show` and `verify` print them; a prefix names the one stored blob it starts.
    public func find(blob text: String) throws(RegistryError) -> [FindResult] {
        let digest = try blobDigest(text)
        return try grouped(try database { (db) throws(MetadataError) in try db.findings(blob: digest) })
    }

    private func blobDigest(_ text: String) throws(RegistryError) -> Digest {
        if let digest = Digest(parsing: text) ?? Digest(hex: text.lowercased()) { return digest }
        let hex = (text.hasPrefix(Digest.algorithm + ":") ? String(text.dropFirst(Digest.algorithm.count + 1)) : text).lowercased()
        guard hex.utf8.count >= Digest.minimumPrefixLength, hex.utf8.allSatisfy(Digest.isLowerHex) else {
            throw .usage("'\(text)' is not a blob digest", hint: "give sha256: and 64 hex digits, or at least \(Digest.minimumPrefixLength) of them")
        }
        let matches = try storeBlob { () throws(ContentStoreError) in try blobs.listBlobs() }.blobs.filter { $0.hex.hasPrefix(hex) }
        guard let first = matches.first else {
            throw .notFound("no stored blob starts with \(hex)", hint: "run 'mreg verify' to list missing blobs")
        }
        guard matches.count == 1 else { throw .usage("'\(text)' matches \(matches.count) blobs", hint: "give more hex digits") }
        return first
    }

    private func grouped(_ findings: [Finding]) throws(RegistryError) -> [FindResult] {
        var order = [VersionPointer]()
        var relations = [VersionPointer: [String]]()
        for finding in findings {
            if relations[finding.version] == nil { order.append(finding.version) }
            relations[finding.version, default: []].append(finding.relation)
        }
        var aliasesByModel = [ModelName: [AliasName: VersionPointer]]()
        var results = [FindResult]()
        for version in order {
            if aliasesByModel[version.model] == nil {
                aliasesByModel[version.model] = try database { (db) throws(MetadataError) in try db.aliases(of: version.model) }
            }
            let held = aliasesByModel[version.model]!.filter { $0.value.number == version.number }.map(\.key).sorted()
            results.append(FindResult(version: version, relations: relations[version]!, aliases: held))
        }
        return results
    }

    /// The graph around a version: upstream its parents (fine-tuned from), datasets, commit and
    /// evaluations; downstream the versions fine-tuned from it; `depth` steps each way.
    public func lineage(_ reference: String, upstream: Bool, downstream: Bool, depth: Int) throws(RegistryError) -> LineageGraph {
        let start = try resolve(reference: reference)
        var nodes = [String: LineageGraph.Node]()
        var order = [String]()
        var edges = [LineageGraph.Edge]()
        func add(_ node: LineageGraph.Node) {
            if nodes[node.id] == nil {
                nodes[node.id] = node
                order.append(node.id)
            }
        }
        func versionNode(_ record: VersionRecord) -> String {
            let id = "\(record.model)@\(record.number)"
            add(.init(id: id, kind: .version, label: id))
            return id
        }
        let root = versionNode(start)
        if upstream {
            var frontier = [start]
            for _ in 0..<depth where !frontier.isEmpty {
                var next = [VersionRecord]()
                for record in frontier {
                    let id = versionNode(record)
                    for use in record.datasets {
                        let dataset = "dataset \(use.fingerprint.digest.short)"
                        add(.init(id: dataset, kind: .dataset, label: "\(use.fingerprint.digest.short) (\(use.sourcePath))"))
                        edges.append(.init(from: dataset, to: id, label: Self.datasetRelation(use.role)))
                    }
                    if let git = record.git {
                        let commit = "commit \(git.commit.prefix(10))"
                        add(.init(id: commit, kind: .commit, label: "\(git.commit.prefix(10)) \(git.message.split(separator: "\n").first.map(String.init) ?? "")"))
                        edges.append(.init(from: commit, to: id, label: "built from"))
                    }
                    for evaluation in try evaluations(of: record) {
                        let node = "evaluation #\(evaluation.id)"
                        add(.init(id: node, kind: .evaluation, label: "evaluation #\(evaluation.id) on \(evaluation.datasetKey)"))
                        edges.append(.init(from: id, to: node, label: "evaluated"))
                        let dataset = "dataset \(evaluation.dataset.short)"
                        add(.init(id: dataset, kind: .dataset, label: evaluation.dataset.short))
                        edges.append(.init(from: dataset, to: node, label: "evaluated on"))
                    }
                    if let parent = record.parent {
                        let parentRecord = try resolve(VersionRef(model: parent.model, selector: .number(parent.number)))
                        edges.append(.init(from: versionNode(parentRecord), to: id, label: "fine-tuned into"))
                        next.append(parentRecord)
                    }
                }
                frontier = next
            }
        }
        if downstream {
            var frontier = [start]
            for _ in 0..<depth where !frontier.isEmpty {
                var next = [VersionRecord]()
                for record in frontier {
                    for childID in try database({ (db) throws(MetadataError) in try db.childIDs(of: record.id) }) {
                        guard let child = try database({ (db) throws(MetadataError) in try db.record(id: childID) }) else { continue }
                        edges.append(.init(from: versionNode(record), to: versionNode(child), label: "fine-tuned into"))
                        next.append(child)
                    }
                }
                frontier = next
            }
        }
        var seen = Set<LineageGraph.Edge>()
        return LineageGraph(root: root, nodes: order.map { nodes[$0]! }, edges: edges.filter { seen.insert($0).inserted })
    }
}

extension Registry {
    /// Roles that name evaluation data: such a dataset was evaluated on, not trained on.
    static let evaluationRoles: Set<String> = ["holdout", "test", "eval", "evaluation", "validation", "valid", "val", "dev", "benchmark"]

    /// How a dataset used in `role` relates to the version in the lineage graph.
    static func datasetRelation(_ role: String) -> String {
        let lowered = role.lowercased()
        if lowered.hasPrefix("train") { return "trained on as \(role)" }
        if evaluationRoles.contains(lowered) || evaluationRoles.contains(where: { lowered.hasPrefix($0 + "_") || lowered.hasPrefix($0 + "-") }) {
            return "evaluated on as \(role)"
        }
        return "used as \(role)"
    }
}
