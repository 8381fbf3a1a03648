import Foundation
import RegistryModel

/// The log that keeps garbage collection from removing a blob a writer is about to reference, on
/// any machine, without a lock held across the two.
///
/// gc records its intent to collect a blob (checking, in the same transaction, that no live
/// record references it) before removing it, and marks the intent finished once the blob is
/// gone. A writer reads the log's position (its fence) before it looks at which blobs are
/// stored; the transaction that records its rows refuses them when gc began collecting one of
/// their blobs after that position. Every write transaction is serialised, so of a collection
/// and a write that references the same blob, whichever commits second sees the first: gc skips
/// a blob referenced meanwhile, and a writer retries (storing the blob again) when gc took it.
public protocol BlobCollectionLogging: Sendable {
    /// The position a writer reads before looking at blobs: below every collection not finished
    /// (its blob may still be present, or not), else the log's newest entry.
    func collectionFence() throws(MetadataError) -> Int64
    /// Records gc's intent to collect each of `digests` that nothing live references now (a live
    /// version's files or manifest, a recorded document, predictions, a stored dataset's files)
    /// and no other gc is collecting, in one transaction; returns the digests recorded.
    func beginCollection(_ digests: [Digest], at date: Date) throws(MetadataError) -> [Digest]
    /// Marks collections finished (their blobs are gone), or withdraws them when `removed` is
    /// false (the store refused to delete them, so the blobs are still there).
    func endCollection(_ digests: [Digest], at date: Date, removed: Bool) throws(MetadataError)
    /// Claims collections begun before `cutoff` and never finished (their gc was stopped midway),
    /// oldest first, by restamping them `date` in one transaction, so that two gcs never remove
    /// the same blob: the claimant removes the blobs (no fenced writer can have referenced them)
    /// and ends the collections.
    func claimStoppedCollections(startedBefore cutoff: Date, at date: Date, limit: Int) throws(MetadataError) -> [Digest]
    /// Deletes finished collections older than `cutoff` that no fence can still need: those
    /// below every unfinished one and below the newest entry (which stays, so fences keep their
    /// place); returns how many. A write whose fence is older than the log's oldest entry is
    /// refused as collected, so it runs again and stores its blobs afresh: pruning never lets a
    /// write reference a blob whose collection it can no longer see.
    func pruneCollections(finishedBefore cutoff: Date) throws(MetadataError) -> Int
    /// Those of `digests` that nothing live references now and no gc is collecting: gc's first
    /// look at a page of the store, and all a dry run does (`beginCollection` looks again as it
    /// records).
    func unreferenced(_ digests: [Digest]) throws(MetadataError) -> [Digest]
    /// A stored reference that is not a well-formed digest (the database was edited outside
    /// mreg), described; nil when there is none. gc refuses to run with one: it could not tell
    /// which blob the row meant.
    func malformedReference() throws(MetadataError) -> String?
}

/// What a write must find uncollected when it commits: the blobs its rows reference, and the
/// collection log's position it read before looking at them.
public struct BlobFence: Sendable, Equatable {
    public let position: Int64
    public let digests: [Digest]

    public init(position: Int64, digests: [Digest]) {
        self.position = position
        self.digests = digests
    }
}
