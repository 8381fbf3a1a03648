import ArgumentParser
import Foundation
import RegistryDocuments
import RegistryKit
import RegistryModel

struct DiffCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what changed between two versions: parameters, metrics, datasets, files and git commits.",
        discussion: """
            Parameters are compared by dotted path (nested objects flattened); metrics include the \
            latest evaluations, with deltas; datasets by role (same or changed fingerprint); files by \
            digest, with sizes. The commits from A's commit to B's are read from the git repository \
            of the current folder (or --git PATH): their subject lines (up to 50) and count, or that \
            the two commits have unrelated histories.

            EXAMPLES
              mreg diff churn@5 churn@7
              mreg diff churn@production churn@staging --json
            """)

    @Argument(help: ArgumentHelp("Version A.", valueName: "ref-a"))
    var referenceA: String

    @Argument(help: ArgumentHelp("Version B.", valueName: "ref-b"))
    var referenceB: String

    @Option(name: .customLong("git"), help: ArgumentHelp("The git work tree to read commits from (default: the current folder's).", valueName: "path"))
    var gitPath: String?

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let diff = try invocation.openRegistry(global).diff(referenceA, referenceB, history: try historySource(invocation))
        if global.json {
            Console.json(DiffDocument(diff))
            return
        }
        var lines = ["diff \(diff.a.reference) → \(diff.b.reference)"]
        lines.append(diff.params.isEmpty ? "params: no change" : "params")
        for change in diff.params {
            lines.append("  \(Self.mark(change.kind)) \(change.name): \(change.before.map(Self.text) ?? "-") → \(change.after.map(Self.text) ?? "-")")
        }
        lines.append("metrics")
        for change in diff.metrics {
            let delta = change.before.flatMap { before in change.after.map { $0 - before } }
            lines.append("  \(Self.mark(change.kind)) \(change.name): \(change.before.map(Format.metric) ?? "-") → \(change.after.map(Format.metric) ?? "-")"
                + (delta.map { " (\($0 >= 0 ? "+" : "")\(Format.metric($0)))" } ?? ""))
        }
        lines.append("datasets")
        for change in diff.datasets {
            lines.append("  \(Self.mark(change.kind)) \(change.name): \(change.before.map { $0.digest.short } ?? "-") → \(change.after.map { $0.digest.short } ?? "-")")
        }
        lines.append("files: \(diff.files.count) changed, \(diff.unchangedFiles) unchanged")
        for change in diff.files {
            lines.append("  \(Self.mark(change.kind)) \(change.name): \(change.before.map { "\($0.digest.short) \(Format.bytes($0.size))" } ?? "-") → \(change.after.map { "\($0.digest.short) \(Format.bytes($0.size))" } ?? "-")")
        }
        for (side, state) in [("A", diff.gitA), ("B", diff.gitB)] {
            lines.append("git \(side): " + Self.state(state))
        }
        if let git = diff.git {
            lines.append("git \(git.from.prefix(10)) → \(git.to.prefix(10)): \(Self.describe(git.relation)), \(git.total) commit(s) (from \(git.repository))")
            lines += git.commits.map { "  \($0.id.prefix(10)) \($0.subject)" }
            if git.total > git.commits.count { lines.append("  … and \(git.total - git.commits.count) more") }
        } else if let note = diff.gitNote {
            lines.append("git: \(note)")
        }
        Console.out(lines.joined(separator: "\n"))
    }

    /// "4f2a9c01b7 dirty: train.py, eval.py" or "4f2a9c01b7 clean".
    static func state(_ git: GitProvenance?) -> String {
        guard let git else { return "no commit recorded" }
        guard git.dirty else { return "\(git.commit.prefix(10)) clean" }
        let shown = git.changedPaths.prefix(10).joined(separator: ", ") + (git.changedPaths.count > 10 ? ", … (\(git.changedPaths.count) in all)" : "")
        return "\(git.commit.prefix(10)) dirty: \(shown)"
    }

    static func mark(_ kind: String) -> String {
        switch kind {
        case "added": "+"
        case "removed": "-"
        case "changed": "~"
        default: "="
        }
    }

    static func text(_ value: JSONValue) -> String {
        (try? CanonicalJSON.string(value, numbers: .kept)) ?? "?"
    }

    static func describe(_ relation: CommitRelation) -> String {
        switch relation {
        case .same: "the same commit"
        case .ancestor: "B's commit descends from A's"
        case .descendant: "A's commit descends from B's (listing commits in B not in A: none)"
        case .diverged(let base): "the histories diverged after \(base.prefix(10))"
        case .unrelated: "unrelated histories (no common commit)"
        }
    }
}
