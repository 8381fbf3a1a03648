import ArgumentParser
import DatasetProfiling
import Foundation
import RegistryDocuments
import RegistryKit
import RegistryModel

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
        Self.report(name: name, view, added: added, warnings: warnings, global: global)
    }

    static func report(name: String, _ view: DatasetView, added: Bool, warnings: [String], global: GlobalOptions) {
        if global.json {
            Console.json(DatasetAddDocument(name: name, added: added, warnings: warnings, dataset: DatasetDocument(view, samples: false)))
            return
        }
        if !global.quiet { for warning in warnings { Console.err("warning: \(warning)") } }
        let fingerprint = view.details.fingerprint
        let rows = view.profiles.map { "\($0.path): \($0.profile.rows) rows × \($0.profile.columns.count) columns" }
        Console.out("\(added ? "added" : "unchanged (already recorded)"): dataset \(name) \(fingerprint.digest) (\(Format.bytes(fingerprint.size)), \(fingerprint.fileCount) file(s))"
            + (rows.isEmpty ? "" : "; " + rows.joined(separator: "; ")))
    }
}
