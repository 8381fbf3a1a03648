import ArgumentParser
import RegistryDocuments
import RegistryKit
import RegistryModel

struct UndeleteCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "undelete",
        abstract: "Restore a deleted version, while gc has not removed its files.",
        discussion: """
            Every file of the version is checked in the blob store first; once gc has removed one, \
            it is too late (exit 4) and nothing changes. Registering the same files again stores \
            them again (the same content is the same version, so 'register' says so and changes \
            nothing else), after which undelete works. The undeletion is a ledger event. Undeleting \
            a version that is not deleted changes nothing.

            EXAMPLES
              mreg undelete churn@4 --reason "deleted by mistake"
            """)

    @Argument(help: ArgumentHelp("The version.", valueName: "ref"))
    var reference: String

    @Option(name: .long, help: "Why (recorded with the event).")
    var reason: String?

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let registry = try invocation.openRegistry(global)
        let (record, event, imageNote) = try registry.undelete(reference: reference, reason: reason, actor: invocation.registrant)
        reportVersionEvent(record, event, done: "undeleted", unchanged: "is not deleted")
        imageNote.map(note)
    }
}
