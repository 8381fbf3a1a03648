import Foundation
import GRDB
import RegistryModel
import RegistryStorage

extension MetadataDatabase {
    /// Records a version with its `register` event (and a `record_dataset` event for each dataset
    /// seen for the first time), or returns the existing one with the same manifest (idempotent retry).
    public func insertVersion(_ new: NewVersion, seal: @escaping EventSealer) throws(MetadataError) -> InsertOutcome {
        try immediateWrite { db in
            let manifest = new.manifest
            let created = Timestamp.format(new.createdAt)
            try Self.saveHints(new.sourceHints, db)
            if let existing = try Row.fetchOne(
                db, sql: "SELECT m.name, v.number FROM versions v JOIN models m ON m.id = v.model_id WHERE v.manifest_digest = ?",
                arguments: [new.manifestDigest.description])
            {
                return .existing(VersionPointer(model: try ModelName(existing[0]), number: existing[1], manifestDigest: new.manifestDigest))
            }
            let modelID: Int64
            if let id = try Int64.fetchOne(db, sql: "SELECT id FROM models WHERE name = ?", arguments: [manifest.model.value]) {
                modelID = id
            } else {
                try db.execute(sql: "INSERT INTO models (name, created_at) VALUES (?, ?)", arguments: [manifest.model.value, created])
                modelID = db.lastInsertedRowID
            }
            let number = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(number), 0) + 1 FROM versions WHERE model_id = ?", arguments: [modelID])!
            let parentID = try manifest.parent.flatMap {
                try Int64.fetchOne(db, sql: "SELECT id FROM versions WHERE manifest_digest = ?", arguments: [$0.description])
            }
            let git = manifest.git
            let paramsJSON = try CanonicalJSON.string(.object(manifest.params), numbers: .kept)
            let changedPaths = try git.map { try CanonicalJSON.string(.array($0.changedPaths.map(JSONValue.string))) }
            try db.execute(
                sql: """
                    INSERT INTO versions (model_id, number, manifest_digest, description, params_json, parent_version_id,
                        file_count, total_size, git_commit, git_branch, git_remote_url, git_message, git_author,
                        git_committed_at, git_dirty, git_changed_paths_json, git_note, created_at, created_by_user,
                        created_by_host, ci_provider, ci_job_id, ci_job_url, ci_actor, git_work_tree)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    modelID, number, new.manifestDigest.description, manifest.description, paramsJSON, parentID,
                    manifest.files.count, manifest.files.reduce(Int64(0)) { $0 + $1.size },
                    git?.commit, git?.branch, git?.remoteURL, git?.message, git?.author,
                    git.map { Timestamp.format($0.committedAt) }, git?.dirty, changedPaths, new.gitNote, created,
                    new.registrant.user, new.registrant.host, new.registrant.ciProvider, new.registrant.ciJobID,
                    new.registrant.ciJobURL, new.registrant.ciActor, git?.workTree,
                ])
            let versionID = VersionKey(storeValue: db.lastInsertedRowID)
            for file in manifest.files {
                try db.execute(
                    sql: "INSERT INTO version_files (version_id, path, digest, size, executable) VALUES (?, ?, ?, ?, ?)",
                    arguments: [versionID, file.path, file.digest.description, file.size, file.executable])
            }
            for use in manifest.datasets {
                let fingerprint = use.fingerprint
                try Self.saveDataset(
                    db, fingerprint, stored: use.stored, listing: new.datasetListings[fingerprint.digest] ?? [],
                    profiles: new.datasetProfiles[fingerprint.digest] ?? [], created: created,
                    event: (new.datasetRecords[fingerprint.digest], new.createdAt, new.registrant), seal: seal)
                try db.execute(
                    sql: "INSERT INTO version_datasets (version_id, role, dataset_digest, source_path) VALUES (?, ?, ?, ?)",
                    arguments: [versionID, use.role, fingerprint.digest.description, use.sourcePath])
            }
            for metric in manifest.metrics {
                try db.execute(
                    sql: "INSERT INTO version_metrics (version_id, dataset, name, value) VALUES (?, ?, ?, ?)",
                    arguments: [versionID, metric.dataset, metric.name, metric.value])
            }
            for (key, value) in manifest.labels {
                try db.execute(
                    sql: "INSERT INTO version_labels (version_id, key, value) VALUES (?, ?, ?)", arguments: [versionID, key, value])
            }
            _ = try Self.appendChained(
                db,
                EventDraft(
                    model: manifest.model, alias: nil, action: .register, toVersionID: versionID, at: new.createdAt, actor: new.registrant,
                    reason: nil, forced: false, gates: "[]", expectedHolderID: nil, record: new.registrationRecord),
                seal: seal)
            return .created(VersionPointer(model: manifest.model, number: number, manifestDigest: new.manifestDigest))
        }
    }

    /// Records a dataset once by digest, with its directory listing and file profiles and a
    /// `record_dataset` event committing to `event.record` (its contents document). A later
    /// recording of the same content changes nothing but may mark it stored: the listing and
    /// profiles stay as the event recorded them.
    static func saveDataset(
        _ db: Database, _ fingerprint: DatasetFingerprint, stored: Bool, listing: [FileEntry], profiles: [StoredProfile], created: String,
        event: (record: Digest?, at: Date, actor: Registrant), seal: EventSealer
    ) throws {
        let exists = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM datasets WHERE digest = ?)", arguments: [fingerprint.digest.description]) ?? false
        if exists {
            if stored { try db.execute(sql: "UPDATE datasets SET stored = 1 WHERE digest = ?", arguments: [fingerprint.digest.description]) }
            return
        }
        guard let record = event.record else { throw DatabaseCorruption(problem: "dataset \(fingerprint.digest) is new but has no contents document") }
        try db.execute(
            sql: "INSERT INTO datasets (digest, size, file_count, is_directory, stored, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [fingerprint.digest.description, fingerprint.size, fingerprint.fileCount, fingerprint.isDirectory, stored, created])
        for file in listing {
            try db.execute(
                sql: "INSERT OR IGNORE INTO dataset_files (dataset_digest, path, digest, size) VALUES (?, ?, ?, ?)",
                arguments: [fingerprint.digest.description, file.path, file.digest.description, file.size])
        }
        for profile in profiles {
            try db.execute(
                sql: "INSERT OR IGNORE INTO dataset_profiles (dataset_digest, path, file_digest, profile_json) VALUES (?, ?, ?, ?)",
                arguments: [fingerprint.digest.description, profile.path, profile.fileDigest.description, profile.json])
        }
        _ = try appendChained(
            db,
            EventDraft(
                model: nil, alias: nil, action: .recordDataset, toVersionID: nil, at: event.at, actor: event.actor, reason: nil, forced: false,
                gates: "[]", expectedHolderID: nil, record: record, link: .dataset(fingerprint.digest)),
            seal: seal)
    }

    static func saveHints(_ hints: [SourceHint], _ db: Database) throws {
        for hint in hints {
            let file = hint.identity
            try db.execute(
                sql: "INSERT OR REPLACE INTO source_file_hints (device, inode, size, mtime_ns, ctime_ns, digest) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [
                    Int64(bitPattern: file.device), Int64(bitPattern: file.inode), file.size, file.modifiedNanoseconds,
                    file.changedNanoseconds, hint.digest.description,
                ])
        }
    }

    /// The version registered with this manifest, if any (a retried registration).
    public func version(manifestDigest: Digest) throws(MetadataError) -> VersionPointer? {
        try read { db in
            try Row.fetchOne(
                db, sql: "SELECT m.name, v.number, v.manifest_digest FROM versions v JOIN models m ON m.id = v.model_id WHERE v.manifest_digest = ?",
                arguments: [manifestDigest.description]
            ).map(Self.versionPointer)
        }
    }

    /// Remembers what source files looked like when hashed (see `SourceHint`).
    public func recordHints(_ hints: [SourceHint]) throws(MetadataError) {
        try immediateWrite { db in try Self.saveHints(hints, db) }
    }

    /// The digests last recorded for files whose identity is unchanged on disk.
    public func knownDigests(_ files: [SourceIdentity]) throws(MetadataError) -> [SourceIdentity: Digest] {
        try read { db in
            var known = [SourceIdentity: Digest]()
            for file in files {
                let text = try String.fetchOne(
                    db,
                    sql: """
                        SELECT digest FROM source_file_hints
                        WHERE device = ? AND inode = ? AND size = ? AND mtime_ns = ? AND ctime_ns = ?
                        """,
                    arguments: [
                        Int64(bitPattern: file.device), Int64(bitPattern: file.inode), file.size, file.modifiedNanoseconds,
                        file.changedNanoseconds,
                    ])
                if let text, let digest = Digest(parsing: text) { known[file] = digest }
            }
            return known
        }
    }

    // MARK: Resolving references

    /// The version a reference's selector names, or nil when there is none.
    public func versionID(model: ModelName, number: Int?) throws(MetadataError) -> VersionKey? {
        try read { db in
            if let number {
                return try VersionKey.fetchOne(
                    db, sql: "SELECT v.id FROM versions v JOIN models m ON m.id = v.model_id WHERE m.name = ? AND v.number = ?",
                    arguments: [model.value, number])
            }
            return try VersionKey.fetchOne(
                db, sql: "SELECT v.id FROM versions v JOIN models m ON m.id = v.model_id WHERE m.name = ? ORDER BY v.number DESC LIMIT 1",
                arguments: [model.value])
        }
    }

    /// Versions of `model` whose manifest digest starts with `hexPrefix` (at most two: enough to
    /// tell unique from ambiguous).
    public func versionIDs(model: ModelName, digestPrefix hexPrefix: String) throws(MetadataError) -> [VersionKey] {
        try read { db in
            try VersionKey.fetchAll(
                db,
                sql: """
                    SELECT v.id FROM versions v JOIN models m ON m.id = v.model_id
                    WHERE v.manifest_digest GLOB ? AND m.name = ? LIMIT 2
                    """,
                arguments: ["\(Digest.algorithm):\(hexPrefix)*", model.value])
        }
    }

    public func modelExists(_ model: ModelName) throws(MetadataError) -> Bool {
        try read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM models WHERE name = ?)", arguments: [model.value]) ?? false }
    }

    /// The highest version number of a model, for "there are versions 1 to N" hints.
    public func latestNumber(of model: ModelName) throws(MetadataError) -> Int? {
        try read { db in
            try Int.fetchOne(
                db, sql: "SELECT MAX(v.number) FROM versions v JOIN models m ON m.id = v.model_id WHERE m.name = ?",
                arguments: [model.value])
        }
    }
}
