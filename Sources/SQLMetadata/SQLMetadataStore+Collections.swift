import Foundation
import RegistryModel
import RegistryStorage

/// The blob collection log (`BlobCollectionLogging`): gc's intents, and the fence every write
/// that references blobs checks in its own transaction.
extension SQLMetadataStore {
    public func collectionFence() throws(MetadataError) -> Int64 {
        try readStatement { db in
            try db.value(
                """
                SELECT COALESCE(
                    (SELECT MIN(seq) - 1 FROM blob_collections WHERE finished_at IS NULL),
                    (SELECT MAX(seq) FROM blob_collections), 0)
                """) ?? 0
        }
    }

    public func beginCollection(_ digests: [Digest], at date: Date) throws(MetadataError) -> [Digest] {
        guard !digests.isEmpty else { return [] }
        return try write { db in
            var begun = [Digest]()
            for batch in Self.batches(of: digests) {
                for digest in try unreferenced(db, batch) {
                    try db.execute("INSERT INTO blob_collections (digest, started_at) VALUES (?, ?)", [digest, Timestamp.format(date)])
                    begun.append(digest)
                }
            }
            return begun
        }
    }

    public func endCollection(_ digests: [Digest], at date: Date, removed: Bool) throws(MetadataError) {
        guard !digests.isEmpty else { return }
        try write { db in
            for batch in Self.batches(of: digests) {
                let list = batch.map { _ in "?" }.joined(separator: ", ")
                let arguments: [(any SQLBindable)?] = batch.map { $0 }
                if removed {
                    try db.execute(
                        "UPDATE blob_collections SET finished_at = ? WHERE finished_at IS NULL AND digest IN (\(list))",
                        [Timestamp.format(date)] + arguments)
                } else {
                    // Still stored: the intent is withdrawn (sequence numbers are never reused).
                    try db.execute("DELETE FROM blob_collections WHERE finished_at IS NULL AND digest IN (\(list))", arguments)
                }
            }
        }
    }

    public func claimStoppedCollections(startedBefore cutoff: Date, at date: Date, limit: Int) throws(MetadataError) -> [Digest] {
        try write { db in
            let stopped: [Int64] = try db.column(
                "SELECT seq FROM blob_collections WHERE finished_at IS NULL AND started_at < ? ORDER BY seq LIMIT \(limit)", [Timestamp.format(cutoff)])
            guard !stopped.isEmpty else { return [] }
            let list = stopped.map(String.init).joined(separator: ", ")
            try db.execute("UPDATE blob_collections SET started_at = ? WHERE seq IN (\(list))", [Timestamp.format(date)])
            return try db.column("SELECT digest FROM blob_collections WHERE seq IN (\(list)) ORDER BY seq")
        }
    }

    public func pruneCollections(finishedBefore cutoff: Date) throws(MetadataError) -> Int {
        try write { db in
            try db.execute(
                """
                DELETE FROM blob_collections WHERE finished_at IS NOT NULL AND finished_at < ? AND seq < COALESCE(
                    (SELECT MIN(seq) FROM blob_collections WHERE finished_at IS NULL), (SELECT MAX(seq) FROM blob_collections))
                """,
                [Timestamp.format(cutoff)])
        }
    }

    public func unreferenced(_ digests: [Digest]) throws(MetadataError) -> [Digest] {
        try readBatches(digests) { db, batch in try unreferenced(db, batch) }
    }

    public func malformedReference() throws(MetadataError) -> String? {
        try readStatement { db in
            func bad(_ column: String) -> String { "NOT (\(db.dialect.isDigest(column)))" }
            func text(_ column: String) -> String { db.dialect.digestText(column) }
            guard let row = try db.row(
                """
                SELECT * FROM (
                    SELECT 'version ' || CAST(v.id AS TEXT) AS owner, \(text("v.manifest_digest")) AS text FROM versions v WHERE \(bad("v.manifest_digest"))
                    UNION ALL
                    SELECT 'a file of version ' || CAST(f.version_id AS TEXT), \(text("f.digest")) FROM version_files f WHERE \(bad("f.digest"))
                    UNION ALL
                    SELECT 'evaluation ' || CAST(e.id AS TEXT), \(text("e.predictions_digest")) FROM evaluations e
                    WHERE e.predictions_digest IS NOT NULL AND \(bad("e.predictions_digest"))
                    UNION ALL
                    SELECT 'ledger event ' || CAST(e.seq AS TEXT), \(text("e.record_digest")) FROM events e
                    WHERE e.record_digest IS NOT NULL AND \(bad("e.record_digest"))
                    UNION ALL
                    SELECT 'a file of dataset ' || \(text("d.dataset_digest")), \(text("d.digest")) FROM dataset_files d WHERE \(bad("d.digest"))
                    UNION ALL
                    SELECT 'a dataset', \(text("d.digest")) FROM datasets d WHERE \(bad("d.digest"))
                ) x LIMIT 1
                """)
            else { return nil }
            return "\(try row["owner"] as String) has a malformed digest '\(try row["text"] as String)'"
        }
    }

    /// Those of `batch` that nothing live references, on the caller's session, leaving out those
    /// another gc is collecting already: one blob has one collector at a time, so no gc removes
    /// a blob stored again after another one finished it.
    func unreferenced(_ db: any SQLSession, _ batch: ArraySlice<Digest>) throws -> [Digest] {
        let candidates = batch.map { _ in "(CAST(? AS \(db.dialect.digestType)))" }.joined(separator: ", ")
        return try db.column(
            """
            WITH candidate(digest) AS (VALUES \(candidates))
            SELECT c.digest FROM candidate c
            WHERE NOT (\(Self.referencedNow("c.digest")))
                AND NOT EXISTS (SELECT 1 FROM blob_collections b WHERE b.digest = c.digest AND b.finished_at IS NULL)
            """,
            batch.map { $0 })
    }

    /// Refuses a write whose blobs gc began collecting after the writer's fence (`.collected`),
    /// inside the write's transaction: the caller stores them again and retries.
    func requireUncollected(_ db: any SQLSession, _ fence: BlobFence?) throws {
        guard let fence, !fence.digests.isEmpty else { return }
        let digests = Array(Set(fence.digests)).sorted { $0.description < $1.description }
        var collected = [Digest]()
        for (index, batch) in Self.batches(of: digests).enumerated() {
            // The first batch also asks, in the same statement, whether the fence is below the
            // log's oldest entry: it may have missed pruned collections (a NULL row says so),
            // and then all of its blobs count as collected.
            let pruned = index == 0 ? "\nUNION ALL SELECT NULL WHERE ? < (SELECT MIN(seq) FROM blob_collections) - 1" : ""
            let found: [Digest?] = try db.column(
                "SELECT DISTINCT digest FROM blob_collections WHERE seq > ? AND digest IN (\(Self.placeholders(batch.count)))" + pruned,
                [fence.position] + batch.map { $0 } + (index == 0 ? [fence.position] : []))
            if found.contains(nil) { throw MetadataError.collected(digests) }
            collected += found.compactMap { $0 }
        }
        if !collected.isEmpty { throw MetadataError.collected(collected.sorted { $0.description < $1.description }) }
    }

    /// An SQL condition true when a live record references the blob `digest` (an SQL
    /// expression): what `blobReferences` lists, each found on its own index.
    static func referencedNow(_ digest: String) -> String {
        """
        EXISTS (SELECT 1 FROM version_files f WHERE f.digest = \(digest) AND NOT \(SQLFragment.isDeleted(versionID: "f.version_id")))
        OR EXISTS (SELECT 1 FROM versions v WHERE v.manifest_digest = \(digest))
        OR EXISTS (SELECT 1 FROM evaluations e WHERE e.predictions_digest = \(digest))
        OR EXISTS (SELECT 1 FROM events e WHERE e.record_digest = \(digest))
        OR EXISTS (SELECT 1 FROM dataset_files f JOIN datasets d ON d.digest = f.dataset_digest WHERE f.digest = \(digest) AND d.stored)
        OR EXISTS (SELECT 1 FROM datasets d WHERE d.digest = \(digest) AND d.stored AND NOT d.is_directory)
        """
    }

    /// Keys in lists short enough for one statement's parameters (engines bound their number).
    static func batches<Key>(of keys: [Key]) -> [ArraySlice<Key>] {
        stride(from: 0, to: keys.count, by: 500).map { keys[$0..<min($0 + 500, keys.count)] }
    }

    /// `body`'s rows for each batch of `keys` (`batches(of:)`), in order: one batch is one
    /// statement, its own snapshot (PostgreSQL: no transaction, two round trips fewer); more
    /// run in one transaction, so that they share a snapshot.
    func readBatches<Key, Row>(_ keys: [Key], _ body: (any SQLSession, ArraySlice<Key>) throws -> [Row]) throws(MetadataError) -> [Row] {
        let batches = Self.batches(of: keys)
        switch batches.count {
        case 0: return []
        case 1: return try readStatement { db in try body(db, batches[0]) }
        default: return try read { db in try batches.flatMap { try body(db, $0) } }
        }
    }

    /// `?, ?, …`: the placeholders of an `IN (…)` list of `count` values.
    static func placeholders(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ", ") }
}
