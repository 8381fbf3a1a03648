import Foundation
import GRDB
import RegistryModel
import RegistryStorage

extension MetadataDatabase {
    /// Records an evaluation with its `evaluate` event (and its dataset, if new) in one
    /// transaction; returns its id.
    public func insertEvaluation(_ new: NewEvaluation, seal: @escaping EventSealer) throws(MetadataError) -> Int64 {
        try immediateWrite { db in
            let created = Timestamp.format(new.createdAt)
            try Self.saveDataset(
                db, new.dataset, stored: false, listing: new.datasetListing, profiles: new.datasetProfiles, created: created,
                event: (new.datasetRecord, new.createdAt, new.registrant), seal: seal)
            try db.execute(
                sql: """
                    INSERT INTO evaluations (version_id, dataset_digest, dataset_key, task, predictions_digest, details_json, git_commit,
                        git_dirty, created_at, created_by_user, created_by_host, ci_provider, ci_job_id, ci_job_url, ci_actor)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    new.versionID, new.dataset.digest.description, new.datasetKey, new.task, new.predictions?.description, new.detailsJSON,
                    new.gitCommit, new.gitDirty, created, new.registrant.user, new.registrant.host, new.registrant.ciProvider,
                    new.registrant.ciJobID, new.registrant.ciJobURL, new.registrant.ciActor,
                ])
            let id = db.lastInsertedRowID
            for (position, metric) in new.metrics.enumerated() {
                try db.execute(
                    sql: "INSERT INTO evaluation_metrics (evaluation_id, position, name, value, ci_low, ci_high) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [id, position, metric.name, metric.value, metric.interval?.lowerBound, metric.interval?.upperBound])
            }
            _ = try Self.appendChained(
                db,
                EventDraft(
                    model: try Self.pointer(db, versionID: new.versionID).model, alias: nil, action: .evaluate, toVersionID: new.versionID,
                    at: new.createdAt, actor: new.registrant, reason: nil, forced: false, gates: "[]", expectedHolderID: nil, record: new.record,
                    link: .evaluation(id: id)),
                seal: seal)
            return id
        }
    }

    /// A version's evaluations, oldest first.
    public func evaluations(versionID: VersionKey) throws(MetadataError) -> [EvaluationRecord] {
        try read { db in
            try Row.fetchAll(db, sql: Self.evaluationSelect + " WHERE e.version_id = ? ORDER BY e.id", arguments: [versionID])
                .map { try Self.evaluation(db, $0) }
        }
    }

    /// One evaluation by id.
    public func evaluation(id: Int64) throws(MetadataError) -> EvaluationRecord? {
        try read { db in
            try Row.fetchOne(db, sql: Self.evaluationSelect + " WHERE e.id = ?", arguments: [id]).map { try Self.evaluation(db, $0) }
        }
    }

    private static let evaluationSelect = """
        SELECT e.*, m.name AS model_name, v.number, v.manifest_digest FROM evaluations e
        JOIN versions v ON v.id = e.version_id JOIN models m ON m.id = v.model_id
        """

    private static func evaluation(_ db: Database, _ row: Row) throws -> EvaluationRecord {
        let id: Int64 = row["id"]
        let metrics = try Row.fetchAll(
            db, sql: "SELECT name, value, ci_low, ci_high FROM evaluation_metrics WHERE evaluation_id = ? ORDER BY position", arguments: [id]
        ).map { metric in
            let low: Double? = metric[2]
            let high: Double? = metric[3]
            return EvaluationMetric(name: metric[0], value: metric[1], interval: low.flatMap { low in high.map { low...$0 } })
        }
        let detailsText: String = row["details_json"]
        return EvaluationRecord(
            id: id,
            version: VersionPointer(model: try ModelName(row["model_name"] as String), number: row["number"], manifestDigest: try digest(row["manifest_digest"])),
            dataset: try digest(row["dataset_digest"]), datasetKey: row["dataset_key"], task: row["task"], metrics: metrics,
            details: try JSONParser.parse(detailsText),
            predictions: try (row["predictions_digest"] as String?).map { try digest($0) }, gitCommit: row["git_commit"],
            gitDirty: row["git_dirty"], createdAt: try date(row["created_at"]),
            registrant: Registrant(
                user: row["created_by_user"], host: row["created_by_host"], ciProvider: row["ci_provider"], ciJobID: row["ci_job_id"],
                ciJobURL: row["ci_job_url"], ciActor: row["ci_actor"]))
    }
}
