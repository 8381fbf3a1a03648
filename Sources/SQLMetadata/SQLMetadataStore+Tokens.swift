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
                    token.name, token.role.rawValue, token.models.text, token.aliases.text, secretDigest,
                    Timestamp.format(token.createdAt), token.createdBy.user, token.createdBy.host, token.createdBy.ciProvider,
                    token.createdBy.ciJobID, token.createdBy.ciJobURL, token.createdBy.ciActor, token.expiresAt.map(Timestamp.format),
                ])
            return true
        }
    }

    public func tokens() throws(MetadataError) -> [AccessToken] {
        try readStatement { db in try db.rows("SELECT * FROM tokens ORDER BY name").map(accessToken) }
    }

    public func token(secretDigest: Digest) throws(MetadataError) -> (token: AccessToken, ledgerHead: Int64)? {
        try readStatement { db in
            try db.row(
                """
                SELECT t.*, COALESCE((SELECT seq FROM events ORDER BY seq DESC LIMIT 1), 0) AS ledger_head
                FROM tokens t WHERE t.secret_sha256 = ?
                """, [secretDigest]
            ).map { row in (try accessToken(row), try row["ledger_head"]) }
        }
    }

    public func revokeToken(named name: String, at date: Date) throws(MetadataError) -> AccessToken? {
        try write { db in
            try db.execute("UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", [Timestamp.format(date), name])
            return try db.row("SELECT * FROM tokens WHERE name = ?", [name]).map(accessToken)
        }
    }

    public func insertWebSession(_ session: WebSession, secretDigest: Digest) throws(MetadataError) {
        try write { db in
            // Sessions end by expiring more often than by signing out: each sign-in sweeps them.
            try db.execute("DELETE FROM web_sessions WHERE expires_at <= ?", [Timestamp.format(session.createdAt)])
            try db.execute(
                "INSERT INTO web_sessions (secret_sha256, token_name, form_key, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                [secretDigest, session.tokenName, session.formKey, Timestamp.format(session.createdAt), Timestamp.format(session.expiresAt)])
        }
    }

    public func webSession(secretDigest: Digest) throws(MetadataError) -> (session: WebSession, token: AccessToken)? {
        try readStatement { db in
            try db.row(
                """
                SELECT t.*, s.form_key AS session_form_key, s.created_at AS session_created_at, s.expires_at AS session_expires_at
                FROM web_sessions s JOIN tokens t ON t.name = s.token_name WHERE s.secret_sha256 = ?
                """,
                [secretDigest]
            ).map { row in
                let token = try accessToken(row)
                let session = WebSession(
                    tokenName: token.name, formKey: try row["session_form_key"], createdAt: try date(row["session_created_at"]),
                    expiresAt: try date(row["session_expires_at"]))
                return (session, token)
            }
        }
    }

    public func deleteWebSession(secretDigest: Digest) throws(MetadataError) {
        _ = try write { db in try db.execute("DELETE FROM web_sessions WHERE secret_sha256 = ?", [secretDigest]) }
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
