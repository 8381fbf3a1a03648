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

/// Every blob reference of a set of versions, and the references whose digest in the database
/// is not a digest at all (an edit behind mreg's back), so `verify` reports them instead of failing.
public struct BlobReferences: Sendable {
    public var references: [BlobReference] = []
    public var malformed: [(owner: String, text: String)] = []

    public init() {}

    /// Adds a reference whose digest is still text as stored.
    public mutating func add(_ text: String, size: Int64?, owner: String, version: VersionPointer?) {
        if let digest = Digest(parsing: text) {
            references.append(BlobReference(digest: digest, size: size, owner: owner, version: version))
        } else {
            malformed.append((owner, text))
        }
    }
}
