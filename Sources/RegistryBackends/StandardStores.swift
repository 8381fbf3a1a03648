import Foundation
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

extension Registry {
    /// Opens an existing registry on the engines its `registry.json` names (see `open(at:stores:…)`).
    public static func open(
        at root: String, environment: [String: String] = [:], clock: @escaping @Sendable () -> Date = Date.init,
        busyTimeout: Double = defaultBusyTimeout, ledgerCommitDelay: Double = 0
    ) throws(RegistryError) -> Registry {
        try open(
            at: root, stores: StandardStores(), environment: environment, clock: clock, busyTimeout: busyTimeout, ledgerCommitDelay: ledgerCommitDelay)
    }

    /// Creates a registry on the engines `backends` names, or opens the one already there (see `initialize(at:stores:…)`).
    public static func initialize(
        at root: String, backends: BackendConfiguration = .embedded, environment: [String: String] = [:],
        clock: @escaping @Sendable () -> Date = Date.init
    ) throws(RegistryError) -> (registry: Registry, created: Bool) {
        try initialize(at: root, stores: StandardStores(), backends: backends, environment: environment, clock: clock)
    }
}
