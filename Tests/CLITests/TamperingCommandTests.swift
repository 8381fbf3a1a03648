import Foundation
import RegistryTestSupport
import Testing

/// The tampering cases as a user meets them: exit 5 with one line naming the version and field.
@Suite struct TamperingCommandTests {
    @Test func anEditedMetricFailsVerifyShowDiffAndPromotionWithStatusFive() throws {
        let space = try CLIWorkspace()
        try space.registerVersions([0.90, 0.85])
        try writeFile(space.registry + "/policy.toml", "[aliases.production]\nmin = { \"holdout.auc\" = 0.95 }\n")
        try space.expectRefusal(["promote", "churn@1", "--to", "production"], status: 4, mentioning: "refused")
        try executeSQL(space.registry, "UPDATE version_metrics SET value = 0.9999 WHERE name = 'auc' AND version_id = 1")

        let verify = try space.run(["verify"])
        #expect(verify.status == 5)
        #expect(verify.stdout.contains("MANIFEST_MISMATCH: the database's record of churn@1 does not match its manifest in metrics.holdout.auc"))
        let json = try space.run(["verify", "--json"])
        try expectValid(json, schema: "verify")
        #expect(json.status == 5 && json.stdout.contains("\"manifest_mismatch\""))
        for command in [["promote", "churn@1", "--to", "production"], ["show", "churn@1"], ["diff", "churn@1", "churn@2"]] {
            try space.expectRefusal(command, status: 5, mentioning: "churn@1 does not match its manifest in metrics.holdout.auc")
        }
        #expect(try space.run(["show", "churn@2"]).status == 0, "an untouched version still shows")
    }

    @Test func aGarbageDigestIsStatusFiveNeverAnInternalError() throws {
        let space = try CLIWorkspace()
        try space.registerVersions([0.90])
        try executeSQL(space.registry, "UPDATE version_files SET digest = 'garbage'")
        let verify = try space.run(["verify"])
        #expect(verify.status == 5 && verify.stdout.contains("MALFORMED: churn@1 file w.bin has a malformed digest 'garbage'"), "\(verify.stdout)\(verify.stderr)")
        try space.expectRefusal(["show", "churn@1"], status: 5, mentioning: "malformed digest 'garbage'")
        try space.expectRefusal(["gc"], status: 5, mentioning: "gc cannot tell which blobs are in use")
    }
}
