import Foundation
import RegistryTestSupport
import Testing

/// `mreg retention` on a crafted history: what it lists, what --apply deletes (one event each),
/// what it protects, and that rollback still finds its targets afterwards.
@Suite struct RetentionCommandTests {
    static let rules = """
        [retention]
        keep_last = 3
        protect_aliases = ["production"]

        [retention.models.fraud]
        keep_last = 1
        protect_aliases = []

        [retention.models.young]
        keep_last = 1
        min_age = "30d"
        """

    @Test func retentionDeletesWhatEveryLimitLetsGoAndKeepsRollbackTargets() throws {
        let space = try CLIWorkspace()
        try space.registerVersions([0.81, 0.82, 0.83, 0.84, 0.85, 0.86, 0.87, 0.88])
        try space.registerVersions([0.7, 0.71, 0.72], model: "fraud")
        try space.registerVersions([0.6, 0.61, 0.62], model: "young")
        for number in 1...3 { #expect(try space.run(["promote", "churn@\(number)", "--to", "production"]).status == 0) }
        #expect(try space.run(["promote", "churn@5", "--to", "staging"]).status == 0)

        let unconfigured = try space.run(["retention", "--json"])
        let configured = try unconfigured.json()["configured"] as? Bool
        #expect(unconfigured.status == 0 && configured == false)
        try writeFile(space.registry + "/config.toml", Self.rules)

        // Listed, nothing changed.
        let before = try registrySnapshot(space.registry)
        let plan = try space.run(["retention", "--json"])
        #expect(plan.status == 0, "\(plan.stderr)")
        try expectValid(plan, schema: "retention")
        #expect(try deleted(plan) == ["churn": ["churn@4"], "fraud": ["fraud@2", "fraud@1"], "young": []])
        #expect(try protected(plan)["churn"] == [5, 3, 2, 1], "staging holds 5; 1 to 3 held production")
        #expect(try registrySnapshot(space.registry) == before, "listing changes nothing")
        #expect(try space.run(["retention", "churn"]).stdout.contains("would delete 1 version(s)"))

        let applied = try space.run(["retention", "--apply", "--json"])
        #expect(applied.status == 0, "\(applied.stderr)")
        try expectValid(applied, schema: "retention")
        #expect(try deleted(applied) == ["churn": ["churn@4"], "fraud": ["fraud@2", "fraud@1"], "young": []])
        let churn = try #require((try applied.json()["models"] as? [[String: Any]])?.first { $0["model"] as? String == "churn" })
        let event = try #require(((churn["deleted"] as? [[String: Any]])?.first?["event"] as? [String: Any]))
        #expect(event["action"] as? String == "delete" && (event["reason"] as? String)?.hasPrefix("retention (keep_last = 3") == true)
        #expect(try numbers(try space.run(["list", "churn", "--json"])) == [8, 7, 6, 5, 3, 2, 1])
        #expect(try numbers(try space.run(["list", "fraud", "--json"])) == [3])
        let again = try space.run(["retention", "--json"])
        #expect(try deleted(again) == ["churn": [], "fraud": [], "young": []], "applied once, nothing is left to delete")

        // The rollback targets survived: production walks back 3 → 2 → 1.
        #expect(try space.run(["rollback", "churn", "--alias", "production", "--reason", "regression"]).status == 0)
        #expect(try space.run(["rollback", "churn", "--alias", "production", "--reason", "again"]).status == 0)
        #expect(try space.run(["show", "churn@production", "--json"]).json()["version"] as? Int == 1)
        #expect(try space.run(["gc", "--quiet"], environment: ["MREG_OCI_GC_GRACE": "0"]).status == 0)
        #expect(try space.run(["verify", "--all"]).status == 0)
        try assertRegistryConsistent(space.registry)
    }

    @Test(arguments: [
        ("[retention]\nkeep_last = 0\n", "keep_last"),
        ("[retention]\nmin_age = \"soon\"\n", "min_age"),
        ("[retention]\nkeep = 3\n", "unknown setting"),
        ("[retention]\nprotect_aliases = [\"v2\"]\n", "looks like a version number"),
        ("[retention.models.churn]\nkeep_last = \"all\"\n", "retention.models.churn.keep_last"),
    ])
    func badRulesAreRefusedWithTheirLine(_ rules: String, _ mentioning: String) throws {
        let space = try CLIWorkspace()
        try space.registerVersions([0.8, 0.9])
        try writeFile(space.registry + "/config.toml", rules)
        try space.expectRefusal(["retention", "--apply"], status: 64, mentioning: mentioning)
        #expect(try space.run(["retention"]).stderr.contains("config.toml' line "), "the refusal names the line")
    }

    private func deleted(_ result: ProcessResult) throws -> [String: [String]] {
        var byModel = [String: [String]]()
        for model in try #require(try result.json()["models"] as? [[String: Any]]) {
            byModel[model["model"] as! String] = (model["deleted"] as? [[String: Any]] ?? []).compactMap { $0["reference"] as? String }
        }
        return byModel
    }

    private func protected(_ result: ProcessResult) throws -> [String: [Int]] {
        var byModel = [String: [Int]]()
        for model in try #require(try result.json()["models"] as? [[String: Any]]) {
            byModel[model["model"] as! String] = model["protected"] as? [Int] ?? []
        }
        return byModel
    }

    private func numbers(_ result: ProcessResult) throws -> [Int] {
        try #require(try result.json()["versions"] as? [[String: Any]]).compactMap { $0["version"] as? Int }
    }
}
