/// How two commits relate in a repository's history.
public enum CommitRelation: Sendable, Equatable {
    case same
    /// The first commit is an ancestor of the second.
    case ancestor
    /// The second commit is an ancestor of the first.
    case descendant
    /// Both descend from a common commit (the merge base).
    case diverged(mergeBase: String)
    /// No common history.
    case unrelated
}

/// A commit's id and subject line.
public struct CommitSummary: Sendable, Equatable {
    public let id: String
    public let subject: String

    public init(id: String, subject: String) {
        self.id = id
        self.subject = subject
    }
}

