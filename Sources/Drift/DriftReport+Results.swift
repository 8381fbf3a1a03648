import RegistryModel

/// A report's thresholds and columns as JSON, in `drift --json`'s words: what `drift --record`
/// keeps, and what a recorded report is read back from.
extension DriftReport {
    public var results: JSONValue {
        func number(_ value: Double?) -> JSONValue { value.map(JSONValue.number) ?? .null }
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return .object([
            "thresholds": .object([
                "psi": .number(thresholds.psi), "alpha": .number(thresholds.alpha), "psi_with_test": .number(thresholds.psiWithTest),
                "missing_rate": .number(thresholds.missingRate),
            ]),
            "columns": .array(columns.map { column in
                .object([
                    "column": .string(column.column), "status": .string(column.status.rawValue), "reference_type": text(column.referenceType),
                    "current_type": text(column.currentType), "test": text(column.test), "statistic": number(column.statistic),
                    "p_value": number(column.pValue), "psi": number(column.psi), "reference_missing_rate": number(column.referenceMissingRate),
                    "current_missing_rate": number(column.currentMissingRate), "reasons": .array(column.reasons.map(JSONValue.string)),
                ])
            }),
        ])
    }

    /// A report read back from its `results`; nil when they are not what `results` writes.
    public init?(results: JSONValue, referenceRows: Int64, currentRows: Int64) {
        guard let members = results.objectValue, let limits = members["thresholds"]?.objectValue, let columns = members["columns"]?.arrayValue,
            let psi = limits["psi"]?.numericValue, let alpha = limits["alpha"]?.numericValue,
            let psiWithTest = limits["psi_with_test"]?.numericValue, let missingRate = limits["missing_rate"]?.numericValue
        else { return nil }
        var thresholds = DriftThresholds()
        thresholds.psi = psi
        thresholds.alpha = alpha
        thresholds.psiWithTest = psiWithTest
        thresholds.missingRate = missingRate
        var read = [ColumnDrift]()
        for value in columns {
            guard let column = value.objectValue, case .string(let name)? = column["column"], case .string(let statusText)? = column["status"],
                let status = ColumnDrift.Status(rawValue: statusText), let reasons = column["reasons"]?.arrayValue
            else { return nil }
            /// A member that is a number or null (absent counts as null).
            func number(_ key: String) -> Double?? {
                switch column[key] ?? .null {
                case .null: .some(nil)
                case let value: value.numericValue.map { .some($0) } ?? nil
                }
            }
            func text(_ key: String) -> String?? {
                switch column[key] ?? .null {
                case .null: .some(nil)
                case .string(let value): .some(value)
                default: nil
                }
            }
            guard let referenceType = text("reference_type"), let currentType = text("current_type"), let test = text("test"),
                let statistic = number("statistic"), let pValue = number("p_value"), let columnPSI = number("psi"),
                let referenceMissing = number("reference_missing_rate"), let currentMissing = number("current_missing_rate")
            else { return nil }
            let words = reasons.compactMap { if case .string(let word) = $0 { word } else { nil } }
            guard words.count == reasons.count else { return nil }
            read.append(ColumnDrift(
                column: name, referenceType: referenceType, currentType: currentType, test: test, statistic: statistic, pValue: pValue,
                psi: columnPSI, referenceMissingRate: referenceMissing, currentMissingRate: currentMissing, status: status, reasons: words))
        }
        self.init(referenceRows: referenceRows, currentRows: currentRows, columns: read, thresholds: thresholds)
    }
}
