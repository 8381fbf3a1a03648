import Foundation
import RegistryKit
import RegistryTestSupport
import Testing

@Suite struct RegistryGitTests {
    @Test func recordsTheCommitOfTheRepositoryItRunsIn() throws {
        let space = try Workspace()
        let repo = space.directory.url("project")
        let (repository, commit) = try makeGitRepository(at: repo, files: ["train.py": "fit()\n", ".gitignore": "out/\n"])
        try repository.setConfig("remote.origin.url", "git@example.com:acme/churn.git")
        try writeFile(repo + "/out/w.bin", "weights")
        let outcome = try space.registry.register(space.request("churn", [repo + "/out"], git: .discover(from: repo)))
        let git = try #require(outcome.version.git)
        #expect(git.commit == commit && !git.dirty && git.remoteURL == "git@example.com:acme/churn.git")
        #expect(outcome.warnings.isEmpty)
        try assertRegistryConsistent(space.root)
    }

    @Test func dirtyTreesAreRecordedWithAWarningOrRefused() throws {
        let space = try Workspace()
        let repo = space.directory.url("project")
        _ = try makeGitRepository(at: repo, files: ["train.py": "fit()\n", ".gitignore": "out/\n"])
        try writeFile(repo + "/train.py", "fit(lr=0.2)\n")
        try writeFile(repo + "/out/w.bin", "weights")
        var request = space.request("churn", [repo + "/out"], git: .repository(repo))
        request.requireClean = true
        let before = try registrySnapshot(space.root)
        do {
            _ = try space.registry.register(request)
            Issue.record("--require-clean must refuse a dirty tree")
        } catch {
            #expect(error.kind == .refused && error.message.contains("train.py"))
        }
        #expect(try registrySnapshot(space.root) == before)
        request.requireClean = false
        let outcome = try space.registry.register(request)
        #expect(outcome.version.git?.dirty == true && outcome.version.git?.changedPaths == ["train.py"])
        #expect(outcome.warnings.contains { $0.contains("uncommitted") })
        try assertRegistryConsistent(space.root)
    }

    @Test func outsideARepositoryIsANoteNotAnError() throws {
        let space = try Workspace()
        try space.file("m/w.bin", "weights")
        let outcome = try space.registry.register(space.request("churn", ["m"], git: .discover(from: space.directory.path)))
        #expect(outcome.version.git == nil)
        #expect(outcome.version.gitNote == "not inside a git repository")
        #expect(outcome.warnings.contains { $0.contains("not inside a git repository") })
        try assertRegistryConsistent(space.root)
    }

    @Test func aDifferentCommitMakesANewVersion() throws {
        let space = try Workspace()
        let repo = space.directory.url("project")
        let (repository, _) = try makeGitRepository(at: repo, files: ["train.py": "v1\n", ".gitignore": "out/\n"])
        try writeFile(repo + "/out/w.bin", "weights")
        let first = try space.registry.register(space.request("churn", [repo + "/out"], git: .discover(from: repo)))
        try writeFile(repo + "/train.py", "v2\n")
        let second = try repository.commitAll(message: "tune")
        let next = try space.registry.register(space.request("churn", [repo + "/out"], git: .discover(from: repo)))
        #expect(first.version.number == 1 && next.created && next.version.number == 2 && next.version.git?.commit == second)
        try assertRegistryConsistent(space.root)
    }
}

@Suite struct GitOwnershipTests {
    /// libgit2 refuses a repository owned by another user (even for root); the error says how to allow it.
    @Test func aRepositoryOwnedByAnotherUserIsAClearRefusal() throws {
        let space = try Workspace()
        let repo = space.directory.url("project")
        _ = try makeGitRepository(at: repo, files: ["train.py": "fit()\n", ".gitignore": "out/\n"])
        try writeFile(repo + "/out/w.bin", "weights")
        let chown = try run("/bin/chown", ["-R", "65534:65534", repo], in: "/")
        #expect(chown.status == 0)
        do {
            _ = try space.registry.register(space.request("churn", [repo + "/out"], git: .discover(from: repo)))
            Issue.record("a repository owned by another user must be refused")
        } catch {
            #expect(error.kind == .refused)
            #expect(error.description.contains("safe.directory") && error.description.contains("--no-git"), "\(error)")
        }
        let outcome = try space.registry.register(space.request("churn", [repo + "/out"], git: .none))
        #expect(outcome.created && outcome.version.gitNote == "not recorded (--no-git)")
        try assertRegistryConsistent(space.root)
    }
}
