import ContentHashing
import RegistryStorage
import DatasetProfiling
import Evaluation
import Foundation
import RegistryModel

/// A request to evaluate a version on a dataset, from given metrics or from a predictions file.
public struct EvaluationRequest: Sendable {
    public enum Source: Sendable {
        /// Metrics computed elsewhere: names (`auc`) or keys of this dataset (`holdout.auc`).
        case metrics([Metric])
        /// A predictions file (CSV, TSV or JSON Lines) and how to read and score it.
        case predictions(path: String, settings: EvaluationSettings, columns: PredictionColumnNames)
    }

    public var reference: String
    /// A role of the version's datasets, a dataset name recorded with `dataset add`, or a path.
    public var dataset: String
    /// The DATASET part of metric keys; by default the dataset's name, the role the version gave
    /// the same data, or the file's name without extension.
    public var datasetKey: String?
    public var source: Source
    public var git: RegistrationRequest.GitSource
    public var registrant: Registrant
    public var currentDirectory: String
    /// The dataset as a client read it on its machine (`dataset` is then its path there).
    public var preparedDataset: PreparedDataset?
    /// Whether `dataset` may name a file or folder on this machine: a server answering a client
    /// reads no path of its own.
    public var datasetPaths = true

    public init(
        reference: String, dataset: String, datasetKey: String?, source: Source, git: RegistrationRequest.GitSource, registrant: Registrant,
        currentDirectory: String
    ) {
        self.reference = reference
        self.dataset = dataset
        self.datasetKey = datasetKey
        self.source = source
        self.git = git
        self.registrant = registrant
        self.currentDirectory = currentDirectory
    }
}

/// Which columns of a predictions file hold what (defaults in README, "Evaluations").
public struct PredictionColumnNames: Sendable {
    public var label: String?
    public var score: String?
    public var prediction: String?
    public var query: String?
    public var slice: String?

    public init(label: String? = nil, score: String? = nil, prediction: String? = nil, query: String? = nil, slice: String? = nil) {
        self.label = label
        self.score = score
        self.prediction = prediction
        self.query = query
        self.slice = slice
    }

    /// The column given for a role (`relevance` is the ranking task's label).
    func column(for role: String) -> String? {
        switch role {
        case "label", "relevance": label
        case "score": score
        case "prediction": prediction
        case "query": query
        default: nil
        }
    }
}

extension Registry {
    /// Records an evaluation of a version: the dataset's fingerprint, the metrics (with their
    /// bootstrap intervals when computed from predictions), the predictions file as a blob, the
    /// evaluating code's commit, who and when.
    ///
    /// An identical evaluation retried (same version, dataset and key, task, metrics, reading
    /// options, predictions and commit) returns the one recorded, as `register` does; `created`
    /// says which.
    public func evaluate(_ request: EvaluationRequest, progress: (any ProgressDisplay)? = nil) throws(RegistryError) -> (record: EvaluationRecord, warnings: [String], created: Bool) {
        let version = try resolve(reference: request.reference)
        var warnings = [String]()
        let (fingerprint, listing, profiles, defaultKey) = try evaluationDataset(request, version: version, warnings: &warnings)
        let key = request.datasetKey ?? defaultKey
        do {
            try DatasetUse.validateRole(key)
        } catch {
            throw .usage("the dataset key \(error.description.dropFirst("invalid dataset role".count))", hint: "name it with --as KEY")
        }
        let (git, _) = try gitProvenance(request.git, requireClean: false, currentDirectory: request.currentDirectory, warnings: &warnings)
        var task: String?
        var metrics = [EvaluationMetric]()
        var details: JSONValue = .object([:])
        var predictions: Digest?
        // The predictions blob and the evaluation document are referenced by nothing until the
        // evaluation row commits: hold off `gc` meanwhile.
        let storeLock = try StoreLock.acquire(layout, exclusive: false, timeout: busyTimeout, purpose: "evaluate")
        defer { withExtendedLifetime(storeLock) {} }
        // Read before the predictions are stored (see `BlobCollectionLogging`); a collection of
        // them meanwhile refuses the write, which stores them again and runs again unscored.
        let fence = try collectionFence()
        switch request.source {
        case .metrics(let given):
            guard !given.isEmpty else { throw .usage("give --metric KEY=VALUE, --metrics FILE or --predictions FILE") }
            for metric in given {
                guard metric.dataset.isEmpty || metric.dataset == key else {
                    throw .usage("metric '\(metric.key)' belongs to dataset '\(metric.dataset)', not '\(key)'", hint: "give names without a dataset (auc), or \(key).NAME")
                }
                metrics.append(EvaluationMetric(name: metric.name, value: metric.value, interval: nil))
            }
        case .predictions(let path, let settings, let names):
            let (report, digest) = try score(predictionsAt: path, settings: settings, names: names, currentDirectory: request.currentDirectory, progress: progress)
            task = settings.task.rawValue
            predictions = digest
            details = report.details
            metrics = report.metrics.map { EvaluationMetric(name: $0.name, value: $0.value, interval: report.intervals[$0.name]) }
            if let bad = metrics.first(where: { !$0.value.isFinite }) {
                warnings.append("note: \(bad.name) is undefined for these predictions (e.g. only one class present) and is not recorded")
                metrics.removeAll { !$0.value.isFinite }
            }
        }
        let detailsJSON = String(decoding: try Self.documentBytes(details, what: "evaluation details"), as: UTF8.self)
        let identical = try checkedEvaluations(of: version).last { existing in
            existing.dataset == fingerprint.digest && existing.datasetKey == key && existing.task == task && existing.metrics == metrics
                && existing.predictions == predictions && existing.gitCommit == git?.commit && existing.gitDirty == (git?.dirty ?? false)
                && (try? Self.documentBytes(existing.details, what: "evaluation details")).map { String(decoding: $0, as: UTF8.self) } == detailsJSON
        }
        if let identical { return (identical, warnings, false) }
        let createdAt = clock()
        let pointer = VersionPointer(model: version.model, number: version.number, manifestDigest: version.manifestDigest)
        let document = RecordDocument.evaluation(EvaluationRecord(
            id: 0, version: pointer, dataset: fingerprint.digest, datasetKey: key, task: task, metrics: metrics, details: details,
            predictions: predictions, gitCommit: git?.commit, gitDirty: git?.dirty ?? false, createdAt: createdAt, registrant: request.registrant))
        var attempts = 0
        let id = try retryingCollected(from: fence) { (fence) throws(RegistryError) -> Int64 in
            attempts += 1
            if attempts > 1, case .predictions(let path, _, _) = request.source, let predictions {
                try storePredictions(path, digest: predictions, currentDirectory: request.currentDirectory, progress: progress)
            }
            let record = try storeRecord(document, what: "evaluation")
            let datasetRecord = try storeDatasetRecord(fingerprint, listing: listing, profiles: profiles)
            let new = NewEvaluation(
                versionID: version.id, dataset: fingerprint, datasetListing: listing, datasetProfiles: profiles, datasetKey: key, task: task,
                metrics: metrics, detailsJSON: detailsJSON, predictions: predictions, gitCommit: git?.commit, gitDirty: git?.dirty ?? false,
                createdAt: createdAt, registrant: request.registrant, record: record, datasetRecord: datasetRecord,
                fence: BlobFence(position: fence, digests: [predictions, record, datasetRecord].compactMap { $0 }))
            return try database { (db) throws(MetadataError) in try db.insertEvaluation(new, seal: Self.sealEvent) }
        }
        guard let record = try database({ (db) throws(MetadataError) in try db.evaluation(id: id) }) else {
            throw .bug("evaluation #\(id) vanished after it was written")
        }
        return (record, warnings, true)
    }

    /// The evaluations of a model's versions with these numbers, oldest first, as stored: for a
    /// list of versions, as their metrics are listed (`show` checks each against the ledger).
    public func evaluations(model name: String, numbers: [Int]) throws(RegistryError) -> [EvaluationRecord] {
        let model = try Self.modelName(name)
        return try database { (db) throws(MetadataError) in try db.evaluations(model: model, numbers: numbers) }
    }

    /// The version's evaluations, oldest first, each checked against its ledger event's document.
    public func evaluations(of record: VersionRecord) throws(RegistryError) -> [EvaluationRecord] {
        try checkedEvaluations(of: record)
    }

    /// The dataset an evaluation names: one of the version's roles, a recorded name, or a path
    /// fingerprinted now.
    private func evaluationDataset(
        _ request: EvaluationRequest, version: VersionRecord, warnings: inout [String]
    ) throws(RegistryError) -> (DatasetFingerprint, [FileEntry], [StoredProfile], String) {
        // A role the version gave a dataset at registration (`holdout`).
        if let use = version.datasets.first(where: { $0.role == request.dataset }) {
            return (use.fingerprint, [], [], use.role)
        }
        if let digest = try database({ (db) throws(MetadataError) in try db.datasetDigest(named: request.dataset) }),
            let details = try database({ (db) throws(MetadataError) in try db.dataset(digest, uses: 0) })
        {
            return (details.fingerprint, [], [], request.dataset)
        }
        // Through a server, the client looked for the path on its machine and sent what it read.
        let unknown = RegistryError.notFound(
            "'\(request.dataset)' is neither one of \(version.model)@\(version.number)'s dataset roles, a recorded dataset name nor an existing path",
            hint: "run 'mreg dataset list', or give a file or folder")
        let dataset: PreparedDataset
        if let prepared = request.preparedDataset {
            try prepared.validate()
            dataset = prepared
        } else {
            guard request.datasetPaths, FileManager.default.fileExists(atPath: RegistryLocator.absolute(request.dataset, from: request.currentDirectory))
            else { throw unknown }
            let read = try Self.prepareEvaluationDataset(request.dataset, currentDirectory: request.currentDirectory)
            warnings += read.warnings
            dataset = read.dataset
        }
        let fingerprint = dataset.use.fingerprint
        let role = version.datasets.first { $0.fingerprint.digest == fingerprint.digest }?.role
        return (fingerprint, dataset.listing ?? [], dataset.profiles, role ?? dataset.use.role)
    }

    /// A table file (predictions, new data) at `path` on this machine, checked as `evaluate` and
    /// `drift` check it before reading it (its extension names a format; it exists and is one
    /// file): its absolute path. A client checks it so before sending it.
    public static func tableFile(_ path: String, currentDirectory: String, what: String) throws(RegistryError) -> String {
        try tableSource(path, currentDirectory: currentDirectory, what: what).file.absolutePath
    }

    static func tableSource(_ path: String, currentDirectory: String, what: String) throws(RegistryError) -> (file: SourceFile, format: TableProfile.Format) {
        guard let format = TableProfiler.format(forPath: path) else {
            throw .usage("'\(path)' is not a CSV, TSV or JSON Lines file (by its extension)", hint: "name it .csv, .tsv or .jsonl")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: RegistryLocator.absolute(path, from: currentDirectory), isDirectory: &isDirectory), isDirectory.boolValue {
            throw .usage("'\(path)' is a folder; give one file", hint: "name a CSV, TSV or JSON Lines file")
        }
        return (try SourceFileCollector.collect([path], currentDirectory: currentDirectory, what: what)[0], format)
    }

    /// Fingerprints and profiles a dataset file or folder on this machine for an evaluation; its
    /// role is the file's name without extension (the metric keys' default DATASET part).
    public static func prepareEvaluationDataset(_ path: String, currentDirectory: String) throws(RegistryError) -> (dataset: PreparedDataset, warnings: [String]) {
        let absolute = RegistryLocator.absolute(path, from: currentDirectory)
        let files = try SourceFileCollector.collect([path], currentDirectory: currentDirectory, what: "dataset")
        let stem = URL(fileURLWithPath: absolute).deletingPathExtension().lastPathComponent.lowercased()
        let dataset = try fingerprint(role: stem, path: path, files: files, currentDirectory: currentDirectory, stored: false, progress: nil)
        return (PreparedDataset(use: dataset.use, listing: dataset.listing, profiles: dataset.profiles), dataset.warnings)
    }

    /// Reads the predictions file's columns while hashing it, computes the task's metrics, and
    /// then stores the file as a blob (checking it still has the digest that was scored).
    private func score(
        predictionsAt path: String, settings: EvaluationSettings, names: PredictionColumnNames, currentDirectory: String,
        progress: (any ProgressDisplay)?
    ) throws(RegistryError) -> (MetricReport, Digest) {
        let (file, format) = try Self.tableSource(path, currentDirectory: currentDirectory, what: "predictions")
        let files = [file]
        let wanted = Self.columnRoles(settings.task).map { role in names.column(for: role) ?? role }
        // Read and score first; only predictions that could be scored are stored, so a refused
        // evaluation leaves the registry as it was.
        let (columns, digest) = try Self.readPredictions(
            file: files[0].absolutePath, shownAs: path, format: format, task: settings.task, names: wanted, slice: names.slice)
        var report: MetricReport
        do {
            report = try Evaluator.evaluate(columns, settings: settings)
        } catch {
            throw RegistryError(error, file: path, lines: columns.lines)
        }
        // How the file was read, so `compare` can read the stored copy the same way.
        var details = report.details.objectValue ?? [:]
        var reading: [String: JSONValue] = [
            "task": .string(settings.task.rawValue), "format": .string(format.rawValue), "threshold": .number(settings.threshold),
            "k": .integer(Int64(settings.k)),
        ]
        for (role, name) in zip(Self.columnRoles(settings.task), wanted) { reading[role] = .string(name) }
        details["reading"] = .object(reading)
        report = MetricReport(task: report.task, count: report.count, metrics: report.metrics, intervals: report.intervals, details: .object(details))
        try storePredictions(path, digest: digest, currentDirectory: currentDirectory, progress: progress)
        return (report, digest)
    }

    /// Stores the predictions file that was scored, checking it still has the digest scored.
    private func storePredictions(_ path: String, digest: Digest, currentDirectory: String, progress: (any ProgressDisplay)?) throws(RegistryError) {
        let (file, _) = try Self.tableSource(path, currentDirectory: currentDirectory, what: "predictions")
        let (entries, _) = try ingest([file], label: "store predictions", progress: progress)
        guard entries[0].digest == digest else {
            throw RegistryError(.conflict, "the predictions file '\(path)' changed while it was read", hint: "run the command again once it is written")
        }
    }

    /// Reads a predictions file's columns for a task (named `names`, in `columnRoles` order; by
    /// default the roles' own names), hashing it in the same read.
    static func readPredictions(
        file: String, shownAs: String, format known: TableProfile.Format? = nil, task: MetricReport.Task, names: [String]? = nil,
        slice: String? = nil
    ) throws(RegistryError) -> (columns: PredictionColumns, digest: Digest) {
        let wanted = (names ?? Self.columnRoles(task)) + (slice.map { [$0] } ?? [])
        guard let format = known ?? TableProfiler.format(forPath: file) else {
            throw .usage("'\(shownAs)' is not a CSV, TSV or JSON Lines file (by its extension)", hint: "name it .csv, .tsv or .jsonl")
        }
        guard FileManager.default.fileExists(atPath: file) else { throw .notFound("'\(shownAs)' does not exist") }
        let collector = ColumnCollector(format: format, columns: wanted)
        let (digest, _) = try Self.storeBlob { () throws(ContentStoreError) in try FileHashing.hash(fileAt: file) { chunk in collector.consume(chunk) } }
        let values: [String: [String]]
        do {
            values = try collector.finish()
        } catch {
            throw RegistryError(error, file: shownAs)
        }
        var columns = PredictionColumns()
        columns.lines = collector.lines
        columns.labels = values[wanted[0]]!
        switch task {
        case .binary, .regression, .ranking: columns.scores = try Self.numbers(values[wanted[1]]!, column: wanted[1], path: shownAs, lines: collector.lines)
        case .multiclass: columns.predictedClasses = values[wanted[1]]!
        }
        if task == .ranking { columns.queries = values[wanted[2]]! }
        if let slice { columns.slices = values[slice] }
        return (columns, digest)
    }

    /// What each wanted column is, in the order `readPredictions` asks for them; each role's
    /// name is also its column's default name.
    static func columnRoles(_ task: MetricReport.Task) -> [String] {
        switch task {
        case .binary: ["label", "score"]
        case .multiclass, .regression: ["label", "prediction"]
        case .ranking: ["relevance", "score", "query"]
        }
    }

    static func numbers(_ texts: [String], column: String, path: String, lines: [Int64]) throws(RegistryError) -> [Double] {
        var result = [Double]()
        result.reserveCapacity(texts.count)
        for (row, text) in texts.enumerated() {
            // Trimming is slow (Foundation); only a value that does not parse as it stands pays for it.
            guard let value = Double(text) ?? Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
                throw .usage("predictions file '\(path)' line \(row < lines.count ? lines[row] : Int64(row + 1)): column '\(column)' is '\(text)', not a number")
            }
            result.append(value)
        }
        return result
    }
}
