import Foundation
import RegistryTestSupport
import Testing

@Suite struct GitNotesTests {
    @Test func registerNotesEachVersionOnItsCommitWhenConfigured() throws {
        let space = try CLIWorkspace()
        let repo = space.directory.url("project")
        let (_, commit) = try makeGitRepository(at: repo, files: ["train.py": "fit()\n", ".gitignore": "out/\n"])
        let env = ["MREG_REGISTRY": space.registry]
        try writeFile(repo + "/out/a.bin", "model a")
        try writeFile(repo + "/out/b.bin", "model b")
        // Without config.toml nothing is written to git.
        #expect(try mreg(["register", "quiet", "out/a.bin"], in: repo, environment: env).status == 0)
        let none = try run("/usr/bin/env", ["git", "notes", "--ref=mreg", "show", commit], in: repo)
        #expect(none.status != 0)

        try writeFile(space.registry + "/config.toml", "# registry settings\nrecord_git_notes = true\n")
        let config = try run("/bin/sh", ["-c", "python3 \(repositoryRoot)/scripts/validate_json.py config --toml < \(space.registry)/config.toml"], in: repo)
        #expect(config.status == 0, "\(config.stderr)")
        #expect(try mreg(["register", "churn", "out/a.bin"], in: repo, environment: env).status == 0)
        #expect(try mreg(["register", "churn", "out/a.bin"], in: repo, environment: env).status == 0, "a retry adds no second line")
        #expect(try mreg(["register", "fraud", "out/b.bin"], in: repo, environment: env).status == 0)
        let churn = try space.run(["show", "churn@1", "--json"])
        let fraud = try space.run(["show", "fraud@1", "--json"])
        let log = try run("/usr/bin/env", ["git", "log", "--notes=mreg", "-1", "--format=%N"], in: repo)
        let lines = log.stdout.split(separator: "\n").map(String.init)
        #expect(lines == ["mreg: churn@1 \(try churn.json()["digest"] as! String)", "mreg: fraud@1 \(try fraud.json()["digest"] as! String)"])
    }

    /// libgit2 and the libraries it pulls in are opened by the commands that read a repository
    /// only (`register` with git, `diff`), not at every start; the dynamic loader's own log says
    /// what each process loaded.
    @Test func libgit2IsLoadedOnlyByCommandsThatReadARepository() throws {
        let space = try CLIWorkspace()
        let repo = space.directory.url("project")
        _ = try makeGitRepository(at: repo, files: ["train.py": "fit()\n", ".gitignore": "out/\n"])
        try writeFile(repo + "/out/w.bin", "weights")
        let trace = ["MREG_REGISTRY": space.registry, "LD_DEBUG": "files"]
        func loadsLibgit2(_ arguments: [String]) throws -> Bool {
            let result = try mreg(arguments, in: repo, environment: trace)
            #expect(result.status == 0, "\(arguments): \(result.stderr.suffix(400))")
            return result.stderr.contains("file=libgit2.so")
        }
        #expect(try loadsLibgit2(["register", "churn", "out/w.bin", "-q"]))
        let shown = try space.run(["show", "churn@1", "--json"])
        #expect(try (shown.json()["git"] as? [String: Any])?["commit"] is String, "register still records the commit")
        #expect(try !loadsLibgit2(["register", "churn", "out/w.bin", "--no-git", "-q"]))
        for command in [["list"], ["show", "churn@1"], ["promote", "churn@1", "--to", "staging", "-q"], ["history", "churn"], ["verify", "--all", "-q"]] {
            #expect(try !loadsLibgit2(command), "\(command) opened libgit2")
        }
    }

    @Test func aMalformedConfigIsRefusedBeforeAnythingIsWritten() throws {
        let space = try CLIWorkspace()
        try writeFile(space.directory.url("m/w.bin"), "weights")
        try writeFile(space.registry + "/config.toml", "record_git_notes = \"yes\"\n")
        try space.expectRefusal(["register", "churn", "m", "--no-git"], status: 64, mentioning: "line 1, key 'record_git_notes': must be true or false")
        try writeFile(space.registry + "/config.toml", "\nrecord_notes = true\n")
        try space.expectRefusal(["register", "churn", "m", "--no-git"], status: 64, mentioning: "line 2, key 'record_notes': unknown setting")
    }
}
