import RegistryModel

/// A query to be answered together with others (`SQLSession.rowSets`).
public struct BundledQuery {
    public let sql: String
    public let arguments: [(any SQLBindable)?]

    public init(_ sql: String, _ arguments: [(any SQLBindable)?] = []) {
        self.sql = sql
        self.arguments = arguments
    }
}

extension SQLSession {
    /// The rows of several queries, in order. On an engine whose JSON is exact (PostgreSQL) they
    /// are one statement, so a database server is asked once, not once per query: each query's
    /// rows come back as a JSON array, each row an array of [column, value] pairs in column
    /// order, and are read back into rows with the same columns and values. Elsewhere (SQLite,
    /// in this process) the queries run one after the other in the caller's transaction.
    ///
    /// Each query's ORDER BY holds: PostgreSQL aggregates a sorted subquery's rows in its order
    /// (its manual, "Aggregate Expressions"). Every column must be a scalar (text, number,
    /// boolean or NULL).
    public func rowSets(_ queries: [BundledQuery]) throws -> [[SQLRow]] {
        guard dialect.exactJSONAggregates else { return try queries.map { try rows($0.sql, $0.arguments) } }
        let parts = queries.map { query in
            """
            (SELECT json_agg((SELECT json_agg(json_build_array(c.key, c.value) ORDER BY c.n)
                FROM json_each(row_to_json(q)) WITH ORDINALITY AS c(key, value, n)))
             FROM (\(query.sql)) q)::text
            """
        }
        guard let row = try row("SELECT " + parts.joined(separator: ",\n"), queries.flatMap(\.arguments)) else { return queries.map { _ in [] } }
        return try queries.indices.map { index in try Self.bundledRows(row[index], query: index) }
    }

    /// One query's rows from its JSON (NULL: no rows).
    private static func bundledRows(_ text: String?, query: Int) throws -> [SQLRow] {
        guard let text else { return [] }
        func malformed(_ what: String) -> DatabaseCorruption { DatabaseCorruption(problem: "the rows of query \(query + 1) of a bundle \(what)") }
        guard case .array(let rows) = try JSONParser.parse(Array(text.utf8)) else { throw malformed("are not a JSON array") }
        var columns: SQLColumns?
        return try rows.map { row in
            guard case .array(let pairs) = row else { throw malformed("hold a row that is not an array") }
            var names = [String]()
            var values = [SQLValue]()
            for pair in pairs {
                guard case .array(let parts) = pair, parts.count == 2, case .string(let name) = parts[0] else { throw malformed("hold a column that is not a [name, value] pair") }
                names.append(name)
                values.append(try SQLValue(json: parts[1]) ?? { throw malformed("hold nested JSON in column \(name)") }())
            }
            if columns == nil { columns = SQLColumns(names) }
            return SQLRow(columns: columns!, values: values)
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
