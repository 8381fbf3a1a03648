import Foundation
import GitLinkage
import RegistryStorage
import RegistryModel

/// What changed between two versions (`mreg diff`).
public struct VersionDiff: Sendable {
    public struct Change<Value: Sendable & Equatable>: Sendable {
        public let name: String
        public let before: Value?
        public let after: Value?
        /// added, removed, changed or same.
        public var kind: String {
            switch (before, after) {
            case (nil, _?): "added"
            case (_?, nil): "removed"
            case let (old?, new?): old == new ? "same" : "changed"
            case (nil, nil): "same"
            }
        }
    }

    /// The git commits from A's commit to B's.
    public struct History: Sendable, Equatable {
        public let from: String
        public let to: String
        public let relation: CommitRelation
        public let commits: [CommitSummary]
        public let total: Int
        /// The work tree the history was read from.
        public let repository: String

        public init(from: String, to: String, relation: CommitRelation, commits: [CommitSummary], total: Int, repository: String) {
            self.from = from
            self.to = to
            self.relation = relation
            self.commits = commits
            self.total = total
            self.repository = repository
        }
    }

    public let a: VersionPointer
    public let b: VersionPointer
    /// Parameters by dotted path (nested objects flattened); only those that differ.
    public let params: [Change<JSONValue>]
    /// Every metric of either version (registered, overridden by the latest evaluations).
    public let metrics: [Change<Double>]
    /// Every dataset role of either version.
    public let datasets: [Change<DatasetFingerprint>]
    /// Files that were added, removed or changed; and how many are identical.
    public let files: [Change<FileEntry>]
    public let unchangedFiles: Int
    public let git: History?
    /// Why there is no git history (no commit recorded, no repository, unknown commit).
    public let gitNote: String?
    /// Each version's recorded git state: commit, and whether (and where) its tree was dirty.
    public let gitA: GitProvenance?
    public let gitB: GitProvenance?
}

/// Where `diff` gets the commits between two versions' commits: the code is not in the registry.
public enum DiffHistorySource: Sendable {
    /// Read from the repository containing this folder (`explicit`: only that one) or from a
    /// work tree the versions were registered from.
    case read(from: String, explicit: Bool)
    /// What a client read from its own repository (`mreg diff` through a server), or why it
    /// could not.
    case supplied(VersionDiff.History?, note: String?)
    /// Nothing read: a server asked without the client's walk.
    case unread
}

extension Registry {
    public static let diffCommitLimit = 50

    /// Compares two versions: parameters, metrics, datasets, files, each one's git state, and the
    /// commits between their commits, from `source` (a server reads no repository of its own:
    /// its client sends what it read from its own).
    public func diff(_ referenceA: String, _ referenceB: String, history source: DiffHistorySource) throws(RegistryError) -> VersionDiff {
        let a = try resolve(reference: referenceA), b = try resolve(reference: referenceB)
        let paramsA = Self.flatten(a.params), paramsB = Self.flatten(b.params)
        let params = Set(paramsA.keys).union(paramsB.keys).sorted()
            .map { VersionDiff.Change(name: $0, before: paramsA[$0], after: paramsB[$0]) }.filter { $0.kind != "same" }
        let metricsA = try gateMetrics(of: a).mapValues(\.value), metricsB = try gateMetrics(of: b).mapValues(\.value)
        let metrics = Set(metricsA.keys).union(metricsB.keys).sorted().map { VersionDiff.Change(name: $0, before: metricsA[$0], after: metricsB[$0]) }
        let datasetsA = Dictionary(a.datasets.map { ($0.role, $0.fingerprint) }, uniquingKeysWith: { first, _ in first })
        let datasetsB = Dictionary(b.datasets.map { ($0.role, $0.fingerprint) }, uniquingKeysWith: { first, _ in first })
        let datasets = Set(datasetsA.keys).union(datasetsB.keys).sorted().map { VersionDiff.Change(name: $0, before: datasetsA[$0], after: datasetsB[$0]) }
        let filesA = Dictionary(a.files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let filesB = Dictionary(b.files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let allFiles = Set(filesA.keys).union(filesB.keys).sorted().map { VersionDiff.Change(name: $0, before: filesA[$0], after: filesB[$0]) }
        let changedFiles = allFiles.filter { change in
            guard let before = change.before, let after = change.after else { return true }
            return before.digest != after.digest || before.executable != after.executable
        }
        var history: VersionDiff.History?
        var note: String?
        if let commitA = a.git?.commit, let commitB = b.git?.commit {
            switch source {
            case .read(let location, let explicit):
                // The given (or current) repository first, then the work trees the versions were
                // registered from, if they are still on this machine.
                (history, note) = Self.commitHistory(
                    from: commitA, to: commitB, reading: location, explicit: explicit, recordedWorkTrees: [b.git?.workTree, a.git?.workTree].compactMap { $0 })
            case .supplied(let walk, let reason):
                if let walk, walk.from != commitA || walk.to != commitB {
                    note = "the client sent the commits between \(walk.from.prefix(10)) and \(walk.to.prefix(10)), not between these versions' commits"
                } else {
                    (history, note) = (walk, walk == nil ? reason : nil)
                }
            case .unread:
                note = "the commits between them are not read through a server (run 'git log \(commitA.prefix(10))..\(commitB.prefix(10))' in the code's repository)"
            }
        } else {
            note = "\(a.git == nil ? "\(a.model)@\(a.number)" : "\(b.model)@\(b.number)") records no git commit"
        }
        return VersionDiff(
            a: VersionPointer(model: a.model, number: a.number, manifestDigest: a.manifestDigest),
            b: VersionPointer(model: b.model, number: b.number, manifestDigest: b.manifestDigest),
            params: params, metrics: metrics, datasets: datasets, files: changedFiles, unchangedFiles: allFiles.count - changedFiles.count,
            git: history, gitNote: note, gitA: a.git, gitB: b.git)
    }

    /// The commits from `commitA` to `commitB`, read from the repository containing `location`
    /// or, unless that is `explicit`, from a recorded work tree that holds both; else why not.
    public static func commitHistory(
        from commitA: String, to commitB: String, reading location: String, explicit: Bool, recordedWorkTrees: [String]
    ) -> (VersionDiff.History?, String?) {
        do {
            let recorded = recordedWorkTrees.filter { FileManager.default.fileExists(atPath: $0) }
            var lacking: GitRepository?
            for candidate in (explicit ? [location] : [location] + recorded) {
                guard let repository = try GitRepository.discover(from: candidate) else { continue }
                if repository.hasCommit(commitA) && repository.hasCommit(commitB) {
                    let walk = try repository.commits(from: commitA, to: commitB, limit: diffCommitLimit)
                    return (
                        VersionDiff.History(
                            from: commitA, to: commitB, relation: walk.relation, commits: walk.commits, total: walk.total, repository: repository.workTree),
                        nil
                    )
                }
                lacking = lacking ?? repository
            }
            if let lacking {
                return (nil, "the repository at \(lacking.workTree) does not hold \(lacking.hasCommit(commitA) ? commitB.prefix(10) : commitA.prefix(10)) (fetch it, or pass --git PATH)")
            }
            return (nil, "not inside a git repository, and the versions' recorded work trees are not on this machine (pass --git PATH to list the commits between the versions)")
        } catch {
            return (nil, "the git history cannot be read: \(error.message)")
        }
    }

    /// Nested objects become dotted paths (`optimizer.lr`); arrays and scalars stay values.
    static func flatten(_ params: [String: JSONValue], prefix: String = "") -> [String: JSONValue] {
        var result = [String: JSONValue]()
        for (key, value) in params {
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            if case .object(let members) = value, !members.isEmpty {
                result.merge(flatten(members, prefix: path)) { $1 }
            } else {
                result[path] = value
            }
        }
        return result
    }
}
