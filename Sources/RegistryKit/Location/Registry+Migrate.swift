import Foundation
import RegistryModel
import RegistryStorage

/// What `mreg migrate` did.
public struct MigrationReport: Sendable {
    /// The address the registry's metadata now lives at, when it moved.
    public let metadata: String?
    /// Rows copied per table, in copy order (0 for a table an interrupted run had finished).
    public let rows: [(table: String, rows: Int)]
    /// The address the registry's blobs now live at, when they moved.
    public let blobs: String?
    /// Blobs uploaded, and their bytes (blobs an interrupted run had copied are not counted).
    public let blobsCopied: Int
    public let bytesCopied: Int64
    /// Versions published as OCI images.
    public let versionsPublished: Int
    /// The copy's verification, run before the registry was switched over.
    public let verification: VerifyReport
}

extension Registry {
    /// Moves an embedded registry's metadata into a PostgreSQL database, its blobs into an OCI
    /// registry, or both: copies every row with its ids and digests and every blob under its
    /// digest (writers are held off meanwhile), publishes every version as an image, verifies
    /// the copy as `verify --all` would (every manifest and record rebuilt, every blob re-hashed
    /// where it now lives, the chain re-derived) and checks its ledger head is this registry's;
    /// only then does `registry.json` point at the new backends.
    ///
    /// An interrupted migration resumes where it stopped when run again: rows in batches, blobs
    /// one by one (a blob already held is not sent again). `registry.sqlite` and `blobs/` are
    /// kept as they were.
    public func migrate(
        toMetadata metadataAddress: String?, toBlobs blobsAddress: String? = nil, insecureBlobs: Bool = false, environment: [String: String],
        batchSize: Int = 1000, progress: (any ProgressDisplay)? = nil, afterBatch: (String, Int) -> Void = { _, _ in }
    ) throws(RegistryError) -> MigrationReport {
        guard metadataAddress != nil || blobsAddress != nil else {
            throw RegistryError(.usage, "migrate needs --to-metadata, --to-blobs or both", hint: "see 'mreg migrate --help'")
        }
        var moved = backends
        var newMetadata = metadata
        var rows = [(table: String, rows: Int)]()
        if let metadataAddress {
            (newMetadata, moved.metadata, rows) = try copyMetadata(to: metadataAddress, environment: environment, batchSize: batchSize, afterBatch: afterBatch)
        }
        var newBlobs = blobs
        var copied = (count: 0, bytes: Int64(0))
        // Registrations hold this lock shared while their blobs are unreferenced: none can store
        // a blob in the folder after the copy has listed it.
        let storeLock = blobsAddress == nil ? nil : try StoreLock.acquire(layout, exclusive: true, timeout: busyTimeout, purpose: "migrate")
        defer { withExtendedLifetime(storeLock) {} }
        if let blobsAddress {
            let target: any BlobBackendChoice
            (newBlobs, target) = try openBlobTarget(blobsAddress, insecure: insecureBlobs, environment: environment)
            copied = try copyBlobs(to: newBlobs, progress: progress)
            moved.blobs = target.configuration
            moved.insecureBlobs = target.isInsecure
        }
        let copy = Registry(
            layout: layout, metadata: OpenedMetadata(store: newMetadata, hints: metadataAddress == nil ? hints : nil), blobs: newBlobs, backends: moved,
            stores: stores, clock: clock, busyTimeout: busyTimeout, ledgerCommitDelay: ledgerCommitDelay)
        let published = blobsAddress == nil ? 0 : try copy.publishAll()
        let verification = try copy.verify([], progress: progress)
        let sourceHead = try database { (db) throws(MetadataError) in try db.ledgerHead() }
        guard verification.isIntact, verification.head?.digest == sourceHead?.digest else {
            let problem = verification.problems.first.map(\.detail) ?? "its ledger head differs from this registry's"
            throw RegistryError(
                .integrity, "the copy does not verify: \(problem); registry.json still points at the old backends",
                hint: "run 'mreg verify --all' on this registry, then 'mreg migrate' again")
        }
        try Self.writeMarker(layout, backends: moved)
        return MigrationReport(
            metadata: metadataAddress == nil ? nil : moved.metadata, rows: rows, blobs: blobsAddress == nil ? nil : moved.blobs,
            blobsCopied: copied.count, bytesCopied: copied.bytes, versionsPublished: published, verification: verification)
    }

    /// Copies every row into the database at `address`; returns the store opened there.
    private func copyMetadata(
        to address: String, environment: [String: String], batchSize: Int, afterBatch: (String, Int) -> Void
    ) throws(RegistryError) -> (any SharedMetadataStoring, String, [(table: String, rows: Int)]) {
        if let current = self.metadataAddress {
            throw RegistryError(
                .usage, "this registry's metadata is already in \(current)", hint: "migrate moves an embedded registry (registry.sqlite) to PostgreSQL")
        }
        guard let source = metadata as? any MetadataCopying else { throw .bug("the embedded store cannot copy its rows") }
        let target = try stores.metadata(configured: address, in: layout)
        guard let configuration = target.configuration else {
            throw RegistryError(.usage, "--to-metadata needs a postgres:// address", hint: "write it as postgres://USER@HOST:PORT/DATABASE")
        }
        let opened = try target.open(environment: environment, busyTimeout: busyTimeout).store
        guard let destination = opened as? any MetadataCopying else { throw .bug("\(target) cannot take copied rows") }
        try checkSameLedger(source: source, destination: destination, address: configuration)
        let rows = try database { (_) throws(MetadataError) in try source.copyRows(to: destination, batchSize: batchSize, afterBatch: afterBatch) }
        return (opened, configuration, rows)
    }

    private func openBlobTarget(
        _ address: String, insecure: Bool, environment: [String: String]
    ) throws(RegistryError) -> (any BlobStoring, any BlobBackendChoice) {
        if let current = blobsAddress {
            throw RegistryError(.usage, "this registry's blobs are already in \(current)", hint: "migrate moves an embedded registry (blobs/) to an OCI registry")
        }
        let target = try stores.blobs(configured: address, insecure: insecure, in: layout)
        return (try target.open(environment: environment, check: true), target)
    }

    /// Uploads every blob of the folder that the target does not hold yet, on both cores,
    /// largest first, each re-hashed on its way against its name.
    private func copyBlobs(to target: any BlobStoring, progress: (any ProgressDisplay)?) throws(RegistryError) -> (count: Int, bytes: Int64) {
        guard let local = blobs as? any LocalBlobStoring else { throw .bug("an embedded registry's blobs are not in a folder") }
        let stored = try storeBlob { () throws(ContentStoreError) in try local.listBlobs() }.blobs
        let sized = stored.map { ($0, local.storedSize(of: $0) ?? 0) }.sorted { $0.1 > $1.1 }
        let task = progress?.begin("copy blobs", totalBytes: sized.reduce(0) { $0 + $1.1 })
        defer { task?.finish() }
        let results = try Parallel.map(sized.map(\.0)) { (digest) throws(RegistryError) -> IngestResult in
            try Registry.storeBlob { () throws(ContentStoreError) in try target.ingest(fileAt: local.path(of: digest), expected: digest, progress: task) }
        }
        let new = results.filter(\.wasNew)
        return (new.count, new.reduce(0) { $0 + $1.size })
    }

    /// Publishes every version where the blob store offers that; returns how many were published.
    func publishAll() throws(RegistryError) -> Int {
        guard blobs is any VersionPublishing else { return 0 }
        var published = 0
        try forEachVersionPage { (page) throws(RegistryError) in
            for id in page {
                guard let record = try database({ (db) throws(MetadataError) in try db.record(id: id) }) else { continue }
                if try publish(record) == nil { published += 1 }
            }
        }
        return published
    }

    /// Refuses a database holding anything but an interrupted copy of this registry.
    private func checkSameLedger(source: any MetadataCopying, destination: any MetadataCopying, address: String) throws(RegistryError) {
        guard try database({ (_) throws(MetadataError) in try source.holdsOnlyRowsOf(destination) }) else {
            throw RegistryError(
                .conflict, "the database \(address) already holds another registry's records",
                hint: "migrate into an empty database (createdb)")
        }
    }
}
