import Foundation

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
    /// Whether the version is deleted (listed only when asked for).
    public let deleted: Bool

    public init(
        number: Int, manifestDigest: Digest, createdAt: Date, gitCommit: String?, gitDirty: Bool, fileCount: Int,
        totalSize: Int64, metrics: [Metric], deleted: Bool = false
    ) {
        self.deleted = deleted
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
    /// Versions not deleted.
    public let versionCount: Int
    /// The newest version not deleted.
    public let latestVersion: Int?
    public let latestCreatedAt: Date?

    public init(name: ModelName, versionCount: Int, latestVersion: Int?, latestCreatedAt: Date?) {
        self.name = name
        self.versionCount = versionCount
        self.latestVersion = latestVersion
        self.latestCreatedAt = latestCreatedAt
    }
}
