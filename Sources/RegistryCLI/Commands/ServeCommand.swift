import ArgumentParser
import Foundation
import RegistryKit
import RegistryModel
import RegistryServer

struct ServeCommand: RegistryCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the registry over HTTP to token holders (the team registry).",
        discussion: """
            Every endpoint but /healthz needs 'Authorization: Bearer TOKEN'; tokens are made with \
            'mreg token create'. An endpoint answers for the command of its name (/v1/show?ref=churn@3 \
            answers what 'mreg show churn@3 --json' prints), with the CLI's error document and an HTTP \
            status when it fails. One JSON line per request goes to stderr (never a token).

            EXAMPLES
              mreg serve --listen 127.0.0.1:8080 --bootstrap-admin-token admin.token
              curl -H "Authorization: Bearer $(cat admin.token)" 'http://127.0.0.1:8080/v1/show?ref=churn@production'
            """)

    @Option(help: ArgumentHelp("Where to listen (port 0: any free port; the address is printed).", valueName: "host:port"))
    var listen = "127.0.0.1:8080"

    @Option(help: ArgumentHelp("Worker threads, each with its own database connection.", valueName: "n"))
    var workers = 4

    @Option(help: ArgumentHelp(
        "When the registry has no usable admin token, create one and write its secret to this file (mode 0600); else leave the file alone.",
        valueName: "file"))
    var bootstrapAdminToken: String?

    @Option(help: ArgumentHelp("Answer HTTPS with this certificate chain (PEM; with --tls-key).", valueName: "file"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("The private key of --tls-cert (PEM).", valueName: "file"))
    var tlsKey: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
        if workers < 1 { throw ValidationError("--workers must be at least 1") }
        if Self.address(listen) == nil { throw ValidationError("--listen '\(listen)' is not HOST:PORT (e.g. 127.0.0.1:8080)") }
    }

    static func address(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        let host = String(text[..<colon])
        return host.isEmpty ? nil : (host, port)
    }

    func execute(_ invocation: Invocation) throws(RegistryError) {
        let registry = try invocation.openRegistry(global)
        if let file = bootstrapAdminToken { try Self.bootstrap(registry, file: invocation.absolute(file), actor: invocation.registrant) }
        // The registry opened above serves as the first worker's, so no connection sits idle.
        var unused: Registry? = registry
        let server = try RegistryServer(routes: Self.routes, workers: workers, errorDocument: Self.errorDocument) { () throws(RegistryError) in
            if let first = unused {
                unused = nil
                return first
            }
            return try invocation.openRegistry(global)
        }
        let (host, port) = Self.address(listen)!
        let tls = tlsCert.map { ServerTLS(certificate: invocation.absolute($0), key: invocation.absolute(tlsKey!)) }
        let stopped = DispatchSemaphore(value: 0)
        let failure = FailureBox()
        Task {
            do {
                try await server.run(host: host, port: port, tls: tls) { address in Console.out("listening on \(address)") }
            } catch {
                failure.set(error)
            }
            stopped.signal()
        }
        stopped.wait()
        if let error = failure.error {
            throw RegistryError(
                .io, "the server stopped: \(error)",
                hint: tls == nil ? "check that \(listen) is free and yours to listen on" : "check that \(listen) is free, and the certificate and key (PEM) match")
        }
    }

    /// The endpoints: each command's document, for the least role that may run it.
    static let routes: [ServerRoute] = [
        ServerRoute(.get, "/v1/list", role: .reader, modelParameter: "model") { call throws(RegistryError) in
            if let name = call.query["model"] {
                let (versions, total) = try call.registry.versions(of: name, limit: try call.limit(otherwise: 20))
                return .done(try encoded(ListCommand.versionsDocument(name, versions: versions, total: total, marks: try call.registry.releaseMarks(model: name))))
            }
            // Only the models the token is granted.
            let models = try call.registry.models().filter { call.principal.models.matches($0.name.value) }
            return .done(try encoded(ListCommand.modelsDocument(models, aliases: try call.registry.allAliases())))
        },
        ServerRoute(.get, "/v1/show", role: .reader, modelParameter: "ref") { call throws(RegistryError) in
            .done(try encoded(ShowCommand.document(try call.registry.details(reference: try call.required("ref")))))
        },
        ServerRoute(.get, "/v1/history", role: .reader, modelParameter: "model") { call throws(RegistryError) in
            let model = try call.required("model")
            let history = try call.registry.history(model: model, alias: call.query["alias"], limit: try call.limit(otherwise: 20), facts: call.flag("records"))
            return .done(try encoded(HistoryCommand.document(model: model, alias: call.query["alias"], history)))
        },
        // One version's bytes re-hashed, its records and signatures checked; the whole store is a
        // job for `mreg verify --all` where the blobs are. Problems found are an answer (ok: false).
        ServerRoute(.get, "/v1/verify", role: .reader, modelParameter: "ref") { call throws(RegistryError) in
            let report = try call.registry.verify([try call.required("ref")])
            if !report.isIntact { call.metrics.verifyFailure() }
            return .done(try encoded(VerifyCommand.document(report)))
        },
        // The gates are the server's: its policy.toml, its trusted keys; the ledger records the token.
        ServerRoute(.post, "/v1/promote", role: .promoter, modelParameter: "ref", aliasParameter: "to") { call throws(RegistryError) in
            let request = PromotionRequest(
                reference: try call.required("ref"), alias: try call.required("to"), reason: call.query["reason"], force: call.flag("force"),
                dryRun: call.flag("dry_run"), actor: call.actor)
            if request.force && request.dryRun { throw RegistryError(.usage, "force and dry_run exclude each other", hint: "drop one of them") }
            let outcome = try call.registry.promote(request)
            let document = try encoded(PromoteDocument(outcome))
            switch outcome.result {
            case .moved(let recorded):
                call.metrics.promotion(recorded.event.forced ? "forced" : "moved")
                return .done(document)
            case .unchanged:
                call.metrics.promotion("unchanged")
                return .done(document)
            case .dryRun:
                call.metrics.promotion("dry_run")
                return outcome.report.failures.isEmpty ? .done(document) : .refused(document)
            case .refused:
                call.metrics.promotion("refused")
                return .refused(document)
            }
        },
        ServerRoute(.post, "/v1/rollback", role: .promoter, modelParameter: "model", aliasParameter: "alias") { call throws(RegistryError) in
            let model = try call.required("model")
            let outcome = try call.registry.rollback(RollbackRequest(
                model: model, alias: try call.required("alias"), target: call.query["to"], reason: call.query["reason"], force: call.flag("force"),
                actor: call.actor))
            call.metrics.rollback()
            return .done(try encoded(RollbackCommand.document(model: model, outcome)))
        },
        ServerRoute(.post, "/v1/demote", role: .promoter, modelParameter: "model", aliasParameter: "alias") { call throws(RegistryError) in
            let (model, alias) = (try call.required("model"), try call.required("alias"))
            let (previous, event) = try call.registry.demote(model: model, alias: alias, reason: call.query["reason"], actor: call.actor)
            return .done(try encoded(DemoteDocument(
                model: model, alias: alias, previous: previous.map(PointerDocument.init), changed: event != nil, event: event.map(EventDocument.init))))
        },
        ServerRoute(.post, "/v1/deprecate", role: .promoter, modelParameter: "ref") { call throws(RegistryError) in
            let (record, event) = try call.registry.deprecate(reference: try call.required("ref"), reason: call.query["reason"], actor: call.actor)
            return .done(try encoded(VersionEventDocument(record, event: event)))
        },
        ServerRoute(.post, "/v1/lift", role: .promoter, modelParameter: "ref", aliasParameter: "rollback") { call throws(RegistryError) in
            let mark: LiftedMark
            switch (call.flag("deprecation"), call.query["rollback"]) {
            case (true, nil): mark = .deprecation
            case (false, let alias?): mark = .rollback(alias: alias)
            default: throw RegistryError(.usage, "give deprecation=true or rollback=ALIAS (one of them)")
            }
            let (record, event) = try call.registry.lift(reference: try call.required("ref"), mark: mark, reason: call.query["reason"], actor: call.actor)
            return .done(try encoded(VersionEventDocument(record, event: event)))
        },
        // Tokens, for admins: the new secret is in the answer, once, as `token create --json` prints it.
        ServerRoute(.post, "/v1/token/create", role: .admin) { call throws(RegistryError) in
            guard let role = Role(rawValue: try call.required("role")) else {
                throw RegistryError(.usage, "role must be reader, writer, promoter or admin")
            }
            let (token, secret) = try call.registry.createToken(TokenRequest(
                name: try call.required("name"), role: role, models: call.query["models"] ?? "*", aliases: call.query["aliases"] ?? "*",
                expires: call.query["expires"], actor: call.actor))
            return .done(try encoded(TokenCreateDocument(token: TokenDocument(token, now: Date()), secret: secret)))
        },
        ServerRoute(.get, "/v1/token/list", role: .admin) { call throws(RegistryError) in
            let now = Date()
            return .done(try encoded(TokenListDocument(tokens: try call.registry.tokens().map { TokenDocument($0, now: now) })))
        },
        ServerRoute(.post, "/v1/token/revoke", role: .admin) { call throws(RegistryError) in
            .done(try encoded(TokenRevokeDocument(token: TokenDocument(try call.registry.revokeToken(named: try call.required("name")), now: Date()))))
        },
    ]

    /// A failure as `--json` prints it.
    @Sendable static func errorDocument(_ error: RegistryError) -> Data {
        Console.encode(ErrorDocument(error)) ?? Data("{\"error\":{\"kind\":\"internal\",\"message\":\"the error could not be encoded\",\"exit_code\":1}}\n".utf8)
    }

    static func encoded<T: Encodable>(_ document: T) throws(RegistryError) -> Data {
        guard let data = Console.encode(document) else { throw RegistryError(.internal, "internal error: a document could not be encoded") }
        return data
    }

    /// Writes a new admin token's secret to `file` (created 0600, never overwritten) when no
    /// usable admin token exists; otherwise leaves `file` alone.
    static func bootstrap(_ registry: Registry, file: String, actor: Registrant) throws(RegistryError) {
        guard try !registry.hasActiveAdmin() else { return }
        let descriptor = open(file, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw RegistryError(
                .io, "cannot create '\(file)' for the admin token: \(String(cString: strerror(errno)))",
                hint: "name a file that does not exist yet, in a folder you can write")
        }
        defer { close(descriptor) }
        let name = "admin-\(Timestamp.format(Date()).prefix(10))-\(UInt16.random(in: 0...UInt16.max))"
        let (_, secret) = try registry.createToken(TokenRequest(name: name, role: .admin, actor: actor))
        let line = Array((secret + "\n").utf8)
        guard write(descriptor, line, line.count) == line.count, fsync(descriptor) == 0 else {
            _ = try? registry.revokeToken(named: name)
            unlink(file)
            throw RegistryError(.io, "cannot write the admin token to '\(file)'", hint: "check the disk, then start the server again")
        }
    }
}

/// The error a background task ended with, read after it signalled.
final class FailureBox: @unchecked Sendable {
    // Safe: written once before the semaphore is signalled, read after it is waited for.
    private(set) var error: (any Error)?
    func set(_ error: any Error) { self.error = error }
}
