import Foundation
import PostgresMetadata
import RegistryKit

/// The composition root: the engines this build of mreg can keep a registry in (the embedded
/// SQLite file and blob folder, PostgreSQL, an OCI registry), handed to RegistryKit, which knows
/// only the storage protocols.
public struct StandardStores: StoreFactory {
    public init() {}

    public func metadata(configured: String?, in layout: RegistryLayout) throws(RegistryError) -> any MetadataBackendChoice {
        try MetadataBackend(configured: configured, in: layout)
    }

    public func blobs(configured: String?, insecure: Bool, in layout: RegistryLayout) throws(RegistryError) -> any BlobBackendChoice {
        try BlobBackend(configured: configured, insecure: insecure, in: layout)
    }
}

extension StandardStores {
    /// Starts connecting, on another thread, to the PostgreSQL database the registry at `root()`
    /// keeps its metadata in, and returns at once; `Registry.open` then takes that connection.
    /// Nothing is connected for an embedded registry, or where there is no registry (`open` says so).
    public static func connectAhead(registryAt root: @escaping @Sendable () -> String?, environment: [String: String], busyTimeout: Double) {
        PostgresMetadataStore.connectAhead {
            guard let root = root(), let configured = Registry.configuredBackends(at: root)?.metadata,
                case .postgres(let address)? = try? MetadataBackend(configured: configured, in: RegistryLayout(root: root))
            else { return nil }
            return (address, PostgresPassword.find(for: address, environment: environment), busyTimeout)
        }
    }
}

extension Registry {
    /// Opens an existing registry on the engines its `registry.json` names (see `open(at:stores:…)`).
    public static func open(
        at root: String, environment: [String: String] = [:], clock: @escaping @Sendable () -> Date = Date.init,
        busyTimeout: Double = defaultBusyTimeout, ledgerCommitDelay: Double = 0, observer: (any RegistryObserver)? = nil
    ) throws(RegistryError) -> Registry {
        try open(
            at: root, stores: StandardStores(), environment: environment, clock: clock, busyTimeout: busyTimeout, ledgerCommitDelay: ledgerCommitDelay,
            observer: observer)
    }

    /// Creates a registry on the engines `backends` names, or opens the one already there (see `initialize(at:stores:…)`).
    public static func initialize(
        at root: String, backends: BackendConfiguration = .embedded, environment: [String: String] = [:],
        clock: @escaping @Sendable () -> Date = Date.init
    ) throws(RegistryError) -> (registry: Registry, created: Bool) {
        try initialize(at: root, stores: StandardStores(), backends: backends, environment: environment, clock: clock)
    }
}
