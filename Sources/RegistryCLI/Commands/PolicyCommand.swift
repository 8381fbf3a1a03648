import ArgumentParser
import Policy
import RegistryKit

struct PolicyCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Check policy.toml and print the gates each alias applies.",
        discussion: """
            A malformed policy is reported with its line and key (exit 64), as 'promote' would; run \
            this in the CI job that changes policy.toml.

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
        var aliases = Set(policy.aliases.keys)
        for overrides in policy.models.values { aliases.formUnion(overrides.keys) }
        let rules = aliases.sorted().map { ($0, policy.rules(model: model ?? "", alias: $0)) }
        if global.json {
            Console.json(PolicyDocument(path: registry.layout.policy, model: model, aliases: rules.map { PolicyDocument.Alias($0.0, $0.1) }))
            return
        }
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

struct PolicyDocument: Encodable {
    struct Alias: Encodable {
        let alias: String
        let requireCleanGit: Bool
        let requireSignature: Bool
        let requireVerified: Bool
        let requireFrom: String?
        let min: [String: Double]
        let max: [String: Double]
        let noRegression: [String: Double]
        let significantImprovement: [String: Double]
        let lowerIsBetter: [String]

        init(_ alias: String, _ rules: AliasRules) {
            self.alias = alias
            requireCleanGit = rules.requireCleanGit ?? false
            requireSignature = rules.requireSignature ?? false
            requireVerified = rules.requireVerified ?? false
            requireFrom = rules.requireFrom
            min = rules.minimums
            max = rules.maximums
            noRegression = rules.noRegression
            significantImprovement = rules.significantImprovement
            lowerIsBetter = rules.lowerIsBetter ?? Policy.defaultLowerIsBetter
        }

        var lines: [String] {
            var lines = [String]()
            if requireCleanGit { lines.append("require_clean_git") }
            if requireSignature { lines.append("require_signature") }
            if requireVerified { lines.append("require_verified") }
            if let requireFrom { lines.append("require_from \(requireFrom)") }
            lines += min.keys.sorted().map { "min \($0) >= \(Format.metric(min[$0]!))" }
            lines += max.keys.sorted().map { "max \($0) <= \(Format.metric(max[$0]!))" }
            lines += noRegression.keys.sorted().map { "no_regression \($0) within \(Format.metric(noRegression[$0]!))" }
            lines += significantImprovement.keys.sorted().map { "significant_improvement \($0) at level \(Format.metric(significantImprovement[$0]!))" }
            return lines
        }
    }
    let path: String
    let model: String?
    let aliases: [Alias]
}
