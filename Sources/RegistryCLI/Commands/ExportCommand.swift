import Foundation
import ArgumentParser
import RegistryDocuments
import RegistryKit
import RegistryModel

struct ExportCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a version's files to a folder, verifying every digest while copying.",
        discussion: """
            The files are written to a hidden folder beside DEST and renamed into place when all are \
            verified, so an interrupted export never leaves a tree that looks complete. A corrupt blob \
            stops the export (exit 5) and nothing is written to DEST. Missing parent folders of DEST \
            are created. --receipt FILE writes which version, manifest digest and files were exported \
            (JSON, schemas/export-receipt.schema.json), for the deploy job to keep.

            EXAMPLES
              mreg export churn@3 ./serving/model
              mreg export churn@production ./serving/model --force --receipt ./serving/receipt.json
            """)

    @Argument(help: ArgumentHelp("The version to export.", valueName: "ref"))
    var reference: String

    @Argument(help: ArgumentHelp("The folder to create (it may exist if empty).", valueName: "dest"))
    var destination: String

    @Flag(name: .long, help: "Replace a non-empty destination folder.")
    var force = false

    @Option(name: .long, help: ArgumentHelp("Write a JSON receipt of what was exported to this file.", valueName: "file"))
    var receipt: String?

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let registry = try invocation.openRegistry(global)
        let outcome = try registry.export(
            reference, to: destination, force: force, currentDirectory: invocation.currentDirectory, progress: invocation.progress(global))
        try report(outcome, invocation: invocation)
    }

    /// Writes the receipt, if asked for, and prints what was exported (from a folder or a server alike).
    func report(_ outcome: ExportOutcome, invocation: Invocation) throws(RegistryError) {
        let version = outcome.version
        if let receipt {
            let path = invocation.absolute(receipt)
            guard let data = Console.encode(ExportReceipt(outcome, exportedAt: Timestamp.format(Date()))) else {
                throw RegistryError(.internal, "internal error: the export receipt could not be encoded", hint: "this is a bug in mreg; please report it")
            }
            do {
                try data.write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw RegistryError(.io, "exported, but cannot write the receipt '\(receipt)': \(error.localizedDescription)")
            }
        }
        if global.json {
            Console.json(ExportDocument(
                reference: "\(version.model)@\(version.number)", version: version.number, digest: version.manifestDigest.description,
                destination: outcome.destination, files: outcome.files, bytes: outcome.bytes, replaced: outcome.replaced))
        } else {
            Console.out("exported \(version.model)@\(version.number) to \(outcome.destination): \(outcome.files) file(s), \(Format.bytes(outcome.bytes)), all digests verified")
        }
    }
}
