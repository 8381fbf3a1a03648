import Foundation
import RegistryModel

/// Binary classification: labels 0/1 and scores (probabilities of the positive class).
///
/// Everything is computed in one pass over the examples sorted by descending score, with a
/// weight per example: 1 for the point estimate, a Poisson(1) draw for each bootstrap round. So
/// 1,000 bootstrap rounds over a million predictions cost 1,000 linear passes, not 1,000 sorts.
public struct BinaryMetrics: Sendable {
    public static let names = ["accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc", "log_loss", "brier"]

    /// Per example in descending score order: bit 0 its label, bit 1 set when it ends a group of
    /// equal scores (ties move the ROC curve diagonally, so a group is one step of the sweep).
    private let flags: [UInt8]
    /// Per example, its log-loss and Brier terms: they do not depend on the weights, so a
    /// bootstrap round only adds them up (no logarithm per example per round).
    private let logLossTerms: [Double]
    private let brierTerms: [Double]
    /// The input row of each example in descending-score order (for paired comparisons, whose
    /// weights are drawn per input row).
    let order: [Int]
    /// Examples [0, thresholdEnd) score at or above the threshold.
    private let thresholdEnd: Int
    public let threshold: Double
    public let count: Int

    public init(labels: [Bool], scores: [Double], threshold: Double) throws(EvaluationError) {
        guard labels.count == scores.count else { throw EvaluationError("labels and scores differ in length") }
        guard !labels.isEmpty else { throw EvaluationError("there are no predictions to evaluate") }
        if let bad = scores.firstIndex(where: { !$0.isFinite || $0 < 0 || $0 > 1 }) {
            throw EvaluationError("the score \(scores[bad]) is not a probability between 0 and 1", row: bad)
        }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        self.order = order
        let sortedScores = order.map { scores[$0] }
        let sortedLabels = order.map { labels[$0] }
        self.threshold = threshold
        count = labels.count
        let epsilon = Double.ulpOfOne
        logLossTerms = zip(sortedLabels, sortedScores).map { label, score in
            let p = min(max(score, epsilon), 1 - epsilon)
            return label ? -log(p) : -log(1 - p)
        }
        brierTerms = zip(sortedLabels, sortedScores).map { label, score in (score - (label ? 1 : 0)) * (score - (label ? 1 : 0)) }
        flags = sortedScores.indices.map { index in
            let endsGroup = index + 1 == sortedScores.count || sortedScores[index + 1] != sortedScores[index]
            return (sortedLabels[index] ? 1 : 0) | (endsGroup ? 2 : 0)
        }
        thresholdEnd = sortedScores.firstIndex { $0 < threshold } ?? sortedScores.count
    }

    /// The metrics with example i (in descending-score order) weighted by the i-th weight drawn,
    /// followed by the confusion counts TP, FP, FN, TN at the threshold.
    /// One pass over the examples: AUC and average precision need the class totals only at the end.
    func values<W: ExampleWeights>(weights: inout W) -> [Double] {
        var truePositives = 0.0, falsePositives = 0.0
        var auc = 0.0, averagePrecision = 0.0
        var logLoss = 0.0, brier = 0.0
        var thresholdTP = 0.0, thresholdFP = 0.0
        var groupTP = 0.0, groupFP = 0.0
        flags.withUnsafeBufferPointer { flags in
            logLossTerms.withUnsafeBufferPointer { logLossTerms in
                brierTerms.withUnsafeBufferPointer { brierTerms in
                    for index in 0..<flags.count {
                        if index == thresholdEnd {
                            thresholdTP = truePositives
                            thresholdFP = falsePositives
                        }
                        let w = weights.next()
                        let flag = flags[index]
                        let positive = w * Double(flag & 1)
                        groupTP += positive
                        groupFP += w - positive
                        logLoss += w * logLossTerms[index]
                        brier += w * brierTerms[index]
                        if flag & 2 != 0 {
                            auc += groupFP * (truePositives + groupTP / 2)
                            truePositives += groupTP
                            falsePositives += groupFP
                            // Average precision: recall gained at this threshold times precision
                            // there. No branch on groupTP > 0 (random under the bootstrap, so
                            // mispredicted half the time): a group without positives adds 0 anyway.
                            averagePrecision += groupTP * truePositives / max(truePositives + falsePositives, .leastNormalMagnitude)
                            groupTP = 0
                            groupFP = 0
                        }
                    }
                }
            }
        }
        if thresholdEnd == flags.count {
            thresholdTP = truePositives
            thresholdFP = falsePositives
        }
        let positives = truePositives, negatives = falsePositives, total = positives + negatives
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
        var unit = UnitWeights()
        let computed = values(weights: &unit)
        let metrics = Array(zip(Self.names, computed.prefix(Self.names.count)))
        let counts = computed.suffix(4).map { JSONValue.integer(Int64($0)) }
        let confusion: JSONValue = .object([
            "threshold": .number(threshold), "true_positive": counts[0], "false_positive": counts[1],
            "false_negative": counts[2], "true_negative": counts[3],
        ])
        return (metrics, confusion)
    }
}
