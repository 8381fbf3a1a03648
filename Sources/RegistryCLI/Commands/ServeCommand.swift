import ArgumentParser
import Foundation
import RegistryDocuments
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

    @Option(help: ArgumentHelp(
        "The largest file a call may send with it (drift's data, evaluate's predictions): bytes, or with KiB, MiB or GiB.", valueName: "size"))
    var attachmentLimit = "1GiB"

    @Option(help: ArgumentHelp(
        "Memory for show's answers, given again while the ledger's head and the trusted keys are unchanged: bytes, or with KiB, MiB or GiB (0: none).",
        valueName: "size"))
    var answerCache = "64MiB"

    @Option(help: ArgumentHelp("Answer HTTPS with this certificate chain (PEM; with --tls-key).", valueName: "file"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("The private key of --tls-cert (PEM).", valueName: "file"))
    var tlsKey: String?

    /// For scripts/openapi.py, which writes schemas/openapi.yaml from the endpoints.
    @Flag(help: .hidden)
    var dumpEndpoints = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
        if workers < 1 { throw ValidationError("--workers must be at least 1") }
        if Self.address(listen) == nil { throw ValidationError("--listen '\(listen)' is not HOST:PORT (e.g. 127.0.0.1:8080)") }
        if InputParsing.bytes(attachmentLimit) == nil { throw ValidationError("--attachment-limit '\(attachmentLimit)' is not a size (e.g. 512MiB, 2GiB or 1048576)") }
        if InputParsing.bytes(answerCache) == nil { throw ValidationError("--answer-cache '\(answerCache)' is not a size (e.g. 64MiB, 0 or 1048576)") }
    }

    static func address(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        let host = String(text[..<colon])
        return host.isEmpty ? nil : (host, port)
    }

    func execute(_ invocation: Invocation) throws(RegistryError) {
        if dumpEndpoints {
            // The routes written by hand (their bodies are not a command line) are listed too, so
            // that a test can call every endpoint; scripts/openapi.py describes them itself.
            let written = (Self.bodyRoutes + RegistryServer.blobRoutes).map { route -> [String: Any] in
                ["method": route.method.rawValue, "path": route.path, "role": route.role.rawValue, "written": true]
            }
            let endpoints = Self.served.map { $0.endpoint.dumped } + written
            guard let data = try? JSONSerialization.data(withJSONObject: endpoints, options: [.prettyPrinted, .sortedKeys]) else {
                throw RegistryError(.internal, "internal error: the endpoints could not be encoded")
            }
            Console.write(data + Data("\n".utf8), error: false)
            return
        }
        // A server answers the same versions again and again: a document it found intact in the
        // store is taken to be there for a minute (IntactBlobs); `verify` reads everything again.
        IntactBlobs.shared.seconds = 60
        let metrics = ServerMetrics()
        let registry = try invocation.openRegistry(global, observer: metrics)
        if let file = bootstrapAdminToken { try Self.bootstrap(registry, file: invocation.absolute(file), actor: invocation.registrant) }
        // The registry opened above serves as the first worker's, so no connection sits idle.
        var unused: Registry? = registry
        let server = try RegistryServer(
            routes: Self.routes, workers: workers, metrics: metrics, uploads: registry.layout.root + "/tmp/uploads",
            attachmentLimit: InputParsing.bytes(attachmentLimit)!, answerCache: Int(clamping: InputParsing.bytes(answerCache)!),
            errorDocument: Self.errorDocument
        ) { () throws(RegistryError) in
            if let first = unused {
                unused = nil
                return first
            }
            return try invocation.openRegistry(global, observer: metrics)
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

    /// The commands served, each on its endpoint (`ServedCommand`).
    static let served: [any ServedCommand.Type] = [
        ListCommand.self, ShowCommand.self, HistoryCommand.self, VerifyCommand.self, LineageCommand.self, PolicyCommand.self,
        KeysListCommand.self, DatasetListCommand.self, DatasetShowCommand.self, AnnotateCommand.self, PromoteCommand.self,
        RollbackCommand.self, DemoteCommand.self, DeprecateCommand.self, LiftCommand.self, DeleteCommand.self, UndeleteCommand.self, RetentionCommand.self, TokenCreateCommand.self, TokenListCommand.self,
        TokenRevokeCommand.self, WhoamiCommand.self, DiffCommand.self, CompareCommand.self, FindCommand.self,
        EvaluateCommand.self, DriftCheckCommand.self, DriftListCommand.self, DriftShowCommand.self,
    ]

    static var routes: [ServerRoute] { served.map { $0.route } + bodyRoutes }

    /// The routes that take what the client read on its machine as a JSON body.
    static let bodyRoutes = [RegisterCommand.missingBlobsRoute, RegisterCommand.registerRoute, SignCommand.signRoute, KeysTrustCommand.trustRoute,
        DatasetAddCommand.addRoute,
    ]

    /// The client's `--json` and `--quiet`, for a route that prints as a command would.
    static func globalOptions(_ form: AnswerForm) throws(RegistryError) -> GlobalOptions {
        do {
            return try ParsedCommands.shared.command(GlobalOptions.self, (form.json ? ["--json"] : []) + (form.quiet ? ["--quiet"] : []))
        } catch {
            throw RegistryError(.internal, "internal error: the output options cannot be parsed: \(error)")
        }
    }

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
