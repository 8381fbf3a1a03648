import RegistryModel

/// What a blob store must do, whatever holds the bytes: a folder on this machine (the embedded
/// default) or an OCI registry. Every read re-checks the digest; a put is idempotent.
public protocol BlobStoring: Sendable {
    /// Where the blobs are, for messages: a folder, or an `oci://` address.
    var location: String { get }
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
    /// Hands every stored blob to `visit` in pages of at most `size` blobs, in no particular
    /// order, with the names in the store that are not digests, so that listing a store of any
    /// size holds one page in memory; `visit` returns false to stop.
    func forEachBlobPage(size: Int, _ visit: (_ blobs: [Digest], _ strayNames: [String]) -> Bool) throws(ContentStoreError)
    /// Reports a file as stored without storing it again when it hashes to `candidate`, a stored
    /// blob (the CI-retry case); nil otherwise, and the caller ingests it as usual.
    func ingestIfAlreadyStored(fileAt path: String, candidate: Digest, progress: (any ProgressObserver)?) throws(ContentStoreError) -> IngestResult?
    /// Deletes a blob (garbage collection only); `.refused` when the store does not allow deletion.
    func remove(_ digest: Digest) throws(ContentStoreError)
    /// Deletes blobs, as many as it can before a failure; returns how many (in order) are gone.
    /// A folder makes the page durable with one directory sync rather than one per blob.
    func remove(_ digests: [Digest]) -> (removed: Int, failure: ContentStoreError?)
    /// Whether an unreferenced blob may be deleted now. A store shared by many machines cannot
    /// fence off registrations in flight with a local lock, so it keeps young blobs for a while.
    func isCollectable(_ digest: Digest) throws(ContentStoreError) -> Bool
}

extension BlobStoring {
    public func ingest(fileAt path: String, progress: (any ProgressObserver)? = nil) throws(ContentStoreError) -> IngestResult {
        try ingest(fileAt: path, expected: nil, progress: progress)
    }

    public func verify(_ digest: Digest) -> BlobStatus { verify(digest, progress: nil) }

    /// Every stored blob, sorted, and the names in the store that are not digests (a small store
    /// or a test: `forEachBlobPage` keeps one page in memory).
    public func listBlobs() throws(ContentStoreError) -> (blobs: [Digest], strayNames: [String]) {
        var blobs = [Digest]()
        var stray = [String]()
        try forEachBlobPage(size: 1000) { page, strayNames in
            blobs += page
            stray += strayNames
            return true
        }
        return (blobs.sorted(), stray.sorted())
    }

    /// A local store needs no grace period: every unreferenced blob may go.
    public func isCollectable(_ digest: Digest) throws(ContentStoreError) -> Bool { true }

    public func remove(_ digests: [Digest]) -> (removed: Int, failure: ContentStoreError?) {
        for (index, digest) in digests.enumerated() {
            do {
                try remove(digest)
            } catch {
                return (index, error)
            }
        }
        return (digests.count, nil)
    }
}

/// A store that takes a blob pushed to it piece by piece as the bytes arrive: a server relays a
/// client's upload into a remote store without spooling it to disk first. Optional (a blob
/// folder has no need: a spool file on its own disk is renamed in); callers test for it.
public protocol BlobPushing: BlobStoring {
    /// Opens a push of `length` bytes that must hash to `expected`. When the blob is already
    /// stored, the push only counts the bytes it is given and stores nothing.
    func beginPush(expected: Digest, length: Int64) throws(ContentStoreError) -> any BlobPush
}

/// One blob being pushed: its pieces in order, then `finish`, which stores it only when the bytes
/// hash to the digest expected, or `cancel`, which leaves nothing stored. Its calls come one at
/// a time, from any thread.
public protocol BlobPush: AnyObject, Sendable {
    func write(_ piece: UnsafeRawBufferPointer) throws(ContentStoreError)
    func finish() throws(ContentStoreError) -> IngestResult
    func cancel()
}

/// A store that also publishes each version as an artifact other tools fetch without mreg
/// (an OCI registry: an image manifest tagged `MODEL:vN`).
public protocol VersionPublishing: Sendable {
    /// Publishes a version whose blobs are stored; idempotent. Returns the published reference,
    /// or `.skipped` with a reason when this version cannot be published (its name is not allowed there).
    func publish(_ version: PublishableVersion) throws(ContentStoreError) -> PublicationResult
    /// Removes a version's published image (its manifest, and the tag with it), so that tools
    /// without mreg no longer fetch a deleted version; idempotent.
    func unpublish(model: String, number: Int) throws(ContentStoreError) -> UnpublicationResult
}

/// What became of a version's published image when it was deleted.
public enum UnpublicationResult: Sendable, Equatable {
    case removed(reference: String)
    /// Nothing is published under its tag (never was, or already removed).
    case absent
    /// The store keeps it: it does not allow deleting images, or not with these credentials.
    case kept(reason: String)
}

/// What a published version is made of: its manifest (the config) and its files (the layers).
public struct PublishableVersion: Sendable {
    public let model: String
    public let number: Int
    public let manifestDigest: Digest
    public let manifestSize: Int64
    /// `application/vnd.mreg.manifest.vN+json`, as the manifest names its own format.
    public let manifestMediaType: String
    public let files: [FileEntry]
    public let createdAt: String

    public init(
        model: String, number: Int, manifestDigest: Digest, manifestSize: Int64, manifestMediaType: String, files: [FileEntry], createdAt: String
    ) {
        self.model = model
        self.number = number
        self.manifestDigest = manifestDigest
        self.manifestSize = manifestSize
        self.manifestMediaType = manifestMediaType
        self.files = files
        self.createdAt = createdAt
    }
}

public enum PublicationResult: Hashable, Sendable {
    case published(reference: String)
    case skipped(reason: String)
}

/// What only a blob folder on this machine offers: file paths to read in place, temporary files
/// to sweep, and the quarantine of corrupt blobs.
public protocol LocalBlobStoring: BlobStoring {
    func path(of digest: Digest) -> String
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
    /// The store itself cannot be reached: nothing is known about the blob (exit 12, not 5).
    case unavailable(ContentStoreError)
}
