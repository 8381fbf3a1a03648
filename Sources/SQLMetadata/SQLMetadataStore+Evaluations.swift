import Foundation
import RegistryModel
import RegistryStorage

extension SQLMetadataStore {
    /// Records an evaluation with its `evaluate` event (and its dataset, if new) in one
    /// transaction; returns its id.
    public func insertEvaluation(_ new: NewEvaluation, seal: @escaping EventSealer) throws(MetadataError) -> Int64 {
        try write { db in
            try requireUncollected(db, new.fence)
            let created = Timestamp.format(new.createdAt)
            try saveDataset(
                db, new.dataset, stored: false, listing: new.datasetListing, profiles: new.datasetProfiles, created: created,
                event: (new.datasetRecord, new.createdAt, new.registrant), seal: seal)
            let id: Int64 = try db.value(
                """
                INSERT INTO evaluations (version_id, dataset_digest, dataset_key, task, predictions_digest, details_json, git_commit,
                    git_dirty, created_at, created_by_user, created_by_host, ci_provider, ci_job_id, ci_job_url, ci_actor)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
                """,
                [
                    new.versionID, new.dataset.digest, new.datasetKey, new.task, new.predictions, new.detailsJSON,
                    new.gitCommit, new.gitDirty, created, new.registrant.user, new.registrant.host, new.registrant.ciProvider,
                    new.registrant.ciJobID, new.registrant.ciJobURL, new.registrant.ciActor,
                ])!
            for (position, metric) in new.metrics.enumerated() {
                try db.execute(
                    "INSERT INTO evaluation_metrics (evaluation_id, position, name, value, ci_low, ci_high) VALUES (?, ?, ?, ?, ?, ?)",
                    [id, position, metric.name, metric.value, metric.interval?.lowerBound, metric.interval?.upperBound])
            }
            _ = try appendVersionFact(
                db, .evaluate, versionID: new.versionID, at: new.createdAt, actor: new.registrant, record: new.record, link: .evaluation(id: id), seal: seal)
            return id
        }
    }

    /// A version's evaluations, oldest first, with their metrics: one statement.
    public func evaluations(versionID: VersionKey) throws(MetadataError) -> [EvaluationRecord] {
        try readStatement { db in
            let query = evaluationsQuery(version: .version(versionID))
            return try evaluations(db.rows(query.sql, query.arguments))
        }
    }

    func evaluationsQuery(version: SQLFragment) -> SQLFragment {
        SQLFragment(evaluationSelect + " WHERE e.version_id = \(version.sql) ORDER BY e.id, x.position", version.arguments)
    }

    public func evaluations(model: ModelName, numbers: [Int]) throws(MetadataError) -> [EvaluationRecord] {
        // By number, each a seek: a filtered page's numbers may lie far apart (90,000 and 500),
        // so a range between them could read a whole model's evaluations.
        try readBatches(numbers) { db, batch in
            try evaluations(db.rows(
                evaluationSelect + " WHERE m.name = ? AND v.number IN (\(Self.placeholders(batch.count))) ORDER BY e.id, x.position",
                [model.value] + batch.map { $0 as any SQLBindable }))
        }.sorted { $0.id < $1.id }
    }

    /// One evaluation by id.
    public func evaluation(id: Int64) throws(MetadataError) -> EvaluationRecord? {
        try readStatement { db in try evaluations(db.rows(evaluationSelect + " WHERE e.id = ? ORDER BY x.position", [id])).first }
    }

    /// Every metric key any version of a model has had, registered or evaluated (`policy` warns
    /// about gates on keys outside this set).
    public func metricKeysEverRecorded(model: ModelName) throws(MetadataError) -> Set<String> {
        try read { db in
            let rows = try db.rows(
                """
                SELECT DISTINCT x.dataset, x.name FROM version_metrics x JOIN versions v ON v.id = x.version_id
                JOIN models m ON m.id = v.model_id WHERE m.name = ?
                UNION SELECT DISTINCT e.dataset_key, x.name FROM evaluation_metrics x JOIN evaluations e ON e.id = x.evaluation_id
                JOIN versions v ON v.id = e.version_id JOIN models m ON m.id = v.model_id WHERE m.name = ?
                """,
                [model.value, model.value])
            return Set(try rows.map { row in
                let dataset: String = try row[0]
                let name: String = try row[1]
                return dataset.isEmpty ? name : "\(dataset).\(name)"
            })
        }
    }

    /// An evaluation's row once per metric (once with NULL metric columns when it has none), so
    /// that evaluations and their metrics are one statement (one snapshot, one round trip).
    private var evaluationSelect: String {
        """
        SELECT e.*, m.name AS model_name, v.number, v.manifest_digest,
            x.name AS metric_name, x.value AS metric_value, x.ci_low AS metric_low, x.ci_high AS metric_high
        FROM evaluations e JOIN versions v ON v.id = e.version_id JOIN models m ON m.id = v.model_id
        LEFT JOIN evaluation_metrics x ON x.evaluation_id = e.id
        """
    }

    /// The evaluations in rows of `evaluationSelect`, an evaluation's rows being consecutive.
    func evaluations(_ rows: [SQLRow]) throws -> [EvaluationRecord] {
        var evaluations = [(row: SQLRow, id: Int64, metrics: [EvaluationMetric])]()
        for row in rows {
            let id: Int64 = try row["id"]
            if evaluations.last?.id != id { evaluations.append((row, id, [])) }
            guard let name: String = try row["metric_name"] else { continue }
            let low: Double? = try row["metric_low"]
            let high: Double? = try row["metric_high"]
            evaluations[evaluations.count - 1].metrics.append(
                EvaluationMetric(name: name, value: try row["metric_value"], interval: low.flatMap { low in high.map { low...$0 } }))
        }
        return try evaluations.map { try evaluation($0.row, id: $0.id, metrics: $0.metrics) }
    }

    private func evaluation(_ row: SQLRow, id: Int64, metrics: [EvaluationMetric]) throws -> EvaluationRecord {
        let detailsText: String = try row["details_json"]
        return EvaluationRecord(
            id: id,
            version: VersionPointer(model: try ModelName(row["model_name"] as String), number: try row["number"], manifestDigest: try digest(row["manifest_digest"])),
            dataset: try digest(row["dataset_digest"]), datasetKey: try row["dataset_key"], task: try row["task"], metrics: metrics,
            details: try JSONParser.parse(detailsText),
            predictions: try (row["predictions_digest"] as String?).map { try digest($0) }, gitCommit: try row["git_commit"],
            gitDirty: try row["git_dirty"], createdAt: try date(row["created_at"]),
            registrant: try registrant(row, user: "created_by_user", host: "created_by_host"))
    }
}
