#!/usr/bin/env python3
"""Fills a fresh registry's database with N versions of one model (for read-path benchmarks).

Usage: bench_populate.py REGISTRY N
Rows follow the schema mreg writes (3 files, 2 metrics, 1 dataset, git columns); the blobs are not
created, so only commands that read metadata (list, show) are meaningful on the result.
"""
import hashlib
import sqlite3
import sys

registry, count = sys.argv[1], int(sys.argv[2])
db = sqlite3.connect(f"{registry}/registry.sqlite")
h = lambda text: "sha256:" + hashlib.sha256(text.encode()).hexdigest()
ts = "2026-11-29T12:00:00.000Z"
db.execute("INSERT INTO models (name, created_at) VALUES ('churn', ?)", (ts,))
model = db.execute("SELECT id FROM models WHERE name = 'churn'").fetchone()[0]
db.execute("INSERT INTO datasets VALUES (?, 1000, 1, 0, 0, ?)", (h("train"), ts))
for n in range(1, count + 1):
    cur = db.execute(
        "INSERT INTO versions (model_id, number, manifest_digest, params_json, file_count, total_size, git_commit, "
        "git_branch, git_message, git_author, git_committed_at, git_dirty, git_changed_paths_json, created_at, "
        "created_by_user, created_by_host) VALUES (?, ?, ?, '{\"lr\":0.1}', 3, 3000, ?, 'main', 'msg', 'a <a@b>', ?, 0, '[]', ?, 'ci', 'runner')",
        (model, n, h(f"manifest{n}"), hashlib.sha1(str(n).encode()).hexdigest(), ts, ts))
    vid = cur.lastrowid
    for f in range(3):
        db.execute("INSERT INTO version_files VALUES (?, ?, ?, 1000, 0)", (vid, f"file{f}.bin", h(f"{n}/{f}")))
    db.execute("INSERT INTO version_metrics VALUES (?, 'holdout', 'auc', ?)", (vid, 0.8 + n / 1e6))
    db.execute("INSERT INTO version_metrics VALUES (?, 'holdout', 'log_loss', ?)", (vid, 0.4))
    db.execute("INSERT INTO version_datasets VALUES (?, 'train', ?, 'data/train.csv')", (vid, h("train")))
db.commit()
