#!/usr/bin/env python3
"""Computes reference metrics with scikit-learn, to check mreg's own implementations in tests.

Usage: sklearn_metrics.py TASK FILE.csv [THRESHOLD_OR_K] [FEATURES]
TASK is binary (columns label, score), multiclass (label, prediction), regression (label,
prediction) or ranking (query, relevance, score). Prints one JSON object of metric values.
"""
import csv
import json
import sys

import numpy as np
from sklearn import metrics

task, path = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(path)))
out = {}
if task == "binary":
    y = np.array([int(r["label"]) for r in rows])
    p = np.array([float(r["score"]) for r in rows])
    threshold = float(sys.argv[3]) if len(sys.argv) > 3 else 0.5
    yhat = (p >= threshold).astype(int)
    out = {
        "accuracy": metrics.accuracy_score(y, yhat),
        "precision": metrics.precision_score(y, yhat, zero_division=0),
        "recall": metrics.recall_score(y, yhat, zero_division=0),
        "f1": metrics.f1_score(y, yhat, zero_division=0),
        "roc_auc": metrics.roc_auc_score(y, p),
        "pr_auc": metrics.average_precision_score(y, p),
        "log_loss": metrics.log_loss(y, p, labels=[0, 1]),
        "brier": metrics.brier_score_loss(y, p),
    }
    tn, fp, fn, tp = metrics.confusion_matrix(y, yhat, labels=[0, 1]).ravel()
    out.update({"true_positive": int(tp), "false_positive": int(fp), "false_negative": int(fn), "true_negative": int(tn)})
elif task == "multiclass":
    y = [r["label"] for r in rows]
    yhat = [r["prediction"] for r in rows]
    labels = sorted(set(y) | set(yhat))
    out = {"accuracy": metrics.accuracy_score(y, yhat)}
    for average in ("macro", "micro"):
        p, r, f, _ = metrics.precision_recall_fscore_support(y, yhat, labels=labels, average=average, zero_division=0)
        out.update({f"{average}_precision": p, f"{average}_recall": r, f"{average}_f1": f})
    out["confusion_matrix"] = metrics.confusion_matrix(y, yhat, labels=labels).tolist()
elif task == "regression":
    y = np.array([float(r["label"]) for r in rows])
    yhat = np.array([float(r["prediction"]) for r in rows])
    mse = metrics.mean_squared_error(y, yhat)
    r2 = metrics.r2_score(y, yhat)
    out = {"mse": mse, "rmse": float(np.sqrt(mse)), "mae": metrics.mean_absolute_error(y, yhat), "r2": r2,
           "mape": metrics.mean_absolute_percentage_error(y, yhat)}
    if len(sys.argv) > 4:
        n, k = len(y), int(sys.argv[4])
        out["adjusted_r2"] = 1 - (1 - r2) * (n - 1) / (n - k - 1)
elif task == "ranking":
    k = int(sys.argv[3])
    groups = {}
    for r in rows:
        groups.setdefault(r["query"], []).append((float(r["relevance"]), float(r["score"])))
    ndcg, mrr, ap, pk, rk = [], [], [], [], []
    for items in groups.values():
        rel = np.array([[i[0] for i in items]])
        if rel.sum() == 0:
            continue
        score = np.array([[i[1] for i in items]])
        ndcg.append(metrics.ndcg_score(rel, score, k=k))
        binary = (rel[0] > 0).astype(int)
        ap.append(metrics.average_precision_score(binary, score[0]) if binary.sum() < len(binary) else 1.0)
        ranked = binary[np.argsort(-score[0], kind="stable")]
        mrr.append(1 / (np.argmax(ranked) + 1))
        pk.append(ranked[:k].sum() / k)
        rk.append(ranked[:k].sum() / binary.sum())
    out = {f"precision_at_{k}": np.mean(pk), f"recall_at_{k}": np.mean(rk), "map": np.mean(ap), f"ndcg_at_{k}": np.mean(ndcg), "mrr": np.mean(mrr)}
print(json.dumps({key: (float(value) if not isinstance(value, list) else value) for key, value in out.items()}))
