import DatasetProfiling
import Foundation
import RegistryKit
import RegistryModel

/// `dataset show` / `dataset add`: a dataset's fingerprint, names, users and column statistics.
struct DatasetDocument: Encodable {
    struct Name: Encodable {
        let name: String
        let sourcePath: String
        let addedAt: String
        let addedBy: String
    }
    struct Use: Encodable {
        let reference: String
        /// The version number, as every document names it.
        let version: Int
        let digest: String
        let role: String
    }
    struct Table: Encodable {
        let path: String
        let format: String
        let rows: Int64
        let problems: ProfileProblems
        let columns: [Column]
    }
    struct Column: Encodable {
        let name: String
        let type: String
        let count: Int64
        let missing: Int64
        let distinctEstimate: Int64
        let nonNumeric: Int64
        let nonNumericExamples: [String]
        let min: Double?
        let max: Double?
        let mean: Double?
        let std: Double?
        let quantiles: [Double]?
        let sample: [Double]?
        let top: [ValueCount]
    }

    let digest: String
    let size: Int64
    let files: Int
    let directory: Bool
    let stored: Bool
    let names: [Name]
    /// The first of the versions that used it (`--limit`), and how many did.
    let usedBy: [Use]
    let usedByTotal: Int
    let tables: [Table]

    init(_ view: DatasetView, samples: Bool) {
        let details = view.details
        digest = details.fingerprint.digest.description
        size = details.fingerprint.size
        files = details.fingerprint.fileCount
        directory = details.fingerprint.isDirectory
        stored = details.stored
        names = details.names.map {
            Name(name: $0.name, sourcePath: $0.sourcePath, addedAt: Timestamp.format($0.addedAt), addedBy: "\($0.addedBy.user)@\($0.addedBy.host)")
        }
        usedBy = details.usedBy.map { Use(reference: $0.version.reference, version: $0.version.number, digest: $0.version.manifestDigest.description, role: $0.role) }
        usedByTotal = details.usedByTotal ?? details.usedBy.count
        tables = view.profiles.map { path, profile in
            Table(path: path, format: profile.format.rawValue, rows: profile.rows, problems: profile.problems, columns: profile.columns.map { column in
                Column(
                    name: column.name, type: column.type.rawValue, count: column.count, missing: column.missing,
                    distinctEstimate: column.distinctEstimate, nonNumeric: column.nonNumeric, nonNumericExamples: column.nonNumericExamples,
                    min: column.numeric?.min, max: column.numeric?.max, mean: column.numeric?.mean, std: column.numeric?.std,
                    quantiles: column.numeric?.quantiles, sample: samples ? column.numeric?.sample : nil, top: column.top)
            })
        }
    }
}

struct DatasetAddDocument: Encodable {
    let name: String
    let added: Bool
    let warnings: [String]
    let dataset: DatasetDocument
}

struct DatasetListDocument: Encodable {
    struct Entry: Encodable {
        let name: String
        let digest: String
        let size: Int64
        let files: Int
        let addedAt: String
        let sourcePath: String
    }
    let datasets: [Entry]
}
