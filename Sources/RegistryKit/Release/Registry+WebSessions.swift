import Foundation
import RegistryModel
import RegistryStorage

/// Sign-ins of the web UI: a browser trades a token's secret for a session whose secret is its
/// cookie, so the token itself is typed once and never stored in the browser. The registry keeps
/// the SHA-256 of a session's secret, as it does a token's.
extension Registry {
    /// The prefix of every session secret (never a token's `mreg_`: one is not taken for the other).
    public static let sessionPrefix = "mregs_"
    /// How long a sign-in lasts at most (a working day); never longer than its token.
    public static let webSessionLifetime: TimeInterval = 12 * 3600

    /// Signs a browser in with a token's secret: the session and the secret to set as its cookie;
    /// nil when the token is unknown, expired or revoked.
    public func signIn(secret: String) throws(RegistryError) -> (secret: String, session: WebSession, token: AccessToken)? {
        guard let token = try authenticate(secret: secret) else { return nil }
        let now = clock()
        let expires = min(now.addingTimeInterval(Self.webSessionLifetime), token.expiresAt ?? .distantFuture)
        let session = WebSession(tokenName: token.name, formKey: Self.randomText(), createdAt: now, expiresAt: expires)
        let sessionSecret = Self.sessionPrefix + Self.randomText()
        try database { (db) throws(MetadataError) in try db.insertWebSession(session, secretDigest: Self.secretDigest(sessionSecret)) }
        return (sessionSecret, session, token)
    }

    /// The session a cookie stands for and its token, read again on every request: nil when the
    /// session ended or expired, or its token was revoked or expired since.
    public func webSession(secret: String) throws(RegistryError) -> (session: WebSession, token: AccessToken)? {
        guard secret.hasPrefix(Self.sessionPrefix) else { return nil }
        guard let found = try database({ (db) throws(MetadataError) in try db.webSession(secretDigest: Self.secretDigest(secret)) }) else { return nil }
        let now = clock()
        return now < found.session.expiresAt && found.token.isActive(at: now) ? found : nil
    }

    /// Ends the session a cookie stands for (nothing when it already ended).
    public func signOut(secret: String) throws(RegistryError) {
        guard secret.hasPrefix(Self.sessionPrefix) else { return }
        try database { (db) throws(MetadataError) in try db.deleteWebSession(secretDigest: Self.secretDigest(secret)) }
    }
}
