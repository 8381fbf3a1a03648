import Foundation
import RegistryModel
import RegistryStorage

extension SQLMetadataStore {
    /// Records a version with its `register` event (and a `record_dataset` event for each dataset
    /// seen for the first time), or returns the existing one with the same manifest (idempotent retry).
    public func insertVersion(_ new: NewVersion, seal: @escaping EventSealer) throws(MetadataError) -> InsertOutcome {
        try write { db in try insertVersion(db, new, seal: seal) }
    }

    /// Records many versions in one transaction, each as `insertVersion` does: for filling a
    /// registry in bulk (`mreg-populate`), where one commit per version would be the cost.
    public func insertVersions(_ batch: [NewVersion], seal: @escaping EventSealer) throws(MetadataError) -> [InsertOutcome] {
        try write { db in try batch.map { try insertVersion(db, $0, seal: seal) } }
    }

    /// `insertVersion` in the caller's write transaction.
    func insertVersion(_ db: any SQLSession, _ new: NewVersion, seal: EventSealer) throws -> InsertOutcome {
        let manifest = new.manifest
        let created = Timestamp.format(new.createdAt)
        try saveSourceHints(new.sourceHints, db)
        if let existing = try db.row(
            "SELECT m.name, v.number FROM versions v JOIN models m ON m.id = v.model_id WHERE v.manifest_digest = ?",
            [new.manifestDigest])
        {
            return .existing(VersionPointer(model: try ModelName(existing[0]), number: try existing[1], manifestDigest: new.manifestDigest))
        }
        try requireUncollected(db, new.fence)
        let modelID: Int64
        if let id: Int64 = try db.value("SELECT id FROM models WHERE name = ?", [manifest.model.value]) {
            modelID = id
        } else {
            modelID = try db.value("INSERT INTO models (name, created_at) VALUES (?, ?) RETURNING id", [manifest.model.value, created])!
        }
        let number: Int = try db.value("SELECT COALESCE(MAX(number), 0) + 1 FROM versions WHERE model_id = ?", [modelID])!
        let parentID: Int64? = try manifest.parent.flatMap { try db.value("SELECT id FROM versions WHERE manifest_digest = ?", [$0]) }
        let git = manifest.git
        let paramsJSON = try CanonicalJSON.string(.object(manifest.params), numbers: .kept)
        let changedPaths = try git.map { try CanonicalJSON.string(.array($0.changedPaths.map(JSONValue.string))) }
        let versionID: VersionKey = try db.value(
            """
            INSERT INTO versions (model_id, number, manifest_digest, description, params_json, parent_version_id,
                file_count, total_size, git_commit, git_branch, git_remote_url, git_message, git_author,
                git_committed_at, git_dirty, git_changed_paths_json, git_note, created_at, created_by_user,
                created_by_host, ci_provider, ci_job_id, ci_job_url, ci_actor, git_work_tree)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
            """,
            [
                modelID, number, new.manifestDigest, manifest.description, paramsJSON, parentID,
                manifest.files.count, manifest.files.reduce(Int64(0)) { $0 + $1.size },
                git?.commit, git?.branch, git?.remoteURL, git?.message, git?.author,
                git.map { Timestamp.format($0.committedAt) }, git?.dirty, changedPaths, new.gitNote, created,
                new.registrant.user, new.registrant.host, new.registrant.ciProvider, new.registrant.ciJobID,
                new.registrant.ciJobURL, new.registrant.ciActor, git?.workTree,
            ])!
        for file in manifest.files {
            try db.execute(
                "INSERT INTO version_files (version_id, path, digest, size, executable) VALUES (?, ?, ?, ?, ?)",
                [versionID, file.path, file.digest, file.size, file.executable])
        }
        for use in manifest.datasets {
            let fingerprint = use.fingerprint
            try saveDataset(
                db, fingerprint, stored: use.stored, listing: new.datasetListings[fingerprint.digest] ?? [],
                profiles: new.datasetProfiles[fingerprint.digest] ?? [], created: created,
                event: (new.datasetRecords[fingerprint.digest], new.createdAt, new.registrant), seal: seal)
            try db.execute(
                "INSERT INTO version_datasets (version_id, role, dataset_digest, source_path) VALUES (?, ?, ?, ?)",
                [versionID, use.role, fingerprint.digest, use.sourcePath])
        }
        for metric in manifest.metrics {
            try db.execute(
                "INSERT INTO version_metrics (version_id, model_id, dataset, name, value) VALUES (?, ?, ?, ?, ?)",
                [versionID, modelID, metric.dataset, metric.name, metric.value])
        }
        for (key, value) in manifest.labels {
            try db.execute("INSERT INTO version_labels (version_id, model_id, key, value) VALUES (?, ?, ?, ?)", [versionID, modelID, key, value])
        }
        _ = try appendChained(
            db,
            EventDraft(
                model: manifest.model, alias: nil, action: .register, toVersionID: versionID, at: new.createdAt, actor: new.registrant,
                reason: nil, forced: false, gates: "[]", expectedHolderID: nil, record: new.registrationRecord),
            seal: seal)
        return .created(VersionPointer(model: manifest.model, number: number, manifestDigest: new.manifestDigest))
    }

    /// Records a dataset once by digest, with its directory listing and file profiles and a
    /// `record_dataset` event committing to `event.record` (its contents document). A later
    /// recording of the same content changes nothing but may mark it stored: the listing and
    /// profiles stay as the event recorded them.
    func saveDataset(
        _ db: any SQLSession, _ fingerprint: DatasetFingerprint, stored: Bool, listing: [FileEntry], profiles: [StoredProfile], created: String,
        event: (record: Digest?, at: Date, actor: Registrant), seal: EventSealer
    ) throws {
        if try db.exists("SELECT 1 FROM datasets WHERE digest = ?", [fingerprint.digest]) {
            if stored { try db.execute("UPDATE datasets SET stored = ? WHERE digest = ?", [true, fingerprint.digest]) }
            return
        }
        guard let record = event.record else { throw DatabaseCorruption(problem: "dataset \(fingerprint.digest) is new but has no contents document") }
        try db.execute(
            "INSERT INTO datasets (digest, size, file_count, is_directory, stored, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            [fingerprint.digest, fingerprint.size, fingerprint.fileCount, fingerprint.isDirectory, stored, created])
        for file in listing {
            try db.execute(
                "INSERT INTO dataset_files (dataset_digest, path, digest, size) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [fingerprint.digest, file.path, file.digest, file.size])
        }
        for profile in profiles {
            try db.execute(
                "INSERT INTO dataset_profiles (dataset_digest, path, file_digest, profile_json) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                [fingerprint.digest, profile.path, profile.fileDigest, profile.json])
        }
        _ = try appendChained(
            db,
            EventDraft(
                model: nil, alias: nil, action: .recordDataset, toVersionID: nil, at: event.at, actor: event.actor, reason: nil, forced: false,
                gates: "[]", expectedHolderID: nil, record: record, link: .dataset(fingerprint.digest)),
            seal: seal)
    }

    /// The version registered with this manifest, if any (a retried registration).
    public func version(manifestDigest: Digest) throws(MetadataError) -> VersionPointer? {
        try readStatement { db in
            try db.row(
                "SELECT m.name, v.number, v.manifest_digest FROM versions v JOIN models m ON m.id = v.model_id WHERE v.manifest_digest = ?",
                [manifestDigest]
            ).map(versionPointer)
        }
    }

    // MARK: Resolving references

    /// The version a reference's selector names, or nil when there is none.
    public func versionID(model: ModelName, number: Int?) throws(MetadataError) -> VersionKey? {
        try readStatement { db in
            let found = SQLFragment.version(of: model, number: number)
            return try db.value(found.sql, found.arguments)
        }
    }

    /// Versions of `model` whose manifest digest starts with `hexPrefix` (at most two: enough to
    /// tell unique from ambiguous).
    public func versionIDs(model: ModelName, digestPrefix hexPrefix: String) throws(MetadataError) -> [VersionKey] {
        try readStatement { db in
            let prefix = db.dialect.digestPrefix("v.manifest_digest", hexPrefix)
            return try db.column(
                "SELECT v.id FROM versions v JOIN models m ON m.id = v.model_id WHERE \(prefix.sql) AND m.name = ? ORDER BY v.number LIMIT 2",
                prefix.arguments + [model.value])
        }
    }

    public func modelExists(_ model: ModelName) throws(MetadataError) -> Bool {
        try readStatement { db in try db.exists("SELECT 1 FROM models WHERE name = ?", [model.value]) }
    }

    /// The highest version number of a model, for "there are versions 1 to N" hints.
    public func latestNumber(of model: ModelName) throws(MetadataError) -> Int? {
        try readStatement { db in
            try db.value("SELECT MAX(v.number) FROM versions v JOIN models m ON m.id = v.model_id WHERE m.name = ?", [model.value])
        }
    }

    /// A version from the first three columns of a row: model name, number, manifest digest.
    func versionPointer(_ row: SQLRow) throws -> VersionPointer { try versionPointer(row, at: 0) }

    /// The version named by a row's model name, number and manifest digest, from column `first` on.
    func versionPointer(_ row: SQLRow, at first: Int) throws -> VersionPointer {
        VersionPointer(model: try ModelName(row[first]), number: try row[first + 1], manifestDigest: try digest(row[first + 2]))
    }
}
