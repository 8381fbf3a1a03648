import ContentHashing
import Foundation
import RegistryModel
import RegistryStorage

/// A token to create: who it is for, what it may do, and for how long.
public struct TokenRequest: Sendable {
    public let name: String
    public let role: Role
    public let models: String
    public let aliases: String
    /// How long it is valid (`90d`); nil: until revoked.
    public let expires: String?
    public let actor: Registrant

    public init(name: String, role: Role, models: String = "*", aliases: String = "*", expires: String? = nil, actor: Registrant) {
        self.name = name
        self.role = role
        self.models = models
        self.aliases = aliases
        self.expires = expires
        self.actor = actor
    }
}

/// Access tokens for `mreg serve`. A token's secret is shown once, when it is created; the
/// registry keeps only its SHA-256, so a copy of the database lets nobody act as its holders.
extension Registry {
    /// The prefix of every secret, so that a leaked one is recognisable (secret scanners, logs).
    public static let tokenPrefix = "mreg_"

    /// Creates a token; returns it with its secret, which nothing shows again.
    public func createToken(_ request: TokenRequest) throws(RegistryError) -> (token: AccessToken, secret: String) {
        let name = try Self.tokenName(request.name)
        let models: NamePattern, aliases: NamePattern
        do {
            models = try NamePattern(request.models, kind: "model pattern")
            aliases = try NamePattern(request.aliases, kind: "alias pattern")
        } catch {
            throw RegistryError(error, flag: error.kind == "model pattern" ? "--models" : "--aliases")
        }
        var expiresAt: Date?
        if let text = request.expires {
            guard let seconds = DurationText.seconds(text) else {
                throw .usage("--expires '\(text)' is not a duration", hint: "write a whole number and a unit: 90d, 12h, 30m or 2w")
            }
            expiresAt = clock().addingTimeInterval(seconds)
        }
        let token = AccessToken(
            name: name, role: request.role, models: models, aliases: aliases, createdAt: clock(), createdBy: request.actor, expiresAt: expiresAt,
            revokedAt: nil)
        let secret = Self.tokenPrefix + Self.randomText()
        guard try database({ (db) throws(MetadataError) in try db.insertToken(token, secretDigest: Self.secretDigest(secret)) }) else {
            throw RegistryError(.conflict, "a token named '\(name)' already exists", hint: "choose another name ('mreg token list' shows them, revoked ones too)")
        }
        return (token, secret)
    }

    /// Every token, revoked and expired ones too.
    public func tokens() throws(RegistryError) -> [AccessToken] {
        try database { (db) throws(MetadataError) in try db.tokens() }
    }

    /// Revokes a token from now on; revoking a revoked token changes nothing.
    public func revokeToken(named name: String) throws(RegistryError) -> AccessToken {
        guard let token = try database({ (db) throws(MetadataError) in try db.revokeToken(named: name, at: clock()) }) else {
            throw .notFound("no token is named '\(name)'", hint: "'mreg token list' shows them")
        }
        return token
    }

    /// The token a secret belongs to, if it is usable now (not revoked, not expired).
    public func authenticate(secret: String) throws(RegistryError) -> AccessToken? {
        try authentication(secret: secret)?.token
    }

    /// The token a secret belongs to, if it is usable now, and the ledger's newest sequence
    /// number at that moment (one statement): every change to what a version's facts say is
    /// an event, so an answer about them computed at the same head is still the answer.
    public func authentication(secret: String) throws(RegistryError) -> (token: AccessToken, ledgerHead: Int64)? {
        guard secret.hasPrefix(Self.tokenPrefix) else { return nil }
        let found = try database { (db) throws(MetadataError) in try db.token(secretDigest: Self.secretDigest(secret)) }
        guard let found, found.token.isActive(at: clock()) else { return nil }
        return found
    }

    /// Whether some usable token has the admin role.
    public func hasActiveAdmin() throws(RegistryError) -> Bool {
        let now = clock()
        return try tokens().contains { $0.role == .admin && $0.isActive(at: now) }
    }

    static func secretDigest(_ secret: String) -> Digest {
        FileHashing.digest(of: Array(secret.utf8))
    }

    static func tokenName(_ text: String) throws(RegistryError) -> String {
        guard !text.isEmpty, text.count <= 64, text.first!.isLetter || text.first!.isNumber,
            text.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0) })
        else {
            throw .usage(
                "invalid token name '\(text)': it holds letters, digits, '.', '_' and '-', starts with a letter or digit, at most 64",
                hint: "name it after who uses it, e.g. ci-churn or alice")
        }
        return text
    }

    /// 32 random bytes as URL-safe text: a secret nobody guesses.
    public static func randomText() -> String {
        var random = SystemRandomNumberGenerator()
        return base64URL((0..<32).map { _ in UInt8.random(in: 0...255, using: &random) })
    }

    /// Base64 with the URL alphabet and no padding: a secret that needs no quoting anywhere.
    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
