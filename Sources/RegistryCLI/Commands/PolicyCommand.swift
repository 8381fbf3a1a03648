import ArgumentParser
import Policy
import RegistryKit

struct PolicyCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Check policy.toml and print the gates each alias applies.",
        discussion: """
            A malformed policy is reported with its line and key (exit 64), as 'promote' would; run \
            this in the CI job that changes policy.toml. Warnings (on stderr, and in --json) name \
            what the policy refers to that does not exist: a [models.NAME] section for a model the \
            registry lacks, a require_from alias nothing defines or ever held, and with --model, \
            gate metrics that no version of the model has ever had (with the synonym it has, if any).

            EXAMPLES
              mreg policy                  # the general rules of every alias
              mreg policy --model churn    # with churn's overrides applied
            """)

    @Option(name: .long, help: "Apply this model's overrides.")
    var model: String?

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let registry = try invocation.openRegistry(global)
        let policy = try registry.policy()
        let rules = policy.aliasNames.sorted().map { ($0, policy.rules(model: model ?? "", alias: $0)) }
        let warnings = try registry.policyWarnings(policy, model: model)
        if global.json {
            Console.json(PolicyDocument(
                path: registry.layout.policy, model: model, aliases: rules.map { PolicyDocument.Alias($0.0, $0.1) },
                lowerIsBetter: policy.lowerIsBetter ?? Policy.defaultLowerIsBetter, warnings: warnings))
            return
        }
        for warning in warnings { Console.err("warning: \(warning)") }
        if rules.isEmpty {
            Console.out("no gates: \(registry.layout.policy) is absent or sets no alias rules (deprecated and rolled-back versions are still refused)")
            return
        }
        for (alias, rule) in rules {
            Console.out("[\(alias)]\(model.map { " for \($0)" } ?? "")")
            let lines = PolicyDocument.Alias(alias, rule).lines
            Console.out(lines.isEmpty ? "  (no gates)" : lines.map { "  " + $0 }.joined(separator: "\n"))
        }
    }
}
