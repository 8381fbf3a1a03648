import Foundation

/// A browser signed in to `mreg serve`'s web UI: it acts as the token it signed in with, until
/// it expires, signs out, or the token is revoked or expires (a session never outlives its token's
/// grants: each request reads the token again).
public struct WebSession: Sendable, Equatable {
    public let tokenName: String
    /// What every form of the session carries back (against cross-site request forgery): another
    /// site's page can make the browser send the cookie, but cannot read this.
    public let formKey: String
    public let createdAt: Date
    public let expiresAt: Date

    public init(tokenName: String, formKey: String, createdAt: Date, expiresAt: Date) {
        self.tokenName = tokenName
        self.formKey = formKey
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
