import Foundation
import RegistryTestSupport
import Testing

extension CLIWorkspace {
    /// Registers `count` versions of churn with the given auc per version.
    func registerVersions(_ aucs: [Double], model: String = "churn") throws {
        for (index, auc) in aucs.enumerated() {
            try writeFile(directory.url("\(model)\(index)/w.bin"), "weights \(model) \(index)")
            try writeFile(directory.url("\(model)\(index).json"), #"{"holdout": {"auc": \#(auc), "log_loss": 0.3}}"#)
            let result = try run(["register", model, "\(model)\(index)", "--metrics", "\(model)\(index).json", "--no-git", "--quiet"])
            guard result.status == 0 else { throw TestFailure("register failed: \(result.stderr)") }
        }
    }

    /// One line on stderr, the documented exit status, and an unchanged registry.
    func expectRefusal(_ arguments: [String], status: Int32, mentioning text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try registrySnapshot(registry)
        let result = try run(arguments)
        #expect(result.status == status, "\(arguments): \(result.stderr)", sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.hasPrefix("error: ") == true, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(text), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(try registrySnapshot(registry) == before, "\(arguments) changed the registry", sourceLocation: sourceLocation)
    }
}

@Suite struct ReleaseCommandTests {
    static let policy = """
        [aliases.production]
        require_from = "staging"
        min = { "holdout.auc" = 0.80 }
        no_regression = { "holdout.auc" = 0.005 }
        """

    @Test func theReleaseStoryWithValidJSONAtEveryStep() throws {
        let space = try CLIWorkspace()
        try writeFile(space.registry + "/policy.toml", Self.policy)
        try space.registerVersions([0.82, 0.86, 0.79])

        for version in ["1", "2"] {
            #expect(try space.run(["promote", "churn@\(version)", "--to", "staging"]).status == 0)
        }
        let promote = try space.run(["promote", "churn@1", "--to", "production", "--reason", "first release", "--json"])
        #expect(promote.status == 0, "\(promote.stderr)")
        try expectValid(promote, schema: "promote")
        let promoted = try promote.json()
        #expect(promoted["result"] as? String == "moved")
        #expect((promoted["event"] as? [String: Any])?["reason"] as? String == "first release")

        let text = try space.run(["promote", "churn@2", "--to", "production", "--reason", "beats v1 on holdout"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("PASS  require_from") && text.stdout.contains("moved: production now points at churn@2"))

        // Version 3 fails two gates: the report says which, with the values, and nothing moves.
        let refused = try space.run(["promote", "churn@3", "--to", "production"])
        #expect(refused.status == 4)
        #expect(refused.stdout.contains("FAIL  min holdout.auc") && refused.stdout.contains("0.79 is below the floor 0.8"))
        #expect(refused.stdout.contains("FAIL  require_from"))
        #expect(refused.stderr.hasPrefix("error: promotion of churn@3 to production refused: 3 gate(s) failed"))
        let refusedJSON = try space.run(["promote", "churn@3", "--to", "production", "--json"])
        #expect(refusedJSON.status == 4)
        try expectValid(refusedJSON, schema: "promote")
        #expect(try refusedJSON.json()["result"] as? String == "refused")
        try space.expectRefusal(["promote", "churn@3", "--to", "production"], status: 4, mentioning: "refused")
        try space.expectRefusal(["promote", "churn@3", "--to", "production", "--force"], status: 64, mentioning: "--reason")

        let dryRun = try space.run(["promote", "churn@3", "--to", "production", "--dry-run", "--json"])
        #expect(dryRun.status == 4, "a dry run whose gates fail exits as the promotion would")
        #expect(try dryRun.json()["result"] as? String == "dry_run" && dryRun.json()["would_move"] as? Bool == false)
        try expectValid(dryRun, schema: "promote")

        let forced = try space.run(["promote", "churn@3", "--to", "production", "--force", "--reason", "hotfix approved INC-150"])
        #expect(forced.status == 0 && forced.stdout.contains("forced past 3 failed gate(s)"))

        let rollback = try space.run(["rollback", "churn", "--alias", "production", "--reason", "latency regression INC-142", "--json"])
        #expect(rollback.status == 0, "\(rollback.stderr)")
        try expectValid(rollback, schema: "rollback")
        let rolled = try rollback.json()
        #expect((rolled["to"] as? [String: Any])?["reference"] as? String == "churn@2")
        #expect((rolled["from"] as? [String: Any])?["reference"] as? String == "churn@3")

        let history = try space.run(["history", "churn", "--alias", "production", "--json"])
        try expectValid(history, schema: "history")
        let events = try #require(try history.json()["events"] as? [[String: Any]])
        #expect(events.compactMap { $0["action"] as? String } == ["rollback", "promote", "promote", "promote"])
        #expect(events.compactMap { $0["forced"] as? Bool } == [false, true, false, false])
        let historyText = try space.run(["history", "churn"])
        #expect(historyText.stdout.contains("promote (forced)") && historyText.stdout.contains("ledger head: #9 sha256:"), "three registrations, then six release events")

        let show = try space.run(["show", "churn@production", "--json"])
        try expectValid(show, schema: "version")
        #expect(try show.json()["aliases"] as? [String] == ["production", "staging"])
        let showRolledBack = try space.run(["show", "churn@3"])
        #expect(showRolledBack.stdout.contains("ROLLED BACK from production: latency regression INC-142"))
        let list = try space.run(["list", "churn", "--json"])
        try expectValid(list, schema: "list-versions")
        let rows = try #require(try list.json()["versions"] as? [[String: Any]])
        #expect(rows.compactMap { $0["status"] as? String } == ["rolled_back", "active", "active"])
        let models = try space.run(["list", "--json"])
        try expectValid(models, schema: "list-models")
        #expect(((try models.json()["models"] as? [[String: Any]])?.first?["aliases"] as? [String: Int]) == ["production": 2, "staging": 2])
        #expect(try space.run(["list"]).stdout.contains("production=2 staging=2"))

        let at = try space.run(["history", "churn", "--at", "2000-01-01T00:00:00Z", "--json"])
        try expectValid(at, schema: "history-at")
        #expect((try at.json()["aliases"] as? [Any])?.isEmpty == true)
        let now = try space.run(["history", "churn", "--alias", "production", "--at", "2999-01-01T00:00:00Z", "--json"])
        try expectValid(now, schema: "history-at")
        try space.expectRefusal(["history", "churn", "--at", "yesterday"], status: 64, mentioning: "ISO 8601")

        let demote = try space.run(["demote", "churn", "--alias", "staging", "--reason", "env retired", "--json"])
        #expect(demote.status == 0)
        try expectValid(demote, schema: "demote")
        try space.expectRefusal(["show", "churn@staging"], status: 2, mentioning: "demoted")
        let listed = try #require((try space.run(["list", "--json"]).json()["models"] as? [[String: Any]])?.first)
        #expect(listed["aliases"] as? [String: Int] == ["production": 2], "a demoted alias is not listed: \(listed)")

        let deprecate = try space.run(["deprecate", "churn@1", "--reason", "leaky data", "--json"])
        #expect(deprecate.status == 0)
        try expectValid(deprecate, schema: "deprecate")
        try space.expectRefusal(["deprecate", "churn@1"], status: 64, mentioning: "--reason")
        #expect(try space.run(["list", "churn"]).stdout.contains("deprecated"))

        let verify = try space.run(["verify", "--json"])
        #expect(verify.status == 0)
        try expectValid(verify, schema: "verify")
        #expect(try verify.json()["events_checked"] as? Int == 11 && verify.json()["records_checked"] as? Int == 3)
        #expect((try verify.json()["head"] as? [String: Any])?["sequence"] as? Int == 11)
        try assertRegistryConsistent(space.registry)
    }

    @Test func refusalsHaveTheirDocumentedCodesAndChangeNothing() throws {
        let space = try CLIWorkspace()
        try space.registerVersions([0.9])
        try space.expectRefusal(["promote", "churn@1", "--to", "v2"], status: 64, mentioning: "looks like a version number")
        try space.expectRefusal(["promote", "churn@7", "--to", "production"], status: 2, mentioning: "names no version")
        try space.expectRefusal(["promote", "nope@1", "--to", "production"], status: 2, mentioning: "no model named 'nope'")
        try space.expectRefusal(["rollback", "churn", "--alias", "production"], status: 2, mentioning: "has no alias 'production'")
        #expect(try space.run(["promote", "churn@1", "--to", "production"]).status == 0)
        try space.expectRefusal(["rollback", "churn", "--alias", "production"], status: 4, mentioning: "no earlier version")
        try space.expectRefusal(["promote", "churn@1", "--to", "production", "--force", "--dry-run"], status: 64, mentioning: "exclude each other")
        try space.expectRefusal(["sign", "churn@1", "--key", "missing.key"], status: 2, mentioning: "missing.key")

        // A malformed policy names its line and key; nothing is promoted.
        try writeFile(space.registry + "/policy.toml", "[aliases.production]\nrequire_clean_git = true\nmin = { \"holdout.auc\" = 0.8, }\n")
        try space.expectRefusal(["promote", "churn@1", "--to", "staging"], status: 64, mentioning: "line 3")
        try writeFile(space.registry + "/policy.toml", "[aliases.production]\nrequire_signed = true\n")
        try space.expectRefusal(["promote", "churn@1", "--to", "staging"], status: 64, mentioning: "line 2, key 'aliases.production.require_signed': unknown gate")
        try space.expectRefusal(["policy"], status: 64, mentioning: "require_signed")
        let json = try space.run(["promote", "churn@1", "--to", "staging", "--json"])
        #expect(json.status == 64)
        try expectValid(json, schema: "error")
    }

    @Test func keysSignAndVerifyFromTheCommandLine() throws {
        let space = try CLIWorkspace()
        try space.registerVersions([0.9, 0.91])
        try writeFile(space.registry + "/policy.toml", "[aliases.production]\nrequire_signature = true\n")
        let generate = try space.run(["keys", "generate", "release", "--out", "secrets", "--json"])
        #expect(generate.status == 2, "the output folder must exist: \(generate.stderr)")
        try FileManager.default.createDirectory(atPath: space.directory.url("secrets"), withIntermediateDirectories: true)
        let made = try space.run(["keys", "generate", "release", "--out", "secrets", "--json"])
        #expect(made.status == 0, "\(made.stderr)")
        try expectValid(made, schema: "keys-generate")
        var info = stat()
        #expect(stat(space.directory.url("secrets/release.key"), &info) == 0 && info.st_mode & 0o777 == 0o600)
        try space.expectRefusal(["keys", "generate", "release", "--out", "secrets"], status: 3, mentioning: "never overwritten")

        try space.expectRefusal(["sign", "churn@1", "--key", "secrets/release.key"], status: 4, mentioning: "not trusted")
        try space.expectRefusal(["keys", "trust", "secrets/release.key"], status: 64, mentioning: "private key")
        let trust = try space.run(["keys", "trust", "secrets/release.pub", "--json"])
        #expect(trust.status == 0)
        try expectValid(trust, schema: "keys-trust")
        let keys = try space.run(["keys", "list", "--json"])
        try expectValid(keys, schema: "keys-list")
        #expect((try keys.json()["keys"] as? [[String: Any]])?.first?["name"] as? String == "release")

        try space.expectRefusal(["promote", "churn@1", "--to", "production"], status: 4, mentioning: "require_signature")
        let sign = try space.run(["sign", "churn@1", "--key", "secrets/release.key", "--json"])
        #expect(sign.status == 0, "\(sign.stderr)")
        try expectValid(sign, schema: "sign")
        #expect(try space.run(["promote", "churn@1", "--to", "production"]).status == 0)
        #expect(try space.run(["show", "churn@1"]).stdout.contains("signature    release"))
        let policy = try space.run(["policy", "--json"])
        try expectValid(policy, schema: "policy-check")

        // Tampering with the stored signature fails verify with the integrity status.
        try executeSQL(space.registry, "UPDATE signatures SET signature = 'AAAA' || substr(signature, 5)")
        let verify = try space.run(["verify", "--json"])
        #expect(verify.status == 5)
        try expectValid(verify, schema: "verify")
        #expect(verify.stdout.contains("bad_signature"))
        #expect(!verify.stdout.contains("\"error\""), "one JSON document: the report, not a second error document")
        let text = try space.run(["verify"])
        #expect(text.status == 5 && text.stdout.contains("BAD_SIGNATURE: the signature of churn@1 by key 'release' does not match"))
    }

    @Test func verifyNamesTheFirstAlteredEventOfTheLedger() throws {
        let space = try CLIWorkspace()
        try space.registerVersions([0.9, 0.91, 0.92])
        for version in 1...3 { #expect(try space.run(["promote", "churn@\(version)", "--to", "production"]).status == 0) }
        try executeSQL(space.registry, "UPDATE events SET actor_user = 'mallory' WHERE seq = 2")
        let verify = try space.run(["verify"])
        #expect(verify.status == 5)
        #expect(verify.stdout.contains("LEDGER: ledger event #2 was altered"))
    }

    /// Cutting off the newest events leaves a valid chain; the head recorded earlier catches it.
    @Test func aRecordedHeadCatchesATruncatedLedger() throws {
        let space = try CLIWorkspace()
        try space.registerVersions([0.9, 0.91])
        for version in 1...2 { #expect(try space.run(["promote", "churn@\(version)", "--to", "production"]).status == 0) }
        let history = try space.run(["history", "churn", "--json"])
        let head = try #require((try history.json()["head"] as? [String: Any])?["digest"] as? String)
        #expect(try space.run(["verify", "--expect-head", head]).status == 0)
        try executeSQL(space.registry, "DELETE FROM events WHERE seq = (SELECT MAX(seq) FROM events)")
        #expect(try space.run(["verify"]).status == 0, "the shortened chain is still a valid chain")
        let caught = try space.run(["verify", "--expect-head", head])
        #expect(caught.status == 5 && caught.stdout.contains("the ledger no longer holds the event with digest \(head)"))
        try space.expectRefusal(["verify", "--expect-head", "nope"], status: 64, mentioning: "not a digest")
    }

    @Test func thePolicyFileMatchesItsSchema() throws {
        let directory = TemporaryDirectory()
        let policy = directory.url("policy.toml")
        try writeFile(policy, PolicyExamples.complete)
        let valid = try run("/bin/sh", ["-c", "python3 \(repositoryRoot)/scripts/validate_json.py policy --toml < \(policy)"], in: directory.path)
        #expect(valid.status == 0, "\(valid.stderr)")
        try writeFile(policy, "[aliases.production]\nrequire_signed = true\n")
        let invalid = try run("/bin/sh", ["-c", "python3 \(repositoryRoot)/scripts/validate_json.py policy --toml < \(policy)"], in: directory.path)
        #expect(invalid.status == 1)
        // So is the demo registry's own policy, and mreg reads it.
        let demoPolicy = "\(repositoryRoot)/registry/policy.toml"
        let demo = try run("/bin/sh", ["-c", "python3 \(repositoryRoot)/scripts/validate_json.py policy --toml < \(demoPolicy)"], in: directory.path)
        #expect(demo.status == 0, "\(demo.stderr)")
        let space = try CLIWorkspace()
        try writeFile(space.registry + "/policy.toml", String(decoding: try readFile(demoPolicy), as: UTF8.self))
        let check = try space.run(["policy", "--json"])
        #expect(check.status == 0, "\(check.stderr)")
        try expectValid(check, schema: "policy-check")
        // The README's example is the one checked here.
        let readme = String(decoding: try readFile(repositoryRoot + "/README.md"), as: UTF8.self)
        #expect(readme.contains(PolicyExamples.complete))
    }
}

enum PolicyExamples {
    /// The complete example of the README's "Policy" section.
    static let complete = """
        # registry/policy.toml: promotion gates, per alias, with per-model overrides.
        lower_is_better = ["log_loss", "rmse", "mae", "mse", "latency_ms"]

        [aliases.staging]
        min = { "holdout.auc" = 0.70 }

        [aliases.production]
        require_clean_git = true          # the version's commit had a clean work tree
        require_signature = true          # signed by a key in registry/keys/
        require_verified = true           # every blob re-hashed and intact at promotion time
        require_from = "staging"          # must hold, or have held, this alias first
        min = { "holdout.auc" = 0.80 }    # metric floors, DATASET.METRIC
        max = { "holdout.log_loss" = 0.45 }
        no_regression = { "holdout.auc" = 0.005 }   # may not be worse than the current holder by more than this

        [models.churn.aliases.production]
        min = { "holdout.auc" = 0.85 }
        """
}
