/// A version found by `mreg find`, and how it relates to what was searched for.
public struct Finding: Sendable, Equatable {
    public let version: VersionPointer
    /// "recorded it at registration as train", "was built from commit 1a2b…", …
    public let relation: String

    public init(version: VersionPointer, relation: String) {
        self.version = version
        self.relation = relation
    }
}
