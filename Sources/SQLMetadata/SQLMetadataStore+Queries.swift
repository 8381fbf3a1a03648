import Foundation
import RegistryModel
import RegistryStorage

extension SQLMetadataStore {
    /// Every model with its version count and latest version, by name.
    /// Version numbers are gap-free per model (a version's number is how many its model had once
    /// it was registered), so a model's count is its latest number: one seek on the (model,
    /// number) index per model, not a count of every version (a million, in issue 12's registry).
    public func models() throws(MetadataError) -> [ModelSummary] {
        try readStatement { db in
            // Gap-free numbers: a model has as many versions as its latest number, less those
            // deleted now (each `delete` not followed by an `undelete`: they alternate per
            // version), counted on `events_by_model_action`.
            try db.rows(
                """
                SELECT m.name, v.number, v.created_at,
                    COALESCE((SELECT MAX(n.number) FROM versions n WHERE n.model_id = m.id), 0)
                    - (SELECT COUNT(*) FROM events d WHERE d.model_id = m.id AND d.action = 'delete')
                    + (SELECT COUNT(*) FROM events u WHERE u.model_id = m.id AND u.action = 'undelete') AS live
                FROM models m
                LEFT JOIN versions v ON v.id = (
                    SELECT l.id FROM versions l WHERE l.model_id = m.id AND NOT \(SQLFragment.isDeleted(versionID: "l.id")) ORDER BY l.number DESC LIMIT 1)
                ORDER BY m.name
                """
            ).map { row in
                ModelSummary(
                    name: try ModelName(row[0]), versionCount: try row[3], latestVersion: try row[1],
                    latestCreatedAt: (try row[2] as String?).flatMap(Timestamp.parse))
            }
        }
    }

    /// The models with a version registered with label `key` = `value`: one seek per model on
    /// its (model, key, value) label index.
    public func modelNames(labelled key: String, _ value: String) throws(MetadataError) -> Set<ModelName> {
        try readStatement { db in
            Set(try db.rows(
                """
                SELECT m.name FROM models m
                WHERE EXISTS (SELECT 1 FROM version_labels l WHERE l.model_id = m.id AND l.key = ? AND l.value = ?)
                """,
                [key, value]
            ).map { try ModelName($0[0]) })
        }
    }

    /// The versions of one model that `filter` keeps, in its order, `limit` of them from `after`
    /// (newest first: a page is read on the (model, number) index from where the last one ended,
    /// at any model size), with their metrics, and how many it keeps in all (`keptCount`). The
    /// search starts from the fewest candidates an index names (`versionConditions`); each other
    /// condition is an indexed probe per candidate: metrics and labels on their (version, key)
    /// keys, statuses and aliases on the ledger's indexes by version.
    public func versions(
        of model: ModelName, matching filter: VersionFilter, limit: Int?, after: Int?
    ) throws(MetadataError) -> (versions: [VersionSummary], total: Int, totalIsExact: Bool) {
        try read { db in
            guard let modelID: Int64 = try db.value("SELECT id FROM models WHERE name = ?", [model.value]) else { return ([], 0, true) }
            let issued: Int = try db.value("SELECT MAX(number) FROM versions WHERE model_id = ?", [modelID]) ?? 0
            let start = try searchStart(db, filter, modelID: modelID, versions: issued, limit: limit)
            let selection = versionConditions(filter, modelID: modelID, start: start)
            let total: (count: Int, exact: Bool) = filter.counted ? try keptCount(db, filter, selection, modelID: modelID, start: start, versions: issued) : (0, true)
            let page = after.map { _ in " AND v.number < ?" } ?? ""
            let pageArguments: [(any SQLBindable)?] = after.map { [$0] } ?? []
            let columns = """
                v.id, v.number, v.manifest_digest, v.created_at, v.git_commit, v.git_dirty, v.file_count, v.total_size, \(deletedColumn(filter)) AS deleted
                """
            var rows: [SQLRow]
            switch filter.order {
            case .metric(let dataset, let name, let descending):
                // The versions with the metric in its order, read off the model's (metric, value)
                // index (CROSS JOIN: SQLite keeps that table outermost) until the page is full;
                // then, if it is not, those without it, newest first.
                let direction = descending ? "DESC" : "ASC"
                rows = try db.rows(
                    """
                    SELECT \(columns) FROM version_metrics s CROSS JOIN versions v
                    WHERE v.id = s.version_id AND s.model_id = ? AND s.dataset = ? AND s.name = ? AND \(selection.sql)\(page)
                    ORDER BY s.value \(direction), v.number DESC \(db.dialect.limit(limit))
                    """,
                    [modelID, dataset, name] + selection.arguments + pageArguments)
                if limit.map({ rows.count < $0 }) ?? true {
                    rows += try db.rows(
                        """
                        SELECT \(columns) FROM versions v WHERE \(selection.sql)\(page)
                            AND NOT EXISTS (SELECT 1 FROM version_metrics s WHERE s.version_id = v.id AND s.dataset = ? AND s.name = ?)
                        ORDER BY v.number DESC \(db.dialect.limit(limit.map { $0 - rows.count }))
                        """,
                        selection.arguments + pageArguments + [dataset, name])
                }
            case .number, .numberAscending, .created:
                let order = switch filter.order {
                case .numberAscending: "v.number ASC"
                case .created(let descending): "v.created_at \(descending ? "DESC" : "ASC"), v.number DESC"
                default: "v.number DESC"
                }
                func read(_ numbers: SQLFragment) throws -> [SQLRow] {
                    try db.rows(
                        "SELECT \(columns) FROM versions v WHERE \(selection.sql)\(page)\(numbers.sql) ORDER BY \(order) \(db.dialect.limit(limit))",
                        selection.arguments + pageArguments + numbers.arguments)
                }
                if start == .everyVersion, Self.pagesAWindowByNumber(filter) {
                    // A window of time: first the numbers where the page starts, where a window
                    // that reaches the newest versions (`--since`) fills it; then, if it did not
                    // fill, every number the window holds.
                    let nearby = max(Self.nearbyNumbers, limit ?? 0)
                    let first = filter.order == .numberAscending ? 1 : (after ?? issued + 1) - nearby
                    rows = limit == nil ? [] : try read(SQLFragment(" AND v.number BETWEEN ? AND ?", [first, first + nearby - 1]))
                    if limit.map({ rows.count < $0 }) ?? true {
                        rows = try read(try windowNumbers(db, filter, modelID: modelID, after: after))
                    }
                } else {
                    rows = try read(SQLFragment("", []))
                }
            }
            var metrics = [Int64: [Metric]]()
            func collect(_ metricRows: [SQLRow]) throws {
                for row in metricRows { metrics[try row[0], default: []].append(Metric(dataset: try row[1], name: try row[2], value: try row[3])) }
            }
            if filter.order == .number, let oldest: Int = try rows.last?[1], let newest: Int = try rows.first?[1], newest - oldest < 2 * rows.count {
                // A dense page in number order: its metrics in one range of the (model, number)
                // index. A filter's page may be sparse (versions 90,000 and 500): those go by key.
                try collect(try db.rows(
                    """
                    SELECT x.version_id, x.dataset, x.name, x.value FROM version_metrics x
                    JOIN versions v ON v.id = x.version_id WHERE v.model_id = ? AND v.number BETWEEN ? AND ?
                    """,
                    [modelID, oldest, newest]))
            } else if !rows.isEmpty {
                let ids: [Int64] = try rows.map { try $0[0] }
                for batch in Self.batches(of: ids) {
                    try collect(try db.rows(
                        "SELECT version_id, dataset, name, value FROM version_metrics WHERE version_id IN (\(Self.placeholders(batch.count)))", Array(batch)))
                }
            }
            let versions = try rows.map { row in
                VersionSummary(
                    number: try row[1], manifestDigest: try digest(row[2]), createdAt: try date(row[3]), gitCommit: try row[4],
                    gitDirty: try row[5] ?? false, fileCount: try row[6], totalSize: try row[7],
                    metrics: (metrics[try row[0]] ?? []).sorted { $0.key < $1.key }, deleted: try row[8])
            }
            return (versions, total.count, total.exact)
        }
    }

    /// Whether a page of `filter`'s versions is read in number order within a window of time
    /// (`--since`, `--until`), between numbers `windowNumbers` finds: not when a status or alias
    /// names the candidates already.
    static func pagesAWindowByNumber(_ filter: VersionFilter) -> Bool {
        (filter.since != nil || filter.until != nil) && filter.everHeld == nil && (filter.status == nil || filter.status == .active)
            && (filter.order == .number || filter.order == .numberAscending)
    }

    /// How many numbers next to where a page starts are tried before the whole window's.
    static var nearbyNumbers: Int { 1_000 }

    /// The numbers (`AND v.number BETWEEN …`) that hold every version of the filter's window of
    /// time below `after`, so a page in number order walks the model's number index between
    /// them. The time index alone would have the engine read every version in the window and
    /// sort them for a page of 20 (684,000 of a million versions: 0.35 s on SQLite); the lowest
    /// and highest numbers are read off the (model, time, number) index alone (31 ms). Numbers
    /// need not follow time: a version registered by a slow clock falls inside the range all
    /// the same, only the range is wider.
    func windowNumbers(_ db: any SQLSession, _ filter: VersionFilter, modelID: Int64, after: Int?) throws -> SQLFragment {
        let window = Self.windowScope(filter, modelID: modelID)
        let below = after.map { _ in " AND c.number < ?" } ?? ""
        // `+ 0`: PostgreSQL would otherwise seek each end of the number index and walk it to
        // the window's first version (700,000 entries for one that ends at the oldest 300,000).
        let bounds = try db.rows(
            "SELECT MIN(c.number + 0), MAX(c.number + 0) FROM versions c WHERE \(window.sql)\(below)", window.arguments + (after.map { [$0] } ?? [])
        ).first
        let lowest: Int? = try bounds?[0]
        let highest: Int? = try bounds?[1]
        // An empty window: a range with no number in it.
        return SQLFragment(" AND v.number BETWEEN ? AND ?", [lowest ?? 1, highest ?? 0])
    }

    /// Whether each listed version is deleted: known from `filter`'s conditions unless it keeps
    /// deleted and live versions alike, so the ledger is not asked twice per row.
    func deletedColumn(_ filter: VersionFilter) -> String {
        switch filter.status {
        case .deleted?: "TRUE"
        case nil where filter.deleted: SQLFragment.isDeleted(versionID: "v.id")
        default: "FALSE"
        }
    }

    /// The WHERE condition (over `versions v`) of a model's versions that `filter` keeps.
    ///
    /// A filter that only versions named by the model's events can pass (a status other than
    /// active, an alias ever held) starts from those events, on the ledger's (model, action) or
    /// (model, alias) index, instead of the model's every version: it costs what the model's
    /// marks number, not its versions (0.01 ms where 140 ms were spent on 100,000 versions of
    /// one model with two deprecated). The candidates are the model's own, so the model's
    /// version index is left out: SQLite would walk it instead.
    ///
    /// `start` may name a label or metric condition instead: the search then starts from the
    /// model's versions that meet it (a key of its (model, key, value) label index, or a range of
    /// its (model, metric, value) index), the first `candidates` of them in index order if given.
    func versionConditions(_ filter: VersionFilter, modelID: Int64, start: VersionSearchStart, candidates: Int? = nil) -> SQLFragment {
        var conditions = [String]()
        var arguments: [(any SQLBindable)?] = [modelID]
        // The condition that starts the search is not probed again per candidate.
        var metrics = filter.metrics
        var labels = filter.labels
        var startedFromWindow = false
        func startingFrom(_ entries: SQLFragment) {
            conditions = ["v.id IN (\(entries.sql)\(candidates.map { _ in " LIMIT ?" } ?? ""))"]
            arguments = entries.arguments + (candidates.map { [$0] } ?? [])
        }
        var everHeld = filter.everHeld
        switch (filter.status, filter.everHeld) {
        case (.deprecated?, _): conditions = ["v.id IN (SELECT c.to_version_id FROM events c WHERE c.model_id = ? AND c.action = 'deprecate')"]
        case (.rolledBack?, _): conditions = ["v.id IN (SELECT c.from_version_id FROM events c WHERE c.model_id = ? AND c.action = 'rollback')"]
        case (.deleted?, _): conditions = ["v.id IN (SELECT c.to_version_id FROM events c WHERE c.model_id = ? AND c.action = 'delete')"]
        case (_, let alias?):
            conditions = ["v.id IN (SELECT c.to_version_id FROM events c WHERE c.model_id = ? AND c.alias = ? AND c.action IN ('promote', 'rollback'))"]
            arguments.append(alias.value)
            everHeld = nil
        default:
            switch start {
            case .label(let index):
                startingFrom(Self.entries(labels.remove(at: index), modelID: modelID))
            case .metric(let index):
                startingFrom(Self.entries(metrics.remove(at: index), modelID: modelID))
            case .window:
                startingFrom(Self.windowEntries(filter, modelID: modelID))
                startedFromWindow = true
            case .everyVersion: conditions = ["v.model_id = ?"]
            }
        }
        conditions += Self.statusConditions(filter)
        for metric in metrics {
            conditions.append("EXISTS (SELECT 1 FROM version_metrics m WHERE m.version_id = v.id AND m.dataset = ? AND m.name = ? AND m.value \(Self.sqlOperator(metric.comparison)) ?)")
            arguments += [metric.dataset, metric.name, metric.value]
        }
        for label in labels {
            conditions.append("EXISTS (SELECT 1 FROM version_labels l WHERE l.version_id = v.id AND l.key = ? AND l.value = ?)")
            arguments += [label.key, label.value]
        }
        if let alias = everHeld {
            conditions.append("EXISTS (SELECT 1 FROM events h WHERE h.to_version_id = v.id AND h.action IN ('promote', 'rollback') AND h.alias = ?)")
            arguments.append(alias.value)
        }
        if !startedFromWindow {
            let window = Self.window(filter, of: "v.")
            conditions += window.conditions
            arguments += window.arguments
        }
        return SQLFragment(conditions.joined(separator: " AND "), arguments)
    }

    /// The conditions of the filter's window of time (`--since`, `--until`) on the versions
    /// table, its columns named after `prefix` (`v.`).
    static func window(_ filter: VersionFilter, of prefix: String) -> (conditions: [String], arguments: [(any SQLBindable)?]) {
        var conditions = [String]()
        var arguments: [(any SQLBindable)?] = []
        if let since = filter.since {
            conditions.append("\(prefix)created_at >= ?")
            arguments.append(Timestamp.format(since))
        }
        if let until = filter.until {
            conditions.append("\(prefix)created_at < ?")
            arguments.append(Timestamp.format(until))
        }
        return (conditions, arguments)
    }

    /// The versions of a model registered within the filter's window of time: a range of its
    /// (model, time, number) index.
    static func windowEntries(_ filter: VersionFilter, modelID: Int64) -> SQLFragment {
        let window = windowScope(filter, modelID: modelID)
        return SQLFragment("SELECT c.id FROM versions c WHERE \(window.sql)", window.arguments)
    }

    /// The condition (over `versions c`) of a model's versions within the filter's window of time.
    static func windowScope(_ filter: VersionFilter, modelID: Int64) -> SQLFragment {
        let window = window(filter, of: "c.")
        return SQLFragment((["c.model_id = ?"] + window.conditions).joined(separator: " AND "), [modelID] + window.arguments)
    }

    /// The conditions (over `versions v`) of the status `filter` asks for; none when it keeps
    /// every status (`--deleted` without `--status`).
    static func statusConditions(_ filter: VersionFilter) -> [String] {
        let deleted = SQLFragment.isDeleted(versionID: "v.id")
        let deprecated = """
            COALESCE((SELECT s.action FROM events s WHERE s.to_version_id = v.id AND s.action IN ('deprecate', 'lift_deprecation')
                ORDER BY s.seq DESC LIMIT 1) = 'deprecate', FALSE)
            """
        let rolledBack = """
            EXISTS (SELECT 1 FROM events r WHERE r.from_version_id = v.id AND r.action = 'rollback'
                AND NOT EXISTS (SELECT 1 FROM events l WHERE l.to_version_id = v.id AND l.action = 'lift_rollback' AND l.alias = r.alias AND l.seq > r.seq))
            """
        switch filter.status {
        case .deleted?: return [deleted]
        case .deprecated?: return ["NOT \(deleted)", deprecated]
        case .rolledBack?: return ["NOT \(deleted)", "NOT \(deprecated)", rolledBack]
        case .active?: return ["NOT \(deleted)", "NOT \(deprecated)", "NOT \(rolledBack)"]
        case nil: return filter.deleted ? [] : ["NOT \(deleted)"]
        }
    }

    /// How many of a model's versions `filter` keeps, without visiting each where the indexes
    /// allow, and whether that is the exact count or a lower bound. A status other than active,
    /// or an alias, names its few candidates already. Active versions (or every one not deleted)
    /// are all that meet the other conditions, less those of them the status removes; those are
    /// among the model's marked versions (deleted, deprecated or rolled back at least once), few
    /// and read off the ledger's (model, action) index. The versions that meet the other
    /// conditions are counted on one index when one condition or none is asked (the model's
    /// latest number, gap-free, when none): a label or status kept by half of a million versions
    /// is counted without probing each. Several conditions are counted from the one the fewest
    /// versions meet, each of those probed for the others (`countStart`).
    func keptCount(
        _ db: any SQLSession, _ filter: VersionFilter, _ selection: SQLFragment, modelID: Int64, start: VersionSearchStart, versions: Int,
        budget: Int = Self.countedCandidates
    ) throws -> (count: Int, exact: Bool) {
        guard filter.status == nil || filter.status == .active, filter.everHeld == nil else {
            return (try db.value("SELECT COUNT(*) FROM versions v WHERE \(selection.sql)", selection.arguments) ?? 0, true)
        }
        var unmarked = filter
        unmarked.status = nil
        unmarked.deleted = true
        let conditions = filter.labels.count + filter.metrics.count + (filter.since != nil || filter.until != nil ? 1 : 0)
        let (counted, limited) = conditions > 1 ? try countStart(db, filter, modelID: modelID, budget: budget) : (start, false)
        let candidates = versionConditions(unmarked, modelID: modelID, start: counted, candidates: limited ? budget : nil)
        let met: Int
        if conditions == 0 {
            met = versions
        } else if conditions == 1, let entries = filter.labels.first.map({ Self.entries($0, modelID: modelID) })
            ?? filter.metrics.first.map({ Self.entries($0, modelID: modelID) }) {
            met = try db.value("SELECT COUNT(*) FROM (\(entries.sql)) x", entries.arguments) ?? 0
        } else {
            met = try db.value("SELECT COUNT(*) FROM versions v WHERE \(candidates.sql)", candidates.arguments) ?? 0
        }
        let status = Self.statusConditions(filter)
        guard !status.isEmpty else { return (met, !limited) }
        let marked = filter.status == .active
            ? """
              SELECT c.to_version_id AS id FROM events c WHERE c.model_id = ? AND c.action IN ('delete', 'deprecate')
              UNION SELECT c.from_version_id FROM events c WHERE c.model_id = ? AND c.action = 'rollback'
              """
            : "SELECT DISTINCT c.to_version_id AS id FROM events c WHERE c.model_id = ? AND c.action = 'delete'"
        // CROSS JOIN: SQLite starts from the few marked versions, not the model's every one.
        let removed: Int = try db.value(
            """
            SELECT COUNT(*) FROM (\(marked)) k CROSS JOIN versions v
            WHERE v.id = k.id AND \(candidates.sql) AND NOT (\(status.joined(separator: " AND ")))
            """,
            (filter.status == .active ? [modelID, modelID] : [modelID]) + candidates.arguments) ?? 0
        return (met - removed, !limited)
    }

    /// How many versions a count of several conditions probes at most. Each probe is an index seek
    /// per other condition (about 0.75 µs on SQLite, 2.5 µs on PostgreSQL), so an exact count of
    /// two conditions that a fifth and all of a million versions meet took 0.43 s: past this
    /// many, `list --json` says at least how many the filter keeps, counted among the first.
    static var countedCandidates: Int { 10_000 }

    /// Where a count of several conditions starts: the label, metric or window of time that the
    /// fewest of the model's versions meet, each counted on its index up to `budget`; limited
    /// when every one is met by more.
    func countStart(_ db: any SQLSession, _ filter: VersionFilter, modelID: Int64, budget: Int) throws -> (start: VersionSearchStart, limited: Bool) {
        var fewest: (start: VersionSearchStart, count: Int)?
        func consider(_ start: VersionSearchStart, _ entries: SQLFragment) throws {
            let bound = min(fewest?.count ?? budget, budget) + 1
            let count = try Self.count(db, entries, upTo: bound)
            if count < bound { fewest = (start, count) }
        }
        for (index, label) in filter.labels.enumerated() { try consider(.label(index), Self.entries(label, modelID: modelID)) }
        for (index, metric) in filter.metrics.enumerated() { try consider(.metric(index), Self.entries(metric, modelID: modelID)) }
        let window = filter.since != nil || filter.until != nil
        if window { try consider(.window, Self.windowEntries(filter, modelID: modelID)) }
        if let fewest { return (fewest.start, false) }
        // Past the budget, from the set each of whose versions is cheapest to name: a window's
        // ids are in its index on both engines, a label's are read with it (PostgreSQL reads a
        // metric entry's version from the table, 5 µs each).
        return (window ? .window : filter.labels.isEmpty ? .metric(0) : .label(0), true)
    }

    /// How many rows `entries` names, counted no further than `bound` (on its index: a range of
    /// a million entries would take SQLite about 70 ms to count in full).
    static func count(_ db: any SQLSession, _ entries: SQLFragment, upTo bound: Int) throws -> Int {
        try db.value("SELECT COUNT(*) FROM (\(entries.sql) LIMIT ?) x", entries.arguments + [bound]) ?? 0
    }

    /// A metric comparison as SQL writes it.
    static func sqlOperator(_ comparison: VersionFilter.MetricCondition.Comparison) -> String {
        comparison == .notEqual ? "<>" : comparison.rawValue
    }

    /// The versions of a model whose metric meets `metric`: a range of its (model, metric, value) index.
    static func entries(_ metric: VersionFilter.MetricCondition, modelID: Int64) -> SQLFragment {
        SQLFragment(
            "SELECT c.version_id FROM version_metrics c WHERE c.model_id = ? AND c.dataset = ? AND c.name = ? AND c.value \(sqlOperator(metric.comparison)) ?",
            [modelID, metric.dataset, metric.name, metric.value])
    }

    /// The versions of a model registered with `label`: a key of its (model, key, value) index.
    static func entries(_ label: (key: String, value: String), modelID: Int64) -> SQLFragment {
        SQLFragment("SELECT c.version_id FROM version_labels c WHERE c.model_id = ? AND c.key = ? AND c.value = ?", [modelID, label.key, label.value])
    }

    /// Whether few enough of a model's versions meet the filter's first label, or else its first
    /// metric condition, that the search should start from them, counted on the index. Starting
    /// there reads every match (and sorts them); number order reads about `limit` × versions ÷
    /// matches versions to fill the page. So the index wins below √(`limit` × versions) matches,
    /// and never above a tenth of the versions (starting from 20,000 matches of 100,000 sorted
    /// them all: 55 ms for a page found in 0.2 ms). The count stops at that bound: about 7,000
    /// entries for a page of 50 of a million versions, 32,000 for each page of 1,000 that
    /// `--all` streams.
    func searchStart(_ db: any SQLSession, _ filter: VersionFilter, modelID: Int64, versions: Int, limit: Int?) throws -> VersionSearchStart {
        guard filter.status == nil || filter.status == .active, filter.everHeld == nil, !(filter.labels.isEmpty && filter.metrics.isEmpty) else {
            return .everyVersion
        }
        let bound = min(Double(versions) / 10, limit.map { (Double($0) * Double(versions)).squareRoot() } ?? .infinity)
        func few(_ entries: SQLFragment) throws -> Bool { Double(try Self.count(db, entries, upTo: Int(bound) + 1)) < bound }
        if let label = filter.labels.first, try few(Self.entries(label, modelID: modelID)) { return .label(0) }
        if let metric = filter.metrics.first, try few(Self.entries(metric, modelID: modelID)) { return .metric(0) }
        return .everyVersion
    }

    /// Everything recorded about one version: on PostgreSQL one statement (the version's rows
    /// are aggregated as JSON), on SQLite five in one transaction.
    public func record(id: VersionKey) throws(MetadataError) -> VersionRecord? {
        try readStatement { db in try fetchRecord(db, id: id) }
    }

    public func records(ids: [VersionKey]) throws(MetadataError) -> [VersionKey: Result<VersionRecord, MetadataError>] {
        func decoded(_ decode: () throws -> VersionRecord?) throws -> Result<VersionRecord, MetadataError>? {
            do {
                return try decode().map { .success($0) }
            } catch {
                guard let corrupt = MetadataError.fromRows(error) else { throw error }
                return .failure(corrupt)
            }
        }
        return try read { db in
            var found = [VersionKey: Result<VersionRecord, MetadataError>]()
            guard db.dialect.exactJSONAggregates else {
                // In this process: one version at a time costs no round trip.
                for id in ids { found[id] = try decoded { try fetchRecord(db, id: id) } }
                return found
            }
            for batch in Self.batches(of: ids) {
                let rows = try db.rows(recordWithRowsSelect + " WHERE v.id IN (\(Self.placeholders(batch.count)))", batch.map { $0 as any SQLBindable })
                for row in rows {
                    let id: VersionKey = try row["id"]
                    found[id] = try decoded { try aggregatedRecord(row) }
                }
            }
            return found
        }
    }

    func fetchRecord(_ db: any SQLSession, id: VersionKey) throws -> VersionRecord? {
        if db.dialect.exactJSONAggregates {
            let query = recordQuery(version: .version(id))
            return try db.row(query.sql, query.arguments).map(aggregatedRecord)
        }
        guard let row = try db.row("SELECT m.name, v.* FROM versions v JOIN models m ON m.id = v.model_id WHERE v.id = ?", [id]) else { return nil }
        return try versionRecord(
            row, id: id, parent: try (row["parent_version_id"] as VersionKey?).map { try pointer(db, versionID: $0) },
            files: try db.rows("SELECT path, digest, size, executable FROM version_files WHERE version_id = ? ORDER BY path", [id]),
            datasets: try db.rows(
                """
                SELECT u.role, u.source_path, d.digest, d.size, d.file_count, d.is_directory, d.stored
                FROM version_datasets u JOIN datasets d ON d.digest = u.dataset_digest
                WHERE u.version_id = ? ORDER BY u.role
                """,
                [id]),
            metrics: try db.rows("SELECT dataset, name, value FROM version_metrics WHERE version_id = ? ORDER BY dataset, name", [id]),
            labels: try db.rows("SELECT key, value FROM version_labels WHERE version_id = ?", [id]))
    }

    /// A version's row with its parent and, as JSON arrays of arrays, its files, datasets,
    /// metrics and labels, with the columns and order of SQLite's five statements.
    func recordQuery(version: SQLFragment) -> SQLFragment {
        SQLFragment(recordWithRowsSelect + " WHERE v.id = \(version.sql)", version.arguments)
    }

    /// A version's record from its row of `recordQuery`.
    func aggregatedRecord(_ row: SQLRow) throws -> VersionRecord {
        let id: VersionKey = try row["id"]
        let parent = try (row["parent_version_id"] as VersionKey?).map { _ in
            VersionPointer(
                model: try ModelName(row["parent_model"] as String), number: try row["parent_number"], manifestDigest: try digest(row["parent_digest"]))
        }
        return try versionRecord(
            row, id: id, parent: parent, files: try Self.jsonRows(row, "files", ["path", "digest", "size", "executable"]),
            datasets: try Self.jsonRows(row, "datasets", ["role", "source_path", "digest", "size", "file_count", "is_directory", "stored"]),
            metrics: try Self.jsonRows(row, "metrics", ["dataset", "name", "value"]), labels: try Self.jsonRows(row, "labels", ["key", "value"]))
    }

    /// The rows in column `WHAT_json` of `row`: a JSON array of arrays (NULL: no rows), each
    /// array's values being a row's `columns`.
    private static func jsonRows(_ row: SQLRow, _ what: String, _ names: [String]) throws -> [SQLRow] {
        guard let text: String = try row["\(what)_json"] else { return [] }
        guard case .array(let rows) = try JSONParser.parse(text) else { throw DatabaseCorruption(problem: "the \(what) of a version are not a JSON array") }
        let columns = SQLColumns(names)
        return try rows.map { row in
            guard case .array(let values) = row, values.count == names.count else {
                throw DatabaseCorruption(problem: "a row of the \(what) of a version is not a JSON array of \(names.count) values")
            }
            return SQLRow(columns: columns, values: try values.map { value in
                guard let column = SQLValue(json: value) else { throw DatabaseCorruption(problem: "a row of the \(what) of a version holds nested JSON") }
                return column
            })
        }
    }

    /// A version's record from its row and the rows of its files, datasets, metrics and labels.
    private func versionRecord(
        _ row: SQLRow, id: VersionKey, parent: VersionPointer?, files: [SQLRow], datasets: [SQLRow], metrics: [SQLRow], labels: [SQLRow]
    ) throws -> VersionRecord {
        let files = try files.map {
            FileEntry(path: try $0[0], digest: try digest($0[1]), size: try $0[2], executable: try $0[3])
        }
        let datasets = try datasets.map { row in
            DatasetUse(
                role: try row[0],
                fingerprint: DatasetFingerprint(digest: try digest(row[2]), size: try row[3], fileCount: try row[4], isDirectory: try row[5]),
                sourcePath: try row[1], stored: try row[6])
        }
        let metrics = try metrics.map {
            Metric(dataset: try $0[0], name: try $0[1], value: try $0[2])
        }
        var labelsByKey = [String: String]()
        for label in labels {
            labelsByKey[try label[0]] = try label[1]
        }
        var git: GitProvenance?
        if let commit: String = try row["git_commit"] {
            let changedJSON: String = try row["git_changed_paths_json"] ?? "[]"
            let changed = try JSONDecoder().decode([String].self, from: Data(changedJSON.utf8))
            git = GitProvenance(
                commit: commit, branch: try row["git_branch"], remoteURL: try row["git_remote_url"], message: try row["git_message"] ?? "",
                author: try row["git_author"] ?? "", committedAt: try date(row["git_committed_at"]), dirty: try row["git_dirty"] ?? false,
                changedPaths: changed, workTree: try row["git_work_tree"])
        }
        let paramsJSON: String = try row["params_json"]
        guard case .object(let params) = try JSONParser.parse(paramsJSON) else { throw DatabaseCorruption(problem: "params_json is not an object") }
        return VersionRecord(
            id: id, model: try ModelName(row["name"]), number: try row["number"], manifestDigest: try digest(row["manifest_digest"]),
            description: try row["description"], params: params, parent: parent, files: files, datasets: datasets, metrics: metrics,
            labels: labelsByKey, git: git, gitNote: try row["git_note"], createdAt: try date(row["created_at"]),
            registrant: try registrant(row, user: "created_by_user", host: "created_by_host"))
    }

    /// Version keys in key order after `after`, at most `limit`: a walk of every version one page at a time.
    public func versionIDs(after: VersionKey?, limit: Int) throws(MetadataError) -> [VersionKey] {
        try readStatement { db in
            try db.column("SELECT id FROM versions WHERE id > ? ORDER BY id \(db.dialect.limit(limit))", [after?.storeValue ?? Int64.min])
        }
    }

    /// The blobs the given versions reference (their files and manifests, and the files of any
    /// dataset they stored), or of every version and stored dataset when `versionIDs` is nil.
    public func blobReferences(versionIDs: [VersionKey]?) throws(MetadataError) -> BlobReferences {
        try blobReferences(versionIDs: versionIDs, digestTexts: nil)
    }

    /// Every reference to these digests, as stored text (a malformed one included).
    public func blobReferences(digestTexts: [String]) throws(MetadataError) -> BlobReferences {
        guard !digestTexts.isEmpty else { return BlobReferences() }
        return try blobReferences(versionIDs: nil, digestTexts: digestTexts)
    }

    /// The distinct digests live records reference, in order after `after`, at most `limit`, each
    /// with the largest size recorded for it (nil for a document, whose size is not recorded):
    /// what `blobReferences(versionIDs: nil)` lists, a page at a time, in one statement.
    ///
    /// Each kind of reference reads its next `limit` rows in digest order on its digest index (a
    /// plain range scan: grouping there made PostgreSQL sort every row past the cursor, 120 ms a
    /// page at 100,000 versions). A kind that filled its `limit` is complete only up to its last
    /// digest (a blob many versions share repeats), so the page ends at the smallest such digest.
    public func referencedBlobs(after: String?, limit: Int) throws(MetadataError) -> [(text: String, size: Int64?)] {
        try readStatement { db in
            let page = db.dialect.limit(limit)
            let cursor = after.map(db.dialect.digestArgument)
            func past(_ column: String) -> String { cursor == nil ? "\(column) IS NOT NULL" : "\(column) > ?" }
            let kinds = [
                "SELECT v.manifest_digest AS digest, CAST(NULL AS BIGINT) AS size FROM versions v WHERE \(past("v.manifest_digest")) ORDER BY 1 \(page)",
                """
                SELECT f.digest, f.size FROM version_files f WHERE \(past("f.digest")) AND NOT \(SQLFragment.isDeleted(versionID: "f.version_id"))
                ORDER BY 1 \(page)
                """,
                "SELECT e.predictions_digest, CAST(NULL AS BIGINT) FROM evaluations e WHERE \(past("e.predictions_digest")) ORDER BY 1 \(page)",
                "SELECT e.record_digest, CAST(NULL AS BIGINT) FROM events e WHERE \(past("e.record_digest")) ORDER BY 1 \(page)",
                """
                SELECT f.digest, f.size FROM dataset_files f JOIN datasets d ON d.digest = f.dataset_digest WHERE \(past("f.digest")) AND d.stored
                ORDER BY 1 \(page)
                """,
                "SELECT d.digest, d.size FROM datasets d WHERE \(past("d.digest")) AND d.stored AND NOT d.is_directory ORDER BY 1 \(page)",
            ]
            let union = kinds.enumerated().map { "SELECT \($0) AS kind, k.* FROM (\($1)) k" }.joined(separator: "\nUNION ALL\n")
            var rows = [Int: [(text: String, size: Int64?)]]()
            for row in try db.rows(union, cursor.map { Array(repeating: $0, count: kinds.count) } ?? []) {
                rows[try row[0], default: []].append((try row[1], try row[2]))
            }
            // Compared as the database orders text: byte by byte.
            func precedes(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
            let bound = rows.values.filter { $0.count == limit }.compactMap(\.last?.text).min(by: precedes)
            var texts = Set<String>()
            var sizes = [String: Int64]()
            for kind in rows.values {
                for (text, size) in kind where bound.map({ !precedes($0, text) }) ?? true {
                    texts.insert(text)
                    if let size { sizes[text] = max(sizes[text] ?? size, size) }
                }
            }
            return texts.sorted(by: precedes).prefix(limit).map { ($0, sizes[$0]) }
        }
    }

    /// The references of the given versions (every version when nil), or of the given digests.
    private func blobReferences(versionIDs: [VersionKey]?, digestTexts: [String]?) throws(MetadataError) -> BlobReferences {
        try readStatement { db in
            let idList = versionIDs.map { ids in ids.isEmpty ? "NULL" : ids.map { String($0.storeValue) }.joined(separator: ",") }
            let versionFilter = idList.map { "v.id IN (\($0))" } ?? "TRUE"
            let eventFilter = idList.map { "AND e.to_version_id IN (\($0))" } ?? ""
            let datasetFilter = idList.map { "AND d.digest IN (SELECT u.dataset_digest FROM version_datasets u WHERE u.version_id IN (\($0)))" } ?? ""
            // Each branch's digest column among the texts asked for, bound once per branch.
            var arguments = [(any SQLBindable)?]()
            func among(_ column: String) -> String {
                guard let digestTexts else { return "" }
                arguments += digestTexts.map(db.dialect.digestArgument)
                return "AND \(column) IN (\(digestTexts.map { _ in "?" }.joined(separator: ", ")))"
            }
            // Every kind of reference in one statement (one round trip to a database server), as
            // rows of one shape: what refers (a version, an evaluation or event by id, a path, a
            // dataset) and the blob's digest and size where recorded.
            let rows = try db.rows(
                """
                SELECT 0 AS kind, m.name AS model, v.number AS number, v.manifest_digest AS manifest, CAST(NULL AS BIGINT) AS id,
                    CAST(NULL AS TEXT) AS label, CAST(NULL AS \(db.dialect.digestType)) AS dataset, v.manifest_digest AS digest,
                    CAST(NULL AS BIGINT) AS size
                FROM versions v JOIN models m ON m.id = v.model_id WHERE \(versionFilter) \(among("v.manifest_digest"))
                UNION ALL
                SELECT 1, m.name, v.number, v.manifest_digest, NULL, f.path, NULL, f.digest, f.size
                FROM version_files f JOIN versions v ON v.id = f.version_id JOIN models m ON m.id = v.model_id
                WHERE \(versionFilter) AND NOT \(SQLFragment.isDeleted(versionID: "v.id")) \(among("f.digest"))
                UNION ALL
                SELECT 2, m.name, v.number, v.manifest_digest, e.id, NULL, NULL, e.predictions_digest, NULL FROM evaluations e
                JOIN versions v ON v.id = e.version_id JOIN models m ON m.id = v.model_id
                WHERE e.predictions_digest IS NOT NULL AND \(versionFilter) \(among("e.predictions_digest"))
                UNION ALL
                SELECT 3, m.name, v.number, v.manifest_digest, e.seq, e.action, NULL, e.record_digest, NULL FROM events e
                LEFT JOIN versions v ON v.id = e.to_version_id LEFT JOIN models m ON m.id = v.model_id
                WHERE e.record_digest IS NOT NULL \(eventFilter) \(among("e.record_digest"))
                UNION ALL
                SELECT 4, NULL, NULL, NULL, NULL, f.path, d.digest, f.digest, f.size FROM datasets d
                JOIN dataset_files f ON f.dataset_digest = d.digest WHERE d.stored \(datasetFilter) \(among("f.digest"))
                UNION ALL
                SELECT 5, NULL, NULL, NULL, NULL, NULL, d.digest, d.digest, d.size FROM datasets d
                WHERE d.stored AND NOT d.is_directory \(datasetFilter) \(among("d.digest"))
                """,
                arguments)
            var references = BlobReferences()
            for row in rows {
                let model: String? = try row["model"]
                let name = try model.map { "\($0)@\(try row["number"] as Int)" }
                let version = try model.flatMap { model in
                    try Digest(parsing: row["manifest"]).map { VersionPointer(model: try ModelName(model), number: try row["number"], manifestDigest: $0) }
                }
                let dataset = try (row["dataset"] as String?).map { "dataset \($0.dropFirst(7).prefix(12))" }
                let owner: String
                switch try row["kind"] as Int {
                case 0: owner = "\(name ?? "") manifest"
                case 1: owner = "\(name ?? "") file \(try row["label"] as String)"
                case 2: owner = "\(name ?? "") evaluation #\(try row["id"] as Int64) predictions"
                case 3: owner = "ledger event #\(try row["id"] as Int64) (\(try row["label"] as String)\(name.map { " of \($0)" } ?? "")) record"
                case 4: owner = "\(dataset ?? "") file \(try row["label"] as String)"
                default: owner = dataset ?? ""
                }
                references.add(try row["digest"], size: try row["size"], owner: owner, version: version)
            }
            return references
        }
    }
}

/// `recordQuery` but its condition.
private let recordWithRowsSelect = """
    SELECT m.name, v.*, pm.name AS parent_model, p.number AS parent_number, p.manifest_digest AS parent_digest,
        (SELECT json_agg(json_build_array(f.path, f.digest, f.size, f.executable) ORDER BY f.path)::text
            FROM version_files f WHERE f.version_id = v.id) AS files_json,
        (SELECT json_agg(json_build_array(u.role, u.source_path, d.digest, d.size, d.file_count, d.is_directory, d.stored) ORDER BY u.role)::text
            FROM version_datasets u JOIN datasets d ON d.digest = u.dataset_digest WHERE u.version_id = v.id) AS datasets_json,
        (SELECT json_agg(json_build_array(x.dataset, x.name, x.value) ORDER BY x.dataset, x.name)::text
            FROM version_metrics x WHERE x.version_id = v.id) AS metrics_json,
        (SELECT json_agg(json_build_array(l.key, l.value))::text FROM version_labels l WHERE l.version_id = v.id) AS labels_json
    FROM versions v JOIN models m ON m.id = v.model_id
    LEFT JOIN versions p ON p.id = v.parent_version_id LEFT JOIN models pm ON pm.id = p.model_id
    """

/// Where the search for a model's versions starts when no status or alias names them: every
/// version, or those that meet one of the filter's labels or metric conditions (its index), or
/// its window of time (only to count them).
enum VersionSearchStart: Equatable { case everyVersion, label(Int), metric(Int), window }
