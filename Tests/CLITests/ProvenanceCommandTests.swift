import Foundation
import RegistryTestSupport
import Testing

/// Where a metric came from, as the gate report shows it, and policy warnings (issue 8, points 2 and 4).
@Suite struct ProvenanceCommandTests {
    /// churn@1 with a dataset and a binary predictions file that scores about 0.8 roc_auc.
    func workspace() throws -> CLIWorkspace {
        let space = try CLIWorkspace()
        try writeFile(space.directory.url("m/w.bin"), "weights")
        try writeFile(space.directory.url("data/holdout.csv"), "x,y\n1,0\n2,1\n")
        #expect(try space.run(["register", "churn", "m", "--no-git", "--dataset", "holdout=data/holdout.csv"]).status == 0)
        var csv = "label,score\n"
        var random = SeededGenerator(seed: 3)
        for row in 0..<300 {
            let label = row % 2
            csv += "\(label),\(min(1, Double(random.next() % 60) / 100 + (label == 1 ? 0.3 : 0.05)))\n"
        }
        try writeFile(space.directory.url("preds.csv"), csv)
        return space
    }

    @Test func aTypedMetricIsShownAsTypedAndRequireComputedRefusesIt() throws {
        let space = try workspace()
        try writeFile(space.registry + "/policy.toml", "[aliases.production]\nmin = { \"holdout.roc_auc\" = 0.7 }\n")
        #expect(try space.run(["evaluate", "churn@1", "--dataset", "holdout", "--metric", "roc_auc=0.99", "--no-git"]).status == 0)
        let typed = try space.run(["promote", "churn@1", "--to", "production", "--dry-run"])
        #expect(typed.status == 0 && typed.stdout.contains("PASS  min holdout.roc_auc  0.99 is at or above the floor 0.7 (given to 'mreg evaluate' as a number)"), "\(typed.stdout)")

        try writeFile(space.registry + "/policy.toml", "[aliases.production]\nrequire_computed = true\nmin = { \"holdout.roc_auc\" = 0.7 }\n")
        let refused = try space.run(["promote", "churn@1", "--to", "production", "--dry-run", "--json"])
        #expect(refused.status == 4, "a dry run whose gates fail exits 4")
        try expectValid(refused, schema: "promote")
        let gate = try #require((try refused.json()["gates"] as? [[String: Any]])?.first { $0["metric"] as? String == "holdout.roc_auc" })
        #expect(gate["provenance"] as? String == "reported" && gate["outcome"] as? String == "failed")
        #expect(try refused.json()["would_move"] as? Bool == false)
        try space.expectRefusal(["promote", "churn@1", "--to", "production"], status: 4, mentioning: "min holdout.roc_auc")

        #expect(try space.run(["evaluate", "churn@1", "--dataset", "holdout", "--predictions", "preds.csv", "--task", "binary", "--bootstrap", "0", "--no-git"]).status == 0)
        let computed = try space.run(["promote", "churn@1", "--to", "production", "--json"])
        #expect(computed.status == 0, "\(computed.stdout)")
        try expectValid(computed, schema: "promote")
        let passed = try #require((try computed.json()["gates"] as? [[String: Any]])?.first { $0["metric"] as? String == "holdout.roc_auc" })
        #expect(passed["provenance"] as? String == "computed" && passed["outcome"] as? String == "passed")
        #expect(try computed.json()["would_move"] as? Bool == true)
    }

    @Test func policyWarnsAboutWhatDoesNotExist() throws {
        let space = try workspace()
        #expect(try space.run(["evaluate", "churn@1", "--dataset", "holdout", "--predictions", "preds.csv", "--task", "binary", "--bootstrap", "0", "--no-git"]).status == 0)
        try writeFile(space.registry + "/policy.toml", """
            [aliases.production]
            require_from = "stagin"
            min = { "holdout.auc" = 0.7 }

            [models.chrun.aliases.production]
            min = { "holdout.auc" = 0.9 }
            """)
        let policy = try space.run(["policy", "--model", "churn"])
        #expect(policy.status == 0)
        #expect(policy.stderr.contains("warning: policy.toml has a section [models.chrun], but this registry has no model 'chrun'"))
        #expect(policy.stderr.contains("warning: require_from = \"stagin\" in [aliases.production] names an alias that policy.toml does not define and no version has ever held"))
        #expect(policy.stderr.contains("warning: no version of churn has ever had metric holdout.auc, which a gate reads; it has had holdout.roc_auc, the same metric under another name"), "\(policy.stderr)")
        let json = try space.run(["policy", "--model", "churn", "--json"])
        try expectValid(json, schema: "policy-check")
        #expect((try json.json()["warnings"] as? [String])?.count == 3)

        let promote = try space.run(["promote", "churn@1", "--to", "production"])
        #expect(promote.status == 4)
        #expect(promote.stderr.contains("warning: policy.toml has a section [models.chrun]"))
        #expect(promote.stdout.contains("churn@1 has no metric holdout.auc, but has holdout.roc_auc, the same metric under another name"))
        // Once a version has held the alias, it is no typo.
        #expect(try space.run(["promote", "churn@1", "--to", "stagin", "-q"]).status == 0)
        let held = try space.run(["policy", "--model", "churn"])
        #expect(held.status == 0 && !held.stderr.contains("require_from") && held.stderr.contains("[models.chrun]"), "\(held.stderr)")
    }
}
