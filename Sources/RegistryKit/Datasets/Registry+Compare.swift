import RegistryStorage
import DatasetProfiling
import Evaluation
import Foundation
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
            columnsA = try readPredictions(file: RegistryLocator.absolute(predictionsA, from: currentDirectory), shownAs: predictionsA, task: settings.task).columns
            columnsB = try readPredictions(file: RegistryLocator.absolute(predictionsB, from: currentDirectory), shownAs: predictionsB, task: settings.task).columns
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
            columnsA = try withBlobFile(evaluationA.predictions!) { (file) throws(RegistryError) in
                try readPredictions(file: file, shownAs: "evaluation #\(evaluationA.id)", format: readingA.format, task: settings.task, names: readingA.columns).columns
            }
            columnsB = try withBlobFile(evaluationB.predictions!) { (file) throws(RegistryError) in
                try readPredictions(file: file, shownAs: "evaluation #\(evaluationB.id)", format: readingB.format, task: settings.task, names: readingB.columns).columns
            }
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
            guard let row = error.row else { throw .usage(error.problem) }
            func line(_ columns: PredictionColumns) -> String { row < columns.lines.count ? "line \(columns.lines[row])" : "example \(row + 1)" }
            throw .usage("\(sourceA) \(line(columnsA)) and \(sourceB) \(line(columnsB)): \(error.problem)")
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
}
