import Foundation
import RegistryModel
import RegistryStorage

extension SQLMetadataStore {
    /// Records a dataset and names it, in one transaction; returns false when the name already
    /// had exactly this content (adding the same data twice is one record).
    ///
    /// `records` are the dataset's contents document and the name's document (already blobs) that
    /// its `record_dataset` (when new) and `name_dataset` events commit to.
    public func addDataset(
        name: String, fingerprint: DatasetFingerprint, listing: [FileEntry], profiles: [StoredProfile], sourcePath: String,
        at date: Date, by actor: Registrant, records: (contents: Digest?, name: Digest), fence: BlobFence?, seal: @escaping EventSealer
    ) throws(MetadataError) -> Bool {
        try write { db in
            try requireUncollected(db, fence)
            let created = Timestamp.format(date)
            try saveDataset(
                db, fingerprint, stored: false, listing: listing, profiles: profiles, created: created, event: (records.contents, date, actor),
                seal: seal)
            let inserted = try db.execute(
                """
                INSERT INTO dataset_names (name, dataset_digest, source_path, added_at, added_by_user, added_by_host)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """,
                [name, fingerprint.digest, sourcePath, created, actor.user, actor.host])
            guard inserted > 0 else { return false }
            _ = try appendChained(
                db,
                EventDraft(
                    model: nil, alias: nil, action: .nameDataset, toVersionID: nil, at: date, actor: Registrant(user: actor.user, host: actor.host),
                    reason: nil, forced: false, gates: "[]", expectedHolderID: nil, record: records.name,
                    link: .datasetName(name, fingerprint.digest)),
                seal: seal)
            return true
        }
    }

    /// Whether a dataset's content is recorded.
    public func datasetExists(_ digest: Digest) throws(MetadataError) -> Bool {
        try read { db in try db.exists("SELECT 1 FROM datasets WHERE digest = ?", [digest]) }
    }

    /// Every dataset name with its newest content.
    public func datasetNames() throws(MetadataError) -> [DatasetName] {
        try read { db in
            try db.rows(
                datasetNameSelect + """
                     WHERE n.added_at = (SELECT MAX(o.added_at) FROM dataset_names o WHERE o.name = n.name)
                    ORDER BY n.name, n.dataset_digest
                    """
            ).reduce(into: [DatasetName]()) { names, row in
                // Two contents added in the same millisecond: the first by digest stands, as one name has one newest content.
                let name = try datasetName(row)
                if names.last?.name != name.name { names.append(name) }
            }
        }
    }

    /// The digest a dataset name points at now (its newest content), or nil.
    public func datasetDigest(named name: String) throws(MetadataError) -> Digest? {
        try read { db in
            try db.value("SELECT dataset_digest FROM dataset_names WHERE name = ? ORDER BY added_at DESC, dataset_digest LIMIT 1", [name])
        }
    }

    /// Recorded datasets whose digest starts with `hexPrefix` (at most two).
    public func datasetDigests(prefix hexPrefix: String) throws(MetadataError) -> [Digest] {
        try read { db in
            let prefix = db.dialect.digestPrefix("digest", hexPrefix)
            return try db.column("SELECT digest FROM datasets WHERE \(prefix.sql) ORDER BY digest LIMIT 2", prefix.arguments)
        }
    }

    /// Everything recorded about a dataset, or nil when the digest is unknown.
    public func dataset(_ datasetDigest: Digest, uses: Int?) throws(MetadataError) -> DatasetDetails? {
        try read { db in
            let key = datasetDigest
            guard let row = try db.row("SELECT * FROM datasets WHERE digest = ?", [key]) else { return nil }
            let fingerprint = DatasetFingerprint(
                digest: datasetDigest, size: try row["size"], fileCount: try row["file_count"], isDirectory: try row["is_directory"])
            let names = try db.rows(datasetNameSelect + " WHERE n.dataset_digest = ? ORDER BY n.added_at, n.name", [key]).map(datasetName)
            let files = try db.rows("SELECT path, digest, size FROM dataset_files WHERE dataset_digest = ? ORDER BY path", [key]).map {
                FileEntry(path: try $0[0], digest: try digest($0[1]), size: try $0[2], executable: false)
            }
            let profiles = try db.rows(
                "SELECT path, file_digest, profile_json FROM dataset_profiles WHERE dataset_digest = ? ORDER BY path", [key]
            ).map { StoredProfile(path: try $0[0], fileDigest: try digest($0[1]), json: try $0[2]) }
            var usedBy = [(version: VersionPointer, role: String)]()
            var total: Int?
            if uses != 0 {
                // In registration order, which is the index's: the first `uses` are read, not sorted from all.
                usedBy = try db.rows(
                    """
                    SELECT m.name, v.number, v.manifest_digest, u.role FROM version_datasets u JOIN versions v ON v.id = u.version_id
                    JOIN models m ON m.id = v.model_id WHERE u.dataset_digest = ? ORDER BY u.version_id, u.role \(db.dialect.limit(uses))
                    """,
                    [key]
                ).map { (try versionPointer($0), try $0[3] as String) }
                // Counted only when the list may have been cut.
                total = usedBy.count < (uses ?? Int.max)
                    ? usedBy.count : try db.value("SELECT COUNT(*) FROM version_datasets WHERE dataset_digest = ?", [key]) ?? 0
            }
            return DatasetDetails(
                fingerprint: fingerprint, stored: try row["stored"], names: names, files: files, profiles: profiles, usedBy: usedBy, usedByTotal: total)
        }
    }

    /// The `dataset add` record of one name and content, or nil when it is gone.
    public func datasetNameRecord(_ name: String, dataset: Digest) throws(MetadataError) -> DatasetName? {
        try read { db in
            try db.row(datasetNameSelect + " WHERE n.name = ? AND n.dataset_digest = ?", [name, dataset]).map(datasetName)
        }
    }

    private var datasetNameSelect: String {
        "SELECT n.*, d.size, d.file_count, d.is_directory FROM dataset_names n JOIN datasets d ON d.digest = n.dataset_digest"
    }

    private func datasetName(_ row: SQLRow) throws -> DatasetName {
        DatasetName(
            name: try row["name"],
            fingerprint: DatasetFingerprint(
                digest: try digest(row["dataset_digest"]), size: try row["size"], fileCount: try row["file_count"],
                isDirectory: try row["is_directory"]),
            sourcePath: try row["source_path"], addedAt: try date(row["added_at"]),
            addedBy: Registrant(user: try row["added_by_user"], host: try row["added_by_host"]))
    }
}
