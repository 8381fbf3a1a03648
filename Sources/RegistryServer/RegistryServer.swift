import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import RegistryKit
import RegistryModel
import RegistryWeb

/// `mreg serve`: the registry over HTTP. Every call but `/healthz`, `/readyz` and `/metrics` needs
/// a token whose role and grants allow it; the registry's work runs on worker threads (its calls block), each worker
/// with a registry of its own (its own database connection); answers are the JSON documents the
/// CLI prints with `--json`, failures the CLI's error document with an HTTP status.
public final class RegistryServer: Sendable {
    let routes: [String: ServerRoute]
    private let registries: RegistryPool
    private let workers: NIOThreadPool
    /// The request log and the server's own messages: JSON lines on stderr (`JSONLineLogHandler`).
    let logger: Logger
    /// Counted for `GET /metrics`; the workers' registries report their events here.
    public let metrics: ServerMetrics
    /// What the ledger records as the host of a token's actions: this server's machine.
    let host: String
    /// A failure as the CLI's error document (`schemas/error.schema.json`), as `--json` prints it.
    let errorDocument: @Sendable (RegistryError) -> Data
    /// Where uploads are spooled before the blob store takes them (`tmp/uploads` in the registry folder).
    let uploads: String
    /// Writes spooled uploads to disk, off the event loops.
    let spoolWriters = NIOThreadPool(numberOfThreads: 2)
    /// The largest file a call may attach (`drift`'s data, `evaluate`'s predictions): a reader
    /// may call `drift`, so without a bound any token could fill the server's disk.
    let attachmentLimit: Int64
    /// `show`'s answers, given again while the registry has not changed (`AnswerCache`).
    let answers: AnswerCache

    /// `openRegistry` is called once per worker: each holds its own connection to the database,
    /// and is to report what it does to `metrics` (as its observer).
    /// `errorDocument` renders a failure as the CLI does with `--json`.
    /// `uploads` is the folder uploads are spooled in; files a killed server left there are removed.
    /// `answerCache` bounds the bytes of remembered answers (0: none).
    public init(
        routes: [ServerRoute], workers: Int, metrics: ServerMetrics, uploads: String, attachmentLimit: Int64 = RegistryServer.defaultAttachmentLimit,
        answerCache: Int = RegistryServer.defaultAnswerCache,
        errorDocument: @escaping @Sendable (RegistryError) -> Data, openRegistry: () throws(RegistryError) -> Registry
    ) throws(RegistryError) {
        self.metrics = metrics
        answers = AnswerCache(capacity: answerCache)
        self.uploads = uploads
        self.attachmentLimit = attachmentLimit
        _ = Self.sweepSpool(uploads)
        self.errorDocument = errorDocument
        var byKey = [String: ServerRoute]()
        for route in routes { byKey["\(route.method.rawValue) \(route.path)"] = route }
        self.routes = byKey
        var opened = [Registry]()
        for _ in 0..<max(1, workers) { opened.append(try openRegistry()) }
        registries = RegistryPool(opened)
        self.workers = NIOThreadPool(numberOfThreads: max(1, workers))
        let lines = LogLineWriter(dropped: { [metrics] in metrics.droppedLogLine() })
        logger = Logger(label: "mreg.serve") { label in JSONLineLogHandler(label: label, writer: lines) }
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count)
        host = "mreg serve on " + String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Listens on `host:port` (port 0: any free port) until the process is stopped; `onListening`
    /// is told the address actually bound, as `http://HOST:PORT` (`https://` with `tls`).
    public func run(host: String, port: Int, tls: ServerTLS? = nil, onListening: @escaping @Sendable (String) -> Void) async throws {
        workers.start()
        spoolWriters.start()
        let responder = RegistryResponder(server: self, secure: tls != nil)
        // Hummingbird's own messages (a connection that failed, a handler that threw) go to the
        // same JSON lines; its per-request lines at info are left out (the request log has them).
        var logger = self.logger
        logger.logLevel = .warning
        let scheme = tls == nil ? "http" : "https"
        let server: HTTPServerBuilder = try tls.map { tls in
            let certificates = try NIOSSLCertificate.fromPEMFile(tls.certificate).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: tls.key, format: .pem)
            return try .tls(.http1(), tlsConfiguration: .makeServerConfiguration(certificateChain: certificates, privateKey: .privateKey(key)))
        } ?? .http1()
        let application = Application(
            responder: responder, server: server, configuration: .init(address: .hostname(host, port: port), serverName: "mreg"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                onListening("\(scheme)://\(host):\(bound)")
            }, logger: logger)
        try await application.runService()
    }

    /// An answer: its status, body and content type, and the token's name for the log. A
    /// download's body is `stream`, sent after the head.
    struct Answer {
        let status: HTTPResponse.Status
        let body: Data
        var contentType = "application/json"
        var principal: String?
        var stream: StreamedBody?
        /// More header fields (the web UI's cookies and redirects).
        var headers: [(HTTPField.Name, String)] = []
    }

    /// The route a request is for, if any.
    func route(method: String, path: String) -> ServerRoute? { routes["\(method) \(path)"] }

    /// The largest JSON request body a route takes (a registration of many files with profiles).
    static let bodyLimit = 64 << 20
    /// `mreg serve --attachment-limit`'s default: 1 GiB.
    public static let defaultAttachmentLimit: Int64 = 1 << 30
    /// `mreg serve --answer-cache`'s default: 64 MiB, some ten thousand `show` answers.
    public static let defaultAnswerCache = 64 << 20

    /// Answers one request: finds its route, checks its token, runs its work on a worker.
    func respond(
        method: String, path: String, items: [(String, String)], form: AnswerForm, authorization: String?, body: Data = Data(),
        attachment: String? = nil
    ) async -> Answer {
        if method == "GET", path == "/healthz" { return Answer(status: .ok, body: Data("{\n  \"status\" : \"ok\"\n}\n".utf8)) }
        // Counts and timings only, no registry data: scraped without a token, as /healthz is read.
        if method == "GET", path == Self.metricsPath {
            return Answer(status: .ok, body: Data(metrics.text().utf8), contentType: "text/plain; version=0.0.4")
        }
        let key = "\(method) \(path)"
        if path == "/readyz", method == "GET" {
            // Ready: the database answers (a cheap read) with a worker's registry.
            let outcome = await work { registry throws(RegistryError) in _ = try registry.hasActiveAdmin() }
            switch outcome {
            case .success: return Answer(status: .ok, body: Data("{\n  \"status\" : \"ready\"\n}\n".utf8))
            case .failure(let error): return Answer(status: .serviceUnavailable, body: errorDocument(error))
            }
        }
        guard let route = routes[key] else {
            let known = routes.values.contains { $0.path == path }
            let endpoints = (["GET /healthz", "GET /readyz", "GET \(Self.metricsPath)", "GET \(Self.blobPath)", "PUT \(Self.blobPath)"] + routes.keys.sorted())
                .joined(separator: ", ")
            let error = RegistryError(.notFound, known ? "\(path) does not answer \(method)" : "no endpoint \(path)", hint: "the endpoints are \(endpoints)")
            return Answer(status: known ? .methodNotAllowed : .notFound, body: errorDocument(error))
        }
        let (host, answers, metrics) = (self.host, self.answers, self.metrics)
        let outcome = await work { registry throws(RegistryError) -> (RouteAnswer, String) in
            let (principal, ledgerHead) = try Self.authorizeStamped(route, items: items, authorization: authorization, registry: registry)
            // A route that says only what the registry recorded is answered from memory while
            // the ledger's head (read with the token) and the trusted keys have not moved.
            let remembered = route.cacheable && answers.capacity > 0
                ? ledgerHead.map { head in
                    (AnswerCache.key(route: route, items: items, form: form), AnswerCache.Stamp(ledgerHead: head, trustedKeys: registry.trustedKeysStamp()))
                } : nil
            if let (key, stamp) = remembered, let answer = answers.answer(for: key, at: stamp) {
                metrics.answerCacheLookup(hit: true)
                return (answer, principal.name)
            }
            let call = RouteCall(
                registry: registry, items: items, form: form, principal: principal, host: host, body: body,
                attachment: attachment)
            let answer = try route.handle(call)
            if let (key, stamp) = remembered {
                metrics.answerCacheLookup(hit: false)
                answers.remember(answer, for: key, at: stamp)
            }
            return (answer, principal.name)
        }
        switch outcome {
        case .success(let (answer, principal)):
            let status = Self.status(of: answer)
            guard form.cli else { return Answer(status: status, body: answer.stdout, principal: principal) }
            return Answer(status: status, body: CLIEnvelope(answer).encoded, contentType: CLIEnvelope.mediaType, principal: principal)
        case .failure(let error):
            return Answer(status: Self.status(of: error), body: errorDocument(error))
        }
    }

    /// The token behind `Authorization: Bearer SECRET` (or, for a read, a web session's cookie),
    /// if its role and grants allow the route.
    static func authorize(_ route: ServerRoute, items: [(String, String)], authorization: String?, registry: Registry) throws(RegistryError) -> AccessToken {
        try authorizeStamped(route, items: items, authorization: authorization, registry: registry).token
    }

    /// `authorize`'s token, and for a bearer token the ledger's head read with it (nil for a web session).
    static func authorizeStamped(
        _ route: ServerRoute, items: [(String, String)], authorization: String?, registry: Registry
    ) throws(RegistryError) -> (token: AccessToken, ledgerHead: Int64?) {
        if let authorization, authorization.hasPrefix(sessionScheme) {
            // A browser signed in to the web UI opens a page's JSON twin with its cookie: reads only,
            // so that another site's form can never act through it.
            guard route.method == .get, let (_, token) = try registry.webSession(secret: String(authorization.dropFirst(sessionScheme.count))) else {
                throw RegistryError(
                    .unauthenticated, "the web session has ended, or this endpoint needs a token",
                    hint: "sign in again, or send 'Authorization: Bearer TOKEN'")
            }
            try permit(route, items: items, token: token)
            return (token, nil)
        }
        guard let authorization, authorization.hasPrefix("Bearer ") else {
            throw RegistryError(.unauthenticated, "this endpoint needs a token", hint: "send 'Authorization: Bearer TOKEN' (an admin creates one with 'mreg token create')")
        }
        guard let (token, ledgerHead) = try registry.authentication(secret: String(authorization.dropFirst("Bearer ".count))) else {
            throw RegistryError(.unauthenticated, "the token is unknown, expired or revoked", hint: "ask an admin for a new one ('mreg token create')")
        }
        try permit(route, items: items, token: token)
        return (token, ledgerHead)
    }

    /// Whether `token`'s role and grants allow the route with these arguments; throws a 403's error if not.
    static func permit(_ route: ServerRoute, items: [(String, String)], token: AccessToken) throws(RegistryError) {
        let needed = route.role(for: items)
        guard token.role >= needed else {
            // `/v1/drift with record=true`: the flag that raised the role is named.
            let raisedBy = items.filter { $0.1 == "true" && route.flagRoles[$0.0] == needed }.map { "\($0.0)=true" }
            let what = needed == route.role ? route.path : "\(route.path) with \(raisedBy.joined(separator: ", "))"
            throw RegistryError(
                .forbidden, "\(what) needs the \(needed.rawValue) role; token '\(token.name)' is a \(token.role.rawValue)",
                hint: "ask an admin for a token with the \(needed.rawValue) role")
        }
        if let parameter = route.modelParameter {
            let models = items.filter { $0.0 == parameter }.map { modelName($0.1) }
            if let model = models.first(where: { !token.models.matches($0) }) {
                throw RegistryError(
                    .forbidden, "token '\(token.name)' may act on models \(token.models), not on '\(model)'",
                    hint: "ask an admin for a token granted this model")
            }
            if models.isEmpty, !route.filtersModels, !token.models.matchesEverything {
                throw RegistryError(
                    .forbidden, "token '\(token.name)' may act on models \(token.models); without '\(parameter)', \(route.path) acts on every model",
                    hint: "name a model with '\(parameter)', or ask an admin for a token granted every model")
            }
        }
        if let parameter = route.aliasParameter, let alias = items.first(where: { $0.0 == parameter })?.1, !token.aliases.matches(alias) {
            throw RegistryError(
                .forbidden, "token '\(token.name)' may move aliases \(token.aliases), not '\(alias)'",
                hint: "ask an admin for a token granted this alias")
        }
    }

    static let metricsPath = "/metrics"

    /// The route label of a path: itself when it is an endpoint, else `unknown` (bounded labels).
    func routeLabel(_ path: String) -> String {
        if ["/healthz", "/readyz", Self.metricsPath].contains(path) || routes.values.contains(where: { $0.path == path }) { return path }
        if WebUI.isPagePath(path) { return "/ui" }
        return path.hasPrefix(Self.blobPrefix) ? Self.blobPath : "unknown"
    }

    /// The model a reference names (`churn@3` → `churn`).
    static func modelName(_ reference: String) -> String {
        reference.split(separator: "@", maxSplits: 1).first.map(String.init) ?? reference
    }

    /// Runs registry work on a worker thread with a registry of its own.
    func work<T: Sendable>(_ body: @escaping @Sendable (Registry) throws(RegistryError) -> T) async -> Result<T, RegistryError> {
        let (registries, metrics) = (self.registries, self.metrics)
        do {
            return try await workers.runIfActive {
                metrics.workerStarted()
                defer { metrics.workerFinished() }
                return registries.with { registry -> Result<T, RegistryError> in
                    do throws(RegistryError) {
                        return .success(try body(registry))
                    } catch {
                        return .failure(error)
                    }
                }
            }
        } catch {
            return .failure(RegistryError(.unavailable, "the server is shutting down", hint: "retry against another replica or once it is back"))
        }
    }

    /// The HTTP status of a route's answer. A verification that found damage answers with its
    /// report (ok: false), as a check that ran; the CLI's envelope still carries exit 5.
    static func status(of answer: RouteAnswer) -> HTTPResponse.Status {
        answer.failure.map { $0.kind == .integrity && $0.documentPrinted ? .ok : status(of: $0) } ?? .ok
    }

    /// The HTTP status of a failure.
    static func status(of error: RegistryError) -> HTTPResponse.Status {
        switch error.kind {
        case .usage: .badRequest
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict, .refused: .conflict
        case .locked, .unavailable: .serviceUnavailable
        case .internal, .io, .integrity, .noRegistry: .internalServerError
        }
    }

    /// One line per request: never the token, only its name.
    func record(_ entry: RequestEntry) {
        var metadata: Logger.Metadata = [
            "request_id": .string(entry.requestID), "method": .string(entry.method), "route": .string(entry.route),
            "status": .stringConvertible(entry.status), "duration_ms": .stringConvertible((entry.milliseconds * 1000).rounded() / 1000),
        ]
        if let principal = entry.principal { metadata["principal"] = .string(principal) }
        if let error = entry.error { metadata["error"] = .string(error) }
        logger.log(level: entry.status >= 500 ? .error : .info, "request", metadata: metadata)
    }

    /// What the request log says of one request.
    struct RequestEntry {
        let requestID: String
        let method: String
        let route: String
        let status: Int
        let principal: String?
        let milliseconds: Double
        /// Why a streamed body broke off after its head was sent.
        var error: String?
    }
}

/// One registry per worker, handed out and taken back.
final class RegistryPool: @unchecked Sendable {
    // Safe: `idle` is only read and written under `lock`; a registry is used by one thread at a time.
    private let lock = NSCondition()
    private var idle: [Registry]

    init(_ registries: [Registry]) { idle = registries }

    func with<T>(_ body: (Registry) -> T) -> T {
        lock.lock()
        while idle.isEmpty { lock.wait() }
        let registry = idle.removeLast()
        lock.unlock()
        defer {
            lock.lock()
            idle.append(registry)
            lock.signal()
            lock.unlock()
        }
        return body(registry)
    }
}

/// Hummingbird's side: turns requests into `RegistryServer.respond` calls and logs each one.
struct RegistryResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let server: RegistryServer
    /// Whether the server answers HTTPS (the web UI's cookies are then `Secure`).
    let secure: Bool

    func respond(to request: Request, context: Context) async throws -> Response {
        let started = ContinuousClock.now
        let id = request.headers[.init("X-Request-Id")!] ?? UUID().uuidString.lowercased()
        let items = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        let form = request.headers[.init(AnswerForm.headerName)!].map(AnswerForm.cli(header:)) ?? .document
        let path = request.uri.path
        let method = request.method.rawValue
        let cookies = RegistryServer.cookies(request.headers[.cookie])
        // A page's JSON twin opens in the signed-in browser: its session stands in for a token on reads.
        let authorization = request.headers[.authorization]
            ?? (method == "GET" ? cookies[RegistryServer.sessionCookie].map { RegistryServer.sessionScheme + $0 } : nil)
        let hasBody = (request.headers[.contentLength].flatMap { Int($0) } ?? 0) > 0 || request.headers[.transferEncoding] != nil
        let answer: RegistryServer.Answer
        if WebUI.isPagePath(path) {
            var fields = [String: String]()
            if method == "POST" {
                var request = request
                fields = (try? await request.collectBody(upTo: RegistryServer.formLimit)).map { RegistryServer.formFields(Data($0.readableBytesView)) } ?? [:]
            }
            // A browser names the page a form was sent from; it must be one of this server's. Its
            // host is compared, not its scheme: behind a proxy that ends TLS the browser says
            // https while this server answers http, under the same Host.
            let origin = request.headers[.origin]
            let sameOrigin = origin == nil || origin.map(RegistryServer.originAuthority) == request.head.authority
            // Cookies are `Secure` under TLS, here or at a proxy in front that says so (a client
            // claiming it only makes its own cookie stricter).
            let forwardedTLS = request.headers[.init("X-Forwarded-Proto")!]?.lowercased() == "https"
            answer = await server.respondWeb(RegistryServer.WebRequest(
                method: method, path: path, items: items, cookies: cookies, fields: fields, sameOrigin: sameOrigin, secure: secure || forwardedTLS))
        } else if method == "PUT", path.hasPrefix(RegistryServer.blobPrefix) {
            answer = await server.upload(request, digest: String(path.dropFirst(RegistryServer.blobPrefix.count)), authorization: authorization)
        } else if method == "GET", path.hasPrefix(RegistryServer.blobPrefix), !hasBody {
            answer = await server.download(digest: String(path.dropFirst(RegistryServer.blobPrefix.count)), items: items, authorization: authorization)
        } else if let route = server.route(method: method, path: path), route.takesBody,
            let documentLength = request.headers[.init(RegistryServer.documentLengthHeader)!].flatMap({ Int($0) })
        {
            answer = await server.respondWithAttachment(
                request, route: route, items: items, form: form, authorization: authorization, documentLength: documentLength)
        } else if server.route(method: method, path: path)?.takesBody == true {
            var request = request
            do {
                let body = try await request.collectBody(upTo: RegistryServer.bodyLimit)
                answer = await server.respond(
                    method: method, path: path, items: items, form: form, authorization: authorization, body: Data(body.readableBytesView))
            } catch {
                answer = RegistryServer.Answer(
                    status: .contentTooLarge,
                    body: server.errorDocument(RegistryError(
                        .usage, "the request body is over \(RegistryServer.bodyLimit >> 20) MiB, or it broke off", hint: "send a smaller document")))
            }
        } else if hasBody {
            // Their arguments are the query: a body is refused unread, before any work, so a large
            // or endless upload costs the server nothing.
            answer = RegistryServer.Answer(
                status: .contentTooLarge,
                body: server.errorDocument(RegistryError(.usage, "\(path) takes no request body", hint: "send the arguments in the query string")))
        } else {
            answer = await server.respond(method: method, path: path, items: items, form: form, authorization: authorization)
        }
        let principal = answer.principal
        // Logged and counted once the body is sent: a streamed body that broke off counts as a 500.
        let finished: @Sendable (Int, Int, String?) -> Void = { [server] status, bytes, failure in
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            server.record(RegistryServer.RequestEntry(
                requestID: id, method: method, route: path, status: status, principal: principal, milliseconds: seconds * 1000, error: failure))
            server.metrics.request(route: server.routeLabel(path), method: method, status: status, seconds: seconds, bytes: bytes)
        }
        var headers = HTTPFields()
        headers[.contentType] = answer.contentType
        headers[.init("X-Request-Id")!] = id
        if answer.status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"mreg\"" }
        for (name, value) in answer.headers { headers.append(HTTPField(name: name, value: value)) }
        guard let stream = answer.stream else {
            finished(Int(answer.status.code), answer.body.count, nil)
            return Response(status: answer.status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
        let body = ResponseBody(contentLength: Int(stream.length)) { writer in
            do {
                try await stream.write(&writer)
                try await writer.finish(nil)
                finished(200, Int(stream.length), nil)
            } catch {
                finished(500, 0, "the body broke off: \((error as? RegistryError)?.message ?? "\(error)")")
                throw error
            }
        }
        return Response(status: answer.status, headers: headers, body: body)
    }
}

/// What `mreg` as a client prints and exits with, as the server's run of the command ended.
public struct CLIEnvelope: Codable, Sendable {
    public let exitCode: Int32
    public let stdout: String
    public let stderr: String
    /// The note the client writes on its commit (`RouteAnswer.gitNote`); absent otherwise.
    public let gitNote: String?

    public static let mediaType = "application/vnd.mreg.cli+json"

    init(_ answer: RouteAnswer) {
        exitCode = answer.failure?.exitCode ?? 0
        stdout = String(decoding: answer.stdout, as: UTF8.self)
        stderr = String(decoding: answer.stderr, as: UTF8.self)
        gitNote = answer.gitNote
    }

    var encoded: Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return (try? encoder.encode(self)) ?? Data()
    }
}

/// The certificate chain and private key `mreg serve` answers HTTPS with (PEM files).
public struct ServerTLS: Sendable {
    public let certificate: String
    public let key: String

    public init(certificate: String, key: String) {
        self.certificate = certificate
        self.key = key
    }
}
