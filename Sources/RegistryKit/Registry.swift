import RegistryStorage
import Foundation
import RegistryModel

/// The backends `registry.json` names, without secrets; nil addresses mean the embedded default.
public struct BackendConfiguration: Equatable, Sendable {
    /// A `postgres://` address for the metadata, or nil for `registry.sqlite`.
    public var metadata: String?
    /// An `oci://` address for the blobs, or nil for `blobs/`.
    public var blobs: String?
    /// Plain HTTP to a blob registry that is not on loopback (`--insecure`).
    public var insecureBlobs: Bool

    public init(metadata: String? = nil, blobs: String? = nil, insecureBlobs: Bool = false) {
        self.metadata = metadata
        self.blobs = blobs
        self.insecureBlobs = insecureBlobs
    }

    public static let embedded = BackendConfiguration()
    public var isEmbedded: Bool { metadata == nil && blobs == nil }
}

/// The registry facade: every command goes through here, and it orders the stores so that a
/// crash never leaves metadata pointing at a missing blob (blobs first, then one transaction).
public final class Registry: Sendable {
    public let layout: RegistryLayout
    /// The blob store (the embedded folder, or an OCI registry), reached only through the storage
    /// protocols; local-only work (temporary files, quarantine, reading in place) tests for `LocalBlobStoring`.
    let blobs: any BlobStoring
    /// The metadata store, reached only through the storage protocols (SQLite for the embedded default).
    let metadata: any SharedMetadataStoring
    /// This machine's ingest hints, kept by an embedded store only.
    let hints: (any SourceHintStoring)?
    /// The backends `registry.json` names (normalised addresses).
    public let backends: BackendConfiguration
    /// What opened the stores, kept to open a migration's targets.
    let stores: any StoreFactory
    /// The PostgreSQL address `registry.json` names for the metadata; nil for the embedded default.
    public var metadataAddress: String? { backends.metadata }
    /// The OCI address `registry.json` names for the blobs; nil for the embedded default.
    public var blobsAddress: String? { backends.blobs }
    let clock: @Sendable () -> Date
    /// How long a command waits for another process's lock before failing as "locked".
    let busyTimeout: Double
    /// Seconds a ledger write holds its transaction open before committing; only crash tests set it.
    let ledgerCommitDelay: Double
    /// Told of promotions, rollbacks, registrations and verifications (`mreg serve` counts them).
    let observer: (any RegistryObserver)?

    /// Seconds a write waits for another process's lock (`MREG_BUSY_TIMEOUT` overrides it).
    public static let defaultBusyTimeout: Double = 60

    init(
        layout: RegistryLayout, metadata: OpenedMetadata, blobs: any BlobStoring, backends: BackendConfiguration, stores: any StoreFactory,
        clock: @escaping @Sendable () -> Date, busyTimeout: Double, ledgerCommitDelay: Double, observer: (any RegistryObserver)? = nil
    ) {
        self.observer = observer
        self.backends = backends
        self.stores = stores
        self.layout = layout
        self.busyTimeout = busyTimeout
        self.ledgerCommitDelay = ledgerCommitDelay
        self.blobs = blobs
        self.metadata = metadata.store
        self.hints = metadata.hints
        self.clock = clock
    }

    /// Opens an existing registry; refuses a missing one or one of a newer format before touching it.
    ///
    /// `busyTimeout` is how long a write waits for another process's write lock before failing
    /// as "locked"; writes are short, so the default minute means something is stuck.
    /// `stores` opens the backends the marker names (`RegistryBackends` has the engines).
    /// `environment` supplies what a remote backend needs and the configuration never holds (`PGPASSWORD`).
    public static func open(
        at root: String, stores: any StoreFactory, environment: [String: String] = [:], clock: @escaping @Sendable () -> Date = Date.init,
        busyTimeout: Double = defaultBusyTimeout, ledgerCommitDelay: Double = 0, observer: (any RegistryObserver)? = nil
    ) throws(RegistryError) -> Registry {
        let layout = RegistryLayout(root: root)
        let marker = try readMarker(layout)
        let backend = try stores.metadata(configured: marker.metadata, in: layout)
        let blobBackend = try stores.blobs(configured: marker.blobs, insecure: marker.insecureBlobs ?? false, in: layout)
        let registry = Registry(
            layout: layout, metadata: try backend.open(environment: environment, busyTimeout: busyTimeout),
            blobs: try blobBackend.open(environment: environment, check: false),
            backends: BackendConfiguration(metadata: backend.configuration, blobs: blobBackend.configuration, insecureBlobs: blobBackend.isInsecure),
            stores: stores, clock: clock, busyTimeout: busyTimeout, ledgerCommitDelay: ledgerCommitDelay, observer: observer)
        try registry.recordLegacyFacts()
        return registry
    }

    /// The backends the registry at `root` names, or nil when there is no readable registry there
    /// (for work started ahead of `open`, which then reports what is wrong).
    public static func configuredBackends(at root: String) -> BackendConfiguration? {
        guard let marker = try? readMarker(RegistryLayout(root: root)) else { return nil }
        return BackendConfiguration(metadata: marker.metadata, blobs: marker.blobs, insecureBlobs: marker.insecureBlobs ?? false)
    }

    /// The marker, checked: an mreg registry of a format this build reads.
    static func readMarker(_ layout: RegistryLayout) throws(RegistryError) -> RegistryMarker {
        guard let data = FileManager.default.contents(atPath: layout.marker) else {
            throw RegistryError(
                .noRegistry, "'\(layout.root)' is not an mreg registry (no registry.json)",
                hint: "run 'mreg init \(layout.root)' to create one there")
        }
        guard let marker = try? JSONDecoder().decode(RegistryMarker.self, from: data), marker.format == RegistryLayout.formatName else {
            throw RegistryError(.noRegistry, "'\(layout.marker)' is not an mreg registry marker", hint: "check --registry / MREG_REGISTRY")
        }
        guard marker.formatVersion <= RegistryLayout.formatVersion else {
            throw RegistryError(
                .noRegistry,
                "the registry at '\(layout.root)' has format \(marker.formatVersion), newer than this mreg understands (\(RegistryLayout.formatVersion))",
                hint: "upgrade mreg to use this registry")
        }
        return marker
    }

    /// Creates a registry at `root`, or opens it unchanged when one is already there.
    ///
    /// `backends` names a PostgreSQL database for the metadata and an OCI registry for the blobs
    /// (nil: `registry.sqlite` and `blobs/`); the schema is created and the blob registry asked
    /// before the marker is written, so a server that cannot be reached leaves no registry
    /// behind. Returns whether it was created. The marker is written last, through a rename, so
    /// a crash midway leaves a folder that `init` completes rather than a registry that looks ready.
    public static func initialize(
        at root: String, stores: any StoreFactory, backends: BackendConfiguration = .embedded, environment: [String: String] = [:],
        clock: @escaping @Sendable () -> Date = Date.init
    ) throws(RegistryError) -> (registry: Registry, created: Bool) {
        let layout = RegistryLayout(root: root)
        let backend = try stores.metadata(configured: backends.metadata, in: layout)
        let blobBackend = try stores.blobs(configured: backends.blobs, insecure: backends.insecureBlobs, in: layout)
        if FileManager.default.fileExists(atPath: layout.marker) {
            let marker = try readMarker(layout)
            let existing = try stores.metadata(configured: marker.metadata, in: layout)
            if backends.metadata != nil, existing.configuration != backend.configuration {
                throw RegistryError(
                    .conflict, "a registry already exists in \(root), with its metadata in \(existing)",
                    hint: "use 'mreg migrate' to move a registry to other backends")
            }
            let existingBlobs = try stores.blobs(configured: marker.blobs, insecure: marker.insecureBlobs ?? false, in: layout)
            if backends.blobs != nil, existingBlobs.configuration != blobBackend.configuration {
                throw RegistryError(
                    .conflict, "a registry already exists in \(root), with its blobs in \(existingBlobs)",
                    hint: "use 'mreg migrate' to move a registry to other backends")
            }
            return (try open(at: root, stores: stores, environment: environment, clock: clock), false)
        }
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        } catch {
            throw RegistryError(.io, "cannot create the registry folder '\(root)': \(error.localizedDescription)")
        }
        _ = try blobBackend.open(environment: environment, check: true)
        _ = try backend.open(environment: environment, busyTimeout: defaultBusyTimeout)
        if !FileManager.default.fileExists(atPath: layout.gitignore) {
            let ignored = "# Data of the registry; the configuration files beside this one are committed.\nblobs/\ntmp/\nregistry.sqlite\nregistry.sqlite-*\ngc.lock\nquarantine/\n"
            try writeAtomically(Data(ignored.utf8), to: layout.gitignore)
        }
        try writeMarker(
            layout,
            backends: BackendConfiguration(metadata: backend.configuration, blobs: blobBackend.configuration, insecureBlobs: blobBackend.isInsecure))
        return (try open(at: root, stores: stores, environment: environment, clock: clock), true)
    }

    /// Writes `registry.json` (through a rename): format 1 for the embedded default, 2 with a backend named.
    static func writeMarker(_ layout: RegistryLayout, backends: BackendConfiguration) throws(RegistryError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let marker = RegistryMarker(
            format: RegistryLayout.formatName,
            formatVersion: backends.isEmbedded ? RegistryLayout.embeddedFormatVersion : RegistryLayout.formatVersion,
            metadata: backends.metadata, blobs: backends.blobs, insecureBlobs: backends.insecureBlobs ? true : nil)
        let markerData: Data
        do {
            markerData = try encoder.encode(marker)
        } catch {
            throw .bug("the registry marker cannot be encoded: \(error)")
        }
        try writeAtomically(markerData, to: layout.marker)
    }

    /// The format this registry's marker is written in: 1 embedded, 2 with its metadata or blobs elsewhere.
    public var formatVersion: Int { backends.isEmbedded ? RegistryLayout.embeddedFormatVersion : RegistryLayout.formatVersion }

    /// Writes a small file through a temporary name and a rename, so readers never see half of it.
    static func writeAtomically(_ data: Data, to path: String) throws(RegistryError) {
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw RegistryError(.io, "cannot write '\(path)': \(error.localizedDescription)")
        }
    }

    /// Runs a metadata call, mapping its error at this boundary.
    func database<T>(_ body: (any SharedMetadataStoring) throws(MetadataError) -> T) throws(RegistryError) -> T {
        do {
            return try body(metadata)
        } catch {
            throw RegistryError(error)
        }
    }
}
