import ArgumentParser
import RegistryDocuments
import RegistryKit
import RegistryModel

struct DeleteCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a version: its files may then be removed by gc; its record and history stay.",
        discussion: """
            The deletion is a ledger event with its reason. The version's record, lineage and events \
            stay and say it was deleted; 'list' hides it (see --deleted) and it cannot be promoted \
            (not even with --force), rolled back to, exported or named as a parent. Its files stop \
            counting as in use, so the next 'mreg gc' removes those no other version shares. Until \
            then 'mreg undelete' restores it.

            A version that holds an alias is refused: move the alias first (promote another version, \
            roll back, or demote). Deleting a deleted version changes nothing.

            EXAMPLES
              mreg delete churn@4 --reason "trained on the leaky 2026-02 export"
            """)

    @Argument(help: ArgumentHelp("The version.", valueName: "ref"))
    var reference: String

    @Option(name: .long, help: "Why (required).")
    var reason: String?

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let registry = try invocation.openRegistry(global)
        let (record, event, imageNote) = try registry.delete(reference: reference, reason: reason, actor: invocation.registrant)
        reportVersionEvent(record, event, done: "deleted", unchanged: "is already deleted")
        imageNote.map(note)
        if event != nil, !global.json {
            note("note: 'mreg gc' removes its files that no other version uses; until then 'mreg undelete \(record.model)@\(record.number)' restores it")
        }
    }
}
