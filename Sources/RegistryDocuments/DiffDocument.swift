import Foundation
import RegistryKit
import RegistryModel

public struct DiffDocument: Codable {
    public struct Change: Codable {
        public let name: String
        public let change: String
        public let before: JSONValue?
        public let after: JSONValue?
        public let delta: Double?

        public init(name: String, change: String, before: JSONValue?, after: JSONValue?, delta: Double?) {
            self.name = name
            self.change = change
            self.before = before
            self.after = after
            self.delta = delta
        }
    }
    public struct Commit: Codable {
        public let id: String
        public let subject: String
    }
    /// The commits between the versions' commits; also what a client sends `mreg serve` of its
    /// own repository (`DiffUpload`).
    public struct Git: Codable {
        public let from: String
        public let to: String
        public let relation: String
        public let mergeBase: String?
        public let total: Int
        public let commits: [Commit]
        /// The work tree the history was read from.
        public let repository: String

        public init(_ history: VersionDiff.History) {
            let (relation, base): (String, String?) = switch history.relation {
            case .same: ("same", nil)
            case .ancestor: ("ancestor", nil)
            case .descendant: ("descendant", nil)
            case .diverged(let mergeBase): ("diverged", mergeBase)
            case .unrelated: ("unrelated", nil)
            }
            (from, to, self.relation, mergeBase, total, repository) = (history.from, history.to, relation, base, history.total, history.repository)
            commits = history.commits.map { Commit(id: $0.id, subject: $0.subject) }
        }

        /// The history this describes, or nil when its relation is not one of ours.
        public var history: VersionDiff.History? {
            let relation: CommitRelation
            switch (self.relation, mergeBase) {
            case ("same", _): relation = .same
            case ("ancestor", _): relation = .ancestor
            case ("descendant", _): relation = .descendant
            case ("diverged", let base?): relation = .diverged(mergeBase: base)
            case ("unrelated", _): relation = .unrelated
            default: return nil
            }
            return VersionDiff.History(
                from: from, to: to, relation: relation, commits: commits.map { CommitSummary(id: $0.id, subject: $0.subject) }, total: total,
                repository: repository)
        }
    }
    /// A version's recorded git state, and the work tree it was registered from.
    public struct State: Codable {
        public let commit: String
        public let dirty: Bool
        public let changedPaths: [String]
        public let workTree: String?

        public init(_ git: GitProvenance) {
            commit = git.commit
            dirty = git.dirty
            changedPaths = git.changedPaths
            workTree = git.workTree
        }
    }
    public let a: String
    public let b: String
    public let params: [Change]
    public let metrics: [Change]
    public let datasets: [Change]
    public let files: [Change]
    public let unchangedFiles: Int
    public let git: Git?
    public let gitNote: String?
    public let gitA: State?
    public let gitB: State?

    public init(_ diff: VersionDiff) {
        gitA = diff.gitA.map(State.init)
        gitB = diff.gitB.map(State.init)
        a = diff.a.reference
        b = diff.b.reference
        params = diff.params.map { Change(name: $0.name, change: $0.kind, before: $0.before, after: $0.after, delta: nil) }
        metrics = diff.metrics.map { change in
            Change(name: change.name, change: change.kind, before: change.before.map(JSONValue.number), after: change.after.map(JSONValue.number),
                   delta: change.before.flatMap { before in change.after.map { $0 - before } })
        }
        datasets = diff.datasets.map { Change(name: $0.name, change: $0.kind, before: $0.before.map { .string($0.digest.description) }, after: $0.after.map { .string($0.digest.description) }, delta: nil) }
        files = diff.files.map { change in
            func entry(_ file: FileEntry?) -> JSONValue? {
                file.map { .object(["digest": .string($0.digest.description), "size": .integer($0.size), "executable": .bool($0.executable)]) }
            }
            return Change(name: change.name, change: change.kind, before: entry(change.before), after: entry(change.after), delta: nil)
        }
        unchangedFiles = diff.unchangedFiles
        git = diff.git.map(Git.init)
        gitNote = diff.gitNote
    }
}
