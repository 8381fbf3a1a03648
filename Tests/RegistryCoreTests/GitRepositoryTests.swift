import Foundation
import GitLinkage
import RegistryTestSupport
import Testing

@Suite struct GitRepositoryTests {
    @Test func readsCommitBranchMessageAndAuthorOfACleanTree() throws {
        let directory = TemporaryDirectory()
        let (_, commit) = try makeGitRepository(at: directory.url("repo"), message: "train churn v1\n\nlonger body")
        let repository = try #require(try GitRepository.discover(from: directory.url("repo")))
        let provenance = try #require(try repository.provenance())
        #expect(provenance.commit == commit)
        #expect(provenance.commit.count == 40)
        #expect(provenance.branch == "master" || provenance.branch == "main")
        #expect(provenance.message == "train churn v1\n\nlonger body")
        #expect(provenance.author == "mreg tests <tests@mreg.invalid>")
        #expect(!provenance.dirty)
        #expect(provenance.changedPaths.isEmpty)
        #expect(provenance.remoteURL == nil)
    }

    @Test func discoversFromASubfolderAndListsDirtyPaths() throws {
        let directory = TemporaryDirectory()
        let root = directory.url("repo")
        _ = try makeGitRepository(at: root, files: ["train.py": "a\n", "src/model.py": "b\n"])
        try writeFile(root + "/train.py", "changed\n")
        try writeFile(root + "/notes/new.txt", "untracked\n")
        try FileManager.default.removeItem(atPath: root + "/src/model.py")
        let repository = try #require(try GitRepository.discover(from: root + "/notes"))
        let provenance = try #require(try repository.provenance())
        #expect(provenance.dirty)
        #expect(provenance.changedPaths == ["notes/new.txt", "src/model.py", "train.py"])
    }

    @Test func detachedHeadHasNoBranchAndBranchesAreNamed() throws {
        let directory = TemporaryDirectory()
        let (repository, commit) = try makeGitRepository(at: directory.url("repo"))
        try repository.checkoutNewBranch("feature/faster")
        #expect(try repository.provenance()?.branch == "feature/faster")
        try repository.detachHead()
        let provenance = try #require(try repository.provenance())
        #expect(provenance.branch == nil)
        #expect(provenance.commit == commit)
    }

    @Test func recordsTheRemoteURLAsWrittenNotAsRewritten() throws {
        let directory = TemporaryDirectory()
        let (repository, _) = try makeGitRepository(at: directory.url("repo"))
        try repository.setConfig("remote.origin.url", "https://github.com/acme/churn.git")
        try repository.setConfig("url./mirror/.insteadOf", "https://github.com/")
        #expect(try repository.provenance()?.remoteURL == "https://github.com/acme/churn.git")
    }

    @Test func noRepositoryAndNoCommitAreNotErrors() throws {
        let directory = TemporaryDirectory()
        #expect(try GitRepository.discover(from: directory.path) == nil)
        let empty = try GitRepository.initialize(at: directory.url("empty"))
        #expect(try empty.provenance() == nil)
    }
}
