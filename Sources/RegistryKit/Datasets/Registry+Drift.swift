import ContentHashing
import RegistryStorage
import DatasetProfiling
import Drift
import Foundation
import RegistryModel

/// What `drift` compared: the reference dataset and file, the new data, and the verdicts; and,
/// for a report that was recorded, when and by whom.
public struct DriftOutcome: Sendable {
    public let reference: String
    public let version: Int
    /// The version's dataset compared with: a role or an evaluation's key.
    public let against: String
    public let referenceDataset: Digest
    public let referenceFile: String
    public let data: String
    public let dataDigest: Digest
    public let report: DriftReport
    public let recorded: DriftRecording?
}

/// A drift report's place in the ledger: its number (the `record_drift` event's), when and who.
public struct DriftRecording: Sendable {
    public let number: Int64
    public let at: Date
    public let actor: Registrant
}

extension Registry {
    /// Profiles a new data file and compares it column by column with the profile of a dataset
    /// the version was trained or evaluated on (`against`: a role or evaluation key; by default
    /// `train`, or the version's only dataset). With `recordAs`, the report is kept as a
    /// `record_drift` ledger event by that actor (`mreg drift --record`).
    public func drift(
        reference: String, data path: String, against: String?, file: String?, thresholds: DriftThresholds, currentDirectory: String,
        recordAs actor: Registrant? = nil, progress: (any ProgressDisplay)? = nil
    ) throws(RegistryError) -> DriftOutcome {
        let version = try resolve(reference: reference)
        var candidates = [(key: String, digest: Digest)]()
        for use in version.datasets { candidates.append((use.role, use.fingerprint.digest)) }
        for evaluation in try evaluations(of: version) where !candidates.contains(where: { $0.key == evaluation.datasetKey }) {
            candidates.append((evaluation.datasetKey, evaluation.dataset))
        }
        guard !candidates.isEmpty else {
            throw RegistryError(.notFound, "\(version.model)@\(version.number) records no dataset to compare with", hint: "register with --dataset ROLE=PATH, or evaluate it on one")
        }
        let listing = candidates.map(\.key).joined(separator: ", ")
        let key = against ?? (candidates.contains { $0.key == "train" } ? "train" : candidates.count == 1 ? candidates[0].key : nil)
        guard let key else { throw .usage("\(version.model)@\(version.number) has several datasets (\(listing))", hint: "choose one with --against") }
        guard let chosen = candidates.first(where: { $0.key == key }) else {
            throw .notFound("\(version.model)@\(version.number) has no dataset '\(key)'", hint: "its datasets are \(listing)")
        }
        guard let details = try database({ (db) throws(MetadataError) in try db.dataset(chosen.digest, uses: 0) }), !details.profiles.isEmpty else {
            throw .notFound(
                "dataset '\(key)' (\(chosen.digest.short)) has no column statistics: it holds no CSV, TSV or JSON Lines file, or was recorded before mreg profiled datasets",
                hint: "record it again with 'mreg dataset add NAME PATH'")
        }
        let fileName = file ?? URL(fileURLWithPath: path).lastPathComponent
        let stored: StoredProfile
        if details.profiles.count == 1 && file == nil {
            stored = details.profiles[0]
        } else if let match = details.profiles.first(where: { $0.path == fileName || URL(fileURLWithPath: $0.path).lastPathComponent == fileName }) {
            stored = match
        } else {
            throw .usage(
                "dataset '\(key)' has several tabular files (\(details.profiles.map(\.path).joined(separator: ", ")))",
                hint: "say which one to compare with --file NAME")
        }
        guard let referenceProfile = Self.decodeProfile(stored.json) else {
            throw RegistryError(.integrity, "the stored profile of \(stored.path) cannot be read", hint: "record the dataset again")
        }
        guard let format = TableProfiler.format(forPath: path) else {
            throw .usage("'\(path)' is not a CSV, TSV or JSON Lines file (by its extension)", hint: "name it .csv, .tsv or .jsonl")
        }
        let files = try SourceFileCollector.collect([path], currentDirectory: currentDirectory, what: "data")
        guard files.count == 1 else { throw .usage("--data must be one file, not a folder of \(files.count)") }
        let profiler = TableProfiler(format: format)
        let task = progress?.begin("profile \(fileName)", totalBytes: files[0].size)
        let source = files[0].absolutePath
        let (digest, _) = try Self.storeBlob { () throws(ContentStoreError) in
            try FileHashing.hash(fileAt: source, progress: task) { chunk in profiler.consume(chunk) }
        }
        task?.finish()
        let report = DriftAnalysis.compare(reference: referenceProfile, current: profiler.finish(), thresholds: thresholds)
        var recorded: DriftRecording?
        if let actor {
            let record = DriftRecord(
                against: key, referenceDataset: chosen.digest, referenceFile: stored.path, referenceRows: report.referenceRows,
                data: URL(fileURLWithPath: path).lastPathComponent, dataDigest: digest, rows: report.currentRows, flaggedColumns: report.drifted.count,
                results: try results(of: report))
            recorded = try recordDrift(record, of: version, actor: actor)
        }
        return DriftOutcome(
            reference: "\(version.model)@\(version.number)", version: version.number, against: key, referenceDataset: chosen.digest,
            referenceFile: stored.path, data: path, dataDigest: digest, report: report, recorded: recorded)
    }

    private func results(of report: DriftReport) throws(RegistryError) -> JSONValue {
        do {
            return try report.results()
        } catch {
            throw .bug("a drift report's results cannot be written as JSON: \(error)")
        }
    }

    /// Keeps a drift report: its document as a blob, then the row and its event in one transaction.
    private func recordDrift(_ record: DriftRecord, of version: VersionRecord, actor: Registrant) throws(RegistryError) -> DriftRecording {
        let lock = try StoreLock.acquire(layout, exclusive: false, timeout: busyTimeout, purpose: "drift --record")
        defer { withExtendedLifetime(lock) {} }
        let event = try retryingCollected { (fence) throws(RegistryError) in
            let document = try storeRecord(record.document(manifest: version.manifestDigest), what: "drift report")
            return try database { (db) throws(MetadataError) in
                try db.insertDriftReport(
                    versionID: version.id, record, at: clock(), actor: actor, record: document, fence: BlobFence(position: fence, digests: [document]),
                    seal: Self.sealEvent)
            }
        }
        return DriftRecording(number: event.event.sequence, at: event.event.at, actor: event.event.actor)
    }
}
