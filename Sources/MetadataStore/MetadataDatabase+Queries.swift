import Foundation
import GRDB
import RegistryModel
import RegistryStorage

extension MetadataDatabase {
    /// Every model with its version count and latest version, by name.
    public func models() throws(MetadataError) -> [ModelSummary] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT m.name, COUNT(v.id), MAX(v.number), MAX(v.created_at)
                    FROM models m LEFT JOIN versions v ON v.model_id = m.id
                    GROUP BY m.id ORDER BY m.name
                    """
            ).map { row in
                ModelSummary(
                    name: try ModelName(row[0]), versionCount: row[1], latestVersion: row[2],
                    latestCreatedAt: (row[3] as String?).flatMap(Timestamp.parse))
            }
        }
    }

    /// The newest `limit` versions of one model (all when nil) with their metrics, and how many
    /// versions the model has in all.
    public func versions(of model: ModelName, limit: Int?) throws(MetadataError) -> (versions: [VersionSummary], total: Int) {
        try read { db in
            guard let modelID = try Int64.fetchOne(db, sql: "SELECT id FROM models WHERE name = ?", arguments: [model.value]) else {
                return ([], 0)
            }
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM versions WHERE model_id = ?", arguments: [modelID]) ?? 0
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, number, manifest_digest, created_at, git_commit, git_dirty, file_count, total_size
                    FROM versions WHERE model_id = ? ORDER BY number DESC LIMIT ?
                    """,
                arguments: [modelID, limit ?? -1])
            var metrics = [Int64: [Metric]]()
            if let oldest: Int = rows.last?[1], let newest: Int = rows.first?[1] {
                for row in try Row.fetchAll(
                    db,
                    sql: """
                        SELECT x.version_id, x.dataset, x.name, x.value FROM version_metrics x
                        JOIN versions v ON v.id = x.version_id WHERE v.model_id = ? AND v.number BETWEEN ? AND ?
                        """,
                    arguments: [modelID, oldest, newest])
                {
                    metrics[row[0], default: []].append(Metric(dataset: row[1], name: row[2], value: row[3]))
                }
            }
            let versions = try rows.map { row in
                VersionSummary(
                    number: row[1], manifestDigest: try digest(row[2]), createdAt: try date(row[3]), gitCommit: row[4],
                    gitDirty: row[5] ?? false, fileCount: row[6], totalSize: row[7],
                    metrics: (metrics[row[0]] ?? []).sorted { $0.key < $1.key })
            }
            return (versions, total)
        }
    }

    /// Everything recorded about one version.
    public func record(id: VersionKey) throws(MetadataError) -> VersionRecord? {
        try read { db in try Self.fetchRecord(db, id: id) }
    }

    static func fetchRecord(_ db: Database, id: VersionKey) throws -> VersionRecord? {
        guard let row = try Row.fetchOne(
            db,
            sql: """
                SELECT m.name, v.* FROM versions v JOIN models m ON m.id = v.model_id WHERE v.id = ?
                """,
            arguments: [id])
        else { return nil }
        let files = try Row.fetchAll(
            db, sql: "SELECT path, digest, size, executable FROM version_files WHERE version_id = ? ORDER BY path", arguments: [id]
        ).map { FileEntry(path: $0[0], digest: try digest($0[1]), size: $0[2], executable: $0[3]) }
        let datasets = try Row.fetchAll(
            db,
            sql: """
                SELECT u.role, u.source_path, d.digest, d.size, d.file_count, d.is_directory, d.stored
                FROM version_datasets u JOIN datasets d ON d.digest = u.dataset_digest
                WHERE u.version_id = ? ORDER BY u.role
                """,
            arguments: [id]
        ).map { row in
            DatasetUse(
                role: row[0],
                fingerprint: DatasetFingerprint(digest: try digest(row[2]), size: row[3], fileCount: row[4], isDirectory: row[5]),
                sourcePath: row[1], stored: row[6])
        }
        let metrics = try Row.fetchAll(
            db, sql: "SELECT dataset, name, value FROM version_metrics WHERE version_id = ? ORDER BY dataset, name", arguments: [id]
        ).map { Metric(dataset: $0[0], name: $0[1], value: $0[2]) }
        var labels = [String: String]()
        for label in try Row.fetchAll(db, sql: "SELECT key, value FROM version_labels WHERE version_id = ?", arguments: [id]) {
            labels[label[0]] = label[1]
        }
        var parent: VersionPointer?
        if let parentID: Int64 = row["parent_version_id"],
            let parentRow = try Row.fetchOne(
                db, sql: "SELECT m.name, v.number, v.manifest_digest FROM versions v JOIN models m ON m.id = v.model_id WHERE v.id = ?",
                arguments: [parentID])
        {
            parent = VersionPointer(model: try ModelName(parentRow[0]), number: parentRow[1], manifestDigest: try digest(parentRow[2]))
        }
        var git: GitProvenance?
        if let commit: String = row["git_commit"] {
            let changedJSON: String = row["git_changed_paths_json"] ?? "[]"
            let changed = try JSONDecoder().decode([String].self, from: Data(changedJSON.utf8))
            git = GitProvenance(
                commit: commit, branch: row["git_branch"], remoteURL: row["git_remote_url"], message: row["git_message"] ?? "",
                author: row["git_author"] ?? "", committedAt: try date(row["git_committed_at"]), dirty: row["git_dirty"] ?? false,
                changedPaths: changed, workTree: row["git_work_tree"])
        }
        let paramsJSON: String = row["params_json"]
        guard case .object(let params) = try JSONParser.parse(paramsJSON) else { throw DatabaseCorruption(problem: "params_json is not an object") }
        return VersionRecord(
            id: id, model: try ModelName(row[0]), number: row["number"], manifestDigest: try digest(row["manifest_digest"]),
            description: row["description"], params: params, parent: parent, files: files, datasets: datasets, metrics: metrics,
            labels: labels, git: git, gitNote: row["git_note"], createdAt: try date(row["created_at"]),
            registrant: Registrant(
                user: row["created_by_user"], host: row["created_by_host"], ciProvider: row["ci_provider"],
                ciJobID: row["ci_job_id"], ciJobURL: row["ci_job_url"], ciActor: row["ci_actor"]))
    }

    /// All version ids, oldest first (for `verify --all`).
    public func allVersionIDs() throws(MetadataError) -> [VersionKey] {
        try read { db in try VersionKey.fetchAll(db, sql: "SELECT id FROM versions ORDER BY id") }
    }

    /// The blobs the given versions reference (their files and manifests, and the files of any
    /// dataset they stored), or of every version and stored dataset when `versionIDs` is nil.
    public func blobReferences(versionIDs: [VersionKey]?) throws(MetadataError) -> BlobReferences {
        try read { db in
            let filter = versionIDs.map { ids in "WHERE v.id IN (\(ids.map { String($0.storeValue) }.joined(separator: ",")))" } ?? ""
            var references = BlobReferences()
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT m.name, v.number, v.manifest_digest, NULL, NULL, NULL FROM versions v JOIN models m ON m.id = v.model_id \(filter)
                    UNION ALL
                    SELECT m.name, v.number, v.manifest_digest, f.path, f.digest, f.size
                    FROM version_files f JOIN versions v ON v.id = f.version_id JOIN models m ON m.id = v.model_id \(filter)
                    """)
            {
                let name = "\(row[0] as String)@\(row[1] as Int)"
                let version = try Digest(parsing: row[2]).map { VersionPointer(model: try ModelName(row[0]), number: row[1], manifestDigest: $0) }
                if let path: String = row[3] {
                    references.add(row[4], size: row[5], owner: "\(name) file \(path)", version: version)
                } else {
                    references.add(row[2], size: nil, owner: "\(name) manifest", version: version)
                }
            }
            // Predictions files kept with evaluations.
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT m.name, v.number, v.manifest_digest, e.id, e.predictions_digest FROM evaluations e
                    JOIN versions v ON v.id = e.version_id JOIN models m ON m.id = v.model_id
                    WHERE e.predictions_digest IS NOT NULL \(filter.isEmpty ? "" : "AND " + filter.dropFirst(6))
                    """)
            {
                let version = try Digest(parsing: row[2]).map { VersionPointer(model: try ModelName(row[0]), number: row[1], manifestDigest: $0) }
                references.add(row[4], size: nil, owner: "\(row[0] as String)@\(row[1] as Int) evaluation #\(row[3] as Int64) predictions", version: version)
            }
            // The documents fact events commit to.
            let eventFilter = versionIDs.map { ids in "AND e.to_version_id IN (\(ids.map { String($0.storeValue) }.joined(separator: ",")))" } ?? ""
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT e.seq, e.action, e.record_digest, m.name, v.number, v.manifest_digest FROM events e
                    LEFT JOIN versions v ON v.id = e.to_version_id LEFT JOIN models m ON m.id = v.model_id
                    WHERE e.record_digest IS NOT NULL \(eventFilter)
                    """)
            {
                let name = (row[3] as String?).map { "\($0)@\(row[4] as Int)" }
                let version = try name == nil ? nil : Digest(parsing: row[5]).map { VersionPointer(model: try ModelName(row[3]), number: row[4], manifestDigest: $0) }
                let subject = name.map { " of \($0)" } ?? ""
                references.add(row[2], size: nil, owner: "ledger event #\(row[0] as Int64) (\(row[1] as String)\(subject)) record", version: version)
            }
            let datasetFilter = versionIDs == nil ? "" : """
                AND d.digest IN (SELECT u.dataset_digest FROM version_datasets u JOIN versions v ON v.id = u.version_id \(filter))
                """
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT d.digest, d.is_directory, f.path, f.digest, f.size FROM datasets d
                    JOIN dataset_files f ON f.dataset_digest = d.digest WHERE d.stored = 1 \(datasetFilter)
                    """)
            {
                references.add(row[3], size: row[4], owner: "dataset \((row[0] as String).dropFirst(7).prefix(12)) file \(row[2] as String)", version: nil)
            }
            for row in try Row.fetchAll(
                db, sql: "SELECT d.digest, d.size FROM datasets d WHERE d.stored = 1 AND d.is_directory = 0 \(datasetFilter)")
            {
                references.add(row[0], size: row[1], owner: "dataset \((row[0] as String).dropFirst(7).prefix(12))", version: nil)
            }
            return references
        }
    }
}

/// Reads a stored digest; a malformed one means the database was edited behind mreg's back.
func digest(_ text: String) throws -> Digest {
    guard let value = Digest(parsing: text) else { throw DatabaseCorruption(problem: "malformed digest '\(text)'") }
    return value
}

func date(_ text: String?) throws -> Date {
    guard let text, let value = Timestamp.parse(text) else { throw DatabaseCorruption(problem: "malformed timestamp '\(text ?? "NULL")'") }
    return value
}

/// A value in the database that mreg could not have written.
struct DatabaseCorruption: Error, CustomStringConvertible {
    let problem: String
    var description: String { problem }
}
