import PostgresMetadata
import MetadataStore
import RegistryKit
import RegistryStorage

/// Where a registry's metadata lives: the embedded SQLite file, or a PostgreSQL database that
/// several machines share. Chosen by `mreg init --metadata` and recorded in `registry.json`.
enum MetadataBackend: MetadataBackendChoice, Equatable {
    case embedded(path: String)
    case postgres(PostgresAddress)

    /// The backend a configuration names (nil: embedded); a malformed address is a usage error.
    init(configured: String?, in layout: RegistryLayout) throws(RegistryError) {
        guard let configured else {
            self = .embedded(path: layout.database)
            return
        }
        do {
            self = .postgres(try PostgresAddress(parsing: configured))
        } catch {
            throw RegistryError(.usage, "the metadata address is not usable: \(error.description)", hint: "write it as postgres://USER@HOST:PORT/DATABASE")
        }
    }

    /// What `registry.json` records (nil for the embedded default, which it never names).
    var configuration: String? {
        switch self {
        case .embedded: nil
        case .postgres(let address): address.description
        }
    }

    var description: String {
        switch self {
        case .embedded(let path): "the embedded database \(path)"
        case .postgres(let address): "PostgreSQL at \(address)"
        }
    }

    /// Opens (and migrates) the store; the ingest hints come with an embedded store only.
    func open(environment: [String: String], busyTimeout: Double) throws(RegistryError) -> OpenedMetadata {
        do {
            switch self {
            case .embedded(let path):
                let database = try MetadataDatabase.open(path: path, busyTimeout: busyTimeout)
                return OpenedMetadata(store: database, hints: database)
            case .postgres(let address):
                let password = PostgresPassword.find(for: address, environment: environment)
                return OpenedMetadata(store: try PostgresMetadataStore.open(address: address, password: password, busyTimeout: busyTimeout), hints: nil)
            }
        } catch {
            throw RegistryError(error)
        }
    }
}
