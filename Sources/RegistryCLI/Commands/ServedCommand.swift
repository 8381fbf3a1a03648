import ArgumentParser
import Foundation
import RegistryKit
import RegistryModel
import RegistryServer

/// A command `mreg serve` answers on an endpoint of its own, and that the CLI sends there when
/// its registry is a server (`--registry https://…`). The server runs the command itself, on
/// its registry and as the client's token, so both ways print the same output and documents
/// and end with the same exit codes.
protocol ServedCommand: RegistryCommand {
    static var endpoint: Endpoint { get }
    /// This command's arguments as its endpoint's query parameters: what the client sends.
    var parameters: [(String, String)] { get }
    /// The parameters the client sends, where some are read on its machine first (a dataset
    /// path becomes its fingerprint): a server reads no path of its own.
    func parameters(for invocation: Invocation) throws(RegistryError) -> [(String, String)]
}

extension ServedCommand {
    func parameters(for invocation: Invocation) throws(RegistryError) -> [(String, String)] { parameters }
}

/// How a command is reached over HTTP: its method and path, the least role that may call it,
/// and which query parameters stand for which of its arguments.
struct Endpoint: Sendable {
    let method: ServerRoute.Method
    /// `/v1/` and the command's words: `/v1/token/create` runs `mreg token create`.
    let path: String
    let role: Role
    /// The schemas (in schemas/) of the documents it answers with, as the command's `--json`.
    let answers: [String]
    /// Parameters that are the command's arguments, in their order (`verify`'s `ref` repeats).
    var arguments: [String] = []
    /// Parameters that are its options (`reason` is `--reason`); a repeatable option repeats.
    var options: [String] = []
    /// Parameters that are its flags (`dry_run=true` is `--dry-run`).
    var flags: [String] = []
    /// Flags that, when true, need more than `role` (`drift`'s `record` writes).
    var flagRoles: [String: Role] = [:]
    /// The parameter naming the model (or version) the call acts on, for the token's model grant.
    var model: String?
    /// The parameter naming the alias the call moves, for the token's alias grant.
    var alias: String?
    /// Whether the command shows only the models the token is granted when no model is named
    /// (`list`); other calls without a model need a token granted every model.
    var filtersModels = false
    /// The schema of the JSON body the client sends: what it read on its machine (`evaluate`'s
    /// dataset and git state), for the command to use instead of paths.
    var body: String?
    /// The option naming a file the client sends after that document (`drift`'s `data`): its
    /// value is the file's name, its bytes follow in the body (`Mreg-Document-Length`), and the
    /// command reads it there, by that name.
    var attachment: String?
    /// Whether its answer says only what the registry recorded (`ServerRoute.cacheable`).
    var cacheable = false

    /// The command line a query stands for: options and flags (`globals` among them), then `--`
    /// and the arguments, so that an argument that begins with '-' stays an argument.
    func commandLine(_ items: [(String, String)], globals: [String]) throws(RegistryError) -> [String] {
        var line = [String]()
        var positional = [String: [String]]()
        for (name, value) in items {
            if arguments.contains(name) {
                positional[name, default: []].append(value)
            } else if options.contains(name) {
                line += [Self.option(name), value]
            } else if flags.contains(name) {
                guard value == "true" || value == "false" else {
                    throw RegistryError(.usage, "the parameter '\(name)' must be true or false, not '\(value)'")
                }
                if value == "true" { line.append(Self.option(name)) }
            } else {
                let known = arguments + options + flags
                throw RegistryError(
                    .usage, "\(path) takes no parameter '\(name)'",
                    hint: known.isEmpty ? "call it without parameters" : "its parameters are " + known.joined(separator: ", "))
            }
        }
        return line + globals + ["--"] + arguments.flatMap { positional[$0] ?? [] }
    }

    /// What `mreg serve --dump-endpoints` prints for scripts/openapi.py.
    var dumped: [String: Any] {
        var fields: [String: Any] = [
            "method": method.rawValue, "path": path, "role": role.rawValue, "answers": answers, "arguments": arguments, "options": options,
            "flags": flags, "filters_models": filtersModels,
        ]
        if let model { fields["model"] = model }
        if let alias { fields["alias"] = alias }
        if let body { fields["body"] = body }
        if let attachment { fields["attachment"] = attachment }
        if !flagRoles.isEmpty { fields["flag_roles"] = flagRoles.mapValues(\.rawValue) }
        return fields
    }

    /// `dry_run` → `--dry-run`.
    static func option(_ parameter: String) -> String { "--" + parameter.replacingOccurrences(of: "_", with: "-") }
}

extension ServedCommand {
    static var route: ServerRoute {
        ServerRoute(
            endpoint.method, endpoint.path, role: endpoint.role, flagRoles: endpoint.flagRoles, modelParameter: endpoint.model, aliasParameter: endpoint.alias,
            filtersModels: endpoint.filtersModels, takesBody: endpoint.body != nil || endpoint.attachment != nil, cacheable: endpoint.cacheable
        ) { call throws(RegistryError) in try serve(call) }
    }

    /// Runs the command for a client: parsed from the query as from a command line, on the
    /// worker's registry, as the token; the answer is what it printed and how it ended.
    static func serve(_ call: RouteCall) throws(RegistryError) -> RouteAnswer {
        let line = try endpoint.commandLine(call.items, globals: (call.form.json ? ["--json"] : []) + (call.form.quiet ? ["--quiet"] : []))
        let command: Self
        do {
            command = try ParsedCommands.shared.command(Self.self, line)
        } catch {
            let message = self.message(for: error).split(separator: "\n").first.map(String.init) ?? "the parameters are not valid"
            throw RegistryError(
                .usage, message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message,
                hint: "see 'mreg \(configuration.commandName ?? "") --help' or schemas/openapi.yaml")
        }
        // The file the client sent, under the name the option gives it, in the command's folder.
        let attached = try endpoint.attachment.flatMap { (option) throws(RegistryError) -> NamedAttachment? in
            guard let name = call.items.first(where: { $0.0 == option })?.1 else { return nil }
            guard let attachment = call.attachment else {
                throw RegistryError(
                    .usage, "'\(option)' names the file '\(name)', but no file follows the document",
                    hint: "send the file after the document, with \(RegistryServer.documentLengthHeader)")
            }
            return try NamedAttachment(attachment, named: name)
        }
        let invocation = Invocation.serving(
            .init(registry: call.registry, principal: call.principal, actor: call.actor, body: call.body),
            currentDirectory: attached.map { ($0.path as NSString).deletingLastPathComponent } ?? "/")
        defer { withExtendedLifetime(attached) {} }
        return try RouteAnswer.printed(call.form) { (_) throws(RegistryError) in try command.execute(invocation) }
    }
}

extension RouteAnswer {
    /// What `work` printed, as a command run for a client prints (with the client's `--json` and
    /// `--quiet`), and the failure it ended with, reported as the command line reports it.
    static func printed(_ form: AnswerForm, _ work: (GlobalOptions) throws(RegistryError) -> Void) throws(RegistryError) -> RouteAnswer {
        let global = try ServeCommand.globalOptions(form)
        var failure: RegistryError?
        let output = Console.capturing {
            do throws(RegistryError) {
                try work(global)
            } catch {
                failure = error
                Console.report(error, json: global.json)
            }
        }
        return RouteAnswer(stdout: output.stdout, stderr: output.stderr, failure: failure)
    }
}

/// Query parameters from optional values and flags.
extension Array where Element == (String, String) {
    func adding(_ name: String, _ value: String?) -> Self { value.map { self + [(name, $0)] } ?? self }
    func adding(_ name: String, _ values: [String]) -> Self { self + values.map { (name, $0) } }
    func adding(_ name: String, flag: Bool) -> Self { flag ? self + [(name, "true")] : self }
}

// MARK: The served commands

extension ShowCommand: ServedCommand {
    static let endpoint = Endpoint(method: .get, path: "/v1/show", role: .reader, answers: ["version"], arguments: ["ref"], model: "ref", cacheable: true)
    var parameters: [(String, String)] { [("ref", reference)] }
}

extension ListCommand: ServedCommand {
    static let endpoint = Endpoint(
        method: .get, path: "/v1/list", role: .reader, answers: ["list-models", "list-versions"], arguments: ["model"],
        options: ["limit", "after", "label", "where", "status", "alias", "since", "until", "sort"], flags: ["all", "deleted"], model: "model",
        filtersModels: true)
    var parameters: [(String, String)] {
        ([].adding("model", name).adding("limit", String(limit)).adding("after", after.map(String.init)) + label.map { ("label", $0) } + `where`.map { ("where", $0) })
            .adding("status", status).adding("alias", alias).adding("since", since).adding("until", until).adding("sort", sort)
            .adding("all", flag: all).adding("deleted", flag: deleted)
    }
}

extension HistoryCommand: ServedCommand {
    static let endpoint = Endpoint(
        method: .get, path: "/v1/history", role: .reader, answers: ["history", "history-at"], arguments: ["model"], options: ["alias", "at", "limit"], flags: ["all", "records"],
        model: "model")
    var parameters: [(String, String)] {
        [("model", name)].adding("alias", alias).adding("at", at).adding("limit", String(limit)).adding("all", flag: all).adding("records", flag: records)
    }
}

extension VerifyCommand: ServedCommand {
    static let endpoint = Endpoint(
        method: .get, path: "/v1/verify", role: .reader, answers: ["verify"], arguments: ["ref"], options: ["expect_head", "sample", "seed"], flags: ["all"],
        model: "ref")
    var parameters: [(String, String)] {
        [].adding("ref", references).adding("expect_head", expectHead).adding("sample", sample).adding("seed", seed.map(String.init)).adding("all", flag: all)
    }
}

extension LineageCommand: ServedCommand {
    static let endpoint = Endpoint(
        method: .get, path: "/v1/lineage", role: .reader, answers: ["lineage"], arguments: ["ref"], options: ["depth", "format"], flags: ["upstream", "downstream"],
        model: "ref")
    var parameters: [(String, String)] {
        [("ref", reference), ("depth", String(depth)), ("format", format.rawValue)].adding("upstream", flag: upstream).adding("downstream", flag: downstream)
    }
}

extension PolicyCommand: ServedCommand {
    static let endpoint = Endpoint(method: .get, path: "/v1/policy", role: .reader, answers: ["policy-check"], options: ["model"], model: "model")
    var parameters: [(String, String)] { [].adding("model", model) }
}

extension KeysListCommand: ServedCommand {
    static let endpoint = Endpoint(method: .get, path: "/v1/keys/list", role: .reader, answers: ["keys-list"])
    var parameters: [(String, String)] { [] }
}

extension DatasetListCommand: ServedCommand {
    static let endpoint = Endpoint(method: .get, path: "/v1/dataset/list", role: .reader, answers: ["dataset-list"])
    var parameters: [(String, String)] { [] }
}

extension DatasetShowCommand: ServedCommand {
    static let endpoint = Endpoint(method: .get, path: "/v1/dataset/show", role: .reader, answers: ["dataset"], arguments: ["dataset"], options: ["limit"], flags: ["samples"])
    var parameters: [(String, String)] { [("dataset", dataset), ("limit", String(limit))].adding("samples", flag: samples) }
}

extension AnnotateCommand: ServedCommand {
    static let endpoint = Endpoint(
        method: .post, path: "/v1/annotate", role: .writer, answers: ["annotate"], arguments: ["ref"], options: ["label", "unset_label", "description", "reason"], model: "ref")
    var parameters: [(String, String)] {
        [("ref", reference)].adding("label", labels).adding("unset_label", unsetLabels).adding("description", description).adding("reason", reason)
    }
}

// The release commands: the gates and trusted keys are the server's; the ledger records the token.

extension PromoteCommand: ServedCommand {
    static let endpoint = Endpoint(
        method: .post, path: "/v1/promote", role: .promoter, answers: ["promote"], arguments: ["ref"], options: ["to", "reason"], flags: ["force", "dry_run"], model: "ref",
        alias: "to")
    var parameters: [(String, String)] {
        [("ref", reference), ("to", alias)].adding("reason", reason).adding("force", flag: force).adding("dry_run", flag: dryRun)
    }
}

extension RollbackCommand: ServedCommand {
    static let endpoint = Endpoint(
        method: .post, path: "/v1/rollback", role: .promoter, answers: ["rollback"], arguments: ["model"], options: ["alias", "to", "reason"], flags: ["force"], model: "model",
        alias: "alias")
    var parameters: [(String, String)] { [("model", name), ("alias", alias)].adding("to", to).adding("reason", reason).adding("force", flag: force) }
}

extension DemoteCommand: ServedCommand {
    static let endpoint = Endpoint(
        method: .post, path: "/v1/demote", role: .promoter, answers: ["demote"], arguments: ["model"], options: ["alias", "reason"], model: "model", alias: "alias")
    var parameters: [(String, String)] { [("model", name), ("alias", alias)].adding("reason", reason) }
}

extension DeprecateCommand: ServedCommand {
    static let endpoint = Endpoint(method: .post, path: "/v1/deprecate", role: .promoter, answers: ["deprecate"], arguments: ["ref"], options: ["reason"], model: "ref")
    var parameters: [(String, String)] { [("ref", reference)].adding("reason", reason) }
}

extension DeleteCommand: ServedCommand {
    static let endpoint = Endpoint(method: .post, path: "/v1/delete", role: .promoter, answers: ["delete"], arguments: ["ref"], options: ["reason"], model: "ref")
    var parameters: [(String, String)] { [("ref", reference)].adding("reason", reason) }
}

extension UndeleteCommand: ServedCommand {
    static let endpoint = Endpoint(method: .post, path: "/v1/undelete", role: .promoter, answers: ["undelete"], arguments: ["ref"], options: ["reason"], model: "ref")
    var parameters: [(String, String)] { [("ref", reference)].adding("reason", reason) }
}

extension RetentionCommand: ServedCommand {
    // Listing needs a reader; deleting (`apply`) a promoter, as `delete` does.
    static let endpoint = Endpoint(
        method: .post, path: "/v1/retention", role: .reader, answers: ["retention"], arguments: ["model"], flags: ["apply"],
        flagRoles: ["apply": .promoter], model: "model", filtersModels: true)
    var parameters: [(String, String)] { [].adding("model", name).adding("apply", flag: apply) }
}

extension LiftCommand: ServedCommand {
    static let endpoint = Endpoint(
        method: .post, path: "/v1/lift", role: .promoter, answers: ["lift"], arguments: ["ref"], options: ["rollback", "reason"], flags: ["deprecation"], model: "ref",
        alias: "rollback")
    var parameters: [(String, String)] { [("ref", reference)].adding("rollback", rollback).adding("reason", reason).adding("deprecation", flag: deprecation) }
}

extension FindCommand: ServedCommand {
    // Shows only the versions of models the token is granted.
    static let endpoint = Endpoint(
        method: .get, path: "/v1/find", role: .reader, answers: ["find"], options: ["dataset", "commit", "blob"], filtersModels: true)
    var parameters: [(String, String)] { [].adding("dataset", dataset).adding("commit", commit).adding("blob", blob) }

    /// A dataset file or folder on the client's machine is sent as its fingerprint.
    func parameters(for invocation: Invocation) throws(RegistryError) -> [(String, String)] {
        guard let dataset, !dataset.hasPrefix("sha256:"),
            let digest = try Registry.datasetDigest(atPath: dataset, currentDirectory: invocation.currentDirectory)
        else { return parameters }
        return [("dataset", digest.description)].adding("commit", commit).adding("blob", blob)
    }
}

extension DriftCheckCommand: ServedCommand {
    // The new data is sent with the call and read by its own name; the reference data is the
    // version's. Reading needs a reader; keeping the report (`record`) a writer.
    static let endpoint = Endpoint(
        method: .post, path: "/v1/drift", role: .reader, answers: ["drift"], arguments: ["ref"], options: ["data", "against", "file", "psi", "alpha", "missing"],
        flags: ["record"], flagRoles: ["record": .writer], model: "ref", attachment: "data")
    var parameters: [(String, String)] {
        [("ref", reference), ("data", data), ("psi", String(psi)), ("alpha", String(alpha)), ("missing", String(missing))]
            .adding("against", against).adding("file", file).adding("record", flag: record)
    }
}

extension DriftListCommand: ServedCommand {
    static let endpoint = Endpoint(
        method: .get, path: "/v1/drift/list", role: .reader, answers: ["drift-list"], arguments: ["ref"], options: ["limit", "after"], model: "ref")
    var parameters: [(String, String)] { [("ref", reference), ("limit", String(limit))].adding("after", after.map(String.init)) }
}

extension DriftShowCommand: ServedCommand {
    static let endpoint = Endpoint(method: .get, path: "/v1/drift/show", role: .reader, answers: ["drift"], arguments: ["model", "number"], model: "model")
    var parameters: [(String, String)] { [("model", model), ("number", String(number))] }
}

// Tokens, for admins: the new secret is in the answer, once.

extension TokenCreateCommand: ServedCommand {
    static let endpoint = Endpoint(method: .post, path: "/v1/token/create", role: .admin, answers: ["token-create"], arguments: ["name"], options: ["role", "models", "aliases", "expires"])
    var parameters: [(String, String)] { [("name", name), ("role", role.rawValue), ("models", models), ("aliases", aliases)].adding("expires", expires) }
}

extension TokenListCommand: ServedCommand {
    static let endpoint = Endpoint(method: .get, path: "/v1/token/list", role: .admin, answers: ["token-list"])
    var parameters: [(String, String)] { [] }
}

extension TokenRevokeCommand: ServedCommand {
    static let endpoint = Endpoint(method: .post, path: "/v1/token/revoke", role: .admin, answers: ["token-revoke"], arguments: ["name"])
    var parameters: [(String, String)] { [("name", name)] }
}

/// Commands, and the output options every call carries, parsed from recent command lines.
/// Parsing one with ArgumentParser costs about as much as answering `show` (it reflects over
/// the command's properties each time), and a server is asked the same calls again and again
/// (dashboards, deploy jobs polling an alias); a parsed command is a value that depends on its
/// type and command line alone, so it is kept and reused. Bounded: past `capacity` lines, the
/// oldest half is dropped.
final class ParsedCommands: @unchecked Sendable {
    // Safe: `entries` and `order` are only touched under `lock`; the commands are values.
    private let lock = NSLock()
    private var entries = [Key: any ParsableArguments]()
    private var order = [Key]()
    static let capacity = 1024
    static let shared = ParsedCommands()

    private struct Key: Hashable {
        let type: ObjectIdentifier
        let line: [String]
    }

    func command<Command: ParsableArguments>(_ type: Command.Type, _ line: [String]) throws -> Command {
        // The type by identity: its name would be built by reflection on every call.
        let key = Key(type: ObjectIdentifier(type), line: line)
        if let cached = lock.withLock({ entries[key] }) as? Command { return cached }
        let parsed = try Command.parse(line)
        lock.withLock {
            if entries.count >= Self.capacity {
                for old in order.prefix(Self.capacity / 2) { entries[old] = nil }
                order.removeFirst(Self.capacity / 2)
            }
            if entries.updateValue(parsed, forKey: key) == nil { order.append(key) }
        }
        return parsed
    }
}
