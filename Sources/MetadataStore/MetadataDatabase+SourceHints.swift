import GRDB
import RegistryModel
import RegistryStorage
import SQLMetadata

/// Ingest hints: inode-based, so meaningful only in a store on the machine that hashed the files.
extension MetadataDatabase {
    /// Kept in the registration's own transaction (one fsync instead of two).
    public func saveSourceHints(_ hints: [SourceHint], _ session: any SQLSession) throws {
        for hint in hints {
            let file = hint.identity
            try session.execute(
                """
                INSERT INTO source_file_hints (device, inode, size, mtime_ns, ctime_ns, digest) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (device, inode) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns,
                    ctime_ns = excluded.ctime_ns, digest = excluded.digest
                """,
                [
                    Int64(bitPattern: file.device), Int64(bitPattern: file.inode), file.size, file.modifiedNanoseconds,
                    file.changedNanoseconds, hint.digest.description,
                ])
        }
    }

    /// Remembers what source files looked like when hashed (see `SourceHint`).
    public func recordHints(_ hints: [SourceHint]) throws(MetadataError) {
        try write { db in try saveSourceHints(hints, db) }
    }

    /// The digests last recorded for files whose identity is unchanged on disk.
    public func knownDigests(_ files: [SourceIdentity]) throws(MetadataError) -> [SourceIdentity: Digest] {
        try read { db in
            var known = [SourceIdentity: Digest]()
            for file in files {
                let text: String? = try db.value(
                    "SELECT digest FROM source_file_hints WHERE device = ? AND inode = ? AND size = ? AND mtime_ns = ? AND ctime_ns = ?",
                    [
                        Int64(bitPattern: file.device), Int64(bitPattern: file.inode), file.size, file.modifiedNanoseconds,
                        file.changedNanoseconds,
                    ])
                if let text, let digest = Digest(parsing: text) { known[file] = digest }
            }
            return known
        }
    }
}
