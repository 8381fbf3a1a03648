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
    let clock: @Sendable () -> Date
    /// How long a command waits for another process's lock before failing as "locked".
    let busyTimeout: Double
    /// Seconds a ledger write holds its transaction open before committing; only crash tests set it.
    let ledgerCommitDelay: Double

    /// Seconds a write waits for another process's lock (`MREG_BUSY_TIMEOUT` overrides it).
    public static let defaultBusyTimeout = MetadataDatabase.busyTimeoutSeconds

    private init(
        layout: RegistryLayout, metadata: any SharedMetadataStoring, hints: (any SourceHintStoring)?, clock: @escaping @Sendable () -> Date, busyTimeout: Double, ledgerCommitDelay: Double
    ) {
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
    public static func open(
        at root: String, clock: @escaping @Sendable () -> Date = Date.init, busyTimeout: Double = defaultBusyTimeout,
        ledgerCommitDelay: Double = 0
    ) throws(RegistryError) -> Registry {
        let layout = RegistryLayout(root: root)
        guard let data = FileManager.default.contents(atPath: layout.marker) else {
            throw RegistryError(
                .noRegistry, "'\(root)' is not an mreg registry (no registry.json)",
                hint: "run 'mreg init \(root)' to create one there")
        }
        guard let marker = try? JSONDecoder().decode(RegistryMarker.self, from: data), marker.format == RegistryLayout.formatName else {
            throw RegistryError(.noRegistry, "'\(layout.marker)' is not an mreg registry marker", hint: "check --registry / MREG_REGISTRY")
        }
        guard marker.formatVersion <= RegistryLayout.formatVersion else {
            throw RegistryError(
                .noRegistry,
                "the registry at '\(root)' has format \(marker.formatVersion), newer than this mreg understands (\(RegistryLayout.formatVersion))",
                hint: "upgrade mreg to use this registry")
        }
        // A fresh clone has the committed marker but not the git-ignored data folders.
        if !FileManager.default.fileExists(atPath: BlobStore(root: root).temporaryDirectory) {
            try storeBlob { () throws(ContentStoreError) in try BlobStore(root: root).createLayout() }
        }
        let metadata = try openDatabase(layout, busyTimeout: busyTimeout)
        let registry = Registry(layout: layout, metadata: metadata, hints: metadata, clock: clock, busyTimeout: busyTimeout, ledgerCommitDelay: ledgerCommitDelay)
        try registry.recordLegacyFacts()
        return registry
    }

    static func openDatabase(_ layout: RegistryLayout, busyTimeout: Double = defaultBusyTimeout) throws(RegistryError) -> MetadataDatabase {
        do {
            return try MetadataDatabase.open(path: layout.database, busyTimeout: busyTimeout)
        } catch {
            throw RegistryError(error)
        }
    }

    /// Creates a registry at `root`, or opens it unchanged when one is already there.
    ///
    /// Returns whether it was created. The marker is written last, through a rename, so a crash
    /// midway leaves a folder that `init` completes rather than a registry that looks ready.
    public static func initialize(at root: String, clock: @escaping @Sendable () -> Date = Date.init) throws(RegistryError) -> (registry: Registry, created: Bool) {
        let layout = RegistryLayout(root: root)
        if FileManager.default.fileExists(atPath: layout.marker) {
            return (try open(at: root, clock: clock), false)
        }
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        } catch {
            throw RegistryError(.io, "cannot create the registry folder '\(root)': \(error.localizedDescription)")
        }
        try storeBlob { () throws(ContentStoreError) in try BlobStore(root: root).createLayout() }
        _ = try openDatabase(layout)
        if !FileManager.default.fileExists(atPath: layout.gitignore) {
            let ignored = "# Data of the registry; the configuration files beside this one are committed.\nblobs/\ntmp/\nregistry.sqlite\nregistry.sqlite-*\ngc.lock\nquarantine/\n"
            try writeAtomically(Data(ignored.utf8), to: layout.gitignore)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let marker = RegistryMarker(format: RegistryLayout.formatName, formatVersion: RegistryLayout.formatVersion)
        let markerData: Data
        do {
            markerData = try encoder.encode(marker)
        } catch {
            throw .bug("the registry marker cannot be encoded: \(error)")
        }
        try writeAtomically(markerData, to: layout.marker)
        return (try open(at: root, clock: clock), true)
    }

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
