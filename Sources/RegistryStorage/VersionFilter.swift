import Foundation
import RegistryModel

/// Which versions of a model `list NAME` shows, and in which order: what users search by.
public struct VersionFilter: Sendable {
    /// A condition on a registered metric: `holdout.auc >= 0.9`.
    public struct MetricCondition: Sendable, Equatable {
        public enum Comparison: String, Sendable, CaseIterable {
            case atLeast = ">=", atMost = "<=", above = ">", below = "<", equal = "=", notEqual = "!="
        }
        public let dataset: String
        public let name: String
        public let comparison: Comparison
        public let value: Double

        public init(dataset: String, name: String, comparison: Comparison, value: Double) {
            self.dataset = dataset
            self.name = name
            self.comparison = comparison
            self.value = value
        }
    }

    /// A version's status as `list` names it; each status excludes those before it.
    public enum Status: String, Sendable, CaseIterable {
        case deleted, deprecated, rolledBack = "rolled_back", active
    }

    public enum Order: Sendable, Equatable {
        /// Newest first: the default, and the only order `after` pages through.
        case number
        /// Oldest first (`--sort version`).
        case numberAscending
        /// By a registered metric; versions without it come last.
        case metric(dataset: String, name: String, descending: Bool)
        case created(descending: Bool)
    }

    public var metrics: [MetricCondition] = []
    /// Registered labels, each `key=value` required.
    public var labels: [(key: String, value: String)] = []
    public var status: Status?
    /// Versions that hold or ever held this alias.
    public var everHeld: AliasName?
    public var since: Date?
    public var until: Date?
    public var order: Order = .number
    /// Deleted versions too (`--deleted`); implied by `status: .deleted`.
    public var deleted = false
    /// Whether the answer's `total` is counted: a streamed listing's later pages skip it, since
    /// counting a narrowed million-version model reads every row each time.
    public var counted = true

    public init() {}
}
