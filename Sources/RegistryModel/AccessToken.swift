import Foundation

/// What a token may do on a registry server, each role including the ones below it.
public enum Role: String, CaseIterable, Comparable, Sendable, Codable {
    /// Reads everything.
    case reader
    /// Adds facts: register, evaluate, `dataset add`, sign, annotate.
    case writer
    /// Moves aliases (promote, demote, rollback) and marks versions (deprecate, lift), on the
    /// aliases the token is granted.
    case promoter
    /// Manages tokens, trusted keys and the promotion policy.
    case admin

    private var rank: Int { Role.allCases.firstIndex(of: self)! }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}

/// A `*`-wildcard pattern over model or alias names (`*` alone: every name). The pattern is
/// matched against the whole name; `*` stands for any run of characters, `/` included.
public struct NamePattern: Hashable, Sendable, CustomStringConvertible, Codable {
    public let text: String

    public static let any = NamePattern(validated: "*")

    /// A pattern of the characters names may hold, plus `*`.
    public init(_ text: String, kind: String) throws(NameError) {
        guard !text.isEmpty, text.count <= 128,
            text.unicodeScalars.allSatisfy({ $0 == "*" || CharacterSet.alphanumerics.contains($0) || "._-/".unicodeScalars.contains($0) })
        else {
            throw NameError(
                name: text, kind: kind, problem: "may hold only letters, digits, '.', '_', '-', '/' and '*' (any run of characters), at most 128")
        }
        self.text = text
    }

    private init(validated text: String) { self.text = text }

    public var description: String { text }

    /// Whether every name matches (`*`).
    public var matchesEverything: Bool { text.allSatisfy { $0 == "*" } }

    /// Whether the whole of `name` matches.
    public func matches(_ name: String) -> Bool {
        let parts = text.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1 else { return name == text }
        var rest = Substring(name)
        guard rest.hasPrefix(parts[0]) else { return false }
        rest = rest.dropFirst(parts[0].count)
        for part in parts.dropFirst().dropLast() where !part.isEmpty {
            guard let found = rest.range(of: part) else { return false }
            rest = rest[found.upperBound...]
        }
        return rest.hasSuffix(parts.last!) && rest.count >= parts.last!.count
    }
}

/// A token as the registry keeps it: never its secret, only the secret's SHA-256.
public struct AccessToken: Hashable, Sendable {
    public let name: String
    public let role: Role
    /// The models it may act on (reads, writes and moves alike).
    public let models: NamePattern
    /// The aliases a promoter may move.
    public let aliases: NamePattern
    public let createdAt: Date
    public let createdBy: Registrant
    public let expiresAt: Date?
    public let revokedAt: Date?

    public init(
        name: String, role: Role, models: NamePattern, aliases: NamePattern, createdAt: Date, createdBy: Registrant, expiresAt: Date?,
        revokedAt: Date?
    ) {
        self.name = name
        self.role = role
        self.models = models
        self.aliases = aliases
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    /// Usable at `date`: not revoked, not expired.
    public func isActive(at date: Date) -> Bool {
        revokedAt == nil && (expiresAt.map { date < $0 } ?? true)
    }
}
