import ArgumentParser
import Evaluation
import Foundation
import RegistryDocuments
import RegistryKit
import RegistryModel

struct EvaluateCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Record an evaluation of a version on a dataset: given metrics, or metrics computed from predictions.",
        discussion: """
            With --predictions, mreg computes the metrics itself (so CI hands over raw predictions, \
            not numbers to trust), with 95% bootstrap confidence intervals, and keeps the file as a \
            blob. Tasks and their default columns:
              binary       label (0/1 or true/false), score (probability of 1)
              multiclass   label, prediction
              regression   label, prediction
              ranking      query, relevance, score
            Metric keys are DATASET.METRIC; promotion gates read the latest evaluation per dataset.

            EXAMPLES
              mreg evaluate churn@3 --dataset holdout --predictions preds.csv --task binary
              mreg evaluate churn@3 --dataset data/holdout.csv --predictions preds.jsonl --task binary --slice region
              mreg evaluate prices@2 --dataset test --predictions p.csv --task regression --features 12
              mreg evaluate search@5 --dataset queries --predictions r.csv --task ranking --k 10
              mreg evaluate churn@3 --dataset holdout --metric auc=0.91 --metric log_loss=0.33
            """)

    @Argument(help: ArgumentHelp("The version.", valueName: "ref"))
    var reference: String

    @Option(name: .long, help: ArgumentHelp("One of the version's dataset roles, a dataset name from 'mreg dataset add', or a file or folder to fingerprint.", valueName: "role-name-or-path"))
    var dataset: String

    @Option(name: .customLong("as"), help: ArgumentHelp("The DATASET part of the metric keys (default: the dataset's name or role, or the file name).", valueName: "key"))
    var datasetKey: String?

    @Option(name: .long, help: ArgumentHelp("A metric NAME=VALUE (repeatable).", valueName: "name=value"))
    var metric: [String] = []

    @Option(name: .long, help: ArgumentHelp("A JSON file of metrics: {\"auc\": 0.91} or {\"DATASET\": {\"auc\": 0.91}}.", valueName: "file"))
    var metrics: String?

    @Option(name: .long, help: ArgumentHelp("A predictions file (CSV, TSV or JSON Lines) to compute metrics from.", valueName: "file"))
    var predictions: String?

    @Option(name: .long, help: "binary, multiclass, regression or ranking (with --predictions).")
    var task: String?

    @Option(name: .long, help: "Binary: the score at or above which a prediction is positive.")
    var threshold = 0.5

    @Option(name: .long, help: "Ranking: the cut-off of precision@k, recall@k and NDCG@k.")
    var k = 10

    @Option(name: .long, help: "Regression: the model's number of features, for adjusted R².")
    var features: Int?

    @Option(name: .long, help: "Bootstrap rounds for the confidence intervals (0: none).")
    var bootstrap = 1000

    @Option(name: .long, help: "The bootstrap's seed (the same seed gives the same intervals).")
    var seed: UInt64 = 0

    @Option(name: .customLong("label-column"), help: "The column of true labels (ranking: relevances).")
    var labelColumn: String?

    @Option(name: .customLong("score-column"), help: "The column of scores (binary, ranking).")
    var scoreColumn: String?

    @Option(name: .customLong("prediction-column"), help: "The column of predictions (multiclass, regression).")
    var predictionColumn: String?

    @Option(name: .customLong("query-column"), help: "Ranking: the column of query ids.")
    var queryColumn: String?

    @Option(name: .long, help: ArgumentHelp("Also compute every metric per value of this column (fairness across groups).", valueName: "column"))
    var slice: String?

    @Option(name: .customLong("git"), help: ArgumentHelp("The git work tree of the evaluating code (default: discover from the current folder).", valueName: "path"))
    var gitPath: String?

    @Flag(name: .long, help: "Record no git information.")
    var noGit = false

    @OptionGroup var global: GlobalOptions

    func execute(_ invocation: Invocation) throws(RegistryError) {
        // Through a server, what the client read on its machine: the server reads no path of its own.
        let upload = try invocation.served.map { (call) throws(RegistryError) in
            call.body.isEmpty ? EvaluationUpload() : try decodeBody(EvaluationUpload.self, from: call.body, what: "an evaluation upload (schemas/evaluation-upload.schema.json)")
        }
        let source: EvaluationRequest.Source
        let given = (metrics == nil ? 0 : 1) + (metric.isEmpty ? 0 : 1) + (predictions == nil ? 0 : 1)
        if predictions != nil && given > 1 { throw RegistryError(.usage, "give either --predictions or --metric/--metrics, not both") }
        if let predictions {
            guard let taskName = task else {
                throw RegistryError(.usage, "--predictions needs --task binary, multiclass, regression or ranking")
            }
            guard let kind = MetricReport.Task(rawValue: taskName) else {
                let tasks = ["binary", "multiclass", "regression", "ranking"]
                throw RegistryError(
                    .usage, "--task '\(taskName)' is not one of \(tasks.joined(separator: ", "))" + Suggestion.didYouMean(taskName, among: tasks))
            }
            var settings = EvaluationSettings(task: kind)
            settings.threshold = threshold
            settings.k = k
            settings.features = features
            settings.bootstrapRounds = bootstrap
            settings.seed = seed
            guard bootstrap >= 0, bootstrap <= 100_000 else { throw RegistryError(.usage, "--bootstrap must be between 0 and 100000") }
            let names = PredictionColumnNames(label: labelColumn, score: scoreColumn, prediction: predictionColumn, query: queryColumn, slice: slice)
            source = .predictions(path: predictions, settings: settings, columns: names)
        } else {
            if task != nil { throw RegistryError(.usage, "--task applies to --predictions only") }
            var values = try metric.map { (text) throws(RegistryError) in try InputParsing.metric(text) }
            if let metrics { values += try InputParsing.metricsFile(invocation.absolute(metrics)) }
            source = .metrics(values)
        }
        if noGit && gitPath != nil { throw RegistryError(.usage, "--no-git and --git cannot be used together") }
        var request = EvaluationRequest(
            reference: reference, dataset: dataset, datasetKey: datasetKey, source: source,
            git: noGit ? .none : gitPath.map { .repository($0) } ?? .discover(from: invocation.currentDirectory), registrant: invocation.registrant,
            currentDirectory: invocation.currentDirectory)
        if let upload {
            request.git = .recorded(upload.git)
            request.preparedDataset = upload.dataset
            request.datasetPaths = false
        }
        var (record, warnings, created) = try invocation.openRegistry(global).evaluate(request, progress: invocation.progress(global))
        warnings = (upload?.warnings ?? []) + warnings
        if global.json {
            Console.json(EvaluationDocument(record, created: created))
            return
        }
        for warning in warnings { note(warning) }
        let what = "\(record.version.reference) on \(record.datasetKey) (\(record.dataset.short))\(record.task.map { ", \($0)" } ?? "")"
        Console.out(created ? "evaluated \(what): evaluation #\(record.id)" : "unchanged: \(what) is already recorded as evaluation #\(record.id)")
        Console.out(EvaluationText.lines(record).joined(separator: "\n"))
    }
}
