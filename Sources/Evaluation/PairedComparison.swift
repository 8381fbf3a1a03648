import Dispatch
import Foundation
import RegistryModel

/// Is B really better than A: metric differences on the same examples with paired bootstrap
/// intervals and p-values, and McNemar's test on which examples each model gets right.
public struct ComparisonReport: Sendable {
    public struct Difference: Sendable {
        public let metric: String
        public let a: Double
        public let b: Double
        /// b − a.
        public let difference: Double
        public let interval: ClosedRange<Double>?
        /// Two-sided bootstrap p-value: twice the share of rounds on the other side of zero.
        public let pValue: Double?
        /// Whether the interval excludes zero.
        public let significant: Bool
        /// Whether b is better than a in the metric's direction.
        public let improved: Bool
    }

    public struct McNemar: Sendable {
        /// Examples A gets right and B wrong, and the other way round.
        public let onlyA: Int
        public let onlyB: Int
        public let statistic: Double
        public let pValue: Double
        public let exact: Bool
    }

    public let count: Int
    public let level: Double
    public let differences: [Difference]
    public let mcnemar: McNemar?
}

public enum PairedComparison {
    public static func compare(
        _ a: PredictionColumns, _ b: PredictionColumns, settings: EvaluationSettings, lowerIsBetter: (String) -> Bool
    ) throws(EvaluationError) -> ComparisonReport {
        guard settings.task != .ranking else { throw EvaluationError("compare supports binary, multiclass and regression predictions") }
        guard a.labels.count == b.labels.count else {
            throw EvaluationError("the two predictions files have \(a.labels.count) and \(b.labels.count) rows; paired comparison needs the same examples in the same order")
        }
        if let row = a.labels.indices.first(where: { a.labels[$0] != b.labels[$0] }) {
            throw EvaluationError("the label is '\(a.labels[row])' in A and '\(b.labels[row])' in B; paired comparison needs the same examples in the same order", row: row)
        }
        let taskA = try TaskMetrics(a, settings: settings), taskB = try TaskMetrics(b, settings: settings)
        let names = taskA.names
        let pointA = Dictionary(uniqueKeysWithValues: taskA.point().metrics), pointB = Dictionary(uniqueKeysWithValues: taskB.point().metrics)
        let count = a.labels.count
        let rounds = settings.bootstrapRounds
        let differences = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(rounds, 1) * names.count)
        defer { differences.deallocate() }
        nonisolated(unsafe) let shared = differences
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        DispatchQueue.concurrentPerform(iterations: rounds > 0 ? workers : 0) { worker in
            let weights = UnsafeMutableBufferPointer<Double>.allocate(capacity: count)
            defer { weights.deallocate() }
            var round = worker
            while round < rounds {
                var draws = PoissonWeights(seed: settings.seed ^ (UInt64(round) &* 0x9E37_79B9_7F4A_7C15))
                for row in 0..<count { weights[row] = draws.next() }
                let valuesA = taskA.values(rowWeights: UnsafeBufferPointer(weights))
                let valuesB = taskB.values(rowWeights: UnsafeBufferPointer(weights))
                for metric in names.indices { shared[round * names.count + metric] = valuesB[metric] - valuesA[metric] }
                round += workers
            }
        }
        var results = [ComparisonReport.Difference]()
        for (index, name) in names.enumerated() {
            guard let valueA = pointA[name], let valueB = pointB[name], valueA.isFinite, valueB.isFinite else { continue }
            let observed = valueB - valueA
            var interval: ClosedRange<Double>?
            var pValue: Double?
            if rounds > 0 {
                let samples = (0..<rounds).map { differences[$0 * names.count + index] }.filter { !$0.isNaN }.sorted()
                if !samples.isEmpty {
                    let tail = (1 - settings.level) / 2
                    interval = Percentile.of(samples, tail)...Percentile.of(samples, 1 - tail)
                    let below = Double(samples.filter { $0 <= 0 }.count), above = Double(samples.filter { $0 >= 0 }.count)
                    pValue = min(1, 2 * min(below, above) / Double(samples.count))
                }
            }
            let significant = interval.map { !$0.contains(0) } ?? false
            let improved = lowerIsBetter(name) ? observed < 0 : observed > 0
            results.append(.init(
                metric: name, a: valueA, b: valueB, difference: observed, interval: interval, pValue: pValue, significant: significant, improved: improved))
        }
        var mcnemar: ComparisonReport.McNemar?
        if let rightA = taskA.correctness(a, settings: settings), let rightB = taskB.correctness(b, settings: settings) {
            let onlyA = zip(rightA, rightB).filter { $0 && !$1 }.count
            let onlyB = zip(rightA, rightB).filter { !$0 && $1 }.count
            mcnemar = Self.mcnemar(onlyA: onlyA, onlyB: onlyB)
        }
        return ComparisonReport(count: count, level: settings.level, differences: results, mcnemar: mcnemar)
    }

    /// McNemar's test: exact binomial for fewer than 25 discordant examples, else chi-square
    /// with continuity correction (one degree of freedom).
    static func mcnemar(onlyA: Int, onlyB: Int) -> ComparisonReport.McNemar {
        let discordant = onlyA + onlyB
        guard discordant > 0 else { return .init(onlyA: 0, onlyB: 0, statistic: 0, pValue: 1, exact: true) }
        if discordant < 25 {
            // Two-sided exact: 2 · P(X ≤ min) for X ~ Binomial(n, 1/2).
            let smaller = min(onlyA, onlyB)
            var tail = 0.0
            for k in 0...smaller { tail += exp(lgamma(Double(discordant + 1)) - lgamma(Double(k + 1)) - lgamma(Double(discordant - k + 1)) - Double(discordant) * log(2)) }
            return .init(onlyA: onlyA, onlyB: onlyB, statistic: Double(smaller), pValue: min(1, 2 * tail), exact: true)
        }
        let statistic = pow(abs(Double(onlyA - onlyB)) - 1, 2) / Double(discordant)
        // χ²(1) tail = erfc(sqrt(x / 2)).
        return .init(onlyA: onlyA, onlyB: onlyB, statistic: statistic, pValue: erfc((statistic / 2).squareRoot()), exact: false)
    }
}
