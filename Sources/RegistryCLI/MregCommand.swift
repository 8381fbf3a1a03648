import ArgumentParser
import Foundation
import RegistryKit

/// The `mreg` command: a content-addressed model registry with git lineage.
public struct MregCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mreg",
        abstract: "A model registry: immutable, checksummed model versions with their code, data, parameters and metrics.",
        discussion: """
            Versions are referenced as NAME (latest), NAME@3 or NAME@v3, NAME@ALIAS, or NAME@sha256:PREFIX \
            (at least 12 hex digits).

            The registry is --registry PATH, else $MREG_REGISTRY, else the nearest folder named 'registry' \
            holding a registry.json, searching upwards from the current directory.
            """,
        version: "0.1.0",
        subcommands: [
            InitCommand.self, RegisterCommand.self, ListCommand.self, ShowCommand.self, ExportCommand.self, PromoteCommand.self,
            DemoteCommand.self, RollbackCommand.self, HistoryCommand.self, DeprecateCommand.self, LiftCommand.self, DeleteCommand.self, UndeleteCommand.self, RetentionCommand.self, AnnotateCommand.self, SignCommand.self, KeysCommand.self,
            PolicyCommand.self, DatasetCommand.self, EvaluateCommand.self, CompareCommand.self, DriftCommand.self, DiffCommand.self, LineageCommand.self, FindCommand.self, VerifyCommand.self, GCCommand.self, MigrateCommand.self, TokenCommand.self, ServeCommand.self, LoginCommand.self, WhoamiCommand.self,
        ]
    )

    public init() {}

    /// Runs the command line like `main()`, but ends every help text with the EXIT STATUS
    /// section (swift-argument-parser places a discussion before the usage and options).
    public static func runMain(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Never {
        Invocation.current.connectAhead(arguments)
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Foundation.exit(0)
        } catch {
            if exitCode(for: error) == .success, case let message = fullMessage(for: error), message.contains("USAGE:") {
                print(message + "\n\n" + exitStatusHelp)
                Foundation.exit(0)
            }
            if exitCode(for: error) == .validationFailure, !(error is ExitCode) {
                reportUsageError(message(for: error), arguments: arguments)
            }
            exit(withError: error)
        }
    }

    /// A usage error as every other error: one line on stderr with a hint, and with `--json`
    /// the error document on stdout; exit 64.
    static func reportUsageError(_ message: String, arguments: [String]) -> Never {
        let names = configuration.subcommands.compactMap { $0.configuration.commandName }
        var hint = "see '" + (["mreg"] + arguments.filter(names.contains).prefix(1) + ["--help"]).joined(separator: " ") + "'"
        if let first = arguments.first, first.hasPrefix("-"), let command = arguments.first(where: { names.contains($0) }) {
            // `mreg --registry X list`: options belong to the command.
            let rest = arguments.filter { $0 != command }
            hint = "options go after the command name: mreg \(command) \(rest.joined(separator: " "))"
        } else if let first = arguments.first, !first.hasPrefix("-"), !names.contains(first) {
            hint = "'\(first)' is not a command" + Suggestion.didYouMean(first, among: names) + " ('mreg --help' lists them)"
        }
        let text = message.split(separator: "\n").first.map(String.init) ?? message
        let error = RegistryError(.usage, text.hasPrefix("Error: ") ? String(text.dropFirst(7)) : text, hint: hint)
        Console.report(error, json: arguments.contains("--json"))
        Foundation.exit(error.exitCode)
    }
}
