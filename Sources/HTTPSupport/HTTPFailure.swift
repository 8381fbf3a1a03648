import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL

/// Why an HTTP request got no answer, in words for an error message: what AsyncHTTPClient and
/// SwiftNIO report, said as a person would (`the connection was refused`), for every client mreg has.
public enum HTTPFailure {
    public static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "the connection timed out"
            case .remoteConnectionClosed: return "the server closed the connection"
            case .readTimeout: return "the server stopped answering"
            default: return "\(error)"
            }
        }
        if error is NIOSSLError { return "TLS failed (\(error))" }
        if let error = error as? IOError { return "the connection failed: " + String(cString: strerror(error.errnoCode)).lowercased() }
        let text = "\(error)"
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "the connection was refused" }
        if text.contains("handshakeFailed") || text.contains("certificate") { return "TLS failed (\(text))" }
        return text
    }

    /// Whether it was TLS that failed (an untrusted certificate, most often).
    public static func isTLS(_ error: any Error) -> Bool {
        error is NIOSSLError || "\(error)".contains("handshakeFailed") || "\(error)".contains("certificate")
    }
}
