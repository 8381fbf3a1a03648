import Logging
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO
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
        let result = try run(sql, arguments)
        guard let first = result.rows.first else { return [] }
        let columns = SQLColumns(first.makeRandomAccess().map(\.columnName))
        return try result.rows.map { row in SQLRow(columns: columns, values: try row.map(Self.value)) }
    }

    private func run(_ sql: String, _ arguments: [(any SQLBindable)?]) throws -> PostgresQueryResult {
        // A query sent on a connection the server already closed is never answered (PostgresNIO
        // 1.33 leaves its future pending), so a lost connection is reported before sending.
        guard !connection.isClosed else { throw ConnectionLost() }
        return try connection.query(Self.query(sql, arguments), logger: logger).wait()
    }

    private static func query(_ sql: String, _ arguments: [(any SQLBindable)?]) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: arguments.count)
        for value in arguments.sqlValues {
            switch value {
            case .null: bindings.appendNull()
            case .integer(let number): bindings.append(number)
            case .real(let number): bindings.append(number)
            case .text(let text): bindings.append(text)
            case .boolean(let flag): bindings.append(flag)
            }
        }
        return PostgresQuery(unsafeSQL: numberedPlaceholders(sql), binds: bindings)
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
