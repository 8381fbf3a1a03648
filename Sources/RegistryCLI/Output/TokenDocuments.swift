import Foundation
import RegistryDocuments
import RegistryModel

/// A token as `token list` and `token create` show it: never its secret.
struct TokenDocument: Encodable {
    let name: String
    let role: String
    let models: String
    let aliases: String
    let createdAt: String
    let createdBy: RegistrantDocument
    let expiresAt: String?
    let revokedAt: String?
    /// `active`, `expired` or `revoked`, at the moment of the command.
    let state: String

    init(_ token: AccessToken, now: Date) {
        name = token.name
        role = token.role.rawValue
        models = token.models.text
        aliases = token.aliases.text
        createdAt = Timestamp.format(token.createdAt)
        createdBy = RegistrantDocument(token.createdBy)
        expiresAt = token.expiresAt.map(Timestamp.format)
        revokedAt = token.revokedAt.map(Timestamp.format)
        state = TokenDocument.state(token, now: now)
    }

    static func state(_ token: AccessToken, now: Date) -> String {
        token.revokedAt != nil ? "revoked" : token.isActive(at: now) ? "active" : "expired"
    }
}

struct TokenCreateDocument: Encodable {
    let token: TokenDocument
    /// Shown this once; the registry keeps only its SHA-256.
    let secret: String
}

struct TokenListDocument: Encodable {
    let tokens: [TokenDocument]
}

struct SingleTokenDocument: Encodable {
    let token: TokenDocument
}
