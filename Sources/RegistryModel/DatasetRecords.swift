import Foundation

/// A tabular file's profile as stored: `TableProfile` as JSON with sorted keys, which the
/// database keeps without interpreting (RegistryKit encodes and decodes it).
public struct StoredProfile: Hashable, Sendable, Codable {
    /// The file's path inside a directory dataset; its name for a single-file dataset.
    public let path: String
    public let fileDigest: Digest
    public let json: String

    public init(path: String, fileDigest: Digest, json: String) {
        self.path = path
        self.fileDigest = fileDigest
        self.json = json
    }
}

/// A name given to a dataset's content with `mreg dataset add`.
public struct DatasetName: Sendable, Equatable {
    public let name: String
    public let fingerprint: DatasetFingerprint
    public let sourcePath: String
    public let addedAt: Date
    public let addedBy: Registrant

    public init(name: String, fingerprint: DatasetFingerprint, sourcePath: String, addedAt: Date, addedBy: Registrant) {
        self.name = name
        self.fingerprint = fingerprint
        self.sourcePath = sourcePath
        self.addedAt = addedAt
        self.addedBy = addedBy
    }
}

/// Everything recorded about one dataset's content.
public struct DatasetDetails: Sendable {
    public let fingerprint: DatasetFingerprint
    public let stored: Bool
    /// The names it was added under, oldest first.
    public let names: [DatasetName]
    /// A directory dataset's files (empty for a single file).
    public let files: [FileEntry]
    public let profiles: [StoredProfile]
    /// Versions that recorded it, with the role they used it in (the first of them, when a limit was asked).
    public let usedBy: [(version: VersionPointer, role: String)]
    /// How many uses there are in all; nil when the uses were not read.
    public let usedByTotal: Int?

    public init(
        fingerprint: DatasetFingerprint, stored: Bool, names: [DatasetName], files: [FileEntry], profiles: [StoredProfile],
        usedBy: [(version: VersionPointer, role: String)], usedByTotal: Int?
    ) {
        self.usedByTotal = usedByTotal
        self.fingerprint = fingerprint
        self.stored = stored
        self.names = names
        self.files = files
        self.profiles = profiles
        self.usedBy = usedBy
    }
}

