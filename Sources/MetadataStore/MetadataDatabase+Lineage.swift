import Foundation
import GRDB
import RegistryModel
import RegistryStorage

extension MetadataDatabase {
    /// Versions that recorded a dataset at registration, and versions evaluated on it.
    public func findings(dataset: Digest) throws(MetadataError) -> [Finding] {
        try read { db in
            var result = try Row.fetchAll(
                db,
                sql: """
                    SELECT m.name, v.number, v.manifest_digest, u.role FROM version_datasets u JOIN versions v ON v.id = u.version_id
                    JOIN models m ON m.id = v.model_id WHERE u.dataset_digest = ? ORDER BY m.name, v.number
                    """,
                arguments: [dataset.description]
            ).map { Finding(version: try Self.pointer($0), relation: "recorded it at registration as \($0[3] as String)") }
            result += try Row.fetchAll(
                db,
                sql: """
                    SELECT m.name, v.number, v.manifest_digest, e.id, e.dataset_key FROM evaluations e JOIN versions v ON v.id = e.version_id
                    JOIN models m ON m.id = v.model_id WHERE e.dataset_digest = ? ORDER BY m.name, v.number, e.id
                    """,
                arguments: [dataset.description]
            ).map { Finding(version: try Self.pointer($0), relation: "was evaluated on it as \($0[4] as String) (evaluation #\($0[3] as Int64))") }
            return result
        }
    }

    /// Versions built from commits starting with `prefix`, and versions evaluated by code at them.
    public func findings(commitPrefix prefix: String) throws(MetadataError) -> [Finding] {
        try read { db in
            var result = try Row.fetchAll(
                db,
                sql: """
                    SELECT m.name, v.number, v.manifest_digest, v.git_commit FROM versions v JOIN models m ON m.id = v.model_id
                    WHERE v.git_commit GLOB ? ORDER BY m.name, v.number
                    """,
                arguments: [prefix + "*"]
            ).map { Finding(version: try Self.pointer($0), relation: "was built from commit \($0[3] as String)") }
            result += try Row.fetchAll(
                db,
                sql: """
                    SELECT m.name, v.number, v.manifest_digest, e.git_commit, e.id FROM evaluations e JOIN versions v ON v.id = e.version_id
                    JOIN models m ON m.id = v.model_id WHERE e.git_commit GLOB ? ORDER BY m.name, v.number, e.id
                    """,
                arguments: [prefix + "*"]
            ).map { Finding(version: try Self.pointer($0), relation: "was evaluated by code at commit \($0[3] as String) (evaluation #\($0[4] as Int64))") }
            return result
        }
    }

    /// Everything that references a blob: version files, manifests, predictions, dataset files.
    public func findings(blob: Digest) throws(MetadataError) -> [Finding] {
        try read { db in
            var result = try Row.fetchAll(
                db,
                sql: """
                    SELECT m.name, v.number, v.manifest_digest, f.path FROM version_files f JOIN versions v ON v.id = f.version_id
                    JOIN models m ON m.id = v.model_id WHERE f.digest = ? ORDER BY m.name, v.number
                    """,
                arguments: [blob.description]
            ).map { Finding(version: try Self.pointer($0), relation: "has it as file \($0[3] as String)") }
            result += try Row.fetchAll(
                db, sql: "SELECT m.name, v.number, v.manifest_digest FROM versions v JOIN models m ON m.id = v.model_id WHERE v.manifest_digest = ?",
                arguments: [blob.description]
            ).map { Finding(version: try Self.pointer($0), relation: "has it as its manifest") }
            result += try Row.fetchAll(
                db,
                sql: """
                    SELECT m.name, v.number, v.manifest_digest, e.id FROM evaluations e JOIN versions v ON v.id = e.version_id
                    JOIN models m ON m.id = v.model_id WHERE e.predictions_digest = ?
                    """,
                arguments: [blob.description]
            ).map { Finding(version: try Self.pointer($0), relation: "has it as the predictions of evaluation #\($0[3] as Int64)") }
            result += try Row.fetchAll(
                db,
                sql: """
                    SELECT m.name, v.number, v.manifest_digest, u.role, f.path FROM dataset_files f
                    JOIN version_datasets u ON u.dataset_digest = f.dataset_digest JOIN versions v ON v.id = u.version_id
                    JOIN models m ON m.id = v.model_id WHERE f.digest = ?
                    """,
                arguments: [blob.description]
            ).map { Finding(version: try Self.pointer($0), relation: "used it as file \($0[4] as String) of dataset \($0[3] as String)") }
            return result
        }
    }

    /// The versions fine-tuned from a version (its children).
    public func childIDs(of versionID: VersionKey) throws(MetadataError) -> [VersionKey] {
        try read { db in try VersionKey.fetchAll(db, sql: "SELECT id FROM versions WHERE parent_version_id = ? ORDER BY id", arguments: [versionID]) }
    }

    private static func pointer(_ row: Row) throws -> VersionPointer {
        VersionPointer(model: try ModelName(row[0]), number: row[1], manifestDigest: try digest(row[2]))
    }
}
