import Foundation

/// Everything the database holds about one version, as read back for `show`, `export`, `verify`.
public struct VersionRecord: Hashable, Sendable {
    /// The store's key for the version (opaque; see `VersionKey`).
    public let id: VersionKey
    public let model: ModelName
    public let number: Int
    public let manifestDigest: Digest
    public let description: String?
    public let params: [String: JSONValue]
    public let parent: VersionPointer?
    public let files: [FileEntry]
    public let datasets: [DatasetUse]
    public let metrics: [Metric]
    public let labels: [String: String]
    public let git: GitProvenance?
    /// Why no git information was recorded (`--no-git`, not inside a repository).
    public let gitNote: String?
    public let createdAt: Date
    public let registrant: Registrant

    public var totalSize: Int64 { files.reduce(0) { $0 + $1.size } }

    public init(
        id: VersionKey, model: ModelName, number: Int, manifestDigest: Digest, description: String?, params: [String: JSONValue],
        parent: VersionPointer?, files: [FileEntry], datasets: [DatasetUse], metrics: [Metric], labels: [String: String],
        git: GitProvenance?, gitNote: String?, createdAt: Date, registrant: Registrant
    ) {
        self.id = id
        self.model = model
        self.number = number
        self.manifestDigest = manifestDigest
        self.description = description
        self.params = params
        self.parent = parent
        self.files = files
        self.datasets = datasets
        self.metrics = metrics
        self.labels = labels
        self.git = git
        self.gitNote = gitNote
        self.createdAt = createdAt
        self.registrant = registrant
    }
}
