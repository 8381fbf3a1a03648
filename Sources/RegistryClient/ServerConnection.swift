import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import RegistryKit

/// Requests to `mreg serve` with the caller's token; each call waits for its answer, as the rest
/// of mreg does. Answers are small documents and are read whole.
public final class ServerConnection: Sendable {
    public let address: ServerAddress
    private let token: String?
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

    /// Sends a request without a body and reads the answer.
    public func send(_ method: String, _ path: String, query: [(String, String)], headers: [(String, String)] = []) throws(RegistryError) -> Response {
        var components = URLComponents()
        components.queryItems = query.isEmpty ? nil : query.map { URLQueryItem(name: $0.0, value: $0.1) }
        // URLComponents leaves '+' as is, which a server reads as a space.
        let encoded = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        let url = address.base + path + (encoded.map { "?" + $0 } ?? "")
        var fields = HTTPHeaders(headers)
        fields.replaceOrAdd(name: "User-Agent", value: "mreg")
        if let token { fields.replaceOrAdd(name: "Authorization", value: "Bearer " + token) }
        let request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(url: url, method: HTTPMethod(rawValue: method), headers: fields)
        } catch {
            throw RegistryError(.usage, "'\(url)' is not a URL mreg can request", hint: "check --registry / MREG_REGISTRY")
        }
        do {
            let answer = try http.execute(request: request).wait()
            return Response(
                status: Int(answer.status.code), contentType: answer.headers.first(name: "Content-Type"),
                body: answer.body.map { Data($0.readableBytesView) } ?? Data())
        } catch {
            throw unavailable(Self.describe(error))
        }
    }

    /// The server cannot be reached or broke off: nothing is known to have happened (exit 12).
    public func unavailable(_ problem: String) -> RegistryError {
        RegistryError(
            .unavailable, "mreg serve at \(address) cannot be reached: \(problem)",
            hint: "check that the server runs and that --registry / MREG_REGISTRY names it; retry once it is back")
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "the connection timed out"
            case .remoteConnectionClosed: return "the server closed the connection"
            case .readTimeout: return "the server stopped answering"
            default: return "\(error)"
            }
        }
        if let error = error as? NIOSSLError { return "TLS failed (\(error)); set MREG_CA_CERT to the server's CA certificate if it is your own" }
        if let error = error as? IOError { return "the connection failed: " + String(cString: strerror(error.errnoCode)).lowercased() }
        let text = "\(error)"
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "the connection was refused" }
        if text.contains("handshakeFailed") || text.contains("certificate") { return "TLS failed (\(text)); set MREG_CA_CERT to the server's CA certificate if it is your own" }
        return text
    }
}
