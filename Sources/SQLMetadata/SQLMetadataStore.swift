import RegistryModel
import RegistryStorage

/// A metadata store whose rows live in an SQL engine. Every operation of the metadata protocols is
/// written once, in extensions of this protocol, over `SQLSession`: SQLite and PostgreSQL run the
/// same statements, so they keep the same records and build the same ledger chain.
///
/// An engine owes two things: `write` runs its body in one transaction that excludes every other
/// writer of the registry (so "the next number" and "the ledger head" are read and claimed under
/// the same lock, on any machine), and `read` runs its body on one consistent snapshot.
public protocol SQLMetadataStore: SharedMetadataStoring, MetadataCopying {
    func write<T>(_ body: (any SQLSession) throws -> T) throws(MetadataError) -> T
    func read<T>(_ body: (any SQLSession) throws -> T) throws(MetadataError) -> T
    /// `read` for a body that runs exactly one statement. A statement is its own snapshot, so an
    /// engine may run it without a transaction around it (PostgreSQL: two round trips fewer).
    func readStatement<T>(_ body: (any SQLSession) throws -> T) throws(MetadataError) -> T
    /// Keeps the ingest hints of a registration in its transaction; only a store on the machine
    /// that hashed the files keeps them.
    func saveSourceHints(_ hints: [SourceHint], _ session: any SQLSession) throws
    /// Runs after rows were copied in with their ids (a migration): an engine that generates ids
    /// moves its generators past the copied ones.
    func finishCopy(_ session: any SQLSession) throws
}

extension SQLMetadataStore {
    public func readStatement<T>(_ body: (any SQLSession) throws -> T) throws(MetadataError) -> T { try read(body) }

    public func saveSourceHints(_ hints: [SourceHint], _ session: any SQLSession) throws {}
    public func finishCopy(_ session: any SQLSession) throws {}
}
