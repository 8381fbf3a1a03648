import Foundation
import GRDB
import SQLMetadata

/// The store's SQL on one GRDB connection. Statements are cached per connection: the store's SQL
/// is a small fixed set, so each is compiled once per process.
struct SQLiteSession: SQLSession {
    let db: Database

    var dialect: SQLDialect { .sqlite }

    @discardableResult
    func execute(_ sql: String, _ arguments: [(any SQLBindable)?]) throws -> Int {
        let statement = try db.cachedStatement(sql: sql)
        try statement.execute(arguments: Self.arguments(arguments))
        return db.changesCount
    }

    func rows(_ sql: String, _ arguments: [(any SQLBindable)?]) throws -> [SQLRow] {
        let statement = try db.cachedStatement(sql: sql)
        let columns = SQLColumns(statement.columnNames)
        return try Row.fetchAll(statement, arguments: Self.arguments(arguments)).map { row in
            SQLRow(columns: columns, values: row.databaseValues.map(Self.value))
        }
    }

    private static func arguments(_ values: [(any SQLBindable)?]) -> StatementArguments {
        StatementArguments(values.sqlValues.map { value -> DatabaseValue in
            switch value {
            case .null: .null
            case .integer(let number): number.databaseValue
            case .real(let number): number.databaseValue
            case .text(let text): text.databaseValue
            // SQLite has no boolean type: 0 and 1, as GRDB writes them.
            case .boolean(let flag): (flag ? 1 : 0).databaseValue
            case .digest(let digest): digest.description.databaseValue
            case .bytes(let bytes): Data(bytes).databaseValue
            }
        })
    }

    private static func value(_ stored: DatabaseValue) -> SQLValue {
        switch stored.storage {
        case .null: .null
        case .int64(let number): .integer(number)
        case .double(let number): .real(number)
        case .string(let text): .text(text)
        // mreg writes no blobs into SQLite; one found there reads as text that no parser accepts.
        case .blob(let data): .text("<\(data.count) bytes>")
        }
    }
}
