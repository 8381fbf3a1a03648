import Foundation
import RegistryTestSupport
import Testing

/// A registry whose metadata lives in PostgreSQL, on the throwaway server scripts/test starts:
/// the address and its secrets, and what a user sees when the server is unreachable, refuses
/// the credentials, is held by another writer, or stops in the middle of the work.
@Suite struct PostgresBackendTests {
    private var password: String { ProcessInfo.processInfo.environment["PGPASSWORD"] ?? "" }

    /// The schema check at open is one statement outside any transaction: a database without
    /// mreg's tables gets them, and one with a migration this mreg does not know is refused untouched.
    @Test func aDatabaseFromANewerMregIsRefusedUntouched() throws {
        let directory = TemporaryDirectory()
        let address = try TestBackend.newPostgresDatabase(tcp: true)
        #expect(try mreg(["init", "registry", "--metadata", address], in: directory.path).status == 0)
        try writeFile(directory.url("m/w.bin"), "weights")
        #expect(try mreg(["register", "churn", "m", "--no-git"], in: directory.path).status == 0)
        let future = try run("/usr/bin/env", ["psql", address, "-qAtc", "INSERT INTO mreg_migrations (id) VALUES ('9999_from_the_future')"], in: "/")
        #expect(future.status == 0, "\(future.stderr)")
        let head = try run("/usr/bin/env", ["psql", address, "-qAtc", "SELECT max(seq), count(*) FROM events"], in: "/").stdout
        for arguments in [["list"], ["register", "churn", "m", "--no-git", "--param", "lr=0.2"]] {
            let refused = try mreg(arguments, in: directory.path)
            #expect(refused.status == 10 && refused.stderr.contains("9999_from_the_future"), "\(arguments): \(refused.stderr)")
        }
        #expect(try run("/usr/bin/env", ["psql", address, "-qAtc", "SELECT max(seq), count(*) FROM events"], in: "/").stdout == head)
    }

    /// A registry written before digests were bytes (migration 11) gains them, and loses the
    /// unique index on event digests (13) and registrations from the alias index (12), with
    /// everything it recorded intact: the same answers, and a ledger that verifies.
    @Test func aRegistryWithDigestsAsTextIsUpgradedIntact() throws {
        let directory = TemporaryDirectory()
        let address = try TestBackend.newPostgresDatabase(tcp: true)
        #expect(try mreg(["init", "registry", "--metadata", address], in: directory.path).status == 0)
        try writeFile(directory.url("m/w.bin"), "weights")
        try writeFile(directory.url("data/train.csv"), "x,y\n1,0\n")
        #expect(try mreg(["register", "churn", "m", "--no-git", "--dataset", "train=data/train.csv"], in: directory.path).status == 0)
        try writeFile(directory.url("m/w.bin"), "weights 2")
        #expect(try mreg(["register", "churn", "m", "--no-git", "--dataset", "train=data/train.csv"], in: directory.path).status == 0)
        #expect(try mreg(["promote", "churn@2", "--to", "production"], in: directory.path).status == 0)
        let before = try ["churn@1", "churn@2"].map { try mreg(["show", $0, "--json"], in: directory.path).stdout }
        let history = try mreg(["history", "churn"], in: directory.path).stdout

        try downgradeToTextDigests(address, then: [])
        // The upgrade runs at the next open.
        #expect(try ["churn@1", "churn@2"].map { try mreg(["show", $0, "--json"], in: directory.path).stdout } == before)
        #expect(try mreg(["history", "churn"], in: directory.path).stdout == history)
        let verified = try mreg(["verify", "--all"], in: directory.path)
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        let types = try run("/usr/bin/env", ["psql", address, "-qAtc", """
            SELECT count(*) FILTER (WHERE data_type = 'bytea'), count(*) FROM information_schema.columns
            WHERE table_schema = 'public' AND (column_name LIKE '%digest%' OR column_name IN ('key_fingerprint', 'secret_sha256', 'reference_dataset'))
            """], in: "/").stdout
        #expect(types == "22|22\n", "every digest column is bytes: \(types)")
        let indexes = try run("/usr/bin/env", ["psql", address, "-qAtc", "SELECT indexdef FROM pg_indexes WHERE tablename = 'events' ORDER BY indexname"], in: "/").stdout
        #expect(!indexes.contains("(digest)") && indexes.contains("WHERE (alias IS NOT NULL)"), "\(indexes)")
        #expect(try mreg(["register", "churn", "m", "--no-git", "--param", "lr=0.1"], in: directory.path).status == 0)
        #expect(try mreg(["verify", "--all"], in: directory.path).status == 0)
    }

    /// A digest edited outside mreg before the upgrade stays what it was, bytes that are not a
    /// digest, and `verify` names it by its text.
    @Test func aMalformedDigestSurvivesTheUpgradeAndIsReported() throws {
        let directory = TemporaryDirectory()
        let address = try TestBackend.newPostgresDatabase(tcp: true)
        #expect(try mreg(["init", "registry", "--metadata", address], in: directory.path).status == 0)
        try writeFile(directory.url("m/w.bin"), "weights")
        #expect(try mreg(["register", "churn", "m", "--no-git"], in: directory.path).status == 0)
        try downgradeToTextDigests(address, then: ["UPDATE version_files SET digest = 'garbage';"])
        let verified = try mreg(["verify", "--all"], in: directory.path)
        #expect(verified.status == 5 && verified.stdout.contains("churn@1 file w.bin has a malformed digest 'garbage'"), "\(verified.stdout)\(verified.stderr)")
        let stored = try run("/usr/bin/env", ["psql", address, "-qAtc", "SELECT encode(digest, 'escape') FROM version_files"], in: "/").stdout
        #expect(stored == "garbage\n", "\(stored)")
    }

    /// Takes a registry back to migration 10's shape (every digest as text, the indexes as they
    /// were), runs `then`, all in one transaction.
    private func downgradeToTextDigests(_ address: String, then: [String]) throws {
        let digests = [
            ("datasets", "digest"), ("dataset_files", "dataset_digest"), ("dataset_files", "digest"), ("dataset_profiles", "dataset_digest"),
            ("dataset_profiles", "file_digest"), ("dataset_names", "dataset_digest"), ("versions", "manifest_digest"), ("version_files", "digest"),
            ("version_datasets", "dataset_digest"), ("evaluations", "dataset_digest"), ("evaluations", "predictions_digest"),
            ("events", "record_digest"), ("events", "dataset_digest"), ("events", "key_fingerprint"), ("events", "previous_digest"),
            ("events", "digest"), ("signatures", "key_fingerprint"), ("tokens", "secret_sha256"), ("web_sessions", "secret_sha256"),
            ("drift_reports", "reference_dataset"), ("drift_reports", "data_digest"), ("blob_collections", "digest"),
        ]
        let referencing = ["dataset_files", "version_datasets", "dataset_profiles", "dataset_names", "evaluations", "events"]
        let downgrade = referencing.map { "ALTER TABLE \($0) DROP CONSTRAINT \($0)_dataset_digest_fkey;" }
            + digests.map { "ALTER TABLE \($0.0) ALTER COLUMN \($0.1) TYPE TEXT COLLATE \"C\" USING 'sha256:' || encode(\($0.1), 'hex');" }
            + referencing.map { "ALTER TABLE \($0) ADD FOREIGN KEY (dataset_digest) REFERENCES datasets(digest);" }
            + [
                "ALTER TABLE events ADD UNIQUE (digest);",
                "DROP INDEX events_by_alias_moves;",
                "CREATE INDEX events_by_alias_moves ON events(model_id, alias, seq) INCLUDE (action, to_version_id);",
                "DELETE FROM mreg_migrations WHERE id IN ('11-binary-digests', '12-alias-index-without-registrations', '13-event-digests-unindexed');",
            ] + then
        let downgraded = try run("/usr/bin/env", ["psql", address, "-v", "ON_ERROR_STOP=1", "-1", "-qAtc", downgrade.joined(separator: "\n")], in: "/")
        #expect(downgraded.status == 0, "\(downgraded.stderr)")
    }

    /// An alias's history is read down its index even when the ledger's latest events are of
    /// other kinds (as after a migration records 10,000 registrations behind 5,000 promotions):
    /// the planner must not walk the ledger backwards by seq to find the alias's moves. (With the
    /// index of migration 1 it did, vacuumed or not; with migration 2's it reads index-only.)
    @Test func anAliasHistoryIsReadDownItsIndexWhateverTheLedgerEndsWith() throws {
        let directory = TemporaryDirectory()
        let address = try TestBackend.newPostgresDatabase(tcp: true)
        #expect(try mreg(["init", "registry", "--metadata", address], in: directory.path).status == 0)
        try writeFile(directory.url("m/w.bin"), "weights")
        #expect(try mreg(["register", "churn", "m", "--no-git"], in: directory.path).status == 0)
        let shape = try run("/usr/bin/env", ["psql", address, "-qAtc", """
            INSERT INTO events (seq, at, model_id, alias, action, to_version_id, actor_user, actor_host, forced, gates_json, digest)
            SELECT 100 + n, '2026-01-01T00:00:00.000Z', 1, CASE WHEN n <= 5000 THEN 'production' END,
                CASE WHEN n <= 5000 THEN 'promote' ELSE 'register' END, 1, 'u', 'h', false, '[]', decode(lpad(n::text, 64, '0'), 'hex')
            FROM generate_series(1, 15000) n;
            """], in: "/")
        #expect(shape.status == 0, "\(shape.stderr)")
        // As autovacuum leaves a table that has grown: its statistics current, its pages all-visible.
        let vacuum = try run("/usr/bin/env", ["psql", address, "-qAtc", "VACUUM ANALYZE events"], in: "/")
        #expect(vacuum.status == 0, "\(vacuum.stderr)")
        for query in [
            "SELECT e.to_version_id FROM events e WHERE e.model_id = 1 AND e.alias = 'production' AND e.action IN ('promote', 'demote', 'rollback') ORDER BY e.seq DESC LIMIT 1",
            "SELECT to_version_id, seq FROM events WHERE model_id = 1 AND alias = 'production' AND seq < 9000 AND action IN ('promote', 'rollback') AND to_version_id IS NOT NULL ORDER BY seq DESC LIMIT 32",
        ] {
            let plan = try run("/usr/bin/env", ["psql", address, "-qAtc", "EXPLAIN " + query], in: "/")
            #expect(plan.stdout.contains("events_by_alias_moves") && !plan.stdout.contains("events_pkey"), "\(query): \(plan.stdout)")
        }
    }

    @Test func theAddressIsRecordedAndThePasswordNeverIs() throws {
        let directory = TemporaryDirectory()
        let address = try TestBackend.newPostgresDatabase(tcp: true)
        let created = try mreg(["init", "registry", "--metadata", address, "--json"], in: directory.path)
        #expect(created.status == 0, "\(created.stderr)")
        try expectValid(created, schema: "init")
        #expect(try created.json()["metadata"] as? String == address)
        #expect(try created.json()["format_version"] as? Int == 2)
        let marker = try String(contentsOfFile: directory.url("registry/registry.json"), encoding: .utf8)
        #expect(marker.contains(address) && !marker.contains(password))
        #expect(!FileManager.default.fileExists(atPath: directory.url("registry/registry.sqlite")), "no local database beside it")
        try writeFile(directory.url("m/w.bin"), "weights")
        for arguments in [["register", "churn", "m", "--no-git"], ["promote", "churn@1", "--to", "production"], ["show", "churn@production"],
                          ["history", "churn"], ["verify", "--all"]] {
            let result = try mreg(arguments, in: directory.path)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            #expect(!(result.stdout + result.stderr).contains(password), "\(arguments) printed the password")
        }
        // Initialising again with the same address opens it; with another, it is refused.
        #expect(try mreg(["init", "registry", "--metadata", address], in: directory.path).status == 0)
        let other = try mreg(["init", "registry", "--metadata", try TestBackend.newPostgresDatabase()], in: directory.path)
        #expect(other.status == 3 && other.stderr.contains("already exists"), "\(other.stderr)")
        try assertRegistryConsistent(directory.url("registry"))
    }

    @Test func refusedCredentialsAndUnreachableServersAreBackendUnavailable() throws {
        let space = TemporaryDirectory()
        let address = try TestBackend.newPostgresDatabase(tcp: true)
        #expect(try mreg(["init", "registry", "--metadata", address], in: space.path).status == 0)
        try writeFile(space.url("m/w.bin"), "weights")
        let before = try registrySnapshot(space.url("registry"))
        let wrong = try mreg(["register", "churn", "m", "--no-git", "--json"], in: space.path, environment: ["PGPASSWORD": "not-the-password"])
        #expect(wrong.status == 12, "\(wrong.stderr)")
        #expect(wrong.stderr.contains("PostgreSQL at \(address) is unavailable") && wrong.stderr.contains("credentials"), "\(wrong.stderr)")
        #expect(wrong.stderr.split(separator: "\n").count == 1 && !wrong.stderr.contains("not-the-password"), "\(wrong.stderr)")
        try expectValid(wrong, schema: "error")
        #expect(try wrong.json()["error"].flatMap { ($0 as? [String: Any])?["kind"] as? String } == "backend_unavailable")
        #expect(try registrySnapshot(space.url("registry")) == before, "nothing recorded")

        // Nothing listens on the port: init creates no registry, and says where it tried.
        let closed = "postgres://mreg@127.0.0.1:\(try TestBackend.unusedPort())/postgres"
        let nowhere = try mreg(["init", "elsewhere", "--metadata", closed], in: space.path)
        #expect(nowhere.status == 12 && nowhere.stderr.contains(closed) && nowhere.stderr.contains("refused"), "\(nowhere.stderr)")
        #expect(!FileManager.default.fileExists(atPath: space.url("elsewhere/registry.json")), "no registry left behind")
    }

    @Test func aPasswordInTheAddressIsRefused() throws {
        let space = TemporaryDirectory()
        let result = try mreg(["init", "registry", "--metadata", "postgres://mreg:secret@127.0.0.1:5432/models"], in: space.path)
        #expect(result.status == 64 && result.stderr.contains("PGPASSWORD") && !result.stderr.contains("secret"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: space.url("registry/registry.json")))
    }

    /// libpq's password file: used when only its owner can read it, ignored otherwise.
    @Test func thePasswordFileIsReadWhenPrivate() throws {
        let space = TemporaryDirectory()
        let address = try TestBackend.newPostgresDatabase(tcp: true)
        let port = try #require(URLComponents(string: address)?.port)
        try writeFile(space.url("pgpass"), "# host:port:database:user:password\n127.0.0.1:\(port):*:mreg:\(password.replacingOccurrences(of: ":", with: "\\:"))\n")
        chmod(space.url("pgpass"), 0o600)
        let environment = ["PGPASSWORD": "", "PGPASSFILE": space.url("pgpass")]
        let created = try mreg(["init", "registry", "--metadata", address], in: space.path, environment: environment)
        #expect(created.status == 0, "\(created.stderr)")
        chmod(space.url("pgpass"), 0o644)
        let ignored = try mreg(["list"], in: space.path, environment: environment)
        #expect(ignored.status == 12, "a password file others can read is ignored: \(ignored.stderr)")
    }

    /// Another session holds the writers' advisory lock: a write waits MREG_BUSY_TIMEOUT, then
    /// fails as locked, naming that session, not the writer of another registry on the same server.
    @Test func aHeldWriterLockNamesTheSessionHoldingIt() throws {
        let space = TemporaryDirectory()
        let address = try TestBackend.newPostgresDatabase()
        let neighbour = try TestBackend.newPostgresDatabase()
        #expect(try mreg(["init", "registry", "--metadata", address], in: space.path).status == 0)
        try writeFile(space.url("m/w.bin"), "weights")
        let holdLock = "BEGIN; SELECT pg_advisory_xact_lock(\(0x6D72_6567)); SELECT pg_sleep(30); COMMIT;"
        let (other, _, _) = try launch("/usr/bin/env", ["psql", neighbour, "-qc", holdLock], in: space.path, environment: ["PGAPPNAME": "neighbour"])
        defer { other.terminate() }
        let (holder, _, _) = try launch("/usr/bin/env", ["psql", address, "-qc", holdLock], in: space.path)
        defer { holder.terminate() }
        try waitForWriteLock(space.url("registry"), held: true)
        let result = try mreg(["register", "churn", "m", "--no-git"], in: space.path, environment: ["MREG_BUSY_TIMEOUT": "1"])
        #expect(result.status == 11, "\(result.stderr)")
        #expect(result.stderr.contains("locked by process") && result.stderr.contains("psql from a local socket, a PostgreSQL session"), "\(result.stderr)")
        #expect(result.stderr.contains("running since") && !result.stderr.contains("neighbour"), "\(result.stderr)")
        // Ending the holder's session from the server ends psql too (a signal may be blocked in it).
        _ = try run("/usr/bin/env", ["psql", address, "-qAtc", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"], in: space.path)
        holder.waitUntilExit()
        try waitForWriteLock(space.url("registry"), held: false)
        #expect(try mreg(["register", "churn", "m", "--no-git"], in: space.path).status == 0, "the same command completes once the lock is free")
    }

    /// The server stops between commands and in the middle of a promotion's transaction: nothing
    /// is half-recorded, the error names the engine and address, and the same command completes
    /// once the server is back.
    @Test func aServerThatStopsLosesNothingAndTheRetryCompletes() throws {
        let space = TemporaryDirectory()
        let cluster = space.url("cluster")
        let port = try startCluster(cluster)
        defer { _ = try? run("\(repositoryRoot)/scripts/postgres-cluster", ["stop", cluster], in: space.path) }
        let address = "postgres://mreg@127.0.0.1:\(port)/postgres"
        #expect(try mreg(["init", "registry", "--metadata", address], in: space.path).status == 0)
        try writeFile(space.url("m1/w.bin"), "weights one")
        try writeFile(space.url("m2/w.bin"), "weights two")
        for model in ["m1", "m2"] { #expect(try mreg(["register", "churn", model, "--no-git"], in: space.path).status == 0) }
        #expect(try mreg(["promote", "churn@1", "--to", "production"], in: space.path).status == 0)

        // Down between commands.
        #expect(try run("\(repositoryRoot)/scripts/postgres-cluster", ["stop", cluster], in: space.path).status == 0)
        let down = try mreg(["promote", "churn@2", "--to", "production"], in: space.path)
        #expect(down.status == 12 && down.stderr.contains("PostgreSQL at \(address) is unavailable"), "\(down.stderr)")
        #expect(down.stderr.split(separator: "\n").count == 1, "\(down.stderr)")
        #expect(try startCluster(cluster, port: port) == port)

        // Down inside the promotion's transaction: the server stops while the promotion holds it open.
        let (promote, _, err) = try launch(
            mregExecutable, ["promote", "churn@2", "--to", "production"], in: space.path, environment: ["MREG_TEST_LEDGER_COMMIT_DELAY": "30"])
        try waitForWriteLock(space.url("registry"), held: true)
        let stopped = try run("\(repositoryRoot)/scripts/postgres-cluster", ["stop", cluster], in: space.path)
        #expect(stopped.status == 0, "\(stopped.stderr)")
        promote.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(promote.terminationStatus == 12 && stderr.contains("unavailable"), "status \(promote.terminationStatus): \(stderr)")
        #expect(try startCluster(cluster, port: port) == port)
        let show = try mreg(["show", "churn@production", "--json"], in: space.path)
        #expect(try show.json()["version"] as? Int == 1, "the interrupted promotion left production where it was: \(show.stdout) \(show.stderr)")

        // The same command, retried, completes.
        #expect(try mreg(["promote", "churn@2", "--to", "production"], in: space.path).status == 0)
        let history = try mreg(["history", "churn", "--json"], in: space.path)
        #expect((try history.json()["events"] as? [[String: Any]])?.count == 2, "one event per promotion that completed")
        try assertRegistryConsistent(space.url("registry"))
    }

    private func startCluster(_ folder: String, port: Int? = nil) throws -> Int {
        let started = try run("\(repositoryRoot)/scripts/postgres-cluster", ["start", folder] + (port.map { [String($0)] } ?? []), in: "/")
        guard started.status == 0, let value = Int(started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestFailure("cannot start a PostgreSQL cluster: \(started.stderr)")
        }
        return value
    }
}
