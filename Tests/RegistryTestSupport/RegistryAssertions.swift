import ContentHashing
import ContentStore
import Foundation
import GitLinkage
import OCIBlobStore
import RegistryModel
import RegistryBackends
import RegistryKit

/// Runs the same check as `mreg verify --all` and throws when the registry is not intact.
public func assertRegistryConsistent(_ root: String) throws {
    let report = try Registry.open(at: root, environment: ProcessInfo.processInfo.environment).verify([])
    guard report.isIntact else {
        throw TestFailure("registry at \(root) is inconsistent: \(report.problems.map(\.detail).joined(separator: "; "))")
    }
}

/// Everything a refused command must leave unchanged: the blob names (an OCI store's holder
/// tags), and the content of every table.
public func registrySnapshot(_ root: String) throws -> [String] {
    try recordedRows(root).filter { !(ClientMode.isOn && $0.hasPrefix("tokens ") && $0.contains(ClientMode.harnessUser)) }
}

private func recordedRows(_ root: String) throws -> [String] {
    let blobs = (try? storedBlobNames(root)) ?? []
    if let address = try TestBackend.metadataAddress(of: root) {
        return blobs.map { "blob \($0)" } + (try postgresDump(address))
    }
    let dump = try run("/usr/bin/env", ["python3", "-c", """
        import sqlite3, sys
        db = sqlite3.connect(sys.argv[1])
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"):
            for row in sorted(db.execute(f"SELECT * FROM {table}"), key=repr):
                print(table, row)
        """, root + "/registry.sqlite"], in: root)
    guard dump.status == 0 else { throw TestFailure("cannot dump the database: \(dump.stderr)") }
    return blobs.map { "blob \($0)" } + dump.stdout.split(separator: "\n").map(String.init)
}

/// A real git repository with one commit, made through libgit2.
public func makeGitRepository(at path: String, files: [String: String] = ["train.py": "print('train')\n"], message: String = "initial commit") throws -> (GitRepository, String) {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    let repository = try GitRepository.initialize(at: path)
    for (name, content) in files { try writeFile(path + "/" + name, content) }
    let commit = try repository.commitAll(message: message)
    return (repository, commit)
}

/// Every row of every table of a PostgreSQL registry, one line each, sorted within its table.
private func postgresDump(_ address: String) throws -> [String] {
    let tables = try run(
        "/usr/bin/env", ["psql", address, "-qAtc", "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"],
        in: "/")
    guard tables.status == 0 else { throw TestFailure("cannot list the tables: \(tables.stderr)") }
    let select = tables.stdout.split(separator: "\n").map { "SELECT '\($0) ' || t::text AS line FROM \($0) t" }.joined(separator: " UNION ALL ")
    let dump = try run("/usr/bin/env", ["psql", address, "-qAtc", "SELECT line FROM (\(select)) rows ORDER BY line COLLATE \"C\""], in: "/")
    guard dump.status == 0 else { throw TestFailure("cannot dump the database: \(dump.stderr)") }
    return dump.stdout.split(separator: "\n").map(String.init)
}

/// Whether a writer holds the registry's write lock now: SQLite's (tried with `BEGIN IMMEDIATE`
/// and no wait) or PostgreSQL's advisory lock (`pg_locks`; the key's low 32 bits are its objid)
/// in the registry's own database (other tests' registries share the server).
public func isWriteLockHeld(_ registry: String) throws -> Bool {
    if let address = try TestBackend.metadataAddress(of: registry) {
        let probe = try run(
            "/usr/bin/env",
            ["psql", address, "-qAtc", "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = \(0x6D72_6567) AND granted"
                + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"],
            in: registry)
        guard probe.status == 0 else { throw TestFailure("cannot read pg_locks: \(probe.stderr)") }
        return probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines) != "0"
    }
    let probe = try run("/usr/bin/env", ["python3", "-c", """
        import sqlite3, sys
        db = sqlite3.connect(sys.argv[1], timeout=0, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE"); db.execute("ROLLBACK"); print("free")
        except sqlite3.OperationalError:
            print("held")
        """, registry + "/registry.sqlite"], in: registry)
    return probe.stdout.contains("held")
}

/// Waits up to a minute (the machine may be busy) for a writer to hold, or release, the registry's lock.
public func waitForWriteLock(_ registry: String, held: Bool) throws {
    for _ in 0..<3000 {
        if try isWriteLockHeld(registry) == held { return }
        usleep(20_000)
    }
    throw TestFailure("the registry's write lock never became \(held ? "held" : "free")")
}

/// Runs SQL against a registry's database (python's sqlite3, or psql for PostgreSQL), as someone
/// editing it behind mreg's back would.
public func executeSQL(_ root: String, _ sql: String) throws {
    if let address = try TestBackend.metadataAddress(of: root) {
        // Foreign keys off for this session, as python's sqlite3 has them by default.
        let script = "SET session_replication_role = replica; " + sql
        let result = try run("/usr/bin/env", ["psql", address, "-qv", "ON_ERROR_STOP=1", "-c", script], in: root)
        guard result.status == 0 else { throw TestFailure("SQL failed: \(result.stderr)") }
        return
    }
    let result = try run("/usr/bin/env", ["python3", "-c", """
        import sqlite3, sys
        db = sqlite3.connect(sys.argv[1])
        db.executescript(sys.argv[2])
        db.commit()
        """, root + "/registry.sqlite", sql], in: root)
    guard result.status == 0 else { throw TestFailure("SQL failed: \(result.stderr)") }
}

/// The hex digests of every stored blob (an OCI store's holder tags name them).
public func storedBlobHexes(_ root: String) throws -> [String] {
    try storedBlobNames(root).map { $0.hasPrefix("sha256-") ? String($0.dropFirst(7)) : $0 }
}

/// The names in the blob store: the folder's file names, or the OCI blob repository's tags.
private func storedBlobNames(_ root: String) throws -> [String] {
    if let address = try TestBackend.blobsAddress(of: root) { return try TestBackend.ociTags(address, repository: "mreg-blobs") }
    return try FileManager.default.contentsOfDirectory(atPath: root + "/blobs/sha256").sorted()
}

/// Makes a stored blob read back as `bytes` without mreg knowing.
///
/// In the folder, the blob's file is overwritten. In the throwaway OCI registry, blobs are
/// stored once for every repository, and other tests' registries share them: so the altered
/// bytes are uploaded as a blob of their own and this registry's repository link for the digest
/// is pointed at them (Distribution serves whatever the link names), which alters the blob for
/// this registry only.
public func alterStoredBlob(_ root: String, hex: String, to bytes: String) throws {
    guard let address = try TestBackend.blobsAddress(of: root) else {
        let file = root + "/blobs/sha256/" + hex
        chmod(file, 0o644)
        try writeFile(file, bytes)
        return
    }
    let oci = try OCIAddress(parsing: address)
    let repository = oci.blobRepository
    let altered = FileHashing.digest(of: Array(bytes.utf8))
    let opened = try run("/usr/bin/env", ["curl", "-s", "-i", "-X", "POST", oci.apiBase + "/v2/\(repository)/blobs/uploads/"], in: "/")
    guard let location = opened.stdout.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("location:") })?
        .dropFirst("location:".count).trimmingCharacters(in: .whitespaces)
    else { throw TestFailure("the OCI registry opened no upload: \(opened.stdout)") }
    let scratch = TemporaryDirectory()
    try writeFile(scratch.url("bytes"), bytes)
    let stored = try run(
        "/usr/bin/env", ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT", "-H", "Content-Type: application/octet-stream",
                         "--data-binary", "@" + scratch.url("bytes"), location + "&digest=" + altered.description], in: "/")
    guard stored.stdout == "201" else { throw TestFailure("the OCI registry refused the altered bytes: HTTP \(stored.stdout)") }
    try writeFile(try TestBackend.ociStorage() + "/docker/registry/v2/repositories/\(repository)/_layers/sha256/\(hex)/link", altered.description)
}

/// Stores bytes that no version references, as an interrupted registration leaves them; returns their hex digest.
public func storeOrphanBlob(_ root: String, _ bytes: String) throws -> String {
    if let address = try TestBackend.blobsAddress(of: root) {
        return try OCIBlobStore(address: try OCIAddress(parsing: address), credentials: nil).ingest(bytes: Array(bytes.utf8)).digest.hex
    }
    return try BlobStore(root: root).ingest(bytes: Array(bytes.utf8)).digest.hex
}

/// The SHA-256 of bytes, as hex: what a blob holding them is named by.
public func sha256Hex(_ data: Data) -> String { FileHashing.digest(of: [UInt8](data)).hex }

public func sha256Hex(_ text: String) -> String { sha256Hex(Data(text.utf8)) }

/// Removes a stored blob behind mreg's back (the folder's file, or the OCI registry's holder and blob).
public func removeStoredBlob(_ root: String, hex: String) throws {
    if let address = try TestBackend.blobsAddress(of: root) {
        try OCIBlobStore(address: try OCIAddress(parsing: address), credentials: nil).remove(Digest(hex: hex)!)
        return
    }
    try FileManager.default.removeItem(atPath: root + "/blobs/sha256/" + hex)
}
