import ArgumentParser
import RegistryDocuments
import RegistryKit
import RegistryModel

struct LiftCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "lift",
        abstract: "Lift a version's deprecation, or its rolled-back mark for one alias.",
        discussion: """
            A rolled-back version is marked for the alias it was rolled back from only; it can still \
            be promoted to other aliases. Lifting a mark is a ledger event with its reason; the mark \
            and its lifting both stay in the history.

            EXAMPLES
              mreg lift churn@4 --deprecation --reason "the leak was in the eval split only"
              mreg lift churn@3 --rollback production --reason "INC-142 was a cache problem"
            """)

    @Argument(help: ArgumentHelp("The version.", valueName: "ref"))
    var reference: String

    @Flag(name: .long, help: "Lift the deprecation.")
    var deprecation = false

    @Option(name: .long, help: ArgumentHelp("Lift the rolled-back mark for this alias.", valueName: "alias"))
    var rollback: String?

    @Option(name: .long, help: "Why (required).")
    var reason: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if deprecation == (rollback != nil) { throw ValidationError("give --deprecation or --rollback ALIAS (one of them)") }
    }

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let registry = try invocation.openRegistry(global)
        let mark: LiftedMark = rollback.map { .rollback(alias: $0) } ?? .deprecation
        let (record, event) = try registry.lift(reference: reference, mark: mark, reason: reason, actor: invocation.registrant)
        let name = "\(record.model)@\(record.number)"
        if global.json {
            Console.json(VersionEventDocument(record, event: event))
        } else {
            let what = rollback.map { "the rolled-back mark of \(name) for \($0)" } ?? "the deprecation of \(name)"
            Console.out("lifted: \(what); event #\(event.event.sequence)")
        }
    }
}
