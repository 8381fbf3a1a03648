import Foundation
import Policy
import RegistryKit
import RegistryModel
import RegistryTestSupport
import Testing

@Suite struct PromotionTests {
    static let policy = """
        [aliases.staging]
        min = { "holdout.auc" = 0.70 }

        [aliases.production]
        require_from = "staging"
        min = { "holdout.auc" = 0.80 }
        max = { "holdout.log_loss" = 0.45 }
        no_regression = { "holdout.auc" = 0.005 }

        [models.churn.aliases.production]
        min = { "holdout.auc" = 0.85 }
        """

    @Test func metricGatesDecideWhetherTheAliasMoves() throws {
        let space = try Workspace()
        try space.policy(Self.policy)
        try space.registerVersion("churn", "1", metrics: ["holdout.auc": 0.82, "holdout.log_loss": 0.40])
        try space.registerVersion("churn", "2", metrics: ["holdout.auc": 0.90, "holdout.log_loss": 0.30])
        try space.registerVersion("churn", "3", metrics: ["holdout.auc": 0.897, "holdout.log_loss": 0.50])
        try space.registerVersion("churn", "4", metrics: ["holdout.auc": 0.88, "holdout.log_loss": 0.30])
        try space.registerVersion("fraud", "1", metrics: ["holdout.auc": 0.82, "holdout.log_loss": 0.40])

        // churn's override raises the floor to 0.85; fraud keeps the general 0.80.
        try space.promote("churn@1", to: "staging")
        let low = try space.promote("churn@1", to: "production")
        #expect(low.result == .refused)
        #expect(low.report.failures.map(\.label) == ["min holdout.auc"])
        #expect(space.holder("production") == nil)
        try space.promote("fraud@1", to: "staging")
        #expect(try space.promote("fraud@1", to: "production").result != .refused)

        // require_from: version 2 has never held staging.
        let skipped = try space.promote("churn@2", to: "production")
        #expect(skipped.report.failures.map(\.label) == ["require_from"])
        try space.promote("churn@2", to: "staging")
        let promoted = try space.promote("churn@2", to: "production", reason: "beats v1")
        guard case .moved(let event) = promoted.result else { throw TestFailure("expected the alias to move") }
        #expect(event.event.reason == "beats v1" && !event.event.forced)
        #expect(promoted.report.results.first { $0.gate == "no_regression" }?.outcome == .notApplicable)
        #expect(space.holder("production") == 2)

        // Version 3: max log_loss fails; its auc is within the no_regression tolerance of v2.
        try space.promote("churn@3", to: "staging")
        let ceiling = try space.promote("churn@3", to: "production")
        #expect(ceiling.report.failures.map(\.label) == ["max holdout.log_loss"])
        #expect(ceiling.report.results.first { $0.gate == "no_regression" }?.outcome == .passed)
        // Version 4: auc 0.88 is 0.02 below the incumbent's 0.90: a regression.
        try space.promote("churn@4", to: "staging")
        let regression = try space.promote("churn@4", to: "production")
        #expect(regression.report.failures.map(\.label) == ["no_regression holdout.auc"])
        #expect(regression.previous?.number == 2)
        #expect(space.holder("production") == 2)

        // Promoting the holder again is a no-op, not a second event.
        #expect(try space.promote("churn@2", to: "production").result == .unchanged)
        #expect(try space.registry.history(model: "churn", alias: "production", limit: nil).total == 1)
        try assertRegistryConsistent(space.root)
    }

    @Test func aRefusedOrDryRunPromotionChangesNothing() throws {
        let space = try Workspace()
        try space.policy(Self.policy)
        try space.registerVersion("churn", "1", metrics: ["holdout.auc": 0.5])
        try space.registerVersion("churn", "2", metrics: ["holdout.auc": 0.9])
        try space.promote("churn@2", to: "staging")
        let before = try registrySnapshot(space.root)
        #expect(try space.promote("churn@1", to: "staging").result == .refused)
        #expect(try space.promote("churn@1", to: "canary", dryRun: true).result == .dryRun)
        #expect(try space.promote("churn@1", to: "staging", dryRun: true).report.failures.count == 1)
        #expect(try registrySnapshot(space.root) == before)
    }

    @Test func forceOverridesFailedGatesOnlyWithAReasonAndRecordsThem() throws {
        let space = try Workspace()
        try space.policy(Self.policy)
        try space.registerVersion("churn", "1", metrics: ["holdout.auc": 0.5])
        let before = try registrySnapshot(space.root)
        let missingReason = try expectFailure(.usage) { try space.promote("churn@1", to: "production", force: true) }
        #expect(missingReason.message.contains("--reason"))
        try expectFailure(.usage) { try space.promote("churn@1", to: "production", force: true, reason: "   ") }
        #expect(try registrySnapshot(space.root) == before)

        let forced = try space.promote("churn@1", to: "production", force: true, reason: "hotfix INC-150")
        guard case .moved(let event) = forced.result else { throw TestFailure("expected a forced move") }
        #expect(forced.forced && event.event.forced)
        #expect(event.event.reason == "hotfix INC-150")
        let gates = try JSONDecoder().decode([[String: JSONValue]].self, from: Data(event.event.gates.utf8))
        let failed = gates.filter { $0["outcome"] == .string("failed") }.compactMap { $0["gate"] }
        // max holdout.log_loss fails too: a metric a gate needs and the version lacks is a failure.
        #expect(failed == [.string("require_from"), .string("min"), .string("max")])
        #expect(space.holder("production") == 1)

        // Forcing a promotion whose gates all pass is not recorded as forced.
        try space.registerVersion("churn", "2", metrics: ["holdout.auc": 0.9])
        let clean = try space.promote("churn@2", to: "staging", force: true, reason: "routine")
        #expect(!clean.forced)
        try assertRegistryConsistent(space.root)
    }

    @Test func cleanGitSignatureAndVerifiedGatesLookAtTheVersionItself() throws {
        let space = try Workspace()
        try space.policy("""
            [aliases.production]
            require_clean_git = true
            require_signature = true
            require_verified = true
            """)
        let repo = space.directory.url("project")
        _ = try makeGitRepository(at: repo, files: ["train.py": "fit()\n", ".gitignore": "out/\n"])
        try writeFile(repo + "/out/w.bin", "weights clean")
        _ = try space.registry.register(RegistrationRequest(model: "churn", paths: ["out"], git: .discover(from: repo), registrant: releaser, currentDirectory: repo))
        try writeFile(repo + "/train.py", "fit(harder)\n")
        try writeFile(repo + "/out/w.bin", "weights dirty")
        _ = try space.registry.register(RegistrationRequest(model: "churn", paths: ["out"], git: .discover(from: repo), registrant: releaser, currentDirectory: repo))

        let unsigned = try space.promote("churn@1", to: "production")
        #expect(unsigned.report.failures.map(\.label) == ["require_signature"])
        let dirty = try space.promote("churn@2", to: "production")
        #expect(Set(dirty.report.failures.map(\.label)) == ["require_clean_git", "require_signature"])

        // Sign both with a trusted key: version 1 passes; version 2 is still dirty.
        let keys = space.directory.url("keys")
        try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true)
        let pair = try Registry.generateKeyPair(name: "release", directory: keys)
        let privatePEM = String(decoding: try readFile(pair.privateKey), as: UTF8.self)
        try expectFailure(.refused) { try space.registry.sign(reference: "churn@1", keyPEM: privatePEM, signer: Registrant(user: "release", host: "laptop")) }
        _ = try space.registry.trustKey(pem: String(decoding: try readFile(pair.publicKey), as: UTF8.self), name: "release")
        #expect(try space.registry.sign(reference: "churn@1", keyPEM: privatePEM, signer: Registrant(user: "release", host: "laptop")).created)
        #expect(try !space.registry.sign(reference: "churn@1", keyPEM: privatePEM, signer: Registrant(user: "release", host: "laptop")).created)
        _ = try space.registry.sign(reference: "churn@2", keyPEM: privatePEM, signer: Registrant(user: "release", host: "laptop"))
        #expect(try space.promote("churn@2", to: "production").report.failures.map(\.label) == ["require_clean_git"])

        // require_verified re-hashes: a corrupt blob fails it even though everything else passes.
        let record = try space.registry.resolve(reference: "churn@1")
        try alterStoredBlob(space.root, hex: record.files[0].digest.hex, to: "weights clEan")
        let corrupt = try space.promote("churn@1", to: "production")
        #expect(corrupt.report.failures.map(\.label) == ["require_verified"])
        try alterStoredBlob(space.root, hex: record.files[0].digest.hex, to: "weights clean")
        let passed = try space.promote("churn@1", to: "production", reason: "signed and clean")
        #expect(passed.report.passed && space.holder("production") == 1)
        #expect(passed.report.results.first { $0.gate == "require_signature" }?.detail == "signed by release")
    }

    @Test func aMalformedPolicyNamesTheLineAndKeyAndPromotesNothing() throws {
        let space = try Workspace()
        try space.registerVersion("churn", "1", metrics: ["holdout.auc": 0.9])
        try space.policy("[aliases.production]\nmin = { \"holdout.auc\" = \"0.8\" }\n")
        let before = try registrySnapshot(space.root)
        let error = try expectFailure(.usage) { try space.promote("churn@1", to: "production") }
        #expect(error.message.contains("line 2") && error.message.contains("aliases.production.min.\"holdout.auc\""))
        #expect(error.message.contains("must be a number"))
        #expect(try registrySnapshot(space.root) == before)
    }

    @Test func aliasNamesMayNotLookLikeVersionsOrDigests() throws {
        let space = try Workspace()
        try space.registerVersion("churn", "1")
        for name in ["7", "v7", "latest", "sha256", "Prod", "a/b", ""] {
            try expectFailure(.usage) { try space.promote("churn@1", to: name) }
        }
        try space.promote("churn@1", to: "champion-2")
        #expect(try space.registry.resolve(reference: "churn@champion-2").number == 1)
    }

    @Test func deprecatedVersionsAreRefusedAndShownWithTheirReason() throws {
        let space = try Workspace()
        try space.registerVersion("churn", "1")
        try space.registerVersion("churn", "2")
        try space.promote("churn@1", to: "production")
        try expectFailure(.usage) { try space.registry.deprecate(reference: "churn@1", reason: nil, actor: releaser) }
        let (_, event) = try space.registry.deprecate(reference: "churn@1", reason: "trained on leaky data", actor: releaser)
        #expect(event?.event.action == .deprecate)
        #expect(try space.registry.deprecate(reference: "churn@1", reason: "again", actor: releaser).event == nil)
        let state = try space.registry.releaseState(of: try space.registry.resolve(reference: "churn@1"))
        #expect(state.deprecation == "trained on leaky data" && state.aliases.map(\.value) == ["production"])
        try space.promote("churn@2", to: "production")
        let refused = try space.promote("churn@1", to: "production")
        #expect(refused.result == .refused && refused.report.failures.map(\.gate) == ["status"])
        #expect(try space.registry.releaseMarks(model: "churn").deprecated == [1])
        try assertRegistryConsistent(space.root)
    }
}
