import Foundation
import RegistryTestSupport
import Testing

/// What a new user tripped over (issue 8, point 6), each as the command line shows it.
@Suite struct NewUserTests {
    @Test func usageErrorsAreOneLineWithAHintAndJSONWhenAsked() throws {
        let space = try CLIWorkspace()
        let before = try space.run(["--registry", "registry", "list"])
        #expect(before.status == 64 && before.stderr == "error: Unknown option '--registry'; options go after the command name: mreg list --registry registry\n")
        let typo = try space.run(["lsit"])
        #expect(typo.status == 64 && typo.stderr.contains("'lsit' is not a command; did you mean 'list'?"))
        let json = try space.run(["list", "--json", "--bogus"])
        #expect(json.status == 64 && json.stderr.split(separator: "\n").count == 1)
        try expectValid(json, schema: "error")
        #expect((try json.json()["error"] as? [String: Any])?["exit_code"] as? Int == 64)
        let validation = try space.run(["verify", "churn@1", "--all", "--json"])
        #expect(validation.status == 64 && validation.stderr.hasPrefix("error: give references or --all, not both; see 'mreg verify --help'"))
        try expectValid(validation, schema: "error")
    }

    @Test func swappedRegisterArgumentsAreExplained() throws {
        let space = try CLIWorkspace()
        try writeFile(space.directory.url("model.onnx"), "weights")
        try space.expectRefusal(["register", "model.onnx", "churn", "--no-git"], status: 64, mentioning: "the arguments look swapped; the model name comes first: mreg register churn model.onnx")
    }

    @Test func numbersKeepTheirKindFromYAMLAndJSONFiles() throws {
        let space = try CLIWorkspace()
        try writeFile(space.directory.url("m/w.bin"), "weights")
        try writeFile(space.directory.url("p.yaml"), "C: 1.0\nn: 3\n")
        #expect(try space.run(["register", "churn", "m", "--no-git", "--params", "p.yaml"]).status == 0)
        #expect(try space.run(["show", "churn@1"]).stdout.contains("C = 1.0"))
        let show = try space.run(["show", "churn@1", "--json"])
        #expect(show.stdout.contains("\"C\" : 1.0") && show.stdout.contains("\"n\" : 3"), "\(show.stdout)")
        #expect(try space.run(["verify"]).status == 0)
    }

    @Test func historyAtTakesEveryISO8601Form() throws {
        let space = try CLIWorkspace()
        try space.registerVersions([0.9])
        #expect(try space.run(["promote", "churn@1", "--to", "production"]).status == 0)
        // Each form, and the moment it names (a date alone is its start; no offset is UTC).
        for (form, moment) in [
            ("2999-12-01", "2999-12-01T00:00:00.000Z"), ("29991201", "2999-12-01T00:00:00.000Z"), ("2999-335", "2999-12-01T00:00:00.000Z"),
            ("2999-W48-2", "2999-11-26T00:00:00.000Z"), ("2999-12-01T12:00Z", "2999-12-01T12:00:00.000Z"),
            ("2999-12-01 12:00:00+02:00", "2999-12-01T10:00:00.000Z"), ("2999-12-01T12", "2999-12-01T12:00:00.000Z"),
            ("29991201T120000Z", "2999-12-01T12:00:00.000Z"), ("2999-12-01T12:30:15,5-0130", "2999-12-01T14:00:15.500Z"),
        ] {
            let result = try space.run(["history", "churn", "--at", form, "--json"])
            #expect(result.status == 0, "\(form): \(result.stderr)")
            let document = try result.json()
            #expect(document["at"] as? String == moment, "\(form)")
            #expect((document["aliases"] as? [[String: Any]])?.count == 1, "\(form)")
        }
        let past = try space.run(["history", "churn", "--at", "2000-01-01", "--json"])
        let pastDocument = try past.json()
        #expect((pastDocument["aliases"] as? [Any])?.isEmpty == true && pastDocument["at"] as? String == "2000-01-01T00:00:00.000Z")
        try space.expectRefusal(["history", "churn", "--at", "2026-13-01"], status: 64, mentioning: "ISO 8601")
    }

    @Test func exportWritesAReceiptAndCreatesParents() throws {
        let space = try CLIWorkspace()
        try space.registerVersions([0.9])
        let result = try space.run(["export", "churn@1", "deploy/a/b/model", "--receipt", "deploy/receipt.json"])
        #expect(result.status == 0, "\(result.stderr)")
        let receipt = try run("/bin/cat", [space.directory.url("deploy/receipt.json")], in: space.path)
        try expectValid(receipt, schema: "export-receipt")
        let document = try receipt.json()
        #expect(document["reference"] as? String == "churn@1" && (document["files"] as? [Any])?.count == 1)
    }

    @Test(.disabled(if: ClientMode.isOn, "about a registry folder inside the work tree; a client's registry is a server"))
    func theRegistryInsideTheRepositoryDoesNotMakeTheTreeDirty() throws {
        let space = try CLIWorkspace()
        let repo = space.directory.url("project")
        _ = try makeGitRepository(at: repo, files: ["train.py": "fit()\n", ".gitignore": "out/\n"])
        #expect(try mreg(["init", "-q"], in: repo).stdout.isEmpty, "init -q is quiet")
        _ = try mreg(["keys", "generate", "release", "--out", space.path], in: repo)
        #expect(try mreg(["keys", "trust", space.directory.url("release.pub")], in: repo).status == 0)
        try writeFile(repo + "/out/w.bin", "weights")
        let registered = try mreg(["register", "churn", "out", "--require-clean", "--json"], in: repo)
        #expect(registered.status == 0, "\(registered.stderr)")
        #expect(((try registered.json()["version"] as? [String: Any])?["git"] as? [String: Any])?["dirty"] as? Bool == false)
        try writeFile(repo + "/train.py", "fit(better=True)\n")
        try writeFile(repo + "/out/w.bin", "weights 2")
        let dirty = try mreg(["register", "churn", "out", "--json"], in: repo)
        #expect(((try dirty.json()["version"] as? [String: Any])?["git"] as? [String: Any])?["changed_paths"] as? [String] == ["train.py"])
    }

    @Test func smallThingsSayWhatTheyMean() throws {
        let space = try CLIWorkspace()
        try space.registerVersions([0.9])
        // find --blob with a 12-digit prefix.
        let show = try space.run(["show", "churn@1", "--json"])
        let blob = try #require((try show.json()["files"] as? [[String: Any]])?.first?["digest"] as? String)
        let found = try space.run(["find", "--blob", String(blob.dropFirst(7).prefix(12))])
        #expect(found.status == 0 && found.stdout.contains("churn@1"), "\(found.stderr)")
        try space.expectRefusal(["find", "--blob", "abc"], status: 64, mentioning: "at least 12")
        // sign with a public key: one clear line, no permission warning.
        #expect(try space.run(["keys", "generate", "k", "--out", space.path]).status == 0)
        chmod(space.directory.url("k.pub"), 0o644)
        try space.expectRefusal(["sign", "churn@1", "--key", "k.pub"], status: 64, mentioning: "this is a public key")
        // A failed verify: the problems on stdout, one summary line on stderr.
        try executeSQL(space.registry, "UPDATE version_metrics SET value = 0.99")
        let verify = try space.run(["verify"])
        #expect(verify.status == 5 && verify.stderr.split(separator: "\n").count == 1 && verify.stderr.contains("verification FAILED with"))
        #expect(!verify.stdout.contains("FAILED"))
    }
}
