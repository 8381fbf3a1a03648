import Foundation
import MetadataStore
import PostgresMetadata
import RegistryTestSupport
import StorageConformance
import Testing

/// The metadata store conformance suite on each implementation: SQLite (the embedded default),
/// and PostgreSQL on the throwaway server scripts/test starts, a fresh database per suite.
@Suite struct MetadataStoreConformanceTests {
    @Test func sqliteConforms() throws {
        let directory = TemporaryDirectory()
        var databases = 0
        try MetadataStoreConformance.all {
            databases += 1
            let path = directory.url("registry-\(databases).sqlite")
            return { try MetadataDatabase.open(path: path) }
        }
    }

    /// Over TCP with the password from the environment, as a machine other than the server's would connect.
    @Test func postgresConforms() throws {
        try MetadataStoreConformance.all {
            let address = try PostgresAddress(parsing: try TestBackend.newPostgresDatabase(tcp: true))
            let password = PostgresPassword.find(for: address, environment: ProcessInfo.processInfo.environment)
            return { try PostgresMetadataStore.open(address: address, password: password, busyTimeout: 60) }
        }
    }
}
