import RegistryModel

/// A version's metric or label entries that name another model than the version's (changed
/// outside mreg): the ledger does not cover which model an entry is filed under, so `verify`
/// checks it apart.
public struct MisfiledEntries: Sendable, Equatable {
    public enum Kind: String, Sendable { case metric, label }
    public let kind: Kind
    public let version: VersionPointer

    public init(kind: Kind, version: VersionPointer) {
        self.kind = kind
        self.version = version
    }
}

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
