import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import PostgresNIO
import RegistryModel
import RegistryStorage
import SQLMetadata

/// The registry's metadata in PostgreSQL, for a registry that CI runners and deploy jobs on many
/// machines share. It runs the same SQL as the SQLite store (`SQLMetadataStore`), so both keep
/// the same records and build the same ledger chain.
///
/// Writers on every machine are serialised by one transaction-scoped advisory lock, taken first in
/// every write: "the next version number" and "the ledger head" are read and claimed under it, so
/// numbers stay gap-free and the chain never forks, as SQLite's `BEGIN IMMEDIATE` does on one machine.
/// Reads run on a repeatable-read snapshot.
public final class PostgresMetadataStore: SQLMetadataStore, Sendable {
    public let address: PostgresAddress
    private let password: String?
    private let busyTimeout: Double
    /// The one connection, opened on first use and again after it was lost; a transaction holds it whole.
    private let connection = NIOLockedValueBox<PostgresConnection?>(nil)
    private let logger = Logger(label: "mreg.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// The advisory lock every writer of a registry's database takes ("mreg" in ASCII).
    static let writerLock: Int64 = 0x6D72_6567

    private init(address: PostgresAddress, password: String?, busyTimeout: Double) {
        self.address = address
        self.password = password
        self.busyTimeout = busyTimeout
    }

    /// Connects and brings the schema up to date; refuses a database written by a newer mreg.
    public static func open(address: PostgresAddress, password: String?, busyTimeout: Double) throws(MetadataError) -> PostgresMetadataStore {
        let store = PostgresMetadataStore(address: address, password: password, busyTimeout: busyTimeout)
        try store.migrate()
        return store
    }

    deinit {
        if let open = connection.withLockedValue({ $0 }) { try? open.close().wait() }
    }

    public func write<T>(_ body: (any SQLSession) throws -> T) throws(MetadataError) -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL READ COMMITTED") { session in
            try session.execute("SELECT pg_advisory_xact_lock(?)", [Self.writerLock])
            return try body(session)
        }
    }

    public func read<T>(_ body: (any SQLSession) throws -> T) throws(MetadataError) -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    /// One statement with no `BEGIN` and `COMMIT` around it; a body that runs a second one is a
    /// bug (it would read two snapshots), refused before that statement is sent.
    public func readStatement<T>(_ body: (any SQLSession) throws -> T) throws(MetadataError) -> T {
        try autocommitted { session in try body(SingleStatementSession(session)) }
    }

    /// Runs `body` on the connection outside any transaction: each statement commits on its own.
    private func autocommitted<T>(_ body: (PostgresSession) throws -> T) throws(MetadataError) -> T {
        do {
            return try connection.withLockedValue { open in try body(PostgresSession(connection: try connected(&open), logger: logger)) }
        } catch {
            throw mapped(error)
        }
    }

    private func transaction<T>(begin: String, _ body: (any SQLSession) throws -> T) throws(MetadataError) -> T {
        do {
            return try connection.withLockedValue { open in
                let session = PostgresSession(connection: try connected(&open), logger: logger)
                do {
                    try session.execute(begin, [])
                    let result = try body(session)
                    try session.execute("COMMIT", [])
                    return result
                } catch {
                    if (try? session.execute("ROLLBACK", [])) == nil { open = nil }
                    if Self.sqlState(of: error) == "55P03" {
                        throw MetadataError.busy(waitedSeconds: busyTimeout, holder: try? Self.writerLockHolder(session))
                    }
                    throw error
                }
            }
        } catch {
            throw mapped(error)
        }
    }

    /// The open connection, or a new one when there is none or it was closed; the first one is
    /// the connection `connectAhead` started for this address, when there is one and it succeeded.
    private func connected(_ open: inout PostgresConnection?) throws -> PostgresConnection {
        if let existing = open, !existing.isClosed { return existing }
        let key = EarlyConnection.Key(address: address, password: password, busyTimeout: busyTimeout)
        // A connection started ahead may still be on its way to `early` (see `connectAhead`).
        EarlyConnection.starting.wait()
        if let early = Self.early.withLockedValue({ $0.removeValue(forKey: key) }) {
            // Its failure is this connection's failure (a second attempt would only meet it again).
            let connection = try early.wait()
            if !connection.isClosed {
                open = connection
                return connection
            }
        }
        let connection = try Self.startConnecting(address: address, password: password, busyTimeout: busyTimeout).wait()
        open = connection
        return connection
    }

    /// A connection on its way, on one of NIO's event loops.
    private static func startConnecting(address: PostgresAddress, password: String?, busyTimeout: Double) throws -> EventLoopFuture<PostgresConnection> {
        PostgresConnection.connect(
            on: PostgresConnection.defaultEventLoopGroup.any(),
            configuration: try configuration(address: address, password: password, busyTimeout: busyTimeout), id: 1,
            logger: Logger(label: "mreg.postgres", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    /// Connections started ahead of the store that will use them, by address, password and timeout.
    private static let early = NIOLockedValueBox([EarlyConnection.Key: EventLoopFuture<PostgresConnection>]())

    private enum EarlyConnection {
        struct Key: Hashable {
            let address: PostgresAddress
            let password: String?
            let busyTimeout: Double
        }

        /// Entered while `connectAhead` is still finding out where to connect.
        static let starting = DispatchGroup()
    }

    /// Starts connecting on another thread and returns at once: `target` (called there) says
    /// where, or nil for nowhere. The next store opened for the same address, password and
    /// timeout takes this connection instead of making one; it waits for `target` to have
    /// answered, so that the two never race to connect.
    ///
    /// The CLI calls it before it parses its arguments, so that parsing overlaps finding the
    /// registry's address, starting SwiftNIO, the TCP handshake, the server's start of a backend
    /// and SCRAM's key derivation (together some 10 ms). A failed attempt fails the store's open
    /// as its own connection would have.
    public static func connectAhead(to target: @escaping @Sendable () -> (address: PostgresAddress, password: String?, busyTimeout: Double)?) {
        EarlyConnection.starting.enter()
        Thread.detachNewThread {
            defer { EarlyConnection.starting.leave() }
            guard let (address, password, busyTimeout) = target(),
                let future = try? startConnecting(address: address, password: password, busyTimeout: busyTimeout)
            else { return }
            let key = EarlyConnection.Key(address: address, password: password, busyTimeout: busyTimeout)
            early.withLockedValue { $0[key] = future }
        }
    }

    /// How mreg connects to `address`.
    private static func configuration(address: PostgresAddress, password: String?, busyTimeout: Double) throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        switch address.endpoint {
        case .tcp(let host, let port):
            configuration = .init(
                host: host, port: port, username: address.user, password: password, database: address.database, tls: try tls(address.tls, host: host))
        case .socket(let directory, let port):
            configuration = .init(unixSocketPath: "\(directory)/.s.PGSQL.\(port)", username: address.user, password: password, database: address.database)
        }
        // Set for the session when it starts, so no write spends a round trip on them: how long a
        // writer waits for the lock before it says who holds it, and float8 as text that reads
        // back to the same double (PostgreSQL 12+ prints the shortest such text for any value
        // above 0; older servers need 3), which the JSON of `record(id:)` relies on. JIT off:
        // mreg's statements are index seeks, but on a table not yet analyzed (a new registry) the
        // planner's guesses pass `jit_above_cost`, and compiling a plan took 170 ms of a 190 ms
        // `list` on 100 versions; a seek never repays compilation.
        configuration.options.additionalStartupParameters = [
            ("application_name", "mreg"), ("lock_timeout", "\(Int(busyTimeout * 1000))ms"), ("extra_float_digits", "3"), ("jit", "off"),
        ]
        return configuration
    }

    /// libpq's `sslmode`; on loopback, `prefer` does not ask (nothing to protect, a round trip saved).
    private static func tls(_ mode: PostgresAddress.TLSMode, host: String) throws -> PostgresConnection.Configuration.TLS {
        switch mode {
        case .disable: return .disable
        case .prefer:
            if ["127.0.0.1", "::1", "localhost"].contains(host) { return .disable }
            return .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: return .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
    }

    /// Never: a PostgreSQL registry starts with fact events, and `migrate` copies from a registry
    /// whose open already recorded them. Answered without a query, since every command asks at open.
    public func hasPendingFactEvents() throws(MetadataError) -> Bool { false }

    /// Moves the id generators past the ids a migration copied in.
    public func finishCopy(_ session: any SQLSession) throws {
        for table in ["models", "versions", "evaluations"] {
            try session.execute(
                "SELECT setval(pg_get_serial_sequence('\(table)', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM \(table)), false)", [])
        }
    }

    /// Applies the migrations this database lacks, under the writer lock, in one transaction
    /// (PostgreSQL's DDL is transactional: a crash midway leaves the schema as it was).
    private func migrate() throws(MetadataError) {
        let known = PostgresSchema.migrations.map(\.id)
        let applied = try appliedMigrations()
        let unknown = Set(applied).subtracting(known)
        if !unknown.isEmpty { throw .newerSchema(unknownMigrations: unknown.sorted()) }
        guard applied.count < known.count else { return }
        try write { db in
            try db.execute("CREATE TABLE IF NOT EXISTS mreg_migrations (id TEXT COLLATE \"C\" PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())", [])
            let done = Set(try db.column("SELECT id FROM mreg_migrations") as [String])
            for migration in PostgresSchema.migrations where !done.contains(migration.id) {
                for statement in Self.statements(migration.sql) { try db.execute(statement, []) }
                try db.execute("INSERT INTO mreg_migrations (id) VALUES (?)", [migration.id])
            }
        }
    }

    /// The migrations this database has had: one statement outside any transaction (every command
    /// asks, so it costs one round trip); a database without the table has had none.
    private func appliedMigrations() throws(MetadataError) -> [String] {
        try autocommitted { session in
            do {
                return try session.column("SELECT id FROM mreg_migrations ORDER BY id") as [String]
            } catch where Self.sqlState(of: error) == "42P01" {
                return []
            }
        }
    }

    /// A migration's statements, one per `;` at a line's end; comment lines dropped.
    static func statements(_ sql: String) -> [String] {
        let lines = sql.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
        return lines.joined(separator: "\n").components(separatedBy: ";\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .map { $0.hasSuffix(";") ? String($0.dropLast()) : $0 }.filter { !$0.isEmpty }
    }

    /// Who holds the writer lock: the session's application, where it connects from, and since when.
    /// Advisory locks belong to one database, so a writer of another registry on the same server is not it.
    private static func writerLockHolder(_ session: PostgresSession) throws -> LockHolder? {
        guard let row = try session.row(
            """
            SELECT a.pid, COALESCE(NULLIF(a.application_name, ''), 'a client'), COALESCE(host(a.client_addr), 'a local socket'),
                to_char(a.xact_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.objid::bigint = ? AND l.granted
                AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            LIMIT 1
            """,
            [writerLock])
        else { return nil }
        let application: String = try row[1], origin: String = try row[2], since: String? = try row[3]
        return LockHolder(
            pid: Int32(try row[0] as Int64), command: "\(application) from \(origin), a PostgreSQL session",
            startedAt: since.flatMap(Timestamp.parse))
    }

    private static func sqlState(of error: any Error) -> String? {
        guard let error = error as? PSQLError, error.code == .server else { return nil }
        return error.serverInfo?[.sqlState]
    }

    // MARK: Errors

    /// PostgreSQL's and the connection's errors as `MetadataError`: a server that cannot be reached
    /// or refuses the credentials is `.unavailable` (nothing was recorded: the transaction never committed).
    private func mapped(_ error: any Error) -> MetadataError {
        if let rows = MetadataError.fromRows(error) { return rows }
        if let bug = error as? SingleStatementSession.SecondStatement { return .server(engine: "mreg", code: "bug", message: bug.description) }
        let engine = "PostgreSQL", place = address.description
        guard let error = error as? PSQLError else { return .unavailable(engine: engine, address: place, problem: Self.describe(error)) }
        if error.code == .server, let state = error.serverInfo?[.sqlState] {
            let message = error.serverInfo?[.message] ?? "no message"
            switch state {
            case "55P03": return .busy(waitedSeconds: busyTimeout, holder: nil)
            case "28P01", "28000":
                return .unavailable(
                    engine: engine, address: place,
                    problem: "it refuses the credentials of user '\(address.user)' (\(message)); set PGPASSWORD or a password file")
            case "3D000": return .unavailable(engine: engine, address: place, problem: "\(message); create it with 'createdb'")
            case "57P01", "57P02", "57P03", "53300", "08000", "08003", "08006":
                return .unavailable(engine: engine, address: place, problem: message)
            default: return .server(engine: engine, code: state, message: message)
            }
        }
        switch error.code {
        case .authMechanismRequiresPassword:
            return .unavailable(engine: engine, address: place, problem: "it asks for a password; set PGPASSWORD or a password file")
        case .sslUnsupported:
            return .unavailable(engine: engine, address: place, problem: "it does not offer TLS, which sslmode=require demands")
        default:
            return .unavailable(engine: engine, address: place, problem: error.underlying.map(Self.describe) ?? "the connection failed (\(error.code))")
        }
    }

    /// A connection failure in words: the system's reason when there is one.
    private static func describe(_ error: any Error) -> String {
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)).lowercased() }
        if let error = error as? NIOConnectionError {
            let reasons = error.connectionErrors.map { describe($0.error) }
            return reasons.first ?? "the connection failed"
        }
        if let error = error as? PSQLError { return error.underlying.map(describe) ?? "the connection closed (\(error.code))" }
        if let error = error as? PostgresSession.ConnectionLost { return error.description }
        return "\(error)"
    }
}
