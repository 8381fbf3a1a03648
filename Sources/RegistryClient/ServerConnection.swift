import AsyncHTTPClient
import Foundation
import HTTPSupport
import NIOCore
import NIOHTTP1
import NIOSSL
import RegistryKit

/// Requests to `mreg serve` with the caller's token; each call waits for its answer, as the rest
/// of mreg does. Answers are small documents and are read whole; blobs (`download`) are streamed.
public final class ServerConnection: Sendable {
    public let address: ServerAddress
    private let token: String?
    /// Whether requests carry a token (for what a 401 should suggest).
    public var hasToken: Bool { token != nil }
    private let http: HTTPClient

    /// An answer: its status, content type and body.
    public struct Response: Sendable {
        public let status: Int
        public let contentType: String?
        public let body: Data
    }

    /// `caFile` is a PEM bundle to trust instead of the system's (`MREG_CA_CERT`: a team's own CA,
    /// or a test's self-signed certificate).
    public init(address: ServerAddress, token: String?, caFile: String?) throws(RegistryError) {
        self.address = address
        self.token = token
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(600))
        configuration.decompression = .disabled
        // A dead server fails the command at once instead of being retried with backoff.
        configuration.connectionPool.retryConnectionEstablishment = false
        if let caFile {
            var tls = TLSConfiguration.makeClientConfiguration()
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                throw RegistryError(.usage, "MREG_CA_CERT names '\(caFile)', which cannot be read", hint: "point it at the server's CA certificate (PEM)")
            }
            tls.trustRoots = .file(caFile)
            configuration.tlsConfiguration = tls
        }
        http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    deinit {
        try? http.syncShutdown()
    }

    /// Sends a request (with a JSON body, if given) and reads the answer.
    public func send(
        _ method: String, _ path: String, query: [(String, String)] = [], headers: [(String, String)] = [], body: Data? = nil
    ) throws(RegistryError) -> Response {
        var headers = headers
        if body != nil { headers.append(("Content-Type", "application/json")) }
        return try execute(method, path, query: query, headers: headers, body: body.map { .bytes($0) })
    }

    /// Uploads a file as `PUT path`, read in pieces as the connection takes them (memory stays
    /// bounded, whatever the file's size); the server re-hashes what it receives.
    public func upload(_ path: String, file: String, size: Int64) throws(RegistryError) -> Response {
        try send("PUT", path, query: [], headers: [("Content-Type", "application/octet-stream")], document: nil, file: file, size: size)
    }

    /// Sends a JSON document and then a file as one body (`Mreg-Document-Length` says where the
    /// document ends), the file read in pieces as the connection takes them.
    public func send(
        _ method: String, _ path: String, query: [(String, String)], headers: [(String, String)], document: Data, attaching file: String, size: Int64
    ) throws(RegistryError) -> Response {
        try send(
            method, path, query: query, headers: headers + [("Content-Type", "application/octet-stream"), ("Mreg-Document-Length", String(document.count))],
            document: document, file: file, size: size)
    }

    private func send(
        _ method: String, _ path: String, query: [(String, String)], headers: [(String, String)], document: Data?, file: String, size: Int64
    ) throws(RegistryError) -> Response {
        let loop = http.eventLoopGroup.next()
        let body = HTTPClient.Body.stream(contentLength: Int64(document?.count ?? 0) + size) { writer in
            let done = loop.makePromise(of: Void.self)
            // Blocking reads on a thread of their own, each piece waiting until it is on its way.
            Thread.detachNewThread {
                do {
                    if let document { try writer.write(.byteBuffer(ByteBuffer(bytes: document))).wait() }
                    try Self.stream(file, to: writer)
                    done.succeed(())
                } catch {
                    done.fail(error)
                }
            }
            return done.futureResult
        }
        return try execute(method, path, query: query, headers: headers, body: body, on: loop)
    }

    /// Reads `file` in 1 MiB pieces into `writer`.
    private static func stream(_ file: String, to writer: HTTPClient.Body.StreamWriter) throws {
        let descriptor = open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw RegistryError(.io, "cannot open '\(file)': \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var piece = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = piece.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw RegistryError(.io, "cannot read '\(file)': \(String(cString: strerror(errno)))") }
            if count == 0 { return }
            try writer.write(.byteBuffer(ByteBuffer(bytes: piece[0..<count]))).wait()
        }
    }

    /// GETs `path` and hands a 200's body to `consume` as it arrives, never holding it whole
    /// (`consume` runs on the connection's thread, one chunk at a time); any other answer is
    /// returned with its body (an error document).
    public func download(
        _ path: String, query: [(String, String)], consume: @escaping @Sendable (UnsafeRawBufferPointer) throws(RegistryError) -> Void
    ) throws(RegistryError) -> Response {
        let request = try makeRequest("GET", path, query: query, headers: [], body: nil)
        let delegate = StreamingDownload(consume: consume)
        do {
            let answer = try http.execute(request: request, delegate: delegate).futureResult.wait()
            return Response(status: answer.status, contentType: answer.headers.first(name: "Content-Type"), body: Data(answer.errorBody))
        } catch {
            // A consumer's failure cancels the download; report it rather than the cancellation.
            if let failure = delegate.consumerFailure { throw failure }
            guard delegate.consumed > 0 else { throw unavailable(Self.describe(error)) }
            // The server cuts a body off when the blob it reads turns out damaged, so that it is never taken for whole.
            throw RegistryError(
                .unavailable, "mreg serve at \(address) broke off \(path) after \(delegate.consumed) bytes (\(Self.describe(error)))",
                hint: "nothing was kept; retry, and if it recurs run 'mreg verify' on the server's registry (its log names the failure)")
        }
    }

    private func execute(
        _ method: String, _ path: String, query: [(String, String)], headers: [(String, String)], body: HTTPClient.Body?,
        on loop: (any EventLoop)? = nil
    ) throws(RegistryError) -> Response {
        let request = try makeRequest(method, path, query: query, headers: headers, body: body)
        do {
            let answer = try (loop.map { http.execute(request: request, eventLoop: .delegate(on: $0)) } ?? http.execute(request: request)).wait()
            return Response(
                status: Int(answer.status.code), contentType: answer.headers.first(name: "Content-Type"),
                body: answer.body.map { Data($0.readableBytesView) } ?? Data())
        } catch {
            throw unavailable(Self.describe(error))
        }
    }

    /// A request to `path` with the query percent-encoded, mreg's User-Agent and the token.
    private func makeRequest(
        _ method: String, _ path: String, query: [(String, String)], headers: [(String, String)], body: HTTPClient.Body?
    ) throws(RegistryError) -> HTTPClient.Request {
        var components = URLComponents()
        components.queryItems = query.isEmpty ? nil : query.map { URLQueryItem(name: $0.0, value: $0.1) }
        // URLComponents leaves '+' as is, which a server reads as a space.
        let encoded = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        let url = address.base + path + (encoded.map { "?" + $0 } ?? "")
        var fields = HTTPHeaders(headers)
        fields.replaceOrAdd(name: "User-Agent", value: "mreg")
        if let token { fields.replaceOrAdd(name: "Authorization", value: "Bearer " + token) }
        do {
            return try HTTPClient.Request(url: url, method: HTTPMethod(rawValue: method), headers: fields, body: body)
        } catch {
            throw RegistryError(.usage, "'\(url)' is not a URL mreg can request", hint: "check --registry / MREG_REGISTRY")
        }
    }

    /// The server cannot be reached or broke off: nothing is known to have happened (exit 12).
    public func unavailable(_ problem: String) -> RegistryError {
        RegistryError(
            .unavailable, "mreg serve at \(address) cannot be reached: \(problem)",
            hint: "check that the server runs and that --registry / MREG_REGISTRY names it; retry once it is back")
    }

    static func describe(_ error: any Error) -> String {
        HTTPFailure.describe(error) + (HTTPFailure.isTLS(error) ? "; set MREG_CA_CERT to the server's CA certificate if it is your own" : "")
    }
}
