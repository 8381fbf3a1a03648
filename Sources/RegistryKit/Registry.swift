import ContentStore
import RegistryStorage
import Foundation
import MetadataStore
import RegistryModel

/// The registry facade: every command goes through here, and it orders the stores so that a
/// crash never leaves metadata pointing at a missing blob (blobs first, then one transaction).
public final class Registry: Sendable {
    public let layout: RegistryLayout
    /// The embedded blob folder; RegistryKit reaches it only through the storage protocols.
    let blobs: any LocalBlobStoring
    /// The metadata store, reached only through the storage protocols (SQLite for the embedded default).
    let metadata: any SharedMetadataStoring
    /// This machine's ingest hints, kept by an embedded store only.
    let hints: (any SourceHintStoring)?
    /// The PostgreSQL address `registry.json` names for the metadata; nil for the embedded default.
    public let metadataAddress: String?
    let clock: @Sendable () -> Date
    /// How long a command waits for another process's lock before failing as "locked".
    let busyTimeout: Double
    /// Seconds a ledger write holds its transaction open before committing; only crash tests set it.
    let ledgerCommitDelay: Double

    /// Seconds a write waits for another process's lock (`MREG_BUSY_TIMEOUT` overrides it).
    public static let defaultBusyTimeout = MetadataDatabase.busyTimeoutSeconds

    init(
        layout: RegistryLayout, metadata: any SharedMetadataStoring, hints: (any SourceHintStoring)?, metadataAddress: String?,
        clock: @escaping @Sendable () -> Date, busyTimeout: Double, ledgerCommitDelay: Double
    ) {
        self.metadataAddress = metadataAddress
        self.layout = layout
        self.busyTimeout = busyTimeout
        self.ledgerCommitDelay = ledgerCommitDelay
        self.blobs = BlobStore(root: layout.root)
        self.metadata = metadata
        self.hints = hints
        self.clock = clock
    }

    /// Opens an existing registry; refuses a missing one or one of a newer format before touching it.
    ///
    /// `busyTimeout` is how long a write waits for another process's write lock before failing
    /// as "locked"; writes are short, so the default minute means something is stuck.
    /// `environment` supplies what a remote backend needs and the configuration never holds (`PGPASSWORD`).
    public static func open(
        at root: String, environment: [String: String] = [:], clock: @escaping @Sendable () -> Date = Date.init,
        busyTimeout: Double = defaultBusyTimeout, ledgerCommitDelay: Double = 0
    ) throws(RegistryError) -> Registry {
        let layout = RegistryLayout(root: root)
        let marker = try readMarker(layout)
        // A fresh clone has the committed marker but not the git-ignored data folders.
        if !FileManager.default.fileExists(atPath: BlobStore(root: root).temporaryDirectory) {
            try storeBlob { () throws(ContentStoreError) in try BlobStore(root: root).createLayout() }
        }
        let backend = try MetadataBackend(configured: marker.metadata, in: layout)
        let (metadata, hints) = try backend.open(environment: environment, busyTimeout: busyTimeout)
        let registry = Registry(
            layout: layout, metadata: metadata, hints: hints, metadataAddress: backend.configuration, clock: clock, busyTimeout: busyTimeout,
            ledgerCommitDelay: ledgerCommitDelay)
        try registry.recordLegacyFacts()
        return registry
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
    /// `metadata` names a PostgreSQL database to keep the metadata in (nil: `registry.sqlite`);
    /// its schema is created before the marker is written, so a server that cannot be reached
    /// leaves no registry behind. Returns whether it was created. The marker is written last,
    /// through a rename, so a crash midway leaves a folder that `init` completes rather than a
    /// registry that looks ready.
    public static func initialize(
        at root: String, metadata: String? = nil, environment: [String: String] = [:], clock: @escaping @Sendable () -> Date = Date.init
    ) throws(RegistryError) -> (registry: Registry, created: Bool) {
        let layout = RegistryLayout(root: root)
        let backend = try MetadataBackend(configured: metadata, in: layout)
        if FileManager.default.fileExists(atPath: layout.marker) {
            let existing = try MetadataBackend(configured: try readMarker(layout).metadata, in: layout)
            if metadata != nil, existing != backend {
                throw RegistryError(
                    .conflict, "a registry already exists in \(root), with its metadata in \(existing)",
                    hint: "use 'mreg migrate' to move a registry to other backends")
            }
            return (try open(at: root, environment: environment, clock: clock), false)
        }
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        } catch {
            throw RegistryError(.io, "cannot create the registry folder '\(root)': \(error.localizedDescription)")
        }
        try storeBlob { () throws(ContentStoreError) in try BlobStore(root: root).createLayout() }
        _ = try backend.open(environment: environment, busyTimeout: defaultBusyTimeout)
        if !FileManager.default.fileExists(atPath: layout.gitignore) {
            let ignored = "# Data of the registry; the configuration files beside this one are committed.\nblobs/\ntmp/\nregistry.sqlite\nregistry.sqlite-*\ngc.lock\nquarantine/\n"
            try writeAtomically(Data(ignored.utf8), to: layout.gitignore)
        }
        try writeMarker(layout, metadata: backend.configuration)
        return (try open(at: root, environment: environment, clock: clock), true)
    }

    /// Writes `registry.json` (through a rename): format 1 for the embedded default, 2 with a metadata address.
    static func writeMarker(_ layout: RegistryLayout, metadata: String?) throws(RegistryError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let marker = RegistryMarker(
            format: RegistryLayout.formatName, formatVersion: metadata == nil ? RegistryLayout.embeddedFormatVersion : RegistryLayout.formatVersion,
            metadata: metadata)
        let markerData: Data
        do {
            markerData = try encoder.encode(marker)
        } catch {
            throw .bug("the registry marker cannot be encoded: \(error)")
        }
        try writeAtomically(markerData, to: layout.marker)
    }

    /// The format this registry's marker is written in: 1 embedded, 2 with its metadata elsewhere.
    public var formatVersion: Int { metadataAddress == nil ? RegistryLayout.embeddedFormatVersion : RegistryLayout.formatVersion }

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
