import Foundation
import RegistryClient
import RegistryKit
import RegistryModel
import RegistryServer

/// What `mreg evaluate` through a server read on the client's machine, sent as the request's
/// body: the server reads no path of its own. The predictions file follows the document in the
/// same body (`Mreg-Document-Length`); the server computes the metrics from it and stores it
/// only when they could be computed, as it would a local file, so a refusal stores nothing.
struct EvaluationUpload: Codable {
    /// The predictions file sent after the document: its size and name (the extension names its format).
    struct Predictions: Codable {
        let size: Int64
        let name: String
    }
    /// The dataset file or folder fingerprinted on the client, for a `--dataset` that is neither
    /// one of the version's roles nor a recorded name.
    var dataset: PreparedDataset?
    var predictions: Predictions?
    /// The evaluating code's commit, read from the client's work tree (nil: none recorded).
    var git: GitProvenance?
    /// Notes the client's reading made (a dirty work tree), printed as the CLI would.
    var warnings: [String] = []

    init() {}

    /// Every member may be left out: `{}` evaluates from the query alone.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        dataset = try container.decodeIfPresent(PreparedDataset.self, forKey: .dataset)
        predictions = try container.decodeIfPresent(Predictions.self, forKey: .predictions)
        git = try container.decodeIfPresent(GitProvenance.self, forKey: .git)
        warnings = try container.decodeIfPresent([String].self, forKey: .warnings) ?? []
    }

    /// The predictions file the client sent, under its own name, once it is whole.
    static func attached(_ predictions: Predictions, _ attachment: String?) throws(RegistryError) -> NamedAttachment {
        var info = stat()
        guard let attachment, stat(attachment, &info) == 0 else {
            throw RegistryError(.usage, "the document names predictions '\(predictions.name)', but no file follows it", hint: "send the file after the document (Mreg-Document-Length)")
        }
        guard Int64(info.st_size) == predictions.size else {
            throw RegistryError(.usage, "the predictions file has \(info.st_size) bytes, not the \(predictions.size) the document names", hint: "send it again")
        }
        return try NamedAttachment(attachment, named: predictions.name)
    }
}

extension EvaluateCommand: ServedCommand {
    static let endpoint = Endpoint(
        method: .post, path: "/v1/evaluate", role: .writer, answers: ["evaluation"], arguments: ["ref"],
        options: [
            "dataset", "as", "metric", "task", "threshold", "k", "features", "bootstrap", "seed", "label_column", "score_column", "prediction_column",
            "query_column", "slice",
        ], model: "ref", body: "evaluation-upload")

    var parameters: [(String, String)] {
        [("ref", reference), ("dataset", dataset), ("threshold", String(threshold)), ("k", String(k)), ("bootstrap", String(bootstrap)), ("seed", String(seed))]
            .adding("as", datasetKey).adding("metric", metric).adding("task", task).adding("features", features.map { String($0) })
            .adding("label_column", labelColumn).adding("score_column", scoreColumn).adding("prediction_column", predictionColumn)
            .adding("query_column", queryColumn).adding("slice", slice)
    }

    /// Reads what the command reads on this machine (the metrics file, the dataset if it is a
    /// path here, the work tree's commit), then sends it with the predictions file, if any.
    func evaluateThroughServer(_ connection: ServerConnection, invocation: Invocation) throws(RegistryError) -> Int32 {
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
        let form = AnswerForm(json: global.json, quiet: global.quiet, cli: true)
        let headers = [(AnswerForm.headerName, form.header)]
        guard let predictions else {
            let response = try connection.send("POST", Self.endpoint.path, query: query, headers: headers, body: try wireBody(upload))
            return try ServerClient.print(response, connection: connection)
        }
        let path = try Registry.predictionsFile(predictions, currentDirectory: invocation.currentDirectory)
        var info = stat()
        guard stat(path, &info) == 0 else { throw RegistryError(.io, "cannot read '\(predictions)': \(String(cString: strerror(errno)))") }
        upload.predictions = .init(size: Int64(info.st_size), name: URL(fileURLWithPath: path).lastPathComponent)
        let response = try connection.send(
            "POST", Self.endpoint.path, query: query, headers: headers, document: try wireBody(upload), attaching: path, size: Int64(info.st_size))
        return try ServerClient.print(response, connection: connection)
    }
}
