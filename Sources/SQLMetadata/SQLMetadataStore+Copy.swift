import RegistryModel
import RegistryStorage

/// A value binds as itself (copying rows from one engine to another).
extension SQLValue: SQLBindable {
    public var sqlValue: SQLValue { self }
}

/// One table as a copy sees it: its primary key (the order rows are copied in, and where an
/// interrupted copy resumes) and the columns SQLite keeps as 0 and 1 that PostgreSQL types boolean.
struct CopiedTable {
    let name: String
    let key: [String]
    let booleans: Set<String>
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
            CopiedTable(name: "models", key: ["id"], booleans: []),
            CopiedTable(name: "datasets", key: ["digest"], booleans: ["is_directory", "stored"]),
            CopiedTable(name: "dataset_files", key: ["dataset_digest", "path"], booleans: []),
            CopiedTable(name: "dataset_profiles", key: ["dataset_digest", "path"], booleans: []),
            CopiedTable(name: "dataset_names", key: ["name", "dataset_digest"], booleans: []),
            CopiedTable(name: "versions", key: ["id"], booleans: ["git_dirty"]),
            CopiedTable(name: "version_files", key: ["version_id", "path"], booleans: ["executable"]),
            CopiedTable(name: "version_datasets", key: ["version_id", "role"], booleans: []),
            CopiedTable(name: "version_metrics", key: ["version_id", "dataset", "name"], booleans: []),
            CopiedTable(name: "version_labels", key: ["version_id", "key"], booleans: []),
            CopiedTable(name: "evaluations", key: ["id"], booleans: ["git_dirty"]),
            CopiedTable(name: "evaluation_metrics", key: ["evaluation_id", "name"], booleans: []),
            CopiedTable(name: "events", key: ["seq"], booleans: ["forced"]),
            CopiedTable(name: "signatures", key: ["version_id", "key_fingerprint"], booleans: []),
            CopiedTable(name: "annotations", key: ["event_seq"], booleans: []),
            CopiedTable(name: "drift_reports", key: ["event_seq"], booleans: []),
            CopiedTable(name: "tokens", key: ["name"], booleans: []),
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
                            return theirs.values[index]
                        }
                        guard let ours = try source.row("SELECT * FROM \(table.name) WHERE \(keyMatch)", key) else { return false }
                        for (index, column) in theirs.columns.names.enumerated() {
                            guard let ourIndex = ours.columns.names.firstIndex(of: column) else { return false }
                            if Self.comparable(ours.values[ourIndex], boolean: table.booleans.contains(column)) != theirs.values[index] { return false }
                        }
                    }
                }
                return true
            }
        }
    }

    /// A source value as the target keeps it (SQLite's 0 and 1 as booleans where the column is one).
    private static func comparable(_ value: SQLValue, boolean: Bool) -> SQLValue {
        if boolean, case .integer(let flag) = value { return .boolean(flag != 0) }
        return value
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
                }.map { $0.values.map { $0 } }
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
                            try db.execute(insert, zip(columns, row.values).map { Self.comparable($1, boolean: table.booleans.contains($0)) })
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
