import Foundation
import RegistryModel

/// Binary classification: labels 0/1 and scores (probabilities of the positive class).
///
/// Everything is computed in one pass over the examples sorted by descending score, with a
/// weight per example: 1 for the point estimate, a Poisson(1) draw for each bootstrap round. So
/// 1,000 bootstrap rounds over a million predictions cost 1,000 linear passes, not 1,000 sorts.
public struct BinaryMetrics: Sendable {
    public static let names = ["accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc", "log_loss", "brier"]

    /// Labels and scores in descending score order.
    let labels: [UInt8]
    let scores: [Double]
    public let threshold: Double

    public init(labels: [Bool], scores: [Double], threshold: Double) throws(EvaluationError) {
        guard labels.count == scores.count else { throw EvaluationError("labels and scores differ in length") }
        guard !labels.isEmpty else { throw EvaluationError("there are no predictions to evaluate") }
        if let bad = scores.firstIndex(where: { !$0.isFinite || $0 < 0 || $0 > 1 }) {
            throw EvaluationError("score \(scores[bad]) of example \(bad + 1) is not a probability between 0 and 1")
        }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        self.labels = order.map { labels[$0] ? 1 : 0 }
        self.scores = order.map { scores[$0] }
        self.threshold = threshold
    }

    public var count: Int { labels.count }

    /// The metrics with every example weighted by `weights[i]` (i in descending-score order;
    /// nil: every weight 1), followed by the confusion counts TP, FP, FN, TN at the threshold.
    func values(weights: UnsafeBufferPointer<Double>?) -> [Double] {
        var positives = 0.0, negatives = 0.0
        var truePositives = 0.0, falsePositives = 0.0   // above or at the current score group
        var auc = 0.0, averagePrecision = 0.0, lastRecallNumerator = 0.0
        var logLoss = 0.0, brier = 0.0, total = 0.0
        var thresholdTP = 0.0, thresholdFP = 0.0
        let epsilon = Double.ulpOfOne
        // First pass for the class totals (needed for recall inside the sweep).
        for index in labels.indices {
            let w = weights?[index] ?? 1
            if labels[index] == 1 { positives += w } else { negatives += w }
        }
        var index = 0
        while index < labels.count {
            // One group of equal scores: ties move the ROC curve diagonally (trapezoid).
            let score = scores[index]
            var groupTP = 0.0, groupFP = 0.0
            while index < labels.count, scores[index] == score {
                let w = weights?[index] ?? 1
                let label = Double(labels[index])
                if labels[index] == 1 { groupTP += w } else { groupFP += w }
                let p = min(max(score, epsilon), 1 - epsilon)
                logLoss -= w * (label == 1 ? log(p) : log(1 - p))
                brier += w * (score - label) * (score - label)
                total += w
                index += 1
            }
            auc += groupFP * (truePositives + groupTP / 2)
            truePositives += groupTP
            falsePositives += groupFP
            if score >= threshold {
                thresholdTP = truePositives
                thresholdFP = falsePositives
            }
            if groupTP > 0 {
                // Average precision: recall gained at this threshold times precision there.
                averagePrecision += (truePositives - lastRecallNumerator) * truePositives / (truePositives + falsePositives)
                lastRecallNumerator = truePositives
            }
        }
        let thresholdFN = positives - thresholdTP
        let thresholdTN = negatives - thresholdFP
        let precision = thresholdTP + thresholdFP > 0 ? thresholdTP / (thresholdTP + thresholdFP) : 0
        let recall = positives > 0 ? thresholdTP / positives : 0
        let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
        return [
            total > 0 ? (thresholdTP + thresholdTN) / total : .nan,
            precision, recall, f1,
            positives > 0 && negatives > 0 ? auc / (positives * negatives) : .nan,
            positives > 0 ? averagePrecision / positives : .nan,
            total > 0 ? logLoss / total : .nan,
            total > 0 ? brier / total : .nan,
        ]
        + [thresholdTP, thresholdFP, thresholdFN, thresholdTN]
    }

    /// Metrics of the predictions as given (every weight 1), with the confusion matrix.
    public func pointEstimate() -> (metrics: [(String, Double)], confusion: JSONValue) {
        let values = values(weights: nil)
        let metrics = Array(zip(Self.names, values.prefix(Self.names.count)))
        let counts = values.suffix(4).map { JSONValue.integer(Int64($0)) }
        let confusion: JSONValue = .object([
            "threshold": .number(threshold), "true_positive": counts[0], "false_positive": counts[1],
            "false_negative": counts[2], "true_negative": counts[3],
        ])
        return (metrics, confusion)
    }
}
