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
