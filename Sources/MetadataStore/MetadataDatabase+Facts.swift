import Foundation
import GRDB
import RegistryModel
import RegistryStorage

extension MetadataDatabase {
    /// The fact events (registration, evaluations, signatures, annotations) of one version, oldest first.
    public func factEvents(versionID: VersionKey) throws(MetadataError) -> [StoredEvent] {
        try storedEvents(filter: "e.to_version_id = ? AND e.action IN ('register', 'evaluate', 'sign', 'annotate')", arguments: [versionID])
    }

    /// Rows of facts that no ledger event recorded, found with the indexes on the link columns.
    public func unrecordedFacts(versionIDs: [VersionKey]?) throws(MetadataError) -> [UnrecordedFact] {
        try read { db in
            let versionFilter = versionIDs.map { "v.id IN (\($0.map { String($0.storeValue) }.joined(separator: ",")))" } ?? "1"
            var facts = [UnrecordedFact]()
            // Per kind of version fact: its table (joined to the version as `v`), an extra column
            // naming the row, the condition that its event exists, and how to say what it is.
            let kinds: [(from: String, detail: String, recorded: String, kind: (Row) throws -> UnrecordedFact.Kind)] = [
                ("versions v", "NULL", "e.to_version_id = v.id AND e.action = 'register'", { _ in .registration }),
                ("evaluations x JOIN versions v ON v.id = x.version_id", "x.id", "e.evaluation_id = x.id AND e.action = 'evaluate'",
                 { .evaluation(id: $0[4]) }),
                ("signatures s JOIN versions v ON v.id = s.version_id", "s.key_name, s.key_fingerprint",
                 "e.to_version_id = s.version_id AND e.action = 'sign' AND e.key_fingerprint = s.key_fingerprint",
                 { .signature(keyName: $0[4], key: try digest($0[5])) }),
                ("annotations a JOIN versions v ON v.id = a.version_id", "a.event_seq",
                 "e.seq = a.event_seq AND e.action = 'annotate' AND e.to_version_id = a.version_id",
                 { .annotation(sequence: $0[4]) }),
            ]
            for kind in kinds {
                for row in try Row.fetchAll(
                    db,
                    sql: """
                        SELECT m.name, v.number, v.manifest_digest, v.id, \(kind.detail) FROM \(kind.from) JOIN models m ON m.id = v.model_id
                        WHERE \(versionFilter) AND NOT EXISTS (SELECT 1 FROM events e WHERE \(kind.recorded))
                        """)
                {
                    facts.append(UnrecordedFact(kind: try kind.kind(row), version: try Self.versionPointer(row), versionID: row[3]))
                }
            }
            guard versionIDs == nil else { return facts }
            for text in try String.fetchAll(
                db,
                sql: """
                    SELECT d.digest FROM datasets d
                    WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.dataset_digest = d.digest AND e.action = 'record_dataset')
                    """)
            {
                facts.append(UnrecordedFact(kind: .datasetContents(try digest(text)), version: nil, versionID: nil))
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT n.name, n.dataset_digest FROM dataset_names n WHERE NOT EXISTS (
                        SELECT 1 FROM events e WHERE e.dataset_digest = n.dataset_digest AND e.dataset_name = n.name AND e.action = 'name_dataset')
                    """)
            {
                facts.append(UnrecordedFact(kind: .datasetName(row[0], try digest(row[1])), version: nil, versionID: nil))
            }
            return facts
        }
    }

    /// The `dataset add` record of one name and content, or nil when it is gone.
    public func datasetNameRecord(_ name: String, dataset: Digest) throws(MetadataError) -> DatasetName? {
        try read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT n.*, d.size, d.file_count, d.is_directory FROM dataset_names n JOIN datasets d ON d.digest = n.dataset_digest
                    WHERE n.name = ? AND n.dataset_digest = ?
                    """,
                arguments: [name, dataset.description]
            ).map(Self.datasetName)
        }
    }

    static func versionPointer(_ row: Row) throws -> VersionPointer {
        VersionPointer(model: try ModelName(row[0]), number: row[1], manifestDigest: try digest(row[2]))
    }

    // MARK: Rows written before fact events

    /// Whether rows written by an mreg without fact events still need theirs.
    public func hasPendingFactEvents() throws(MetadataError) -> Bool {
        try read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM pending_fact_events)") ?? false }
    }

    /// Appends the fact events of rows written before they existed, in one transaction, and
    /// clears the marker; does nothing when another process already did it.
    public func recordLegacyFacts(_ drafts: [EventDraft], seal: @escaping EventSealer) throws(MetadataError) {
        try immediateWrite { db in
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM pending_fact_events)") ?? false else { return }
            for draft in drafts { _ = try Self.appendChained(db, draft, seal: seal) }
            try db.execute(sql: "DELETE FROM pending_fact_events")
        }
    }
}

extension MetadataDatabase {
    /// Every metric key any version of a model has had, registered or evaluated (`policy` warns
    /// about gates on keys outside this set).
    public func metricKeysEverRecorded(model: ModelName) throws(MetadataError) -> Set<String> {
        try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT x.dataset, x.name FROM version_metrics x JOIN versions v ON v.id = x.version_id
                    JOIN models m ON m.id = v.model_id WHERE m.name = ?
                    UNION SELECT DISTINCT e.dataset_key, x.name FROM evaluation_metrics x JOIN evaluations e ON e.id = x.evaluation_id
                    JOIN versions v ON v.id = e.version_id JOIN models m ON m.id = v.model_id WHERE m.name = ?
                    """,
                arguments: [model.value, model.value])
            return Set(rows.map { row in
                let dataset: String = row[0]
                let name: String = row[1]
                return dataset.isEmpty ? name : "\(dataset).\(name)"
            })
        }
    }

    /// Whether any version of any model has ever been moved to `alias`.
    public func aliasEverUsed(_ alias: String) throws(MetadataError) -> Bool {
        try read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM events WHERE alias = ?)", arguments: [alias]) ?? false
        }
    }
}
