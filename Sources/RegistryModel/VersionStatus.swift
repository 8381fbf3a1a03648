/// Why a version may not be promoted again: its deprecation, and the aliases it was rolled
/// back from; each mark stands until it is lifted. Folded from the ledger's events, oldest first.
public struct VersionStatus: Sendable, Equatable {
    /// The deprecation reason (empty when none was given), when the version is deprecated.
    public var deprecation: String?
    /// The aliases the version was rolled back from, with the reason given.
    public var rolledBackFrom: [String: String?]

    public init(deprecation: String?, rolledBackFrom: [String: String?]) {
        self.deprecation = deprecation
        self.rolledBackFrom = rolledBackFrom
    }

    /// Folds one ledger event about the version into its marks.
    public mutating func apply(_ action: LedgerEvent.Action, alias: String?, reason: String?) {
        switch action {
        case .deprecate: deprecation = reason ?? ""
        case .liftDeprecation: deprecation = nil
        case .rollback: if let alias { rolledBackFrom[alias] = .some(reason) }
        case .liftRollback: if let alias { rolledBackFrom[alias] = nil }
        case .promote, .demote, .register, .evaluate, .sign, .recordDataset, .nameDataset, .annotate, .recordDrift: break
        }
    }
}
