import Foundation

/// Why a version may not be promoted again: its deprecation, the aliases it was rolled back
/// from, and its deletion; each mark stands until it is lifted. Folded from the ledger's events,
/// oldest first.
public struct VersionStatus: Sendable, Equatable {
    /// The deprecation reason (empty when none was given), when the version is deprecated.
    public var deprecation: String?
    /// The aliases the version was rolled back from, with the reason given.
    public var rolledBackFrom: [String: String?]
    /// The `delete` event that stands, when the version is deleted.
    public var deletion: VersionDeletion?

    public init(deprecation: String?, rolledBackFrom: [String: String?], deletion: VersionDeletion? = nil) {
        self.deprecation = deprecation
        self.rolledBackFrom = rolledBackFrom
        self.deletion = deletion
    }

    /// Folds one ledger event about the version into its marks.
    public mutating func apply(_ action: LedgerEvent.Action, alias: String?, reason: String?, sequence: Int64, at date: Date) {
        switch action {
        case .deprecate: deprecation = reason ?? ""
        case .liftDeprecation: deprecation = nil
        case .rollback: if let alias { rolledBackFrom[alias] = .some(reason) }
        case .liftRollback: if let alias { rolledBackFrom[alias] = nil }
        case .delete: deletion = VersionDeletion(reason: reason ?? "", sequence: sequence, at: date)
        case .undelete: deletion = nil
        case .promote, .demote, .register, .evaluate, .sign, .recordDataset, .nameDataset, .annotate, .recordDrift: break
        }
    }
}

/// When and why a version was deleted: its standing `delete` event.
public struct VersionDeletion: Sendable, Equatable {
    public let reason: String
    public let sequence: Int64
    public let at: Date

    public init(reason: String, sequence: Int64, at: Date) {
        self.reason = reason
        self.sequence = sequence
        self.at = at
    }
}
