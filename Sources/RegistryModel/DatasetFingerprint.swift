/// What identifies a dataset without copying it: a digest over its content, its size and file count.
///
/// A single file's digest is the SHA-256 of its bytes (so `sha256sum` can check it); a directory's
/// is the digest of the canonical JSON listing of its files, as DVC does with its `.dir` objects.
public struct DatasetFingerprint: Hashable, Sendable, Codable {
    public let digest: Digest
    public let size: Int64
    public let fileCount: Int
    public let isDirectory: Bool

    public init(digest: Digest, size: Int64, fileCount: Int, isDirectory: Bool) {
        self.digest = digest
        self.size = size
        self.fileCount = fileCount
        self.isDirectory = isDirectory
    }

    /// The canonical listing whose digest identifies a directory dataset.
    public static func directoryListing(_ files: [FileEntry]) -> JSONValue {
        .array(files.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }.map {
            .object(["path": .string($0.path), "digest": .string($0.digest.description), "size": .integer($0.size)])
        })
    }
}

/// A dataset used by a version in a role (`train`, `holdout`, …).
public struct DatasetUse: Hashable, Sendable, Codable {
    public let role: String
    public let fingerprint: DatasetFingerprint
    /// The path as given at registration; informative only, never part of the identity.
    public let sourcePath: String
    /// Whether the dataset's files were copied into the store (`--store-datasets`).
    public let stored: Bool

    public init(role: String, fingerprint: DatasetFingerprint, sourcePath: String, stored: Bool) {
        self.role = role
        self.fingerprint = fingerprint
        self.sourcePath = sourcePath
        self.stored = stored
    }

    /// Checks a role name: the same alphabet as a model name without `/`, since roles prefix metric keys.
    public static func validateRole(_ role: String) throws(NameError) {
        try ModelName.validate(role, kind: "dataset role")
        if role.contains("/") || role.contains(".") {
            throw NameError(name: role, kind: "dataset role", problem: "contains '/' or '.'; metric keys use '.' to separate the role")
        }
    }
}
