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

    /// What makes `path` unfit for a file of a version (nil when it is fit): it must be relative,
    /// with `/` between non-empty parts, none of them `.` or `..`, so an export stays inside its folder.
    public static func pathProblem(_ path: String) -> String? {
        if path.isEmpty { return "is empty" }
        if path.hasPrefix("/") { return "is absolute" }
        if path.contains("\0") || path.contains("\\") { return "contains a NUL or a backslash" }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) { return "has an empty, '.' or '..' part" }
        return nil
    }

    var jsonValue: JSONValue {
        .object([
            "path": .string(path), "digest": .string(digest.description),
            "size": .integer(size), "executable": .bool(executable),
        ])
    }
}
