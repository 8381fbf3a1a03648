import RegistryStorage
import Foundation
import RegistryModel

/// What `gc` removed (or, with `--dry-run`, would remove).
public struct CollectionReport: Sendable {
    /// How many unreferenced blobs were removed (or would be).
    public let unreferencedCount: Int
    /// Those blobs, when asked for (`listing`); empty otherwise, so that a gc of any size keeps
    /// no list of them.
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
    /// Blobs looked at (and, when unreferenced, collected) per metadata transaction.
    static let collectionPage = 500

    /// How old an unfinished collection must be for a gc to finish it as one whose gc stopped
    /// (a running gc removes a page's blobs within seconds of recording them). A gc stalled for
    /// longer between the two could remove a blob stored again after another gc finished it;
    /// `verify` would report the version missing it.
    public static let stoppedCollectionAge: TimeInterval = 600

    /// How long gc keeps a finished collection in the log: a write whose fence is older than
    /// what remains runs again (storing its blobs afresh), so this bounds the log, not safety.
    static let finishedCollectionsKept: TimeInterval = 7 * 86_400

    /// Deletes blobs that nothing live references (the files of deleted versions, blobs left by
    /// interrupted or refused registrations) and abandoned temporary files.
    ///
    /// Safe under load, on any machine: each page of unreferenced blobs is recorded in the
    /// collection log, in a transaction that checks again that nothing references them, before
    /// any is removed, and a write that references one of them after its fence is refused and run
    /// again (`BlobCollectionLogging`). The store is read a page at a time, so memory stays
    /// bounded whatever its size. Registrations go on meanwhile: gc holds the store lock shared.
    ///
    /// `stoppedAfter`: how old an unfinished collection must be to be finished as a stopped gc's
    /// (`stoppedCollectionAge` by default). `pauseAfterRecording` (tests): once the first page's
    /// collections are recorded, creates the file `pauseMarker` and waits that many seconds
    /// before removing the blobs, so that a test can kill gc there. `listing`: keep each blob's
    /// digest for the report (a JSON document lists them), not only their count and bytes.
    public func collectGarbage(
        dryRun: Bool, listing: Bool = true, stoppedAfter: TimeInterval = stoppedCollectionAge,
        pauseAfterRecording: (marker: String, seconds: Double)? = nil
    ) throws(RegistryError) -> CollectionReport {
        let collection = try collectBlobs(dryRun: dryRun, listing: listing, stoppedAfter: stoppedAfter, pause: pauseAfterRecording)
        if !dryRun {
            let cutoff = clock().addingTimeInterval(-Self.finishedCollectionsKept)
            _ = try database { (db) throws(MetadataError) in try db.pruneCollections(finishedBefore: cutoff) }
        }
        // A temporary file's writer holds it locked and the store lock shared, so under the store
        // lock held exclusively an unlocked temporary file has no writer, however young; while
        // other commands run, files younger than the sweep's grace are left to the next gc.
        var temporaries = 0
        if !dryRun, let local = blobs as? any LocalBlobStoring {
            let exclusive = try? StoreLock.acquire(layout, exclusive: true, timeout: 0, purpose: "gc")
            temporaries = exclusive == nil ? local.sweepAbandonedTemporaries() : local.sweepAbandonedTemporaries(graceSeconds: 0, now: nil)
            withExtendedLifetime(exclusive) {}
        }
        return CollectionReport(
            unreferencedCount: collection.collectedCount, unreferencedBlobs: collection.collected, bytes: collection.bytes, keptRecent: collection.keptRecent, deletionRefused: collection.refusal,
            abandonedTemporaries: temporaries, dryRun: dryRun)
    }

    /// The blob part of gc, under the store lock held shared (so `migrate`, which holds it
    /// exclusively, never runs at the same time).
    private func collectBlobs(
        dryRun: Bool, listing: Bool, stoppedAfter: TimeInterval, pause: (marker: String, seconds: Double)?
    ) throws(RegistryError) -> GarbageCollection {
        let lock = try StoreLock.acquire(layout, exclusive: false, timeout: busyTimeout, purpose: "gc")
        defer { withExtendedLifetime(lock) {} }
        if let bad = try database({ (db) throws(MetadataError) in try db.malformedReference() }) {
            throw RegistryError(
                .integrity, "gc cannot tell which blobs are in use: \(bad) in the database",
                hint: "run 'mreg verify --all' to see what was changed outside mreg, and restore the database from a backup")
        }
        var collection = GarbageCollection(registry: self, dryRun: dryRun, listing: listing, stoppedAfter: stoppedAfter, pause: pause)
        if !dryRun { try collection.finishStoppedCollections() }
        var failure: RegistryError?
        do throws(ContentStoreError) {
            try blobs.forEachBlobPage(size: Self.collectionPage) { page, _ in
                do throws(RegistryError) {
                    try collection.collect(page)
                    return true
                } catch {
                    failure = error
                    return false
                }
            }
        } catch {
            throw RegistryError(error)
        }
        if let failure { throw failure }
        return collection
    }
}

/// One run of gc, page by page: what it found, removed and kept.
private struct GarbageCollection {
    let registry: Registry
    let dryRun: Bool
    let stoppedAfter: TimeInterval
    var pause: (marker: String, seconds: Double)?
    let listing: Bool
    private(set) var collected = [Digest]()
    private(set) var collectedCount = 0
    private(set) var keptRecent = [Digest]()
    private(set) var bytes: Int64 = 0
    /// Why the store refused to delete; from then on blobs are only counted, as in a dry run.
    private(set) var refusal: String?

    init(registry: Registry, dryRun: Bool, listing: Bool, stoppedAfter: TimeInterval, pause: (marker: String, seconds: Double)?) {
        self.registry = registry
        self.dryRun = dryRun
        self.listing = listing
        self.stoppedAfter = stoppedAfter
        self.pause = pause
    }

    /// Removes the blobs of collections a gc began and never finished (it was stopped): no fenced
    /// writer can have referenced them since they were recorded. A collection younger than
    /// `stoppedAfter` is taken to belong to a gc still running.
    mutating func finishStoppedCollections() throws(RegistryError) {
        while refusal == nil {
            let now = registry.clock()
            let stopped = try registry.database { (db) throws(MetadataError) in
                try db.claimStoppedCollections(startedBefore: now.addingTimeInterval(-stoppedAfter), at: now, limit: Registry.collectionPage)
            }
            guard !stopped.isEmpty else { return }
            try remove(stopped)
        }
    }

    /// Collects the unreferenced blobs of one page of the store.
    mutating func collect(_ page: [Digest]) throws(RegistryError) {
        let unreferenced = try registry.database { (db) throws(MetadataError) in try db.unreferenced(page) }
        var candidates = [Digest]()
        for digest in unreferenced {
            if try Registry.storeBlob({ () throws(ContentStoreError) in try registry.blobs.isCollectable(digest) }) {
                candidates.append(digest)
            } else {
                keptRecent.append(digest)
            }
        }
        guard !candidates.isEmpty else { return }
        if dryRun || refusal != nil {
            count(candidates)
            return
        }
        // Recorded before any is removed, each checked again in that transaction: one referenced
        // since the look above is skipped.
        let begun = try registry.database { (db) throws(MetadataError) in try db.beginCollection(candidates, at: registry.clock()) }
        if let (marker, seconds) = pause, !begun.isEmpty {
            _ = FileManager.default.createFile(atPath: marker, contents: nil)
            Thread.sleep(forTimeInterval: seconds)
            pause = nil
        }
        try remove(begun)
    }

    /// Removes blobs whose collection is recorded, then marks it finished; when the store refuses
    /// (deletion disabled), withdraws the collections of those still stored.
    private mutating func remove(_ digests: [Digest]) throws(RegistryError) {
        let sizes = digests.map { registry.blobs.storedSize(of: $0) ?? 0 }
        let (gone, failure) = registry.blobs.remove(digests)
        let removed = Array(digests.prefix(gone))
        tally(removed)
        bytes += sizes.prefix(gone).reduce(0, +)
        let kept = Array(digests.dropFirst(gone))
        let now = registry.clock()
        try registry.database { (db) throws(MetadataError) in
            try db.endCollection(removed, at: now, removed: true)
            try db.endCollection(kept, at: now, removed: false)
        }
        switch failure {
        case .refused(_, _, let problem)?:
            refusal = problem
            count(kept)
        case let failure?:
            throw RegistryError(failure)
        case nil:
            break
        }
    }

    /// Counts blobs that would be collected, without removing them.
    private mutating func count(_ digests: [Digest]) {
        tally(digests)
        for digest in digests { bytes += registry.blobs.storedSize(of: digest) ?? 0 }
    }

    /// Counts blobs collected, and keeps their digests when the report lists them.
    private mutating func tally(_ digests: [Digest]) {
        collectedCount += digests.count
        if listing { collected += digests }
    }
}
