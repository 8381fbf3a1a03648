import ArgumentParser
import Policy
import RegistryKit

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
    /// The metrics counted lower-is-better where an alias does not say (`compare`, `diff`).
    let lowerIsBetter: [String]
    let warnings: [String]
}
