import ArgumentParser
import RegistryDocuments
import RegistryKit
import RegistryModel

struct AnnotateCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "annotate",
        abstract: "Change a version's labels or description after registration.",
        discussion: """
            Each change is an 'annotate' event in the ledger (who, when, why, and a document the \
            event commits to); 'show' prints the labels and description with every annotation \
            applied and lists the annotations. The manifest keeps what was registered, so the \
            version's digest does not change. Changing nothing writes nothing.

            EXAMPLES
              mreg annotate churn@3 --label owner=growth --reason "team moved"
              mreg annotate churn@3 --unset-label experimental --description "the spring model"
            """)

    @Argument(help: ArgumentHelp("The version.", valueName: "ref"))
    var reference: String

    @Option(name: .customLong("label"), help: ArgumentHelp("Set a label (repeatable).", valueName: "key=value"))
    var labels: [String] = []

    @Option(name: .customLong("unset-label"), help: ArgumentHelp("Remove a label (repeatable).", valueName: "key"))
    var unsetLabels: [String] = []

    @Option(name: .long, help: "The new description (\"\" clears it).")
    var description: String?

    @Option(name: .long, help: "Why; recorded in the history.")
    var reason: String?

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        var set = [String: String]()
        for label in labels {
            let (key, value) = try InputParsing.keyValue(label, flag: "--label")
            set[key] = value
        }
        let registry = try invocation.openRegistry(global)
        let (record, event) = try registry.annotate(
            reference: reference, Annotation(labels: set, removedLabels: unsetLabels, description: description), reason: reason,
            actor: invocation.registrant)
        let name = "\(record.model)@\(record.number)"
        if global.json {
            Console.json(VersionEventDocument(record, event: event))
        } else {
            Console.out(event.map { "annotated: \(name); event #\($0.event.sequence)" } ?? "unchanged: \(name) already has these labels and description")
        }
    }
}
