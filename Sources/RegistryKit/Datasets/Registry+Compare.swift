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

/// How `compare` compares, whatever the predictions' source: the statistics' settings.
public struct ComparisonSettings: Sendable {
    public let datasetKey: String
    /// The task, required with prediction files; with stored predictions, checked against theirs.
    public let task: MetricReport.Task?
    public let threshold: Double?
    public let rounds: Int
    public let seed: UInt64
    public let level: Double

    public init(datasetKey: String, task: MetricReport.Task?, threshold: Double?, rounds: Int, seed: UInt64, level: Double) {
        (self.datasetKey, self.task, self.threshold, self.rounds, self.seed, self.level) = (datasetKey, task, threshold, rounds, seed, level)
    }

    func evaluation(_ task: MetricReport.Task, recordedThreshold: Double) -> EvaluationSettings {
        var settings = EvaluationSettings(task: task)
        settings.threshold = threshold ?? recordedThreshold
        settings.bootstrapRounds = rounds
        settings.seed = seed
        settings.level = level
        return settings
    }
}

extension Registry {
    /// Compares two versions on the same examples: from the predictions files given, or from the
    /// predictions stored with each version's latest evaluation on the dataset.
    public func compare(
        _ referenceA: String, _ referenceB: String, predictionsA: String?, predictionsB: String?, settings given: ComparisonSettings,
        currentDirectory: String
    ) throws(RegistryError) -> ComparisonOutcome {
        let versionA = try resolve(reference: referenceA), versionB = try resolve(reference: referenceB)
        let lowerIsBetter = ((try? policy().lowerIsBetter) ?? nil) ?? Policy.defaultLowerIsBetter
        let a = "\(versionA.model)@\(versionA.number)", b = "\(versionB.model)@\(versionB.number)"
        if predictionsA != nil || predictionsB != nil {
            return try Self.compare(
                a, b, predictionsA: predictionsA, predictionsB: predictionsB, settings: given, lowerIsBetter: lowerIsBetter, currentDirectory: currentDirectory)
        }
        let (evaluationA, readingA) = try storedPredictions(versionA, datasetKey: given.datasetKey)
        let (evaluationB, readingB) = try storedPredictions(versionB, datasetKey: given.datasetKey)
        guard readingA.task == readingB.task else {
            throw .usage("evaluation #\(evaluationA.id) is \(readingA.task.rawValue) and #\(evaluationB.id) is \(readingB.task.rawValue); compare needs one task")
        }
        if let task = given.task, task != readingA.task {
            throw .usage("the stored evaluations are \(readingA.task.rawValue), not \(task.rawValue)")
        }
        let settings = given.evaluation(readingA.task, recordedThreshold: readingA.threshold)
        let columnsA = try withBlobFile(evaluationA.predictions!) { (file) throws(RegistryError) in
            try Self.readPredictions(file: file, shownAs: "evaluation #\(evaluationA.id)", format: readingA.format, task: settings.task, names: readingA.columns).columns
        }
        let columnsB = try withBlobFile(evaluationB.predictions!) { (file) throws(RegistryError) in
            try Self.readPredictions(file: file, shownAs: "evaluation #\(evaluationB.id)", format: readingB.format, task: settings.task, names: readingB.columns).columns
        }
        return try Self.paired(
            (a, "evaluation #\(evaluationA.id)", columnsA), (b, "evaluation #\(evaluationB.id)", columnsB), datasetKey: given.datasetKey, settings: settings,
            lowerIsBetter: lowerIsBetter)
    }

    /// Compares two versions (`a`, `b`: their `model@N`) from prediction files: what `compare`
    /// does with `--predictions-a/-b`, on the registry's machine or on its client's, where the
    /// files are. `lowerIsBetter`: the policy's metric names.
    public static func compare(
        _ a: String, _ b: String, predictionsA: String?, predictionsB: String?, settings given: ComparisonSettings, lowerIsBetter: [String],
        currentDirectory: String
    ) throws(RegistryError) -> ComparisonOutcome {
        guard let predictionsA, let predictionsB else {
            throw .usage("give both --predictions-a and --predictions-b, or neither (to use the predictions stored with each version's latest evaluation)")
        }
        guard let task = given.task else { throw .usage("--predictions-a and --predictions-b need --task") }
        let settings = given.evaluation(task, recordedThreshold: 0.5)
        let columnsA = try readPredictions(file: RegistryLocator.absolute(predictionsA, from: currentDirectory), shownAs: predictionsA, task: task).columns
        let columnsB = try readPredictions(file: RegistryLocator.absolute(predictionsB, from: currentDirectory), shownAs: predictionsB, task: task).columns
        return try paired((a, predictionsA, columnsA), (b, predictionsB, columnsB), datasetKey: given.datasetKey, settings: settings, lowerIsBetter: lowerIsBetter)
    }

    /// The paired statistics of two sides' predictions; a row that does not pair is refused
    /// naming each side's line.
    private static func paired(
        _ sideA: (version: String, source: String, columns: PredictionColumns), _ sideB: (version: String, source: String, columns: PredictionColumns),
        datasetKey: String, settings: EvaluationSettings, lowerIsBetter: [String]
    ) throws(RegistryError) -> ComparisonOutcome {
        let report: ComparisonReport
        do {
            report = try PairedComparison.compare(sideA.columns, sideB.columns, settings: settings) { GateEvaluation.isLowerBetter($0, lowerIsBetter) }
        } catch {
            guard let row = error.row else { throw .usage(error.problem) }
            func line(_ columns: PredictionColumns) -> String { row < columns.lines.count ? "line \(columns.lines[row])" : "example \(row + 1)" }
            throw .usage("\(sideA.source) \(line(sideA.columns)) and \(sideB.source) \(line(sideB.columns)): \(error.problem)")
        }
        return ComparisonOutcome(
            a: sideA.version, b: sideB.version, datasetKey: datasetKey, task: settings.task, sourceA: sideA.source, sourceB: sideB.source, report: report)
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
