import Foundation
internal import Clibgit2

/// Writing operations, used by tests and the demo to build real histories without shelling out.
extension GitRepository {
    /// Stages every change in the work tree (additions, edits, deletions) and commits it on HEAD.
    @discardableResult
    public func commitAll(message: String, authorName: String = "mreg tests", authorEmail: String = "tests@mreg.invalid", at time: Date = Date()) throws(GitError) -> String {
        var index: OpaquePointer?
        try check(git.git_repository_index(&index, handle), "git_repository_index")
        defer { git.git_index_free(index) }
        try withPathspec(["*"]) { (pathspec) throws(GitError) in
            try check(git.git_index_add_all(index, pathspec, 0, nil, nil), "git_index_add_all")
            try check(git.git_index_update_all(index, pathspec, nil, nil), "git_index_update_all")
        }
        try check(git.git_index_write(index), "git_index_write")
        var treeID = git_oid()
        try check(git.git_index_write_tree(&treeID, index), "git_index_write_tree")
        var tree: OpaquePointer?
        try check(git.git_tree_lookup(&tree, handle, &treeID), "git_tree_lookup")
        defer { git.git_tree_free(tree) }
        var signature: UnsafeMutablePointer<git_signature>?
        try check(git.git_signature_new(&signature, authorName, authorEmail, git_time_t(time.timeIntervalSince1970), 0), "git_signature_new")
        defer { git.git_signature_free(signature) }
        var parent: OpaquePointer?
        if var parentID = try headCommitID() {
            try check(git.git_commit_lookup(&parent, handle, &parentID), "git_commit_lookup")
        }
        defer { if parent != nil { git.git_commit_free(parent) } }
        var commitID = git_oid()
        var parents: [OpaquePointer?] = parent.map { [$0] } ?? []
        let result = parents.withUnsafeMutableBufferPointer { buffer in
            git.git_commit_create(
                &commitID, handle, "HEAD", signature, signature, nil, message, tree, buffer.count, buffer.baseAddress)
        }
        try check(result, "git_commit_create")
        return Self.hex(commitID)
    }

    /// Creates a branch at HEAD's commit and points HEAD at it (the tree is unchanged).
    public func checkoutNewBranch(_ name: String) throws(GitError) {
        guard var headID = try headCommitID() else { throw GitError(code: -1, message: "no commit to branch from", function: "checkoutNewBranch") }
        var commit: OpaquePointer?
        try check(git.git_commit_lookup(&commit, handle, &headID), "git_commit_lookup")
        defer { git.git_commit_free(commit) }
        var reference: OpaquePointer?
        try check(git.git_branch_create(&reference, handle, name, commit, 0), "git_branch_create")
        git.git_reference_free(reference)
        try check(git.git_repository_set_head(handle, "refs/heads/\(name)"), "git_repository_set_head")
    }

    /// Detaches HEAD at its current commit.
    public func detachHead() throws(GitError) {
        try check(git.git_repository_detach_head(handle), "git_repository_detach_head")
    }

    public func setConfig(_ key: String, _ value: String) throws(GitError) {
        var config: OpaquePointer?
        try check(git.git_repository_config(&config, handle), "git_repository_config")
        defer { git.git_config_free(config) }
        try check(git.git_config_set_string(config, key, value), "git_config_set_string")
    }

    private func withPathspec<T>(_ patterns: [String], _ body: (UnsafeMutablePointer<git_strarray>) throws(GitError) -> T) throws(GitError) -> T {
        var cStrings = patterns.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        return try cStrings.withUnsafeMutableBufferPointer { (buffer) throws(GitError) -> T in
            var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
            return try body(&array)
        }
    }
}
