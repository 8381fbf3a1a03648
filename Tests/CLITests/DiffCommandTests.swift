import Foundation
import RegistryTestSupport
import Testing

@Suite struct DiffCommandTests {
    @Test func twoVersionsOfOneHistory() throws {
        let space = try CLIWorkspace()
        let repo = space.directory.url("project")
        let (repository, _) = try makeGitRepository(at: repo, files: ["train.py": "fit()\n", ".gitignore": "out/\n", "data/a.csv": "x\n1\n"])
        try writeFile(repo + "/out/w.bin", "weights 1")
        try writeFile(repo + "/out/config.json", "{}")
        let env = ["MREG_REGISTRY": space.registry]
        #expect(try mreg(["register", "churn", "out", "--param", "lr=0.1", "--param", "layers=2", "--metric", "holdout.auc=0.8",
                          "--dataset", "train=data/a.csv"], in: repo, environment: env).status == 0)
        try writeFile(repo + "/features.py", "engineer()\n")
        _ = try repository.commitAll(message: "feature engineering")
        try writeFile(repo + "/data/a.csv", "x\n1\n2\n")
        _ = try repository.commitAll(message: "more data\n\nwith a body that diff does not show")
        try writeFile(repo + "/out/w.bin", "weights 2")
        try writeFile(repo + "/out/extra.bin", "new file")
        #expect(try mreg(["register", "churn", "out", "--param", "lr=0.2", "--param", "layers=2", "--param", "dropout=0.1",
                          "--metric", "holdout.auc=0.85", "--dataset", "train=data/a.csv"], in: repo, environment: env).status == 0)
        let result = try mreg(["diff", "churn@1", "churn@2", "--json"], in: repo, environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        try expectValid(result, schema: "diff")
        let document = try result.json()
        let params = try #require(document["params"] as? [[String: Any]])
        #expect(params.map { "\($0["name"]!):\($0["change"]!)" } == ["dropout:added", "lr:changed"])
        let metric = (document["metrics"] as? [[String: Any]])?.first
        #expect(metric?["name"] as? String == "holdout.auc" && abs((metric?["delta"] as? Double ?? 0) - 0.05) < 1e-12)
        #expect((document["datasets"] as? [[String: Any]])?.first?["change"] as? String == "changed")
        let files = try #require(document["files"] as? [[String: Any]])
        #expect(files.map { "\($0["name"]!):\($0["change"]!)" } == ["extra.bin:added", "w.bin:changed"])
        #expect(document["unchanged_files"] as? Int == 1)
        let git = try #require(document["git"] as? [String: Any])
        #expect(git["relation"] as? String == "ancestor" && git["total"] as? Int == 2)
        #expect((git["commits"] as? [[String: Any]])?.compactMap { $0["subject"] as? String } == ["more data", "feature engineering"])
        let text = try mreg(["diff", "churn@1", "churn@2"], in: repo, environment: env)
        #expect(text.stdout.contains("~ lr: 0.1 → 0.2") && text.stdout.contains("holdout.auc: 0.8 → 0.85 (+0.05)") && text.stdout.contains("2 commit(s)"))

        // A commit on an unrelated history (an orphan branch).
        let orphan = try run("/usr/bin/env", ["sh", "-c", "git checkout -q --orphan other && git -c user.name=t -c user.email=t@e commit -qm 'fresh start'"], in: repo)
        #expect(orphan.status == 0, "\(orphan.stderr)")
        try writeFile(repo + "/out/w.bin", "weights 3")
        #expect(try mreg(["register", "churn", "out", "--param", "lr=0.3"], in: repo, environment: env).status == 0)
        let unrelated = try mreg(["diff", "churn@1", "churn@3", "--json"], in: repo, environment: env)
        #expect((try unrelated.json()["git"] as? [String: Any])?["relation"] as? String == "unrelated")

        // Outside the repository, the history is read from the work tree the versions were
        // registered from, while it is on this machine; each version's git state is shown.
        let outside = try space.run(["diff", "churn@1", "churn@2", "--json"])
        #expect(outside.status == 0)
        try expectValid(outside, schema: "diff")
        #expect((try outside.json()["git"] as? [String: Any])?["total"] as? Int == 2)
        #expect((try outside.json()["git_a"] as? [String: Any])?["dirty"] as? Bool == false)
        try writeFile(repo + "/untracked.txt", "x")
        try writeFile(repo + "/out/w.bin", "weights 4")
        #expect(try mreg(["register", "churn", "out", "--param", "lr=0.4"], in: repo, environment: env).status == 0)
        let dirty = try space.run(["diff", "churn@3", "churn@4"])
        #expect(dirty.stdout.contains("git B: ") && dirty.stdout.contains("dirty: untracked.txt"), "\(dirty.stdout)")
        try FileManager.default.moveItem(atPath: repo, toPath: repo + "-moved")
        let gone = try space.run(["diff", "churn@1", "churn@2", "--json"])
        #expect(try (gone.json()["git_note"] as? String)?.contains("not inside a git repository") == true)
    }
}
