import Foundation
import RegistryModel

/// What a new version will record; the manifest is already stored as a blob.
public struct NewVersion: Sendable {
    public let manifest: Manifest
    public let manifestDigest: Digest
    public let gitNote: String?
    public let createdAt: Date
    public let registrant: Registrant
    /// Per directory dataset, its file listing (kept so diffs and stored datasets can use it).
    public let datasetListings: [Digest: [FileEntry]]
    /// What the source files looked like when hashed, so a retry can skip writing them.
    public let sourceHints: [SourceHint]
    /// Statistics of each dataset's tabular files.
    public let datasetProfiles: [Digest: [StoredProfile]]
    /// The registration document (already a blob) that the version's `register` event commits to.
    public let registrationRecord: Digest
    /// Per dataset, its contents document (already a blob), recorded if the dataset is new.
    public let datasetRecords: [Digest: Digest]
    /// The blobs the version references, and where the collection log stood before they were stored.
    public let fence: BlobFence?

    public init(
        manifest: Manifest, manifestDigest: Digest, gitNote: String?, createdAt: Date, registrant: Registrant,
        datasetListings: [Digest: [FileEntry]], sourceHints: [SourceHint] = [], datasetProfiles: [Digest: [StoredProfile]] = [:],
        registrationRecord: Digest, datasetRecords: [Digest: Digest], fence: BlobFence? = nil
    ) {
        self.fence = fence
        self.registrationRecord = registrationRecord
        self.datasetRecords = datasetRecords
        self.sourceHints = sourceHints
        self.datasetProfiles = datasetProfiles
        self.manifest = manifest
        self.manifestDigest = manifestDigest
        self.gitNote = gitNote
        self.createdAt = createdAt
        self.registrant = registrant
        self.datasetListings = datasetListings
    }
}

/// The outcome of recording a version: a new number, or the existing version with that manifest.
public enum InsertOutcome: Hashable, Sendable {
    case created(VersionPointer)
    case existing(VersionPointer)
}


/// A source file as `stat` sees it: where it lives (device, inode), its size, and when its
/// content (mtime) and inode (ctime) last changed.
public struct SourceIdentity: Hashable, Sendable {
    public let device: UInt64
    public let inode: UInt64
    public let size: Int64
    public let modifiedNanoseconds: Int64
    public let changedNanoseconds: Int64

    public init(device: UInt64, inode: UInt64, size: Int64, modifiedNanoseconds: Int64, changedNanoseconds: Int64) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modifiedNanoseconds = modifiedNanoseconds
        self.changedNanoseconds = changedNanoseconds
    }
}

/// The digest a source file had when it was last ingested.
///
/// Only a hint for choosing the cheaper ingest path: a file whose identity is unchanged is
/// re-hashed without being copied, and copied as usual if the hash disagrees (git's index and
/// DVC's state database keep the same kind of record).
public struct SourceHint: Hashable, Sendable {
    public let identity: SourceIdentity
    public let digest: Digest

    public init(identity: SourceIdentity, digest: Digest) {
        self.identity = identity
        self.digest = digest
    }
}
