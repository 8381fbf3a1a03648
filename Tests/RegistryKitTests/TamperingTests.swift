import Foundation
import RegistryBackends
import RegistryKit
import RegistryModel
import RegistryTestSupport
import Testing

/// An attacker with write access to the metadata database, and nothing else: every edit of a
/// fact a gate, `show`, `diff` or `compare` reads is found by verify (exit 5, naming the version
/// and the field) and refuses promotions, moving nothing.
@Suite struct TamperingTests {
    /// churn@1 (holdout.auc 0.90, dirty git tree, params and labels, a dataset) and churn@2, a
    /// policy whose production gates read all of it, and an evaluation of churn@1.
    func registry() throws -> Workspace {
        let space = try Workspace()
        let (_, _) = try makeGitRepository(at: space.directory.url("code"))
        try space.file("code/untracked.py", "print('dirty')\n")
        try space.file("code/out/weights.bin", "weights v1")
        try space.file("code/data/train.csv", "x,y\n1,0\n2,1\n3,0\n")
        var request = space.request("churn", ["code/out"], git: .repository(space.directory.url("code")))
        request.metrics = [try Metric(key: "holdout.auc", value: 0.90)]
        request.params = ["lr": .number(0.01)]
        request.labels = ["owner": "risk"]
        request.description = "baseline"
        request.datasets = [("train", "code/data/train.csv")]
        _ = try space.registry.register(request)
        try space.registerVersion("churn", "2", metrics: ["holdout.auc": 0.85])
        try space.policy("""
            [aliases.production]
            min = { "holdout.auc" = 0.95, "holdout.recall" = 0.5 }
            require_clean_git = true
            """)
        _ = try space.registry.evaluate(EvaluationRequest(
            reference: "churn@1", dataset: "train", datasetKey: "holdout",
            source: .metrics([try Metric(key: "recall", value: 0.4)]), git: .none, registrant: releaser, currentDirectory: space.directory.path))
        try assertRegistryConsistent(space.root)
        return space
    }

    /// Verify fails naming the version and `field`; promoting refuses with exit 5 and moves nothing.
    func expectCaught(_ space: Workspace, field: String, kind: IntegrityProblem.Kind = .manifestMismatch, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let report = try space.registry.verify([])
        let problem = try #require(report.problems.first { $0.kind == kind }, "\(report.problems.map(\.detail))", sourceLocation: sourceLocation)
        #expect(problem.detail.contains("churn@1") && problem.detail.contains(field), "\(problem.detail)", sourceLocation: sourceLocation)
        #expect(problem.affected == ["churn@1"], sourceLocation: sourceLocation)
        #expect(try space.registry.verify(["churn@2"]).isIntact, "other versions are unaffected", sourceLocation: sourceLocation)
        let before = try registrySnapshot(space.root)
        let error = try expectFailure(.integrity) { try space.promote("churn@1", to: "production", force: true, reason: "trust me") }
        #expect(error.message.contains("churn@1") && error.message.contains("changed outside mreg"), sourceLocation: sourceLocation)
        #expect(space.holder("production") == nil, sourceLocation: sourceLocation)
        #expect(try registrySnapshot(space.root) == before, "a refusal writes nothing", sourceLocation: sourceLocation)
        // What `show` reads: the version and its evaluations.
        try expectFailure(.integrity) { try space.registry.evaluations(of: try space.registry.resolve(reference: "churn@1")) }
    }

    @Test func anEditedRegisteredMetricIsNamed() throws {
        let space = try registry()
        try executeSQL(space.root, "UPDATE version_metrics SET value = 0.9999 WHERE name = 'auc' AND version_id = 1")
        try expectCaught(space, field: "metrics.holdout.auc")
    }

    @Test func aDirtyBuildRelabelledCleanIsNamed() throws {
        let space = try registry()
        #expect(try space.registry.resolve(reference: "churn@1").git?.dirty == true)
        try executeSQL(space.root, "UPDATE versions SET git_dirty = FALSE WHERE id = 1")
        try expectCaught(space, field: "git.dirty")
    }

    @Test func editedDirtyPathsAreNamed() throws {
        let space = try registry()
        try executeSQL(space.root, "UPDATE versions SET git_changed_paths_json = '[]' WHERE id = 1")
        try expectCaught(space, field: "git.changed_paths")
    }

    @Test func editedParametersLabelsDescriptionAndFilesAreNamed() throws {
        for (sql, field) in [
            ("UPDATE versions SET params_json = '{\"lr\":0.1}' WHERE id = 1", "params.lr"),
            ("UPDATE version_labels SET value = 'growth' WHERE version_id = 1", "labels.owner"),
            ("DELETE FROM version_labels WHERE version_id = 1", "labels.owner"),
            ("UPDATE versions SET description = 'improved' WHERE id = 1", "description"),
            ("UPDATE version_files SET executable = TRUE WHERE version_id = 1", "files"),
            ("UPDATE versions SET parent_version_id = 2 WHERE id = 1", "parent"),
            ("UPDATE version_datasets SET role = 'holdout' WHERE version_id = 1", "datasets"),
        ] {
            let space = try registry()
            try executeSQL(space.root, sql)
            try expectCaught(space, field: field)
        }
    }

    @Test func anEditedRegistrationRecordIsNamed() throws {
        for (sql, field) in [
            ("UPDATE versions SET git_message = 'reviewed' WHERE id = 1", "git"),
            ("UPDATE versions SET created_by_user = 'alice' WHERE id = 1", "registrant"),
            ("UPDATE version_datasets SET source_path = 'elsewhere.csv' WHERE version_id = 1", "dataset_sources"),
        ] {
            let space = try registry()
            try executeSQL(space.root, sql)
            try expectCaught(space, field: field, kind: .recordMismatch)
        }
    }

    @Test func anEditedEvaluationIsFoundAndStopsTheGates() throws {
        let space = try registry()
        try executeSQL(space.root, "UPDATE evaluation_metrics SET value = 0.99 WHERE name = 'recall'")
        try expectCaught(space, field: "metrics", kind: .recordMismatch)
    }

    @Test func aDeletedEvaluationIsFound() throws {
        let space = try registry()
        try executeSQL(space.root, "DELETE FROM evaluation_metrics; DELETE FROM evaluations")
        try expectCaught(space, field: "was deleted", kind: .recordMismatch)
    }

    @Test func anEvaluationAddedBehindMregsBackIsFound() throws {
        let space = try registry()
        try executeSQL(space.root, """
            INSERT INTO evaluations (version_id, dataset_digest, dataset_key, task, predictions_digest, details_json, git_commit, git_dirty,
                created_at, created_by_user, created_by_host)
            SELECT version_id, dataset_digest, dataset_key, task, predictions_digest, details_json, git_commit, git_dirty,
                '2030-01-01T00:00:00.000Z', created_by_user, created_by_host FROM evaluations;
            INSERT INTO evaluation_metrics (evaluation_id, position, name, value) VALUES (2, 0, 'recall', 0.9);
            """)
        try expectCaught(space, field: "recorded by no ledger event", kind: .recordMismatch)
    }

    /// Which model a metric or label entry is filed under is what `list NAME --where/--label`
    /// searches by; the ledger does not cover it, so verify compares it with the version's own.
    @Test func entriesFiledUnderAnotherModelAreFound() throws {
        let space = try registry()
        try space.registerVersion("fraud", "1")
        try executeSQL(space.root, """
            UPDATE version_labels SET model_id = (SELECT id FROM models WHERE name = 'fraud') WHERE version_id = 1;
            UPDATE version_metrics SET model_id = NULL WHERE version_id = 2;
            """)
        let problems = try space.registry.verify([]).problems.filter { $0.kind == .recordMismatch }
        #expect(problems.map(\.affected) == [["churn@1"], ["churn@2"]], "\(problems.map(\.detail))")
        #expect(problems.first?.detail.contains("churn@1's label entries name another model") == true, "\(problems.map(\.detail))")
        #expect(problems.last?.detail.contains("churn@2's metric entries") == true, "\(problems.map(\.detail))")
        #expect(try space.registry.verify(["churn@2"]).problems.map(\.affected) == [["churn@2"]], "a named version is checked too")
        #expect(try space.registry.verify(["fraud@1"]).isIntact)
        try executeSQL(space.root, """
            UPDATE version_labels SET model_id = (SELECT model_id FROM versions WHERE id = 1) WHERE version_id = 1;
            UPDATE version_metrics SET model_id = (SELECT model_id FROM versions WHERE id = 2) WHERE version_id = 2;
            """)
        #expect(try space.registry.verify([]).isIntact, "filed back, nothing is wrong")
    }

    @Test func aGarbageFileDigestIsAnIntegrityFailureNotABug() throws {
        let space = try registry()
        try executeSQL(space.root, "UPDATE version_files SET digest = 'garbage' WHERE version_id = 1")
        let report = try space.registry.verify([])
        let problem = try #require(report.problems.first { $0.kind == .malformed })
        #expect(problem.detail.contains("churn@1 file weights.bin has a malformed digest 'garbage'"))
        try expectFailure(.integrity) { try space.registry.resolve(reference: "churn@1") }
        #expect(try space.registry.verify(["churn@1"]).problems.contains { $0.kind == .malformed })
        try expectFailure(.integrity) { try space.registry.collectGarbage(dryRun: true) }
    }

    @Test func anEditedDatasetProfileOrNameIsFound() throws {
        let space = try registry()
        try space.file("data/named.csv", "a\n1\n")
        _ = try space.registry.addDataset(name: "named", path: "data/named.csv", currentDirectory: space.directory.path, actor: releaser)
        try assertRegistryConsistent(space.root)
        try executeSQL(space.root, "UPDATE dataset_profiles SET profile_json = replace(profile_json, '\"rows\"', '\"rowz\"')")
        let problems = try space.registry.verify([]).problems
        #expect(problems.filter { $0.kind == .recordMismatch }.count == 2, "\(problems.map(\.detail))")
        #expect(problems.allSatisfy { $0.detail.contains("a dataset's contents no longer matches") && $0.detail.contains("profiles") })

        let renamed = try Workspace()
        try renamed.file("d.csv", "a\n1\n")
        _ = try renamed.registry.addDataset(name: "d", path: "d.csv", currentDirectory: renamed.directory.path, actor: releaser)
        try executeSQL(renamed.root, "UPDATE dataset_names SET source_path = '/elsewhere/d.csv'")
        #expect(try renamed.registry.verify([]).problems.map(\.detail) == [
            "a dataset name no longer matches what ledger event #2 recorded (changed: source_path) (the database was changed outside mreg)"
        ])
    }

    /// A registry written before fact events existed gets them once, when first opened.
    @Test(.enabled(if: !TestBackend.isPostgres, "only SQLite registries were written before fact events"))
    func rowsFromBeforeTheUpgradeAreRecordedOnce() throws {
        let space = try registry()
        // What the database of an mreg without fact events looked like: no events, v5 not applied.
        try executeSQL(space.root, """
            DELETE FROM events;
            DELETE FROM grdb_migrations WHERE identifier IN ('v5-fact-events', 'v6-annotations', 'v7-ci-actor');
            DROP TABLE pending_fact_events;
            DROP TABLE annotations;
            ALTER TABLE versions DROP COLUMN ci_actor;
            ALTER TABLE versions DROP COLUMN git_work_tree;
            ALTER TABLE evaluations DROP COLUMN ci_actor;
            """)
        let upgraded = try Registry.open(at: space.root)
        let report = try upgraded.verify([])
        #expect(report.isIntact, "\(report.problems.map(\.detail))")
        #expect(report.recordsChecked == 4, "two registrations, an evaluation, a dataset's contents")
        let events = try upgraded.history(model: "churn", alias: nil, limit: nil, facts: true).events
        #expect(events.count == 3 && events.allSatisfy { $0.event.reason?.contains("upgraded to fact events") == true })
        #expect(try Registry.open(at: space.root).verify([]).eventsChecked == report.eventsChecked, "recorded once")
        try space.promote("churn@2", to: "staging")
        try assertRegistryConsistent(space.root)
    }
}
