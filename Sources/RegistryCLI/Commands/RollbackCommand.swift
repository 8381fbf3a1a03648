import ArgumentParser
import RegistryDocuments
import RegistryKit
import RegistryModel

struct RollbackCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Move an alias back to the version that held it before the current one.",
        discussion: """
            The version rolled back from is marked 'rolled back' (with the reason): later rollbacks \
            skip it and 'promote' refuses it without --force. Run again, rollback walks further back \
            through the alias's history. The target's blobs are re-hashed before the alias moves; \
            gates are not re-run (it passed them when it was promoted). With no earlier holder, \
            nothing changes and the exit status is 4.

            EXAMPLES
              mreg rollback churn --alias production --reason "latency regression INC-142"
              mreg rollback churn --alias production --to 5 --reason "back to the spring model"
            """)

    @Argument(help: "The model.")
    var name: String

    @Option(name: .long, help: "The alias to move back.")
    var alias: String

    @Option(name: .long, help: ArgumentHelp("An explicit earlier holder (3, v3 or NAME@3).", valueName: "ref"))
    var to: String?

    @Option(name: .long, help: "Why; recorded in the history and shown with the rolled-back version.")
    var reason: String?

    @Flag(name: .long, help: "Allow a --to version that is deprecated or was rolled back (needs --reason).")
    var force = false

    @OptionGroup var global: GlobalOptions

    /// What `rollback --json` prints, and `mreg serve` answers on `/v1/rollback`.
    static func document(model: String, _ outcome: RollbackOutcome) -> RollbackDocument {
        RollbackDocument(
            model: model, alias: outcome.alias.value, from: outcome.from.map(PointerDocument.init), to: PointerDocument(outcome.to),
            skipped: outcome.skipped, event: EventDocument(outcome.event))
    }

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let registry = try invocation.openRegistry(global)
        let outcome = try registry.rollback(
            RollbackRequest(model: name, alias: alias, target: to, reason: reason, force: force, actor: invocation.registrant),
            progress: invocation.progress(global))
        if global.json {
            Console.json(Self.document(model: name, outcome))
            return
        }
        for skipped in outcome.skipped { Console.out("  skipped \(skipped)") }
        let from = outcome.from.map { " from \($0.reference) (now marked rolled back)" } ?? ""
        Console.out("rolled back: \(outcome.alias) of \(name) now points at \(outcome.to.reference)\(from); blobs verified; event #\(outcome.event.event.sequence)")
    }
}
