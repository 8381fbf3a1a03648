import Foundation

/// One metric of an evaluation, with its bootstrap confidence interval when one was computed.
public struct EvaluationMetric: Hashable, Sendable {
    public let name: String
    public let value: Double
    public let interval: ClosedRange<Double>?

    public init(name: String, value: Double, interval: ClosedRange<Double>?) {
        self.name = name
        self.value = value
        self.interval = interval
    }
}

/// An evaluation of a version on a dataset, recorded after registration (many per version).
public struct EvaluationRecord: Hashable, Sendable {
    public let id: Int64
    public let version: VersionPointer
    public let dataset: Digest
    /// The DATASET part of the metric keys (`holdout` in `holdout.auc`).
    public let datasetKey: String
    /// binary, multiclass, regression or ranking when computed from predictions; nil when the
    /// metrics were handed over as numbers.
    public let task: String?
    public let metrics: [EvaluationMetric]
    public let details: JSONValue
    /// The predictions file, stored as a blob (so `compare` can reuse it).
    public let predictions: Digest?
    /// The commit of the evaluating code, and whether its work tree was dirty.
    public let gitCommit: String?
    public let gitDirty: Bool
    public let createdAt: Date
    public let registrant: Registrant

    /// An evaluation with a task was computed by mreg from the predictions it stored; one
    /// without was handed over as numbers.
    public var provenance: MetricProvenance { task == nil ? .reported : .computed }

    public init(
        id: Int64, version: VersionPointer, dataset: Digest, datasetKey: String, task: String?, metrics: [EvaluationMetric],
        details: JSONValue, predictions: Digest?, gitCommit: String?, gitDirty: Bool, createdAt: Date, registrant: Registrant
    ) {
        self.id = id
        self.version = version
        self.dataset = dataset
        self.datasetKey = datasetKey
        self.task = task
        self.metrics = metrics
        self.details = details
        self.predictions = predictions
        self.gitCommit = gitCommit
        self.gitDirty = gitDirty
        self.createdAt = createdAt
        self.registrant = registrant
    }
}
