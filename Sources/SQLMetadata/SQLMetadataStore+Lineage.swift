import RegistryModel
import RegistryStorage

extension SQLMetadataStore {
    /// Versions that recorded a dataset at registration, and versions evaluated on it.
    public func findings(dataset: Digest) throws(MetadataError) -> [Finding] {
        try read { db in
            var result = try db.rows(
                """
                SELECT m.name, v.number, v.manifest_digest, u.role FROM version_datasets u JOIN versions v ON v.id = u.version_id
                JOIN models m ON m.id = v.model_id WHERE u.dataset_digest = ? ORDER BY m.name, v.number, u.role
                """,
                [dataset]
            ).map { Finding(version: try versionPointer($0), relation: "recorded it at registration as \(try $0[3] as String)") }
            result += try db.rows(
                """
                SELECT m.name, v.number, v.manifest_digest, e.id, e.dataset_key FROM evaluations e JOIN versions v ON v.id = e.version_id
                JOIN models m ON m.id = v.model_id WHERE e.dataset_digest = ? ORDER BY m.name, v.number, e.id
                """,
                [dataset]
            ).map { Finding(version: try versionPointer($0), relation: "was evaluated on it as \(try $0[4] as String) (evaluation #\(try $0[3] as Int64))") }
            return result
        }
    }

    /// Versions built from commits starting with `prefix`, and versions evaluated by code at them.
    public func findings(commitPrefix prefix: String) throws(MetadataError) -> [Finding] {
        try read { db in
            let pattern = db.dialect.prefixPattern(prefix)
            var result = try db.rows(
                """
                SELECT m.name, v.number, v.manifest_digest, v.git_commit FROM versions v JOIN models m ON m.id = v.model_id
                WHERE v.git_commit \(db.dialect.prefixOperator) ? ORDER BY m.name, v.number
                """,
                [pattern]
            ).map { Finding(version: try versionPointer($0), relation: "was built from commit \(try $0[3] as String)") }
            result += try db.rows(
                """
                SELECT m.name, v.number, v.manifest_digest, e.git_commit, e.id FROM evaluations e JOIN versions v ON v.id = e.version_id
                JOIN models m ON m.id = v.model_id WHERE e.git_commit \(db.dialect.prefixOperator) ? ORDER BY m.name, v.number, e.id
                """,
                [pattern]
            ).map { Finding(version: try versionPointer($0), relation: "was evaluated by code at commit \(try $0[3] as String) (evaluation #\(try $0[4] as Int64))") }
            return result
        }
    }

    /// Everything that references a blob: version files, manifests, predictions, dataset files.
    public func findings(blob: Digest) throws(MetadataError) -> [Finding] {
        try read { db in
            let key = [blob] as [(any SQLBindable)?]
            var result = try db.rows(
                """
                SELECT m.name, v.number, v.manifest_digest, f.path FROM version_files f JOIN versions v ON v.id = f.version_id
                JOIN models m ON m.id = v.model_id WHERE f.digest = ? ORDER BY m.name, v.number, f.path
                """,
                key
            ).map { Finding(version: try versionPointer($0), relation: "has it as file \(try $0[3] as String)") }
            result += try db.rows(
                "SELECT m.name, v.number, v.manifest_digest FROM versions v JOIN models m ON m.id = v.model_id WHERE v.manifest_digest = ?", key
            ).map { Finding(version: try versionPointer($0), relation: "has it as its manifest") }
            result += try db.rows(
                """
                SELECT m.name, v.number, v.manifest_digest, e.id FROM evaluations e JOIN versions v ON v.id = e.version_id
                JOIN models m ON m.id = v.model_id WHERE e.predictions_digest = ? ORDER BY m.name, v.number, e.id
                """,
                key
            ).map { Finding(version: try versionPointer($0), relation: "has it as the predictions of evaluation #\(try $0[3] as Int64)") }
            result += try db.rows(
                """
                SELECT m.name, v.number, v.manifest_digest, u.role, f.path FROM dataset_files f
                JOIN version_datasets u ON u.dataset_digest = f.dataset_digest JOIN versions v ON v.id = u.version_id
                JOIN models m ON m.id = v.model_id WHERE f.digest = ? ORDER BY m.name, v.number, u.role, f.path
                """,
                key
            ).map { Finding(version: try versionPointer($0), relation: "used it as file \(try $0[4] as String) of dataset \(try $0[3] as String)") }
            return result
        }
    }

    /// The versions fine-tuned from a version (its children).
    public func childIDs(of versionID: VersionKey) throws(MetadataError) -> [VersionKey] {
        try read { db in try db.column("SELECT id FROM versions WHERE parent_version_id = ? ORDER BY id", [versionID]) }
    }
}
