import DatasetProfiling
import Foundation

/// Thresholds of `mreg drift` (README, "Drift").
public struct DriftThresholds: Sendable, Equatable, Codable {
    /// A column drifts when its PSI reaches this (0.2: the usual "significant shift")…
    public var psi = 0.2
    /// …or when its test's p-value is below `alpha` and its PSI at least `psiWithTest`.
    public var alpha = 0.001
    public var psiWithTest = 0.1
    /// Or when its share of missing values moved by at least this much.
    public var missingRate = 0.05

    public init() {}
}

/// One column's comparison.
public struct ColumnDrift: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        case stable
        case drifted
        case new
        case vanished
        case typeChanged = "type_changed"
    }

    public let column: String
    public let referenceType: String?
    public let currentType: String?
    /// ks (numeric) or chi_square (text and booleans); nil for new or vanished columns.
    public let test: String?
    public let statistic: Double?
    public let pValue: Double?
    public let psi: Double?
    public let referenceMissingRate: Double?
    public let currentMissingRate: Double?
    public let status: Status
    /// Why it was flagged, in words; empty for stable columns.
    public let reasons: [String]

    /// For sorting: flagged columns first, then by PSI.
    var severity: Double {
        (status == .stable ? 0 : 10) + (psi ?? 0)
    }
}

/// Every column's comparison, most severe first.
public struct DriftReport: Sendable, Equatable {
    public let referenceRows: Int64
    public let currentRows: Int64
    public let columns: [ColumnDrift]
    public let thresholds: DriftThresholds
    public var drifted: [ColumnDrift] { columns.filter { $0.status != .stable } }
}
