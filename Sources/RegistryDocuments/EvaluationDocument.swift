import Evaluation
import Foundation
import RegistryKit
import RegistryModel

public struct EvaluationDocument: Codable {
    public struct MetricValue: Codable {
        public let name: String
        public let key: String
        public let value: Double
        public let ciLow: Double?
        public let ciHigh: Double?
    }
    public let id: Int64
    public let reference: String
    /// The version number, as every document names it.
    public let version: Int
    public let dataset: String
    public let datasetKey: String
    public let task: String?
    public let metrics: [MetricValue]
    public let details: JSONValue
    public let predictions: String?
    public let gitCommit: String?
    public let gitDirty: Bool
    public let createdAt: String
    public let evaluatedBy: RegistrantDocument
    /// computed (from the stored predictions) or reported (numbers given to evaluate).
    public let provenance: String
    /// With `evaluate`: false when an identical evaluation was already recorded and is returned.
    public let created: Bool?

    public init(_ record: EvaluationRecord, created: Bool? = nil) {
        self.created = created
        provenance = record.provenance.rawValue
        id = record.id
        reference = record.version.reference
        version = record.version.number
        dataset = record.dataset.description
        datasetKey = record.datasetKey
        task = record.task
        metrics = record.metrics.map {
            MetricValue(name: $0.name, key: "\(record.datasetKey).\($0.name)", value: $0.value, ciLow: $0.interval?.lowerBound, ciHigh: $0.interval?.upperBound)
        }
        details = record.details
        predictions = record.predictions?.description
        gitCommit = record.gitCommit
        gitDirty = record.gitDirty
        createdAt = Timestamp.format(record.createdAt)
        evaluatedBy = RegistrantDocument(record.registrant)
    }
}
