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
                path: registry.layout.policy, model: model, aliases: rules.map { PolicyDocument.Alias($0.0, $0.1) }, warnings: warnings))
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
        /// Every metric gate reads only computed values (true), or these metric keys do.
        let requireComputed: Bool
        let requireComputedMetrics: [String]

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
            requireComputed = rules.requireComputed ?? false
            requireComputedMetrics = rules.requireComputedMetrics.sorted()
        }

        var lines: [String] {
            var lines = [String]()
            if requireCleanGit { lines.append("require_clean_git") }
            if requireSignature { lines.append("require_signature") }
            if requireVerified { lines.append("require_verified") }
            if let requireFrom { lines.append("require_from \(requireFrom)") }
            if requireComputed { lines.append("require_computed (every metric gate)") }
            if !requireComputedMetrics.isEmpty { lines.append("require_computed \(requireComputedMetrics.joined(separator: ", "))") }
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
    let warnings: [String]
}
