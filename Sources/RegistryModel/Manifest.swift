/// The immutable identity of a model version: its files plus what was recorded about them.
///
/// The manifest leaves out who registered it and when, so a retried CI job that produces the
/// same files, parameters, datasets, metrics and commit produces the same manifest digest, and the
/// registry can return the existing version instead of a duplicate.
public struct Manifest: Hashable, Sendable {
    /// v1 wrote `2.0` as `2`; v2 keeps the kind each number was written with. New versions are
    /// v2; a version's rows rebuild either form, and its stored manifest says which it has.
    public enum Format: Int, Sendable, CaseIterable {
        case v1 = 1
        case v2 = 2

        public var mediaType: String { "application/vnd.mreg.manifest.v\(rawValue)+json" }
        var numbers: CanonicalJSON.NumberKinds { self == .v1 ? .merged : .kept }
    }

    public static let currentFormat = Format.v2

    public let format: Format

    public let model: ModelName
    public let files: [FileEntry]
    public let params: [String: JSONValue]
    public let datasets: [DatasetUse]
    public let metrics: [Metric]
    public let labels: [String: String]
    public let description: String?
    public let parent: Digest?
    public let git: GitProvenance?

    public init(
        model: ModelName, files: [FileEntry], params: [String: JSONValue], datasets: [DatasetUse],
        metrics: [Metric], labels: [String: String], description: String?, parent: Digest?, git: GitProvenance?, format: Format = currentFormat
    ) {
        self.format = format
        self.model = model
        self.files = files.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        self.params = params
        self.datasets = datasets.sorted { $0.role < $1.role }
        self.metrics = metrics.sorted { $0.key < $1.key }
        self.labels = labels
        self.description = description
        self.parent = parent
        self.git = git
    }

    public var jsonValue: JSONValue {
        var members: [String: JSONValue] = [
            "media_type": .string(format.mediaType),
            "model": .string(model.value),
            "files": .array(files.map(\.jsonValue)),
            "params": .object(params),
            "datasets": .object(Dictionary(uniqueKeysWithValues: datasets.map { use in
                (use.role, .object([
                    "digest": .string(use.fingerprint.digest.description),
                    "size": .integer(use.fingerprint.size),
                    "files": .integer(Int64(use.fingerprint.fileCount)),
                ]))
            })),
            "metrics": .object(Dictionary(uniqueKeysWithValues: metrics.map { ($0.key, .number($0.value)) })),
            "labels": .object(labels.mapValues(JSONValue.string)),
        ]
        members["description"] = description.map(JSONValue.string) ?? .null
        members["parent"] = parent.map { .string($0.description) } ?? .null
        members["git"] = git?.identityJSON ?? .null
        return .object(members)
    }

    public func canonicalBytes() throws(CanonicalJSONError) -> [UInt8] {
        try CanonicalJSON.encode(jsonValue, numbers: format.numbers)
    }

    /// Reads the file list back from a stored manifest, to cross-check the database against it.
    public static func files(inManifest value: JSONValue) -> [FileEntry]? {
        guard case .array(let entries)? = value.objectValue?["files"] else { return nil }
        var files = [FileEntry]()
        for entry in entries {
            guard let members = entry.objectValue,
                case .string(let path)? = members["path"],
                case .string(let digestText)? = members["digest"], let digest = Digest(parsing: digestText),
                case .integer(let size)? = members["size"],
                case .bool(let executable)? = members["executable"]
            else { return nil }
            files.append(FileEntry(path: path, digest: digest, size: size, executable: executable))
        }
        return files
    }
}
