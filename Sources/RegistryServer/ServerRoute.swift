import Foundation
import RegistryKit
import RegistryModel

/// One endpoint of `mreg serve`: the command it answers for, the least role that may call it,
/// and the work, which runs on a worker thread (the registry's calls block) and returns the
/// JSON document the command prints with `--json`.
public struct ServerRoute: Sendable {
    public enum Method: String, Sendable {
        case get = "GET", post = "POST"
    }

    public let method: Method
    /// The path below the server's root, `/v1/show`: a command's name, its arguments in the query.
    public let path: String
    public let role: Role
    /// Which query parameter names the model the call acts on, for the token's model grant.
    public let modelParameter: String?
    /// Which query parameter names the alias the call moves, for the token's alias grant.
    public let aliasParameter: String?
    public let handle: @Sendable (RouteCall) throws(RegistryError) -> RouteAnswer

    public init(
        _ method: Method, _ path: String, role: Role, modelParameter: String? = nil, aliasParameter: String? = nil,
        handle: @escaping @Sendable (RouteCall) throws(RegistryError) -> RouteAnswer
    ) {
        self.method = method
        self.path = path
        self.role = role
        self.modelParameter = modelParameter
        self.aliasParameter = aliasParameter
        self.handle = handle
    }
}

/// A route's answer: the command's `--json` document, and whether the command succeeded or was
/// refused by a rule (a failed gate: the CLI prints the same document and exits 4; here, 409).
public struct RouteAnswer: Sendable {
    public let document: Data
    public let refused: Bool

    public static func done(_ document: Data) -> RouteAnswer { RouteAnswer(document: document, refused: false) }
    public static func refused(_ document: Data) -> RouteAnswer { RouteAnswer(document: document, refused: true) }
}

/// What a route's work gets: the registry, the query, and who is calling.
public struct RouteCall: Sendable {
    public let registry: Registry
    public let query: [String: String]
    public let principal: AccessToken
    /// Who the ledger records as having done it: the token, on this server.
    public let actor: Registrant
    /// Where the route counts the registry's own events (promotions, rollbacks).
    public let metrics: ServerMetrics

    /// A flag in the query (`force=true`).
    public func flag(_ name: String) -> Bool { query[name] == "true" }

    /// `limit=N` (at least 1) when given, as `--limit`; nil with `all=true`; else `otherwise`.
    public func limit(otherwise: Int) throws(RegistryError) -> Int? {
        if flag("all") { return nil }
        guard let text = query["limit"] else { return otherwise }
        guard let limit = Int(text), limit >= 1 else { throw RegistryError(.usage, "limit must be a whole number of at least 1, not '\(text)'") }
        return limit
    }

    /// A query parameter the route needs; a call without it is a usage error (400).
    public func required(_ name: String) throws(RegistryError) -> String {
        guard let value = query[name], !value.isEmpty else {
            throw RegistryError(.usage, "the query parameter '\(name)' is missing", hint: "add ?\(name)=…")
        }
        return value
    }
}
