import Foundation
import RegistryTestSupport
import Testing

/// `mreg` as a client of `mreg serve` (`--registry http://…`): the server runs the command on
/// its registry as the client's token, and the client prints what it printed and exits as it
/// ended. Real server processes on loopback, real client processes.
@Suite struct ServerClientTests {
    /// A workspace with a few versions, a policy whose gate can refuse, and a server over it
    /// with an admin token.
    struct Served {
        let space: CLIWorkspace
        let server: ServerProcess
        let admin: String

        init() throws {
            space = try CLIWorkspace()
            try space.registerVersions([0.90, 0.95, 0.80])
            try writeFile(space.registry + "/policy.toml", "[aliases.production]\nmin = { \"holdout.auc\" = 0.85 }\n")
            try writeFile(space.directory.url("data.csv"), "age,income\n31,4000\n45,5200\n")
            #expect(try space.run(["dataset", "add", "customers", "data.csv", "-q"]).status == 0)
            admin = try space.run(["token", "create", "ops", "--role", "admin", "-q"]).stdout.trimmingCharacters(in: .newlines)
            server = try ServerProcess(registry: space.registry, in: space.path)
        }

        /// Runs mreg through the server with a token (the admin's unless given).
        func client(_ arguments: [String], token: String? = nil, environment: [String: String] = [:]) throws -> ProcessResult {
            var environment = environment
            environment["MREG_TOKEN"] = environment["MREG_TOKEN"] ?? token ?? admin
            return try mreg(arguments + ["--registry", server.url], in: space.path, environment: environment)
        }

        /// Runs mreg on the registry folder, as the server's host does.
        func direct(_ arguments: [String]) throws -> ProcessResult { try space.run(arguments + ["--registry", space.registry]) }
    }

    /// Reading commands print byte for byte what they print on the registry folder, text and
    /// JSON, successes and failures, with the same exit codes.
    @Test func readingCommandsPrintWhatTheyPrintOnTheFolder() throws {
        let served = try Served()
        #expect(try served.direct(["promote", "churn@2", "--to", "production", "-q"]).status == 0)
        #expect(try served.direct(["annotate", "churn@2", "--label", "owner=risk", "-q"]).status == 0)
        for arguments in [
            ["show", "churn@2"], ["show", "churn@production", "--json"], ["list"], ["list", "--json"], ["list", "churn", "--limit", "2"],
            ["history", "churn"], ["history", "churn", "--records", "--json"], ["verify", "churn@1", "churn@2"], ["verify", "churn@1", "--json"],
            ["lineage", "churn@2", "--format", "mermaid"], ["policy", "--model", "churn"], ["keys", "list", "--json"], ["dataset", "list"],
            ["dataset", "show", "customers", "--json"], ["show", "churn@9"], ["show", "churn@9", "--json"], ["show", "Bad Name"],
            ["history", "nope", "--json"], ["list", "churn", "--limit", "0"], ["diff", "churn@1", "churn@2"], ["diff", "churn@1", "churn@2", "--json"],
            ["compare", "churn@1", "churn@2", "--dataset", "holdout"], ["find", "--dataset", "customers"], ["find", "--dataset", "data.csv", "--json"],
            ["find", "--commit", "abcd"], ["find", "--dataset", "missing.csv"],
        ] {
            let (remote, local) = (try served.client(arguments), try served.direct(arguments))
            #expect(remote.status == local.status, "\(arguments): \(remote.stderr) vs \(local.stderr)")
            #expect(remote.stdout == local.stdout, "\(arguments): stdout differs:\n\(remote.stdout)\n---\n\(local.stdout)")
            #expect(remote.stderr == local.stderr, "\(arguments): stderr differs:\n\(remote.stderr)\n---\n\(local.stderr)")
        }
        #expect(served.server.stop().status == 0)
    }

    /// `diff` through a server lists the commits between the versions from the client's own
    /// repository (the client-mode pass runs DiffCommandTests whole); the server takes a walk
    /// only for the versions' own commits, and without one says that none was read.
    @Test func diffTakesTheCommitsTheClientReadAndNoOthers() throws {
        let served = try Served()
        let repo = served.space.directory.url("project")
        let (repository, first) = try makeGitRepository(at: repo, files: ["train.py": "fit()\n", ".gitignore": "out/\n"])
        try writeFile(repo + "/out/w.bin", "weights a")
        let env = ["MREG_TOKEN": served.admin]
        #expect(try mreg(["register", "fraud", "out", "-q", "--registry", served.server.url], in: repo, environment: env).status == 0)
        try writeFile(repo + "/features.py", "engineer()\n")
        let second = try repository.commitAll(message: "feature engineering")
        try writeFile(repo + "/out/w.bin", "weights b")
        #expect(try mreg(["register", "fraud", "out", "-q", "--registry", served.server.url], in: repo, environment: env).status == 0)

        let text = try mreg(["diff", "fraud@1", "fraud@2", "--registry", served.server.url], in: repo, environment: env)
        #expect(text.status == 0 && text.stdout.contains("1 commit(s) (from \(repo)/)") && text.stdout.contains("feature engineering"), "\(text.stdout)\(text.stderr)")
        #expect(try served.client(["diff", "fraud@1", "fraud@2", "--git", repo]).stdout == text.stdout, "--git names the client's repository")

        // The API without a walk, with a walk of other commits, and with bodies that are none.
        let bare = try served.server.request("/v1/diff?ref=fraud@1&ref=fraud@2", token: served.admin, method: "POST")
        #expect(bare.status == 200 && bare.body.contains("are not read through a server"), "\(bare.body)")
        let forged = #"{"git": {"from": "\#(second)", "to": "\#(first)", "relation": "descendant", "total": 0, "commits": [], "repository": "/x"}}"#
        let other = try served.server.request("/v1/diff?ref=fraud@1&ref=fraud@2", token: served.admin, method: "POST", body: forged)
        #expect(other.status == 200 && other.body.contains("not between these versions' commits") && !other.body.contains("\"relation\""), "\(other.body)")
        for body in [#"{"git": 3}"#, #"{"git": {"from": "\#(first)", "to": "\#(second)", "relation": "sideways", "total": 0, "commits": [], "repository": "/x"}}"#] {
            let refused = try served.server.request("/v1/diff?ref=fraud@1&ref=fraud@2", token: served.admin, method: "POST", body: body)
            #expect(refused.status == 400 && refused.body.contains("\"usage\""), "\(body): \(refused.body)")
        }
        #expect(served.server.stop().status == 0)
    }

    /// `compare` with prediction files runs on the client, where the files are, with the
    /// versions and the lower-is-better metrics of the server's registry: it prints what the
    /// folder prints, refusals included.
    @Test func compareOfPredictionFilesPrintsWhatTheFolderPrints() throws {
        let served = try Served()
        // The server's policy makes roc_auc lower-is-better, which turns the verdict around.
        try writeFile(served.space.registry + "/policy.toml", "lower_is_better = [\"roc_auc\", \"log_loss\"]\n")
        let (weak, strong) = pairedPredictions(seed: 11, rows: 400, weak: { _, noise in noise }, strong: { label, noise in min(1, noise * 0.5 + (label == 1 ? 0.5 : 0)) })
        try writeFile(served.space.directory.url("weak.csv"), weak)
        try writeFile(served.space.directory.url("strong.csv"), strong)
        try writeFile(served.space.directory.url("short.csv"), "label,score\n1,0.5\n")
        let base = ["compare", "churn@1", "churn@2", "--dataset", "holdout", "--task", "binary", "--bootstrap", "200"]
        for arguments in [
            base + ["--predictions-a", "weak.csv", "--predictions-b", "strong.csv"], base + ["--predictions-a", "weak.csv", "--predictions-b", "strong.csv", "--json"],
            base + ["--predictions-a", "weak.csv"], base + ["--predictions-a", "weak.csv", "--predictions-b", "short.csv"],
            base + ["--predictions-a", "weak.csv", "--predictions-b", "missing.csv"], base + ["--predictions-a", "weak.csv", "--predictions-b", "strong.csv", "--level", "2"],
            ["compare", "churn@1", "churn@9", "--dataset", "holdout", "--predictions-a", "weak.csv", "--predictions-b", "strong.csv", "--task", "binary"],
        ] {
            let (remote, local) = (try served.client(arguments), try served.direct(arguments))
            #expect(remote.status == local.status, "\(arguments): \(remote.stderr) vs \(local.stderr)")
            #expect(remote.stdout == local.stdout, "\(arguments): stdout differs:\n\(remote.stdout)\n---\n\(local.stdout)")
            #expect(remote.stderr == local.stderr, "\(arguments): stderr differs:\n\(remote.stderr)\n---\n\(local.stderr)")
        }
        let compared = try served.client(base + ["--predictions-a", "weak.csv", "--predictions-b", "strong.csv"])
        #expect(compared.status == 0 && compared.stdout.contains("B worse (significant)"), "the server's lower_is_better counts: \(compared.stdout)")
        // A token granted other models may not compare these versions' files either.
        let other = try served.space.run(["token", "create", "fraud-only", "--role", "reader", "--models", "fraud", "-q"]).stdout.trimmingCharacters(in: .newlines)
        let refused = try served.client(base + ["--predictions-a", "weak.csv", "--predictions-b", "strong.csv"], token: other)
        #expect(refused.status == 4 && refused.stdout.isEmpty, "\(refused.stderr)")
        #expect(refused.stderr.hasPrefix("error: ") && refused.stderr.contains("'fraud-only'") && refused.stderr.contains("churn"), "\(refused.stderr)")
        #expect(served.server.stop().status == 0)
    }

    /// `find` through a server fingerprints a dataset path on the client's machine, and shows
    /// only the versions of models the token is granted.
    @Test func findShowsOnlyTheTokensModels() throws {
        let served = try Served()
        for model in ["churn", "fraud"] {
            try writeFile(served.space.directory.url("\(model)-model/w.bin"), "weights \(model)")
            #expect(try served.direct(["register", model, "\(model)-model", "--dataset", "train=data.csv", "--no-git", "-q"]).status == 0)
        }
        let fraud = try served.direct(["token", "create", "fraud-team", "--role", "reader", "--models", "fraud", "-q"]).stdout
            .trimmingCharacters(in: .newlines)
        let everything = try served.client(["find", "--dataset", "data.csv"])
        let here = try served.direct(["find", "--dataset", "data.csv"])
        #expect(everything.status == 0 && everything.stdout == here.stdout, "\(everything) vs \(here)")
        #expect(everything.stdout.contains("churn@4") && everything.stdout.contains("fraud@1"), "\(everything.stdout)")
        let limited = try served.client(["find", "--dataset", "data.csv"], token: fraud)
        #expect(limited.status == 0 && limited.stdout.contains("fraud@1") && !limited.stdout.contains("churn"), "\(limited.stdout)")
        #expect(served.server.stop().status == 0)
    }

    /// A server takes a document it found intact to stay so for a minute (its reads would
    /// otherwise fetch every document of a version from the store on every `show`); `verify`
    /// through the same server reads the store again and finds the damage at once.
    @Test(.enabled(if: !TestBackend.isOCI, "damages a blob in the local store's folder"))
    func verifyThroughTheServerReadsWhatShowRemembers() throws {
        let served = try Served()
        #expect(try served.client(["show", "churn@1"]).status == 0)
        let manifest = try served.direct(["show", "churn@1", "--json"]).json()["digest"] as! String
        let blob = served.space.registry + "/blobs/sha256/" + manifest.dropFirst("sha256:".count)
        chmod(blob, 0o644)
        try writeFile(blob, "damaged")
        #expect(try served.client(["show", "churn@1"]).status == 0, "show through the server remembers the manifest was intact")
        let verified = try served.client(["verify", "churn@1"])
        #expect(verified.status == 5 && verified.stdout.contains("corrupt"), "\(verified.stdout) \(verified.stderr)")
        #expect(try served.direct(["show", "churn@1"]).status == 5, "a command on the folder reads the blob again")
        #expect(served.server.stop().status == 0)
    }

    /// Release commands run the server's gates and record the token as the actor; a refused
    /// promotion prints the same gate report and exit 4 as on the folder, and changes nothing.
    @Test func releaseCommandsRunTheServersGatesAsTheToken() throws {
        let served = try Served()
        let release = try served.direct(["token", "create", "release-bot", "--role", "promoter", "--aliases", "production", "-q"]).stdout
            .trimmingCharacters(in: .newlines)
        let before = try registrySnapshot(served.space.registry)
        let refused = try served.client(["promote", "churn@3", "--to", "production"], token: release)
        #expect(try registrySnapshot(served.space.registry) == before, "a refused promotion changed the registry")
        let refusedHere = try served.direct(["promote", "churn@3", "--to", "production"])
        #expect(refused.status == 4 && refused.stdout == refusedHere.stdout && refused.stderr == refusedHere.stderr, "\(refused)")

        let moved = try served.client(["promote", "churn@2", "--to", "production", "--reason", "better auc", "--json"], token: release)
        #expect(moved.status == 0, "\(moved.stderr)")
        try expectValid(moved, schema: "promote")
        #expect(try served.client(["promote", "churn@1", "--to", "production", "-q"], token: release).status == 0)
        let rolledBack = try served.client(["rollback", "churn", "--alias", "production", "--reason", "regressed"], token: release)
        #expect(rolledBack.status == 0 && rolledBack.stdout.contains("churn@2"), "\(rolledBack)")
        #expect(try served.client(["deprecate", "churn@3", "--reason", "leaky feature"], token: release).status == 0)
        #expect(try served.client(["annotate", "churn@2", "--label", "owner=risk"]).status == 0)

        let history = try served.direct(["history", "churn", "--json"]).json()["events"] as! [[String: Any]]
        let actors = Set(history.map { ($0["actor"] as! [String: Any])["user"] as! String })
        #expect(actors == ["release-bot", "ops"], "the ledger records the tokens (the annotation was the admin's): \(actors)")
        // The alias grant holds on the command line as on the API.
        let staging = try served.client(["promote", "churn@2", "--to", "staging"], token: release)
        #expect(staging.status == 4 && staging.stderr.contains("may move aliases production, not 'staging'"), "\(staging.stderr)")
        #expect(served.server.stop().status == 0)
    }

    /// Without a usable token, with too low a role, or against no server: one line, the exit
    /// code of the refusal, nothing changed; a command that works only on the folder says so.
    @Test func refusalsAreOneLineWithTheirExitCodes() throws {
        let served = try Served()
        let reader = try served.direct(["token", "create", "dashboards", "--role", "reader", "-q"]).stdout.trimmingCharacters(in: .newlines)
        let before = try registrySnapshot(served.space.registry)
        let cases: [(arguments: [String], token: String?, status: Int32, text: String)] = [
            (["promote", "churn@2", "--to", "production"], reader, 4, "/v1/promote needs the promoter role; token 'dashboards' is a reader"),
            (["list"], "", 4, "this endpoint needs a token; set MREG_TOKEN, or store a token with 'mreg login"),
            (["list"], "mreg_not-a-token", 4, "the token is unknown, expired or revoked"),
            (["register", "churn", "churn0", "--no-git"], reader, 4, "/v1/blobs/missing needs the writer role; token 'dashboards' is a reader"),
            (["gc"], reader, 64, "'mreg gc' does not go through a server"),
            (["promote", "churn@2"], reader, 64, "Missing expected argument '--to <alias>'"),
        ]
        for (arguments, token, status, text) in cases {
            let result = try served.client(arguments, environment: ["MREG_TOKEN": token ?? ""])
            #expect(result.status == status, "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains(text), "\(arguments): \(result.stderr)")
        }
        #expect(try registrySnapshot(served.space.registry) == before, "a refusal changed the registry")
        #expect(served.server.stop().status == 0)
        let gone = try served.client(["list"])
        #expect(gone.status == 12 && gone.stderr.contains("cannot be reached"), "\(gone.stderr)")
        let plain = try mreg(["list", "--registry", "http://192.0.2.1:8080"], in: served.space.path, environment: ["MREG_TOKEN": served.admin])
        #expect(plain.status == 64 && plain.stderr.contains("plain HTTP to another machine"), "\(plain.stderr)")
    }

    /// `mreg login` checks the token with the server, then keeps it in a file only its owner can
    /// read; commands then find it there. A file others can read is refused.
    @Test func loginKeepsTheTokenInAPrivateCredentialsFile() throws {
        let served = try Served()
        let home = served.space.directory.url("home")
        let environment = ["HOME": home, "MREG_TOKEN": ""]
        let file = home + "/.config/mreg/credentials"
        let wrong = try run("/bin/sh", ["-c", "echo mreg_wrong | '\(mregExecutable)' login \(served.server.url)"], in: served.space.path, environment: environment)
        #expect(wrong.status == 4 && !FileManager.default.fileExists(atPath: file), "\(wrong.stderr)")
        try writeFile(served.space.directory.url("admin.token"), served.admin + "\n")
        let login = try run("/bin/sh", ["-c", "'\(mregExecutable)' login \(served.server.url) < admin.token"], in: served.space.path, environment: environment)
        #expect(login.status == 0 && login.stdout.contains("as ops: admin"), "\(login)")
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let whoami = try mreg(["whoami", "--json", "--registry", served.server.url], in: served.space.path, environment: environment)
        #expect(whoami.status == 0, "\(whoami.stderr)")
        try expectValid(whoami, schema: "whoami")
        #expect(try mreg(["list", "--registry", served.server.url], in: served.space.path, environment: environment).status == 0)
        chmod(file, 0o644)
        let exposed = try mreg(["list", "--registry", served.server.url], in: served.space.path, environment: environment)
        #expect(exposed.status == 64 && exposed.stderr.contains("can be read by others"), "\(exposed.stderr)")
        let local = try served.direct(["whoami"])
        #expect(local.status == 64 && local.stderr.contains("asks a server"), "\(local.stderr)")
        #expect(served.server.stop().status == 0)
    }
}
