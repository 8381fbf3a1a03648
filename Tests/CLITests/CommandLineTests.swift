import Foundation
import RegistryTestSupport
import Testing

@Suite struct CommandLineTests {
    @Test func aCIJobRegistersInspectsExportsAndVerifiesWithValidJSON() throws {
        let space = try CLIWorkspace()
        let repo = space.directory.url("project")
        _ = try makeGitRepository(at: repo, files: [
            "train.py": "fit()\n", ".gitignore": "out/\n", "params.json": #"{"lr": 0.1, "trees": {"depth": 6}}"#,
            "eval.json": #"{"holdout": {"auc": 0.91}}"#, "data/train.csv": "x,y\n1,0\n",
        ])
        try writeFile(repo + "/out/model/w.bin", "weights v1")
        let env = ["MREG_REGISTRY": space.registry, "GITHUB_ACTIONS": "true", "GITHUB_RUN_ID": "77", "GITHUB_JOB": "train"]
        let register = try mreg(
            ["register", "churn", "out/model", "--params", "params.json", "--metrics", "eval.json", "--dataset", "train=data/train.csv",
             "--param", "seed=3", "--label", "team=risk", "--json"], in: repo, environment: env)
        #expect(register.status == 0, "\(register.stderr)")
        try expectValid(register, schema: "register")
        let document = try register.json()
        #expect(document["created"] as? Bool == true)
        let version = try #require(document["version"] as? [String: Any])
        #expect(version["reference"] as? String == "churn@1")
        #expect((version["registered_by"] as? [String: Any])?["ci_provider"] as? String == "github-actions")
        #expect((version["git"] as? [String: Any])?["dirty"] as? Bool == false)

        let retry = try mreg(["register", "churn", "out/model", "--params", "params.json", "--metrics", "eval.json", "--dataset",
                              "train=data/train.csv", "--param", "seed=3", "--label", "team=risk"], in: repo, environment: env)
        #expect(retry.status == 0 && retry.stdout.contains("already holds identical"))

        let listModels = try space.run(["list", "--json"])
        try expectValid(listModels, schema: "list-models")
        let listVersions = try space.run(["list", "churn", "--json"])
        try expectValid(listVersions, schema: "list-versions")
        #expect(try space.run(["list", "churn"]).stdout.contains("holdout.auc=0.91"))
        let show = try space.run(["show", "churn@v1", "--json"])
        try expectValid(show, schema: "version")
        let digest = try #require(try show.json()["digest"] as? String)
        #expect(try space.run(["show", "churn@" + String(digest.prefix(19))]).stdout.contains(digest))
        let export = try space.run(["export", "churn@1", "deploy", "--json"])
        #expect(export.status == 0)
        try expectValid(export, schema: "export")
        #expect(try readFile(space.directory.url("deploy/w.bin")) == Array("weights v1".utf8))
        let verify = try space.run(["verify", "--json"])
        #expect(verify.status == 0)
        try expectValid(verify, schema: "verify")
        let gc = try space.run(["gc", "--dry-run", "--json"])
        #expect(gc.status == 0)
        try expectValid(gc, schema: "gc")
        let initAgain = try space.run(["init", "--json"])
        let reinit = try initAgain.json()
        #expect(initAgain.status == 0 && reinit["created"] as? Bool == false)
        try expectValid(initAgain, schema: "init")
        try assertRegistryConsistent(space.registry)
    }

    /// `list NAME` pages from where the last page ended (`--after`), with the model's aliases in
    /// every page's document, and says how to get the next page; `list --label` keeps the models
    /// with a version carrying every label given.
    @Test func listPagesThroughAModelsVersionsAndChoosesModelsByLabel() throws {
        let space = try CLIWorkspace()
        for number in 1...5 {
            try writeFile(space.directory.url("m\(number)/w.bin"), "weights \(number)")
            #expect(try space.run(["register", "churn", "m\(number)", "--no-git", "-q"]).status == 0)
        }
        #expect(try space.run(["promote", "churn@5", "--to", "production", "-q"]).status == 0)
        let first = try space.run(["list", "churn", "--limit", "2"])
        #expect(first.stderr.contains("mreg list churn --limit 2 --after 4,"), "\(first.stderr)")
        let page = try space.run(["list", "churn", "--limit", "2", "--after", "4", "--json"])
        try expectValid(page, schema: "list-versions")
        let document = try page.json()
        #expect((document["versions"] as? [[String: Any]])?.compactMap { $0["version"] as? Int } == [3, 2])
        #expect(document["total"] as? Int == 5 && (document["aliases"] as? [String: Int]) == ["production": 5])
        let last = try space.run(["list", "churn", "--limit", "2", "--after", "2"])
        #expect(last.status == 0 && !last.stderr.contains("--after"), "the last page offers no next one: \(last.stderr)")
        try writeFile(space.directory.url("f/w.bin"), "fraud")
        #expect(try space.run(["register", "fraud", "f", "--no-git", "-q", "--label", "owner=risk", "--label", "tier=1"]).status == 0)
        let labelled = try space.run(["list", "--label", "owner=risk", "--label", "tier=1", "--json"])
        try expectValid(labelled, schema: "list-models")
        #expect((try labelled.json()["models"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["fraud"])
        #expect(try space.run(["list", "--label", "owner=nobody"]).stderr.contains("no model has a version labelled owner=nobody"))
        for (arguments, message) in [
            (["list", "--after", "3"], "name the model"), (["list", "churn", "--after", "0"], "--after must be a version number"),
            (["list", "--status", "active"], "name the model"), (["list", "--label", "owner"], "is not KEY=VALUE"),
        ] {
            let refused = try space.run(arguments)
            #expect(refused.status == 64 && refused.stderr.contains(message), "\(arguments): \(refused.stderr)")
        }
    }

    /// Each refusal: its exit status, one line on stderr, a JSON error document, nothing changed.
    @Test func refusalsExitWithTheirDocumentedCodesAndChangeNothing() throws {
        let space = try CLIWorkspace()
        try writeFile(space.directory.url("m/w.bin"), "weights")
        try writeFile(space.directory.url("bad.yaml"), "lr: [1,\n")
        try writeFile(space.directory.url("metrics.json"), #"{"auc": "good"}"#)
        #expect(try space.run(["register", "churn", "m", "--no-git"]).status == 0)
        let before = try registrySnapshot(space.registry)
        let cases: [([String], Int32, String)] = [
            (["register", "Churn", "m"], 64, "invalid model name"),
            (["register", "churn", "missing", "--no-git"], 2, "does not exist"),
            (["register", "churn", "m", "--params", "bad.yaml"], 64, "not valid JSON or YAML"),
            (["register", "churn", "m", "--metrics", "metrics.json"], 64, "is not a number"),
            (["register", "churn", "m", "--metric", "auc=high"], 64, "is not a number"),
            (["register", "churn", "m", "--param", "novalue"], 64, "is not KEY=VALUE"),
            (["register", "churn", "m", "--require-clean"], 4, "not inside a git repository"),
            (["show", "churn@9"], 2, "names no version"),
            (["show", "nosuch"], 2, "no model named"),
            (["show", "churn@production"], 2, "has no alias"),
            (["export", "churn", "m"], 3, "not empty"),
            (["register", "churn", "m", "--bogus"], 64, "Unknown option"),
        ]
        for (arguments, status, message) in cases {
            let result = try space.run(arguments + (status == 64 && arguments.contains("--bogus") ? [] : ["--json"]))
            #expect(result.status == status, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            if status != 64 || !arguments.contains("--bogus") {
                #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): one line on stderr, got \(result.stderr)")
                try expectValid(result, schema: "error")
            }
        }
        #expect(try registrySnapshot(space.registry) == before)
        try assertRegistryConsistent(space.registry)
    }

    @Test func aMissingOrNewerRegistryIsRefusedClearly() throws {
        let directory = TemporaryDirectory()
        let none = try mreg(["list"], in: directory.path)
        #expect(none.status == 10 && none.stderr.contains("mreg init"))
        let space = try CLIWorkspace()
        try writeFile(space.directory.url("m/w.bin"), "weights")
        let before = try registrySnapshot(space.registry)
        let marker = try String(contentsOfFile: space.registry + "/registry.json", encoding: .utf8)
        try writeFile(space.registry + "/registry.json", marker.replacingOccurrences(of: #""format_version" : [0-9]+"#, with: #""format_version" : 99"#, options: .regularExpression))
        let newer = try space.run(["register", "churn", "m", "--no-git"])
        #expect(newer.status == 10 && newer.stderr.contains("newer"))
        #expect(try registrySnapshot(space.registry) == before)
        let elsewhere = try mreg(["list", "--registry", space.directory.url("nothing")], in: directory.path)
        #expect(elsewhere.status == 10)
    }

    /// Root reads any file, so the unreadable case runs mreg as the unprivileged user `nobody`.
    @Test func anUnreadableFileIsRefusedByName() throws {
        let space = try CLIWorkspace()
        try writeFile(space.directory.url("m/ok.bin"), "fine")
        try writeFile(space.directory.url("m/secret.bin"), "locked")
        chmod(space.directory.url("m/secret.bin"), 0)
        let before = try registrySnapshot(space.registry)
        let open = try run("/bin/chmod", ["-R", "a+rwX", space.path], in: "/")
        #expect(open.status == 0)
        chmod(space.directory.url("m/secret.bin"), 0)
        // A copy of the binary, since the build folder may sit where `nobody` cannot reach it.
        let binary = space.directory.url("mreg")
        try FileManager.default.copyItem(atPath: mregExecutable, toPath: binary)
        chmod(binary, 0o755)
        let result = try run(
            "/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", binary, "register", "churn", "m", "--no-git"],
            in: space.path, environment: ["HOME": "/tmp"])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("secret.bin' is not readable"))
        #expect(try registrySnapshot(space.registry) == before)
    }

    @Test func theRegistryIsFoundUpwardsFromTheCurrentFolder() throws {
        let space = try CLIWorkspace()
        try FileManager.default.createDirectory(atPath: space.directory.url("a/b/c"), withIntermediateDirectories: true)
        let listed = try mreg(["list", "--json"], in: space.directory.url("a/b/c"))
        #expect(listed.status == 0)
    }

    @Test func aCorruptBlobFailsVerifyWithExitFive() throws {
        let space = try CLIWorkspace()
        try writeFile(space.directory.url("m/w.bin"), "weights")
        #expect(try space.run(["register", "churn", "m", "--no-git"]).status == 0)
        for blob in try storedBlobHexes(space.registry) { try alterStoredBlob(space.registry, hex: blob, to: "garbage") }
        let verify = try space.run(["verify"])
        #expect(verify.status == 5)
        #expect(verify.stdout.contains("CORRUPT") && verify.stdout.contains("churn@1"))
        let export = try space.run(["export", "churn", "out"])
        #expect(export.status == 5 && !FileManager.default.fileExists(atPath: space.directory.url("out")))
    }

    @Test(arguments: ["init", "register", "list", "show", "export", "verify", "gc"])
    func everyCommandsHelpEndsWithItsExitStatus(_ command: String) throws {
        let help = try mreg([command, "--help"], in: "/")
        #expect(help.status == 0)
        let lines = help.stdout.split(separator: "\n")
        #expect(lines.last?.contains("64  usage error") == true, "help must end with EXIT STATUS")
        #expect(lines.contains { $0 == "EXIT STATUS" })
        #expect(help.stdout.contains("EXAMPLES"))
    }
}
