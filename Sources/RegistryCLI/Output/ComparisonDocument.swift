import ArgumentParser
import Evaluation
import Foundation
import RegistryKit
import RegistryModel

struct ComparisonDocument: Encodable {
    struct Difference: Encodable {
        let metric: String
        let a: Double
        let b: Double
        let difference: Double
        let ciLow: Double?
        let ciHigh: Double?
        let pValue: Double?
        let significant: Bool
        let improved: Bool
    }
    struct McNemar: Encodable {
        let onlyA: Int
        let onlyB: Int
        let statistic: Double
        let pValue: Double
        let exact: Bool
    }
    let a: String
    let b: String
    let sourceA: String
    let sourceB: String
    let dataset: String
    let task: String
    let examples: Int
    let level: Double
    let differences: [Difference]
    let mcnemar: McNemar?

    init(_ outcome: ComparisonOutcome) {
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
