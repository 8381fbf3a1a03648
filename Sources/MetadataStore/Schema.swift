import GRDB

/// The database schema as a list of migrations.
///
/// Migrations are never edited after they ship and never use application types (GRDB's
/// migrations guide): a registry written by any earlier mreg upgrades by running the rest.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-core") { db in
            try db.execute(sql: """
                CREATE TABLE models (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    created_at TEXT NOT NULL
                );
                CREATE TABLE versions (
                    id INTEGER PRIMARY KEY,
                    model_id INTEGER NOT NULL REFERENCES models(id),
                    number INTEGER NOT NULL,
                    manifest_digest TEXT NOT NULL UNIQUE,
                    description TEXT,
                    params_json TEXT NOT NULL,
                    parent_version_id INTEGER REFERENCES versions(id),
                    file_count INTEGER NOT NULL,
                    total_size INTEGER NOT NULL,
                    git_commit TEXT,
                    git_branch TEXT,
                    git_remote_url TEXT,
                    git_message TEXT,
                    git_author TEXT,
                    git_committed_at TEXT,
                    git_dirty INTEGER,
                    git_changed_paths_json TEXT,
                    git_note TEXT,
                    created_at TEXT NOT NULL,
                    created_by_user TEXT NOT NULL,
                    created_by_host TEXT NOT NULL,
                    ci_provider TEXT,
                    ci_job_id TEXT,
                    ci_job_url TEXT,
                    UNIQUE (model_id, number)
                );
                CREATE INDEX versions_by_git_commit ON versions(git_commit);
                CREATE INDEX versions_by_parent ON versions(parent_version_id);
                CREATE INDEX versions_by_created_at ON versions(created_at);
                CREATE TABLE version_files (
                    version_id INTEGER NOT NULL REFERENCES versions(id),
                    path TEXT NOT NULL,
                    digest TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    executable INTEGER NOT NULL,
                    PRIMARY KEY (version_id, path)
                ) WITHOUT ROWID;
                CREATE INDEX version_files_by_digest ON version_files(digest);
                CREATE TABLE datasets (
                    digest TEXT PRIMARY KEY,
                    size INTEGER NOT NULL,
                    file_count INTEGER NOT NULL,
                    is_directory INTEGER NOT NULL,
                    stored INTEGER NOT NULL,
                    created_at TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE dataset_files (
                    dataset_digest TEXT NOT NULL REFERENCES datasets(digest),
                    path TEXT NOT NULL,
                    digest TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    PRIMARY KEY (dataset_digest, path)
                ) WITHOUT ROWID;
                CREATE INDEX dataset_files_by_digest ON dataset_files(digest);
                CREATE TABLE version_datasets (
                    version_id INTEGER NOT NULL REFERENCES versions(id),
                    role TEXT NOT NULL,
                    dataset_digest TEXT NOT NULL REFERENCES datasets(digest),
                    source_path TEXT NOT NULL,
                    PRIMARY KEY (version_id, role)
                ) WITHOUT ROWID;
                CREATE INDEX version_datasets_by_dataset ON version_datasets(dataset_digest);
                CREATE TABLE version_metrics (
                    version_id INTEGER NOT NULL REFERENCES versions(id),
                    dataset TEXT NOT NULL,
                    name TEXT NOT NULL,
                    value REAL NOT NULL,
                    PRIMARY KEY (version_id, dataset, name)
                ) WITHOUT ROWID;
                CREATE INDEX version_metrics_by_key ON version_metrics(dataset, name, value);
                CREATE TABLE version_labels (
                    version_id INTEGER NOT NULL REFERENCES versions(id),
                    key TEXT NOT NULL,
                    value TEXT NOT NULL,
                    PRIMARY KEY (version_id, key)
                ) WITHOUT ROWID;
                CREATE INDEX version_labels_by_key ON version_labels(key, value);
                CREATE TABLE source_file_hints (
                    device INTEGER NOT NULL,
                    inode INTEGER NOT NULL,
                    size INTEGER NOT NULL,
                    mtime_ns INTEGER NOT NULL,
                    ctime_ns INTEGER NOT NULL,
                    digest TEXT NOT NULL,
                    PRIMARY KEY (device, inode)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2-release") { db in
            // The ledger: alias moves and status changes, hash-chained (see LedgerEvent). An alias's
            // current version is its latest event, so the pointer and its history cannot disagree.
            try db.execute(sql: """
                CREATE TABLE events (
                    seq INTEGER PRIMARY KEY,
                    at TEXT NOT NULL,
                    model_id INTEGER NOT NULL REFERENCES models(id),
                    alias TEXT,
                    action TEXT NOT NULL,
                    from_version_id INTEGER REFERENCES versions(id),
                    to_version_id INTEGER REFERENCES versions(id),
                    actor_user TEXT NOT NULL,
                    actor_host TEXT NOT NULL,
                    ci_provider TEXT,
                    ci_job_id TEXT,
                    ci_job_url TEXT,
                    reason TEXT,
                    forced INTEGER NOT NULL,
                    gates_json TEXT NOT NULL,
                    previous_digest TEXT,
                    digest TEXT NOT NULL UNIQUE
                );
                CREATE INDEX events_by_alias ON events(model_id, alias, seq);
                CREATE INDEX events_by_target ON events(to_version_id, action);
                CREATE INDEX events_by_source ON events(from_version_id, action);
                CREATE TABLE signatures (
                    version_id INTEGER NOT NULL REFERENCES versions(id),
                    key_fingerprint TEXT NOT NULL,
                    key_name TEXT NOT NULL,
                    signature TEXT NOT NULL,
                    signed_at TEXT NOT NULL,
                    signed_by TEXT NOT NULL,
                    PRIMARY KEY (version_id, key_fingerprint)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v3-datasets") { db in
            // Statistics of a dataset's tabular files (one row per file), and the names under
            // which datasets were added with `mreg dataset add` (a name may gain new contents).
            try db.execute(sql: """
                CREATE TABLE dataset_profiles (
                    dataset_digest TEXT NOT NULL REFERENCES datasets(digest),
                    path TEXT NOT NULL,
                    file_digest TEXT NOT NULL,
                    profile_json TEXT NOT NULL,
                    PRIMARY KEY (dataset_digest, path)
                ) WITHOUT ROWID;
                CREATE TABLE dataset_names (
                    name TEXT NOT NULL,
                    dataset_digest TEXT NOT NULL REFERENCES datasets(digest),
                    source_path TEXT NOT NULL,
                    added_at TEXT NOT NULL,
                    added_by_user TEXT NOT NULL,
                    added_by_host TEXT NOT NULL,
                    PRIMARY KEY (name, dataset_digest)
                ) WITHOUT ROWID;
                CREATE INDEX dataset_names_by_digest ON dataset_names(dataset_digest);
                CREATE INDEX dataset_names_by_time ON dataset_names(name, added_at);
                """)
        }
        migrator.registerMigration("v4-evaluations") { db in
            // Evaluations attached after registration: many per version and dataset; the latest
            // per (version, dataset key) is what promotion gates read.
            try db.execute(sql: """
                CREATE TABLE evaluations (
                    id INTEGER PRIMARY KEY,
                    version_id INTEGER NOT NULL REFERENCES versions(id),
                    dataset_digest TEXT NOT NULL REFERENCES datasets(digest),
                    dataset_key TEXT NOT NULL,
                    task TEXT,
                    predictions_digest TEXT,
                    details_json TEXT NOT NULL,
                    git_commit TEXT,
                    git_dirty INTEGER NOT NULL,
                    created_at TEXT NOT NULL,
                    created_by_user TEXT NOT NULL,
                    created_by_host TEXT NOT NULL,
                    ci_provider TEXT,
                    ci_job_id TEXT,
                    ci_job_url TEXT
                );
                CREATE INDEX evaluations_by_version ON evaluations(version_id, dataset_key, id);
                CREATE INDEX evaluations_by_dataset ON evaluations(dataset_digest);
                CREATE INDEX evaluations_by_predictions ON evaluations(predictions_digest);
                CREATE INDEX evaluations_by_commit ON evaluations(git_commit);
                CREATE TABLE evaluation_metrics (
                    evaluation_id INTEGER NOT NULL REFERENCES evaluations(id),
                    position INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    value REAL NOT NULL,
                    ci_low REAL,
                    ci_high REAL,
                    PRIMARY KEY (evaluation_id, name)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v5-fact-events") { db in
            // Registrations, evaluations, signatures and datasets become ledger events that commit
            // to a document (record_digest, kept as a blob); dataset events belong to no model, so
            // the table is rebuilt with model_id nullable. The link columns say which rows an event
            // recorded; they are not hashed, the document rebuilt from those rows is.
            try db.execute(sql: """
                CREATE TABLE events_v5 (
                    seq INTEGER PRIMARY KEY,
                    at TEXT NOT NULL,
                    model_id INTEGER REFERENCES models(id),
                    alias TEXT,
                    action TEXT NOT NULL,
                    from_version_id INTEGER REFERENCES versions(id),
                    to_version_id INTEGER REFERENCES versions(id),
                    actor_user TEXT NOT NULL,
                    actor_host TEXT NOT NULL,
                    ci_provider TEXT,
                    ci_job_id TEXT,
                    ci_job_url TEXT,
                    reason TEXT,
                    forced INTEGER NOT NULL,
                    gates_json TEXT NOT NULL,
                    record_digest TEXT,
                    evaluation_id INTEGER REFERENCES evaluations(id),
                    dataset_digest TEXT REFERENCES datasets(digest),
                    dataset_name TEXT,
                    key_fingerprint TEXT,
                    previous_digest TEXT,
                    digest TEXT NOT NULL UNIQUE
                );
                INSERT INTO events_v5 (seq, at, model_id, alias, action, from_version_id, to_version_id, actor_user, actor_host,
                    ci_provider, ci_job_id, ci_job_url, reason, forced, gates_json, previous_digest, digest)
                SELECT seq, at, model_id, alias, action, from_version_id, to_version_id, actor_user, actor_host,
                    ci_provider, ci_job_id, ci_job_url, reason, forced, gates_json, previous_digest, digest FROM events;
                DROP TABLE events;
                ALTER TABLE events_v5 RENAME TO events;
                CREATE INDEX events_by_alias ON events(model_id, alias, seq);
                CREATE INDEX events_by_target ON events(to_version_id, action);
                CREATE INDEX events_by_source ON events(from_version_id, action);
                CREATE INDEX events_by_evaluation ON events(evaluation_id);
                CREATE INDEX events_by_dataset ON events(dataset_digest, action);
                CREATE INDEX events_by_record ON events(record_digest);
                -- Rows written before this migration have no events yet: RegistryKit records them once
                -- (it alone can hash), then deletes this marker in the same transaction.
                CREATE TABLE pending_fact_events (reason TEXT NOT NULL);
                INSERT INTO pending_fact_events (reason)
                    SELECT 'recorded by the upgrade to fact events' WHERE EXISTS (SELECT 1 FROM versions) OR EXISTS (SELECT 1 FROM datasets);
                """)
        }
        migrator.registerMigration("v6-annotations") { db in
            // Labels and descriptions changed after registration, one row per `annotate` event
            // (keyed by its sequence number); the manifest keeps what was registered.
            try db.execute(sql: """
                CREATE TABLE annotations (
                    event_seq INTEGER PRIMARY KEY REFERENCES events(seq),
                    version_id INTEGER NOT NULL REFERENCES versions(id),
                    labels_json TEXT NOT NULL,
                    removed_labels_json TEXT NOT NULL,
                    description TEXT
                );
                CREATE INDEX annotations_by_version ON annotations(version_id, event_seq);
                """)
        }
        migrator.registerMigration("v7-ci-actor") { db in
            // The person a CI provider names as having started the job, beside the runner's account;
            // and the work tree a version was registered from, for `diff` to read its history.
            try db.execute(sql: """
                ALTER TABLE versions ADD COLUMN ci_actor TEXT;
                ALTER TABLE events ADD COLUMN ci_actor TEXT;
                ALTER TABLE evaluations ADD COLUMN ci_actor TEXT;
                ALTER TABLE versions ADD COLUMN git_work_tree TEXT;
                """)
        }
        migrator.registerMigration("v8-tokens") { db in
            // Access tokens of `mreg serve`: the SHA-256 of each secret, never the secret.
            try db.execute(sql: Self.tokensTable)
        }
        migrator.registerMigration("v9-web-sessions") { db in
            // The web UI's sign-ins (PostgreSQL's migration 4 has the same columns).
            try db.execute(sql: """
                CREATE TABLE web_sessions (
                    secret_sha256 TEXT NOT NULL PRIMARY KEY,
                    token_name TEXT NOT NULL REFERENCES tokens(name),
                    form_key TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    expires_at TEXT NOT NULL
                );
                CREATE INDEX web_sessions_by_expiry ON web_sessions(expires_at);
                """)
        }
        migrator.registerMigration("v10-events-by-model-action") { db in
            // A model's release history and its versions' status marks are read by action: without
            // this index each read walked every event of the model (75 ms for `history` at 100,000
            // versions, where registrations are all but 2% of the events).
            try db.execute(sql: "CREATE INDEX events_by_model_action ON events(model_id, action, seq)")
        }
        migrator.registerMigration("v11-drift-reports") { db in
            // Reports kept by `drift --record`, one row per `record_drift` event (keyed by its
            // sequence number); PostgreSQL's migration 6 has the same columns.
            try db.execute(sql: """
                CREATE TABLE drift_reports (
                    event_seq INTEGER PRIMARY KEY REFERENCES events(seq),
                    version_id INTEGER NOT NULL REFERENCES versions(id),
                    against TEXT NOT NULL,
                    reference_dataset TEXT NOT NULL,
                    reference_file TEXT NOT NULL,
                    reference_rows INTEGER NOT NULL,
                    data TEXT NOT NULL,
                    data_digest TEXT NOT NULL,
                    data_rows INTEGER NOT NULL,
                    flagged_columns INTEGER NOT NULL,
                    results_json TEXT NOT NULL
                );
                CREATE INDEX drift_reports_by_version ON drift_reports(version_id, event_seq);
                """)
        }
        migrator.registerMigration("v12-dataset-uses-in-order") { db in
            // `dataset show` lists the first versions that used a dataset in registration order:
            // with the version in the index that is the index's order, so the first 20 of 100,000
            // are 20 entries read, not 100,000 joined and sorted (PostgreSQL's migration 7 too).
            try db.execute(sql: """
                DROP INDEX version_datasets_by_dataset;
                CREATE INDEX version_datasets_by_dataset ON version_datasets(dataset_digest, version_id);
                """)
        }
        migrator.registerMigration("v13-deletions") { db in
            // Whether a version is deleted is its latest `delete` or `undelete` event: one seek in
            // this small index, for every version `list`, `gc` and resolving `latest` pass over.
            // gc's collection log (`BlobCollectionLogging`): AUTOINCREMENT, since a withdrawn
            // intent's number must never come back. PostgreSQL's migration 8 has the same. It also
            // keeps an older mreg, which cannot read these events, off the registry.
            try db.execute(sql: """
                CREATE INDEX events_deletions ON events(to_version_id, seq) WHERE action IN ('delete', 'undelete');
                CREATE TABLE blob_collections (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    digest TEXT NOT NULL,
                    started_at TEXT NOT NULL,
                    finished_at TEXT
                );
                CREATE INDEX blob_collections_by_digest ON blob_collections(digest, seq);
                CREATE INDEX blob_collections_unfinished ON blob_collections(seq) WHERE finished_at IS NULL;
                """)
        }
        migrator.registerMigration("v14-filters-by-model") { db in
            // `list NAME --where`/`--sort` on a registered metric read the model's own entries
            // of that metric off this index, and `--since`/`--until` the model's own window of
            // time, not each of its versions in turn. The global indexes they replace served no
            // query these do not serve better. PostgreSQL's migration 9.
            try db.execute(sql: """
                ALTER TABLE version_metrics ADD COLUMN model_id INTEGER REFERENCES models(id);
                UPDATE version_metrics SET model_id = (SELECT v.model_id FROM versions v WHERE v.id = version_metrics.version_id);
                DROP INDEX version_metrics_by_key;
                CREATE INDEX version_metrics_by_model ON version_metrics(model_id, dataset, name, value);
                DROP INDEX versions_by_created_at;
                CREATE INDEX versions_by_model_time ON versions(model_id, created_at);
                """)
        }
        migrator.registerMigration("v15-labels-by-model") { db in
            // `list NAME --label` starts from the model's versions with that label when they are
            // few, and `list --label` (every model) asks each model once, so the global (key,
            // value) index goes. PostgreSQL's migration 10.
            try db.execute(sql: """
                ALTER TABLE version_labels ADD COLUMN model_id INTEGER REFERENCES models(id);
                UPDATE version_labels SET model_id = (SELECT v.model_id FROM versions v WHERE v.id = version_labels.version_id);
                DROP INDEX version_labels_by_key;
                CREATE INDEX version_labels_by_model ON version_labels(model_id, key, value);
                """)
        }
        migrator.registerMigration("v16-time-index-covers-numbers") { db in
            // `list NAME --since/--until` pages a window of time in number order from the lowest
            // and highest numbers in it, read off this index alone (31 ms for 684,000 of a million
            // versions, where a table row per entry took 0.35 s). PostgreSQL's migration 14.
            try db.execute(sql: """
                DROP INDEX versions_by_model_time;
                CREATE INDEX versions_by_model_time ON versions(model_id, created_at, number);
                """)
        }
        return migrator
    }

    /// The tokens table (PostgreSQL's migration 3 has the same columns).
    static let tokensTable = """
        CREATE TABLE tokens (
            name TEXT NOT NULL PRIMARY KEY,
            role TEXT NOT NULL,
            models TEXT NOT NULL,
            aliases TEXT NOT NULL,
            secret_sha256 TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            created_by_user TEXT NOT NULL,
            created_by_host TEXT NOT NULL,
            ci_provider TEXT,
            ci_job_id TEXT,
            ci_job_url TEXT,
            ci_actor TEXT,
            expires_at TEXT,
            revoked_at TEXT
        )
        """
}
