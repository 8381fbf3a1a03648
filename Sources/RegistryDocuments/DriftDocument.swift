import Drift
import Foundation
import RegistryKit
import RegistryModel

public struct DriftDocument: Codable {
    public struct Column: Codable {
        public let column: String
        public let status: String
        public let referenceType: String?
        public let currentType: String?
        public let test: String?
        public let statistic: Double?
        public let pValue: Double?
        public let psi: Double?
        public let referenceMissingRate: Double?
        public let currentMissingRate: Double?
        public let reasons: [String]
    }
    public struct Thresholds: Codable {
        public let psi: Double
        public let alpha: Double
        public let psiWithTest: Double
        public let missingRate: Double
    }
    /// When and by whom a recorded report was kept (`drift --record`, `drift show`).
    public struct Recorded: Codable {
        /// The report's number: its `record_drift` event's sequence number.
        public let id: Int64
        public let at: String
        public let actor: RegistrantDocument
    }
    public let reference: String
    /// The version number, as every document names it.
    public let version: Int
    /// The version's dataset compared with: a role or an evaluation's key.
    public let against: String
    public let referenceDataset: String
    public let referenceFile: String
    public let referenceRows: Int64
    public let data: String
    public let dataDigest: String
    public let rows: Int64
    public let drifted: Bool
    public let thresholds: Thresholds
    public let columns: [Column]
    public let recorded: Recorded?

    public init(_ outcome: DriftOutcome) {
        let report = outcome.report
        reference = outcome.reference
        version = outcome.version
        against = outcome.against
        recorded = outcome.recorded.map { Recorded(id: $0.number, at: Timestamp.format($0.at), actor: RegistrantDocument($0.actor)) }
        referenceDataset = outcome.referenceDataset.description
        referenceFile = outcome.referenceFile
        referenceRows = report.referenceRows
        data = outcome.data
        dataDigest = outcome.dataDigest.description
        rows = report.currentRows
        drifted = !report.drifted.isEmpty
        thresholds = Thresholds(psi: report.thresholds.psi, alpha: report.thresholds.alpha, psiWithTest: report.thresholds.psiWithTest, missingRate: report.thresholds.missingRate)
        columns = report.columns.map {
            Column(
                column: $0.column, status: $0.status.rawValue, referenceType: $0.referenceType, currentType: $0.currentType, test: $0.test,
                statistic: $0.statistic, pValue: $0.pValue, psi: $0.psi, referenceMissingRate: $0.referenceMissingRate,
                currentMissingRate: $0.currentMissingRate, reasons: $0.reasons)
        }
    }
}

/// `drift list --json`: a page of a version's recorded drift reports, newest first, in brief.
public struct DriftListDocument: Codable {
    public struct Report: Codable {
        public let id: Int64
        public let at: String
        public let actor: RegistrantDocument
        public let against: String
        public let referenceDataset: String
        public let referenceFile: String
        public let referenceRows: Int64
        public let data: String
        public let dataDigest: String
        public let rows: Int64
        public let drifted: Bool
        /// The flagged columns (drifted, new, vanished or retyped), most severe first.
        public let flagged: [String]
        public let columns: Int
    }
    public let reference: String
    public let version: Int
    public let reports: [Report]
    /// Whether older reports follow (`--after` the last one's id reads them).
    public let more: Bool

    public init(_ page: DriftReportPage) {
        reference = "\(page.version.model)@\(page.version.number)"
        version = page.version.number
        more = page.more
        reports = page.reports.compactMap { outcome in
            guard let recorded = outcome.recorded else { return nil }
            return Report(
                id: recorded.number, at: Timestamp.format(recorded.at), actor: RegistrantDocument(recorded.actor), against: outcome.against,
                referenceDataset: outcome.referenceDataset.description, referenceFile: outcome.referenceFile, referenceRows: outcome.report.referenceRows,
                data: outcome.data, dataDigest: outcome.dataDigest.description, rows: outcome.report.currentRows, drifted: !outcome.report.drifted.isEmpty,
                flagged: outcome.report.drifted.map(\.column), columns: outcome.report.columns.count)
        }
    }
}
