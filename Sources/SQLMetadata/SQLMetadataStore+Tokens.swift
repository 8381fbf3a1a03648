import Foundation
import RegistryModel
import RegistryStorage

extension SQLMetadataStore {
    public func insertToken(_ token: AccessToken, secretDigest: Digest) throws(MetadataError) -> Bool {
        try write { db in
            guard try !db.exists("SELECT 1 FROM tokens WHERE name = ?", [token.name]) else { return false }
            try db.execute(
                """
                INSERT INTO tokens (name, role, models, aliases, secret_sha256, created_at, created_by_user, created_by_host,
                    ci_provider, ci_job_id, ci_job_url, ci_actor, expires_at, revoked_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
                """,
                [
                    token.name, token.role.rawValue, token.models.text, token.aliases.text, secretDigest.description,
                    Timestamp.format(token.createdAt), token.createdBy.user, token.createdBy.host, token.createdBy.ciProvider,
                    token.createdBy.ciJobID, token.createdBy.ciJobURL, token.createdBy.ciActor, token.expiresAt.map(Timestamp.format),
                ])
            return true
        }
    }

    public func tokens() throws(MetadataError) -> [AccessToken] {
        try readStatement { db in try db.rows("SELECT * FROM tokens ORDER BY name").map(accessToken) }
    }

    public func token(secretDigest: Digest) throws(MetadataError) -> AccessToken? {
        try readStatement { db in try db.row("SELECT * FROM tokens WHERE secret_sha256 = ?", [secretDigest.description]).map(accessToken) }
    }

    public func revokeToken(named name: String, at date: Date) throws(MetadataError) -> AccessToken? {
        try write { db in
            try db.execute("UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", [Timestamp.format(date), name])
            return try db.row("SELECT * FROM tokens WHERE name = ?", [name]).map(accessToken)
        }
    }

    private func accessToken(_ row: SQLRow) throws -> AccessToken {
        let roleText: String = try row["role"]
        guard let role = Role(rawValue: roleText) else { throw DatabaseCorruption(problem: "token role '\(roleText)' is not one mreg writes") }
        do {
            return AccessToken(
                name: try row["name"], role: role, models: try NamePattern(row["models"], kind: "model pattern"),
                aliases: try NamePattern(row["aliases"], kind: "alias pattern"), createdAt: try date(row["created_at"]),
                createdBy: try registrant(row, user: "created_by_user", host: "created_by_host"),
                expiresAt: try (row["expires_at"] as String?).map { try date($0) }, revokedAt: try (row["revoked_at"] as String?).map { try date($0) })
        } catch let error as NameError {
            throw DatabaseCorruption(problem: error.description)
        }
    }
}
