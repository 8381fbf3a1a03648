/// An evaluation metric, addressed as `DATASET.METRIC` (or just `METRIC` when no dataset applies).
public struct Metric: Hashable, Sendable, Codable {
    /// The dataset role the metric was measured on; empty when the metric is not tied to one.
    public let dataset: String
    public let name: String
    public let value: Double

    public init(dataset: String, name: String, value: Double) {
        self.dataset = dataset
        self.name = name
        self.value = value
    }

    /// Splits a key at its first `.`: `holdout.auc` is metric `auc` on dataset `holdout`.
    public init(key: String, value: Double) throws(MetricError) {
        guard value.isFinite else { throw MetricError(key: key, problem: "is not a finite number") }
        guard !key.isEmpty else { throw MetricError(key: key, problem: "has an empty name") }
        if let dot = key.firstIndex(of: ".") {
            dataset = String(key[..<dot])
            name = String(key[key.index(after: dot)...])
            guard !dataset.isEmpty, !name.isEmpty else { throw MetricError(key: key, problem: "has an empty dataset or metric name around '.'") }
        } else {
            dataset = ""
            name = key
        }
        self.value = value
    }

    public var key: String { dataset.isEmpty ? name : "\(dataset).\(name)" }
}

public struct MetricError: Error, Equatable, Sendable, CustomStringConvertible {
    public let key: String
    public let problem: String
    public var description: String { "metric '\(key)' \(problem)" }
}
