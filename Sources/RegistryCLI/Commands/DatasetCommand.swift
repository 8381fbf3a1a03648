import ArgumentParser
import DatasetProfiling
import Foundation
import RegistryKit
import RegistryModel

struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Record datasets (fingerprint and column statistics) and look at them.",
        subcommands: [DatasetAddCommand.self, DatasetListCommand.self, DatasetShowCommand.self])
}

struct DatasetAddCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Fingerprint a file or folder and record it under a name, with column statistics.",
        discussion: """
            The digest covers the bytes (a folder: the listing of its files' digests). CSV, TSV and \
            JSON Lines files are also profiled in the same read: row count, and per column its type, \
            missing values, distinct estimate, numeric moments, percentiles and a sample, or the most \
            frequent values. The same content added twice is one dataset record; a name that gets new \
            content keeps its earlier contents.

            EXAMPLES
              mreg dataset add churn-train data/train.csv
              mreg dataset add events data/events/        # a folder of part files
            """)

    @Argument(help: "The dataset's name (lowercase letters, digits, '.', '_', '-', '/').")
    var name: String

    @Argument(help: "The file or folder.")
    var path: String

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let registry = try invocation.openRegistry(global)
        let (view, added, warnings) = try registry.addDataset(
            name: name, path: path, currentDirectory: invocation.currentDirectory, actor: invocation.registrant, progress: invocation.progress(global))
        if global.json {
            Console.json(DatasetAddDocument(name: name, added: added, warnings: warnings, dataset: DatasetDocument(view, samples: false)))
            return
        }
        for warning in warnings { note("warning: \(warning)") }
        let fingerprint = view.details.fingerprint
        let rows = view.profiles.map { "\($0.path): \($0.profile.rows) rows × \($0.profile.columns.count) columns" }
        Console.out("\(added ? "added" : "unchanged (already recorded)"): dataset \(name) \(fingerprint.digest) (\(Format.bytes(fingerprint.size)), \(fingerprint.fileCount) file(s))"
            + (rows.isEmpty ? "" : "; " + rows.joined(separator: "; ")))
    }
}

struct DatasetListCommand: RegistryCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List named datasets with their newest content.")

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let names = try invocation.openRegistry(global).datasetNames()
        if global.json {
            Console.json(DatasetListDocument(datasets: names.map {
                .init(name: $0.name, digest: $0.fingerprint.digest.description, size: $0.fingerprint.size, files: $0.fingerprint.fileCount,
                      addedAt: Timestamp.format($0.addedAt), sourcePath: $0.sourcePath)
            }))
        } else if names.isEmpty {
            note("no named datasets; add one with 'mreg dataset add NAME PATH'")
        } else {
            Console.out(Format.table(
                ["NAME", "DIGEST", "SIZE", "FILES", "ADDED", "FROM"],
                names.map { [$0.name, $0.fingerprint.digest.short, Format.bytes($0.fingerprint.size), "\($0.fingerprint.fileCount)", Timestamp.format($0.addedAt), $0.sourcePath] }))
        }
    }
}

struct DatasetShowCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a dataset's fingerprint, names, the versions that used it, and its column statistics.",
        discussion: """
            EXAMPLES
              mreg dataset show churn-train
              mreg dataset show sha256:660e34b0a6a6 --json --samples
            """)

    @Argument(help: "A dataset name, or sha256:PREFIX of its digest.")
    var dataset: String

    @Flag(name: .long, help: "Include each numeric column's value sample in --json output.")
    var samples = false

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let view = try invocation.openRegistry(global).dataset(dataset)
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
