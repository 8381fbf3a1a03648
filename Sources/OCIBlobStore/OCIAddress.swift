/// Where a registry's blobs live in an OCI distribution registry: `oci://HOST[:PORT]/PREFIX`.
///
/// Blobs go to the repository `PREFIX/mreg-blobs`; each version is also published as an image
/// in `PREFIX/MODEL`. The address holds no credentials (they come from the environment or a
/// docker `config.json`), so it can be committed in `registry.json`. Plain HTTP is used for a
/// loopback host, or for any host when `insecure` (`--insecure`) says so; HTTPS otherwise.
public struct OCIAddress: Hashable, Sendable, CustomStringConvertible {
    /// `host` or `host:port`, as docker's `config.json` keys its credentials.
    public let authority: String
    public let host: String
    public let port: Int?
    /// Repository path components in front of every repository mreg uses; may be empty.
    public let prefix: String
    public let insecure: Bool

    /// The repository holding every blob of the registry.
    public static let blobRepositoryName = "mreg-blobs"

    public init(parsing text: String, insecure: Bool = false) throws(OCIAddressError) {
        guard text.hasPrefix("oci://") else { throw OCIAddressError(text: text, problem: "does not start with oci://") }
        let rest = text.dropFirst("oci://".count)
        if let at = rest.firstIndex(of: "@") {
            // Shown without what precedes '@', which is the secret.
            throw OCIAddressError(
                text: "oci://…" + rest[at...], problem: "holds credentials; give them in MREG_OCI_USERNAME/MREG_OCI_PASSWORD or a docker config.json instead")
        }
        if rest.contains("?") || rest.contains("#") { throw OCIAddressError(text: text, problem: "has a query or fragment, which mreg does not use") }
        let authority = String(rest.prefix { $0 != "/" })
        var prefix = String(rest.dropFirst(authority.count))
        while prefix.hasPrefix("/") { prefix.removeFirst() }
        while prefix.hasSuffix("/") { prefix.removeLast() }
        guard !authority.isEmpty else { throw OCIAddressError(text: text, problem: "names no host") }
        let (host, port) = try Self.split(authority, in: text)
        for component in prefix.split(separator: "/", omittingEmptySubsequences: false) where !prefix.isEmpty {
            guard Self.isRepositoryComponent(component) else {
                throw OCIAddressError(
                    text: text, problem: "has a repository prefix component '\(component)' that OCI does not allow (lowercase letters and digits, separated by '.', '_', '__' or '-')")
            }
        }
        self.authority = authority
        self.host = host
        self.port = port
        self.prefix = prefix
        self.insecure = insecure
    }

    public var description: String { "oci://\(authority)" + (prefix.isEmpty ? "" : "/\(prefix)") }

    /// HTTP only where nothing leaves the machine, or where the operator asked for it.
    public var usesPlainHTTP: Bool { insecure || isLoopback }

    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// The base URL of the distribution API (`/v2/`).
    public var apiBase: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return (usesPlainHTTP ? "http://" : "https://") + shownHost + (port.map { ":\($0)" } ?? "")
    }

    /// The full name of a repository under the prefix.
    public func repository(_ name: String) -> String { prefix.isEmpty ? name : prefix + "/" + name }

    public var blobRepository: String { repository(Self.blobRepositoryName) }

    /// Whether `name` can be a repository path (each component by the distribution spec's grammar).
    public static func isRepositoryPath(_ name: String) -> Bool {
        !name.isEmpty && name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy(isRepositoryComponent)
    }

    /// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
    static func isRepositoryComponent(_ component: Substring) -> Bool {
        let bytes = Array(component.utf8)
        func isAlphanumeric(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) }
        guard let first = bytes.first, let last = bytes.last, isAlphanumeric(first), isAlphanumeric(last) else { return false }
        var index = 0
        while index < bytes.count {
            if isAlphanumeric(bytes[index]) {
                index += 1
                continue
            }
            var end = index
            while end < bytes.count && !isAlphanumeric(bytes[end]) { end += 1 }
            let separator = bytes[index..<end]
            let allowed = separator.elementsEqual([0x2E]) || separator.elementsEqual([0x5F]) || separator.elementsEqual([0x5F, 0x5F])
                || separator.allSatisfy { $0 == 0x2D }
            guard allowed else { return false }
            index = end
        }
        return true
    }

    private static func split(_ authority: String, in text: String) throws(OCIAddressError) -> (String, Int?) {
        var host = authority
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw OCIAddressError(text: text, problem: "has an unclosed '[' in its host") }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { throw OCIAddressError(text: text, problem: "has text after its host") }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            portText = authority[authority.index(after: colon)...]
        }
        guard !host.isEmpty else { throw OCIAddressError(text: text, problem: "names no host") }
        guard let portText else { return (host, nil) }
        guard let port = Int(portText), (1...65535).contains(port) else { throw OCIAddressError(text: text, problem: "has port '\(portText)', not a number from 1 to 65535") }
        return (host, port)
    }
}

/// An `oci://` address that cannot be used, with what is wrong with it.
public struct OCIAddressError: Error, Sendable, CustomStringConvertible {
    public let text: String
    public let problem: String
    public var description: String { "'\(text)' \(problem)" }
}
