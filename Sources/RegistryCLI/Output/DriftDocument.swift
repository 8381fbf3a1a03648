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
    let reference: String
    /// The version number, as every document names it.
    let version: Int
    let referenceDataset: String
    let referenceFile: String
    let referenceRows: Int64
    let data: String
    let dataDigest: String
    let rows: Int64
    let drifted: Bool
    let thresholds: Thresholds
    let columns: [Column]

    init(_ outcome: DriftOutcome) {
        let report = outcome.report
        reference = outcome.reference
        version = outcome.version
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
