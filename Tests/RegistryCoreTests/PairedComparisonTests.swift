import Foundation
import RegistryTestSupport
import Testing
@testable import Evaluation

@Suite struct PairedComparisonTests {
    /// Labels with two models' scores: B separates the classes better than A.
    func predictions(rows: Int, seed: UInt64, separationA: Double, separationB: Double) -> (PredictionColumns, PredictionColumns) {
        var random = SeededGenerator(seed: seed)
        var a = PredictionColumns(), b = PredictionColumns()
        for _ in 0..<rows {
            let label = random.next() % 2 == 0
            let noise = Double(random.next() % 1000) / 1000
            let shared = Double(random.next() % 1000) / 1000
            a.labels.append(label ? "1" : "0")
            b.labels.append(label ? "1" : "0")
            a.scores.append(min(1, max(0, 0.5 * shared + 0.5 * noise + (label ? separationA : -separationA))))
            b.scores.append(min(1, max(0, 0.5 * shared + 0.5 * noise + (label ? separationB : -separationB))))
        }
        return (a, b)
    }

    func settings() -> EvaluationSettings {
        var settings = EvaluationSettings(task: .binary)
        settings.bootstrapRounds = 400
        settings.seed = 3
        return settings
    }

    @Test func aClearlyBetterModelIsSignificantlyBetter() throws {
        let (a, b) = predictions(rows: 3000, seed: 1, separationA: 0.05, separationB: 0.2)
        let report = try PairedComparison.compare(a, b, settings: settings()) { $0 == "log_loss" || $0 == "brier" }
        let auc = try #require(report.differences.first { $0.metric == "roc_auc" })
        #expect(auc.significant && auc.improved && auc.difference > 0 && auc.interval!.lowerBound > 0)
        #expect(auc.pValue! < 0.01)
        let logLoss = try #require(report.differences.first { $0.metric == "log_loss" })
        #expect(logLoss.improved == (logLoss.difference < 0), "lower log loss is the improvement")
        #expect(report.mcnemar!.onlyB > report.mcnemar!.onlyA && report.mcnemar!.pValue < 0.01)
    }

    @Test func theSameModelIsNotSignificantlyDifferent() throws {
        let (a, _) = predictions(rows: 2000, seed: 2, separationA: 0.1, separationB: 0.1)
        let report = try PairedComparison.compare(a, a, settings: settings()) { _ in false }
        #expect(report.differences.allSatisfy { $0.difference == 0 && !$0.significant })
        #expect(report.mcnemar?.pValue == 1)
    }

    @Test func unpairedPredictionsAreRefused() throws {
        let (a, b) = predictions(rows: 50, seed: 4, separationA: 0.1, separationB: 0.1)
        var shorter = b
        shorter.labels.removeLast()
        shorter.scores.removeLast()
        #expect(throws: EvaluationError.self) { try PairedComparison.compare(a, shorter, settings: settings()) { _ in false } }
        var flipped = b
        flipped.labels[7] = flipped.labels[7] == "1" ? "0" : "1"
        #expect { try PairedComparison.compare(a, flipped, settings: settings()) { _ in false } } throws: {
            ($0 as? EvaluationError).map { $0.row == 7 && $0.problem.hasPrefix("the label is '") } == true
        }
    }

    @Test func mcnemarExactAndAsymptoticMatchTheirDefinitions() throws {
        // Exact: 2 · P(X ≤ 1), X ~ Binomial(10, 1/2) = 2 · 11 / 1024.
        let exact = PairedComparison.mcnemar(onlyA: 1, onlyB: 9)
        #expect(exact.exact && abs(exact.pValue - 22.0 / 1024) < 1e-15)
        let asymptotic = PairedComparison.mcnemar(onlyA: 10, onlyB: 30)
        #expect(!asymptotic.exact && asymptotic.statistic == 361.0 / 40)
        let scipy = try run("/usr/bin/env", ["python3", "-c", "from scipy import stats; print(repr(float(stats.chi2.sf(361/40, 1))))"], in: "/")
        #expect(abs(asymptotic.pValue - Double(scipy.stdout.trimmingCharacters(in: .whitespacesAndNewlines))!) < 1e-12)
    }
}
