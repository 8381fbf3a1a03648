import RegistryModel

/// What a blob store must do, whatever holds the bytes: a folder on this machine (the embedded
/// default) or, later, an OCI registry. Every read re-checks the digest; a put is idempotent.
public protocol BlobStoring: Sendable {
    /// Streams a file into the store, hashing while copying; refuses it when `expected` differs.
    func ingest(fileAt path: String, expected: Digest?, progress: (any ProgressObserver)?) throws(ContentStoreError) -> IngestResult
    /// Stores bytes held in memory (manifests and record documents: small by construction).
    func ingest(bytes: [UInt8]) throws(ContentStoreError) -> IngestResult
    /// A small blob, whole, after its digest was re-checked.
    func readVerified(_ digest: Digest) throws(ContentStoreError) -> [UInt8]
    /// Writes a blob to a new file, re-checking the digest while copying.
    func copyVerified(_ digest: Digest, to destination: String, executable: Bool, progress: (any ProgressObserver)?) throws(ContentStoreError)
    /// Re-hashes a stored blob.
    func verify(_ digest: Digest, progress: (any ProgressObserver)?) -> BlobStatus
    /// The size of a stored blob, or nil when it is missing.
    func storedSize(of digest: Digest) -> Int64?
    /// Every stored blob, and names in the store that are not digests.
    func listBlobs() throws(ContentStoreError) -> (blobs: [Digest], strayNames: [String])
    /// Deletes a blob (garbage collection only).
    func remove(_ digest: Digest) throws(ContentStoreError)
}

extension BlobStoring {
    public func ingest(fileAt path: String, progress: (any ProgressObserver)? = nil) throws(ContentStoreError) -> IngestResult {
        try ingest(fileAt: path, expected: nil, progress: progress)
    }

    public func verify(_ digest: Digest) -> BlobStatus { verify(digest, progress: nil) }
}

/// What only a blob folder on this machine offers: file paths to read in place, the ingest hint
/// check without a copy, temporary files to sweep, and the quarantine of corrupt blobs.
public protocol LocalBlobStoring: BlobStoring {
    var blobsDirectory: String { get }
    func path(of digest: Digest) -> String
    /// Reports a file as stored without copying it when it hashes to `candidate`, a stored blob.
    func ingestIfAlreadyStored(fileAt path: String, candidate: Digest, progress: (any ProgressObserver)?) throws(ContentStoreError) -> IngestResult?
    /// Removes temporary files whose writer is gone; returns how many.
    @discardableResult
    func sweepAbandonedTemporaries(graceSeconds: Double, now: Double?) -> Int
    /// Where earlier corrupt copies of a blob were moved, oldest first.
    func quarantinedCopies(of digest: Digest) -> [String]
}

extension LocalBlobStoring {
    /// The sweep every write does: unlocked temporary files older than 2 s.
    @discardableResult
    public func sweepAbandonedTemporaries() -> Int { sweepAbandonedTemporaries(graceSeconds: 2, now: nil) }
}

/// What an ingest produced; `wasNew` is false when the blob was already stored.
public struct IngestResult: Hashable, Sendable {
    public let digest: Digest
    public let size: Int64
    public let wasNew: Bool

    public init(digest: Digest, size: Int64, wasNew: Bool) {
        self.digest = digest
        self.size = size
        self.wasNew = wasNew
    }
}

/// The state of one stored blob after re-hashing it.
public enum BlobStatus: Hashable, Sendable {
    case intact(size: Int64)
    case missing
    /// Its bytes hash to `actual`; it was moved to `movedTo` (nil: it could not be moved).
    case corrupt(actual: Digest, movedTo: String?)
    case unreadable(String)
}
