import Foundation
import PostgresMetadata
import RegistryModel
import RegistryStorage
import SQLMetadata

/// What `mreg migrate` did.
public struct MigrationReport: Sendable {
    /// The address the registry's metadata now lives at.
    public let metadata: String
    /// Rows copied per table, in copy order (0 for a table an interrupted run had finished).
    public let rows: [(table: String, rows: Int)]
    /// The copy's verification, run before the registry was switched over.
    public let verification: VerifyReport
}

extension Registry {
    /// Moves an embedded registry's metadata into a PostgreSQL database: copies every row with its
    /// ids and digests (writers are held off meanwhile), verifies the copy as `verify --all` would
    /// (every manifest and record rebuilt, every blob re-hashed, the chain re-derived) and checks
    /// its ledger head is this registry's; only then does `registry.json` point at the database.
    ///
    /// An interrupted migration resumes where it stopped when run again. `registry.sqlite` is kept
    /// as it was. The blobs stay in the registry folder.
    public func migrate(
        toMetadata address: String, environment: [String: String], batchSize: Int = 1000, progress: (any ProgressDisplay)? = nil,
        afterBatch: (String, Int) -> Void = { _, _ in }
    ) throws(RegistryError) -> MigrationReport {
        if let current = metadataAddress {
            throw RegistryError(
                .usage, "this registry's metadata is already in \(current)", hint: "migrate moves an embedded registry (registry.sqlite) to PostgreSQL")
        }
        guard let source = metadata as? any SQLMetadataStore else { throw .bug("the embedded store does not run the SQL implementation") }
        guard case .postgres(let target) = try MetadataBackend(configured: address, in: layout) else {
            throw RegistryError(.usage, "--to-metadata needs a postgres:// address", hint: "write it as postgres://USER@HOST:PORT/DATABASE")
        }
        let (opened, _) = try MetadataBackend.postgres(target).open(environment: environment, busyTimeout: busyTimeout)
        guard let destination = opened as? any SQLMetadataStore else { throw .bug("the PostgreSQL store does not run the SQL implementation") }
        try checkSameLedger(source: source, destination: destination, address: target.description)
        let rows = try database { (_) throws(MetadataError) in try source.copyRows(to: destination, batchSize: batchSize, afterBatch: afterBatch) }
        var movedBackends = backends
        movedBackends.metadata = target.description
        let copy = Registry(
            layout: layout, metadata: opened, hints: nil, blobs: blobs, backends: movedBackends, clock: clock, busyTimeout: busyTimeout,
            ledgerCommitDelay: ledgerCommitDelay)
        let verification = try copy.verify([], progress: progress)
        let sourceHead = try database { (db) throws(MetadataError) in try db.ledgerHead() }
        guard verification.isIntact, verification.head?.digest == sourceHead?.digest else {
            let problem = verification.problems.first.map(\.detail) ?? "its ledger head differs from this registry's"
            throw RegistryError(
                .integrity, "the copy in \(target) does not verify: \(problem); registry.json still points at registry.sqlite",
                hint: "run 'mreg verify --all' on this registry, then 'mreg migrate' again")
        }
        try Self.writeMarker(layout, backends: movedBackends)
        return MigrationReport(metadata: target.description, rows: rows, verification: verification)
    }

    /// Refuses a database holding anything but an interrupted copy of this registry.
    private func checkSameLedger(source: any SQLMetadataStore, destination: any SQLMetadataStore, address: String) throws(RegistryError) {
        guard try database({ (_) throws(MetadataError) in try source.holdsOnlyRowsOf(destination) }) else {
            throw RegistryError(
                .conflict, "the database \(address) already holds another registry's records",
                hint: "migrate into an empty database (createdb)")
        }
    }
}
