import DatasetProfiling
import Foundation
import RegistryKit
import RegistryModel

/// `dataset show` / `dataset add`: a dataset's fingerprint, names, users and column statistics.
public struct DatasetDocument: Codable {
    public struct Name: Codable {
        public let name: String
        public let sourcePath: String
        public let addedAt: String
        public let addedBy: String
    }
    public struct Use: Codable {
        public let reference: String
        /// The version number, as every document names it.
        public let version: Int
        public let digest: String
        public let role: String
    }
    public struct Table: Codable {
        public let path: String
        public let format: String
        public let rows: Int64
        public let problems: Problems
        public let columns: [Column]
    }
    /// What was wrong with a file's rows (`ProfileProblems`), under names that read back from
    /// their snake_case keys (`invalid_utf8_values` is `invalidUtf8Values`, not `…UTF8…`).
    public struct Problems: Codable {
        public let raggedRows: Int64
        public let malformedRows: Int64
        public let invalidUtf8Values: Int64
        public let unclosedQuote: Bool
        public let empty: Bool
        public let exampleLines: [Int64]

        public init(_ problems: ProfileProblems) {
            raggedRows = problems.raggedRows
            malformedRows = problems.malformedRows
            invalidUtf8Values = problems.invalidUTF8Values
            unclosedQuote = problems.unclosedQuote
            empty = problems.empty
            exampleLines = problems.exampleLines
        }
    }
    public struct Column: Codable {
        public let name: String
        public let type: String
        public let count: Int64
        public let missing: Int64
        public let distinctEstimate: Int64
        public let nonNumeric: Int64
        public let nonNumericExamples: [String]
        public let min: Double?
        public let max: Double?
        public let mean: Double?
        public let std: Double?
        public let quantiles: [Double]?
        public let sample: [Double]?
        public let top: [ValueCount]
    }

    public let digest: String
    public let size: Int64
    public let files: Int
    public let directory: Bool
    public let stored: Bool
    public let names: [Name]
    /// The first of the versions that used it (`--limit`), and how many did.
    public let usedBy: [Use]
    public let usedByTotal: Int
    public let tables: [Table]

    public init(_ view: DatasetView, samples: Bool) {
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
            Table(path: path, format: profile.format.rawValue, rows: profile.rows, problems: Problems(profile.problems), columns: profile.columns.map { column in
                Column(
                    name: column.name, type: column.type.rawValue, count: column.count, missing: column.missing,
                    distinctEstimate: column.distinctEstimate, nonNumeric: column.nonNumeric, nonNumericExamples: column.nonNumericExamples,
                    min: column.numeric?.min, max: column.numeric?.max, mean: column.numeric?.mean, std: column.numeric?.std,
                    quantiles: column.numeric?.quantiles, sample: samples ? column.numeric?.sample : nil, top: column.top)
            })
        }
    }
}

public struct DatasetAddDocument: Codable {
    public let name: String
    public let added: Bool
    public let warnings: [String]
    public let dataset: DatasetDocument

    public init(name: String, added: Bool, warnings: [String], dataset: DatasetDocument) {
        self.name = name
        self.added = added
        self.warnings = warnings
        self.dataset = dataset
    }
}

public struct DatasetListDocument: Codable {
    public struct Entry: Codable {
        public let name: String
        public let digest: String
        public let size: Int64
        public let files: Int
        public let addedAt: String
        public let sourcePath: String

        public init(name: String, digest: String, size: Int64, files: Int, addedAt: String, sourcePath: String) {
            self.name = name
            self.digest = digest
            self.size = size
            self.files = files
            self.addedAt = addedAt
            self.sourcePath = sourcePath
        }
    }
    public let datasets: [Entry]

    public init(datasets: [Entry]) {
        self.datasets = datasets
    }
}
