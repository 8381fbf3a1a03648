internal import Clibgit2
import Foundation
import RegistryModel

extension GitRepository {
    /// Whether the repository holds a commit.
    public func hasCommit(_ id: String) -> Bool {
        var oid = git_oid()
        guard git.git_oid_fromstr(&oid, id) == 0 else { return false }
        var commit: OpaquePointer?
        guard git.git_commit_lookup(&commit, handle, &oid) == 0 else { return false }
        git.git_commit_free(commit)
        return true
    }

    /// How `from` and `to` relate, and the commits reachable from `to` but not from `from`
    /// (newest first, at most `limit`), with their total count.
    public func commits(from: String, to: String, limit: Int) throws(GitError) -> (relation: CommitRelation, commits: [CommitSummary], total: Int) {
        var fromID = git_oid(), toID = git_oid()
        try check(git.git_oid_fromstr(&fromID, from), "git_oid_fromstr")
        try check(git.git_oid_fromstr(&toID, to), "git_oid_fromstr")
        if git.git_oid_equal(&fromID, &toID) != 0 { return (.same, [], 0) }
        var base = git_oid()
        let found = git.git_merge_base(&base, handle, &fromID, &toID)
        let relation: CommitRelation
        if found == GIT_ENOTFOUND.rawValue {
            relation = .unrelated
        } else {
            try check(found, "git_merge_base")
            if git.git_oid_equal(&base, &fromID) != 0 {
                relation = .ancestor
            } else if git.git_oid_equal(&base, &toID) != 0 {
                relation = .descendant
            } else {
                relation = .diverged(mergeBase: Self.text(&base))
            }
        }
        var walk: OpaquePointer?
        try check(git.git_revwalk_new(&walk, handle), "git_revwalk_new")
        defer { git.git_revwalk_free(walk) }
        try check(git.git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue), "git_revwalk_sorting")
        try check(git.git_revwalk_push(walk, &toID), "git_revwalk_push")
        if relation != .unrelated { try check(git.git_revwalk_hide(walk, &fromID), "git_revwalk_hide") }
        var commits = [CommitSummary]()
        var total = 0
        var next = git_oid()
        while git.git_revwalk_next(&next, walk) == 0 {
            total += 1
            guard commits.count < limit else { continue }
            var commit: OpaquePointer?
            try check(git.git_commit_lookup(&commit, handle, &next), "git_commit_lookup")
            defer { git.git_commit_free(commit) }
            let message = git.git_commit_summary(commit).map { String(cString: $0) } ?? ""
            commits.append(CommitSummary(id: Self.text(&next), subject: message))
        }
        return (relation, commits, total)
    }

    static func text(_ oid: inout git_oid) -> String {
        var buffer = [CChar](repeating: 0, count: 41)
        _ = git.git_oid_tostr(&buffer, 41, &oid)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
