/// What mreg records about a tabular file (CSV, TSV, JSON Lines): its schema and per-column
/// statistics, enough to compare new data with it later (drift) without keeping the data.
public struct TableProfile: Sendable, Equatable, Codable {
    public enum Format: String, Sendable, Codable, CaseIterable {
        case csv
        case tsv
        case jsonl
    }

    public let format: Format
    /// Data rows (the header is not counted; blank lines are skipped).
    public let rows: Int64
    public let columns: [ColumnProfile]
    public let problems: ProfileProblems
}

/// One column's statistics.
public struct ColumnProfile: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// Every present value is an integer (at least 95% of them; see `nonNumeric`).
        case integer
        /// Every present value is a number (at least 95% of them).
        case number
        case boolean
        /// Text: top values and a distinct estimate describe it.
        case string
        /// No value present in any row.
        case empty
    }

    public let name: String
    public let type: Kind
    /// Rows where the value was present (not missing).
    public let count: Int64
    /// Rows where it was empty, a missing marker (`NA`, `null`, …) or absent (JSON Lines, short rows).
    public let missing: Int64
    /// HyperLogLog estimate of distinct present values (about 2% error).
    public let distinctEstimate: Int64
    public let numeric: NumericSummary?
    /// Present values that did not parse as numbers in a numeric column, and up to five of them.
    public let nonNumeric: Int64
    public let nonNumericExamples: [String]
    /// The most frequent values with their counts (exact while the column has at most 256 distinct
    /// values, SpaceSaving estimates beyond), for text and boolean columns.
    public let top: [ValueCount]
}

/// A value and how often it occurred.
public struct ValueCount: Sendable, Equatable, Codable {
    public let value: String
    public let count: Int64
}

/// A numeric column's moments and a sample of its values.
public struct NumericSummary: Sendable, Equatable, Codable {
    public let min: Double
    public let max: Double
    public let mean: Double
    /// Sample standard deviation (n − 1).
    public let std: Double
    /// The 0th, 5th, …, 100th percentiles of the sample.
    public let quantiles: [Double]
    /// A uniform random sample of the column's values (reservoir, fixed seed, so the same content
    /// gives the same sample), sorted: what KS and PSI compare new data with.
    public let sample: [Double]
}

/// What did not fit the format, and how it was treated (README, "Dataset profiles").
public struct ProfileProblems: Sendable, Equatable, Codable {
    /// Rows with fewer or more fields than the header: missing fields count as missing values,
    /// extra fields are ignored.
    public var raggedRows: Int64 = 0
    /// JSON Lines that are not a JSON object: skipped.
    public var malformedRows: Int64 = 0
    /// Values that were not valid UTF-8: their bytes are kept for numbers and counts, and text is
    /// stored with U+FFFD in place of the bad bytes.
    public var invalidUTF8Values: Int64 = 0
    /// A quoted CSV field still open at the end of the file: the last row is taken as it stands.
    public var unclosedQuote = false
    /// The file has no header (it is empty).
    public var empty = false
    /// Line numbers of the first few problem rows, for a person to look at.
    public var exampleLines: [Int64] = []

    public init() {}

    public var isClean: Bool { self == ProfileProblems() }

    mutating func note(line: Int64) {
        if exampleLines.count < 5 { exampleLines.append(line) }
    }
}
