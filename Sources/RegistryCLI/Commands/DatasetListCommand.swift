import ArgumentParser
import DatasetProfiling
import Foundation
import RegistryDocuments
import RegistryKit
import RegistryModel

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
