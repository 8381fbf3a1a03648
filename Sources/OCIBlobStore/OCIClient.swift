import AsyncHTTPClient
import Foundation
import HTTPSupport
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import RegistryStorage

/// The HTTP side of the OCI distribution API, synchronous as the rest of mreg: each call waits
/// for its answer. Authentication is negotiated the way docker does: a request answered 401
/// carries a challenge (`Basic`, or `Bearer` with a token service and scope), the client answers
/// it once with the credentials and retries. Tokens and credentials are never printed.
final class OCIClient: Sendable {
    let address: OCIAddress
    private let credentials: OCICredentials?
    private let http: HTTPClient
    private let authorization = NIOLockedValueBox(Authorization())

    static let engine = "the OCI registry"

    /// A small response, body in memory (errors, manifests, token answers).
    struct Response {
        let status: Int
        let headers: HTTPHeaders
        let body: [UInt8]

        init(status: Int, headers: HTTPHeaders, body: [UInt8]) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        init(_ answer: HTTPClient.Response) {
            self.init(status: Int(answer.status.code), headers: answer.headers, body: answer.body.map { Array($0.readableBytesView) } ?? [])
        }

        func header(_ name: String) -> String? { headers.first(name: name) }
    }

    /// The negotiated `Authorization` header and every scope a token was asked for so far.
    private struct Authorization {
        var header: String?
        var scopes: [String] = []
    }

    init(address: OCIAddress, credentials: OCICredentials?) {
        self.address = address
        self.credentials = credentials
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(120))
        configuration.redirectConfiguration = .follow(max: 5, allowCycles: false)
        configuration.decompression = .disabled
        // A command fails at once when the registry refuses connections, and is run again; left
        // on, the pool retries a dead server with backoff and a request can wait for ever.
        configuration.connectionPool.retryConnectionEstablishment = false
        http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    deinit {
        try? http.syncShutdown()
    }

    /// A response that is not what the protocol promises: the server is failing (5xx, or no
    /// answer: unavailable) or refusing the request (4xx).
    func failure(_ action: String, _ response: Response) -> ContentStoreError {
        let problem = "\(action) answered \(describe(response))"
        return response.status >= 500 || response.status == 0 ? unavailable(problem) : refused(problem)
    }

    func url(_ path: String) -> String { path.hasPrefix("http://") || path.hasPrefix("https://") ? path : address.apiBase + path }

    // MARK: Requests with a body that can be sent again

    /// Sends a request whose body is in memory; a 401 is answered with the credentials and the
    /// request sent once more.
    ///
    /// A 5xx or 429 answer is retried a few times after a short pause: registries fail
    /// transiently under concurrent writers (Distribution's filesystem driver answers 500 while
    /// another client rewrites the same tag), and every request sent here can be repeated.
    func send(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil) throws(ContentStoreError) -> Response {
        try authenticated { () throws(ContentStoreError) in
            var response = try sendOnce(method, path, headers: headers, body: body)
            for pause in Self.retryPauses where response.status >= 500 || response.status == 429 {
                usleep(pause)
                response = try sendOnce(method, path, headers: headers, body: body)
            }
            return response
        }
    }

    /// Runs a request; a 401 is answered (its challenge) and the request run once more.
    private func authenticated(_ attempt: () throws(ContentStoreError) -> Response) throws(ContentStoreError) -> Response {
        var response = try attempt()
        if response.status == 401 {
            try authenticate(challenge: response.header("WWW-Authenticate"))
            response = try attempt()
            if response.status == 401 { throw unavailable("it refused the credentials (\(describe(response)))") }
        }
        return response
    }

    /// Microseconds to wait before each retry of a request the registry failed transiently.
    static let retryPauses: [useconds_t] = [100_000, 300_000, 900_000]

    private func sendOnce(_ method: HTTPMethod, _ path: String, headers: [(String, String)], body: [UInt8]?) throws(ContentStoreError) -> Response {
        let request = try makeRequest(method, path, headers: headers, body: body.map { .bytes($0) })
        do {
            let answer = try http.execute(request: request).wait()
            return Response(answer)
        } catch {
            throw unavailable(Self.describe(error))
        }
    }

    // MARK: Streamed requests and responses

    /// Starts a request whose body of `length` bytes the caller then writes chunk by chunk. The
    /// body cannot be sent twice, so the caller settles authentication first with a request to
    /// the same repository.
    func beginStream(_ method: HTTPMethod, _ path: String, headers: [(String, String)], length: Int64) throws(ContentStoreError) -> StreamedRequest {
        let loop = http.eventLoopGroup.next()
        let writerReady = loop.makePromise(of: HTTPClient.Body.StreamWriter.self)
        let bodySent = loop.makePromise(of: Void.self)
        let body = HTTPClient.Body.stream(contentLength: length) { writer in
            writerReady.succeed(writer)
            return bodySent.futureResult
        }
        let request = try makeRequest(method, path, headers: headers, body: body)
        let answer = http.execute(request: request, eventLoop: .delegate(on: loop))
        // The server may answer (or the connection fail) before asking for the body.
        answer.whenComplete { _ in writerReady.fail(BodyNotRequested()) }
        let stream = StreamedRequest(client: self, answer: answer, bodySent: bodySent)
        do {
            stream.writer = try writerReady.futureResult.wait()
        } catch {
            throw stream.failedEarly()
        }
        return stream
    }

    /// A request whose body is being written; `finish` sends its end and waits for the answer.
    final class StreamedRequest {
        private let client: OCIClient
        private let answer: EventLoopFuture<HTTPClient.Response>
        private let bodySent: EventLoopPromise<Void>
        fileprivate var writer: HTTPClient.Body.StreamWriter?
        private var done = false

        fileprivate init(client: OCIClient, answer: EventLoopFuture<HTTPClient.Response>, bodySent: EventLoopPromise<Void>) {
            self.client = client
            self.answer = answer
            self.bodySent = bodySent
        }

        /// Writes a chunk and waits until it is on its way, so memory stays bounded.
        ///
        /// The wait also ends when the request does: a write into a connection that was lost is
        /// never completed by AsyncHTTPClient (its issues 194 and 264), only the request fails.
        func write(_ chunk: UnsafeRawBufferPointer) throws(ContentStoreError) {
            guard let writer else { return }
            let settled = answer.eventLoop.makePromise(of: Void.self)
            writer.write(.byteBuffer(ByteBuffer(bytes: chunk))).cascade(to: settled)
            answer.whenComplete { result in
                switch result {
                case .failure(let error): settled.fail(error)
                case .success: settled.fail(BodyNotRequested())
                }
            }
            do {
                try settled.futureResult.wait()
            } catch {
                abandon()
                throw client.unavailable("the upload broke off: \(OCIClient.describe(error))")
            }
        }

        func finish() throws(ContentStoreError) -> Response {
            done = true
            bodySent.succeed(())
            do {
                let response = try answer.wait()
                return Response(response)
            } catch {
                throw client.unavailable(OCIClient.describe(error))
            }
        }

        /// Gives the request up (its connection is closed); the server discards the partial body.
        func abandon() {
            guard !done else { return }
            done = true
            bodySent.fail(BodyNotRequested())
            _ = try? answer.wait()
        }

        /// The error of a request answered, or failed, before its body was asked for.
        fileprivate func failedEarly() -> ContentStoreError {
            done = true
            bodySent.fail(BodyNotRequested())
            do {
                let early = try answer.wait()
                let response = Response(early)
                return client.refused("it answered an upload before its body: \(client.describe(response))")
            } catch {
                return client.unavailable(OCIClient.describe(error))
            }
        }

        deinit { abandon() }
    }

    /// GETs `path` and hands its body to `consume` as it arrives, never holding it whole; a
    /// non-200 answer is returned with its (small) body instead. `consume` runs on the
    /// connection's thread, one chunk at a time.
    func download(_ path: String, headers: [(String, String)] = [], consume: @escaping @Sendable (UnsafeRawBufferPointer) throws(ContentStoreError) -> Void) throws(ContentStoreError) -> Response {
        try authenticated { () throws(ContentStoreError) in try downloadOnce(path, headers: headers, consume: consume) }
    }

    private func downloadOnce(_ path: String, headers: [(String, String)], consume: @escaping @Sendable (UnsafeRawBufferPointer) throws(ContentStoreError) -> Void) throws(ContentStoreError) -> Response {
        let request = try makeRequest(.GET, path, headers: headers, body: nil)
        let delegate = StreamingDownload(consume: consume)
        do {
            let answer = try http.execute(request: request, delegate: delegate).futureResult.wait()
            return Response(status: answer.status, headers: answer.headers, body: answer.errorBody)
        } catch {
            // A consumer's failure cancels the download; report it rather than the cancellation.
            if let failure = delegate.consumerFailure { throw failure }
            throw unavailable(Self.describe(error))
        }
    }

    // MARK: Authentication

    /// Answers a 401's challenge: Basic with the credentials, or a Bearer token fetched from the
    /// challenge's realm for every scope asked for so far.
    private func authenticate(challenge: String?) throws(ContentStoreError) {
        guard let challenge, let parsed = AuthChallenge(parsing: challenge) else {
            throw unavailable("it requires authentication but sent no challenge mreg understands")
        }
        switch parsed.scheme {
        case "basic":
            guard let credentials else { throw unavailable("it requires credentials; set MREG_OCI_USERNAME and MREG_OCI_PASSWORD, or log in with docker or skopeo") }
            authorization.withLockedValue { $0.header = credentials.basicAuthorization }
        case "bearer":
            guard let realm = parsed.parameters["realm"] else { throw unavailable("its token challenge names no realm") }
            // A challenge may name several scopes, space-separated (a mount needs pull on the source too).
            let asked = (parsed.parameters["scope"] ?? "").split(separator: " ").map(String.init)
            let scopes = authorization.withLockedValue { state in
                for scope in asked where !state.scopes.contains(scope) { state.scopes.append(scope) }
                return state.scopes
            }
            var components = URLComponents(string: realm)
            var query = components?.queryItems ?? []
            if let service = parsed.parameters["service"] { query.append(URLQueryItem(name: "service", value: service)) }
            query += scopes.map { URLQueryItem(name: "scope", value: $0) }
            components?.queryItems = query
            guard let tokenURL = components?.string else { throw unavailable("its token realm '\(realm)' is not a URL") }
            let request = try makeRequest(.GET, tokenURL, headers: [], body: nil, authorization: credentials?.basicAuthorization)
            let answer: HTTPClient.Response
            do {
                answer = try http.execute(request: request).wait()
            } catch {
                throw unavailable("its token service at \(realm) cannot be reached: \(Self.describe(error))")
            }
            guard answer.status.code == 200, let body = answer.body,
                let token = try? JSONDecoder().decode(TokenAnswer.self, from: Data(body.readableBytesView)), let value = token.token ?? token.accessToken
            else {
                let reason = credentials == nil ? "it requires credentials; set MREG_OCI_USERNAME and MREG_OCI_PASSWORD, or log in with docker or skopeo"
                    : "its token service refused the credentials (HTTP \(answer.status.code))"
                throw unavailable(reason)
            }
            authorization.withLockedValue { $0.header = "Bearer " + value }
        default:
            throw unavailable("it asks for '\(parsed.scheme)' authentication, which mreg does not speak")
        }
    }

    private struct TokenAnswer: Decodable {
        let token: String?
        let accessToken: String?
        enum CodingKeys: String, CodingKey {
            case token
            case accessToken = "access_token"
        }
    }

    // MARK: Helpers

    private func makeRequest(
        _ method: HTTPMethod, _ path: String, headers: [(String, String)], body: HTTPClient.Body?, authorization explicit: String? = nil
    ) throws(ContentStoreError) -> HTTPClient.Request {
        var fields = HTTPHeaders(headers)
        fields.replaceOrAdd(name: "User-Agent", value: "mreg")
        if let value = explicit ?? authorization.withLockedValue({ $0.header }) { fields.replaceOrAdd(name: "Authorization", value: value) }
        do {
            return try HTTPClient.Request(url: url(path), method: method, headers: fields, body: body)
        } catch {
            throw ContentStoreError.refused(engine: Self.engine, address: address.description, problem: "'\(url(path))' is not a URL mreg can request")
        }
    }

    func unavailable(_ problem: String) -> ContentStoreError {
        .unavailable(engine: Self.engine, address: address.description, problem: problem)
    }

    func refused(_ problem: String) -> ContentStoreError {
        .refused(engine: Self.engine, address: address.description, problem: problem)
    }

    /// The status and the registry's own error code and message (`{"errors":[{"code","message"}]}`).
    func describe(_ response: Response) -> String {
        struct Errors: Decodable {
            struct Entry: Decodable {
                let code: String?
                let message: String?
            }
            let errors: [Entry]?
        }
        let detail = (try? JSONDecoder().decode(Errors.self, from: Data(response.body)))?.errors?.first
            .map { [$0.code, $0.message].compactMap { $0 }.joined(separator: ": ") }
        return "HTTP \(response.status)" + (detail.map { " \($0)" } ?? "")
    }

    static func describe(_ error: any Error) -> String { HTTPFailure.describe(error) }
}

/// The server answered before the client sent its body.
private struct BodyNotRequested: Error {}

/// A `WWW-Authenticate` challenge: scheme and its quoted parameters.
struct AuthChallenge {
    let scheme: String
    let parameters: [String: String]

    init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let space = trimmed.firstIndex(of: " ") else {
            guard !trimmed.isEmpty else { return nil }
            scheme = trimmed.lowercased()
            parameters = [:]
            return
        }
        scheme = trimmed[..<space].lowercased()
        var parameters = [String: String]()
        var rest = Substring(trimmed[space...])
        while true {
            rest = rest.drop { $0 == " " || $0 == "," }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let key = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: equals)...]
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                while let character = rest.first, character != "\"" {
                    if character == "\\", rest.count > 1 {
                        rest = rest.dropFirst()
                    }
                    value.append(rest.first!)
                    rest = rest.dropFirst()
                }
                rest = rest.dropFirst()
            } else {
                value = String(rest.prefix { $0 != "," })
                rest = rest.dropFirst(value.count)
            }
            parameters[key] = value
        }
        self.parameters = parameters
    }
}
