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

    public init() {}

    /// These rules with every setting `other` makes replacing this one's.
    public func overridden(by other: AliasRules) -> AliasRules {
        var merged = self
        merged.requireCleanGit = other.requireCleanGit ?? requireCleanGit
        merged.requireSignature = other.requireSignature ?? requireSignature
        merged.requireVerified = other.requireVerified ?? requireVerified
        merged.requireFrom = other.requireFrom ?? requireFrom
        merged.minimums.merge(other.minimums) { $1 }
        merged.maximums.merge(other.maximums) { $1 }
        merged.noRegression.merge(other.noRegression) { $1 }
        merged.significantImprovement.merge(other.significantImprovement) { $1 }
        merged.lowerIsBetter = other.lowerIsBetter ?? lowerIsBetter
        return merged
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
}
