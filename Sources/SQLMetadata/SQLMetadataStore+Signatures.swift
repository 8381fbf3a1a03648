import Foundation
import RegistryModel
import RegistryStorage

extension SQLMetadataStore {
    /// Stores a signature and its `sign` event committing to `record` (the signature document);
    /// returns false, writing nothing, when this key had already signed the version.
    public func insertSignature(
        versionID: VersionKey, _ signature: StoredSignature, actor: Registrant, record: Digest, fence: BlobFence?, seal: @escaping EventSealer
    ) throws(MetadataError) -> Bool {
        try write { db in
            try requireUncollected(db, fence)
            let inserted = try db.execute(
                """
                INSERT INTO signatures (version_id, key_fingerprint, key_name, signature, signed_at, signed_by)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """,
                [
                    versionID, signature.keyFingerprint, signature.keyName, Data(signature.signature).base64EncodedString(),
                    Timestamp.format(signature.signedAt), signature.signedBy,
                ])
            guard inserted > 0 else { return false }
            _ = try appendVersionFact(
                db, .sign, versionID: versionID, at: signature.signedAt, actor: actor, record: record, link: .signature(key: signature.keyFingerprint),
                seal: seal)
            return true
        }
    }

    /// The signatures stored for a version, by key name.
    public func signatures(versionID: VersionKey) throws(MetadataError) -> [StoredSignature] {
        try readStatement { db in
            let query = signaturesQuery(version: .version(versionID))
            return try db.rows(query.sql, query.arguments).map(storedSignature)
        }
    }

    public func signatures(versionIDs: [VersionKey]) throws(MetadataError) -> [VersionKey: [StoredSignature]] {
        let rows = try readBatches(versionIDs) { db, batch in
            try db.rows(
                "SELECT * FROM signatures WHERE version_id IN (\(Self.placeholders(batch.count))) ORDER BY version_id, key_name",
                batch.map { $0 as any SQLBindable }
            ).map { row in (try row["version_id"] as VersionKey, try storedSignature(row)) }
        }
        // In key-name order within each version, as the statement read them.
        return Dictionary(grouping: rows, by: \.0).mapValues { $0.map(\.1) }
    }

    func signaturesQuery(version: SQLFragment) -> SQLFragment {
        SQLFragment("SELECT * FROM signatures WHERE version_id = \(version.sql) ORDER BY key_name", version.arguments)
    }

    func storedSignature(_ row: SQLRow) throws -> StoredSignature {
        let text: String = try row["signature"]
        guard let bytes = Data(base64Encoded: text) else { throw DatabaseCorruption(problem: "a stored signature is not base64") }
        return StoredSignature(
            keyFingerprint: try digest(row["key_fingerprint"]), keyName: try row["key_name"], signature: Array(bytes),
            signedAt: try date(row["signed_at"]), signedBy: try row["signed_by"])
    }
}
