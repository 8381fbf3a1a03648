/// The gates one alias puts in front of a promotion, as written in `policy.toml`.
///
/// Every field is optional so that a per-model section (`[models.churn.aliases.production]`)
/// overrides only what it names; metric thresholds merge key by key.
public struct AliasRules: Sendable, Equatable {
    public var requireCleanGit: Bool?
    public var requireSignature: Bool?
    public var requireVerified: Bool?
    /// Another alias the version must hold, or have held, before this one.
    public var requireFrom: String?
    /// Metric floors and ceilings by `DATASET.METRIC` key.
    public var minimums: [String: Double] = [:]
    public var maximums: [String: Double] = [:]
    /// How much worse than the current holder a metric may be.
    public var noRegression: [String: Double] = [:]
    /// Metrics on which the version must beat the current holder significantly, at this level
    /// (a paired bootstrap on both versions' stored predictions).
    public var significantImprovement: [String: Double] = [:]
    /// Metric names (`log_loss`) or keys (`holdout.log_loss`) where lower values are better.
    public var lowerIsBetter: [String]?
    /// Every metric gate reads only values mreg computed from stored predictions (`true`), or
    /// these metric keys do (`["holdout.auc"]`).
    public var requireComputed: Bool?
    public var requireComputedMetrics: Set<String> = []
    /// Gates a per-model section takes away from what it inherits: `require_clean_git`, `min`
    /// (every floor), `min holdout.auc` (one), as the report labels them.
    public var removals: [String] = []

    public init() {}

    /// Whether a metric gate on `key` must read a computed value.
    public func requiresComputed(_ key: String) -> Bool {
        requireComputed == true || requireComputedMetrics.contains(key)
    }

    /// These rules with every setting `other` makes replacing this one's. A section's `remove`
    /// takes away inherited gates first; its own settings then apply.
    public func overridden(by other: AliasRules) -> AliasRules {
        var merged = self
        for label in other.removals { merged.remove(label) }
        merged.requireCleanGit = other.requireCleanGit ?? merged.requireCleanGit
        merged.requireSignature = other.requireSignature ?? merged.requireSignature
        merged.requireVerified = other.requireVerified ?? merged.requireVerified
        merged.requireFrom = other.requireFrom ?? merged.requireFrom
        merged.minimums.merge(other.minimums) { $1 }
        merged.maximums.merge(other.maximums) { $1 }
        merged.noRegression.merge(other.noRegression) { $1 }
        merged.significantImprovement.merge(other.significantImprovement) { $1 }
        merged.lowerIsBetter = other.lowerIsBetter ?? lowerIsBetter
        merged.requireComputed = other.requireComputed ?? merged.requireComputed
        merged.requireComputedMetrics.formUnion(other.requireComputedMetrics)
        merged.removals = []
        return merged
    }

    /// The gates `remove` may name (a metric gate with or without its metric).
    public static let removableGates = [
        "require_clean_git", "require_signature", "require_verified", "require_from", "require_computed", "min", "max", "no_regression",
        "significant_improvement",
    ]

    /// Takes away one gate, by its report label.
    mutating func remove(_ label: String) {
        let parts = label.split(separator: " ", maxSplits: 1).map(String.init)
        let metric = parts.count > 1 ? parts[1] : nil
        func drop(_ table: inout [String: Double]) {
            if let metric { table[metric] = nil } else { table = [:] }
        }
        switch parts[0] {
        case "require_clean_git": requireCleanGit = nil
        case "require_signature": requireSignature = nil
        case "require_verified": requireVerified = nil
        case "require_from": requireFrom = nil
        case "require_computed":
            if let metric { requireComputedMetrics.remove(metric) } else { requireComputed = nil; requireComputedMetrics = [] }
        case "min": drop(&minimums)
        case "max": drop(&maximums)
        case "no_regression": drop(&noRegression)
        case "significant_improvement": drop(&significantImprovement)
        default: break
        }
    }

    public var isEmpty: Bool { self == AliasRules() }
}

/// The promotion policy of a registry: gates per alias, with per-model overrides.
public struct Policy: Sendable, Equatable {
    /// Metric names that count as lower-is-better when the policy does not say.
    public static let defaultLowerIsBetter = ["loss", "log_loss", "rmse", "mse", "mae", "mape", "brier", "brier_score", "latency_ms", "error_rate"]

    public var aliases: [String: AliasRules] = [:]
    /// `models[model][alias]`: overrides of the alias rules for one model.
    public var models: [String: [String: AliasRules]] = [:]
    /// A top-level `lower_is_better`, used by every alias that does not set its own.
    public var lowerIsBetter: [String]?

    public init() {}

    /// The rules that apply when `model` is promoted to `alias`.
    public func rules(model: String, alias: String) -> AliasRules {
        var rules = AliasRules()
        rules.lowerIsBetter = lowerIsBetter
        if let general = aliases[alias] { rules = rules.overridden(by: general) }
        if let specific = models[model]?[alias] { rules = rules.overridden(by: specific) }
        return rules
    }

    /// Every alias the policy names: in `[aliases.X]`, in a model's sections, or as `require_from`.
    public var aliasNames: Set<String> {
        var names = Set(aliases.keys)
        for overrides in models.values { names.formUnion(overrides.keys) }
        return names
    }

    /// Every metric key a gate of any alias reads, for one model.
    public func gateMetricKeys(model: String) -> Set<String> {
        var keys = Set<String>()
        for alias in aliasNames {
            let rules = rules(model: model, alias: alias)
            keys.formUnion(rules.minimums.keys)
            keys.formUnion(rules.maximums.keys)
            keys.formUnion(rules.noRegression.keys)
            keys.formUnion(rules.significantImprovement.keys)
        }
        return keys
    }
}
