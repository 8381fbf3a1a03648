import Drift
import Foundation
import RegistryModel
import RegistryStorage

/// A page of a version's recorded drift reports, newest first.
public struct DriftReportPage: Sendable {
    public let version: VersionRecord
    public let reports: [DriftOutcome]
    /// Whether older reports follow the page (`--after` the last one's number reads them).
    public let more: Bool
}

extension Registry {
    /// A version's recorded drift reports, newest first: `limit` of those numbered below `after`
    /// (from the newest when nil), each checked against the document its event committed to.
    public func driftReports(reference: String, limit: Int, after: Int64?) throws(RegistryError) -> DriftReportPage {
        let version = try resolve(reference: reference)
        // One more than asked, to know whether a next page exists without counting every report.
        let rows = try database { (db) throws(MetadataError) in try db.driftReports(versionID: version.id, limit: limit + 1, before: after) }
        let reports = try rows.prefix(limit).map { (stored) throws(RegistryError) in try checkedDriftReport(stored, of: version) }
        return DriftReportPage(version: version, reports: reports, more: rows.count > limit)
    }

    /// One recorded drift report of a model's version, checked as `driftReports` checks them.
    public func driftReport(model text: String, number: Int64) throws(RegistryError) -> DriftOutcome {
        let model = try Self.modelName(text)
        let notFound = RegistryError(.notFound, "\(model) has no drift report #\(number)", hint: "list a version's reports with 'mreg drift list \(model)@N'")
        guard let stored = try database({ (db) throws(MetadataError) in try db.driftReport(sequence: number) }) else { throw notFound }
        guard let version = try database({ (db) throws(MetadataError) in try db.record(id: stored.versionID) }) else {
            throw Self.tampered("drift report #\(number) belongs to a version that is gone")
        }
        guard version.model == model else { throw notFound }
        try checkFacts(of: version)
        return try checkedDriftReport(stored, of: version)
    }

    /// A stored report as its event recorded it: the event exists, recorded this report of this
    /// version, and committed to the document the row rebuilds, which is in the blob store.
    private func checkedDriftReport(_ stored: StoredDriftReport, of version: VersionRecord) throws(RegistryError) -> DriftOutcome {
        let name = "\(version.model)@\(version.number)"
        guard let event = stored.event?.event, event.action == .recordDrift, stored.event?.versionID == version.id, let record = event.record else {
            throw Self.tampered("drift report #\(stored.sequence) of \(name) is recorded by no ledger event")
        }
        if let mismatch = try documentMismatch(stored.report.document(manifest: version.manifestDigest), event: event) { throw Self.tampered(mismatch) }
        try requireIntact(record)
        let row = stored.report
        guard let report = DriftReport(results: row.results, referenceRows: row.referenceRows, currentRows: row.rows) else {
            throw Self.tampered("drift report #\(stored.sequence) of \(name) holds results mreg never writes")
        }
        return DriftOutcome(
            reference: name, version: version.number, against: row.against, referenceDataset: row.referenceDataset, referenceFile: row.referenceFile,
            data: row.data, dataDigest: row.dataDigest, report: report, recorded: DriftRecording(number: stored.sequence, at: event.at, actor: event.actor))
    }
}
