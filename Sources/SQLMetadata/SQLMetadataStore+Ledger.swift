import Foundation
import RegistryModel
import RegistryStorage

extension SQLMetadataStore {
    /// Appends one event in a single write transaction: the alias moves if and only if its event is
    /// written, and racing writers are ordered by the engine's write lock.
    ///
    /// `seal` builds and hashes the event (RegistryKit's rule); `stallBeforeCommit` holds the
    /// transaction open for crash tests.
    public func appendEvent(
        _ draft: EventDraft, seal: @escaping EventSealer, stallBeforeCommit: Double
    ) throws(MetadataError) -> AppendOutcome {
        try write { db in
            try requireUncollected(db, draft.fence)
            let position = try chainPosition(db, draft)
            if draft.alias != nil, draft.model != nil, draft.action.movesAlias {
                let fromID = position.fromID
                if let expected = draft.expectedHolderID, expected != fromID { return .holderChanged(current: fromID) }
                if draft.action != .demote, fromID != nil, fromID == draft.toVersionID { return .unchanged }
                if draft.action == .demote, fromID == nil { return .unchanged }
            }
            if let requirement = draft.requirement, let versionID = draft.toVersionID {
                switch requirement {
                case .live: if position.toDeleted { return .versionDeleted }
                case .deleted: if !position.toDeleted { return .unchanged }
                case .deletable:
                    if position.toDeleted { return .unchanged }
                    let held = try aliasesHeld(db, versionID: versionID, modelID: position.modelID)
                    if !held.isEmpty { return .versionHoldsAliases(held) }
                }
            }
            let recorded = try appendChained(db, draft, seal: seal, at: position)
            if stallBeforeCommit > 0 { Thread.sleep(forTimeInterval: stallBeforeCommit) }
            return .appended(recorded)
        }
    }

    /// Where an event goes in the chain, read in one statement: its model's row, for an alias
    /// move the holder it replaces (a lifted rolled-back mark names the alias only), the ledger's
    /// head, and the versions the event names.
    func chainPosition(_ db: any SQLSession, _ draft: EventDraft) throws -> ChainPosition {
        let movedAlias = draft.action.movesAlias ? draft.alias?.value : nil
        guard let row = try db.row(
            """
            WITH model AS (SELECT id FROM models WHERE name = ?),
                holder AS (\(latestHolder(modelID: "(SELECT id FROM model)", alias: "?"))),
                head AS (SELECT seq, digest FROM events ORDER BY seq DESC LIMIT 1)
            SELECT (SELECT id FROM model) AS model_id, (SELECT to_version_id FROM holder) AS from_id, head.seq, head.digest,
                fm.name AS from_model, fv.number AS from_number, fv.manifest_digest AS from_digest,
                tm.name AS to_model, tv.number AS to_number, tv.manifest_digest AS to_digest, \(SQLFragment.isDeleted(versionID: "tv.id")) AS to_deleted
            FROM (SELECT 1 AS one) one LEFT JOIN head ON TRUE
            LEFT JOIN versions fv ON fv.id = (SELECT to_version_id FROM holder) LEFT JOIN models fm ON fm.id = fv.model_id
            LEFT JOIN versions tv ON tv.id = ? LEFT JOIN models tm ON tm.id = tv.model_id
            """,
            [draft.model?.value, movedAlias, draft.toVersionID])
        else { throw DatabaseCorruption(problem: "the ledger's position could not be read") }
        let modelID: Int64? = try row["model_id"]
        if let model = draft.model, modelID == nil { throw DatabaseCorruption(problem: "model \(model) vanished") }
        let fromID: VersionKey? = try row["from_id"]
        /// The version an id names, read from the three columns from `first` on.
        func pointer(_ id: VersionKey?, at first: Int) throws -> VersionPointer? {
            guard let id else { return nil }
            guard try row[first] as String? != nil else { throw DatabaseCorruption(problem: "version \(id) is referenced but missing") }
            return try versionPointer(row, at: first)
        }
        let sequence: Int64? = try row["seq"]
        return ChainPosition(
            modelID: modelID, fromID: fromID, from: try pointer(fromID, at: 4), to: try pointer(draft.toVersionID, at: 7),
            sequence: (sequence ?? 0) + 1, previous: try (row["digest"] as String?).map { try digest($0) }, toDeleted: try row["to_deleted"] ?? false)
    }

    /// The aliases a version holds now, by name.
    func aliasesHeld(_ db: any SQLSession, versionID: VersionKey, modelID: Int64?) throws -> [AliasName] {
        let query = aliasesQuery(model: "SELECT id FROM models WHERE id = ?", [modelID])
        return try db.rows(query.sql, query.arguments).filter { try $0["holder"] as VersionKey? == versionID }.map { try AliasName($0["alias"]) }.sorted()
    }

    /// Appends an event inside the caller's write transaction: the next sequence number, the link
    /// to the previous event's digest, and the digest of the event's canonical bytes. `position`
    /// is `chainPosition`'s answer when the caller already has it.
    func appendChained(_ db: any SQLSession, _ draft: EventDraft, seal: EventSealer, at known: ChainPosition? = nil) throws -> RecordedEvent {
        let position = try known ?? chainPosition(db, draft)
        let (modelID, fromID, sequence, previous) = (position.modelID, position.fromID, position.sequence, position.previous)
        let recorded = seal(draft, EventPlacement(sequence: sequence, from: position.from, to: position.to, previous: previous))
        var evaluationID: Int64?, datasetDigest: Digest?, datasetName: String?, keyFingerprint: Digest?
        switch draft.link {
        case .evaluation(let id)?: evaluationID = id
        case .signature(let key)?: keyFingerprint = key
        case .dataset(let dataset)?: datasetDigest = dataset
        case .datasetName(let name, let dataset)?:
            datasetName = name
            datasetDigest = dataset
        case .annotation?, .driftReport?, nil: break
        }
        try db.execute(
            """
            INSERT INTO events (seq, at, model_id, alias, action, from_version_id, to_version_id, actor_user, actor_host,
                ci_provider, ci_job_id, ci_job_url, ci_actor, reason, forced, gates_json, record_digest, evaluation_id, dataset_digest,
                dataset_name, key_fingerprint, previous_digest, digest)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                sequence, Timestamp.format(draft.at), modelID, draft.alias?.value, draft.action.rawValue, fromID, draft.toVersionID,
                draft.actor.user, draft.actor.host, draft.actor.ciProvider, draft.actor.ciJobID, draft.actor.ciJobURL, draft.actor.ciActor, draft.reason,
                draft.forced, draft.gates, draft.record, evaluationID, datasetDigest, datasetName, keyFingerprint,
                previous, recorded.digest,
            ])
        return recorded
    }

    /// Appends the event that records a fact about a version (an evaluation, a signature, an
    /// annotation, a drift report), committing to `record`, in the caller's write transaction.
    func appendVersionFact(
        _ db: any SQLSession, _ action: LedgerEvent.Action, versionID: VersionKey, at date: Date, actor: Registrant, reason: String? = nil,
        record: Digest, link: RecordLink? = nil, seal: EventSealer
    ) throws -> RecordedEvent {
        try appendChained(
            db,
            EventDraft(
                model: try pointer(db, versionID: versionID).model, alias: nil, action: action, toVersionID: versionID, at: date, actor: actor,
                reason: reason, forced: false, gates: "[]", expectedHolderID: nil, record: record, link: link),
            seal: seal)
    }

    /// The query for an alias's current holder (its latest moving event's target), one index seek
    /// down the alias index (`events_by_alias`, on PostgreSQL `events_by_alias_moves`); `modelID`
    /// and `alias` are SQL expressions.
    func latestHolder(modelID: String, alias: String) -> String {
        "SELECT e.to_version_id FROM events e WHERE e.model_id = \(modelID) AND e.alias = \(alias) AND e.\(movingActions) ORDER BY e.seq DESC LIMIT 1"
    }

    func pointer(_ db: any SQLSession, versionID: VersionKey) throws -> VersionPointer {
        guard let row = try db.row(
            "SELECT m.name, v.number, v.manifest_digest FROM versions v JOIN models m ON m.id = v.model_id WHERE v.id = ?", [versionID])
        else { throw DatabaseCorruption(problem: "version \(versionID) is referenced but missing") }
        return try versionPointer(row)
    }

    // MARK: Reading aliases

    /// The version id an alias points at now (nil: at nothing, or the alias was never set).
    public func holder(model: ModelName, alias: AliasName) throws(MetadataError) -> VersionKey? {
        try readStatement { db in
            let held = versionHeld(by: alias, of: model)
            return try db.value(held.sql, held.arguments)
        }
    }

    /// Every alias of a model that points at a version now, with that version.
    /// One statement: the model's alias names by a loose index scan (as `aliasNames`), each with
    /// its latest moving event's target (one index seek) and that version (looked up by key: a
    /// join let PostgreSQL's planner hash the whole versions table, 3 ms at 10,000 versions).
    public func aliases(of model: ModelName) throws(MetadataError) -> [AliasName: VersionPointer] {
        try readStatement { db in
            let query = aliasesQuery(model: "SELECT id FROM models WHERE name = ?", [model.value])
            return try aliases(db.rows(query.sql, query.arguments), of: model)
        }
    }

    /// The current aliases of the model `model` selects (its id), with their holders.
    func aliasesQuery(model: String, _ arguments: [(any SQLBindable)?]) -> SQLFragment {
        SQLFragment(
            """
            WITH RECURSIVE model(id) AS (\(model)),
            \(aliasNamesTable(modelID: "(SELECT id FROM model)")),
            holders(alias, holder) AS (
                SELECT n.alias, (\(latestHolder(modelID: "(SELECT id FROM model)", alias: "n.alias"))) FROM names n WHERE n.alias IS NOT NULL
            )
            SELECT h.alias, h.holder, (SELECT number FROM versions WHERE id = h.holder) AS number,
                (SELECT manifest_digest FROM versions WHERE id = h.holder) AS manifest_digest
            FROM holders h
            """,
            arguments)
    }

    func aliases(_ rows: [SQLRow], of model: ModelName) throws -> [AliasName: VersionPointer] {
        var result = [AliasName: VersionPointer]()
        for row in rows {
            guard let holder: Int64 = try row["holder"] else { continue }
            guard let number: Int = try row["number"] else { throw DatabaseCorruption(problem: "version \(holder) is referenced but missing") }
            result[try AliasName(row["alias"])] = VersionPointer(model: model, number: number, manifestDigest: try digest(row["manifest_digest"]))
        }
        return result
    }

    /// The aliases a model has ever had, by name: one index seek per alias (a loose index scan of
    /// `events_by_alias`), so a long history costs nothing.
    func aliasNames(_ db: any SQLSession, modelID: Int64) throws -> [AliasName] {
        try (db.column("WITH RECURSIVE \(aliasNamesTable(modelID: "?")) SELECT alias FROM names WHERE alias IS NOT NULL", [modelID, modelID]) as [String])
            .map { try AliasName($0) }
    }

    /// The recursive table `names(alias)` of a model's alias names, each found by one seek for the
    /// next larger name (the last row is NULL); `modelID` is an SQL expression, used twice. The
    /// first seek is `> ''`, not `IS NOT NULL`: SQLite's index puts every registration's NULL
    /// alias first, and would walk them all (a million, for a model that big).
    func aliasNamesTable(modelID: String) -> String {
        """
        names(alias) AS (
            SELECT MIN(alias) FROM events WHERE model_id = \(modelID) AND alias > ''
            UNION ALL
            SELECT (SELECT MIN(e.alias) FROM events e WHERE e.model_id = \(modelID) AND e.alias > names.alias) FROM names WHERE names.alias IS NOT NULL
        )
        """
    }

    /// The actions whose latest event for an alias says what it points at.
    var movingActions: String { "action IN ('promote', 'demote', 'rollback')" }

    /// Every alias a model has ever had, by name.
    public func aliasNames(of model: ModelName) throws(MetadataError) -> [AliasName] {
        try read { db in
            guard let modelID: Int64 = try db.value("SELECT id FROM models WHERE name = ?", [model.value]) else { return [] }
            return try aliasNames(db, modelID: modelID)
        }
    }

    /// Every current alias of every model, for `mreg list`: each model's alias names by a loose
    /// index scan and each one's holder by one seek, as `aliases(of:)` does for one model (a
    /// GROUP BY read the whole alias index: 66 ms at a million versions).
    public func allAliases() throws(MetadataError) -> [ModelName: [AliasName: Int]] {
        try read { db in
            var result = [ModelName: [AliasName: Int]]()
            for row in try db.rows(
                """
                WITH RECURSIVE names(model_id, alias) AS (
                    SELECT m.id, (SELECT MIN(e.alias) FROM events e WHERE e.model_id = m.id AND e.alias > '') FROM models m
                    UNION ALL
                    SELECT n.model_id, (SELECT MIN(e.alias) FROM events e WHERE e.model_id = n.model_id AND e.alias > n.alias) FROM names n
                    WHERE n.alias IS NOT NULL
                )
                SELECT m.name, n.alias,
                    (SELECT v.number FROM versions v WHERE v.id = (\(latestHolder(modelID: "n.model_id", alias: "n.alias")))) AS number
                FROM names n JOIN models m ON m.id = n.model_id
                WHERE n.alias IS NOT NULL
                """)
            {
                // The holder's number is a seek per alias in the select list: as a join condition,
                // PostgreSQL hashed every version instead (400 ms at a million). None: demoted.
                guard let number: Int = try row[2] else { continue }
                result[try ModelName(row[0]), default: [:]][try AliasName(row[1])] = number
            }
            return result
        }
    }

    /// The aliases a version holds or has ever held (for `require_from`).
    public func aliasesEverHeld(versionID: VersionKey) throws(MetadataError) -> Set<String> {
        try readStatement { db in
            Set(try db.column(
                "SELECT DISTINCT alias FROM events WHERE to_version_id = ? AND action IN ('promote', 'rollback') AND alias IS NOT NULL",
                [versionID]))
        }
    }

    /// Why a version may not be promoted: its deprecation and its latest rollback, with reasons.
    public func status(versionID: VersionKey) throws(MetadataError) -> VersionStatus {
        try readStatement { db in try fetchStatus(db, versionID: versionID) }
    }

    func fetchStatus(_ db: any SQLSession, versionID: VersionKey) throws -> VersionStatus {
        let query = statusQuery(version: .version(versionID))
        return try status(db.rows(query.sql, query.arguments))
    }

    /// The events that mark a version or lift a mark, oldest first.
    func statusQuery(version: SQLFragment) -> SQLFragment {
        SQLFragment(
            """
            SELECT action, alias, reason, seq, at FROM events
            WHERE (to_version_id = \(version.sql) AND action IN ('deprecate', 'lift_deprecation', 'lift_rollback', 'delete', 'undelete'))
               OR (from_version_id = \(version.sql) AND action = 'rollback')
            ORDER BY seq
            """,
            version.arguments + version.arguments)
    }

    func status(_ rows: [SQLRow]) throws -> VersionStatus {
        // Marks and their lifts, oldest first: the latest word on each mark stands.
        var status = VersionStatus(deprecation: nil, rolledBackFrom: [:])
        for row in rows {
            if let action = LedgerEvent.Action(rawValue: try row["action"]) {
                status.apply(action, alias: try row["alias"], reason: try row["reason"], sequence: try row["seq"], at: try date(row["at"]))
            }
        }
        return status
    }

    /// What a rollback of `alias` can go back to: the current holder, and earlier holders newest
    /// first (by when each last arrived), up to and including the first that `isTarget` accepts
    /// (the rule is RegistryKit's). Reads candidates a page at a time, so a long history costs little.
    public func rollbackPlan(
        model: ModelName, alias: AliasName, isTarget: @escaping @Sendable (RollbackCandidate) -> Bool
    ) throws(MetadataError) -> RollbackPlan? {
        try read { db in
            // The model, the alias's latest move and its holder (with the holder's name), in one statement.
            guard let head = try db.row(
                """
                SELECT x.model_id, x.latest, x.holder, hm.name, hv.number, hv.manifest_digest FROM (
                    SELECT m.id AS model_id,
                        (SELECT e.seq FROM events e WHERE e.model_id = m.id AND e.alias = ? AND e.\(movingActions) ORDER BY e.seq DESC LIMIT 1) AS latest,
                        (\(latestHolder(modelID: "m.id", alias: "?"))) AS holder
                    FROM models m WHERE m.name = ?
                ) x LEFT JOIN versions hv ON hv.id = x.holder LEFT JOIN models hm ON hm.id = hv.model_id
                """,
                [alias.value, alias.value, model.value]),
                try head["latest"] as Int64? != nil
            else { return nil }
            let modelID: Int64 = try head["model_id"]
            let currentID: VersionKey? = try head["holder"]
            let current = try currentID.map { id in (id, try versionPointer(head, at: 3)) }
            var candidates = [RollbackCandidate]()
            // The alias's arrivals newest first, a page at a time down `events_by_alias`: a version's
            // first appearance is its latest arrival. (Grouping by version read the whole history
            // on every page: 4 ms at 5,000 promotions.)
            var seen = Set<VersionKey>()
            var before = Int64.max
            let pageSize = 32
            while true {
                let page = try db.rows(
                    """
                    SELECT to_version_id, seq FROM events
                    WHERE model_id = ? AND alias = ? AND seq < ? AND action IN ('promote', 'rollback') AND to_version_id IS NOT NULL
                    ORDER BY seq DESC LIMIT \(pageSize)
                    """,
                    [modelID, alias.value, before])
                for row in page {
                    let id: VersionKey = try row[0]
                    before = try row[1]
                    guard id != currentID, seen.insert(id).inserted else { continue }
                    let candidate = RollbackCandidate(id: id, version: try pointer(db, versionID: id), status: try fetchStatus(db, versionID: id))
                    candidates.append(candidate)
                    if isTarget(candidate) { return RollbackPlan(current: current, candidates: candidates) }
                }
                guard page.count == pageSize else { break }
            }
            return RollbackPlan(current: current, candidates: candidates)
        }
    }

    /// Whether a version holds or has held an alias.
    public func hasHeld(versionID: VersionKey, alias: AliasName) throws(MetadataError) -> Bool {
        try readStatement { db in
            try db.exists("SELECT 1 FROM events WHERE to_version_id = ? AND action IN ('promote', 'rollback') AND alias = ?", [versionID, alias.value])
        }
    }

    public func versionsEverHolding(model: ModelName, aliases: [AliasName]) throws(MetadataError) -> Set<Int> {
        guard !aliases.isEmpty else { return [] }
        return try readStatement { db in
            Set(try db.column(
                """
                SELECT DISTINCT v.number FROM events e JOIN versions v ON v.id = e.to_version_id
                WHERE e.model_id = (SELECT id FROM models WHERE name = ?) AND e.alias IN (\(aliases.map { _ in "?" }.joined(separator: ", ")))
                    AND e.action IN ('promote', 'rollback')
                """,
                [model.value] + aliases.map(\.value)))
        }
    }

    /// Version numbers of a model that are deprecated or were rolled back (marks not lifted), for `mreg list`.
    public func statusMarks(of model: ModelName) throws(MetadataError) -> (deprecated: Set<Int>, rolledBack: Set<Int>) {
        try read { db in
            var statuses = [Int: VersionStatus]()
            for row in try db.rows(
                """
                SELECT e.action, e.alias, e.reason, v.number, e.seq, e.at FROM events e JOIN models m ON m.id = e.model_id
                JOIN versions v ON v.id = CASE e.action WHEN 'rollback' THEN e.from_version_id ELSE e.to_version_id END
                WHERE m.name = ? AND e.action IN ('deprecate', 'rollback', 'lift_deprecation', 'lift_rollback') ORDER BY e.seq
                """,
                [model.value])
            {
                if let action = LedgerEvent.Action(rawValue: try row[0]) {
                    statuses[try row[3], default: VersionStatus(deprecation: nil, rolledBackFrom: [:])].apply(
                        action, alias: try row[1], reason: try row[2], sequence: try row[4], at: try date(row[5]))
                }
            }
            return (Set(statuses.filter { $0.value.deprecation != nil }.keys), Set(statuses.filter { !$0.value.rolledBackFrom.isEmpty }.keys))
        }
    }

    // MARK: Reading history

    /// A model's events (one alias's, when given), newest first, and how many there are; only its
    /// alias moves and status changes unless `facts` asks for registrations, evaluations and
    /// signatures too.
    public func events(model: ModelName, alias: AliasName?, limit: Int?, facts: Bool) throws(MetadataError) -> (events: [RecordedEvent], total: Int) {
        try read { db in
            var filter = "m.name = ?"
            if !facts {
                let release = LedgerEvent.Action.allCases.filter(\.isRelease).map { "'\($0.rawValue)'" }.joined(separator: ", ")
                filter += " AND e.action IN (\(release))"
            }
            var arguments: [(any SQLBindable)?] = [model.value]
            if let alias {
                filter += " AND e.alias = ?"
                arguments.append(alias.value)
            }
            let total: Int = try db.value("SELECT COUNT(*) FROM events e JOIN models m ON m.id = e.model_id WHERE \(filter)", arguments) ?? 0
            return (try fetchEvents(db, filter: filter, arguments: arguments, newestFirst: true, limit: limit), total)
        }
    }

    /// The last event of an alias at or before `date`: what the alias pointed at then.
    public func aliasEvent(model: ModelName, alias: AliasName, at date: Date) throws(MetadataError) -> RecordedEvent? {
        try read { db in
            try fetchEvents(
                db, filter: "m.name = ? AND e.alias = ? AND e.at <= ? AND e.\(movingActions)", arguments: [model.value, alias.value, Timestamp.format(date)],
                newestFirst: true, limit: 1
            ).first
        }
    }

    /// The ledger's newest event: its sequence number and digest.
    public func ledgerHead() throws(MetadataError) -> (sequence: Int64, digest: Digest)? {
        try readStatement { db in
            try db.row("SELECT seq, digest FROM events ORDER BY seq DESC LIMIT 1").map { (try $0[0], try digest($0[1])) }
        }
    }

    /// Every stored event in sequence order, rebuilt from its columns without trusting them.
    public func storedEvents(after sequence: Int64, limit: Int) throws(MetadataError) -> [StoredEvent] {
        try readStatement { db in
            let query = storedEventsQuery(filter: "e.seq > ?", [sequence])
            return try db.rows(query.sql + " " + db.dialect.limit(limit), query.arguments).map(storedEvent)
        }
    }

    func storedEvents(filter: String, arguments: [(any SQLBindable)?]) throws(MetadataError) -> [StoredEvent] {
        try readStatement { db in
            let query = storedEventsQuery(filter: filter, arguments)
            return try db.rows(query.sql, query.arguments).map(storedEvent)
        }
    }

    func storedEventsQuery(filter: String, _ arguments: [(any SQLBindable)?]) -> SQLFragment {
        SQLFragment(eventSelect + " WHERE \(filter) ORDER BY e.seq", arguments)
    }

    /// An event as stored: one that cannot be read says why, instead of failing the whole read.
    func storedEvent(_ row: SQLRow) throws -> StoredEvent {
        let sequence: Int64 = try row["seq"]
        let text = (try? row["digest"] as String) ?? ""
        let stored = (try? digest(text))?.description ?? text
        do {
            return StoredEvent(
                event: try event(row), sequence: sequence, digest: stored, problem: nil, versionID: try row["to_version_id"], link: try link(row))
        } catch {
            return StoredEvent(event: nil, sequence: sequence, digest: stored, problem: "\(error)", versionID: nil, link: nil)
        }
    }

    private var eventSelect: String { "SELECT \(eventColumns) FROM events e \(eventJoins)" }

    /// The columns `storedEvent` reads, of an event `e` joined with `eventJoins`.
    var eventColumns: String {
        "e.*, m.name AS model_name, fv.number AS from_number, fv.manifest_digest AS from_digest, tv.number AS to_number, tv.manifest_digest AS to_digest"
    }

    /// What an event `e` names: its model, and the versions it moved an alias from and to.
    var eventJoins: String {
        """
        LEFT JOIN models m ON m.id = e.model_id
        LEFT JOIN versions fv ON fv.id = e.from_version_id LEFT JOIN versions tv ON tv.id = e.to_version_id
        """
    }

    private func fetchEvents(
        _ db: any SQLSession, filter: String, arguments: [(any SQLBindable)?], newestFirst: Bool, limit: Int?
    ) throws -> [RecordedEvent] {
        try db.rows(
            eventSelect + " WHERE \(filter) ORDER BY e.seq \(newestFirst ? "DESC" : "ASC") \(db.dialect.limit(limit))", arguments
        ).map { RecordedEvent(event: try event($0), digest: try digest($0["digest"])) }
    }

    private func link(_ row: SQLRow) throws -> RecordLink? {
        switch try row["action"] as String {
        case LedgerEvent.Action.annotate.rawValue: return .annotation(sequence: try row["seq"])
        case LedgerEvent.Action.recordDrift.rawValue: return .driftReport(sequence: try row["seq"])
        default: break
        }
        if let id: Int64 = try row["evaluation_id"] { return .evaluation(id: id) }
        if let key: String = try row["key_fingerprint"] { return .signature(key: try digest(key)) }
        if let dataset: String = try row["dataset_digest"] {
            if let name: String = try row["dataset_name"] { return .datasetName(name, try digest(dataset)) }
            return .dataset(try digest(dataset))
        }
        return nil
    }

    private func event(_ row: SQLRow) throws -> LedgerEvent {
        let sequence: Int64 = try row["seq"]
        let model = try (row["model_name"] as String?).map { try ModelName($0) }
        if model == nil, (try row["model_id"] as Int64?) != nil { throw DatabaseCorruption(problem: "event \(sequence) names a missing model") }
        func pointer(_ prefix: String) throws -> VersionPointer? {
            guard let model else { return nil }
            guard let _: Int64 = try row["\(prefix)_version_id"] else { return nil }
            guard let number: Int = try row["\(prefix)_number"] else { throw DatabaseCorruption(problem: "event \(sequence) names a missing version") }
            return VersionPointer(model: model, number: number, manifestDigest: try digest(row["\(prefix)_digest"]))
        }
        let actionName: String? = try row["action"]
        guard let action = actionName.flatMap(LedgerEvent.Action.init(rawValue:)) else {
            throw DatabaseCorruption(problem: "unknown action '\(actionName ?? "NULL")'")
        }
        return LedgerEvent(
            sequence: sequence, at: try date(row["at"]), model: model, alias: try (row["alias"] as String?).map { try AliasName($0) },
            action: action, from: try pointer("from"), to: try pointer("to"),
            actor: try registrant(row, user: "actor_user", host: "actor_host"),
            reason: try row["reason"], forced: try row["forced"], gates: try row["gates_json"],
            record: try (row["record_digest"] as String?).map { try digest($0) },
            previousDigest: try (row["previous_digest"] as String?).map { try digest($0) })
    }
}

/// Where the next event goes in the ledger, and the rows it names (`chainPosition`).
struct ChainPosition {
    let modelID: Int64?
    /// The alias's holder that an alias move replaces.
    let fromID: VersionKey?
    let from: VersionPointer?
    let to: VersionPointer?
    /// The event's sequence number: the head's plus one.
    let sequence: Int64
    /// The head's digest, which the event links to.
    let previous: Digest?
    /// Whether the version the event concerns is deleted.
    let toDeleted: Bool
}
