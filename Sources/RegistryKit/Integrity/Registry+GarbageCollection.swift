import RegistryStorage
import Foundation
import RegistryModel

/// What `gc` removed (or, with `--dry-run`, would remove).
public struct CollectionReport: Sendable {
    public let unreferencedBlobs: [Digest]
    public let bytes: Int64
    /// Unreferenced blobs of a shared store kept because they are younger than its grace period.
    public let keptRecent: [Digest]
    /// Why nothing was deleted although blobs are unreferenced (a registry with deletion disabled).
    public let deletionRefused: String?
    public let abandonedTemporaries: Int
    public let dryRun: Bool
}

extension Registry {
    /// Deletes blobs that no version or stored dataset references (left by interrupted or refused
    /// registrations) and abandoned temporary files. Waits for registrations in flight on this
    /// machine; a shared blob store keeps young blobs instead, for registrations on other machines.
    public func collectGarbage(dryRun: Bool) throws(RegistryError) -> CollectionReport {
        let lock = try StoreLock.acquire(layout, exclusive: true, timeout: busyTimeout, purpose: "gc")
        defer { withExtendedLifetime(lock) {} }
        let references = try database { (db) throws(MetadataError) in try db.blobReferences(versionIDs: nil) }
        if let bad = references.malformed.first {
            throw RegistryError(
                .integrity, "gc cannot tell which blobs are in use: \(bad.owner) has a malformed digest '\(bad.text)' in the database",
                hint: "run 'mreg verify --all' to see what was changed outside mreg, and restore the database from a backup")
        }
        let referenced = Set(references.references.map(\.digest))
        let stored = try storeBlob { () throws(ContentStoreError) in try blobs.listBlobs() }.blobs
        var unreferenced = [Digest](), keptRecent = [Digest]()
        for digest in stored where !referenced.contains(digest) {
            if try storeBlob({ () throws(ContentStoreError) in try blobs.isCollectable(digest) }) {
                unreferenced.append(digest)
            } else {
                keptRecent.append(digest)
            }
        }
        var bytes: Int64 = 0
        var refusal: String?
        for digest in unreferenced {
            bytes += blobs.storedSize(of: digest) ?? 0
            guard !dryRun, refusal == nil else { continue }
            do {
                try blobs.remove(digest)
            } catch .refused(_, _, let problem) {
                refusal = problem
            } catch {
                throw RegistryError(error)
            }
        }
        // Every writer of temporary files holds the store lock shared, so under gc's exclusive
        // lock an unlocked temporary file has no writer, however young it is.
        let temporaries = dryRun ? 0 : (blobs as? any LocalBlobStoring)?.sweepAbandonedTemporaries(graceSeconds: 0, now: nil) ?? 0
        return CollectionReport(
            unreferencedBlobs: unreferenced, bytes: bytes, keptRecent: keptRecent, deletionRefused: refusal, abandonedTemporaries: temporaries,
            dryRun: dryRun)
    }
}
