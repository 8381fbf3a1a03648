import ContentHashing
import ContentStore
import Foundation
import MetadataStore
import RegistryModel
import RegistryStorage
import RegistryTestSupport
@testable import SQLMetadata
import Testing

@Suite struct MetadataDatabaseTests {
    func newVersion(_ model: String, seed: UInt8, auc: Double = 0.9, labels: [String: String] = [:]) throws -> NewVersion {
        let file = FileEntry(path: "model.bin", digest: Digest(rawBytes: [UInt8](repeating: seed, count: 32)), size: 10, executable: false)
        let manifest = Manifest(
            model: try ModelName(model), files: [file], params: ["lr": .number(0.1)], datasets: [],
            metrics: [try Metric(key: "holdout.auc", value: auc)], labels: labels, description: nil, parent: nil, git: nil)
        let digest = Digest(rawBytes: [UInt8](repeating: seed &+ 100, count: 32))
        return NewVersion(
            manifest: manifest, manifestDigest: digest, gitNote: nil, createdAt: Date(), registrant: Registrant(user: "u", host: "h"),
            datasetListings: [:], registrationRecord: Digest(rawBytes: [UInt8](repeating: seed &+ 200, count: 32)), datasetRecords: [:])
    }

    /// The store's tests seal events the way RegistryKit does: every field, SHA-256 of the canonical bytes.
    let seal: EventSealer = { draft, place in
        let event = LedgerEvent(draft, at: place)
        return RecordedEvent(event: event, digest: FileHashing.digest(of: event.canonicalBytes()))
    }

    /// `--label` and `--where` start from their index when fewer than a tenth of the model's
    /// versions, and fewer than √(page × versions), meet the first such condition (a label before
    /// a metric); the count stops at that bound, and the boundaries hold.
    @Test func aConditionStartsTheSearchBelowATenthOfTheVersionsAndTheSquareRootOfAPagesWork() throws {
        let directory = TemporaryDirectory()
        let database = try MetadataDatabase.open(path: directory.url("registry.sqlite"))
        for seed in 1...25 {
            let auc = [1: 0.99, 2: 0.98, 3: 0.97][seed] ?? 0.5
            let owner = seed <= 2 ? "risk" : seed <= 5 ? "growth" : "ops"
            _ = try database.insertVersion(try newVersion("churn", seed: UInt8(seed), auc: auc, labels: ["owner": owner]), seal: seal)
        }
        _ = try database.insertVersion(try newVersion("other", seed: 99, labels: ["owner": "risk"]), seal: seal)
        func start(auc: Double? = nil, owner: String? = nil, versions: Int = 25, limit: Int? = nil) throws -> VersionSearchStart {
            var filter = VersionFilter()
            filter.metrics = auc.map { [VersionFilter.MetricCondition(dataset: "holdout", name: "auc", comparison: .atLeast, value: $0)] } ?? []
            filter.labels = owner.map { [("owner", $0)] } ?? []
            return try database.read { db in
                let model: Int64 = try #require(try db.value("SELECT id FROM models WHERE name = 'churn'"))
                return try database.searchStart(db, filter, modelID: model, versions: versions, limit: limit)
            }
        }
        #expect(try start(auc: 0.99) == .metric(0) && start(auc: 0.98) == .metric(0), "1 and 2 of 25: under a tenth")
        #expect(try start(auc: 0.97) == .everyVersion && start(auc: 0.5) == .everyVersion, "3 and 25 of 25: not")
        #expect(try start(owner: "risk") == .label(0), "2 of 25 (the other model's version is not counted)")
        #expect(try start(owner: "growth") == .everyVersion && start(owner: "ops") == .everyVersion, "3 and 20 of 25")
        #expect(try start(auc: 0.99, owner: "risk") == .label(0) && start(auc: 0.99, owner: "ops") == .metric(0), "a label first, then a metric")
        #expect(try start() == .everyVersion)
        // As if the model had 400 versions: 20 matches are under a tenth (40) and under √(2 × 400)
        // (28.3), but not under √(1 × 400) (20), where number order fills a page of one sooner.
        #expect(try start(owner: "ops", versions: 400) == .label(0) && start(owner: "ops", versions: 400, limit: 2) == .label(0))
        #expect(try start(owner: "ops", versions: 400, limit: 1) == .everyVersion)
    }

    /// Several conditions are counted from the one the fewest versions meet, when that many are
    /// within the budget of probes; when every one is met by more, the total is a lower bound:
    /// the versions kept among the first of the first label's (in index order: 1, 2, 3…).
    @Test func severalConditionsAreCountedExactlyWithinTheBudgetAndAtLeastBeyondIt() throws {
        let directory = TemporaryDirectory()
        let database = try MetadataDatabase.open(path: directory.url("registry.sqlite"))
        for seed in UInt8(1)...10 {
            let labels = seed >= 9 ? ["owner": "ops", "team": "a"] : ["owner": "ops"]
            _ = try database.insertVersion(try newVersion("churn", seed: seed, auc: seed <= 8 ? 0.95 : 0.5, labels: labels), seal: seal)
        }
        func counted(_ labels: [(String, String)], since: Date? = nil, budget: Int) throws -> (count: Int, exact: Bool) {
            try asked(labels, since: since) { db, filter, model in
                let start = try database.searchStart(db, filter, modelID: model, versions: 10, limit: nil)
                let selection = database.versionConditions(filter, modelID: model, start: start)
                return try database.keptCount(db, filter, selection, modelID: model, start: start, versions: 10, budget: budget)
            }
        }
        func countStart(_ labels: [(String, String)], since: Date? = nil, budget: Int) throws -> (start: VersionSearchStart, limited: Bool) {
            try asked(labels, since: since) { db, filter, model in try database.countStart(db, filter, modelID: model, budget: budget) }
        }
        func asked<T>(_ labels: [(String, String)], since: Date?, _ body: (any SQLSession, VersionFilter, Int64) throws -> T) throws -> T {
            var filter = VersionFilter()
            filter.since = since
            filter.metrics = [VersionFilter.MetricCondition(dataset: "holdout", name: "auc", comparison: .atLeast, value: 0.9)]
            filter.labels = labels
            return try database.read { db in try body(db, filter, try #require(try db.value("SELECT id FROM models WHERE name = 'churn'"))) }
        }
        let owner = [("owner", "ops")]
        #expect(try countStart(owner, budget: 8) == (.metric(0), false) && countStart(owner, budget: 3) == (.label(0), true))
        #expect(try countStart(owner + [("team", "a")], budget: 3) == (.label(1), false))
        #expect(try counted(owner, budget: 3) == (3, false), "10 and 8 versions, both over 3: kept among versions 1–3")
        #expect(try counted(owner, budget: 8) == (8, true), "the metric's 8, within the budget")
        #expect(try counted(owner, budget: 50) == (8, true))
        #expect(try counted(owner + [("team", "a")], budget: 3) == (0, true), "the second label's 2, though listed after the first")
        #expect(try counted([("team", "a"), ("owner", "ops")], budget: 1) == (0, false), "2 over 1: kept among version 9")
        // A window of time every version is in: past the budget, the count starts from it (its
        // ids are in its index), among the versions registered first.
        let always = Date(timeIntervalSince1970: 0)
        #expect(try countStart(owner, since: always, budget: 3) == (.window, true) && counted(owner, since: always, budget: 3) == (3, false))
        #expect(try countStart(owner, since: always, budget: 9) == (.metric(0), false) && counted(owner, since: always, budget: 9) == (8, true))
        #expect(try countStart(owner + [("team", "a")], since: always, budget: 2) == (.label(1), false))
    }

    @Test func writerRunsWithSynchronousFull() throws {
        let directory = TemporaryDirectory()
        let database = try MetadataDatabase.open(path: directory.url("registry.sqlite"))
        #expect(try database.synchronousMode() == 2)
    }

    @Test func numbersAreGapFreeAndRetriesReturnTheExistingVersion() throws {
        let directory = TemporaryDirectory()
        let database = try MetadataDatabase.open(path: directory.url("registry.sqlite"))
        for seed in UInt8(1)...5 {
            guard case .created(let pointer) = try database.insertVersion(try newVersion("churn", seed: seed), seal: seal) else {
                Issue.record("a new manifest must create a version")
                return
            }
            #expect(pointer.number == Int(seed))
        }
        guard case .existing(let pointer) = try database.insertVersion(try newVersion("churn", seed: 3), seal: seal) else {
            Issue.record("the same manifest must return the existing version")
            return
        }
        #expect(pointer.number == 3)
        let all = try database.versions(of: try ModelName("churn"), limit: nil)
        #expect(all.versions.map(\.number) == [5, 4, 3, 2, 1] && all.total == 5)
        let newest = try database.versions(of: try ModelName("churn"), limit: 2)
        #expect(newest.versions.map(\.number) == [5, 4] && newest.total == 5)
        #expect(newest.versions.allSatisfy { $0.metrics.map(\.key) == ["holdout.auc"] })
        #expect(try database.models().map(\.versionCount) == [5])
    }

    @Test func digestPrefixLookupReportsAmbiguity() throws {
        let directory = TemporaryDirectory()
        let database = try MetadataDatabase.open(path: directory.url("registry.sqlite"))
        _ = try database.insertVersion(try newVersion("churn", seed: 1), seal: seal)  // manifest 6565…
        _ = try database.insertVersion(try newVersion("churn", seed: 2), seal: seal)  // manifest 6666…
        let model = try ModelName("churn")
        #expect(try database.versionIDs(model: model, digestPrefix: "6565").count == 1)
        #expect(try database.versionIDs(model: model, digestPrefix: "6").count == 2)
        #expect(try database.versionIDs(model: model, digestPrefix: "7").isEmpty)
    }

    @Test func aDatabaseFromANewerMregIsRefusedUntouched() throws {
        let directory = TemporaryDirectory()
        let path = directory.url("registry.sqlite")
        _ = try MetadataDatabase.open(path: path)
        let insert = try run("/usr/bin/env", ["python3", "-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1]); db.execute("INSERT INTO grdb_migrations VALUES ('v99-future')"); db.commit()
            """, path], in: directory.path)
        #expect(insert.status == 0)
        #expect(throws: MetadataError.newerSchema(unknownMigrations: ["v99-future"])) { try MetadataDatabase.open(path: path) }
    }

    /// A registry written before metrics and labels carried their model (v13) gets the model of
    /// each metric and label row when this version first opens it, so `list --where` and
    /// `--label` find its versions.
    @Test func metricsAndLabelsOfAnOlderRegistryGainTheirModel() throws {
        let directory = TemporaryDirectory()
        let path = directory.url("registry.sqlite")
        let database = try MetadataDatabase.open(path: path)
        for seed in UInt8(1)...3 {
            _ = try database.insertVersion(try newVersion(seed == 3 ? "other" : "churn", seed: seed, labels: ["owner": "risk"]), seal: seal)
        }
        // Back to v13's table, as an older mreg left it.
        let downgrade = try run("/usr/bin/env", ["python3", "-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.executescript(\"\"\"
                DROP INDEX version_metrics_by_model;
                CREATE TABLE old_metrics (version_id INTEGER NOT NULL REFERENCES versions(id), dataset TEXT NOT NULL, name TEXT NOT NULL,
                    value REAL NOT NULL, PRIMARY KEY (version_id, dataset, name)) WITHOUT ROWID;
                INSERT INTO old_metrics SELECT version_id, dataset, name, value FROM version_metrics;
                DROP TABLE version_metrics;
                ALTER TABLE old_metrics RENAME TO version_metrics;
                CREATE INDEX version_metrics_by_key ON version_metrics(dataset, name, value);
                DROP INDEX versions_by_model_time;
                CREATE INDEX versions_by_created_at ON versions(created_at);
                DELETE FROM grdb_migrations WHERE identifier = 'v14-filters-by-model';
                DROP INDEX version_labels_by_model;
                CREATE TABLE old_labels (version_id INTEGER NOT NULL REFERENCES versions(id), key TEXT NOT NULL, value TEXT NOT NULL,
                    PRIMARY KEY (version_id, key)) WITHOUT ROWID;
                INSERT INTO old_labels SELECT version_id, key, value FROM version_labels;
                DROP TABLE version_labels;
                ALTER TABLE old_labels RENAME TO version_labels;
                CREATE INDEX version_labels_by_key ON version_labels(key, value);
                DELETE FROM grdb_migrations WHERE identifier = 'v15-labels-by-model';
            \"\"\")
            """, path], in: directory.path)
        #expect(downgrade.status == 0, "\(downgrade.stderr)")
        let upgraded = try MetadataDatabase.open(path: path)
        var filter = VersionFilter()
        filter.metrics = [VersionFilter.MetricCondition(dataset: "holdout", name: "auc", comparison: .atLeast, value: 0.9)]
        #expect(try upgraded.versions(of: try ModelName("churn"), matching: filter, limit: nil, after: nil).versions.map(\.number) == [2, 1])
        #expect(try upgraded.versions(of: try ModelName("other"), matching: filter, limit: nil, after: nil).versions.map(\.number) == [1])
        var labelled = VersionFilter()
        labelled.labels = [("owner", "risk")]
        #expect(try upgraded.versions(of: try ModelName("churn"), matching: labelled, limit: nil, after: nil).versions.map(\.number) == [2, 1])
        #expect(try upgraded.modelNames(labelled: "owner", "risk") == [try ModelName("churn"), try ModelName("other")])
    }

    /// Lookups that commands run on every call must use an index, not scan the table.
    @Test(arguments: [
        ("SELECT id FROM versions WHERE manifest_digest = 'x'", "INDEX"),
        ("SELECT version_id FROM version_files WHERE digest = 'x'", "version_files_by_digest"),
        ("SELECT id FROM versions WHERE git_commit = 'x'", "versions_by_git_commit"),
        ("SELECT version_id FROM version_datasets WHERE dataset_digest = 'x'", "version_datasets_by_dataset"),
        ("SELECT id FROM versions WHERE model_id = 1 AND number = 3", "INDEX"),
        ("SELECT version_id FROM version_labels WHERE model_id = 1 AND key = 'a' AND value = 'b'", "version_labels_by_model"),
        ("SELECT version_id FROM version_metrics WHERE model_id = 1 AND dataset = 'h' AND name = 'auc' AND value >= 0.9", "version_metrics_by_model"),
        ("SELECT number FROM versions WHERE model_id = 1 AND created_at >= '2026' AND created_at < '2027'", "versions_by_model_time"),
        ("SELECT MIN(number), MAX(number) FROM versions WHERE model_id = 1 AND created_at >= '2026'", "COVERING INDEX versions_by_model_time"),
        ("SELECT to_version_id FROM events WHERE model_id = 1 AND alias = 'production' ORDER BY seq DESC LIMIT 1", "events_by_alias"),
        (
            "SELECT to_version_id, seq FROM events WHERE model_id = 1 AND alias = 'production' AND seq < 100 AND action IN ('promote', 'rollback')"
                + " AND to_version_id IS NOT NULL ORDER BY seq DESC LIMIT 32", "events_by_alias"
        ),
        ("SELECT 1 FROM events WHERE to_version_id = 3 AND action = 'deprecate'", "events_by_target"),
        ("SELECT 1 FROM events WHERE from_version_id = 3 AND action = 'rollback'", "events_by_source"),
        ("SELECT * FROM signatures WHERE version_id = 3", "PRIMARY KEY"),
        ("SELECT dataset_digest FROM dataset_names WHERE name = 'x' ORDER BY added_at DESC LIMIT 1", "dataset_names_by_time"),
        ("SELECT name FROM dataset_names WHERE dataset_digest = 'x'", "dataset_names_by_digest"),
        ("SELECT * FROM dataset_profiles WHERE dataset_digest = 'x'", "PRIMARY KEY"),
        ("SELECT MAX(id) FROM evaluations WHERE version_id = 3 GROUP BY dataset_key", "evaluations_by_version"),
        ("SELECT id FROM evaluations WHERE predictions_digest = 'x'", "evaluations_by_predictions"),
        ("SELECT * FROM evaluation_metrics WHERE evaluation_id = 3 ORDER BY position", "PRIMARY KEY"),
        ("SELECT * FROM drift_reports WHERE version_id = 3 AND event_seq < 900 ORDER BY event_seq DESC LIMIT 20", "drift_reports_by_version"),
        ("SELECT version_id, role FROM version_datasets WHERE dataset_digest = 'x' ORDER BY version_id LIMIT 20", "version_datasets_by_dataset"),
        (
            "SELECT d.action FROM events d WHERE d.to_version_id = 3 AND d.action IN ('delete', 'undelete') ORDER BY d.seq DESC LIMIT 1",
            "events_deletions"
        ),
        ("SELECT COUNT(*) FROM events WHERE model_id = 1 AND action = 'delete'", "events_by_model_action"),
    ])
    func queriedColumnsAreIndexed(_ query: String, _ expected: String) throws {
        let plan = try Self.plan(of: query)
        #expect(plan.contains(expected), "\(query): \(plan)")
        #expect(!plan.contains("SCAN"), "\(query): \(plan)")
    }

    /// Whether an alias was ever used (a policy's `require_from` that it does not define) is one
    /// seek per model on the ledger's alias index, not a read of every event.
    @Test func anAliasEverUsedIsOneSeekPerModel() throws {
        let plan = try Self.plan(of: MetadataDatabase.aliasEverUsedQuery.replacingOccurrences(of: "?", with: "'staging'"))
        #expect(plan.contains("SEARCH e USING COVERING INDEX events_by_alias (model_id=? AND alias=?)") && !plan.contains("SCAN e"), "\(plan)")
    }

    /// SQLite's plan of `query` on a new registry's schema, its steps on one line.
    static func plan(of query: String) throws -> String {
        let directory = TemporaryDirectory()
        let path = directory.url("registry.sqlite")
        _ = try MetadataDatabase.open(path: path)
        return try run("/usr/bin/env", ["python3", "-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            print(" ".join(row[-1] for row in db.execute("EXPLAIN QUERY PLAN " + sys.argv[2])))
            """, path, query], in: directory.path).stdout
    }
}
