import Foundation
import RegistryKit

/// Where `mreg serve` answers: `https://HOST:PORT` (or `http://` on loopback), optionally with a
/// path prefix when a proxy serves it below one (`https://tools.example/mreg`).
public struct ServerAddress: Sendable, Equatable, CustomStringConvertible {
    /// The URL without a trailing slash; endpoint paths (`/v1/show`) are appended to it.
    public let base: String
    public let host: String

    /// Whether `text` names a server rather than a registry folder.
    public static func isServer(_ text: String) -> Bool { text.hasPrefix("https://") || text.hasPrefix("http://") }

    /// Parses a server URL. Plain `http://` is refused beyond loopback, since every request
    /// carries a token: it takes `MREG_INSECURE=1` (a network you trust, or a TLS proxy in front).
    public init(_ text: String, allowInsecure: Bool) throws(RegistryError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme, ["http", "https"].contains(scheme),
            let host = components.host, !host.isEmpty, components.query == nil, components.fragment == nil
        else {
            throw RegistryError(.usage, "'\(text)' is not a server address", hint: "write https://HOST:PORT, as 'mreg serve' printed it")
        }
        if scheme == "http", !allowInsecure, !Self.isLoopback(host) {
            throw RegistryError(
                .usage, "'\(text)' is plain HTTP to another machine: the token would cross the network readable",
                hint: "serve with --tls-cert/--tls-key and use https://, or set MREG_INSECURE=1 on a network you trust")
        }
        var base = text
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base
        self.host = host
    }

    public var description: String { base }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}
