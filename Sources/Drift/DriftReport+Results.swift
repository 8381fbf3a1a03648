import Foundation
import RegistryModel

/// What `drift --record` keeps of a report: its thresholds and columns, under the names `drift
/// --json` prints (`psi_with_test`, `p_value`), and the report read back from them.
extension DriftReport {
    private struct Results: Codable {
        let thresholds: DriftThresholds
        let columns: [ColumnDrift]
    }

    /// The thresholds and columns as JSON; throws for a value JSON cannot hold (a non-finite number).
    public func results() throws -> JSONValue {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try JSONParser.parse(Array(try encoder.encode(Results(thresholds: thresholds, columns: columns))))
    }

    /// A report read back from its `results`; nil when they are not what `results` writes.
    public init?(results: JSONValue, referenceRows: Int64, currentRows: Int64) {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        guard let bytes = try? CanonicalJSON.encode(results), let read = try? decoder.decode(Results.self, from: Data(bytes)) else { return nil }
        self.init(referenceRows: referenceRows, currentRows: currentRows, columns: read.columns, thresholds: read.thresholds)
    }
}
