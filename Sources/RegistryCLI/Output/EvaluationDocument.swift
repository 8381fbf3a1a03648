import ArgumentParser
import Evaluation
import Foundation
import RegistryKit
import RegistryModel

struct EvaluationDocument: Encodable {
    struct MetricValue: Encodable {
        let name: String
        let key: String
        let value: Double
        let ciLow: Double?
        let ciHigh: Double?
    }
    let id: Int64
    let reference: String
    /// The version number, as every document names it.
    let version: Int
    let dataset: String
    let datasetKey: String
    let task: String?
    let metrics: [MetricValue]
    let details: JSONValue
    let predictions: String?
    let gitCommit: String?
    let gitDirty: Bool
    let createdAt: String
    let evaluatedBy: RegistrantDocument
    /// computed (from the stored predictions) or reported (numbers given to evaluate).
    let provenance: String
    /// With `evaluate`: false when an identical evaluation was already recorded and is returned.
    let created: Bool?

    init(_ record: EvaluationRecord, created: Bool? = nil) {
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
