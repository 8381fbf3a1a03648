import Foundation
import RegistryKit
import RegistryModel

/// One endpoint of `mreg serve`: the command it answers for, the least role that may call it,
/// and the work, which runs on a worker thread (the registry's calls block).
public struct ServerRoute: Sendable {
    public enum Method: String, Sendable {
        case get = "GET", post = "POST", put = "PUT"
    }

    public let method: Method
    /// The path below the server's root, `/v1/show`: a command's name, its arguments in the query.
    public let path: String
    public let role: Role
    /// Flag parameters that, when `true`, need a higher role than `role` (`drift`'s `record`).
    public let flagRoles: [String: Role]
    /// Which query parameter names the model (or version) the call acts on, for the token's
    /// model grant; a call that names none acts on every model.
    public let modelParameter: String?
    /// Which query parameter names the alias the call moves, for the token's alias grant.
    public let aliasParameter: String?
    /// Whether the work itself shows only the models the token is granted when the call names
    /// none (`list`), so that a token granted some models may call it.
    public let filtersModels: Bool
    /// Whether it takes a JSON request body (up to `RegistryServer.bodyLimit`); others refuse one unread.
    public let takesBody: Bool
    /// Whether its answer says only what the registry recorded and which keys it trusts (not the
    /// clock, the config or who asks), so that the server may give it again while the ledger's
    /// head has not moved (`AnswerCache`).
    public let cacheable: Bool
    public let handle: @Sendable (RouteCall) throws(RegistryError) -> RouteAnswer

    public init(
        _ method: Method, _ path: String, role: Role, flagRoles: [String: Role] = [:], modelParameter: String? = nil, aliasParameter: String? = nil,
        filtersModels: Bool = false, takesBody: Bool = false, cacheable: Bool = false, handle: @escaping @Sendable (RouteCall) throws(RegistryError) -> RouteAnswer
    ) {
        self.takesBody = takesBody
        self.cacheable = cacheable
        self.method = method
        self.path = path
        self.role = role
        self.flagRoles = flagRoles
        self.modelParameter = modelParameter
        self.aliasParameter = aliasParameter
        self.filtersModels = filtersModels
        self.handle = handle
    }
}

/// What a route's work printed, as its command would have (stdout: the `--json` document or
/// the text; stderr: notes and the error line), and the failure it ended with, if any.
public struct RouteAnswer: Sendable {
    public let stdout: Data
    public let stderr: Data
    public let failure: RegistryError?
    /// A git note for the client to write on its own commit (`register` when the registry's
    /// `record_git_notes` is on: the repository is on the client's machine, not the server's).
    public var gitNote: String?

    public init(stdout: Data, stderr: Data, failure: RegistryError?) {
        self.stdout = stdout
        self.stderr = stderr
        self.failure = failure
    }
}

/// How the caller wants the answer: the command's JSON document (the API), or what the CLI
/// would have printed and its exit code (`mreg` as a client, which asks with the `Mreg-CLI` header).
public struct AnswerForm: Sendable, Equatable {
    /// The client's `--json`; always on for the API.
    public let json: Bool
    /// The client's `--quiet`.
    public let quiet: Bool
    /// Whether the answer is the CLI envelope (stdout, stderr, exit code).
    public let cli: Bool

    public static let document = AnswerForm(json: true, quiet: false, cli: false)

    public init(json: Bool, quiet: Bool, cli: Bool) {
        self.json = json
        self.quiet = quiet
        self.cli = cli
    }

    /// The `Mreg-CLI` header's value: `text` or `json`, optionally `,quiet`.
    public static func cli(header: String) -> AnswerForm {
        let words = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return AnswerForm(json: words.contains("json"), quiet: words.contains("quiet"), cli: true)
    }

    /// What the client sends in the `Mreg-CLI` header.
    public var header: String { (json ? "json" : "text") + (quiet ? ",quiet" : "") }

    public static let headerName = "Mreg-CLI"
}

extension ServerRoute {
    /// The least role a call with these parameters needs: the route's, or a flag's that is on.
    public func role(for items: [(String, String)]) -> Role {
        items.reduce(role) { needed, item in
            guard item.1 == "true", let raised = flagRoles[item.0], raised > needed else { return needed }
            return raised
        }
    }
}

/// What a route's work gets: the registry, the query, who is calling and the answer's form.
public struct RouteCall: Sendable {
    public let registry: Registry
    /// The query's parameters in order; a repeated one is repeated.
    public let items: [(String, String)]
    public let form: AnswerForm
    public let principal: AccessToken
    /// Who the ledger records as having done it: the token, on this server.
    public let actor: Registrant
    /// The request's body (a JSON document), for a route that takes one.
    public let body: Data
    /// The file sent after the document (`Mreg-Document-Length`), spooled; removed after the call.
    public let attachment: String?

    /// A call by `principal` to the server on `host`, which the ledger records as its actor.
    init(registry: Registry, items: [(String, String)], form: AnswerForm, principal: AccessToken, host: String, body: Data, attachment: String?) {
        self.registry = registry
        self.items = items
        self.form = form
        self.principal = principal
        actor = Registrant(user: principal.name, host: host)
        self.body = body
        self.attachment = attachment
    }
}
