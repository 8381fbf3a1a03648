import ArgumentParser
import RegistryDocuments
import RegistryKit
import RegistryModel

struct DemoteCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "demote",
        abstract: "Clear an alias so that it points at no version.",
        discussion: """
            The alias keeps its history; 'mreg rollback' can bring back its last holder.

            EXAMPLES
              mreg demote churn --alias staging --reason "staging environment retired"
            """)

    @Argument(help: "The model.")
    var name: String

    @Option(name: .long, help: "The alias to clear.")
    var alias: String

    @Option(name: .long, help: "Why; recorded in the history.")
    var reason: String?

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let registry = try invocation.openRegistry(global)
        let (previous, event) = try registry.demote(model: name, alias: alias, reason: reason, actor: invocation.registrant)
        if global.json {
            Console.json(DemoteDocument(
                model: name, alias: alias, previous: previous.map(PointerDocument.init), changed: event != nil, event: event.map(EventDocument.init)))
        } else if let event {
            Console.out("demoted: \(alias) of \(name) no longer points at \(previous?.reference ?? "a version"); event #\(event.event.sequence)")
        } else {
            Console.out("unchanged: \(alias) of \(name) already points at no version")
        }
    }
}
