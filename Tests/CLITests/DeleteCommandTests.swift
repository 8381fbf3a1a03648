import Foundation
import RegistryTestSupport
import Testing

/// delete and undelete from the command line: refusals, what a deleted version can no longer
/// do, and gc removing its files (on every backend; gc of a shared store keeps young blobs unless
/// its grace period is zero).
@Suite struct DeleteCommandTests {
    static let noGrace = ["MREG_OCI_GC_GRACE": "0"]

    @Test func aDeletedVersionIsHiddenRefusedAndRestored() throws {
        let space = try CLIWorkspace()
        try space.registerVersions([0.9, 0.91, 0.92])
        #expect(try space.run(["promote", "churn@2", "--to", "production"]).status == 0)

        try space.expectRefusal(["delete", "churn@2", "--reason", "old"], status: 4, mentioning: "churn@2 holds production")
        try space.expectRefusal(["delete", "churn@2", "--reason", "old", "--force"], status: 64, mentioning: "--force")
        try space.expectRefusal(["delete", "churn@3"], status: 64, mentioning: "--reason")
        try space.expectRefusal(["delete", "churn@9", "--reason", "x"], status: 2, mentioning: "names no version")

        let delete = try space.run(["delete", "churn@3", "--reason", "leaky export", "--json"])
        #expect(delete.status == 0, "\(delete.stderr)")
        try expectValid(delete, schema: "delete")
        #expect(try delete.json()["changed"] as? Bool == true)
        let again = try space.run(["delete", "churn@3", "--reason", "leaky export", "--json"])
        #expect(try again.json()["changed"] as? Bool == false, "deleting a deleted version changes nothing")

        // Hidden from list, its count and `latest`; listed with --deleted.
        let listed = try space.run(["list", "churn", "--json"])
        try expectValid(listed, schema: "list-versions")
        #expect(try versionNumbers(listed) == [2, 1] && listed.json()["total"] as? Int == 2)
        let all = try space.run(["list", "churn", "--deleted", "--json"])
        try expectValid(all, schema: "list-versions")
        #expect(try versionNumbers(all) == [3, 2, 1] && all.json()["total"] as? Int == 3)
        #expect(try statuses(all) == ["deleted", "active", "active"])
        #expect(try space.run(["list", "churn", "--deleted"]).stdout.contains("deleted"))
        try space.expectRefusal(["list", "--deleted"], status: 64, mentioning: "name the model")
        let models = try space.run(["list", "--json"])
        let churn = try #require((try models.json()["models"] as? [[String: Any]])?.first)
        #expect(churn["versions"] as? Int == 2 && churn["latest_version"] as? Int == 2)
        #expect(try space.run(["show", "churn", "--json"]).json()["version"] as? Int == 2, "latest is the newest version not deleted")

        // Still shown, saying so.
        let show = try space.run(["show", "churn@3", "--json"])
        try expectValid(show, schema: "version")
        #expect(try show.json()["status"] as? String == "deleted")
        let deletion = try #require(try show.json()["deletion"] as? [String: Any])
        let deleteEvent = try eventSequence(delete)
        #expect(deletion["reason"] as? String == "leaky export" && deletion["event"] as? Int == deleteEvent)
        #expect(try space.run(["show", "churn@3"]).stdout.contains("DELETED on"))
        let history = try space.run(["history", "churn", "--json"])
        try expectValid(history, schema: "history")
        #expect(history.stdout.contains("\"delete\""))

        // Not promoted (not even forced), exported or built on.
        try space.expectRefusal(["promote", "churn@3", "--to", "staging"], status: 4, mentioning: "deleted")
        try space.expectRefusal(["promote", "churn@3", "--to", "staging", "--force", "--reason", "x"], status: 4, mentioning: "cannot be promoted")
        try space.expectRefusal(["export", "churn@3", "out"], status: 4, mentioning: "cannot be exported")
        #expect(!FileManager.default.fileExists(atPath: space.directory.url("out")))
        try writeFile(space.directory.url("child/w.bin"), "fine-tuned")
        try space.expectRefusal(["register", "churn", "child", "--parent", "churn@3", "--no-git"], status: 4, mentioning: "cannot be a parent")

        let undelete = try space.run(["undelete", "churn@3", "--reason", "deleted by mistake", "--json"])
        #expect(undelete.status == 0, "\(undelete.stderr)")
        try expectValid(undelete, schema: "undelete")
        #expect(try undelete.json()["changed"] as? Bool == true)
        #expect(try space.run(["undelete", "churn@3", "--json"]).json()["changed"] as? Bool == false)
        #expect(try versionNumbers(try space.run(["list", "churn", "--json"])) == [3, 2, 1])
        #expect(try space.run(["promote", "churn@3", "--to", "staging"]).status == 0)
        #expect(try space.run(["verify", "--all"]).status == 0)
        try assertRegistryConsistent(space.registry)
    }

    @Test func rollbackPassesOverADeletedVersion() throws {
        let space = try CLIWorkspace()
        try space.registerVersions([0.9, 0.91, 0.92])
        for number in 1...3 { #expect(try space.run(["promote", "churn@\(number)", "--to", "production"]).status == 0) }
        #expect(try space.run(["delete", "churn@2", "--reason", "bad calibration"]).status == 0)
        try space.expectRefusal(["rollback", "churn", "--alias", "production", "--to", "2"], status: 4, mentioning: "cannot be rolled back to")

        let rollback = try space.run(["rollback", "churn", "--alias", "production", "--reason", "latency", "--json"])
        #expect(rollback.status == 0, "\(rollback.stderr)")
        try expectValid(rollback, schema: "rollback")
        #expect(try space.run(["show", "churn@production", "--json"]).json()["version"] as? Int == 1)
        #expect(try rollback.json()["skipped"] as? [String] == ["churn@2 (deleted)"], "\(rollback.stdout)")
        try assertRegistryConsistent(space.registry)
    }

    @Test func gcRemovesADeletedVersionsOwnFilesAndThenUndeleteIsTooLate() throws {
        let space = try CLIWorkspace()
        for number in 1...2 {
            try writeFile(space.directory.url("m\(number)/shared.bin"), "tokenizer shared by both")
            try writeFile(space.directory.url("m\(number)/w.bin"), "weights of version \(number)")
            #expect(try space.run(["register", "churn", "m\(number)", "--no-git", "--quiet"]).status == 0)
        }
        let files = try #require(try space.run(["show", "churn@2", "--json"]).json()["files"] as? [[String: Any]])
        let own = try #require(files.first { $0["path"] as? String == "w.bin" }?["digest"] as? String)
        #expect(try space.run(["delete", "churn@2", "--reason", "superseded"]).status == 0)

        let gc = try space.run(["gc", "--json"], environment: Self.noGrace)
        #expect(gc.status == 0, "\(gc.stderr)")
        try expectValid(gc, schema: "gc")
        #expect(try gc.json()["unreferenced_blobs"] as? [String] == [own], "only the file no live version shares: \(gc.stdout)")
        #expect(try space.run(["verify", "--all"]).status == 0, "the deleted version's record still verifies")
        #expect(try space.run(["export", "churn@1", "out1"]).status == 0, "the shared file is kept")

        try space.expectRefusal(["undelete", "churn@2"], status: 4, mentioning: "too late to undelete churn@2")
        // The same files again are the same version: register stores them and says so...
        let again = try space.run(["register", "churn", "m2", "--no-git"])
        #expect(again.status == 4 && again.stderr.contains("is churn@2 again"), "\(again.stderr)")
        // ...after which it can come back.
        #expect(try space.run(["undelete", "churn@2"]).status == 0)
        #expect(try space.run(["export", "churn@2", "out2"]).status == 0)
        #expect(try space.run(["verify", "--all"]).status == 0)
        try assertRegistryConsistent(space.registry)
    }

    /// Pages by number skip deleted versions without losing or repeating one: first, middle,
    /// last and empty pages, with deleted versions inside and at the edges of pages.
    @Test func pagesSkipDeletedVersionsAtTheirBoundaries() throws {
        let space = try CLIWorkspace()
        try space.registerVersions([0.81, 0.82, 0.83, 0.84, 0.85, 0.86])
        for number in [2, 5, 6] { #expect(try space.run(["delete", "churn@\(number)", "--reason", "pruned", "--quiet"]).status == 0) }
        func page(_ extra: [String]) throws -> [Int] { try versionNumbers(try space.run(["list", "churn", "--json"] + extra)) }
        #expect(try page(["--limit", "2"]) == [4, 3], "the newest live versions, past two deleted ones")
        #expect(try page(["--limit", "2", "--after", "3"]) == [1])
        #expect(try page(["--limit", "2", "--after", "1"]) == [])
        #expect(try page(["--limit", "1", "--after", "6"]) == [4])
        #expect(try page(["--limit", "3", "--deleted"]) == [6, 5, 4])
        #expect(try page(["--limit", "3", "--deleted", "--after", "4"]) == [3, 2, 1])
        #expect(try space.run(["list", "churn", "--json", "--limit", "2"]).json()["total"] as? Int == 3)
    }

    private func versionNumbers(_ result: ProcessResult) throws -> [Int] {
        try #require(try result.json()["versions"] as? [[String: Any]]).compactMap { $0["version"] as? Int }
    }

    private func statuses(_ result: ProcessResult) throws -> [String] {
        try #require(try result.json()["versions"] as? [[String: Any]]).compactMap { $0["status"] as? String }
    }

    private func eventSequence(_ result: ProcessResult) throws -> Int? {
        (try result.json()["event"] as? [String: Any])?["sequence"] as? Int
    }
}
