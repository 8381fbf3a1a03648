import Foundation
import GRDB
import RegistryModel
import RegistryStorage

extension MetadataDatabase {
    /// Records an annotation and its `annotate` event (committing to `record`) in one transaction.
    public func insertAnnotation(
        versionID: VersionKey, _ annotation: Annotation, at date: Date, actor: Registrant, reason: String?, record: Digest,
        seal: @escaping EventSealer
    ) throws(MetadataError) -> RecordedEvent {
        try immediateWrite { db in
            let model = try Self.pointer(db, versionID: versionID).model
            let recorded = try Self.appendChained(
                db,
                EventDraft(
                    model: model, alias: nil, action: .annotate, toVersionID: versionID, at: date, actor: actor, reason: reason, forced: false,
                    gates: "[]", expectedHolderID: nil, record: record),
                seal: seal)
            try db.execute(
                sql: "INSERT INTO annotations (event_seq, version_id, labels_json, removed_labels_json, description) VALUES (?, ?, ?, ?, ?)",
                arguments: [
                    recorded.event.sequence, versionID, try CanonicalJSON.string(.object(annotation.labels.mapValues(JSONValue.string))),
                    try CanonicalJSON.string(.array(annotation.removedLabels.map(JSONValue.string))), annotation.description,
                ])
            return recorded
        }
    }

    /// A version's annotations, oldest first.
    public func annotations(versionID: VersionKey) throws(MetadataError) -> [RecordedAnnotation] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT a.*, e.at, e.actor_user, e.actor_host, e.ci_provider, e.ci_job_id, e.ci_job_url, e.ci_actor, e.reason
                    FROM annotations a JOIN events e ON e.seq = a.event_seq WHERE a.version_id = ? ORDER BY a.event_seq
                    """,
                arguments: [versionID]
            ).map(Self.annotation)
        }
    }

    /// The annotation an `annotate` event recorded, or nil when its row is gone.
    public func annotation(sequence: Int64) throws(MetadataError) -> RecordedAnnotation? {
        try read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT a.*, e.at, e.actor_user, e.actor_host, e.ci_provider, e.ci_job_id, e.ci_job_url, e.ci_actor, e.reason
                    FROM annotations a JOIN events e ON e.seq = a.event_seq WHERE a.event_seq = ?
                    """,
                arguments: [sequence]
            ).map(Self.annotation)
        }
    }

    private static func annotation(_ row: Row) throws -> RecordedAnnotation {
        let labels = try JSONDecoder().decode([String: String].self, from: Data((row["labels_json"] as String).utf8))
        let removed = try JSONDecoder().decode([String].self, from: Data((row["removed_labels_json"] as String).utf8))
        return RecordedAnnotation(
            annotation: Annotation(labels: labels, removedLabels: removed, description: row["description"]), sequence: row["event_seq"],
            at: try date(row["at"]),
            actor: Registrant(user: row["actor_user"], host: row["actor_host"], ciProvider: row["ci_provider"], ciJobID: row["ci_job_id"], ciJobURL: row["ci_job_url"], ciActor: row["ci_actor"]),
            reason: row["reason"])
    }
}
