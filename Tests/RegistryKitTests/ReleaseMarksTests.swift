import Foundation
import RegistryKit
import RegistryModel
import RegistryTestSupport
import Testing

/// Release semantics of issue 8, point 5: per-alias rollback marks, lifting marks, annotations.
@Suite struct ReleaseMarksTests {
    func rolledBack() throws -> Workspace {
        let space = try Workspace()
        for tag in ["1", "2"] {
            try space.registerVersion("churn", tag)
            try space.promote("churn@\(tag)", to: "production")
        }
        try space.rollback("production", reason: "latency regression")
        return space
    }

    @Test func aVersionRolledBackFromOneAliasCanGoToAnother() throws {
        let space = try rolledBack()
        #expect(space.holder("production") == 1)
        let refused = try space.promote("churn@2", to: "production")
        #expect(refused.result == .refused && refused.report.results[0].detail == "churn@2 was rolled back: from production: latency regression")
        let staging = try space.promote("churn@2", to: "staging")
        #expect(staging.report.results[0].outcome == .passed)
        #expect(space.holder("staging") == 2)
        try assertRegistryConsistent(space.root)
    }

    @Test func marksAreLiftedWithAReasonAsLedgerEvents() throws {
        let space = try rolledBack()
        try expectFailure(.usage) { try space.registry.lift(reference: "churn@2", mark: .rollback(alias: "production"), reason: nil, actor: releaser) }
        let wrong = try expectFailure(.refused) {
            try space.registry.lift(reference: "churn@2", mark: .rollback(alias: "staging"), reason: "r", actor: releaser)
        }
        #expect(wrong.hint == "it was rolled back from production")
        let lifted = try space.registry.lift(reference: "churn@2", mark: .rollback(alias: "production"), reason: "it was the cache", actor: releaser)
        #expect(lifted.event.event.action == .liftRollback && lifted.event.event.alias?.value == "production" && lifted.event.event.from == nil)
        #expect(space.holder("production") == 1, "lifting a mark moves no alias")
        #expect(try space.promote("churn@2", to: "production").result != .refused)
        #expect(space.holder("production") == 2)

        _ = try space.registry.deprecate(reference: "churn@1", reason: "leaky", actor: releaser)
        #expect(try space.registry.releaseMarks(model: "churn").deprecated == [1])
        try expectFailure(.refused) { try space.registry.lift(reference: "churn@2", mark: .deprecation, reason: "r", actor: releaser) }
        _ = try space.registry.lift(reference: "churn@1", mark: .deprecation, reason: "leak was in eval only", actor: releaser)
        #expect(try space.registry.releaseMarks(model: "churn").deprecated.isEmpty)
        let actions = try space.registry.history(model: "churn", alias: nil, limit: 3).events.map(\.event.action)
        #expect(actions == [.liftDeprecation, .deprecate, .promote])
        try assertRegistryConsistent(space.root)
    }

    @Test func annotationsChangeLabelsAndDescriptionButNotTheManifest() throws {
        let space = try Workspace()
        try space.file("m/w.bin", "weights")
        var request = space.request("churn", ["m"])
        request.labels = ["owner": "risk", "experimental": "yes"]
        request.description = "first try"
        let registered = try space.registry.register(request).version
        try expectFailure(.usage) { try space.registry.annotate(reference: "churn@1", Annotation(labels: [:], removedLabels: [], description: nil), reason: nil, actor: releaser) }
        let first = try space.registry.annotate(
            reference: "churn@1", Annotation(labels: ["owner": "growth", "tier": "gold"], removedLabels: ["experimental"], description: "the spring model"),
            reason: "team moved", actor: releaser)
        #expect(first.event?.event.action == .annotate)
        let unchanged = try space.registry.annotate(reference: "churn@1", Annotation(labels: ["owner": "growth"], removedLabels: [], description: nil), reason: nil, actor: releaser)
        #expect(unchanged.event == nil, "an annotation that changes nothing writes nothing")
        let record = try space.registry.resolve(reference: "churn@1")
        #expect(record.manifestDigest == registered.manifestDigest && record.labels == ["owner": "risk", "experimental": "yes"])
        let annotations = try space.registry.annotations(of: record)
        let current = record.annotated(by: annotations)
        #expect(current.labels == ["owner": "growth", "tier": "gold"] && current.description == "the spring model")
        try assertRegistryConsistent(space.root)

        try executeSQL(space.root, "UPDATE annotations SET labels_json = '{\"owner\":\"mallory\"}'")
        let problem = try #require(try space.registry.verify([]).problems.first)
        #expect(problem.kind == .recordMismatch && problem.detail.contains("an annotation of churn@1 no longer matches") && problem.detail.contains("labels"))
        try expectFailure(.integrity) { try space.registry.annotations(of: record) }
    }

    /// An annotation row added without its event is refused where it would be shown.
    @Test func anAnnotationAddedBehindMregsBackIsRefused() throws {
        let space = try Workspace()
        try space.file("m/w.bin", "weights")
        let record = try space.registry.register(space.request("churn", ["m"])).version
        try executeSQL(space.root, """
            INSERT INTO annotations (event_seq, version_id, labels_json, removed_labels_json, description)
            VALUES ((SELECT MAX(seq) FROM events), 1, '{"owner":"mallory"}', '[]', NULL);
            """)
        let error = try expectFailure(.integrity) { try space.registry.annotations(of: record) }
        #expect(error.message.contains("annotation #") && error.message.contains("recorded by no ledger event"))
        #expect(try space.registry.verify([]).problems.contains { $0.kind == .recordMismatch })
    }
}

@Suite struct NoOrphanBlobTests {
    /// Recording facts writes only documents that events commit to: repeated registrations,
    /// evaluations, dataset adds and signatures leave no unreferenced blob behind.
    @Test func everyDayOperationsLeaveNoUnreferencedBlobs() throws {
        let space = try Workspace()
        try space.file("m/w.bin", "weights")
        try space.file("data/train.csv", "x,y\n1,0\n2,1\n")
        var request = space.request("churn", ["m"])
        request.datasets = [("train", "data/train.csv")]
        for _ in 0..<2 { _ = try space.registry.register(request) }
        var other = space.request("other", ["m"])
        other.datasets = [("train", "data/train.csv")]
        _ = try space.registry.register(other)
        for _ in 0..<2 {
            _ = try space.registry.addDataset(name: "train", path: "data/train.csv", currentDirectory: space.directory.path, actor: releaser)
            _ = try space.registry.evaluate(EvaluationRequest(
                reference: "churn@1", dataset: "data/train.csv", datasetKey: nil, source: .metrics([try Metric(key: "auc", value: 0.8)]),
                git: .none, registrant: releaser, currentDirectory: space.directory.path))
        }
        let pair = try Registry.generateKeyPair(name: "k", directory: space.directory.path)
        _ = try space.registry.trustKey(pem: String(decoding: try readFile(pair.publicKey), as: UTF8.self), name: "k")
        for _ in 0..<2 {
            _ = try space.registry.sign(reference: "churn@1", keyPEM: String(decoding: try readFile(pair.privateKey), as: UTF8.self), signer: releaser)
        }
        let report = try space.registry.verify([])
        #expect(report.isIntact && report.unreferencedBlobs.isEmpty, "\(report.unreferencedBlobs)")
    }
}
