import ArgumentParser
import RegistryDocuments
import RegistryKit
import RegistryModel

struct RetentionCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Show which versions the registry's [retention] rules delete, and why; --apply deletes them.",
        discussion: """
            The rules are config.toml's [retention] section, with [retention.models.NAME] overrides:

              [retention]
              keep_last = 20                      # the newest 20 live versions of each model stay
              min_age = "30d"                     # and every version younger than 30 days
              protect_aliases = ["production"]    # and every version that ever held one of these

            A version goes only when every limit given lets it go, and it holds no alias now. --apply \\
            deletes each as 'mreg delete' does (its record and history stay; gc removes its files \\
            later), one ledger event each with the rule as its reason. Without --apply nothing changes.

            EXAMPLES
              mreg retention
              mreg retention churn --json
              mreg retention --apply
            """)

    @Argument(help: "Only this model (default: every model).")
    var name: String?

    @Flag(name: .long, help: "Delete the versions listed (default: only list them).")
    var apply = false

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let registry = try invocation.openRegistry(global)
        // Through the server, only the models the token is granted.
        let outcome = try registry.retention(model: name, apply: apply, actor: invocation.registrant) { invocation.maySee(model: $0.value) }
        if global.json {
            Console.json(RetentionDocument(outcome))
            return
        }
        guard outcome.configured else {
            note("config.toml has no [retention] section: nothing is deleted (see 'mreg retention --help')")
            return
        }
        let verb = apply ? "deleted" : "would delete"
        var rows = [[String]]()
        for model in outcome.models {
            for deletion in model.deletions {
                rows.append(["\(model.model)@\(deletion.number)", Timestamp.format(deletion.createdAt), deletion.why])
            }
        }
        if !rows.isEmpty { Console.out(Format.table(["VERSION", "CREATED", "WHY"], rows)) }
        for model in outcome.models {
            let protected = model.protected.isEmpty ? "" : "; kept \(model.protected.count) for their aliases (\(model.rule.protectAliases.joined(separator: ", ")) or held now)"
            Console.out("\(model.model): \(verb) \(model.deletions.count) version(s) (\(model.rule.summary))\(protected)")
            for skip in model.skipped { note("skipped \(model.model)@\(skip.number): \(skip.problem)") }
        }
        if outcome.models.isEmpty { Console.out("no model has retention limits") }
        if apply, outcome.models.contains(where: { !$0.deletions.isEmpty }) { note("note: 'mreg gc' removes their files") }
    }
}
