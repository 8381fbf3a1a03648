import Foundation

/// Everything the database holds about one version, as read back for `show`, `export`, `verify`.
public struct VersionRecord: Hashable, Sendable {
    public let id: Int64
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

    public var pointer: VersionPointer { VersionPointer(model: model, number: number, manifestDigest: manifestDigest) }

    public init(
        id: Int64, model: ModelName, number: Int, manifestDigest: Digest, description: String?, params: [String: JSONValue],
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

/// A version named by model and number, with its identity.
public struct VersionPointer: Hashable, Sendable, Codable {
    public let model: ModelName
    public let number: Int
    public let manifestDigest: Digest

    public init(model: ModelName, number: Int, manifestDigest: Digest) {
        self.model = model
        self.number = number
        self.manifestDigest = manifestDigest
    }

    public var reference: String { "\(model)@\(number)" }
}

/// One row of `mreg list NAME`.
public struct VersionSummary: Hashable, Sendable {
    public let number: Int
    public let manifestDigest: Digest
    public let createdAt: Date
    public let gitCommit: String?
    public let gitDirty: Bool
    public let fileCount: Int
    public let totalSize: Int64
    public let metrics: [Metric]

    public init(
        number: Int, manifestDigest: Digest, createdAt: Date, gitCommit: String?, gitDirty: Bool, fileCount: Int,
        totalSize: Int64, metrics: [Metric]
    ) {
        self.number = number
        self.manifestDigest = manifestDigest
        self.createdAt = createdAt
        self.gitCommit = gitCommit
        self.gitDirty = gitDirty
        self.fileCount = fileCount
        self.totalSize = totalSize
        self.metrics = metrics
    }
}

/// One row of `mreg list`.
public struct ModelSummary: Hashable, Sendable {
    public let name: ModelName
    public let versionCount: Int
    public let latestVersion: Int?
    public let latestCreatedAt: Date?

    public init(name: ModelName, versionCount: Int, latestVersion: Int?, latestCreatedAt: Date?) {
        self.name = name
        self.versionCount = versionCount
        self.latestVersion = latestVersion
        self.latestCreatedAt = latestCreatedAt
    }
}

/// A blob the database points at, and who points at it (for `verify` and `gc`).
public struct BlobReference: Hashable, Sendable {
    public let digest: Digest
    public let size: Int64?
    /// `churn@3 file model.bin`, `churn@3 manifest`, `dataset sha256:… file x.csv`.
    public let owner: String
    public let version: VersionPointer?

    public init(digest: Digest, size: Int64?, owner: String, version: VersionPointer?) {
        self.digest = digest
        self.size = size
        self.owner = owner
        self.version = version
    }
}
