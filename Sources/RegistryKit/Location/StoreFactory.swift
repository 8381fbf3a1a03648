import RegistryStorage

/// Turns the backend addresses `registry.json` names into stores. RegistryKit knows only the
/// storage protocols; the composition root (`RegistryBackends`) supplies the engines: the
/// embedded SQLite file and blob folder, PostgreSQL, an OCI registry.
public protocol StoreFactory: Sendable {
    /// The metadata backend `configured` names (nil: the embedded default); a malformed address is a usage error.
    func metadata(configured: String?, in layout: RegistryLayout) throws(RegistryError) -> any MetadataBackendChoice
    /// The blob backend `configured` names (nil: the embedded default); a malformed address is a usage error.
    func blobs(configured: String?, insecure: Bool, in layout: RegistryLayout) throws(RegistryError) -> any BlobBackendChoice
}

/// A metadata backend named by a registry's configuration, not yet opened.
public protocol MetadataBackendChoice: Sendable, CustomStringConvertible {
    /// What `registry.json` records: the normalised address, nil for the embedded default (which it never names).
    var configuration: String? { get }
    /// Opens (and migrates) the store. The ingest hints come only with a store on this machine.
    func open(environment: [String: String], busyTimeout: Double) throws(RegistryError) -> OpenedMetadata
}

/// A blob backend named by a registry's configuration, not yet opened.
public protocol BlobBackendChoice: Sendable, CustomStringConvertible {
    /// What `registry.json` records: the normalised address, nil for the embedded default.
    var configuration: String? { get }
    /// Whether it is reached over plain HTTP although not on loopback (`--insecure`).
    var isInsecure: Bool { get }
    /// Opens the store; with `check`, a remote one is asked once whether it answers and accepts
    /// the credentials, and a local one has its folders created.
    func open(environment: [String: String], check: Bool) throws(RegistryError) -> any BlobStoring
}

/// An opened metadata store and, for one on this machine, its ingest hints.
public struct OpenedMetadata: Sendable {
    public let store: any SharedMetadataStoring
    public let hints: (any SourceHintStoring)?

    public init(store: any SharedMetadataStoring, hints: (any SourceHintStoring)?) {
        self.store = store
        self.hints = hints
    }
}
