import ArgumentParser
import DatasetProfiling
import Foundation
import RegistryDocuments
import RegistryKit
import RegistryModel

struct DatasetShowCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a dataset's fingerprint, names, the versions that used it, and its column statistics.",
        discussion: """
            EXAMPLES
              mreg dataset show churn-train
              mreg dataset show sha256:660e34b0a6a6 --json --samples
              mreg dataset show churn-train --limit 100    # more of the versions that used it
            """)

    @Argument(help: "A dataset name, or sha256:PREFIX of its digest.")
    var dataset: String

    @Flag(name: .long, help: "Include each numeric column's value sample in --json output.")
    var samples = false

    @Option(name: .long, help: ArgumentHelp("How many of the versions that used it to list (a dataset may train thousands).", valueName: "n"))
    var limit = 20

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let view = try invocation.openRegistry(global).dataset(dataset, uses: limit)
        if global.json {
            Console.json(DatasetDocument(view, samples: samples))
            return
        }
        let details = view.details
        var lines = [
            "dataset \(details.fingerprint.digest)",
            "  size         \(Format.bytes(details.fingerprint.size)), \(details.fingerprint.fileCount) file(s)\(details.stored ? ", stored" : "")",
        ]
        for name in details.names {
            lines.append("  name         \(name.name) (from \(name.sourcePath), \(Timestamp.format(name.addedAt)) by \(name.addedBy.user)@\(name.addedBy.host))")
        }
        for use in details.usedBy { lines.append("  used by      \(use.version.reference) as \(use.role)") }
        if let total = details.usedByTotal, details.usedBy.count < total {
            lines.append("  used by      \(total - details.usedBy.count) more version(s) (--limit N lists more)")
        }
        for (path, profile) in view.profiles {
            lines.append("  \(path): \(profile.format.rawValue), \(profile.rows) rows, \(profile.columns.count) columns")
            if let problem = Registry.describeProblems(profile.problems) { lines.append("    note: \(problem)") }
            let table = Format.table(
                ["COLUMN", "TYPE", "MISSING", "DISTINCT", "MIN", "MEAN", "MAX", "STD", "TOP"],
                profile.columns.map { column in
                    let numeric = column.numeric
                    return [column.name, column.type.rawValue, "\(column.missing)", "~\(column.distinctEstimate)",
                            numeric.map { Format.metric($0.min) } ?? "", numeric.map { Format.metric($0.mean) } ?? "",
                            numeric.map { Format.metric($0.max) } ?? "", numeric.map { Format.metric($0.std) } ?? "",
                            column.top.prefix(3).map { "\(RegistryError.oneLineText($0.value, limit: 20))=\($0.count)" }.joined(separator: " ")]
                })
            lines += table.split(separator: "\n").map { "    " + $0 }
        }
        Console.out(lines.joined(separator: "\n"))
    }
}
