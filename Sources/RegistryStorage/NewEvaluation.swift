import Foundation
import RegistryModel

/// An evaluation to record; the database assigns its id.
public struct NewEvaluation: Sendable {
    public let versionID: VersionKey
    public let dataset: DatasetFingerprint
    public let datasetListing: [FileEntry]
    public let datasetProfiles: [StoredProfile]
    public let datasetKey: String
    public let task: String?
    public let metrics: [EvaluationMetric]
    public let detailsJSON: String
    public let predictions: Digest?
    public let gitCommit: String?
    public let gitDirty: Bool
    public let createdAt: Date
    public let registrant: Registrant
    /// The evaluation document (already a blob) that its `evaluate` event commits to.
    public let record: Digest
    /// The dataset's contents document (already a blob), recorded if the dataset is new.
    public let datasetRecord: Digest?
    /// The blobs the evaluation references, and where the collection log stood before they were stored.
    public let fence: BlobFence?

    public init(
        versionID: VersionKey, dataset: DatasetFingerprint, datasetListing: [FileEntry], datasetProfiles: [StoredProfile], datasetKey: String,
        task: String?, metrics: [EvaluationMetric], detailsJSON: String, predictions: Digest?, gitCommit: String?, gitDirty: Bool,
        createdAt: Date, registrant: Registrant, record: Digest, datasetRecord: Digest?, fence: BlobFence? = nil
    ) {
        self.fence = fence
        self.record = record
        self.datasetRecord = datasetRecord
        self.versionID = versionID
        self.dataset = dataset
        self.datasetListing = datasetListing
        self.datasetProfiles = datasetProfiles
        self.datasetKey = datasetKey
        self.task = task
        self.metrics = metrics
        self.detailsJSON = detailsJSON
        self.predictions = predictions
        self.gitCommit = gitCommit
        self.gitDirty = gitDirty
        self.createdAt = createdAt
        self.registrant = registrant
    }
}
