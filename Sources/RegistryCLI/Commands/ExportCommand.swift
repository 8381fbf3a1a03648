import ArgumentParser
import RegistryKit

struct ExportCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a version's files to a folder, verifying every digest while copying.",
        discussion: """
            The files are written to a hidden folder beside DEST and renamed into place when all are \
            verified, so an interrupted export never leaves a tree that looks complete. A corrupt blob \
            stops the export (exit 5) and nothing is written to DEST.

            EXAMPLES
              mreg export churn@3 ./serving/model
              mreg export churn@production ./serving/model --force
            """)

    @Argument(help: ArgumentHelp("The version to export.", valueName: "ref"))
    var reference: String

    @Argument(help: ArgumentHelp("The folder to create (it may exist if empty).", valueName: "dest"))
    var destination: String

    @Flag(name: .long, help: "Replace a non-empty destination folder.")
    var force = false

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let registry = try invocation.openRegistry(global)
        let outcome = try registry.export(
            reference, to: destination, force: force, currentDirectory: invocation.currentDirectory, progress: invocation.progress(global))
        let version = outcome.version
        if global.json {
            Console.json(ExportDocument(
                reference: "\(version.model)@\(version.number)", digest: version.manifestDigest.description,
                destination: outcome.destination, files: outcome.files, bytes: outcome.bytes, replaced: outcome.replaced))
        } else {
            Console.out("exported \(version.model)@\(version.number) to \(outcome.destination): \(outcome.files) file(s), \(Format.bytes(outcome.bytes)), all digests verified")
        }
    }
}
