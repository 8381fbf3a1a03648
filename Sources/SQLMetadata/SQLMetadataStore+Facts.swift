import RegistryModel
import RegistryStorage

extension SQLMetadataStore {
    /// The fact events of these versions, each version's in ledger order; those of their drift
    /// reports when asked.
    public func factEvents(versionIDs: [VersionKey], driftReports: Bool) throws(MetadataError) -> [StoredEvent] {
        var events = [StoredEvent]()
        // Bound, not written into the text: every full batch is the same statement, prepared once.
        for keys in Self.batches(of: versionIDs) {
            events += try storedEvents(
                filter: "e.to_version_id IN (\(Self.placeholders(keys.count))) AND \(Self.factActions(driftReports: driftReports))",
                arguments: keys.map { $0 })
        }
        return events
    }

    /// The filter (for `storedEvents`) of the events that recorded a version's facts; those of
    /// its drift reports only when asked (a version may have thousands).
    func factEventsQuery(version: SQLFragment, driftReports: Bool) -> SQLFragment {
        SQLFragment("e.to_version_id = \(version.sql) AND \(Self.factActions(driftReports: driftReports))", version.arguments)
    }

    /// The condition on an event `e` that it recorded a version's fact.
    private static func factActions(driftReports: Bool) -> String {
        let actions = LedgerEvent.Action.allCases.filter { $0.recordsVersionFact && (driftReports || $0 != .recordDrift) }
        return "e.action IN (\(actions.map { "'\($0.rawValue)'" }.joined(separator: ", ")))"
    }

    /// Rows of facts that no ledger event recorded, found with the indexes on the link columns.
    public func unrecordedFacts(versionIDs: [VersionKey]?) throws(MetadataError) -> [UnrecordedFact] {
        try read { db in
            let versionFilter = Self.versionFilter(versionIDs)
            var facts = [UnrecordedFact]()
            // Per kind of version fact: its table (joined to the version as `v`), the columns naming
            // the row (an id, a text, a digest; the first kind names the columns), the condition that its event exists, and how to
            // say what it is. One statement for all kinds: a command checking one version's facts
            // pays one round trip to a database server, not one per kind.
            let kinds: [(from: String, detail: String, recorded: String, kind: (SQLRow) throws -> UnrecordedFact.Kind)] = [
                ("versions v", "CAST(NULL AS BIGINT) AS detail_id, CAST(NULL AS TEXT) AS detail_text, CAST(NULL AS \(db.dialect.digestType)) AS detail_digest", "e.to_version_id = v.id AND e.action = 'register'",
                 { _ in .registration }),
                ("evaluations x JOIN versions v ON v.id = x.version_id", "x.id, NULL, NULL", "e.evaluation_id = x.id AND e.action = 'evaluate'",
                 { .evaluation(id: try $0["detail_id"]) }),
                ("signatures s JOIN versions v ON v.id = s.version_id", "NULL, s.key_name, s.key_fingerprint",
                 "e.to_version_id = s.version_id AND e.action = 'sign' AND e.key_fingerprint = s.key_fingerprint",
                 { .signature(keyName: try $0["detail_text"], key: try digest($0["detail_digest"])) }),
                ("annotations a JOIN versions v ON v.id = a.version_id", "a.event_seq, NULL, NULL",
                 "e.seq = a.event_seq AND e.action = 'annotate' AND e.to_version_id = a.version_id",
                 { .annotation(sequence: try $0["detail_id"]) }),
                ("drift_reports d JOIN versions v ON v.id = d.version_id", "d.event_seq, NULL, NULL",
                 "e.seq = d.event_seq AND e.action = 'record_drift' AND e.to_version_id = d.version_id",
                 { .driftReport(sequence: try $0["detail_id"]) }),
            ]
            let branches = kinds.enumerated().map { index, kind in
                """
                SELECT \(index) AS kind, v.id AS version_id, \(kind.detail) FROM \(kind.from)
                WHERE \(versionFilter) AND NOT EXISTS (SELECT 1 FROM events e WHERE \(kind.recorded))
                """
            }
            for row in try db.rows(
                """
                SELECT m.name, v.number, v.manifest_digest, v.id, k.kind, k.detail_id, k.detail_text, k.detail_digest
                FROM (\(branches.joined(separator: "\nUNION ALL\n"))) k
                JOIN versions v ON v.id = k.version_id JOIN models m ON m.id = v.model_id
                ORDER BY k.kind, v.id, k.detail_id, k.detail_text
                """)
            {
                let kind = kinds[try row["kind"] as Int].kind
                facts.append(UnrecordedFact(kind: try kind(row), version: try versionPointer(row), versionID: try row[3]))
            }
            guard versionIDs == nil else { return facts }
            for text in try db.column(
                """
                SELECT d.digest FROM datasets d
                WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.dataset_digest = d.digest AND e.action = 'record_dataset')
                ORDER BY d.digest
                """) as [String]
            {
                facts.append(UnrecordedFact(kind: .datasetContents(try digest(text)), version: nil, versionID: nil))
            }
            for row in try db.rows(
                """
                SELECT n.name, n.dataset_digest FROM dataset_names n WHERE NOT EXISTS (
                    SELECT 1 FROM events e WHERE e.dataset_digest = n.dataset_digest AND e.dataset_name = n.name AND e.action = 'name_dataset')
                ORDER BY n.name, n.dataset_digest
                """)
            {
                facts.append(UnrecordedFact(kind: .datasetName(try row[0], try digest(row[1])), version: nil, versionID: nil))
            }
            return facts
        }
    }

    public func misfiledEntries(versionIDs: [VersionKey]?) throws(MetadataError) -> [MisfiledEntries] {
        try readStatement { db in
            // Probed per named version through its primary keys; the whole store reads both tables once.
            let misfiled = { (table: String) in
                """
                SELECT x.version_id FROM \(table) x JOIN versions v ON v.id = x.version_id
                WHERE \(Self.versionFilter(versionIDs)) AND (x.model_id <> v.model_id OR x.model_id IS NULL)
                """
            }
            return try db.rows(
                """
                SELECT m.name, v.number, v.manifest_digest, k.kind FROM (
                    SELECT DISTINCT 'metric' AS kind, e.version_id FROM (\(misfiled("version_metrics"))) e
                    UNION ALL
                    SELECT DISTINCT 'label', e.version_id FROM (\(misfiled("version_labels"))) e
                ) k JOIN versions v ON v.id = k.version_id JOIN models m ON m.id = v.model_id ORDER BY v.id, k.kind
                """
            ).map { row in
                guard let kind = MisfiledEntries.Kind(rawValue: try row[3]) else { throw DatabaseCorruption(problem: "unknown kind of entry") }
                return MisfiledEntries(kind: kind, version: try versionPointer(row))
            }
        }
    }

    /// An SQL condition on a version `v`: among these keys, or any when nil.
    private static func versionFilter(_ versionIDs: [VersionKey]?) -> String {
        versionIDs.map { ids in ids.isEmpty ? "FALSE" : "v.id IN (\(ids.map { String($0.storeValue) }.joined(separator: ",")))" } ?? "TRUE"
    }

    // MARK: Rows written before fact events

    /// Whether rows written by an mreg without fact events still need theirs.
    public func hasPendingFactEvents() throws(MetadataError) -> Bool {
        try read { db in try db.exists("SELECT 1 FROM pending_fact_events", []) }
    }

    /// Appends the fact events of rows written before they existed, in one transaction, and
    /// clears the marker; does nothing when another process already did it.
    public func recordLegacyFacts(_ drafts: [EventDraft], seal: @escaping EventSealer) throws(MetadataError) {
        try write { db in
            guard try db.exists("SELECT 1 FROM pending_fact_events", []) else { return }
            for draft in drafts { _ = try appendChained(db, draft, seal: seal) }
            try db.execute("DELETE FROM pending_fact_events", [])
        }
    }

    /// Whether any version of any model has ever been moved to `alias`: one seek per model on
    /// the ledger's (model, alias) index. Asked without a model, the engine read every event
    /// (8.5 ms of each PostgreSQL `promote` with 30,000 events, when a policy's `require_from`
    /// names an alias it does not define).
    public func aliasEverUsed(_ alias: String) throws(MetadataError) -> Bool {
        try readStatement { db in try db.exists(Self.aliasEverUsedQuery, [alias]) }
    }

    static var aliasEverUsedQuery: String { "SELECT 1 FROM models m WHERE EXISTS (SELECT 1 FROM events e WHERE e.model_id = m.id AND e.alias = ?)" }
}
