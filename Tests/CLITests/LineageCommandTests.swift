import Foundation
import RegistryTestSupport
import Testing

@Suite struct LineageCommandTests {
    @Test func findAndLineageAnswerTheQuestionsAfterAnIncident() throws {
        let space = try CLIWorkspace()
        let repo = space.directory.url("project")
        let (_, commit) = try makeGitRepository(at: repo, files: ["train.py": "fit()\n", ".gitignore": "out/\n", "data/train.csv": "x,y\n1,0\n2,1\n"])
        let env = ["MREG_REGISTRY": space.registry]
        func register(_ arguments: [String]) throws {
            let result = try mreg(["register"] + arguments, in: repo, environment: env)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        try writeFile(repo + "/out/base.bin", "base weights")
        try register(["base", "out/base.bin"])
        try writeFile(repo + "/out/w.bin", "fine-tuned 1")
        try register(["churn", "out/w.bin", "--parent", "base@1", "--dataset", "train=data/train.csv"])
        try writeFile(repo + "/out/w.bin", "fine-tuned 2")
        try register(["churn", "out/w.bin", "--parent", "churn@1", "--dataset", "train=data/train.csv"])
        try writeFile(repo + "/holdout.csv", "label,score\n1,0.9\n0,0.2\n1,0.6\n0,0.4\n")
        #expect(try mreg(["evaluate", "churn@1", "--dataset", "train", "--metric", "auc=0.9"], in: repo, environment: env).status == 0)
        #expect(try space.run(["promote", "churn@2", "--to", "production"]).status == 0)

        let byPath = try mreg(["find", "--dataset", "data/train.csv", "--json"], in: repo, environment: env)
        #expect(byPath.status == 0, "\(byPath.stderr)")
        try expectValid(byPath, schema: "find")
        let results = try #require(try byPath.json()["results"] as? [[String: Any]])
        #expect(results.compactMap { $0["reference"] as? String } == ["churn@1", "churn@2"])
        #expect((results.first?["relations"] as? [String])?.count == 2, "recorded at registration, and evaluated on")
        #expect((results.last?["aliases"] as? [String]) == ["production"])
        let text = try mreg(["find", "--dataset", "data/train.csv"], in: repo, environment: env)
        #expect(text.stdout.contains("churn@2 [holds production]: recorded it at registration as train"))

        let byCommit = try space.run(["find", "--commit", String(commit.prefix(7)), "--json"])
        #expect((try byCommit.json()["results"] as? [[String: Any]])?.count == 3)
        let show = try space.run(["show", "churn@2", "--json"])
        let blob = try #require((try show.json()["files"] as? [[String: Any]])?.first?["digest"] as? String)
        let byBlob = try space.run(["find", "--blob", blob, "--json"])
        #expect((try byBlob.json()["results"] as? [[String: Any]])?.compactMap { $0["reference"] as? String } == ["churn@2"])

        let lineage = try space.run(["lineage", "churn@1", "--json"])
        #expect(lineage.status == 0)
        try expectValid(lineage, schema: "lineage")
        let edges = (try #require(try lineage.json()["edges"] as? [[String: Any]])).map { "\($0["from"]!) -> \($0["to"]!)" }
        #expect(edges.contains("base@1 -> churn@1") && edges.contains("churn@1 -> churn@2"))
        #expect(edges.contains("commit \(commit.prefix(10)) -> churn@1") && edges.contains("churn@1 -> evaluation #1"))
        let upstream = try space.run(["lineage", "churn@2", "--upstream", "--depth", "1", "--json"])
        let upstreamEdges = (try #require(try upstream.json()["edges"] as? [[String: Any]])).map { "\($0["from"]!) -> \($0["to"]!)" }
        #expect(upstreamEdges.contains("churn@1 -> churn@2") && !upstreamEdges.contains("base@1 -> churn@1"), "depth 1 stops at the parent")
        // Training data is "trained on"; a holdout role is evaluation data, "evaluated on".
        let labels = (try #require(try lineage.json()["edges"] as? [[String: Any]])).compactMap { $0["label"] as? String }
        #expect(labels.contains("trained on as train") && labels.contains("evaluated on"))
        try writeFile(repo + "/out/w.bin", "fine-tuned 3")
        try register(["churn", "out/w.bin", "--dataset", "train=data/train.csv", "--dataset", "holdout=holdout.csv"])
        let third = try #require(try space.run(["lineage", "churn@3", "--json"]).json()["edges"] as? [[String: Any]])
        #expect(third.compactMap { $0["label"] as? String }.contains("evaluated on as holdout"))
        #expect(!third.compactMap { $0["label"] as? String }.contains("trained on as holdout"))
        let dot = try space.run(["lineage", "churn@1", "--format", "dot"])
        #expect(dot.stdout.hasPrefix("digraph lineage {") && dot.stdout.contains("\"base@1\" -> \"churn@1\" [label=\"fine-tuned into\"]"))
        let mermaid = try space.run(["lineage", "churn@1", "--format", "mermaid"])
        #expect(mermaid.stdout.hasPrefix("graph LR") && mermaid.stdout.contains("-->|fine-tuned into|"))

        try space.expectRefusal(["find", "--dataset", "x", "--commit", "abcd"], status: 64, mentioning: "exactly one")
        try space.expectRefusal(["find", "--commit", "zz"], status: 64, mentioning: "not a commit id prefix")
        try space.expectRefusal(["find", "--blob", "nope"], status: 64, mentioning: "not a blob digest")
        #expect(try space.run(["find", "--commit", "0000000"]).stdout.contains("no version is related"))
    }
}
