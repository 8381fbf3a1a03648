import Foundation
import RegistryTestSupport
import Testing

/// The web UI in a real browser: headless Chromium driven by selenium (Tests/web/browse.py)
/// against a live `mreg serve`, over a registry made here with the CLI. Screenshots of each page
/// land in `.build/web-screenshots` (or `MREG_SCREENSHOTS`) for a person to look at.
@Suite struct WebUITests {
    /// A web session is the registry's, not a server's: signed in on one replica, it opens pages
    /// on another; signed out on that one, the first refuses it too.
    @Test func aSessionServesEveryReplicaAndEndsOnAll() throws {
        let space = try CLIWorkspace()
        try writeFile(space.directory.url("m/w.bin"), "weights")
        #expect(try space.run(["register", "churn", "m", "--no-git", "-q"]).status == 0)
        let token = try space.run(["token", "create", "alice", "--role", "reader", "-q"]).stdout.trimmingCharacters(in: .newlines)
        let replicas = [try ServerProcess(registry: space.registry, in: space.path), try ServerProcess(registry: space.registry, in: space.path)]
        let jar = space.directory.url("cookies")
        /// curl with the cookie jar: the status, and the body.
        func curl(_ url: String, _ extra: [String] = []) throws -> (status: Int, body: String) {
            let result = try run("/usr/bin/env", ["curl", "-s", "-c", jar, "-b", jar, "-w", "\n%{http_code}", url] + extra, in: space.path)
            let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            return (Int(lines.last ?? "") ?? -1, lines.dropLast().joined(separator: "\n"))
        }
        #expect(try curl(replicas[0].url + "/ui/sign-in").status == 200)
        // Behind a proxy that ends TLS (and says so), the cookies are Secure; over plain HTTP they cannot be.
        func signInCookie(_ headers: [String]) throws -> String {
            let answer = try run("/usr/bin/env", ["curl", "-s", "-D", "-", "-o", "/dev/null"] + headers + [replicas[0].url + "/ui/sign-in"], in: "/")
            return answer.stdout.split(separator: "\r\n").first { $0.lowercased().hasPrefix("set-cookie: mreg_sign_in=") }.map(String.init) ?? ""
        }
        #expect(try signInCookie(["-H", "X-Forwarded-Proto: https"]).hasSuffix("HttpOnly; SameSite=Strict; Secure"))
        let plain = try signInCookie([])
        #expect(plain.hasSuffix("HttpOnly; SameSite=Strict") && !plain.contains("Secure"), "\(plain)")
        let formKey = try #require(try String(contentsOfFile: jar, encoding: .utf8).split(separator: "\n").first { $0.contains("mreg_sign_in") }?
            .split(separator: "\t").last.map(String.init))
        #expect(try curl(replicas[0].url + "/ui/sign-in", ["--data-urlencode", "token=\(token)", "--data-urlencode", "form_key=\(formKey)"]).status == 303)
        let page = try curl(replicas[1].url + "/ui/models/churn")
        #expect(page.status == 200 && page.body.contains("<h1>churn</h1>"), "\(page.status)")
        let pageKey = try #require(page.body.firstMatch(of: /name="form_key" value="([^"]+)"/).map { String($0.1) })
        let session = try #require(try String(contentsOfFile: jar, encoding: .utf8).split(separator: "\n").first { $0.contains("mreg_session") }?
            .split(separator: "\t").last.map(String.init))
        #expect(try curl(replicas[0].url + "/ui/models/churn", ["-H", "Cookie: mreg_session=\(session)"]).status == 200)
        // A form from another site is refused; one from this host through a proxy that ends TLS
        // (the browser's Origin says https, this server answers http) is taken.
        let authority = String(replicas[1].url.dropFirst("http://".count))
        #expect(try curl(replicas[1].url + "/ui/sign-out", ["--data-urlencode", "form_key=\(pageKey)", "-H", "Origin: https://evil.example"]).status == 403)
        #expect(try curl(replicas[1].url + "/ui/sign-out", ["--data-urlencode", "form_key=\(pageKey)", "-H", "Origin: https://\(authority)"]).status == 303)
        // Sign-out cleared the jar's cookie; the old one, kept as a stolen copy would be, opens nothing on either replica.
        for replica in replicas {
            let kept = try run("/usr/bin/env", ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Cookie: mreg_session=\(session)", replica.url + "/ui/models/churn"], in: space.path)
            #expect(kept.stdout == "303", "\(replica.url): \(kept.stdout)")
        }
        for replica in replicas { #expect(replica.stop().status == 0) }
    }

    /// The digest of the dataset churn@1 was trained on.
    func listedDataset(_ space: CLIWorkspace) throws -> String? {
        ((try space.run(["show", "churn@1", "--json"]).json()["datasets"] as? [[String: Any]])?.first?["digest"] as? String)
    }

    @Test func aBrowserSignsInBrowsesAndSignsOutAndForgedFormsAreRefused() throws {
        let space = try CLIWorkspace()
        // Six versions as a CI job makes them: each from a commit of its own, trained on a
        // recorded dataset, each the child of the one before.
        let project = space.directory.url("project")
        let (repository, _) = try makeGitRepository(at: project, files: ["train.py": "fit()\n", ".gitignore": "out/\n", "data/train.csv": "x,y\n1,0\n2,1\n"])
        let environment = ["MREG_REGISTRY": space.registry]
        for number in 1...6 {
            try writeFile(project + "/train.py", "fit(lr=0.\(number))\n")
            _ = try repository.commitAll(message: "tune the learning rate to 0.\(number)")
            try writeFile(project + "/out/model/weights.bin", "weights \(number)")
            let metrics = ["--metric", "holdout.auc=0.8\(number)", "--metric", "holdout.log_loss=0.\(9 - number)"]
            let parent = number > 1 ? ["--parent", "churn@\(number - 1)"] : []
            let registered = try mreg(
                ["register", "churn", "out/model", "-q", "--param", "lr=0.\(number)", "--param", "trees.depth=\(number + 2)", "--dataset", "train=data/train.csv",
                 "--label", "owner=risk", "--description", "tuned <img src=x onerror=alert(1)> \"quoted\""] + metrics + parent,
                in: project, environment: environment)
            #expect(registered.status == 0, "\(registered.stderr)")
        }
        // Evaluations with intervals (their predictions kept, so the two can be compared), and a
        // signature by a trusted key, on the version promoted.
        let (weak, strong) = pairedPredictions(
            seed: 11, rows: 300, weak: { label, noise in min(1, noise * 0.7 + (label == 1 ? 0.2 : 0.1)) },
            strong: { label, noise in min(1, noise * 0.5 + (label == 1 ? 0.45 : 0.05)) })
        // churn@4's rows carry a region, so its evaluation has a table per group.
        let regional = strong.split(separator: "\n").enumerated().map { index, line in line + (index == 0 ? ",region" : index % 2 == 0 ? ",north" : ",south") }
        for (version, predictions, slice) in [(3, weak, [String]()), (4, regional.joined(separator: "\n") + "\n", ["--slice", "region"])] {
            try writeFile(project + "/predictions-\(version).csv", predictions)
            let evaluated = try mreg(
                ["evaluate", "churn@\(version)", "--dataset", "data/train.csv", "--predictions", "predictions-\(version).csv", "--task", "binary",
                 "--bootstrap", "100"] + slice, in: project, environment: environment)
            #expect(evaluated.status == 0, "\(evaluated.stderr)")
        }
        // `dataset show` lists the first of the versions that used a dataset, and how many did.
        let dataset = try #require(try listedDataset(space))
        let shown = try space.run(["dataset", "show", dataset, "--limit", "2", "--json"])
        try expectValid(shown, schema: "dataset")
        let shownDocument = try shown.json()
        #expect((shownDocument["used_by"] as? [Any])?.count == 2 && shownDocument["used_by_total"] as? Int == 6)
        #expect(try space.run(["dataset", "show", dataset, "--limit", "2"]).stdout.contains("4 more version(s) (--limit N lists more)"))
        // `list` carries what `evaluate` computed, with its interval, beside the registered metrics.
        let listed = try space.run(["list", "churn", "--json"])
        try expectValid(listed, schema: "list-versions")
        let fourth = try #require((try listed.json()["versions"] as? [[String: Any]])?.first { $0["version"] as? Int == 4 })
        let rocAUC = try #require((fourth["evaluated"] as? [String: Any])?["train.roc_auc"] as? [String: Double])
        #expect(rocAUC["ci_low"]! < rocAUC["value"]! && rocAUC["value"]! < rocAUC["ci_high"]!, "\(rocAUC)")
        try FileManager.default.createDirectory(atPath: space.directory.url("keys"), withIntermediateDirectories: true)
        for step in [["keys", "generate", "release", "--out", "keys"], ["keys", "trust", "keys/release.pub"], ["sign", "churn@4", "--key", "keys/release.key"]] {
            #expect(try space.run(step + ["-q"]).status == 0)
        }
        // Two drift reports kept for churn@4: the training data itself (stable), then a day with a new column.
        try writeFile(project + "/today.csv", "x,y,region\n1,0,north\n2,1,south\n")
        for data in ["data/train.csv", "today.csv"] {
            let drift = try mreg(["drift", "churn@4", "--data", data, "--record", "-q"], in: project, environment: environment)
            #expect(drift.status == (data == "today.csv" ? 4 : 0), "\(drift.stdout)\(drift.stderr)")
        }
        try writeFile(space.directory.url("f/weights.bin"), "fraud")
        #expect(try space.run(["register", "fraud-eu", "f", "--no-git", "-q"]).status == 0)
        #expect(try space.run(["promote", "churn@4", "--to", "production", "--reason", "best holdout auc"]).status == 0)
        try writeFile(space.registry + "/policy.toml", "[aliases.production]\nmin = { \"holdout.auc\" = 0.83 }\n")
        let reader = try space.run(["token", "create", "fraud-reader", "--role", "reader", "--models", "fraud*"]).stdout.trimmingCharacters(in: .newlines)
        let tokenFile = space.directory.url("admin.token")
        let server = try ServerProcess(registry: space.registry, in: space.path, arguments: ["--bootstrap-admin-token", tokenFile])
        let admin = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .newlines)
        let files = try #require(try space.run(["show", "churn@4", "--json"]).json()["files"] as? [[String: Any]])
        let digest = try #require(files.first?["digest"] as? String)
        let screenshots = ProcessInfo.processInfo.environment["MREG_SCREENSHOTS"] ?? repositoryRoot + "/.build/web-screenshots"

        let browsed = try run(
            "/usr/bin/env",
            ["python3", repositoryRoot + "/Tests/web/browse.py", "--url", server.url, "--admin-token", admin, "--reader-token", reader, "--model", "churn",
             "--versions", "6", "--production", "4", "--refused", "2", "--file-digest", digest, "--screenshots", screenshots],
            in: space.path, environment: ["SE_OFFLINE": "true"])
        #expect(browsed.status == 0, "\(browsed.stdout)\n\(browsed.stderr)")
        for page in ["sign-in", "models", "model", "model-phone", "version", "drift", "diff", "gates", "gates-refused", "refused"] {
            #expect(FileManager.default.fileExists(atPath: "\(screenshots)/\(page).png"), "no screenshot of \(page)")
        }
        // The web's promotion is the CLI's: the same ledger event, by the token, with its reason.
        let events = try #require(try space.run(["history", "churn", "--json"]).json()["events"] as? [[String: Any]])
        #expect(events.prefix(4).map { "\($0["action"] ?? "") \($0["reason"] ?? "")" } == [
            "deprecate superseded", "rollback v6 regressed in canary", "promote beats v4 on holdout", "promote hotfix for the outage",
        ])
        try #require(events.count >= 4)
        #expect(events[3]["forced"] as? Bool == true)
        #expect(try space.run(["show", "churn@6", "--json"]).json()["status"] as? String == "deprecated")
        let actor = try #require(events[2]["actor"] as? [String: Any])
        #expect((actor["user"] as? String)?.hasPrefix("admin-") == true && (actor["host"] as? String)?.hasPrefix("mreg serve on ") == true, "\(actor)")
        #expect(try space.run(["verify", "-q"]).status == 0)
        let (status, log) = server.stop()
        #expect(status == 0, "\(log)")
        #expect(!log.contains(admin) && !log.contains(reader) && !log.contains("mregs_"), "a secret was logged")
        #expect(log.contains("\"principal\":\"fraud-reader\"") && log.contains("\"route\":\"/ui/models/churn\""), "pages are logged with their reader")
    }
}
