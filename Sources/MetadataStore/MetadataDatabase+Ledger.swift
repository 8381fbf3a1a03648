import Foundation
import GRDB
import RegistryModel
import RegistryStorage

extension MetadataDatabase {
    /// Appends one event in a single `BEGIN IMMEDIATE` transaction: the alias moves if and only if
    /// its event is written, and racing writers are ordered by SQLite's write lock.
    ///
    /// `hash` computes the event digest (MetadataStore does not link a crypto library);
    /// `stallBeforeCommit` holds the transaction open for crash tests.
    public func appendEvent(
        _ draft: EventDraft, seal: @escaping EventSealer, stallBeforeCommit: Double = 0
    ) throws(MetadataError) -> AppendOutcome {
        try immediateWrite { db in
            if let alias = draft.alias, let model = draft.model, draft.action.movesAlias {
                guard let modelID = try Int64.fetchOne(db, sql: "SELECT id FROM models WHERE name = ?", arguments: [model.value]) else {
                    throw DatabaseCorruption(problem: "model \(model) vanished")
                }
                let fromID = try Self.holderID(db, modelID: modelID, alias: alias)
                if let expected = draft.expectedHolderID, expected != fromID { return .holderChanged(current: fromID) }
                if draft.action != .demote, fromID != nil, fromID == draft.toVersionID { return .unchanged }
                if draft.action == .demote, fromID == nil { return .unchanged }
            }
            let recorded = try Self.appendChained(db, draft, seal: seal)
            if stallBeforeCommit > 0 { Thread.sleep(forTimeInterval: stallBeforeCommit) }
            return .appended(recorded)
        }
    }

    /// Appends an event inside the caller's write transaction: the next sequence number, the link
    /// to the previous event's digest, and the digest of the event's canonical bytes.
    static func appendChained(_ db: Database, _ draft: EventDraft, seal: EventSealer) throws -> RecordedEvent {
        var modelID: Int64?
        if let model = draft.model {
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM models WHERE name = ?", arguments: [model.value]) else {
                throw DatabaseCorruption(problem: "model \(model) vanished")
            }
            modelID = id
        }
        // An alias move names the holder it replaces; a lifted rolled-back mark names the alias only.
        let fromID = draft.action.movesAlias
            ? try draft.alias.flatMap { alias in try modelID.flatMap { try holderID(db, modelID: $0, alias: alias) } } : nil
        let last = try Row.fetchOne(db, sql: "SELECT seq, digest FROM events ORDER BY seq DESC LIMIT 1")
        let sequence: Int64 = (last?[0] ?? 0) + 1
        let previous = try last.map { try digest($0[1]) }
        let recorded = seal(
            draft,
            EventPlacement(
                sequence: sequence, from: try fromID.map { try pointer(db, versionID: $0) },
                to: try draft.toVersionID.map { try pointer(db, versionID: $0) }, previous: previous))
        let eventDigest = recorded.digest
        var evaluationID: Int64?, datasetDigest: String?, datasetName: String?, keyFingerprint: String?
        switch draft.link {
        case .evaluation(let id)?: evaluationID = id
        case .signature(let key)?: keyFingerprint = key.description
        case .dataset(let dataset)?: datasetDigest = dataset.description
        case .datasetName(let name, let dataset)?:
            datasetName = name
            datasetDigest = dataset.description
        case .annotation?, nil: break
        }
        try db.execute(
            sql: """
                INSERT INTO events (seq, at, model_id, alias, action, from_version_id, to_version_id, actor_user, actor_host,
                    ci_provider, ci_job_id, ci_job_url, ci_actor, reason, forced, gates_json, record_digest, evaluation_id, dataset_digest,
                    dataset_name, key_fingerprint, previous_digest, digest)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                sequence, Timestamp.format(draft.at), modelID, draft.alias?.value, draft.action.rawValue, fromID, draft.toVersionID,
                draft.actor.user, draft.actor.host, draft.actor.ciProvider, draft.actor.ciJobID, draft.actor.ciJobURL, draft.actor.ciActor, draft.reason,
                draft.forced, draft.gates, draft.record?.description, evaluationID, datasetDigest, datasetName, keyFingerprint,
                previous?.description, eventDigest.description,
            ])
        return recorded
    }

    /// The actions whose latest event for an alias says what it points at.
    static let movingActions = "action IN ('promote', 'demote', 'rollback')"

    static func holderID(_ db: Database, modelID: Int64, alias: AliasName) throws -> VersionKey? {
        try Row.fetchOne(
            db, sql: "SELECT to_version_id FROM events WHERE model_id = ? AND alias = ? AND \(movingActions) ORDER BY seq DESC LIMIT 1",
            arguments: [modelID, alias.value]
        )?[0]
    }

    static func pointer(_ db: Database, versionID: VersionKey) throws -> VersionPointer {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT m.name, v.number, v.manifest_digest FROM versions v JOIN models m ON m.id = v.model_id WHERE v.id = ?",
            arguments: [versionID])
        else { throw DatabaseCorruption(problem: "version \(versionID) is referenced but missing") }
        return VersionPointer(model: try ModelName(row[0]), number: row[1], manifestDigest: try digest(row[2]))
    }

    // MARK: Reading aliases

    /// The version id an alias points at now (nil: at nothing, or the alias was never set).
    public func holder(model: ModelName, alias: AliasName) throws(MetadataError) -> VersionKey? {
        try read { db in
            guard let modelID = try Int64.fetchOne(db, sql: "SELECT id FROM models WHERE name = ?", arguments: [model.value]) else { return nil }
            return try Self.holderID(db, modelID: modelID, alias: alias)
        }
    }

    /// Every alias of a model that points at a version now, with that version.
    public func aliases(of model: ModelName) throws(MetadataError) -> [AliasName: VersionPointer] {
        try read { db in try Self.currentAliases(db, model: model) }
    }

    static func currentAliases(_ db: Database, model: ModelName) throws -> [AliasName: VersionPointer] {
        // SQLite returns the bare columns of the row holding MAX(seq) in each group.
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT e.alias, e.to_version_id, MAX(e.seq), v.number, v.manifest_digest
                FROM events e JOIN models m ON m.id = e.model_id LEFT JOIN versions v ON v.id = e.to_version_id
                WHERE m.name = ? AND e.alias IS NOT NULL AND e.\(movingActions) GROUP BY e.alias
                """,
            arguments: [model.value])
        var result = [AliasName: VersionPointer]()
        for row in rows {
            guard let _: Int64 = row[1] else { continue }
            result[try AliasName(row[0])] = VersionPointer(model: model, number: row[3], manifestDigest: try digest(row[4]))
        }
        return result
    }

    /// Every alias a model has ever had, by name.
    public func aliasNames(of model: ModelName) throws(MetadataError) -> [AliasName] {
        try read { db in
            try String.fetchAll(
                db, sql: "SELECT DISTINCT e.alias FROM events e JOIN models m ON m.id = e.model_id WHERE m.name = ? AND e.alias IS NOT NULL ORDER BY e.alias",
                arguments: [model.value]
            ).map { try AliasName($0) }
        }
    }

    /// Every current alias of every model, for `mreg list`.
    public func allAliases() throws(MetadataError) -> [ModelName: [AliasName: Int]] {
        try read { db in
            var result = [ModelName: [AliasName: Int]]()
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT m.name, e.alias, e.to_version_id, MAX(e.seq), v.number
                    FROM events e JOIN models m ON m.id = e.model_id LEFT JOIN versions v ON v.id = e.to_version_id
                    WHERE e.alias IS NOT NULL AND e.\(Self.movingActions) GROUP BY e.model_id, e.alias
                    """)
            {
                guard let number: Int = row[4] else { continue }
                result[try ModelName(row[0]), default: [:]][try AliasName(row[1])] = number
            }
            return result
        }
    }

    /// The aliases a version holds or has ever held (for `require_from`).
    public func aliasesEverHeld(versionID: VersionKey) throws(MetadataError) -> Set<String> {
        try read { db in
            Set(try String.fetchAll(
                db, sql: "SELECT DISTINCT alias FROM events WHERE to_version_id = ? AND action IN ('promote', 'rollback') AND alias IS NOT NULL",
                arguments: [versionID]))
        }
    }

    /// Why a version may not be promoted: its deprecation and its latest rollback, with reasons.
    public func status(versionID: VersionKey) throws(MetadataError) -> VersionStatus {
        try read { db in try Self.fetchStatus(db, versionID: versionID) }
    }

    static func fetchStatus(_ db: Database, versionID: VersionKey) throws -> VersionStatus {
        // Marks and their lifts, oldest first: the latest word on each mark stands.
        var status = VersionStatus(deprecation: nil, rolledBackFrom: [:])
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT action, alias, reason FROM events
                WHERE (to_version_id = ? AND action IN ('deprecate', 'lift_deprecation', 'lift_rollback'))
                   OR (from_version_id = ? AND action = 'rollback')
                ORDER BY seq
                """,
            arguments: [versionID, versionID])
        {
            if let action = LedgerEvent.Action(rawValue: row[0]) { status.apply(action, alias: row[1], reason: row[2]) }
        }
        return status
    }

    /// What a rollback of `alias` can go back to: the current holder, and earlier holders newest
    /// first (by when each last arrived), up to and including the first that `isTarget` accepts
    /// (the rule is RegistryKit's). Reads rows only as far as needed, so a long history costs little.
    public func rollbackPlan(
        model: ModelName, alias: AliasName, isTarget: @escaping @Sendable (RollbackCandidate) -> Bool
    ) throws(MetadataError) -> RollbackPlan? {
        try read { db in
            guard let modelID = try Int64.fetchOne(db, sql: "SELECT id FROM models WHERE name = ?", arguments: [model.value]),
                let last = try Row.fetchOne(
                    db, sql: "SELECT to_version_id FROM events WHERE model_id = ? AND alias = ? AND \(Self.movingActions) ORDER BY seq DESC LIMIT 1",
                    arguments: [modelID, alias.value])
            else { return nil }
            let currentID: VersionKey? = last[0]
            var candidates = [RollbackCandidate]()
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT to_version_id, MAX(seq) AS arrived FROM events
                    WHERE model_id = ? AND alias = ? AND action IN ('promote', 'rollback') AND to_version_id IS NOT NULL
                    GROUP BY to_version_id ORDER BY arrived DESC
                    """,
                arguments: [modelID, alias.value])
            while let row = try rows.next() {
                let id: VersionKey = row[0]
                guard id != currentID else { continue }
                let candidate = RollbackCandidate(id: id, version: try Self.pointer(db, versionID: id), status: try Self.fetchStatus(db, versionID: id))
                candidates.append(candidate)
                if isTarget(candidate) { break }
            }
            return RollbackPlan(current: try currentID.map { ($0, try Self.pointer(db, versionID: $0)) }, candidates: candidates)
        }
    }

    /// Whether a version holds or has held an alias.
    public func hasHeld(versionID: VersionKey, alias: AliasName) throws(MetadataError) -> Bool {
        try read { db in
            try Bool.fetchOne(
                db,
                sql: "SELECT EXISTS (SELECT 1 FROM events WHERE to_version_id = ? AND action IN ('promote', 'rollback') AND alias = ?)",
                arguments: [versionID, alias.value]) ?? false
        }
    }

    /// Version numbers of a model that are deprecated or were rolled back (marks not lifted), for `mreg list`.
    public func statusMarks(of model: ModelName) throws(MetadataError) -> (deprecated: Set<Int>, rolledBack: Set<Int>) {
        try read { db in
            var statuses = [Int: VersionStatus]()
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT e.action, e.alias, e.reason, v.number FROM events e JOIN models m ON m.id = e.model_id
                    JOIN versions v ON v.id = CASE e.action WHEN 'rollback' THEN e.from_version_id ELSE e.to_version_id END
                    WHERE m.name = ? AND e.action IN ('deprecate', 'rollback', 'lift_deprecation', 'lift_rollback') ORDER BY e.seq
                    """,
                arguments: [model.value])
            {
                if let action = LedgerEvent.Action(rawValue: row[0]) {
                    statuses[row[3], default: VersionStatus(deprecation: nil, rolledBackFrom: [:])].apply(action, alias: row[1], reason: row[2])
                }
            }
            return (Set(statuses.filter { $0.value.deprecation != nil }.keys), Set(statuses.filter { !$0.value.rolledBackFrom.isEmpty }.keys))
        }
    }

    // MARK: Reading history

    /// A model's events (one alias's, when given), newest first, and how many there are; only its
    /// alias moves and status changes unless `facts` asks for registrations, evaluations and
    /// signatures too.
    public func events(model: ModelName, alias: AliasName?, limit: Int?, facts: Bool = false) throws(MetadataError) -> (events: [RecordedEvent], total: Int) {
        try read { db in
            var filter = "m.name = ?"
            if !facts {
                let release = LedgerEvent.Action.allCases.filter(\.isRelease).map { "'\($0.rawValue)'" }.joined(separator: ", ")
                filter += " AND e.action IN (\(release))"
            }
            var arguments: StatementArguments = [model.value]
            if let alias {
                filter += " AND e.alias = ?"
                arguments += [alias.value]
            }
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events e JOIN models m ON m.id = e.model_id WHERE \(filter)", arguments: arguments) ?? 0
            return (try Self.fetchEvents(db, filter: filter, arguments: arguments, newestFirst: true, limit: limit), total)
        }
    }

    /// The last event of an alias at or before `date`: what the alias pointed at then.
    public func aliasEvent(model: ModelName, alias: AliasName, at date: Date) throws(MetadataError) -> RecordedEvent? {
        try read { db in
            try Self.fetchEvents(
                db, filter: "m.name = ? AND e.alias = ? AND e.at <= ? AND e.\(Self.movingActions)", arguments: [model.value, alias.value, Timestamp.format(date)],
                newestFirst: true, limit: 1
            ).first
        }
    }

    /// The ledger's newest event: its sequence number and digest.
    public func ledgerHead() throws(MetadataError) -> (sequence: Int64, digest: Digest)? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT seq, digest FROM events ORDER BY seq DESC LIMIT 1").map { ($0[0], try digest($0[1])) }
        }
    }

    /// Every stored event in sequence order, rebuilt from its columns without trusting them.
    public func storedEvents() throws(MetadataError) -> [StoredEvent] {
        try storedEvents(filter: "1", arguments: [])
    }

    func storedEvents(filter: String, arguments: StatementArguments) throws(MetadataError) -> [StoredEvent] {
        try read { db in
            try Row.fetchAll(db, sql: Self.eventSelect + " WHERE \(filter) ORDER BY e.seq", arguments: arguments).map { row in
                let sequence: Int64 = row["seq"]
                let stored: String = row["digest"] ?? ""
                do {
                    return StoredEvent(
                        event: try Self.event(row), sequence: sequence, digest: stored, problem: nil, versionID: row["to_version_id"],
                        link: try Self.link(row))
                } catch {
                    return StoredEvent(event: nil, sequence: sequence, digest: stored, problem: "\(error)", versionID: nil, link: nil)
                }
            }
        }
    }

    private static let eventSelect = """
        SELECT e.*, m.name AS model_name, fv.number AS from_number, fv.manifest_digest AS from_digest,
            tv.number AS to_number, tv.manifest_digest AS to_digest
        FROM events e LEFT JOIN models m ON m.id = e.model_id
        LEFT JOIN versions fv ON fv.id = e.from_version_id LEFT JOIN versions tv ON tv.id = e.to_version_id
        """

    private static func fetchEvents(
        _ db: Database, filter: String, arguments: StatementArguments, newestFirst: Bool, limit: Int?
    ) throws -> [RecordedEvent] {
        try Row.fetchAll(
            db, sql: eventSelect + " WHERE \(filter) ORDER BY e.seq \(newestFirst ? "DESC" : "ASC") LIMIT \(limit ?? -1)", arguments: arguments
        ).map { RecordedEvent(event: try event($0), digest: try digest($0["digest"])) }
    }

    private static func link(_ row: Row) throws -> RecordLink? {
        if (row["action"] as String) == LedgerEvent.Action.annotate.rawValue { return .annotation(sequence: row["seq"]) }
        if let id: Int64 = row["evaluation_id"] { return .evaluation(id: id) }
        if let key: String = row["key_fingerprint"] { return .signature(key: try digest(key)) }
        if let dataset: String = row["dataset_digest"] {
            if let name: String = row["dataset_name"] { return .datasetName(name, try digest(dataset)) }
            return .dataset(try digest(dataset))
        }
        return nil
    }

    private static func event(_ row: Row) throws -> LedgerEvent {
        let model = try (row["model_name"] as String?).map { try ModelName($0) }
        if model == nil, (row["model_id"] as Int64?) != nil { throw DatabaseCorruption(problem: "event \(row["seq"] as Int64) names a missing model") }
        func pointer(_ prefix: String) throws -> VersionPointer? {
            guard let model else { return nil }
            guard let _: Int64 = row["\(prefix)_version_id"] else { return nil }
            guard let number: Int = row["\(prefix)_number"] else { throw DatabaseCorruption(problem: "event \(row["seq"] as Int64) names a missing version") }
            return VersionPointer(model: model, number: number, manifestDigest: try digest(row["\(prefix)_digest"]))
        }
        guard let action = LedgerEvent.Action(rawValue: row["action"]) else {
            throw DatabaseCorruption(problem: "unknown action '\(row["action"] as String? ?? "NULL")'")
        }
        return LedgerEvent(
            sequence: row["seq"], at: try date(row["at"]), model: model, alias: try (row["alias"] as String?).map { try AliasName($0) },
            action: action, from: try pointer("from"), to: try pointer("to"),
            actor: Registrant(
                user: row["actor_user"], host: row["actor_host"], ciProvider: row["ci_provider"], ciJobID: row["ci_job_id"],
                ciJobURL: row["ci_job_url"], ciActor: row["ci_actor"]),
            reason: row["reason"], forced: row["forced"], gates: row["gates_json"],
            record: try (row["record_digest"] as String?).map { try digest($0) },
            previousDigest: try (row["previous_digest"] as String?).map { try digest($0) })
    }

    // MARK: Signatures

    /// Stores a signature and its `sign` event committing to `record` (the signature document);
    /// returns false, writing nothing, when this key had already signed the version.
    public func insertSignature(
        versionID: VersionKey, _ signature: StoredSignature, actor: Registrant, record: Digest, seal: @escaping EventSealer
    ) throws(MetadataError) -> Bool {
        try immediateWrite { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO signatures (version_id, key_fingerprint, key_name, signature, signed_at, signed_by)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    versionID, signature.keyFingerprint.description, signature.keyName, Data(signature.signature).base64EncodedString(),
                    Timestamp.format(signature.signedAt), signature.signedBy,
                ])
            guard db.changesCount > 0 else { return false }
            let model = try Self.pointer(db, versionID: versionID).model
            _ = try Self.appendChained(
                db,
                EventDraft(
                    model: model, alias: nil, action: .sign, toVersionID: versionID, at: signature.signedAt, actor: actor, reason: nil,
                    forced: false, gates: "[]", expectedHolderID: nil, record: record, link: .signature(key: signature.keyFingerprint)),
                seal: seal)
            return true
        }
    }

    /// The signatures stored for a version, by key name.
    public func signatures(versionID: VersionKey) throws(MetadataError) -> [StoredSignature] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM signatures WHERE version_id = ? ORDER BY key_name", arguments: [versionID]
            ).map { row in
                StoredSignature(
                    keyFingerprint: try digest(row["key_fingerprint"]), keyName: row["key_name"],
                    signature: try Self.base64(row["signature"]), signedAt: try date(row["signed_at"]),
                    signedBy: row["signed_by"])
            }
        }
    }
}

extension MetadataDatabase {
    static func base64(_ text: String) throws -> [UInt8] {
        guard let data = Data(base64Encoded: text) else { throw DatabaseCorruption(problem: "a stored signature is not base64") }
        return Array(data)
    }
}
