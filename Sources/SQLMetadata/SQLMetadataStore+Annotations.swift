import Foundation
import RegistryModel
import RegistryStorage

extension SQLMetadataStore {
    /// Records an annotation and its `annotate` event (committing to `record`) in one transaction.
    public func insertAnnotation(
        versionID: VersionKey, _ annotation: Annotation, at date: Date, actor: Registrant, reason: String?, record: Digest,
        fence: BlobFence?, seal: @escaping EventSealer
    ) throws(MetadataError) -> RecordedEvent {
        try write { db in
            try requireUncollected(db, fence)
            let recorded = try appendVersionFact(db, .annotate, versionID: versionID, at: date, actor: actor, reason: reason, record: record, seal: seal)
            try db.execute(
                "INSERT INTO annotations (event_seq, version_id, labels_json, removed_labels_json, description) VALUES (?, ?, ?, ?, ?)",
                [
                    recorded.event.sequence, versionID, try CanonicalJSON.string(.object(annotation.labels.mapValues(JSONValue.string))),
                    try CanonicalJSON.string(.array(annotation.removedLabels.map(JSONValue.string))), annotation.description,
                ])
            return recorded
        }
    }

    /// A version's annotations, oldest first.
    public func annotations(versionID: VersionKey) throws(MetadataError) -> [RecordedAnnotation] {
        try readStatement { db in
            let query = annotationsQuery(version: .version(versionID))
            return try db.rows(query.sql, query.arguments).map(annotation)
        }
    }

    func annotationsQuery(version: SQLFragment) -> SQLFragment {
        SQLFragment(annotationSelect + " WHERE a.version_id = \(version.sql) ORDER BY a.event_seq", version.arguments)
    }

    /// The annotation an `annotate` event recorded, or nil when its row is gone.
    public func annotation(sequence: Int64) throws(MetadataError) -> RecordedAnnotation? {
        try readStatement { db in try db.row(annotationSelect + " WHERE a.event_seq = ?", [sequence]).map(annotation) }
    }

    private var annotationSelect: String {
        """
        SELECT a.*, e.at, e.actor_user, e.actor_host, e.ci_provider, e.ci_job_id, e.ci_job_url, e.ci_actor, e.reason
        FROM annotations a JOIN events e ON e.seq = a.event_seq
        """
    }

    func annotation(_ row: SQLRow) throws -> RecordedAnnotation {
        let labels = try JSONDecoder().decode([String: String].self, from: Data((try row["labels_json"] as String).utf8))
        let removed = try JSONDecoder().decode([String].self, from: Data((try row["removed_labels_json"] as String).utf8))
        return RecordedAnnotation(
            annotation: Annotation(labels: labels, removedLabels: removed, description: try row["description"]), sequence: try row["event_seq"],
            at: try date(row["at"]), actor: try registrant(row, user: "actor_user", host: "actor_host"), reason: try row["reason"])
    }

    /// Who wrote a row: its user and host columns and the CI columns every such table shares.
    func registrant(_ row: SQLRow, user: String, host: String) throws -> Registrant {
        Registrant(
            user: try row[user], host: try row[host], ciProvider: try row["ci_provider"], ciJobID: try row["ci_job_id"],
            ciJobURL: try row["ci_job_url"], ciActor: try row["ci_actor"])
    }
}
