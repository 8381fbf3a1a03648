import Foundation
import RegistryModel
import RegistryTestSupport
import Testing
@testable import Evaluation

/// scikit-learn's values for a predictions CSV (scripts/sklearn_metrics.py).
func sklearn(_ task: String, _ csv: String, _ extra: [String] = []) throws -> [String: Any] {
    let directory = TemporaryDirectory()
    try writeFile(directory.url("p.csv"), csv)
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    let result = try run("/usr/bin/env", ["python3", root + "/scripts/sklearn_metrics.py", task, directory.url("p.csv")] + extra, in: directory.path)
    guard result.status == 0 else { throw TestFailure("sklearn_metrics.py failed: \(result.stderr)") }
    return try result.json()
}

func expectClose(_ report: MetricReport, _ reference: [String: Any], tolerance: Double = 1e-9, sourceLocation: SourceLocation = #_sourceLocation) {
    for (name, value) in report.metrics {
        guard let expected = reference[name] as? Double else {
            Issue.record("scikit-learn has no \(name)", sourceLocation: sourceLocation)
            continue
        }
        #expect(abs(value - expected) <= tolerance, "\(name): \(value) vs scikit-learn \(expected)", sourceLocation: sourceLocation)
    }
}

@Suite struct EvaluationMetricsTests {
    func binaryData(seed: UInt64, rows: Int) -> (PredictionColumns, String) {
        var random = SeededGenerator(seed: seed)
        var columns = PredictionColumns()
        var csv = "label,score\n"
        for _ in 0..<rows {
            let label = random.next() % 3 == 0 ? 1 : 0
            // Scores on a 0.01 grid, so ties are common; positives score higher on average.
            let score = min(1, max(0, Double(random.next() % 70) / 100 + (label == 1 ? 0.3 : 0)))
            columns.labels.append("\(label)")
            columns.scores.append(score)
            csv += "\(label),\(score)\n"
        }
        return (columns, csv)
    }

    @Test(arguments: [0.5, 0.3])
    func binaryMetricsMatchScikitLearn(threshold: Double) throws {
        let (columns, csv) = binaryData(seed: 7, rows: 3000)
        var settings = EvaluationSettings(task: .binary)
        settings.threshold = threshold
        settings.bootstrapRounds = 0
        let report = try Evaluator.evaluate(columns, settings: settings)
        let reference = try sklearn("binary", csv, ["\(threshold)"])
        expectClose(report, reference)
        let confusion = report.details.objectValue?["confusion"]?.objectValue
        for key in ["true_positive", "false_positive", "false_negative", "true_negative"] {
            #expect(confusion?[key] == .integer(Int64(reference[key] as! Int)), "\(key)")
        }
    }

    @Test func handDerivedBinaryCase() throws {
        // Scores 0.9 (1), 0.8 (0), 0.8 (1), 0.1 (0): positive-above-negative pairs are
        // (0.9>0.8) 1, (0.9>0.1) 1, (0.8=0.8) 1/2, (0.8>0.1) 1 → AUC 3.5/4.
        var columns = PredictionColumns()
        columns.labels = ["1", "0", "1", "0"]
        columns.scores = [0.9, 0.8, 0.8, 0.1]
        var settings = EvaluationSettings(task: .binary)
        settings.bootstrapRounds = 0
        let report = try Evaluator.evaluate(columns, settings: settings)
        #expect(report.value("roc_auc") == 0.875)
        #expect(report.value("accuracy") == 0.75 && report.value("precision") == 2.0 / 3 && report.value("recall") == 1)
        #expect(abs(report.value("brier")! - (0.01 + 0.64 + 0.04 + 0.01) / 4) < 1e-15)
    }

    @Test func multiclassMetricsMatchScikitLearn() throws {
        var random = SeededGenerator(seed: 9)
        var columns = PredictionColumns()
        var csv = "label,prediction\n"
        let classes = ["cat", "dog", "eel", "fox"]
        for _ in 0..<800 {
            let label = classes[Int(random.next() % 3)]   // "fox" is only ever predicted
            let prediction = random.next() % 2 == 0 ? label : classes[Int(random.next() % 4)]
            columns.labels.append(label)
            columns.predictedClasses.append(prediction)
            csv += "\(label),\(prediction)\n"
        }
        var settings = EvaluationSettings(task: .multiclass)
        settings.bootstrapRounds = 0
        let report = try Evaluator.evaluate(columns, settings: settings)
        let reference = try sklearn("multiclass", csv)
        expectClose(report, reference)
        let matrix = report.details.objectValue?["confusion_matrix"]
        #expect(matrix == .array((reference["confusion_matrix"] as! [[Int]]).map { .array($0.map { .integer(Int64($0)) }) }))
        #expect(report.details.objectValue?["classes"] == .array(classes.map(JSONValue.string)))
    }

    @Test func regressionMetricsMatchScikitLearn() throws {
        var random = SeededGenerator(seed: 4)
        var columns = PredictionColumns()
        var csv = "label,prediction\n"
        for _ in 0..<1000 {
            let label = Double(random.next() % 10_000) / 100 - 20
            let prediction = label + Double(Int(random.next() % 1000) - 500) / 100
            columns.labels.append("\(label)")
            columns.scores.append(prediction)
            csv += "\(label),\(prediction)\n"
        }
        var settings = EvaluationSettings(task: .regression)
        settings.features = 5
        settings.bootstrapRounds = 0
        let report = try Evaluator.evaluate(columns, settings: settings)
        let reference = try sklearn("regression", csv, ["0", "5"])
        expectClose(report, reference)
        #expect(report.metrics.map(\.name) == ["mse", "rmse", "mae", "r2", "adjusted_r2", "mape"])
    }

    @Test func rankingMetricsMatchScikitLearnAndAHandCase() throws {
        var random = SeededGenerator(seed: 12)
        var columns = PredictionColumns()
        var csv = "query,relevance,score\n"
        for query in 0..<60 {
            var scores = Array(0..<12).map { Double($0) + 0.5 }
            scores.shuffle(using: &random)
            for item in 0..<12 {
                let relevance = query % 10 == 0 ? 0 : Int(random.next() % 4) == 0 ? Int(random.next() % 3) + 1 : 0
                columns.queries.append("q\(query)")
                columns.labels.append("\(relevance)")
                columns.scores.append(scores[item])
                csv += "q\(query),\(relevance),\(scores[item])\n"
            }
        }
        var settings = EvaluationSettings(task: .ranking)
        settings.k = 5
        settings.bootstrapRounds = 0
        let report = try Evaluator.evaluate(columns, settings: settings)
        expectClose(report, try sklearn("ranking", csv, ["5"]))
        let withoutRelevant = Set(columns.queries).filter { query in
            zip(columns.queries, columns.labels).allSatisfy { $0.0 != query || $0.1 == "0" }
        }
        #expect(withoutRelevant.count >= 6)
        #expect(report.details.objectValue?["skipped_queries"] == .integer(Int64(withoutRelevant.count)))

        // One query, ranked relevances [0, 2, 0, 1] at k = 2: p@2 = 1/2, r@2 = 1/2,
        // AP = (1/2 + 2/4) / 2 = 1/2, MRR = 1/2, NDCG@2 = (2/log2 3) / (2 + 1/log2 3).
        var hand = PredictionColumns()
        hand.queries = ["a", "a", "a", "a"]
        hand.labels = ["0", "2", "0", "1"]
        hand.scores = [4, 3, 2, 1]
        settings.k = 2
        let small = try Evaluator.evaluate(hand, settings: settings)
        #expect(small.value("precision_at_2") == 0.5 && small.value("recall_at_2") == 0.5)
        #expect(small.value("map") == 0.5 && small.value("mrr") == 0.5)
        #expect(abs(small.value("ndcg_at_2")! - (2 / log2(3)) / (2 + 1 / log2(3))) < 1e-15)
    }

    @Test func bootstrapIntervalsAreReproducibleAndBracketTheEstimate() throws {
        let (columns, _) = binaryData(seed: 3, rows: 2000)
        var settings = EvaluationSettings(task: .binary)
        settings.bootstrapRounds = 300
        settings.seed = 42
        let first = try Evaluator.evaluate(columns, settings: settings)
        #expect(try Evaluator.evaluate(columns, settings: settings) == first, "same seed, same intervals")
        settings.seed = 43
        #expect(try Evaluator.evaluate(columns, settings: settings).intervals != first.intervals)
        for (name, value) in first.metrics {
            let interval = try #require(first.intervals[name], "\(name)")
            #expect(interval.contains(value) && interval.upperBound - interval.lowerBound < 0.1, "\(name): \(value) in \(interval)")
        }
        // A larger sample gives a narrower interval.
        let (large, _) = binaryData(seed: 3, rows: 20_000)
        let wide = first.intervals["roc_auc"]!, narrow = try Evaluator.evaluate(large, settings: settings).intervals["roc_auc"]!
        #expect(narrow.upperBound - narrow.lowerBound < (wide.upperBound - wide.lowerBound) / 2)
    }

    @Test func slicesReportEachGroupTheLargestGapAndDisparateImpact() throws {
        var columns = PredictionColumns()
        // Group a: 4 rows, 3 predicted positive; group b: 4 rows, 1 predicted positive.
        columns.labels = ["1", "1", "0", "0", "1", "0", "0", "1"]
        columns.scores = [0.9, 0.8, 0.7, 0.2, 0.6, 0.1, 0.2, 0.3]
        columns.slices = ["a", "a", "a", "a", "b", "b", "b", "b"]
        var settings = EvaluationSettings(task: .binary)
        settings.bootstrapRounds = 0
        let report = try Evaluator.evaluate(columns, settings: settings)
        let slices = try #require(report.details.objectValue?["slices"]?.objectValue)
        #expect(slices["disparate_impact"] == .number(0.25 / 0.75))
        let groups = try #require(slices["groups"]?.arrayValue)
        #expect(groups.map { $0.objectValue?["value"] } == [.string("a"), .string("b")])
        // Accuracy: a = 3/4, b = 3/4 (b misses its 0.3 positive) → gap 0.
        #expect(slices["largest_gap"]?.objectValue?["accuracy"] == .number(0))
        #expect(slices["largest_gap"]?.objectValue?["recall"] == .number(0.5))
    }

    @Test func unusablePredictionsAreRefusedWithTheRow() {
        var columns = PredictionColumns()
        columns.labels = ["1", "yes"]
        columns.scores = [0.5, 0.5]
        var settings = EvaluationSettings(task: .binary)
        settings.bootstrapRounds = 0
        #expect(throws: EvaluationError("binary labels must be 0/1 or true/false, not 'yes'", row: 1)) { try Evaluator.evaluate(columns, settings: settings) }
        columns.labels = ["1", "0"]
        columns.scores = [0.5, 1.5]
        #expect(throws: EvaluationError("the score 1.5 is not a probability between 0 and 1", row: 1)) { try Evaluator.evaluate(columns, settings: settings) }
    }
}
