import RegistryModel

/// One connection inside a transaction, as the store's SQL sees it. Statements use `?`
/// placeholders and SQL that SQLite and PostgreSQL both run; where they differ, `dialect` says how.
public protocol SQLSession {
    var dialect: SQLDialect { get }
    /// Runs a statement; returns how many rows it changed.
    @discardableResult
    func execute(_ sql: String, _ arguments: [(any SQLBindable)?]) throws -> Int
    /// Runs a query and returns all its rows.
    func rows(_ sql: String, _ arguments: [(any SQLBindable)?]) throws -> [SQLRow]
}

extension SQLSession {
    public func rows(_ sql: String) throws -> [SQLRow] { try rows(sql, []) }

    /// The first row of a query, if any (the query says `LIMIT 1` where more could match).
    public func row(_ sql: String, _ arguments: [(any SQLBindable)?] = []) throws -> SQLRow? {
        try rows(sql, arguments).first
    }

    /// The first column of the first row; nil when there is no row or the value is NULL.
    public func value<T: SQLDecodable>(_ sql: String, _ arguments: [(any SQLBindable)?] = []) throws -> T? {
        guard let row = try row(sql, arguments) else { return nil }
        let value: T? = try row[0]
        return value
    }

    /// The first column of every row.
    public func column<T: SQLDecodable>(_ sql: String, _ arguments: [(any SQLBindable)?] = []) throws -> [T] {
        try rows(sql, arguments).map { try $0[0] }
    }

    /// Whether a query (`SELECT 1 FROM … WHERE …`) has a row.
    public func exists(_ sql: String, _ arguments: [(any SQLBindable)?]) throws -> Bool {
        try value("SELECT EXISTS (\(sql))", arguments) ?? false
    }
}

/// Where SQLite's SQL and PostgreSQL's part ways.
public struct SQLDialect: Sendable {
    /// The engine's name, for messages.
    public let name: String
    /// The operator that matches text against a prefix pattern and can use the column's index.
    public let prefixOperator: String
    /// Whether JSON built from rows carries every REAL exactly (PostgreSQL prints the shortest
    /// text that reads back to the same double; SQLite's JSON keeps 15 digits), so that a
    /// version's rows can come back as JSON in one statement.
    public let exactJSONAggregates: Bool
    private let patternOf: @Sendable (String) -> String

    /// SQLite: `GLOB` is case-sensitive, as digests and commits are; `*`, `?` and `[` are escaped in brackets.
    public static let sqlite = SQLDialect(name: "SQLite", prefixOperator: "GLOB", exactJSONAggregates: false) { prefix in
        var pattern = ""
        for character in prefix {
            pattern += "*?[".contains(character) ? "[\(character)]" : String(character)
        }
        return pattern + "*"
    }

    /// PostgreSQL: `LIKE` is case-sensitive; `\`, `%` and `_` are escaped with a backslash.
    public static let postgres = SQLDialect(name: "PostgreSQL", prefixOperator: "LIKE", exactJSONAggregates: true) { prefix in
        var pattern = ""
        for character in prefix {
            pattern += "\\%_".contains(character) ? "\\\(character)" : String(character)
        }
        return pattern + "%"
    }

    init(name: String, prefixOperator: String, exactJSONAggregates: Bool, pattern: @escaping @Sendable (String) -> String) {
        self.name = name
        self.prefixOperator = prefixOperator
        self.exactJSONAggregates = exactJSONAggregates
        self.patternOf = pattern
    }

    /// The pattern, for `prefixOperator`, of text starting with `prefix`.
    public func prefixPattern(_ prefix: String) -> String { patternOf(prefix) }

    /// `LIMIT n`, or nothing when every row is wanted.
    public func limit(_ count: Int?) -> String { count.map { "LIMIT \($0)" } ?? "" }

    /// Whether digests are kept as 32 raw bytes (PostgreSQL's `bytea`: a row and each index entry
    /// 39 bytes smaller than the 71 characters of text SQLite keeps).
    var binaryDigests: Bool { name != "SQLite" }

    /// The SQL type of a digest column, for a typed NULL in a `UNION` of digests.
    public var digestType: String { binaryDigests ? "BYTEA" : "TEXT" }

    /// An SQL condition true when `column` holds a digest as mreg writes it: `sha256:` and 64
    /// lower-case hex digits in SQLite (`GLOB` with 64 character classes), 32 bytes in PostgreSQL.
    public func isDigest(_ column: String) -> String {
        binaryDigests
            ? "octet_length(\(column)) = 32"
            : "\(column) GLOB 'sha256:\(String(repeating: "[0-9a-f]", count: 64))'"
    }

    /// A digest column as text, `sha256:` and hex, where SQL builds text from it (a message naming
    /// a malformed value). A value that is not 32 bytes comes out as the text it was stored as.
    public func digestText(_ column: String) -> String {
        guard binaryDigests else { return column }
        return "CASE WHEN octet_length(\(column)) = 32 THEN 'sha256:' || encode(\(column), 'hex') ELSE encode(\(column), 'escape') END"
    }

    /// A digest given as stored text, as an argument for a digest column: the digest when the
    /// text is one; otherwise the text itself in SQLite, where a malformed digest is kept as
    /// text, and its bytes in PostgreSQL, which reads bytes that are not a digest as their text.
    public func digestArgument(_ text: String) -> any SQLBindable {
        if let digest = Digest(parsing: text) { return digest }
        return binaryDigests ? SQLValue.bytes(Array(text.utf8)) : text
    }

    /// A condition true when the digest column starts with the hex digits `hexPrefix`, with the
    /// digests that bound the range as its two arguments: a range, so both engines read the index.
    public func digestPrefix(_ column: String, _ hexPrefix: String) -> SQLFragment {
        let pad = Digest.hexLength - hexPrefix.utf8.count
        guard pad >= 0, let low = Digest(hex: hexPrefix + String(repeating: "0", count: pad)),
            let high = Digest(hex: hexPrefix + String(repeating: "f", count: pad))
        else { return SQLFragment("FALSE") }
        return SQLFragment("\(column) BETWEEN ? AND ?", [low, high])
    }
}
