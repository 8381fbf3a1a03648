import RegistryModel

/// SQL with the arguments of its placeholders: a query (`SQLSession.rowSets` answers several
/// at once), or an expression put inside one (which version a query is about).
public struct SQLFragment {
    public let sql: String
    public let arguments: [(any SQLBindable)?]

    public init(_ sql: String, _ arguments: [(any SQLBindable)?] = []) {
        self.sql = sql
        self.arguments = arguments
    }
}

extension SQLFragment {
    /// The version with this key.
    static func version(_ id: VersionKey) -> SQLFragment { SQLFragment("?", [id]) }

    /// An SQL expression true when the version `versionID` (an SQL expression) is deleted: its
    /// latest `delete` or `undelete` event is a `delete`, one seek down `events_deletions`.
    static func isDeleted(versionID: String) -> String {
        """
        COALESCE((SELECT d.action FROM events d WHERE d.to_version_id = \(versionID) AND d.action IN ('delete', 'undelete')
            ORDER BY d.seq DESC LIMIT 1) = 'delete', FALSE)
        """
    }

    /// The query of the key of version `number` of `model` (its newest not deleted when nil): no
    /// row when there is no such version.
    static func version(of model: ModelName, number: Int?) -> SQLFragment {
        let select = "SELECT v.id FROM versions v JOIN models m ON m.id = v.model_id WHERE m.name = ?"
        if let number { return SQLFragment("\(select) AND v.number = ?", [model.value, number]) }
        return SQLFragment("\(select) AND NOT \(isDeleted(versionID: "v.id")) ORDER BY v.number DESC LIMIT 1", [model.value])
    }
}

extension SQLMetadataStore {
    /// The query of the key of the version `alias` of `model` names now: no row, or NULL, when
    /// it names none.
    func versionHeld(by alias: AliasName, of model: ModelName) -> SQLFragment {
        SQLFragment(latestHolder(modelID: "(SELECT id FROM models WHERE name = ?)", alias: "?"), [model.value, alias.value])
    }
}

extension SQLSession {
    /// The rows of several queries, in order. On an engine whose JSON is exact (PostgreSQL) they
    /// are one statement, so a database server is asked once, not once per query: each query's
    /// rows come back as a JSON array of objects (`json_agg`), read back into rows with the same
    /// columns and values. Elsewhere (SQLite, in this process) the queries run one after the
    /// other in the caller's transaction.
    ///
    /// Columns are read by name: a bundled row's columns come in no particular order, so every
    /// column needs a distinct name (`AS` for an expression), and each must be a scalar (text,
    /// number, boolean or NULL). Each query's ORDER BY holds: PostgreSQL aggregates a sorted
    /// subquery's rows in its order (its manual, "Aggregate Expressions").
    ///
    /// `common`, on PostgreSQL only, is a table the queries share, computed once: the body of a
    /// `WITH` (`name(columns) AS (query)`).
    public func rowSets(_ queries: [SQLFragment], sharing common: SQLFragment? = nil) throws -> [[SQLRow]] {
        guard dialect.exactJSONAggregates else { return try queries.map { try rows($0.sql, $0.arguments) } }
        let parts = queries.map { "(SELECT json_agg(q) FROM (\($0.sql)) q)::text" }
        let statement = (common.map { "WITH \($0.sql)\n" } ?? "") + "SELECT " + parts.joined(separator: ",\n")
        guard let row = try row(statement, (common?.arguments ?? []) + queries.flatMap(\.arguments)) else { return queries.map { _ in [] } }
        return try queries.indices.map { index in try Self.bundledRows(row[index], query: index) }
    }

    /// One query's rows from its JSON (NULL: no rows).
    private static func bundledRows(_ text: String?, query: Int) throws -> [SQLRow] {
        guard let text else { return [] }
        func malformed(_ what: String) -> DatabaseCorruption { DatabaseCorruption(problem: "the rows of query \(query + 1) of a bundle \(what)") }
        guard case .array(let rows) = try JSONParser.parse(Array(text.utf8)) else { throw malformed("are not a JSON array") }
        var columns: (names: [String], columns: SQLColumns)?
        return try rows.map { row in
            guard case .object(let fields) = row else { throw malformed("hold a row that is not an object") }
            if columns == nil {
                let names = fields.keys.sorted()
                columns = (names, SQLColumns(names))
            }
            guard let (names, sqlColumns) = columns, fields.count == names.count else { throw malformed("hold rows with different columns") }
            return SQLRow(columns: sqlColumns, values: try names.map { name in
                guard let field = fields[name] else { throw malformed("hold rows with different columns") }
                guard let value = SQLValue(json: field) else { throw malformed("hold nested JSON in column \(name)") }
                return value
            })
        }
    }
}

extension SQLValue {
    /// A scalar JSON value as the column value it was built from; nil for an array or object.
    init?(json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let flag): self = .boolean(flag)
        case .integer(let number): self = .integer(number)
        case .number(let number): self = .real(number)
        case .string(let text): self = .text(text)
        case .array, .object: return nil
        }
    }
}
