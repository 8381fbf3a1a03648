import Foundation
import GRDB
import RegistryModel
import RegistryStorage
import SQLMetadata

/// The registry's metadata in SQLite (WAL, through a GRDB `DatabasePool`).
///
/// Writers across processes are serialised by SQLite itself: every write is one short
/// `BEGIN IMMEDIATE` transaction, so a version number is read and claimed under the same lock and
/// numbers stay gap-free under a CI matrix registering at once.
public final class MetadataDatabase: Sendable {
    public static let busyTimeoutSeconds: Double = 60

    let pool: DatabasePool
    public let path: String
    let busyTimeout: Double

    private init(pool: DatabasePool, path: String, busyTimeout: Double) {
        self.pool = pool
        self.path = path
        self.busyTimeout = busyTimeout
    }

    /// Opens (creating if needed) and migrates the database at `path`.
    ///
    /// A database with migrations this build does not know is refused before anything is written.
    public static func open(path: String, busyTimeout: Double = busyTimeoutSeconds) throws(MetadataError) -> MetadataDatabase {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        return try mapErrors(path: path, busyTimeout: busyTimeout) {
            let pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB sets synchronous=NORMAL for WAL pools; an acknowledged registration or promotion
            // must survive power loss, so the writer connection goes back to FULL.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            let migrator = Schema.migrator
            let (superseded, complete) = try pool.read { db in
                (try migrator.hasBeenSuperseded(db), try migrator.hasCompletedMigrations(db))
            }
            if superseded {
                let known = Set(migrator.migrations)
                let applied = try pool.read { db in try migrator.appliedIdentifiers(db) }
                throw MetadataError.newerSchema(unknownMigrations: applied.subtracting(known).sorted())
            }
            if !complete { try migrator.migrate(pool) }
            return MetadataDatabase(pool: pool, path: path, busyTimeout: busyTimeout)
        }
    }

    /// The value of `PRAGMA synchronous` on the writer connection (2 = FULL); tests assert it.
    public func synchronousMode() throws(MetadataError) -> Int {
        try Self.mapErrors(path: path, busyTimeout: busyTimeout) {
            try pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
        }
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction: the write lock is taken up front, so two
    /// writers never both read "the next number" before either commits.
    public func write<T>(_ body: (any SQLSession) throws -> T) throws(MetadataError) -> T {
        try Self.mapErrors(path: path, busyTimeout: busyTimeout) {
            try withoutActuallyEscaping(body) { body in
                try pool.writeWithoutTransaction { db in
                    var result: T?
                    try db.inTransaction(.immediate) {
                        result = try body(SQLiteSession(db: db))
                        return .commit
                    }
                    return result!
                }
            }
        }
    }

    /// Runs `body` on one snapshot (a WAL read transaction).
    public func read<T>(_ body: (any SQLSession) throws -> T) throws(MetadataError) -> T {
        try Self.mapErrors(path: path, busyTimeout: busyTimeout) { try pool.read { db in try body(SQLiteSession(db: db)) } }
    }

    /// Turns GRDB's and SQLite's errors into `MetadataError`; rows mreg could not have written are `.corrupt`.
    static func mapErrors<T>(path: String, busyTimeout: Double, _ body: () throws -> T) throws(MetadataError) -> T {
        do {
            return try body()
        } catch {
            if let mapped = MetadataError.fromRows(error) { throw mapped }
            guard let error = error as? DatabaseError else { throw .sqlite(code: -1, message: "\(error)") }
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                throw .busy(waitedSeconds: busyTimeout, holder: LockHolder.find(databasePath: path))
            case .SQLITE_NOTADB, .SQLITE_CORRUPT, .SQLITE_CANTOPEN:
                throw .unreadable(path: path, message: error.message ?? "\(error.resultCode)")
            default:
                throw .sqlite(code: error.extendedResultCode.rawValue, message: error.message ?? "\(error.resultCode)")
            }
        }
    }
}

/// The SQLite store runs the metadata protocols' one SQL implementation, and keeps this
/// machine's ingest hints.
extension MetadataDatabase: SQLMetadataStore, SourceHintStoring {}
