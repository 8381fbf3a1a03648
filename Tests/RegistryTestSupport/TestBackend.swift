import Foundation
import RegistryBackends
import RegistryKit

/// Which metadata backend the suite's registries use: the embedded SQLite default, or (with
/// `MREG_TEST_BACKEND=postgres`, as scripts/test sets on its second pass) a fresh PostgreSQL
/// database per registry on the throwaway server that scripts/with-servers starts.
public enum TestBackend {
    public static var isPostgres: Bool { ProcessInfo.processInfo.environment["MREG_TEST_BACKEND"] == "postgres" }

    /// Whether the suite's registries keep their blobs in the throwaway OCI registry
    /// (`MREG_TEST_BLOBS=oci`, as scripts/test sets on its second pass).
    public static var isOCI: Bool { ProcessInfo.processInfo.environment["MREG_TEST_BLOBS"] == "oci" }

    /// The throwaway OCI registry's address, `oci://127.0.0.1:PORT` (no prefix).
    public static func ociServer() throws -> String {
        guard let address = ProcessInfo.processInfo.environment["MREG_TEST_OCI"] else {
            throw TestFailure("no OCI registry for the tests: run them through scripts/test (or scripts/with-servers swift test)")
        }
        return address
    }

    /// The throwaway OCI registry's storage folder, to alter blobs behind its back.
    public static func ociStorage() throws -> String {
        guard let folder = ProcessInfo.processInfo.environment["MREG_TEST_OCI_STORAGE"] else {
            throw TestFailure("MREG_TEST_OCI_STORAGE is not set: run the tests through scripts/test")
        }
        return folder
    }

    /// A repository prefix no other registry of the run uses, on the throwaway OCI registry.
    public static func newOCIAddress() throws -> String {
        try ociServer() + "/t\(getpid())x\(UInt64.random(in: 0...UInt64.max) % 1_000_000_000_000)"
    }

    /// The throwaway server's superuser address (TCP, password in `PGPASSWORD`).
    public static func postgresServer() throws -> String {
        guard let address = ProcessInfo.processInfo.environment["MREG_TEST_POSTGRES"] else {
            throw TestFailure("no PostgreSQL server for the tests: run them through scripts/test (or scripts/with-servers swift test)")
        }
        return address
    }

    /// The folder of the throwaway server's unix socket (trust authentication: no password needed).
    public static func postgresSocket() throws -> (directory: String, port: String) {
        let server = try postgresServer()
        guard let directory = ProcessInfo.processInfo.environment["MREG_TEST_POSTGRES_SOCKET"],
            let port = URLComponents(string: server)?.port
        else { throw TestFailure("MREG_TEST_POSTGRES_SOCKET is not set: run the tests through scripts/test") }
        return (directory, String(port))
    }

    /// Creates an empty database on the throwaway server; returns its address over TCP (`tcp`)
    /// or the unix socket. Databases are never dropped: the server is thrown away after the run.
    public static func newPostgresDatabase(tcp: Bool = false) throws -> String {
        let name = "t_\(getpid())_\(UInt64.random(in: 0...UInt64.max) % 1_000_000_000_000)"
        let server = try postgresServer()
        let created = try run("/usr/bin/env", ["psql", server, "-qAtc", "CREATE DATABASE \(name)"], in: "/")
        guard created.status == 0 else { throw TestFailure("cannot create a test database: \(created.stderr)") }
        if tcp { return server.replacingOccurrences(of: "/postgres", with: "/\(name)") }
        let socket = try postgresSocket()
        return "postgres://mreg@/\(name)?host=\(socket.directory)&port=\(socket.port)"
    }

    /// The arguments of `mreg init` as the suite runs it: on the PostgreSQL pass, a new registry
    /// gets a database of its own, and on the OCI pass a repository prefix of its own (one that
    /// exists already is opened as it is).
    static func initArguments(_ arguments: [String], in directory: String, environment: [String: String]) throws -> [String] {
        guard isPostgres || isOCI, arguments.first == "init" else { return arguments }
        var path: String?
        var index = 1
        while index < arguments.count {
            let argument = arguments[index]
            if ["--registry", "--metadata", "--blobs"].contains(argument), index + 1 < arguments.count {
                if argument == "--registry" { path = path ?? arguments[index + 1] }
                index += 1
            } else if !argument.hasPrefix("-") {
                path = argument
            }
            index += 1
        }
        let chosen = path ?? environment["MREG_REGISTRY"] ?? "registry"
        let root = chosen.hasPrefix("/") ? chosen : directory + "/" + chosen
        if FileManager.default.fileExists(atPath: root + "/registry.json") { return arguments }
        var added = [String]()
        if isPostgres, !arguments.contains("--metadata") { added += ["--metadata", try newPostgresDatabase()] }
        if isOCI, !arguments.contains("--blobs") { added += ["--blobs", try newOCIAddress()] }
        return arguments + added
    }

    /// `Registry.initialize` as the suite runs it (see `initArguments`).
    public static func initializeRegistry(at root: String) throws -> Registry {
        let isNew = !FileManager.default.fileExists(atPath: root + "/registry.json")
        let backends = BackendConfiguration(
            metadata: isPostgres && isNew ? try newPostgresDatabase() : nil, blobs: isOCI && isNew ? try newOCIAddress() : nil)
        return try Registry.initialize(at: root, backends: backends).registry
    }

    /// The OCI address a registry's blobs live at, or nil for an embedded registry.
    public static func blobsAddress(of root: String) throws -> String? {
        try markerField("blobs", of: root)
    }

    /// One text field of a registry's `registry.json`.
    private static func markerField(_ name: String, of root: String) throws -> String? {
        let data = try Data(contentsOf: URL(fileURLWithPath: root + "/registry.json"))
        let marker = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return marker?[name] as? String
    }

    /// The tags of a repository under an `oci://` address, sorted (none when it does not exist).
    public static func ociTags(_ address: String, repository: String) throws -> [String] {
        let path = address.replacingOccurrences(of: "oci://", with: "")
        guard let slash = path.firstIndex(of: "/") else { throw TestFailure("\(address) has no prefix") }
        let url = "http://\(path[..<slash])/v2/\(path[path.index(after: slash)...])/\(repository)/tags/list?n=100000"
        let listed = try run("/usr/bin/env", ["curl", "-s", url], in: "/")
        guard listed.status == 0 else { throw TestFailure("cannot list \(url): \(listed.stderr)") }
        let document = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any]
        return ((document?["tags"] as? [String]) ?? []).sorted()
    }

    /// A TCP port on loopback that nothing listens on (at the moment it is asked).
    public static func unusedPort() throws -> Int {
        let probe = try run("/usr/bin/env", ["python3", "-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"], in: "/")
        guard let port = Int(probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw TestFailure("no free port: \(probe.stderr)") }
        return port
    }

    /// The PostgreSQL address a registry's metadata lives at, or nil for an embedded registry.
    public static func metadataAddress(of root: String) throws -> String? {
        try markerField("metadata", of: root)
    }
}
