import Foundation
import RegistryModel

/// Regression: a true value and a predicted value per example.
public struct RegressionMetrics: Sendable {
    public let labels: [Double]
    public let predictions: [Double]
    /// The model's number of features, for adjusted R².
    public let features: Int?

    public init(labels: [Double], predictions: [Double], features: Int?) throws(EvaluationError) {
        guard labels.count == predictions.count else { throw EvaluationError("labels and predictions differ in length") }
        guard labels.count >= 2 else { throw EvaluationError("regression metrics need at least 2 examples") }
        if let features, features < 1 || features >= labels.count - 1 {
            throw EvaluationError("--features \(features) must be at least 1 and below the number of examples minus 1 (\(labels.count - 1))")
        }
        self.labels = labels
        self.predictions = predictions
        self.features = features
    }

    public var names: [String] { ["mse", "rmse", "mae", "r2"] + (features == nil ? [] : ["adjusted_r2"]) + ["mape"] }

    public var count: Int { labels.count }

    /// One pass (bootstrap weights are drawn as they are read): the spread of the labels comes
    /// from weighted sums of labels shifted by the first one, which keeps it numerically stable.
    func values<W: ExampleWeights>(weights: inout W) -> [Double] {
        var total = 0.0, squared = 0.0, absolute = 0.0, percentage = 0.0, sum = 0.0, sumOfSquares = 0.0
        let shift = labels[0]
        for i in labels.indices {
            let w = weights.next()
            let error = labels[i] - predictions[i]
            let shifted = labels[i] - shift
            total += w
            squared += w * error * error
            absolute += w * abs(error)
            percentage += w * abs(error) / max(abs(labels[i]), Double.ulpOfOne)
            sum += w * shifted
            sumOfSquares += w * shifted * shifted
        }
        let spread = max(0, sumOfSquares - sum * sum / total)
        let mse = squared / total
        // scikit-learn's convention for constant targets: 1 when perfect, else 0.
        let r2 = spread > 0 ? 1 - squared / spread : (squared == 0 ? 1 : 0)
        var result = [mse, mse.squareRoot(), absolute / total, r2]
        if let features {
            result.append(1 - (1 - r2) * (total - 1) / (total - Double(features) - 1))
        }
        result.append(percentage / total)
        return result
    }

    public func pointEstimate() -> [(String, Double)] {
        Array(zip(names, { var unit = UnitWeights(); return values(weights: &unit) }()))
    }
}
