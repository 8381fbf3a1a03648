import ArgumentParser
import RegistryDocuments
import RegistryKit
import RegistryModel

struct PromoteCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract: "Point an alias at a version, if it passes the alias's gates in policy.toml.",
        discussion: """
            Every gate of the alias (registry/policy.toml, with per-model overrides) is evaluated and \
            reported, one line each: PASS, FAIL with the actual and required values, or N/A; a metric \
            gate says where its value came from (computed by mreg from stored predictions, given to \
            'mreg evaluate' as a number, or given at registration). If any gate fails the alias does \
            not move and the exit status is 4; --dry-run exits 4 too when a gate would fail. Deprecated and rolled-back \
            versions are refused too. The move and its event (who, when, why, the gate report) are \
            written in one transaction; 'mreg history' shows them.

            EXAMPLES
              mreg promote churn@7 --to staging
              mreg promote churn@7 --to production --reason "beats v5 on holdout"
              mreg promote churn@8 --to production --dry-run
              mreg promote churn@8 --to production --force --reason "hotfix approved in INC-150"
            """)

    @Argument(help: ArgumentHelp("The version: NAME@3, NAME@ALIAS, NAME@sha256:PREFIX or NAME (latest).", valueName: "ref"))
    var reference: String

    @Option(name: .customLong("to"), help: ArgumentHelp("The alias to move (production, staging, …).", valueName: "alias"))
    var alias: String

    @Option(name: .long, help: "Why; recorded in the history (required with --force).")
    var reason: String?

    @Flag(name: .long, help: "Move the alias even though gates failed (needs --reason; the failed gates are recorded).")
    var force = false

    @Flag(name: .long, help: "Print the gate report and change nothing.")
    var dryRun = false

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        if force && dryRun { throw RegistryError(.usage, "--force and --dry-run exclude each other", hint: "drop one of them") }
        let registry = try invocation.openRegistry(global)
        let outcome = try registry.promote(
            PromotionRequest(reference: reference, alias: alias, reason: reason, force: force, dryRun: dryRun, actor: invocation.registrant),
            progress: invocation.progress(global))
        for warning in outcome.warnings { Console.err("warning: \(warning)") }
        let target = "\(outcome.version.reference) → \(outcome.alias)"
        let from = outcome.previous.map { " (now \($0.reference))" } ?? " (now no version)"
        if global.json {
            Console.json(PromoteDocument(outcome))
        } else {
            Console.out("promote \(target)\(from)")
            Console.out(GateReportText.lines(outcome.report).joined(separator: "\n"))
        }
        let failed = outcome.report.failures.map(\.label)
        switch outcome.result {
        case .moved(let recorded):
            if !global.json {
                let override = recorded.event.forced ? " (forced past \(failed.count) failed gate(s): \(failed.joined(separator: ", ")))" : ""
                Console.out("moved: \(outcome.alias) now points at \(outcome.version.reference)\(override); event #\(recorded.event.sequence)")
            }
        case .unchanged:
            if !global.json { Console.out("unchanged: \(outcome.alias) already points at \(outcome.version.reference)") }
        case .dryRun:
            if !global.json && failed.isEmpty { Console.out("dry run: every gate passes; \(outcome.alias) would move; nothing was changed") }
            if !failed.isEmpty {
                // Exit 4 as the real promotion would, so a CI job can ask first.
                var error = RegistryError(
                    .refused,
                    "dry run: promotion of \(outcome.version.reference) to \(outcome.alias) would be refused: \(failed.count) gate(s) fail (\(failed.joined(separator: ", "))); nothing was changed",
                    hint: "see the report above")
                error.documentPrinted = true
                throw error
            }
        case .refused:
            var error = RegistryError(
                .refused, "promotion of \(outcome.version.reference) to \(outcome.alias) refused: \(failed.count) gate(s) failed (\(failed.joined(separator: ", "))); \(outcome.alias) was not moved",
                hint: "see the report above; --force --reason TEXT overrides and records it")
            error.documentPrinted = true
            throw error
        }
    }
}
