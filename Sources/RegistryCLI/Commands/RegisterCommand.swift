import Foundation
import ArgumentParser
import RegistryDocuments
import RegistryKit
import RegistryModel

struct RegisterCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "Register a trained model's files as a new immutable version.",
        discussion: """
            Files are stored once under their SHA-256 digest. A directory's files are recorded relative \
            to it, a single file by its base name; with several paths each one's base name is its \
            top-level entry. Registering identical files, parameters, datasets, metrics and commit again \
            returns the existing version (a retried CI job makes no duplicate).

            Metrics are addressed as DATASET.METRIC (e.g. holdout.auc); a --metrics file is either flat \
            {"auc": 0.91} or per dataset {"holdout": {"auc": 0.91}}.

            EXAMPLES
              mreg register churn ./out/model --params params.yaml \\
                --dataset train=data/train.csv --dataset holdout=data/holdout.csv \\
                --metrics eval.json
              mreg register churn model.onnx --param lr=0.01 \\
                --metric holdout.auc=0.91 --label owner=risk
            """)

    @Argument(help: "Model name: lowercase letters, digits, '.', '_', '-', '/' for namespaces.")
    var name: String

    @Argument(help: ArgumentHelp("Files and folders that make up the model.", valueName: "path"))
    var paths: [String]

    @Option(name: .customLong("param"), help: ArgumentHelp("A hyperparameter; the value is parsed as a JSON scalar where it is one (repeatable).", valueName: "key=value"))
    var params: [String] = []

    @Option(name: .customLong("params"), help: ArgumentHelp("A JSON or YAML file of hyperparameters (an object; nesting kept).", valueName: "file"))
    var paramsFile: String?

    @Option(name: .customLong("dataset"), help: ArgumentHelp("A dataset used in a role, fingerprinted not copied (repeatable).", valueName: "role=path"))
    var datasets: [String] = []

    @Flag(name: .long, help: "Copy the datasets' files into the store as well.")
    var storeDatasets = false

    @Option(name: .customLong("metric"), help: ArgumentHelp("An evaluation metric (repeatable).", valueName: "dataset.metric=number"))
    var metrics: [String] = []

    @Option(name: .customLong("metrics"), help: ArgumentHelp("A JSON file of metrics, flat or per dataset.", valueName: "file"))
    var metricsFile: String?

    @Option(name: .customLong("label"), help: ArgumentHelp("A free-form label (repeatable).", valueName: "key=value"))
    var labels: [String] = []

    @Option(name: .long, help: "A description of this version.")
    var description: String?

    @Option(name: .long, help: ArgumentHelp("The version this one was fine-tuned from.", valueName: "ref"))
    var parent: String?

    @Option(name: .customLong("git"), help: ArgumentHelp("The git work tree the model was built from (default: discover from the current folder).", valueName: "path"))
    var gitPath: String?

    @Flag(name: .long, help: "Record no git information.")
    var noGit = false

    @Flag(name: .long, help: "Refuse to register from a work tree with uncommitted changes.")
    var requireClean = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if noGit && gitPath != nil { throw ValidationError("--no-git and --git cannot be used together") }
    }

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let request = try request(invocation)
        let registry = try invocation.openRegistry(global)
        Self.report(try registry.register(request, progress: invocation.progress(global)), global: global)
    }

    /// What the flags ask to register, read and checked before anything is stored.
    func request(_ invocation: Invocation) throws(RegistryError) -> RegistrationRequest {
        try Self.checkArgumentOrder(name: name, paths: paths, currentDirectory: invocation.currentDirectory)
        let git: RegistrationRequest.GitSource = noGit ? .none : gitPath.map { .repository($0) } ?? .discover(from: invocation.currentDirectory)
        var request = RegistrationRequest(
            model: name, paths: paths, git: git, registrant: invocation.registrant, currentDirectory: invocation.currentDirectory)
        if let paramsFile {
            request.params = try InputParsing.paramsFile(RegistryLocator.absolute(paramsFile, from: invocation.currentDirectory))
        }
        for param in params {
            let (key, value) = try InputParsing.param(param)
            request.params[key] = value
        }
        if let metricsFile {
            request.metrics = try InputParsing.metricsFile(RegistryLocator.absolute(metricsFile, from: invocation.currentDirectory))
        }
        for metric in metrics {
            let parsed = try InputParsing.metric(metric)
            request.metrics.removeAll { $0.key == parsed.key }
            request.metrics.append(parsed)
        }
        for dataset in datasets {
            let (role, path) = try InputParsing.keyValue(dataset, flag: "--dataset")
            request.datasets.append((role, path))
        }
        for label in labels {
            let (key, value) = try InputParsing.keyValue(label, flag: "--label")
            request.labels[key] = value
        }
        request.description = description
        request.parent = parent
        request.requireClean = requireClean
        request.storeDatasets = storeDatasets
        return request
    }

    /// Prints a registration's outcome: its warnings as notes, then the version.
    static func report(_ outcome: RegistrationOutcome, global: GlobalOptions) {
        if !global.quiet { outcome.warnings.forEach(Console.err) }
        let version = outcome.version
        if global.json {
            Console.json(RegisterDocument(created: outcome.created, bytesStored: outcome.bytesStored, warnings: outcome.warnings, version: VersionDocument(version)))
        } else if outcome.created {
            Console.out(
                "registered \(version.model)@\(version.number) (\(version.manifestDigest)): \(version.files.count) file(s), "
                    + "\(Format.bytes(version.totalSize)), \(Format.bytes(outcome.bytesStored)) new")
        } else {
            Console.out(
                "\(version.model)@\(version.number) already holds identical files, parameters, datasets, metrics and commit "
                    + "(\(version.manifestDigest)); nothing new was registered")
        }
    }

    /// `mreg register model.onnx churn`: the name is an existing path and the "path" is not.
    static func checkArgumentOrder(name: String, paths: [String], currentDirectory: String) throws(RegistryError) {
        let exists = { (path: String) in FileManager.default.fileExists(atPath: RegistryLocator.absolute(path, from: currentDirectory)) }
        guard exists(name), let first = paths.first, !exists(first) else { return }
        throw RegistryError(
            .usage, "'\(name)' is a file or folder and '\(first)' does not exist: the arguments look swapped",
            hint: "the model name comes first: mreg register \(first) \(name)")
    }
}
