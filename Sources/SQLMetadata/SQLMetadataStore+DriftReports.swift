import Foundation
import RegistryModel
import RegistryStorage

extension SQLMetadataStore {
    /// Records a drift report and its `record_drift` event (committing to `record`) in one transaction.
    public func insertDriftReport(
        versionID: VersionKey, _ report: DriftRecord, at date: Date, actor: Registrant, record: Digest, fence: BlobFence?,
        seal: @escaping EventSealer
    ) throws(MetadataError) -> RecordedEvent {
        try write { db in
            try requireUncollected(db, fence)
            let recorded = try appendVersionFact(db, .recordDrift, versionID: versionID, at: date, actor: actor, record: record, seal: seal)
            try db.execute(
                """
                INSERT INTO drift_reports (event_seq, version_id, against, reference_dataset, reference_file, reference_rows, data, data_digest,
                    data_rows, flagged_columns, results_json)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    recorded.event.sequence, versionID, report.against, report.referenceDataset, report.referenceFile,
                    report.referenceRows, report.data, report.dataDigest, report.rows, report.flaggedColumns,
                    try CanonicalJSON.string(report.results),
                ])
            return recorded
        }
    }

    /// A version's drift reports, newest first, a page at a time on (version, sequence).
    public func driftReports(versionID: VersionKey, limit: Int, before: Int64?) throws(MetadataError) -> [StoredDriftReport] {
        try readStatement { db in
            try db.rows(
                driftReportSelect + " WHERE d.version_id = ? AND d.event_seq < ? ORDER BY d.event_seq DESC LIMIT ?",
                [versionID, before ?? Int64.max, limit]
            ).map(storedDriftReport)
        }
    }

    public func driftReport(sequence: Int64) throws(MetadataError) -> StoredDriftReport? {
        try readStatement { db in try db.row(driftReportSelect + " WHERE d.event_seq = ?", [sequence]).map(storedDriftReport) }
    }

    /// A report with the event stored under its number (its columns and the event's have no name
    /// in common), so that one is checked against the other from one statement.
    private var driftReportSelect: String {
        "SELECT d.*, \(eventColumns) FROM drift_reports d LEFT JOIN events e ON e.seq = d.event_seq \(eventJoins)"
    }

    private func storedDriftReport(_ row: SQLRow) throws -> StoredDriftReport {
        let results: String = try row["results_json"]
        let report = DriftRecord(
            against: try row["against"], referenceDataset: try digest(row["reference_dataset"]), referenceFile: try row["reference_file"],
            referenceRows: try row["reference_rows"], data: try row["data"], dataDigest: try digest(row["data_digest"]), rows: try row["data_rows"],
            flaggedColumns: try row["flagged_columns"], results: try JSONParser.parse(results))
        let eventSequence: Int64? = try row["seq"]
        return StoredDriftReport(
            sequence: try row["event_seq"], versionID: try row["version_id"], report: report, event: try eventSequence.map { _ in try storedEvent(row) })
    }
}
