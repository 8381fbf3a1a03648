import RegistryModel

/// A row that should have been recorded by a ledger event but was not: it was inserted behind
/// mreg's back (or its event was deleted).
public struct UnrecordedFact: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case registration
        case evaluation(id: Int64)
        case signature(keyName: String, key: Digest)
        case annotation(sequence: Int64)
        case driftReport(sequence: Int64)
        case datasetContents(Digest)
        case datasetName(String, Digest)
    }
    public let kind: Kind
    /// The version the row belongs to (none for dataset rows), and the store's key for it.
    public let version: VersionPointer?
    public let versionID: VersionKey?

    public init(kind: Kind, version: VersionPointer?, versionID: VersionKey?) {
        self.kind = kind
        self.version = version
        self.versionID = versionID
    }
}
