import RegistryModel

/// A row that should have been recorded by a ledger event but was not: it was inserted behind
/// mreg's back (or its event was deleted).
public struct UnrecordedFact: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case registration
        case evaluation(id: Int64)
        case signature(keyName: String)
        case annotation(sequence: Int64)
        case datasetContents(Digest)
        case datasetName(String, Digest)
    }
    public let kind: Kind
    /// The version the row belongs to (none for dataset rows).
    public let version: VersionPointer?

    public init(kind: Kind, version: VersionPointer?) {
        self.kind = kind
        self.version = version
    }
}

/// Rows written by an mreg without fact events, oldest first.
public struct LegacyFacts: Sendable {
    public let versionIDs: [VersionKey]
    public let evaluations: [(id: Int64, versionID: VersionKey)]
    public let signatures: [(versionID: VersionKey, key: Digest)]
    public let datasets: [Digest]
    public let names: [(name: String, dataset: Digest)]

    public init(versionIDs: [VersionKey], evaluations: [(id: Int64, versionID: VersionKey)], signatures: [(versionID: VersionKey, key: Digest)], datasets: [Digest], names: [(name: String, dataset: Digest)]) {
        self.versionIDs = versionIDs
        self.evaluations = evaluations
        self.signatures = signatures
        self.datasets = datasets
        self.names = names
    }
}
