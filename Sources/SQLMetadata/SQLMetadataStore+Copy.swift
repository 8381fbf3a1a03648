import RegistryModel
import RegistryStorage

/// A value binds as itself (copying rows from one engine to another).
extension SQLValue: SQLBindable {
    public var sqlValue: SQLValue { self }
}

/// One table as a copy sees it: its primary key (the order rows are copied in, and where an
/// interrupted copy resumes), the columns SQLite keeps as 0 and 1 that PostgreSQL types boolean,
/// and those of digests, text in SQLite and bytes in PostgreSQL.
struct CopiedTable {
    let name: String
    let key: [String]
    var booleans: Set<String> = []
    var digests: Set<String> = []

    /// A value of `column` as the engine of `dialect` keeps it: a boolean where SQLite has 0 or
    /// 1; a digest where SQLite has its text, and a malformed one as that engine keeps it.
    func comparable(_ value: SQLValue, column: String, in dialect: SQLDialect) -> SQLValue {
        if booleans.contains(column), case .integer(let flag) = value { return .boolean(flag != 0) }
        if digests.contains(column), case .text(let text) = value { return dialect.digestArgument(text).sqlValue }
        return value
    }
}

extension SQLMetadataStore {
    /// The other side of a copy, which must run this implementation too.
    private func sqlStore(_ other: any MetadataCopying) throws(MetadataError) -> any SQLMetadataStore {
        guard let store = other as? any SQLMetadataStore else {
            throw .server(engine: "mreg", code: "incompatible", message: "rows are copied only between stores of the SQL implementation")
        }
        return store
    }

    /// Every table in an order that satisfies the foreign keys (a parent version precedes its children by id).
    static var copiedTables: [CopiedTable] {
        [
            CopiedTable(name: "models", key: ["id"]),
            CopiedTable(name: "datasets", key: ["digest"], booleans: ["is_directory", "stored"], digests: ["digest"]),
            CopiedTable(name: "dataset_files", key: ["dataset_digest", "path"], digests: ["dataset_digest", "digest"]),
            CopiedTable(name: "dataset_profiles", key: ["dataset_digest", "path"], digests: ["dataset_digest", "file_digest"]),
            CopiedTable(name: "dataset_names", key: ["name", "dataset_digest"], digests: ["dataset_digest"]),
            CopiedTable(name: "versions", key: ["id"], booleans: ["git_dirty"], digests: ["manifest_digest"]),
            CopiedTable(name: "version_files", key: ["version_id", "path"], booleans: ["executable"], digests: ["digest"]),
            CopiedTable(name: "version_datasets", key: ["version_id", "role"], digests: ["dataset_digest"]),
            CopiedTable(name: "version_metrics", key: ["version_id", "dataset", "name"]),
            CopiedTable(name: "version_labels", key: ["version_id", "key"]),
            CopiedTable(name: "evaluations", key: ["id"], booleans: ["git_dirty"], digests: ["dataset_digest", "predictions_digest"]),
            CopiedTable(name: "evaluation_metrics", key: ["evaluation_id", "name"]),
            CopiedTable(
                name: "events", key: ["seq"], booleans: ["forced"],
                digests: ["record_digest", "dataset_digest", "key_fingerprint", "previous_digest", "digest"]),
            CopiedTable(name: "signatures", key: ["version_id", "key_fingerprint"], digests: ["key_fingerprint"]),
            CopiedTable(name: "annotations", key: ["event_seq"]),
            CopiedTable(name: "drift_reports", key: ["event_seq"], digests: ["reference_dataset", "data_digest"]),
            CopiedTable(name: "tokens", key: ["name"], digests: ["secret_sha256"]),
        ]
    }

    /// Whether every table of `target` holds nothing, or rows of this store's: the first and the
    /// last row by key of each table (what an interrupted copy of this store leaves) are equal here.
    public func holdsOnlyRowsOf(_ other: any MetadataCopying) throws(MetadataError) -> Bool {
        let target = try sqlStore(other)
        return try read { source in
            try target.read { db in
                for table in Self.copiedTables {
                    let keyMatch = table.key.map { "\($0) = ?" }.joined(separator: " AND ")
                    for order in ["ASC", "DESC"] {
                        let ordering = table.key.map { "\($0) \(order)" }.joined(separator: ", ")
                        guard let theirs = try db.row("SELECT * FROM \(table.name) ORDER BY \(ordering) LIMIT 1") else { break }
                        let key = try table.key.map { name -> (any SQLBindable)? in
                            guard let index = theirs.columns.names.firstIndex(of: name) else { throw DatabaseCorruption(problem: "\(table.name) has no \(name)") }
                            return table.comparable(theirs.values[index], column: name, in: source.dialect)
                        }
                        guard let ours = try source.row("SELECT * FROM \(table.name) WHERE \(keyMatch)", key) else { return false }
                        for (index, column) in theirs.columns.names.enumerated() {
                            guard let ourIndex = ours.columns.names.firstIndex(of: column) else { return false }
                            let (mine, copied) = (ours.values[ourIndex], theirs.values[index])
                            if table.comparable(mine, column: column, in: db.dialect) != table.comparable(copied, column: column, in: db.dialect) {
                                return false
                            }
                        }
                    }
                }
                return true
            }
        }
    }

    /// Copies every recorded row into `target` (a store of the same schema shape, empty or holding
    /// an interrupted copy of this one), keeping ids, sequence numbers and digests, so the ledger
    /// chain verifies on the other side.
    ///
    /// This store's writers are held off for the whole copy (its write lock), so the copy is of one
    /// state. Each table goes in key order, `batchSize` rows per target transaction; a rerun after an
    /// interruption starts after the last key the target holds. `afterBatch` is told the table and
    /// the rows copied so far (progress, and the crash tests' hook). Returns the rows copied per table.
    public func copyRows(
        to other: any MetadataCopying, batchSize: Int, afterBatch: (String, Int) -> Void
    ) throws(MetadataError) -> [(table: String, rows: Int)] {
        let target = try sqlStore(other)
        return try write { source in
            var copied = [(table: String, rows: Int)]()
            for table in Self.copiedTables {
                let keyList = table.key.joined(separator: ", ")
                let keyTuple = "(\(keyList))"
                var last: [(any SQLBindable)?]? = try target.read { db in
                    try db.row("SELECT \(keyList) FROM \(table.name) ORDER BY \(table.key.map { "\($0) DESC" }.joined(separator: ", ")) LIMIT 1")
                }.map { row in zip(table.key, row.values).map { table.comparable($1, column: $0, in: source.dialect) } }
                var count = 0
                while true {
                    let after = last.map { _ in "WHERE \(keyTuple) > (\(table.key.map { _ in "?" }.joined(separator: ", ")))" } ?? ""
                    let rows = try source.rows(
                        "SELECT * FROM \(table.name) \(after) ORDER BY \(keyList) LIMIT \(batchSize)", last ?? [])
                    guard let first = rows.first else { break }
                    let columns = first.columns.names
                    let insert = """
                        INSERT INTO \(table.name) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))
                        ON CONFLICT DO NOTHING
                        """
                    try target.write { db in
                        for row in rows {
                            try db.execute(insert, zip(columns, row.values).map { table.comparable($1, column: $0, in: db.dialect) })
                        }
                    }
                    count += rows.count
                    last = try table.key.map { key -> (any SQLBindable)? in
                        guard let index = columns.firstIndex(of: key) else { throw DatabaseCorruption(problem: "\(table.name) has no column \(key)") }
                        return rows[rows.count - 1].values[index]
                    }
                    afterBatch(table.name, count)
                    if rows.count < batchSize { break }
                }
                copied.append((table.name, count))
            }
            try target.write { db in try target.finishCopy(db) }
            return copied
        }
    }
}
