import Foundation

/// A drift report that `mreg drift --record` kept: what was compared with what, and the verdicts
/// as `drift --json` printed them. A team that checks production data every day keeps the
/// answers, so a reviewer can see when a model's inputs began to move.
public struct DriftRecord: Sendable, Equatable {
    /// The version's dataset the data was compared with: a role (`train`) or an evaluation's key.
    public let against: String
    public let referenceDataset: Digest
    public let referenceFile: String
    public let referenceRows: Int64
    /// The new data's file name (its folder is the recording machine's business) and digest.
    public let data: String
    public let dataDigest: Digest
    public let rows: Int64
    /// How many columns were flagged (drifted, new, vanished or retyped).
    public let flaggedColumns: Int
    /// The thresholds and per-column results (`thresholds`, `columns`), as `drift --json` has them.
    public let results: JSONValue

    public init(
        against: String, referenceDataset: Digest, referenceFile: String, referenceRows: Int64, data: String, dataDigest: Digest, rows: Int64,
        flaggedColumns: Int, results: JSONValue
    ) {
        self.against = against
        self.referenceDataset = referenceDataset
        self.referenceFile = referenceFile
        self.referenceRows = referenceRows
        self.data = data
        self.dataDigest = dataDigest
        self.rows = rows
        self.flaggedColumns = flaggedColumns
        self.results = results
    }

    /// The document a `record_drift` event commits to (who and when are the event's).
    public func document(manifest: Digest) -> JSONValue {
        .object([
            "format": .string("mreg-drift-v1"),
            "manifest": .string(manifest.description),
            "against": .string(against),
            "reference_dataset": .string(referenceDataset.description),
            "reference_file": .string(referenceFile),
            "reference_rows": .integer(referenceRows),
            "data": .string(data),
            "data_digest": .string(dataDigest.description),
            "rows": .integer(rows),
            "flagged_columns": .integer(Int64(flaggedColumns)),
            "results": results,
        ])
    }
}
