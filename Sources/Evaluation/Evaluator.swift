import RegistryModel

/// How to evaluate: the task and its settings.
public struct EvaluationSettings: Sendable {
    public var task: MetricReport.Task
    /// Binary: the score at or above which a prediction counts as positive.
    public var threshold = 0.5
    /// Ranking: the cut-off of precision@k, recall@k and NDCG@k.
    public var k = 10
    /// Regression: the model's number of features, for adjusted R².
    public var features: Int?
    /// Bootstrap rounds for the confidence intervals (0: none).
    public var bootstrapRounds = 1000
    public var seed: UInt64 = 0
    public var level = 0.95

    public init(task: MetricReport.Task) {
        self.task = task
    }
}

/// The columns of a predictions file that a task reads (README, "Evaluations").
public struct PredictionColumns: Sendable {
    /// The true label (binary: 0/1 or true/false; multiclass: the class; regression: a number).
    public var labels: [String] = []
    /// Binary: the positive-class probability; regression: the prediction; ranking: the score.
    public var scores: [Double] = []
    /// Multiclass: the predicted class.
    public var predictedClasses: [String] = []
    /// Ranking: the query each row belongs to; its `labels` are graded relevances.
    public var queries: [String] = []
    /// The group of each row, for per-slice metrics.
    public var slices: [String]?
    /// The file line each row was read from, so problems name the line a person can open.
    public var lines: [Int64] = []

    public init() {}
}

public enum Evaluator {
    public static func evaluate(_ columns: PredictionColumns, settings: EvaluationSettings) throws(EvaluationError) -> MetricReport {
        let task = try TaskMetrics(columns, settings: settings)
        let point = task.point()
        var details = point.details
        if let slices = columns.slices {
            details["slices"] = try sliceDetails(columns, slices: slices, settings: settings)
        }
        let names = task.names
        let intervals = Bootstrap.intervals(
            names: names, count: task.count, rounds: settings.bootstrapRounds, seed: settings.seed, level: settings.level
        ) { weights in task.values(&weights) }
        if settings.bootstrapRounds > 0 {
            details["bootstrap"] = .object([
                "rounds": .integer(Int64(settings.bootstrapRounds)), "seed": .integer(Int64(bitPattern: settings.seed)),
                "level": .number(settings.level), "method": .string("poisson percentile"),
            ])
        }
        return MetricReport(task: settings.task, count: task.count, metrics: point.metrics, intervals: intervals, details: .object(details))
    }

    /// Each metric per group, the largest gap between groups, and for binary tasks the
    /// disparate-impact ratio (lowest over highest rate of positive predictions).
    static func sliceDetails(_ columns: PredictionColumns, slices: [String], settings: EvaluationSettings) throws(EvaluationError) -> JSONValue {
        var groups = [String: [Int]]()
        for (row, value) in slices.enumerated() { groups[value, default: []].append(row) }
        var entries = [JSONValue]()
        var byMetric = [String: [Double]]()
        var positiveRates = [Double]()
        for value in groups.keys.sorted() {
            let rows = groups[value]!
            var subset = PredictionColumns()
            func pick<T>(_ array: [T]) -> [T] { array.isEmpty ? [] : rows.map { array[$0] } }
            subset.labels = pick(columns.labels)
            subset.scores = pick(columns.scores)
            subset.predictedClasses = pick(columns.predictedClasses)
            subset.queries = pick(columns.queries)
            var metrics = [String: JSONValue]()
            do {
                let point = try TaskMetrics(subset, settings: settings).point()
                for (name, metric) in point.metrics {
                    metrics[name] = metric.isFinite ? .number(metric) : .null
                    if metric.isFinite { byMetric[name, default: []].append(metric) }
                }
            } catch {
                metrics["error"] = .string(error.problem)
            }
            var entry: [String: JSONValue] = ["value": .string(value), "count": .integer(Int64(rows.count)), "metrics": .object(metrics)]
            if settings.task == .binary {
                let rate = Double(subset.scores.filter { $0 >= settings.threshold }.count) / Double(rows.count)
                positiveRates.append(rate)
                entry["positive_rate"] = .number(rate)
            }
            entries.append(.object(entry))
        }
        var result: [String: JSONValue] = [
            "groups": .array(entries),
            "largest_gap": .object(byMetric.mapValues { .number(($0.max() ?? 0) - ($0.min() ?? 0)) }),
        ]
        if settings.task == .binary, let highest = positiveRates.max(), let lowest = positiveRates.min() {
            result["disparate_impact"] = highest > 0 ? .number(lowest / highest) : .null
        }
        return .object(result)
    }
}

/// The task's metrics behind one interface, for the point estimate, slices and the bootstrap.
struct TaskMetrics: Sendable {
    private enum Kind: Sendable {
        case binary(BinaryMetrics)
        case multiclass(MulticlassMetrics)
        case regression(RegressionMetrics)
        case ranking(RankingMetrics)
    }

    private let kind: Kind

    init(_ columns: PredictionColumns, settings: EvaluationSettings) throws(EvaluationError) {
        switch settings.task {
        case .binary:
            let labels = try columns.labels.enumerated().map { (row, text) throws(EvaluationError) -> Bool in
                guard let label = Self.binaryLabel(text) else {
                    throw EvaluationError("binary labels must be 0/1 or true/false, not '\(text)'", row: row)
                }
                return label
            }
            kind = .binary(try BinaryMetrics(labels: labels, scores: columns.scores, threshold: settings.threshold))
        case .multiclass:
            kind = .multiclass(try MulticlassMetrics(labels: columns.labels, predictions: columns.predictedClasses))
        case .regression:
            let labels = try Self.numbers(columns.labels, what: "label")
            kind = .regression(try RegressionMetrics(labels: labels, predictions: columns.scores, features: settings.features))
        case .ranking:
            let relevance = try Self.numbers(columns.labels, what: "relevance")
            kind = .ranking(try RankingMetrics(queries: columns.queries, relevance: relevance, scores: columns.scores, k: settings.k))
        }
    }

    /// A binary label: 1/0 or true/false; nil for anything else.
    static func binaryLabel(_ text: String) -> Bool? {
        switch text {
        case "1", "1.0", "true", "True", "TRUE": true
        case "0", "0.0", "false", "False", "FALSE": false
        default: nil
        }
    }

    private static func numbers(_ texts: [String], what: String) throws(EvaluationError) -> [Double] {
        try texts.enumerated().map { (row, text) throws(EvaluationError) -> Double in
            guard let value = Double(text), value.isFinite else { throw EvaluationError("the \(what) '\(text)' is not a number", row: row) }
            return value
        }
    }

    var names: [String] {
        switch kind {
        case .binary: BinaryMetrics.names
        case .multiclass: MulticlassMetrics.names
        case .regression(let metrics): metrics.names
        case .ranking(let metrics): metrics.names
        }
    }

    var count: Int {
        switch kind {
        case .binary(let metrics): metrics.count
        case .multiclass(let metrics): metrics.count
        case .regression(let metrics): metrics.count
        case .ranking(let metrics): metrics.count
        }
    }

    func values(_ weights: inout PoissonWeights) -> [Double] {
        switch kind {
        case .binary(let metrics): metrics.values(weights: &weights)
        case .multiclass(let metrics): metrics.values(weights: &weights)
        case .regression(let metrics): metrics.values(weights: &weights)
        case .ranking(let metrics): metrics.values(weights: &weights)
        }
    }

    /// The metrics with each input row weighted by `weights[row]`.
    func values(rowWeights weights: UnsafeBufferPointer<Double>) -> [Double] {
        switch kind {
        case .binary(let metrics):
            return metrics.order.withUnsafeBufferPointer { order in
                var source = RowWeights(weights: weights, order: order)
                return metrics.values(weights: &source)
            }
        case .multiclass(let metrics):
            var source = RowWeights(weights: weights, order: nil)
            return metrics.values(weights: &source)
        case .regression(let metrics):
            var source = RowWeights(weights: weights, order: nil)
            return metrics.values(weights: &source)
        case .ranking(let metrics):
            var source = RowWeights(weights: weights, order: nil)
            return metrics.values(weights: &source)
        }
    }

    /// Per row, whether the prediction is right (binary at the threshold, multiclass); nil for
    /// tasks without a notion of a right answer.
    func correctness(_ columns: PredictionColumns, settings: EvaluationSettings) -> [Bool]? {
        switch settings.task {
        case .binary:
            return zip(columns.labels, columns.scores).map { label, score in
                Self.binaryLabel(label) == (score >= settings.threshold)
            }
        case .multiclass:
            return zip(columns.labels, columns.predictedClasses).map { $0 == $1 }
        case .regression, .ranking:
            return nil
        }
    }

    func point() -> (metrics: [(String, Double)], details: [String: JSONValue]) {
        switch kind {
        case .binary(let metrics):
            let (values, confusion) = metrics.pointEstimate()
            return (values, ["confusion": confusion])
        case .multiclass(let metrics):
            let (values, details) = metrics.pointEstimate()
            return (values, details.objectValue ?? [:])
        case .regression(let metrics):
            return (metrics.pointEstimate(), [:])
        case .ranking(let metrics):
            return (metrics.pointEstimate(), [
                "k": .integer(Int64(metrics.k)), "queries": .integer(Int64(metrics.queries)),
                "skipped_queries": .integer(Int64(metrics.skippedQueries)),
            ])
        }
    }
}
