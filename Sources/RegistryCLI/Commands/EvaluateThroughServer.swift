import Foundation
import RegistryClient
import RegistryKit
import RegistryModel
import RegistryServer

/// What `mreg evaluate` through a server read on the client's machine, sent as the request's
/// body: the server reads no path of its own. The predictions file follows the document in the
/// same body (the endpoint's attachment); the server computes the metrics from it and stores it
/// only when they could be computed, as it would a local file, so a refusal stores nothing.
struct EvaluationUpload: Codable {
    /// The dataset file or folder fingerprinted on the client, for a `--dataset` that is neither
    /// one of the version's roles nor a recorded name.
    var dataset: PreparedDataset?
    /// The evaluating code's commit, read from the client's work tree (nil: none recorded).
    var git: GitProvenance?
    /// Notes the client's reading made (a dirty work tree), printed as the CLI would.
    var warnings: [String] = []

    init() {}

    /// Every member may be left out: `{}` evaluates from the query alone.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        dataset = try container.decodeIfPresent(PreparedDataset.self, forKey: .dataset)
        git = try container.decodeIfPresent(GitProvenance.self, forKey: .git)
        warnings = try container.decodeIfPresent([String].self, forKey: .warnings) ?? []
    }
}

extension EvaluateCommand: ServedCommand {
    static let endpoint = Endpoint(
        method: .post, path: "/v1/evaluate", role: .writer, answers: ["evaluation"], arguments: ["ref"],
        options: [
            "dataset", "as", "metric", "task", "threshold", "k", "features", "bootstrap", "seed", "label_column", "score_column", "prediction_column",
            "query_column", "slice", "predictions",
        ], model: "ref", body: "evaluation-upload", attachment: "predictions")

    var parameters: [(String, String)] {
        [("ref", reference), ("dataset", dataset), ("threshold", String(threshold)), ("k", String(k)), ("bootstrap", String(bootstrap)), ("seed", String(seed))]
            .adding("as", datasetKey).adding("metric", metric).adding("task", task).adding("features", features.map { String($0) })
            .adding("label_column", labelColumn).adding("score_column", scoreColumn).adding("prediction_column", predictionColumn)
            .adding("query_column", queryColumn).adding("slice", slice).adding("predictions", predictions)
    }

    /// Reads what the command reads on this machine (the metrics file, the dataset if it is a
    /// path here, the work tree's commit), then sends it with the predictions file, if any.
    func runThroughServer(_ connection: ServerConnection, invocation: Invocation) throws(RegistryError) -> Int32 {
        var query = parameters
        if let metrics {
            for value in try InputParsing.metricsFile(invocation.absolute(metrics)) { query.append(("metric", "\(value.key)=\(value.value)")) }
        }
        if noGit && gitPath != nil { throw RegistryError(.usage, "--no-git and --git cannot be used together") }
        var upload = EvaluationUpload()
        if !noGit {
            upload.git = try Registry.gitProvenance(
                gitPath.map { .repository($0) } ?? .discover(from: invocation.currentDirectory), requireClean: false,
                currentDirectory: invocation.currentDirectory, registryRoot: nil, warnings: &upload.warnings
            ).0
        }
        // A path here is fingerprinted here; the server still prefers a role or name of that text.
        if FileManager.default.fileExists(atPath: invocation.absolute(dataset)) {
            let read = try Registry.prepareEvaluationDataset(dataset, currentDirectory: invocation.currentDirectory)
            upload.dataset = read.dataset
            upload.warnings += read.warnings
        }
        // Checked here as the folder's evaluate checks it, before anything is sent.
        let file = try predictions.map { (path) throws(RegistryError) in try Registry.tableFile(path, currentDirectory: invocation.currentDirectory, what: "predictions") }
        return try ServerClient.send(self, query: query, document: try wireBody(upload), attaching: file, connection: connection)
    }
}
