import ContentStore
import DatasetProfiling
import Evaluation
import Foundation
import MetadataStore
import Policy
import RegistryModel

/// What `compare` compared, and the verdicts.
public struct ComparisonOutcome: Sendable {
    public let a: String
    public let b: String
    public let datasetKey: String
    public let task: MetricReport.Task
    /// Where each side's predictions came from: a file given, or a stored evaluation.
    public let sourceA: String
    public let sourceB: String
    public let report: ComparisonReport
}

extension Registry {
    /// Compares two versions on the same examples: from the predictions files given, or from the
    /// predictions stored with each version's latest evaluation on the dataset.
    public func compare(
        _ referenceA: String, _ referenceB: String, datasetKey: String, predictionsA: String?, predictionsB: String?,
        task: MetricReport.Task?, threshold: Double?, rounds: Int, seed: UInt64, level: Double, currentDirectory: String
    ) throws(RegistryError) -> ComparisonOutcome {
        let versionA = try resolve(reference: referenceA), versionB = try resolve(reference: referenceB)
        func configured(_ task: MetricReport.Task, recordedThreshold: Double) -> EvaluationSettings {
            var settings = EvaluationSettings(task: task)
            settings.threshold = threshold ?? recordedThreshold
            settings.bootstrapRounds = rounds
            settings.seed = seed
            settings.level = level
            return settings
        }
        var settings: EvaluationSettings
        let columnsA: PredictionColumns, columnsB: PredictionColumns
        let sourceA: String, sourceB: String
        if let predictionsA, let predictionsB {
            guard let task else { throw .usage("--predictions-a and --predictions-b need --task") }
            settings = configured(task, recordedThreshold: 0.5)
            columnsA = try readPredictions(file: RegistryLocator.absolute(predictionsA, from: currentDirectory), shownAs: predictionsA, settings: settings, names: nil)
            columnsB = try readPredictions(file: RegistryLocator.absolute(predictionsB, from: currentDirectory), shownAs: predictionsB, settings: settings, names: nil)
            (sourceA, sourceB) = (predictionsA, predictionsB)
        } else if predictionsA == nil && predictionsB == nil {
            let (evaluationA, readingA) = try storedPredictions(versionA, datasetKey: datasetKey)
            let (evaluationB, readingB) = try storedPredictions(versionB, datasetKey: datasetKey)
            guard readingA.task == readingB.task else {
                throw .usage("evaluation #\(evaluationA.id) is \(readingA.task.rawValue) and #\(evaluationB.id) is \(readingB.task.rawValue); compare needs one task")
            }
            if let task, task != readingA.task {
                throw .usage("the stored evaluations are \(readingA.task.rawValue), not \(task.rawValue)")
            }
            settings = configured(readingA.task, recordedThreshold: readingA.threshold)
            columnsA = try readPredictions(file: blobs.path(of: evaluationA.predictions!), shownAs: "evaluation #\(evaluationA.id)", format: readingA.format, settings: settings, names: readingA.columns)
            columnsB = try readPredictions(file: blobs.path(of: evaluationB.predictions!), shownAs: "evaluation #\(evaluationB.id)", format: readingB.format, settings: settings, names: readingB.columns)
            (sourceA, sourceB) = ("evaluation #\(evaluationA.id)", "evaluation #\(evaluationB.id)")
        } else {
            throw .usage("give both --predictions-a and --predictions-b, or neither (to use the predictions stored with each version's latest evaluation)")
        }
        let lowerIsBetter = (try? policy().lowerIsBetter) ?? nil
        let names = lowerIsBetter ?? Policy.defaultLowerIsBetter
        let report: ComparisonReport
        do {
            report = try PairedComparison.compare(columnsA, columnsB, settings: settings) { GateEvaluation.isLowerBetter($0, names) }
        } catch {
            throw .usage(error.problem)
        }
        return ComparisonOutcome(
            a: "\(versionA.model)@\(versionA.number)", b: "\(versionB.model)@\(versionB.number)", datasetKey: datasetKey, task: settings.task,
            sourceA: sourceA, sourceB: sourceB, report: report)
    }

    /// How a stored evaluation read its predictions.
    struct PredictionReading {
        let task: MetricReport.Task
        let format: TableProfile.Format
        let threshold: Double
        let columns: [String]
    }

    /// The latest evaluation of a version on a dataset key that kept its predictions.
    func storedPredictions(_ version: VersionRecord, datasetKey: String) throws(RegistryError) -> (EvaluationRecord, PredictionReading) {
        let candidates = try evaluations(of: version).filter { $0.datasetKey == datasetKey && $0.predictions != nil }
        guard let evaluation = candidates.last,
            let reading = evaluation.details.objectValue?["reading"]?.objectValue,
            case .string(let taskName)? = reading["task"], let task = MetricReport.Task(rawValue: taskName)
        else {
            throw .notFound(
                "\(version.model)@\(version.number) has no evaluation on '\(datasetKey)' with stored predictions",
                hint: "run 'mreg evaluate \(version.model)@\(version.number) --dataset \(datasetKey) --predictions FILE --task TASK', or pass --predictions-a/-b")
        }
        var threshold = 0.5
        if case .number(let value)? = reading["threshold"] { threshold = value }
        var format = TableProfile.Format.csv
        if case .string(let name)? = reading["format"], let recorded = TableProfile.Format(rawValue: name) { format = recorded }
        let columns = Self.columnRoles(task).compactMap { role -> String? in
            if case .string(let name)? = reading[role] { return name }
            return nil
        }
        return (evaluation, PredictionReading(task: task, format: format, threshold: threshold, columns: columns))
    }

    /// Reads a predictions file's columns for a task (default column names unless given).
    func readPredictions(
        file: String, shownAs: String, format known: TableProfile.Format? = nil, settings: EvaluationSettings, names: [String]?
    ) throws(RegistryError) -> PredictionColumns {
        let wanted = names ?? Self.columnRoles(settings.task)
        guard let format = known ?? TableProfiler.format(forPath: file) else {
            throw .usage("'\(shownAs)' is not a CSV, TSV or JSON Lines file (by its extension)", hint: "name it .csv, .tsv or .jsonl")
        }
        guard FileManager.default.fileExists(atPath: file) else { throw .notFound("'\(shownAs)' does not exist") }
        let collector = ColumnCollector(format: format, columns: wanted)
        _ = try Self.storeBlob { () throws(ContentStoreError) in try blobs.hash(fileAt: file) { chunk in collector.consume(chunk) } }
        let values: [String: [String]]
        do {
            values = try collector.finish()
        } catch {
            throw .usage("predictions '\(shownAs)': \(error.problem)")
        }
        var columns = PredictionColumns()
        columns.labels = values[wanted[0]]!
        switch settings.task {
        case .binary, .regression, .ranking: columns.scores = try Self.numbers(values[wanted[1]]!, column: wanted[1], path: shownAs)
        case .multiclass: columns.predictedClasses = values[wanted[1]]!
        }
        if settings.task == .ranking { columns.queries = values[wanted[2]]! }
        return columns
    }
}
