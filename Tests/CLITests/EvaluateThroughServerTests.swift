import Foundation
import RegistryTestSupport
import Testing

/// `mreg evaluate` through `mreg serve`: the client reads the metrics file, the dataset path and
/// the work tree on its machine and uploads the predictions file; the server computes the metrics
/// from its stored copy and records the evaluation as the token. Real processes on loopback.
@Suite struct EvaluateThroughServerTests {
    struct Served {
        let space: CLIWorkspace
        let server: ServerProcess
        let writer: String

        init() throws {
            space = try EvaluateCommandTests().workspace()
            try writeFile(space.directory.url("data/fresh.csv"), "x,y\n5,1\n6,0\n7,1\n")
            try writeFile(space.directory.url("metrics.json"), #"{"fresh": {"auc": 0.8125, "log_loss": 1e-05}}"#)
            writer = try space.run(["token", "create", "ci", "--role", "writer", "-q"]).stdout.trimmingCharacters(in: .newlines)
            server = try ServerProcess(registry: space.registry, in: space.path)
        }

        func client(_ arguments: [String], in directory: String? = nil, token: String? = nil) throws -> ProcessResult {
            try mreg(arguments + ["--registry", server.url], in: directory ?? space.path, environment: ["MREG_TOKEN": token ?? writer])
        }

        func direct(_ arguments: [String], in directory: String? = nil) throws -> ProcessResult {
            try mreg(arguments + ["--registry", space.registry], in: directory ?? space.path)
        }
    }

    /// What the server records is the evaluation the folder would record: the same command on the
    /// folder afterwards finds it already recorded (same dataset, key, metrics and intervals,
    /// predictions blob and commit), and the server's copy of the predictions is the client's file.
    @Test func anEvaluationThroughTheServerIsTheOneOnTheFolder() throws {
        let served = try Served()
        let repo = served.space.directory.url("evalcode")
        let (_, commit) = try makeGitRepository(at: repo, files: ["evaluate.py": "score()\n"])
        let cases: [[String]] = [
            ["evaluate", "churn@1", "--dataset", "../data/holdout.csv", "--predictions", "../preds.csv", "--task", "binary", "--slice", "region", "--bootstrap", "200", "--seed", "7"],
            ["evaluate", "churn@1", "--dataset", "../data/fresh.csv", "--metrics", "../metrics.json"],
            ["evaluate", "churn@1", "--dataset", "holdout", "--metric", "recall=0.75", "--no-git"],
        ]
        for arguments in cases {
            let remote = try served.client(arguments + ["--json"], in: repo)
            #expect(remote.status == 0, "\(arguments): \(remote.stderr)")
            try expectValid(remote, schema: "evaluation")
            let document = try remote.json()
            #expect(document["created"] as? Bool == true, "\(arguments)")
            #expect((document["evaluated_by"] as? [String: Any])?["user"] as? String == "ci", "the token is who evaluated")
            #expect(document["git_commit"] as? String == (arguments.contains("--no-git") ? nil : commit), "\(arguments)")
            let again = try served.direct(arguments, in: repo)
            #expect(again.status == 0 && again.stdout.hasPrefix("unchanged: churn@1 on"), "\(arguments): \(again.stdout) \(again.stderr)")
        }
        let evaluations = try served.direct(["show", "churn@1", "--json"]).json()["evaluations"] as! [[String: Any]]
        #expect(evaluations.count == 3)
        let keys = evaluations.map { $0["dataset_key"] as! String }
        #expect(keys == ["holdout", "fresh", "holdout"], "\(keys)")
        let predictions = try #require(evaluations[0]["predictions"] as? String)
        let preds = try String(contentsOfFile: served.space.directory.url("preds.csv"), encoding: .utf8)
        #expect(predictions == "sha256:" + sha256Hex(preds), "the stored predictions are the client's file")
        #expect(try served.direct(["verify", "--all"]).status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: served.space.registry + "/tmp/uploads").isEmpty, "no spooled copy is left")
        #expect(served.server.stop().status == 0)
    }

    /// Text output and refusals print what they print on the folder; a refusal records nothing,
    /// and a dataset name that is a path only on the server is not read there.
    @Test func outputAndRefusalsAreTheFoldersAndTheServerReadsNoPathOfItsOwn() throws {
        let served = try Served()
        let first = try served.client(["evaluate", "churn@1", "--dataset", "data/fresh.csv", "--metric", "auc=0.7", "--no-git"])
        #expect(first.status == 0 && first.stdout.hasPrefix("evaluated churn@1 on fresh"), "\(first.stdout) \(first.stderr)")
        let before = try registrySnapshot(served.space.registry)
        for arguments in [
            ["evaluate", "churn@1", "--dataset", "holdout", "--predictions", "preds.csv", "--no-git"],
            ["evaluate", "churn@1", "--dataset", "holdout", "--predictions", "preds.csv", "--task", "ranking", "--no-git"],
            ["evaluate", "churn@1", "--dataset", "holdout", "--predictions", "missing.csv", "--task", "binary", "--no-git"],
            ["evaluate", "churn@1", "--dataset", "holdout", "--predictions", "w.bin", "--task", "binary", "--no-git"],
            ["evaluate", "churn@1", "--dataset", "holdout", "--no-git"],
            ["evaluate", "churn@9", "--dataset", "holdout", "--metric", "auc=0.7", "--no-git"],
            ["evaluate", "churn@1", "--dataset", "holdout", "--metric", "auc=high", "--no-git"],
        ] {
            let (remote, local) = (try served.client(arguments), try served.direct(arguments))
            #expect(remote.status == local.status && remote.status != 0, "\(arguments): \(remote.stderr) vs \(local.stderr)")
            #expect(remote.stderr == local.stderr, "\(arguments): \(remote.stderr) vs \(local.stderr)")
        }
        // A path that exists on the server's machine but not the client's is not fingerprinted there.
        let elsewhere = FileManager.default.temporaryDirectory.path + "/mreg-server-only-\(getpid()).csv"
        try writeFile(elsewhere, "secret,column\n1,2\n")
        defer { try? FileManager.default.removeItem(atPath: elsewhere) }
        let probe = try served.client(["evaluate", "churn@1", "--dataset", elsewhere + "x", "--metric", "auc=0.7", "--no-git"])
        #expect(probe.status == 2 && probe.stderr.contains("neither one of churn@1's dataset roles, a recorded dataset name nor an existing path"), "\(probe.stderr)")
        let raw = try served.server.request(
            "/v1/evaluate?ref=churn@1&dataset=\(elsewhere)&metric=auc%3D0.7", token: served.writer, method: "POST", body: "{}")
        #expect(raw.status == 404 && raw.body.contains("neither one of churn@1's dataset roles"), "\(raw)")
        // Predictions named in the query need the file after the document, under a plain file name.
        for (name, file, text) in [
            ("p.csv", nil, "'predictions' names the file 'p.csv', but no file follows the document"),
            ("..%2F..%2Fx.csv", "label,score\n1,0.5\n", "is not a file name"),
        ] as [(String, String?, String)] {
            let body = served.space.directory.url("body.bin")
            try writeFile(body, "{}" + (file ?? ""))
            let answer = try served.server.request(
                "/v1/evaluate?ref=churn@1&dataset=holdout&task=binary&predictions=\(name)", token: served.writer, method: "POST", bodyFile: body,
                headers: file == nil ? ["Content-Type: application/json"] : ["Mreg-Document-Length: 2"])
            #expect(answer.status == 400 && answer.body.contains(text), "\(name): \(answer)")
        }
        #expect(try registrySnapshot(served.space.registry) == before, "a refusal changed the registry")
        let reader = try served.direct(["token", "create", "dashboards", "--role", "reader", "-q"]).stdout.trimmingCharacters(in: .newlines)
        let refused = try served.client(["evaluate", "churn@1", "--dataset", "holdout", "--metric", "auc=0.7", "--no-git"], token: reader)
        #expect(refused.status == 4 && refused.stderr.contains("/v1/evaluate needs the writer role"), "\(refused.stderr)")
        #expect(served.server.stop().status == 0)
    }
}
