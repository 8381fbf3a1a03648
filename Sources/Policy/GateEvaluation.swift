import RegistryModel

/// What the registry knows about a version, gathered before its gates are evaluated.
public struct CandidateFacts: Sendable {
    public let reference: String
    /// Metric values by `DATASET.METRIC` key.
    public let metrics: [String: Double]
    /// Where each metric came from (missing: unknown, which `require_computed` refuses).
    public let provenance: [String: MetricProvenance]
    /// The commit and whether its work tree was dirty; nil when no git information was recorded.
    public let git: (commit: String, dirty: Bool)?
    public let deprecation: String?
    /// The reason the version was rolled back from an alias, if it ever was.
    public let rollback: String?
    /// Every alias the version holds or has held.
    public let aliasesHeld: Set<String>
    /// Names of the trusted keys whose signatures verify; nil when no signature check was made.
    public let trustedSigners: [String]?
    /// Problems found re-hashing the version's blobs; nil when they were not re-hashed.
    public let integrityProblems: [String]?
    /// Paired comparisons with the current holder, by metric key (for `significant_improvement`).
    public let comparisons: [String: ImprovementFact]

    public init(
        reference: String, metrics: [String: Double], git: (commit: String, dirty: Bool)?, deprecation: String?, rollback: String?,
        aliasesHeld: Set<String>, trustedSigners: [String]?, integrityProblems: [String]?, comparisons: [String: ImprovementFact] = [:],
        provenance: [String: MetricProvenance] = [:]
    ) {
        self.comparisons = comparisons
        self.provenance = provenance
        self.reference = reference
        self.metrics = metrics
        self.git = git
        self.deprecation = deprecation
        self.rollback = rollback
        self.aliasesHeld = aliasesHeld
        self.trustedSigners = trustedSigners
        self.integrityProblems = integrityProblems
    }
}

/// The outcome of comparing the candidate with the current holder on one metric.
public enum ImprovementFact: Sendable {
    /// The difference (candidate − holder), its interval at the gate's level, and whether it is
    /// a significant improvement in the metric's direction.
    case compared(difference: Double, interval: ClosedRange<Double>, significantImprovement: Bool)
    /// Why no comparison could be made (no stored predictions, unpaired examples, …).
    case unavailable(String)
}

/// The version an alias points at now, for `no_regression`.
public struct IncumbentFacts: Sendable {
    public let reference: String
    public let metrics: [String: Double]

    public init(reference: String, metrics: [String: Double]) {
        self.reference = reference
        self.metrics = metrics
    }
}

/// Evaluates a promotion's gates: pure, so every rule is tested without a registry.
public enum GateEvaluation {
    public static func evaluate(
        _ rules: AliasRules, alias: String, candidate: CandidateFacts, incumbent: IncumbentFacts?
    ) -> GateReport {
        var results = [statusResult(candidate)]
        if rules.requireCleanGit == true {
            if let git = candidate.git {
                results.append(GateResult(
                    gate: "require_clean_git", outcome: git.dirty ? .failed : .passed, actual: .bool(!git.dirty), required: .bool(true),
                    detail: git.dirty ? "commit \(git.commit.prefix(10)) was registered from a dirty work tree" : "commit \(git.commit.prefix(10)), clean work tree"))
            } else {
                results.append(GateResult(
                    gate: "require_clean_git", outcome: .failed, required: .bool(true), detail: "no git commit was recorded for \(candidate.reference)"))
            }
        }
        if rules.requireSignature == true {
            let signers = candidate.trustedSigners ?? []
            results.append(GateResult(
                gate: "require_signature", outcome: signers.isEmpty ? .failed : .passed,
                actual: .array(signers.map(JSONValue.string)), required: .bool(true),
                detail: signers.isEmpty ? "no valid signature by a trusted key" : "signed by \(signers.joined(separator: ", "))"))
        }
        if rules.requireVerified == true {
            let problems = candidate.integrityProblems ?? []
            results.append(GateResult(
                gate: "require_verified", outcome: problems.isEmpty ? .passed : .failed, actual: .bool(problems.isEmpty), required: .bool(true),
                detail: problems.isEmpty ? "every blob re-hashed and intact" : problems.joined(separator: "; ")))
        }
        if let from = rules.requireFrom {
            let held = candidate.aliasesHeld.contains(from)
            results.append(GateResult(
                gate: "require_from", outcome: held ? .passed : .failed, required: .string(from),
                detail: held ? "\(candidate.reference) holds or has held \(from)" : "\(candidate.reference) has never held \(from); promote it there first"))
        }
        let lowerIsBetter = rules.lowerIsBetter ?? Policy.defaultLowerIsBetter
        for key in rules.minimums.keys.sorted() {
            results.append(bound(gate: "min", key: key, limit: rules.minimums[key]!, candidate: candidate, rules: rules))
        }
        for key in rules.maximums.keys.sorted() {
            results.append(bound(gate: "max", key: key, limit: rules.maximums[key]!, candidate: candidate, rules: rules))
        }
        for key in rules.noRegression.keys.sorted() {
            results.append(regression(
                key: key, tolerance: rules.noRegression[key]!, lowerIsBetter: isLowerBetter(key, lowerIsBetter), alias: alias,
                candidate: candidate, incumbent: incumbent, rules: rules))
        }
        for key in rules.significantImprovement.keys.sorted() {
            let level = rules.significantImprovement[key]!
            guard let incumbent else {
                results.append(GateResult(gate: "significant_improvement", metric: key, outcome: .notApplicable, required: .number(level), detail: "\(alias) points at no version yet"))
                continue
            }
            switch candidate.comparisons[key] {
            case .compared(let difference, let interval, let significant)?:
                results.append(GateResult(
                    gate: "significant_improvement", metric: key, outcome: significant ? .passed : .failed, actual: .number(difference),
                    required: .number(level),
                    detail: "\(number(difference)) vs \(incumbent.reference), \(number((1 - level) * 100))% interval [\(number(interval.lowerBound)), \(number(interval.upperBound))]"
                        + (significant ? ": a significant improvement" : ": not a significant improvement")))
            case .unavailable(let reason)?:
                results.append(GateResult(gate: "significant_improvement", metric: key, outcome: .failed, required: .number(level), detail: reason))
            case nil:
                results.append(GateResult(gate: "significant_improvement", metric: key, outcome: .failed, required: .number(level), detail: "no comparison with \(incumbent.reference) was made"))
            }
        }
        return GateReport(results: results)
    }

    /// Deprecated and rolled-back versions are refused by every alias (unless forced).
    private static func statusResult(_ candidate: CandidateFacts) -> GateResult {
        if let reason = candidate.deprecation {
            return GateResult(gate: "status", outcome: .failed, actual: .string("deprecated"), detail: "\(candidate.reference) is deprecated: \(reason)")
        }
        if let reason = candidate.rollback {
            return GateResult(gate: "status", outcome: .failed, actual: .string("rolled_back"), detail: "\(candidate.reference) was rolled back: \(reason)")
        }
        return GateResult(gate: "status", outcome: .passed, actual: .string("active"), detail: "not deprecated or rolled back")
    }

    private static func bound(gate: String, key: String, limit: Double, candidate: CandidateFacts, rules: AliasRules) -> GateResult {
        guard let value = candidate.metrics[key] else {
            return GateResult(gate: gate, metric: key, outcome: .failed, required: .number(limit), detail: missing(key, candidate))
        }
        if let refusal = uncomputed(gate: gate, key: key, value: value, required: .number(limit), candidate: candidate, rules: rules) { return refusal }
        let ok = gate == "min" ? value >= limit : value <= limit
        let relation = gate == "min" ? (ok ? "at or above the floor" : "below the floor") : (ok ? "at or below the ceiling" : "above the ceiling")
        return GateResult(
            gate: gate, metric: key, outcome: ok ? .passed : .failed, actual: .number(value), required: .number(limit),
            provenance: candidate.provenance[key], detail: "\(number(value)) is \(relation) \(number(limit))" + origin(key, candidate))
    }

    /// "churn@3 has no metric holdout.auc", naming a metric it has under another name.
    private static func missing(_ key: String, _ candidate: CandidateFacts) -> String {
        let others = MetricSynonyms.alternatives(for: key, among: candidate.metrics.keys)
        guard !others.isEmpty else { return "\(candidate.reference) has no metric \(key)" }
        return "\(candidate.reference) has no metric \(key), but has \(others.joined(separator: ", ")), the same metric under another name: "
            + "name it \(others[0]) in policy.toml, or record it as \(key)"
    }

    /// " (computed by mreg from stored predictions)": where the value a gate read came from.
    private static func origin(_ key: String, _ candidate: CandidateFacts) -> String {
        candidate.provenance[key].map { " (\($0.phrase))" } ?? ""
    }

    /// The failure of a metric gate whose alias demands computed values and got another kind.
    private static func uncomputed(
        gate: String, key: String, value: Double, required: JSONValue, candidate: CandidateFacts, rules: AliasRules
    ) -> GateResult? {
        guard rules.requiresComputed(key), candidate.provenance[key] != .computed else { return nil }
        let source = candidate.provenance[key]?.phrase ?? "of unknown origin"
        return GateResult(
            gate: gate, metric: key, outcome: .failed, actual: .number(value), required: required, provenance: candidate.provenance[key],
            detail: "\(number(value)) was \(source); require_computed accepts only metrics computed by mreg from stored predictions "
                + "(run 'mreg evaluate \(candidate.reference) --predictions FILE')")
    }

    private static func regression(
        key: String, tolerance: Double, lowerIsBetter: Bool, alias: String, candidate: CandidateFacts, incumbent: IncumbentFacts?, rules: AliasRules
    ) -> GateResult {
        guard let value = candidate.metrics[key] else {
            return GateResult(gate: "no_regression", metric: key, outcome: .failed, required: .number(tolerance), detail: missing(key, candidate))
        }
        if let refusal = uncomputed(gate: "no_regression", key: key, value: value, required: .number(tolerance), candidate: candidate, rules: rules) {
            return refusal
        }
        guard let incumbent else {
            return GateResult(gate: "no_regression", metric: key, outcome: .notApplicable, actual: .number(value), detail: "\(alias) points at no version yet")
        }
        guard let current = incumbent.metrics[key] else {
            return GateResult(
                gate: "no_regression", metric: key, outcome: .notApplicable, actual: .number(value),
                detail: "the current holder \(incumbent.reference) has no metric \(key) to compare with")
        }
        // Positive when the candidate is worse than the incumbent, in the metric's own direction.
        let worsening = lowerIsBetter ? value - current : current - value
        let limit = lowerIsBetter ? current + tolerance : current - tolerance
        let ok = worsening <= tolerance + 1e-12
        let direction = lowerIsBetter ? "lower is better" : "higher is better"
        return GateResult(
            gate: "no_regression", metric: key, outcome: ok ? .passed : .failed, actual: .number(value), required: .number(limit),
            provenance: candidate.provenance[key],
            detail: "\(number(value)) vs \(number(current)) of \(incumbent.reference) (\(direction), tolerance \(number(tolerance)))" + origin(key, candidate))
    }

    /// A `lower_is_better` entry names a metric (`log_loss`) on every dataset, or one key exactly.
    public static func isLowerBetter(_ key: String, _ names: [String]) -> Bool {
        let name = key.firstIndex(of: ".").map { String(key[key.index(after: $0)...]) } ?? key
        return names.contains(key) || names.contains(name)
    }

    /// Values in reports: shortest exact form, so `0.8` reads as written in the policy.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }
}
