/// One file of a model version: where it goes in the exported tree and which blob holds it.
public struct FileEntry: Hashable, Sendable, Codable {
    /// Relative path with `/` separators, as `export` recreates it under its destination.
    public let path: String
    public let digest: Digest
    public let size: Int64
    public let executable: Bool

    public init(path: String, digest: Digest, size: Int64, executable: Bool) {
        self.path = path
        self.digest = digest
        self.size = size
        self.executable = executable
    }

    var jsonValue: JSONValue {
        .object([
            "path": .string(path), "digest": .string(digest.description),
            "size": .integer(size), "executable": .bool(executable),
        ])
    }
}
