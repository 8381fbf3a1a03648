import Foundation

/// A user name and password (or token) for an OCI registry; never printed or logged.
public struct OCICredentials: Sendable {
    public let username: String
    public let password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// The `Authorization` value for HTTP Basic.
    var basicAuthorization: String { "Basic " + Data("\(username):\(password)".utf8).base64EncodedString() }

    /// The credentials for `address`, looked up as docker and skopeo do: `MREG_OCI_USERNAME` and
    /// `MREG_OCI_PASSWORD` first, then the `auths` entry of docker's `config.json`
    /// (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`) for the registry's host:port.
    /// Nil: anonymous access.
    public static func find(for address: OCIAddress, environment: [String: String]) -> OCICredentials? {
        if let username = environment["MREG_OCI_USERNAME"], !username.isEmpty {
            return OCICredentials(username: username, password: environment["MREG_OCI_PASSWORD"] ?? "")
        }
        let folder = environment["DOCKER_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.docker"
        guard let data = FileManager.default.contents(atPath: folder + "/config.json"),
            let config = try? JSONDecoder().decode(DockerConfig.self, from: data)
        else { return nil }
        let keys = [address.authority, "http://\(address.authority)", "https://\(address.authority)", "https://\(address.authority)/v2/"]
        guard let entry = keys.lazy.compactMap({ config.auths?[$0] }).first else { return nil }
        if let encoded = entry.auth, let decoded = Data(base64Encoded: encoded).flatMap({ String(data: $0, encoding: .utf8) }),
            let colon = decoded.firstIndex(of: ":")
        {
            return OCICredentials(username: String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...]))
        }
        if let username = entry.username { return OCICredentials(username: username, password: entry.password ?? "") }
        return nil
    }
}

/// The part of docker's `config.json` that holds registry credentials.
private struct DockerConfig: Decodable {
    struct Entry: Decodable {
        let auth: String?
        let username: String?
        let password: String?
    }

    let auths: [String: Entry]?
}
