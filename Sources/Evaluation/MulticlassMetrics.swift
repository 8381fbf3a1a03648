import RegistryModel

/// Multiclass classification: a true class and a predicted class per example.
public struct MulticlassMetrics: Sendable {
    public static let names = ["accuracy", "macro_precision", "macro_recall", "macro_f1", "micro_precision", "micro_recall", "micro_f1"]

    /// Classes in sorted order: every class seen as a label or a prediction (as scikit-learn does).
    public let classes: [String]
    let labels: [Int]
    let predictions: [Int]

    public init(labels: [String], predictions: [String]) throws(EvaluationError) {
        guard labels.count == predictions.count else { throw EvaluationError("labels and predictions differ in length") }
        guard !labels.isEmpty else { throw EvaluationError("there are no predictions to evaluate") }
        classes = Set(labels + predictions).sorted()
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        self.labels = labels.map { index[$0]! }
        self.predictions = predictions.map { index[$0]! }
    }

    public var count: Int { labels.count }

    /// Weighted confusion matrix: rows are true classes, columns predicted classes.
    func confusion<W: ExampleWeights>(weights: inout W) -> [[Double]] {
        var matrix = Array(repeating: Array(repeating: 0.0, count: classes.count), count: classes.count)
        for example in labels.indices { matrix[labels[example]][predictions[example]] += weights.next() }
        return matrix
    }

    func values<W: ExampleWeights>(weights: inout W) -> [Double] {
        Self.values(confusion(weights: &weights)).headline
    }

    static func values(_ matrix: [[Double]]) -> (headline: [Double], perClass: [(precision: Double, recall: Double, f1: Double, support: Double)]) {
        let total = matrix.reduce(0) { $0 + $1.reduce(0, +) }
        var correct = 0.0
        var perClass = [(precision: Double, recall: Double, f1: Double, support: Double)]()
        for k in matrix.indices {
            let truePositive = matrix[k][k]
            correct += truePositive
            let predicted = matrix.reduce(0) { $0 + $1[k] }
            let actual = matrix[k].reduce(0, +)
            let precision = predicted > 0 ? truePositive / predicted : 0
            let recall = actual > 0 ? truePositive / actual : 0
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            perClass.append((precision, recall, f1, actual))
        }
        let n = Double(matrix.count)
        let accuracy = total > 0 ? correct / total : .nan
        // Single-label micro averages all equal accuracy.
        return ([accuracy, perClass.reduce(0) { $0 + $1.precision } / n, perClass.reduce(0) { $0 + $1.recall } / n,
                 perClass.reduce(0) { $0 + $1.f1 } / n, accuracy, accuracy, accuracy], perClass)
    }

    public func pointEstimate() -> (metrics: [(String, Double)], details: JSONValue) {
        let matrix = { var unit = UnitWeights(); return confusion(weights: &unit) }()
        let (headline, perClass) = Self.values(matrix)
        let table: JSONValue = .array(zip(classes, perClass).map { name, row in
            .object(["class": .string(name), "precision": .number(row.precision), "recall": .number(row.recall), "f1": .number(row.f1),
                     "support": .integer(Int64(row.support))])
        })
        let details: JSONValue = .object([
            "classes": .array(classes.map(JSONValue.string)), "per_class": table,
            "confusion_matrix": .array(matrix.map { .array($0.map { .integer(Int64($0)) }) }),
        ])
        return (Array(zip(Self.names, headline)), details)
    }
}
