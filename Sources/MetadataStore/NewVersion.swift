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

    public init(
        manifest: Manifest, manifestDigest: Digest, gitNote: String?, createdAt: Date, registrant: Registrant,
        datasetListings: [Digest: [FileEntry]]
    ) {
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

