import RegistryModel

/// What an evaluation computed: headline metrics (recorded as DATASET.METRIC), their bootstrap
/// confidence intervals, and the task's details (confusion matrix, per-class table, slices).
public struct MetricReport: Sendable, Equatable {
    public enum Task: String, Sendable, Codable, CaseIterable {
        case binary
        case multiclass
        case regression
        case ranking
    }

    public let task: Task
    /// Examples evaluated (queries, for ranking).
    public let count: Int
    /// Headline metrics by name, in a stable order.
    public let metrics: [(name: String, value: Double)]
    /// 95% (or the requested level) percentile intervals from the bootstrap, by metric name.
    public let intervals: [String: ClosedRange<Double>]
    public let details: JSONValue

    public init(task: Task, count: Int, metrics: [(name: String, value: Double)], intervals: [String: ClosedRange<Double>], details: JSONValue) {
        self.task = task
        self.count = count
        self.metrics = metrics
        self.intervals = intervals
        self.details = details
    }

    public func value(_ name: String) -> Double? { metrics.first { $0.name == name }?.value }

    public static func == (lhs: MetricReport, rhs: MetricReport) -> Bool {
        lhs.task == rhs.task && lhs.count == rhs.count && lhs.metrics.map(\.name) == rhs.metrics.map(\.name)
            && zip(lhs.metrics, rhs.metrics).allSatisfy { $0.value.bitPattern == $1.value.bitPattern }
            && lhs.intervals == rhs.intervals && lhs.details == rhs.details
    }
}

/// Predictions that cannot be evaluated, said plainly.
public struct EvaluationError: Error, Equatable, Sendable, CustomStringConvertible {
    public let problem: String
    /// The example (0-based, in input order) the problem is about; the caller names its file line.
    public let row: Int?
    public init(_ problem: String, row: Int? = nil) {
        self.problem = problem
        self.row = row
    }
    public var description: String { row.map { "example \($0 + 1): \(problem)" } ?? problem }
}
