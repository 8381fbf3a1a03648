import ArgumentParser
import Drift
import Foundation
import RegistryKit
import RegistryModel

struct DriftDocument: Encodable {
    struct Column: Encodable {
        let column: String
        let status: String
        let referenceType: String?
        let currentType: String?
        let test: String?
        let statistic: Double?
        let pValue: Double?
        let psi: Double?
        let referenceMissingRate: Double?
        let currentMissingRate: Double?
        let reasons: [String]
    }
    struct Thresholds: Encodable {
        let psi: Double
        let alpha: Double
        let psiWithTest: Double
        let missingRate: Double
    }
    /// When and by whom a recorded report was kept (`drift --record`, `drift show`).
    struct Recorded: Encodable {
        /// The report's number: its `record_drift` event's sequence number.
        let id: Int64
        let at: String
        let actor: RegistrantDocument
    }
    let reference: String
    /// The version number, as every document names it.
    let version: Int
    /// The version's dataset compared with: a role or an evaluation's key.
    let against: String
    let referenceDataset: String
    let referenceFile: String
    let referenceRows: Int64
    let data: String
    let dataDigest: String
    let rows: Int64
    let drifted: Bool
    let thresholds: Thresholds
    let columns: [Column]
    let recorded: Recorded?

    init(_ outcome: DriftOutcome) {
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
struct DriftListDocument: Encodable {
    struct Report: Encodable {
        let id: Int64
        let at: String
        let actor: RegistrantDocument
        let against: String
        let referenceDataset: String
        let referenceFile: String
        let referenceRows: Int64
        let data: String
        let dataDigest: String
        let rows: Int64
        let drifted: Bool
        /// The flagged columns (drifted, new, vanished or retyped), most severe first.
        let flagged: [String]
        let columns: Int
    }
    let reference: String
    let version: Int
    let reports: [Report]
    /// Whether older reports follow (`--after` the last one's id reads them).
    let more: Bool

    init(_ page: DriftReportPage) {
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
