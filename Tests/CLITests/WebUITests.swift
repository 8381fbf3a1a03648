import Foundation
import RegistryTestSupport
import Testing

/// The web UI in a real browser: headless Chromium driven by selenium (Tests/web/browse.py)
/// against a live `mreg serve`, over a registry made here with the CLI. Screenshots of each page
/// land in `.build/web-screenshots` (or `MREG_SCREENSHOTS`) for a person to look at.
@Suite struct WebUITests {
    @Test func aBrowserSignsInBrowsesAndSignsOutAndForgedFormsAreRefused() throws {
        let space = try CLIWorkspace()
        for number in 1...6 {
            try writeFile(space.directory.url("m\(number)/weights.bin"), "weights \(number)")
            let metrics = ["--metric", "holdout.auc=0.8\(number)", "--metric", "holdout.log_loss=0.\(9 - number)"]
            #expect(try space.run(["register", "churn", "m\(number)", "--no-git", "-q", "--param", "lr=0.\(number)"] + metrics).status == 0)
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
        for page in ["sign-in", "models", "model", "model-phone", "version", "gates", "gates-refused", "refused"] {
            #expect(FileManager.default.fileExists(atPath: "\(screenshots)/\(page).png"), "no screenshot of \(page)")
        }
        // The web's promotion is the CLI's: the same ledger event, by the token, with its reason.
        let events = try #require(try space.run(["history", "churn", "--json"]).json()["events"] as? [[String: Any]])
        #expect(events.prefix(4).map { "\($0["action"] ?? "") \($0["reason"] ?? "")" } == [
            "deprecate superseded", "rollback v6 regressed in canary", "promote beats v4 on holdout", "promote hotfix for the outage",
        ])
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
