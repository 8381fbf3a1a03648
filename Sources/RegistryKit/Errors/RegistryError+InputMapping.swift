import DatasetProfiling
import Evaluation
import Policy
import RegistryModel
import Signatures
import TOML

/// One mapping per error type of what users give mreg: names, references, policy and config
/// files, keys, predictions files. Each is a usage error (exit 64) unless it says otherwise.
extension RegistryError {
    /// A model, alias, dataset name or role that breaks the naming rules.
    init(_ error: NameError, flag: String? = nil, hint: String? = nil) {
        self.init(.usage, (flag.map { "\($0): " } ?? "") + error.description, hint: hint)
    }

    init(_ error: ReferenceError) {
        self.init(.usage, error.description, hint: "write NAME, NAME@3, NAME@ALIAS or NAME@sha256:PREFIX")
    }

    init(_ error: PolicyError, file: String) {
        self.init(.usage, "'\(file)' \(error.description)", hint: "fix the policy file (README, \"Policy\"); nothing was changed")
    }

    init(_ error: TOMLError, file: String) {
        self.init(.usage, "'\(file)' line \(error.line): \(error.problem) (column \(error.column))", hint: "fix the configuration file; nothing was changed")
    }

    /// A key given on the command line to sign with or to trust.
    init(_ error: SignatureError, purpose: String) {
        self.init(.usage, "cannot \(purpose) with this key: \(error.description)")
    }

    /// A key file in the registry's `keys/` that no longer reads as a key.
    init(trustedKey error: SignatureError, path: String) {
        self.init(.integrity, "the trusted key '\(path)' is unusable: \(error.description)", hint: "restore it from git, or remove it")
    }

    /// A problem with one example of a predictions file, named by the file line it was read from.
    init(_ error: EvaluationError, file: String, lines: [Int64]) {
        guard let row = error.row else {
            self.init(.usage, "predictions file '\(file)': \(error.problem)")
            return
        }
        let place = row < lines.count ? "line \(lines[row])" : "example \(row + 1)"
        self.init(.usage, "predictions file '\(file)' \(place): \(error.problem)")
    }

    /// A predictions file that cannot be read as the columns asked for; the column options are
    /// the fix only when a column is missing.
    init(_ error: CollectionError, file: String) {
        self.init(
            .usage, "predictions file '\(file)'\(error.line.map { " line \($0)" } ?? ""): \(error.problem)",
            hint: error.missingColumn == nil ? nil : "name the columns with --label-column, --score-column, …")
    }
}
