#!/usr/bin/env python3
"""Fills a fresh registry's database with N versions of one model (for read-path benchmarks).

Usage: bench_populate.py REGISTRY N [EVENTS]
Rows follow the schema mreg writes (3 files, 2 metrics, 1 dataset, git columns), and each
version's manifest (v2 canonical JSON, see Manifest) is stored as a blob, so reads that check a
version against its manifest work; each model file is a real 1,000-byte blob, so `verify --all`
and `migrate` (which verifies its copy) pass on the result. With
EVENTS, that many alias events (promotions to production and staging) are appended to the ledger
with the hash chain mreg computes (see LedgerEvent), which `mreg verify` checks; the benchmark
asserts it finds no ledger problem. The rows are marked as written before fact events, so the
first mreg command records their registration and dataset events (the upgrade path).
"""
import hashlib
import json
import os
import sqlite3
import sys

registry, count = sys.argv[1], int(sys.argv[2])
events = int(sys.argv[3]) if len(sys.argv) > 3 else 0
db = sqlite3.connect(f"{registry}/registry.sqlite")
h = lambda text: "sha256:" + hashlib.sha256(text.encode()).hexdigest()
ts = "2026-11-29T12:00:00.000Z"
db.execute("INSERT INTO models (name, created_at) VALUES ('churn', ?)", (ts,))
model = db.execute("SELECT id FROM models WHERE name = 'churn'").fetchone()[0]
db.execute("INSERT INTO datasets (digest, size, file_count, is_directory, stored, created_at) VALUES (?, 1000, 1, 0, 0, ?)", (h("train"), ts))
canonical = lambda value: json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
blobs = f"{registry}/blobs/sha256"
digests = {}


def file_digest(n, f):
    """Stores the 1,000 bytes of version n's file f as a blob; returns its digest."""
    content = (f"{n}/{f}|" * 250).encode()[:1000]
    digest = "sha256:" + hashlib.sha256(content).hexdigest()
    path = f"{blobs}/{digest[7:]}"
    if not os.path.exists(path):
        with open(path, "wb") as blob:
            blob.write(content)
        os.chmod(path, 0o444)
    return digest


def manifest(n, commit):
    """The v2 manifest mreg rebuilds from the rows below (numbers keep their kind)."""
    return canonical({
        "media_type": "application/vnd.mreg.manifest.v2+json", "model": "churn",
        "files": [{"path": f"file{f}.bin", "digest": file_digest(n, f), "size": 1000, "executable": False} for f in range(3)],
        "params": {"lr": 0.1}, "datasets": {"train": {"digest": h("train"), "size": 1000, "files": 1}},
        "metrics": {"holdout.auc": 0.8 + n / 1e6, "holdout.log_loss": 0.4}, "labels": {}, "description": None, "parent": None,
        "git": {"commit": commit, "dirty": False, "changed_paths": []},
    })


for n in range(1, count + 1):
    commit = hashlib.sha1(str(n).encode()).hexdigest()
    text = manifest(n, commit).encode()
    digests[n] = "sha256:" + hashlib.sha256(text).hexdigest()
    path = f"{blobs}/{digests[n][7:]}"
    with open(path, "wb") as blob:
        blob.write(text)
    os.chmod(path, 0o444)
    cur = db.execute(
        "INSERT INTO versions (model_id, number, manifest_digest, params_json, file_count, total_size, git_commit, "
        "git_branch, git_message, git_author, git_committed_at, git_dirty, git_changed_paths_json, created_at, "
        "created_by_user, created_by_host) VALUES (?, ?, ?, '{\"lr\":0.1}', 3, 3000, ?, 'main', 'msg', 'a <a@b>', ?, 0, '[]', ?, 'ci', 'runner')",
        (model, n, digests[n], commit, ts, ts))
    vid = cur.lastrowid
    for f in range(3):
        db.execute("INSERT INTO version_files VALUES (?, ?, ?, 1000, 0)", (vid, f"file{f}.bin", file_digest(n, f)))
    db.execute("INSERT INTO version_metrics (version_id, model_id, dataset, name, value) VALUES (?, ?, 'holdout', 'auc', ?)", (vid, model, 0.8 + n / 1e6))
    db.execute("INSERT INTO version_metrics (version_id, model_id, dataset, name, value) VALUES (?, ?, 'holdout', 'log_loss', ?)", (vid, model, 0.4))
    db.execute("INSERT INTO version_datasets VALUES (?, 'train', ?, 'data/train.csv')", (vid, h("train")))
db.commit()

previous = None
for seq in range(1, events + 1):
    alias = "production" if seq % 2 else "staging"
    to = (seq * 7919) % count + 1
    last = db.execute("SELECT to_version_id FROM events WHERE model_id = ? AND alias = ? ORDER BY seq DESC LIMIT 1", (model, alias)).fetchone()
    frm = last[0] if last else None
    pointer = lambda n: None if n is None else {"version": n, "digest": digests[n]}
    at = f"2026-11-{1 + seq // 1000:02d}T{(seq // 60) % 24:02d}:{seq % 60:02d}:00.000Z"
    gates = '[{"actual":"active","detail":"not deprecated or rolled back","gate":"status","outcome":"passed"}]'
    event = {"format": "mreg-event-v1", "sequence": seq, "at": at, "model": "churn", "alias": alias, "action": "promote",
             "from": pointer(frm), "to": pointer(to),
             "actor": {"user": "ci", "host": "runner", "ci_provider": None, "ci_job_id": None, "ci_job_url": None},
             "reason": None, "forced": False, "gates": gates, "previous": previous}
    digest = h(json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False))
    db.execute("INSERT INTO events (seq, at, model_id, alias, action, from_version_id, to_version_id, actor_user, actor_host, forced, "
               "gates_json, previous_digest, digest) VALUES (?, ?, ?, ?, 'promote', ?, ?, 'ci', 'runner', 0, ?, ?, ?)",
               (seq, at, model, alias, frm, to, gates, previous, digest))
    previous = digest
db.execute("INSERT INTO pending_fact_events (reason) VALUES ('rows written by bench_populate.py')")
db.commit()
