import ArgumentParser
import Drift
import Foundation
import RegistryKit
import RegistryModel

struct DriftCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Compare new data with a dataset the version was trained or evaluated on; exit 4 on drift.",
        discussion: """
            Per column: the two-sample Kolmogorov-Smirnov test and the population stability index \
            (PSI, ten bins at the reference's deciles) for numbers; chi-square and PSI over the most \
            frequent values for text; the change in missing values; new, vanished and retyped \
            columns. A column drifts when its PSI is at least --psi (0.2), or its test's p-value is \
            below --alpha (0.001) with a PSI of at least 0.1, or its missing share moved by --missing \
            (0.05) or more. The reference is the stored profile, so the training data is not needed.

            EXAMPLES
              mreg drift churn@production --data today.csv
              mreg drift churn@3 --data events.jsonl --against holdout --json
            """)

    @Argument(help: ArgumentHelp("The version.", valueName: "ref"))
    var reference: String

    @Option(name: .long, help: ArgumentHelp("The new data (CSV, TSV or JSON Lines).", valueName: "path"))
    var data: String

    @Option(name: .long, help: ArgumentHelp("The version's dataset to compare with: a role or an evaluation's dataset (default: train, or its only one).", valueName: "role"))
    var against: String?

    @Option(name: .long, help: ArgumentHelp("Which file of a folder dataset (default: the one named like --data).", valueName: "name"))
    var file: String?

    @Option(name: .long, help: "PSI at or above which a column drifts.")
    var psi = 0.2

    @Option(name: .long, help: "p-value below which a column with PSI ≥ 0.1 drifts.")
    var alpha = 0.001

    @Option(name: .long, help: "Change in the share of missing values at or above which a column drifts.")
    var missing = 0.05

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        guard psi > 0, alpha > 0, alpha < 1, missing > 0, missing <= 1 else {
            throw RegistryError(.usage, "--psi must be above 0, --alpha between 0 and 1, --missing between 0 and 1")
        }
        var thresholds = DriftThresholds()
        thresholds.psi = psi
        thresholds.alpha = alpha
        thresholds.missingRate = missing
        let outcome = try invocation.openRegistry(global).drift(
            reference: reference, data: data, against: against, file: file, thresholds: thresholds,
            currentDirectory: invocation.currentDirectory, progress: invocation.progress(global))
        let report = outcome.report
        if global.json {
            Console.json(DriftDocument(outcome))
        } else {
            Console.out("drift of \(outcome.data) (\(report.currentRows) rows) against \(outcome.reference)'s \(outcome.referenceFile) (\(report.referenceRows) rows)")
            Console.out(Format.table(
                ["COLUMN", "TYPE", "TEST", "STATISTIC", "P-VALUE", "PSI", "MISSING", "STATUS"],
                report.columns.map { column in
                    [column.column, column.currentType ?? column.referenceType ?? "-", column.test ?? "-",
                     column.statistic.map(Format.metric) ?? "-", column.pValue.map(Format.pValue) ?? "-", column.psi.map(Format.metric) ?? "-",
                     "\(column.referenceMissingRate.map { Format.metric($0 * 100) + "%" } ?? "-") → \(column.currentMissingRate.map { Format.metric($0 * 100) + "%" } ?? "-")",
                     column.status == .stable ? "ok" : column.status.rawValue.uppercased() + ": " + column.reasons.joined(separator: "; ")]
                }))
        }
        let drifted = report.drifted
        if !drifted.isEmpty {
            var error = RegistryError(
                .refused, "drift detected in \(drifted.count) column(s): \(drifted.map(\.column).joined(separator: ", "))",
                hint: "see the table above; thresholds are --psi, --alpha and --missing")
            error.documentPrinted = true
            throw error
        }
    }
}
