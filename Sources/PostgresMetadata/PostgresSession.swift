import Dispatch
import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO
import RegistryModel
import SQLMetadata

/// The store's SQL on one PostgreSQL connection. mreg's commands are synchronous, so each
/// statement waits for its result; the connection's event loop runs on NIO's own threads, which
/// this thread never is.
struct PostgresSession: SQLSession {
    let connection: PostgresConnection
    let logger: Logger

    var dialect: SQLDialect { .postgres }

    @discardableResult
    func execute(_ sql: String, _ arguments: [(any SQLBindable)?]) throws -> Int {
        try run(sql, arguments).metadata.rows ?? 0
    }

    func rows(_ sql: String, _ arguments: [(any SQLBindable)?]) throws -> [SQLRow] {
        let rows = try runPrepared(sql, arguments)
        guard let first = rows.first else { return [] }
        let columns = SQLColumns(first.makeRandomAccess().map(\.columnName))
        return try rows.map { row in SQLRow(columns: columns, values: try row.map(Self.value)) }
    }

    /// Runs a read as a named prepared statement, parsed and planned once per connection: an
    /// unnamed statement is parsed and planned on every call, which cost the server ten times
    /// the statement's run (a `show` is a dozen statements). The name stands for the statement
    /// and its parameters' types, and for the failures seen so far (a statement whose
    /// preparation failed stays failed on its connection, so the next try takes a new name).
    private func runPrepared(_ sql: String, _ arguments: [(any SQLBindable)?]) throws -> [PostgresRow] {
        guard !connection.isClosed else { throw ConnectionLost() }
        let values = arguments.sqlValues
        let text = Self.numberedPlaceholders(sql)
        let generation = Self.failures.withLockedValue { $0 }
        let statement = NamedStatement.Definition(
            name: "mreg_\(generation)_" + Self.fingerprint(text + "\u{0}" + values.map(\.typeLetter).joined()), sql: text)
        let bindings = Self.bindings(values)
        let outcome = NIOLockedValueBox<Result<[PostgresRow], any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        // On the connection's event loop, never on Swift's cooperative threads: the caller blocks
        // its thread until the rows are in, and a blocked cooperative pool would never run them.
        Task(executorPreference: EventLoopExecutor(connection.eventLoop)) { [connection, logger] in
            do {
                let rows = try await NamedStatement.$definition.withValue(statement) {
                    var rows = [PostgresRow]()
                    for try await row in try await connection.execute(NamedStatement(bindings: bindings), logger: logger) { rows.append(row) }
                    return rows
                }
                outcome.withLockedValue { $0 = .success(rows) }
            } catch {
                outcome.withLockedValue { $0 = .failure(error) }
            }
            done.signal()
        }
        done.wait()
        switch outcome.withLockedValue({ $0 })! {
        case .success(let rows): return rows
        case .failure(let error):
            Self.failures.withLockedValue { $0 += 1 }
            throw error
        }
    }

    /// How many prepared reads failed in this process (part of each statement's name).
    private static let failures = NIOLockedValueBox(0)

    /// FNV-1a, 64 bits: a short stable name for a statement's text.
    static func fingerprint(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    private func run(_ sql: String, _ arguments: [(any SQLBindable)?]) throws -> PostgresQueryResult {
        // A query sent on a connection the server already closed is never answered (PostgresNIO
        // 1.33 leaves its future pending), so a lost connection is reported before sending.
        guard !connection.isClosed else { throw ConnectionLost() }
        return try connection.query(Self.query(sql, arguments), logger: logger).wait()
    }

    private static func query(_ sql: String, _ arguments: [(any SQLBindable)?]) -> PostgresQuery {
        PostgresQuery(unsafeSQL: numberedPlaceholders(sql), binds: bindings(arguments.sqlValues))
    }

    private static func bindings(_ values: [SQLValue]) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .null: bindings.appendNull()
            case .integer(let number): bindings.append(number)
            case .real(let number): bindings.append(number)
            case .text(let text): bindings.append(text)
            case .boolean(let flag): bindings.append(flag)
            case .digest(let digest): bindings.append(ByteBuffer(bytes: digest.rawBytes))
            case .bytes(let bytes): bindings.append(ByteBuffer(bytes: bytes))
            }
        }
        return bindings
    }

    /// The statement with `?` placeholders numbered `$1`, `$2`, … as PostgreSQL wants them; a `?`
    /// inside a quoted literal is left alone. Cached: the store's SQL is a small fixed set.
    static func numberedPlaceholders(_ sql: String) -> String {
        if let known = cache.withLockedValue({ $0[sql] }) { return known }
        var result = "", number = 0, quoted = false
        for character in sql {
            if character == "'" { quoted.toggle() }
            if character == "?", !quoted {
                number += 1
                result += "$\(number)"
            } else {
                result.append(character)
            }
        }
        cache.withLockedValue { $0[sql] = result }
        return result
    }

    private static let cache = NIOLockedValueBox([String: String]())

    /// The server closed the connection (it stopped, restarted, or ended the session).
    struct ConnectionLost: Error, CustomStringConvertible {
        var description: String { "the server closed the connection" }
    }

    private static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .bool: return .boolean(try cell.decode(Bool.self))
        case .text, .varchar, .name, .bpchar: return .text(try cell.decode(String.self))
        // mreg writes only digests as bytes. Others (written outside mreg, or text that was not
        // a digest when migration 11 made digests bytes) read as their text, which no parser takes.
        case .bytea:
            let bytes = try cell.decode(ByteBuffer.self)
            guard bytes.readableBytes == Digest.hexLength / 2 else { return .text(String(decoding: bytes.readableBytesView, as: UTF8.self)) }
            return .digest(Digest(rawBytes: bytes.readableBytesView))
        default:
            throw DatabaseCorruption(problem: "column '\(cell.columnName)' has PostgreSQL type \(cell.dataType), which mreg does not write")
        }
    }
}

/// A session that runs one statement and refuses a second (`readStatement`'s body runs outside
/// a transaction, so two statements would see two snapshots).
final class SingleStatementSession: SQLSession {
    private let session: PostgresSession
    private var used = false

    init(_ session: PostgresSession) { self.session = session }

    var dialect: SQLDialect { session.dialect }

    func execute(_ sql: String, _ arguments: [(any SQLBindable)?]) throws -> Int {
        try claim(sql)
        return try session.execute(sql, arguments)
    }

    func rows(_ sql: String, _ arguments: [(any SQLBindable)?]) throws -> [SQLRow] {
        try claim(sql)
        return try session.rows(sql, arguments)
    }

    private func claim(_ sql: String) throws {
        guard !used else { throw SecondStatement(sql: sql) }
        used = true
    }

    /// A `readStatement` body ran a second statement: a bug in the store, never the user's doing.
    struct SecondStatement: Error, CustomStringConvertible {
        let sql: String
        var description: String { "mreg bug: a single-statement read ran a second statement: \(sql.prefix(80))" }
    }
}

/// A read run as a named prepared statement whose name and text are the caller's: PostgresNIO
/// takes them from the statement's type, so they are bound for the call as task-local values
/// (it reads them before it first waits). PostgresNIO prepares each name once per connection.
struct NamedStatement: PostgresPreparedStatement {
    struct Definition: Sendable {
        let name: String
        let sql: String
    }

    @TaskLocal static var definition = Definition(name: "", sql: "")
    static var name: String { definition.name }
    static var sql: String { definition.sql }

    let bindings: PostgresBindings

    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

extension SQLValue {
    /// One letter per type, for a prepared statement's name (its parameters' types are part of it).
    var typeLetter: String {
        switch self {
        case .null: "n"
        case .integer: "i"
        case .real: "r"
        case .text: "t"
        case .boolean: "b"
        case .digest, .bytes: "d"
        }
    }
}

/// Runs a task's jobs on an event loop (a thread of NIO's), for async calls made by a thread
/// that waits for them: Swift's cooperative pool may be the very threads that are waiting.
final class EventLoopExecutor: TaskExecutor {
    private let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        loop.execute { job.runSynchronously(on: executor) }
    }
}
