import Evaluation
import Foundation
import RegistryKit
import RegistryModel

public struct ComparisonDocument: Codable {
    public struct Difference: Codable {
        public let metric: String
        public let a: Double
        public let b: Double
        public let difference: Double
        public let ciLow: Double?
        public let ciHigh: Double?
        public let pValue: Double?
        public let significant: Bool
        public let improved: Bool
    }
    public struct McNemar: Codable {
        public let onlyA: Int
        public let onlyB: Int
        public let statistic: Double
        public let pValue: Double
        public let exact: Bool
    }
    public let a: String
    public let b: String
    public let sourceA: String
    public let sourceB: String
    public let dataset: String
    public let task: String
    public let examples: Int
    public let level: Double
    public let differences: [Difference]
    public let mcnemar: McNemar?

    public init(_ outcome: ComparisonOutcome) {
        a = outcome.a
        b = outcome.b
        sourceA = outcome.sourceA
        sourceB = outcome.sourceB
        dataset = outcome.datasetKey
        task = outcome.task.rawValue
        examples = outcome.report.count
        level = outcome.report.level
        differences = outcome.report.differences.map {
            Difference(metric: $0.metric, a: $0.a, b: $0.b, difference: $0.difference, ciLow: $0.interval?.lowerBound, ciHigh: $0.interval?.upperBound,
                       pValue: $0.pValue, significant: $0.significant, improved: $0.improved)
        }
        mcnemar = outcome.report.mcnemar.map { McNemar(onlyA: $0.onlyA, onlyB: $0.onlyB, statistic: $0.statistic, pValue: $0.pValue, exact: $0.exact) }
    }
}
