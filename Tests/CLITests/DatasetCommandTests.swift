import Foundation
import RegistryTestSupport
import Testing

@Suite struct DatasetCommandTests {
    @Test func addListShowAndTheVersionsThatUsedIt() throws {
        let space = try CLIWorkspace()
        try writeFile(space.directory.url("data/train.csv"), "age,plan,churned\n34,basic,0\n51,pro,1\n,basic,0\n29,basic,1\n")
        let added = try space.run(["dataset", "add", "churn-train", "data/train.csv", "--json"])
        #expect(added.status == 0, "\(added.stderr)")
        try expectValid(added, schema: "dataset-add")
        let document = try added.json()
        #expect(document["added"] as? Bool == true)
        let dataset = try #require(document["dataset"] as? [String: Any])
        let tables = try #require(dataset["tables"] as? [[String: Any]])
        #expect(tables.first?["rows"] as? Int == 4)
        let columns = try #require(tables.first?["columns"] as? [[String: Any]])
        #expect(columns.compactMap { $0["type"] as? String } == ["integer", "string", "integer"])
        #expect(columns.first?["missing"] as? Int == 1 && columns.first?["mean"] as? Double == 38)
        let digest = try #require(dataset["digest"] as? String)
        let sum = try run("/usr/bin/sha256sum", [space.directory.url("data/train.csv")], in: "/")
        #expect(digest == "sha256:" + sum.stdout.prefix(64), "a file's digest is sha256sum's")

        let again = try space.run(["dataset", "add", "churn-train", "data/train.csv", "--json"])
        #expect(try again.json()["added"] as? Bool == false)
        let list = try space.run(["dataset", "list", "--json"])
        try expectValid(list, schema: "dataset-list")
        #expect((try list.json()["datasets"] as? [[String: Any]])?.count == 1)
        #expect(try space.run(["dataset", "list"]).stdout.contains("churn-train"))

        // A version registered with the same file records the same dataset.
        try writeFile(space.directory.url("m/w.bin"), "weights")
        #expect(try space.run(["register", "churn", "m", "--no-git", "--dataset", "train=data/train.csv"]).status == 0)
        let show = try space.run(["dataset", "show", String(digest.prefix(19)), "--json", "--samples"])
        try expectValid(show, schema: "dataset")
        let used = try show.json()["used_by"] as? [[String: Any]]
        #expect(used?.first?["reference"] as? String == "churn@1" && used?.first?["role"] as? String == "train")
        let text = try space.run(["dataset", "show", "churn-train"])
        #expect(text.stdout.contains("used by      churn@1 as train") && text.stdout.contains("basic=3"))
        try assertRegistryConsistent(space.registry)
    }

    @Test func foldersAreProfiledFileByFileAndProblemsAreWarnings() throws {
        let space = try CLIWorkspace()
        try writeFile(space.directory.url("events/part-0.csv"), "a,b\n1,2\n3\n")
        try writeFile(space.directory.url("events/part-1.jsonl"), "{\"a\": 1}\nnot json\n")
        try writeFile(space.directory.url("events/README.txt"), "not tabular")
        let added = try space.run(["dataset", "add", "events", "events"])
        #expect(added.status == 0)
        let warnings = added.stderr.split(separator: "\n")
        #expect(warnings.count == 2)
        #expect(warnings.contains { $0.contains("part-0.csv has 1 row(s) with the wrong number of fields") && $0.contains("(lines 3)") })
        #expect(warnings.contains { $0.contains("part-1.jsonl has 1 line(s) that are not JSON objects (skipped) (lines 2)") })
        let show = try space.run(["dataset", "show", "events", "--json"])
        try expectValid(show, schema: "dataset")
        let tables = try #require(try show.json()["tables"] as? [[String: Any]])
        #expect(tables.compactMap { $0["path"] as? String } == ["part-0.csv", "part-1.jsonl"])
        #expect(try show.json()["files"] as? Int == 3)
    }

    @Test func refusalsChangeNothing() throws {
        let space = try CLIWorkspace()
        try writeFile(space.directory.url("d.csv"), "x\n1\n")
        try space.expectRefusal(["dataset", "add", "Bad Name", "d.csv"], status: 64, mentioning: "invalid dataset name")
        try space.expectRefusal(["dataset", "add", "d", "missing.csv"], status: 2, mentioning: "missing.csv")
        try space.expectRefusal(["dataset", "show", "nope"], status: 2, mentioning: "no dataset named 'nope'")
        try space.expectRefusal(["dataset", "show", "sha256:abc"], status: 64, mentioning: "at least 12 hex digits")
        try space.expectRefusal(["dataset", "show", "sha256:0123456789ab"], status: 2, mentioning: "no dataset with digest")
    }
}
