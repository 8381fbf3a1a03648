import Foundation
import GitLinkage
import RegistryKit

/// Runs the same check as `mreg verify --all` and throws when the registry is not intact.
public func assertRegistryConsistent(_ root: String) throws {
    let report = try Registry.open(at: root).verify([])
    guard report.isIntact else {
        throw TestFailure("registry at \(root) is inconsistent: \(report.problems.map(\.detail).joined(separator: "; "))")
    }
}

/// Everything a refused command must leave unchanged: the blob names, the temp area, and the
/// content of every table.
public func registrySnapshot(_ root: String) throws -> [String] {
    let blobs = (try? FileManager.default.contentsOfDirectory(atPath: root + "/blobs/sha256").sorted()) ?? []
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

/// Runs SQL against a registry's database with python's sqlite3, as someone editing it behind
/// mreg's back would.
public func executeSQL(_ root: String, _ sql: String) throws {
    let result = try run("/usr/bin/env", ["python3", "-c", """
        import sqlite3, sys
        db = sqlite3.connect(sys.argv[1])
        db.executescript(sys.argv[2])
        db.commit()
        """, root + "/registry.sqlite", sql], in: root)
    guard result.status == 0 else { throw TestFailure("SQL failed: \(result.stderr)") }
}
