import ArgumentParser
import Drift
import Foundation
import RegistryDocuments
import RegistryKit
import RegistryModel

/// `mreg drift`: checking new data (`drift check`, what `mreg drift REF --data PATH` runs) and
/// the reports it kept.
struct DriftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Compare new data with a dataset the version was trained or evaluated on; exit 4 on drift.",
        discussion: "'mreg drift REF --data PATH' is 'mreg drift check REF --data PATH'.",
        subcommands: [DriftCheckCommand.self, DriftListCommand.self, DriftShowCommand.self], defaultSubcommand: DriftCheckCommand.self)
}

struct DriftCheckCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Compare new data with a dataset the version was trained or evaluated on; exit 4 on drift.",
        discussion: """
            Per column: the two-sample Kolmogorov-Smirnov test and the population stability index \
            (PSI, ten bins at the reference's deciles) for numbers; chi-square and PSI over the most \
            frequent values for text; the change in missing values; new, vanished and retyped \
            columns. A column drifts when its PSI is at least --psi (0.2), or its test's p-value is \
            below --alpha (0.001) with a PSI of at least 0.1, or its missing share moved by --missing \
            (0.05) or more. The reference is the stored profile, so the training data is not needed.

            With --record the report is kept as a ledger event (the writer role, through a server): \
            'mreg drift list REF' and the version's web page list them, 'mreg drift show MODEL N' \
            prints one again.

            EXAMPLES
              mreg drift churn@production --data today.csv
              mreg drift churn@3 --data events.jsonl --against holdout --json
              mreg drift churn@production --data today.csv --record   # nightly, kept
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

    @Flag(name: .long, help: "Keep the report in the registry, as a ledger event (drifted or not).")
    var record = false

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
            currentDirectory: invocation.currentDirectory, recordAs: record ? invocation.registrant : nil, progress: invocation.progress(global))
        Self.print(outcome, json: global.json)
        let drifted = outcome.report.drifted
        if !drifted.isEmpty {
            var error = RegistryError(
                .refused, "drift detected in \(drifted.count) column(s): \(drifted.map(\.column).joined(separator: ", "))",
                hint: "see the table above; thresholds are --psi, --alpha and --missing")
            error.documentPrinted = true
            throw error
        }
    }

    /// The report as a table (or its JSON document): what `drift` found, or `drift show` kept.
    static func print(_ outcome: DriftOutcome, json: Bool) {
        if json {
            Console.json(DriftDocument(outcome))
            return
        }
        let report = outcome.report
        if let recorded = outcome.recorded {
            Console.out("drift report #\(recorded.number), recorded \(Timestamp.format(recorded.at)) by \(HistoryCommand.actor(recorded.actor))")
        }
        Console.out("drift of \(outcome.data) (\(report.currentRows) rows) against \(outcome.reference)'s \(outcome.against) \(outcome.referenceFile) (\(report.referenceRows) rows)")
        Console.out(Format.table(
            ["COLUMN", "TYPE", "TEST", "STATISTIC", "P-VALUE", "PSI", "MISSING", "STATUS"],
            report.columns.map { column in
                [column.column, column.currentType ?? column.referenceType ?? "-", column.test ?? "-",
                 column.statistic.map(Format.metric) ?? "-", column.pValue.map(Format.pValue) ?? "-", column.psi.map(Format.metric) ?? "-",
                 "\(column.referenceMissingRate.map { Format.metric($0 * 100) + "%" } ?? "-") → \(column.currentMissingRate.map { Format.metric($0 * 100) + "%" } ?? "-")",
                 column.status == .stable ? "ok" : column.status.rawValue.uppercased() + ": " + column.reasons.joined(separator: "; ")]
            }))
    }
}

struct DriftListCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List a version's recorded drift reports, newest first.",
        discussion: """
            EXAMPLES
              mreg drift list churn@production
              mreg drift list churn@3 --after 812 --json   # the page after report #812
            """)

    @Argument(help: ArgumentHelp("The version.", valueName: "ref"))
    var reference: String

    @Option(name: .long, help: ArgumentHelp("How many reports to list.", valueName: "n"))
    var limit = 20

    @Option(name: .long, help: ArgumentHelp("List the reports numbered below N: the page after one that ended at N.", valueName: "n"))
    var after: Int64?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
        if let after, after < 1 { throw ValidationError("--after must be a report number (1 or more)") }
    }

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let page = try invocation.openRegistry(global).driftReports(reference: reference, limit: limit, after: after)
        if global.json {
            Console.json(DriftListDocument(page))
            return
        }
        let name = "\(page.version.model)@\(page.version.number)"
        guard !page.reports.isEmpty else {
            Console.out(after == nil ? "\(name) has no recorded drift reports (record one with 'mreg drift \(name) --data PATH --record')" : "\(name) has no drift reports before #\(after!)")
            return
        }
        Console.out(Format.table(
            ["REPORT", "RECORDED", "BY", "AGAINST", "DATA", "ROWS", "FLAGGED"],
            page.reports.map { outcome in
                let recorded = outcome.recorded
                return ["#\(recorded.map { String($0.number) } ?? "?")", recorded.map { Timestamp.format($0.at) } ?? "-",
                        recorded.map { HistoryCommand.actor($0.actor) } ?? "-", outcome.against, outcome.data, "\(outcome.report.currentRows)",
                        "\(outcome.report.drifted.count) of \(outcome.report.columns.count)"]
            }))
        if page.more, let last = page.reports.last?.recorded {
            note("(older reports not shown; the next page: mreg drift list \(name) --after \(last.number))")
        }
    }
}

struct DriftShowCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a recorded drift report again, as 'drift' printed it.",
        discussion: """
            EXAMPLES
              mreg drift show churn 812
              mreg drift show churn 812 --json
            """)

    @Argument(help: ArgumentHelp("The model the report is of.", valueName: "model"))
    var model: String

    @Argument(help: ArgumentHelp("The report's number (as 'drift list' shows it).", valueName: "n"))
    var number: Int64

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        DriftCheckCommand.print(try invocation.openRegistry(global).driftReport(model: model, number: number), json: global.json)
    }
}
