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
        var results: [FindResult]
        if let dataset {
            results = try registry.find(dataset: dataset, currentDirectory: invocation.served == nil ? invocation.currentDirectory : nil)
        } else if let commit {
            results = try registry.find(commit: commit)
        } else {
            results = try registry.find(blob: blob!)
        }
        // Through a server, only the versions of models the token is granted.
        results = results.filter { invocation.maySee(model: $0.version.model.value) }
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
