import Foundation

/// The git state a version was built from, as read through libgit2 at registration.
public struct GitProvenance: Hashable, Sendable, Codable {
    public let commit: String
    /// The checked-out branch, or nil when HEAD is detached.
    public let branch: String?
    /// `remote.origin.url` as written in the repository's config (before any `insteadOf` rewriting).
    public let remoteURL: String?
    public let message: String
    public let author: String
    public let committedAt: Date
    public let dirty: Bool
    /// Paths with uncommitted changes (modified, added, deleted, untracked), sorted.
    public let changedPaths: [String]
    /// The work tree on the registering machine, so `diff` can read the history from there later.
    public let workTree: String?

    public init(
        commit: String, branch: String?, remoteURL: String?, message: String, author: String,
        committedAt: Date, dirty: Bool, changedPaths: [String], workTree: String? = nil
    ) {
        self.workTree = workTree
        self.commit = commit
        self.branch = branch
        self.remoteURL = remoteURL
        self.message = message
        self.author = author
        self.committedAt = committedAt
        self.dirty = dirty
        self.changedPaths = changedPaths
    }

    /// The fields that identify the code: commit and work-tree state. Message and author follow
    /// from the commit and are kept in the database only.
    var identityJSON: JSONValue {
        .object([
            "commit": .string(commit),
            "dirty": .bool(dirty),
            "changed_paths": .array(changedPaths.map(JSONValue.string)),
        ])
    }
}
