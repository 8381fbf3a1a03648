import Foundation
import RegistryTestSupport
import Testing

/// lift and annotate from the command line, with their JSON documents and refusals.
@Suite struct MarksCommandTests {
    @Test func liftAndAnnotate() throws {
        let space = try CLIWorkspace()
        try space.registerVersions([0.9, 0.91])
        for version in ["1", "2"] { #expect(try space.run(["promote", "churn@\(version)", "--to", "production"]).status == 0) }
        #expect(try space.run(["rollback", "churn", "--alias", "production", "--reason", "slow"]).status == 0)
        #expect(try space.run(["promote", "churn@2", "--to", "staging"]).status == 0, "marked for production only")

        try space.expectRefusal(["lift", "churn@2"], status: 64, mentioning: "--deprecation or --rollback")
        try space.expectRefusal(["lift", "churn@2", "--rollback", "production"], status: 64, mentioning: "--reason")
        try space.expectRefusal(["lift", "churn@1", "--deprecation", "--reason", "x"], status: 4, mentioning: "is not deprecated")
        let lift = try space.run(["lift", "churn@2", "--rollback", "production", "--reason", "it was the cache", "--json"])
        #expect(lift.status == 0, "\(lift.stderr)")
        try expectValid(lift, schema: "lift")
        #expect(try space.run(["show", "churn@2"]).stdout.contains("ROLLED BACK") == false)

        let annotate = try space.run(["annotate", "churn@2", "--label", "owner=growth", "--description", "spring", "--reason", "handover", "--json"])
        #expect(annotate.status == 0, "\(annotate.stderr)")
        try expectValid(annotate, schema: "annotate")
        let show = try space.run(["show", "churn@2", "--json"])
        try expectValid(show, schema: "version")
        #expect(try show.json()["labels"] as? [String: String] == ["owner": "growth"] && show.json()["description"] as? String == "spring")
        #expect(try space.run(["show", "churn@2"]).stdout.contains("annotated    #"))
        try space.expectRefusal(["annotate", "churn@2"], status: 64, mentioning: "--label")
        #expect(try space.run(["history", "churn", "--json"]).stdout.contains("\"annotate\""))
        #expect(!(try space.run(["history", "churn", "--json"]).stdout.contains("\"register\"")), "alias moves and marks by default")
        let records = try space.run(["history", "churn", "--records", "--json"])
        try expectValid(records, schema: "history")
        let actions = try #require(try records.json()["events"] as? [[String: Any]]).compactMap { $0["action"] as? String }
        #expect(actions.filter { $0 == "register" }.count == 2 && actions.contains("annotate"))
        #expect(try space.run(["verify"]).status == 0)
    }
}
