import ContentStore
import RegistryStorage
import Foundation
import MetadataStore
import RegistryModel

/// What `gc` removed (or, with `--dry-run`, would remove).
public struct CollectionReport: Sendable {
    public let unreferencedBlobs: [Digest]
    public let bytes: Int64
    public let abandonedTemporaries: Int
    public let dryRun: Bool
}

extension Registry {
    /// Deletes blobs that no version or stored dataset references (left by interrupted or refused
    /// registrations) and abandoned temporary files. Waits for registrations in flight.
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
        let unreferenced = stored.filter { !referenced.contains($0) }
        var bytes: Int64 = 0
        for digest in unreferenced {
            bytes += blobs.storedSize(of: digest) ?? 0
            if !dryRun { try storeBlob { () throws(ContentStoreError) in try blobs.remove(digest) } }
        }
        // Every writer of temporary files holds the store lock shared, so under gc's exclusive
        // lock an unlocked temporary file has no writer, however young it is.
        let temporaries = dryRun ? 0 : blobs.sweepAbandonedTemporaries(graceSeconds: 0, now: nil)
        return CollectionReport(unreferencedBlobs: unreferenced, bytes: bytes, abandonedTemporaries: temporaries, dryRun: dryRun)
    }
}
