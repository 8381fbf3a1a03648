import Foundation
import GRDB
import RegistryModel
import RegistryStorage

extension MetadataDatabase {
    /// Records a dataset and names it, in one transaction; returns false when the name already
    /// had exactly this content (adding the same data twice is one record).
    ///
    /// `records` are the dataset's contents document and the name's document (already blobs) that
    /// its `record_dataset` (when new) and `name_dataset` events commit to.
    public func addDataset(
        name: String, fingerprint: DatasetFingerprint, listing: [FileEntry], profiles: [StoredProfile], sourcePath: String,
        at date: Date, by actor: Registrant, records: (contents: Digest?, name: Digest), seal: @escaping EventSealer
    ) throws(MetadataError) -> Bool {
        try immediateWrite { db in
            let created = Timestamp.format(date)
            try Self.saveDataset(
                db, fingerprint, stored: false, listing: listing, profiles: profiles, created: created, event: (records.contents, date, actor),
                seal: seal)
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO dataset_names (name, dataset_digest, source_path, added_at, added_by_user, added_by_host)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [name, fingerprint.digest.description, sourcePath, created, actor.user, actor.host])
            guard db.changesCount > 0 else { return false }
            _ = try Self.appendChained(
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
        try read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM datasets WHERE digest = ?)", arguments: [digest.description]) ?? false }
    }

    /// Every dataset name with its newest content.
    public func datasetNames() throws(MetadataError) -> [DatasetName] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT n.*, d.size, d.file_count, d.is_directory, MAX(n.added_at) FROM dataset_names n
                    JOIN datasets d ON d.digest = n.dataset_digest GROUP BY n.name ORDER BY n.name
                    """
            ).map(Self.datasetName)
        }
    }

    /// The digest a dataset name points at now (its newest content), or nil.
    public func datasetDigest(named name: String) throws(MetadataError) -> Digest? {
        try read { db in
            try String.fetchOne(
                db, sql: "SELECT dataset_digest FROM dataset_names WHERE name = ? ORDER BY added_at DESC LIMIT 1", arguments: [name]
            ).flatMap(Digest.init(parsing:))
        }
    }

    /// Recorded datasets whose digest starts with `hexPrefix` (at most two).
    public func datasetDigests(prefix hexPrefix: String) throws(MetadataError) -> [Digest] {
        try read { db in
            try String.fetchAll(db, sql: "SELECT digest FROM datasets WHERE digest GLOB ? LIMIT 2", arguments: ["\(Digest.algorithm):\(hexPrefix)*"])
                .compactMap(Digest.init(parsing:))
        }
    }

    /// Everything recorded about a dataset, or nil when the digest is unknown.
    public func dataset(_ datasetDigest: Digest) throws(MetadataError) -> DatasetDetails? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM datasets WHERE digest = ?", arguments: [datasetDigest.description]) else { return nil }
            let fingerprint = DatasetFingerprint(digest: datasetDigest, size: row["size"], fileCount: row["file_count"], isDirectory: row["is_directory"])
            let names = try Row.fetchAll(
                db,
                sql: """
                    SELECT n.*, d.size, d.file_count, d.is_directory FROM dataset_names n JOIN datasets d ON d.digest = n.dataset_digest
                    WHERE n.dataset_digest = ? ORDER BY n.added_at
                    """,
                arguments: [datasetDigest.description]
            ).map(Self.datasetName)
            let files = try Row.fetchAll(
                db, sql: "SELECT path, digest, size FROM dataset_files WHERE dataset_digest = ? ORDER BY path", arguments: [datasetDigest.description]
            ).map { FileEntry(path: $0[0], digest: try digest($0[1]), size: $0[2], executable: false) }
            let profiles = try Row.fetchAll(
                db, sql: "SELECT path, file_digest, profile_json FROM dataset_profiles WHERE dataset_digest = ? ORDER BY path",
                arguments: [datasetDigest.description]
            ).map { StoredProfile(path: $0[0], fileDigest: try digest($0[1]), json: $0[2]) }
            let usedBy = try Row.fetchAll(
                db,
                sql: """
                    SELECT m.name, v.number, v.manifest_digest, u.role FROM version_datasets u JOIN versions v ON v.id = u.version_id
                    JOIN models m ON m.id = v.model_id WHERE u.dataset_digest = ? ORDER BY m.name, v.number
                    """,
                arguments: [datasetDigest.description]
            ).map { (VersionPointer(model: try ModelName($0[0]), number: $0[1], manifestDigest: try digest($0[2])), $0[3] as String) }
            return DatasetDetails(fingerprint: fingerprint, stored: row["stored"], names: names, files: files, profiles: profiles, usedBy: usedBy)
        }
    }

    static func datasetName(_ row: Row) throws -> DatasetName {
        DatasetName(
            name: row["name"],
            fingerprint: DatasetFingerprint(
                digest: try digest(row["dataset_digest"]), size: row["size"], fileCount: row["file_count"],
                isDirectory: row["is_directory"]),
            sourcePath: row["source_path"], addedAt: try date(row["added_at"]),
            addedBy: Registrant(user: row["added_by_user"], host: row["added_by_host"]))
    }
}
