import ArgumentParser
import Evaluation
import Foundation
import RegistryDocuments
import RegistryKit
import RegistryModel

struct CompareCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Is B really better than A? Metric differences on the same examples, with paired bootstrap intervals and McNemar's test.",
        discussion: """
            Both versions' predictions must cover the same examples in the same order (the labels \
            are checked row by row). By default they are the predictions stored with each version's \
            latest evaluation on --dataset; --predictions-a/-b give files instead. Each round of the \
            paired bootstrap weights the same examples of both models the same way; a difference is \
            significant when its interval (--level, default 0.95) excludes zero. For classification, \
            McNemar's test compares the examples only one of the models gets right.

            EXAMPLES
              mreg compare churn@5 churn@7 --dataset holdout
              mreg compare churn@5 churn@7 --dataset holdout --predictions-a a.csv --predictions-b b.csv --task binary --json
            """)

    @Argument(help: ArgumentHelp("Version A (the baseline).", valueName: "ref-a"))
    var referenceA: String

    @Argument(help: ArgumentHelp("Version B (the challenger).", valueName: "ref-b"))
    var referenceB: String

    @Option(name: .long, help: ArgumentHelp("The dataset key of the evaluations (holdout in holdout.auc).", valueName: "key"))
    var dataset: String

    @Option(name: .customLong("predictions-a"), help: ArgumentHelp("A's predictions file.", valueName: "file"))
    var predictionsA: String?

    @Option(name: .customLong("predictions-b"), help: ArgumentHelp("B's predictions file.", valueName: "file"))
    var predictionsB: String?

    @Option(name: .long, help: "binary, multiclass or regression (with --predictions-a/-b).")
    var task: String?

    @Option(name: .long, help: "Binary: the score at or above which a prediction is positive.")
    var threshold: Double?

    @Option(name: .long, help: "Bootstrap rounds.")
    var bootstrap = 1000

    @Option(name: .long, help: "The bootstrap's seed.")
    var seed: UInt64 = 0

    @Option(name: .long, help: "The confidence level of the intervals.")
    var level = 0.95

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let outcome = try invocation.openRegistry(global).compare(
            referenceA, referenceB, predictionsA: predictionsA, predictionsB: predictionsB, settings: try settings(),
            currentDirectory: invocation.currentDirectory)
        report(outcome)
    }

    /// The statistics' settings, checked before anything is read.
    func settings() throws(RegistryError) -> ComparisonSettings {
        guard level > 0.5, level < 1 else { throw RegistryError(.usage, "--level must be between 0.5 and 1 (e.g. 0.95)") }
        guard bootstrap >= 100, bootstrap <= 100_000 else { throw RegistryError(.usage, "--bootstrap must be between 100 and 100000") }
        var kind: MetricReport.Task?
        if let task {
            guard let parsed = MetricReport.Task(rawValue: task), parsed != .ranking else {
                throw RegistryError(
                    .usage, "--task '\(task)' is not one of binary, multiclass or regression" + Suggestion.didYouMean(task, among: ["binary", "multiclass", "regression"]))
            }
            kind = parsed
        }
        return ComparisonSettings(datasetKey: dataset, task: kind, threshold: threshold, rounds: bootstrap, seed: seed, level: level)
    }

    func report(_ outcome: ComparisonOutcome) {
        if global.json {
            Console.json(ComparisonDocument(outcome))
            return
        }
        let report = outcome.report
        Console.out("compare \(outcome.b) (B: \(outcome.sourceB)) with \(outcome.a) (A: \(outcome.sourceA)) on \(outcome.datasetKey): \(report.count) paired examples, \(outcome.task.rawValue)")
        Console.out(Format.table(
            ["METRIC", "A", "B", "B − A", "\(Format.metric(report.level * 100))% INTERVAL", "P-VALUE", "VERDICT"],
            report.differences.map { difference in
                let verdict = difference.significant ? (difference.improved ? "B better (significant)" : "B worse (significant)") : "no significant difference"
                return [difference.metric, Format.metric(difference.a), Format.metric(difference.b), Format.metric(difference.difference),
                        difference.interval.map { "[\(Format.metric($0.lowerBound)), \(Format.metric($0.upperBound))]" } ?? "-",
                        difference.pValue.map(Format.pValue) ?? "-", verdict]
            }))
        if let mcnemar = report.mcnemar {
            Console.out("McNemar (\(mcnemar.exact ? "exact" : "χ² with continuity correction")): only A right \(mcnemar.onlyA), only B right \(mcnemar.onlyB), p = \(Format.pValue(mcnemar.pValue))"
                + (mcnemar.pValue < 1 - report.level ? ": the accuracies differ significantly" : ": no significant difference in accuracy"))
        }
    }
}
