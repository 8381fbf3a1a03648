import ArgumentParser
import RegistryDocuments
import RegistryKit
import RegistryModel

struct DeprecateCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "deprecate",
        abstract: "Mark a version that must not be promoted again (without --force).",
        discussion: """
            The mark and its reason are shown by 'list' and 'show' and recorded in the history. \
            Aliases that point at the version stay where they are: roll them back or promote another.

            EXAMPLES
              mreg deprecate churn@4 --reason "trained on the leaky 2026-02 export"
            """)

    @Argument(help: ArgumentHelp("The version.", valueName: "ref"))
    var reference: String

    @Option(name: .long, help: "Why (required).")
    var reason: String?

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let registry = try invocation.openRegistry(global)
        let (record, event) = try registry.deprecate(reference: reference, reason: reason, actor: invocation.registrant)
        reportVersionEvent(record, event, done: "deprecated", unchanged: "is already deprecated")
        if global.json { return }
        let name = "\(record.model)@\(record.number)"
        let held = try registry.releaseState(of: record).aliases
        if !held.isEmpty {
            note("note: \(name) still holds \(held.map(\.value).joined(separator: ", ")); roll back or promote another version to move it")
        }
    }
}
