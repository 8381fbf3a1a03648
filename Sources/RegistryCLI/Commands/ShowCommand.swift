import ArgumentParser
import RegistryDocuments
import RegistryKit
import RegistryModel

struct ShowCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show everything recorded about a version.",
        discussion: """
            EXAMPLES
              mreg show churn              # the latest version
              mreg show churn@3
              mreg show churn@sha256:4f2a9c01b7de
            """)

    @Argument(help: ArgumentHelp("NAME, NAME@3, NAME@ALIAS or NAME@sha256:PREFIX.", valueName: "ref"))
    var reference: String

    @OptionGroup var global: GlobalOptions

    /// What `show --json` prints, and `mreg serve` answers on `/v1/show`.
    static func document(_ details: VersionDetails) -> VersionDocument {
        VersionDocument(details.record, release: details.release, evaluations: details.evaluations, annotations: details.annotations)
    }

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let registry = try invocation.openRegistry(global)
        let details = try registry.details(reference: reference)
        let (record, release, evaluations, annotations) = (details.record, details.release, details.evaluations, details.annotations)
        if global.json {
            Console.json(Self.document(details))
            return
        }
        let (labels, description) = record.annotated(by: annotations)
        var lines = [
            "\(record.model)@\(record.number)",
            "  digest       \(record.manifestDigest)",
            "  created      \(Timestamp.format(record.createdAt)) by \(record.registrant.user)@\(record.registrant.host)"
                + (record.registrant.ciProvider.map { " (\($0)" + (record.registrant.ciJobID.map { " job \($0)" } ?? "") + ")" } ?? ""),
        ]
        if let description { lines.append("  description  \(description)") }
        if !release.aliases.isEmpty { lines.append("  aliases      \(release.aliases.map(\.value).joined(separator: ", "))") }
        if let deletion = release.deletion {
            lines.append("  status       DELETED on \(Timestamp.format(deletion.at)) (event #\(deletion.sequence)): \(deletion.reason)")
        }
        if let reason = release.deprecation { lines.append("  status       DEPRECATED: \(reason)") }
        if let rollback = release.rollback { lines.append("  status       ROLLED BACK \(rollback)") }
        for signature in release.signatures {
            let state = switch signature.state {
            case .valid: "valid"
            case .untrusted: "UNTRUSTED KEY"
            case .invalid: "INVALID"
            }
            lines.append("  signature    \(signature.keyName) (\(signature.fingerprint.short)) \(state), by \(signature.signedBy) at \(Timestamp.format(signature.signedAt))")
        }
        if let parent = record.parent { lines.append("  parent       \(parent.reference) (\(parent.manifestDigest.short))") }
        if let git = record.git {
            lines.append("  git          \(git.commit)\(git.dirty ? " (dirty: \(git.changedPaths.count) changed path(s))" : "")")
            lines.append("               branch \(git.branch ?? "(detached HEAD)")\(git.remoteURL.map { ", origin \($0)" } ?? "")")
            lines.append("               \(git.author), \(Timestamp.format(git.committedAt))")
            lines.append("               \(git.message.split(separator: "\n").first.map(String.init) ?? "")")
        } else {
            lines.append("  git          \(record.gitNote ?? "not recorded")")
        }
        if !record.params.isEmpty {
            lines.append("  params")
            for key in record.params.keys.sorted() {
                lines.append("    \(key) = \((try? CanonicalJSON.string(record.params[key]!, numbers: .kept)) ?? "?")")
            }
        }
        if !record.metrics.isEmpty {
            lines.append("  metrics")
            lines += record.metrics.map { "    \($0.key) = \(Format.metric($0.value))" }
        }
        if !record.datasets.isEmpty {
            lines.append("  datasets")
            lines += record.datasets.map {
                "    \($0.role): \($0.fingerprint.digest.short) \(Format.bytes($0.fingerprint.size)), \($0.fingerprint.fileCount) file(s)"
                    + "\($0.stored ? ", stored" : ""), from \($0.sourcePath)"
            }
        }
        if !labels.isEmpty {
            lines.append("  labels")
            lines += labels.keys.sorted().map { "    \($0) = \(labels[$0]!)" }
        }
        for annotation in annotations {
            var changes = annotation.annotation.labels.keys.sorted().map { "\($0)=\(annotation.annotation.labels[$0]!)" }
            changes += annotation.annotation.removedLabels.map { "-\($0)" }
            if let text = annotation.annotation.description { changes.append(text.isEmpty ? "description cleared" : "description") }
            lines.append("  annotated    #\(annotation.sequence) \(Timestamp.format(annotation.at)) by \(annotation.actor.user)@\(annotation.actor.host): "
                + changes.joined(separator: ", ") + (annotation.reason.map { " (\($0))" } ?? ""))
        }
        for evaluation in evaluations {
            lines.append("  evaluation #\(evaluation.id) on \(evaluation.datasetKey) (\(evaluation.dataset.short))\(evaluation.task.map { ", \($0)" } ?? ""), "
                + "\(Timestamp.format(evaluation.createdAt)) by \(evaluation.registrant.user)@\(evaluation.registrant.host)"
                + (evaluation.gitCommit.map { ", code \($0.prefix(10))\(evaluation.gitDirty ? "+dirty" : "")" } ?? ""))
            lines += EvaluationText.lines(evaluation).map { "  " + $0 }
        }
        lines.append("  files (\(record.files.count), \(Format.bytes(record.totalSize)))")
        lines += record.files.map { "    \($0.digest.short)  \(Format.bytes($0.size).padding(toLength: 10, withPad: " ", startingAt: 0))  \($0.path)\($0.executable ? " (executable)" : "")" }
        Console.out(lines.joined(separator: "\n"))
    }
}
