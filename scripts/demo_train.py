#!/usr/bin/env python3
"""Trains a tiny real churn model (logistic regression, numpy) for the demo.

Usage: demo_train.py OUT_DIR EPOCHS LEARNING_RATE
Reads data/train.csv and data/holdout.csv from the current folder (made by --make-data),
writes OUT_DIR/model.json (weights), eval.json ({"holdout": {"auc", "log_loss", "accuracy"}}) and
predictions.csv (label, score on the holdout set).
"""
import json
import os
import sys

import numpy as np

FEATURES = ["tenure", "monthly_charges", "support_calls"]


def make_data():
    rng = np.random.default_rng(7)
    os.makedirs("data", exist_ok=True)
    for name, rows in (("train", 800), ("holdout", 200)):
        x = np.column_stack([rng.uniform(0, 72, rows), rng.uniform(20, 120, rows), rng.poisson(2, rows)])
        logit = -0.05 * x[:, 0] + 0.02 * x[:, 1] + 0.6 * x[:, 2] - 1.5
        y = (rng.uniform(size=rows) < 1 / (1 + np.exp(-logit))).astype(int)
        with open(f"data/{name}.csv", "w") as out:
            out.write(",".join(FEATURES + ["churned"]) + "\n")
            for row, label in zip(x, y):
                out.write(f"{row[0]:.2f},{row[1]:.2f},{int(row[2])},{label}\n")


def load(name):
    data = np.loadtxt(f"data/{name}.csv", delimiter=",", skiprows=1)
    return data[:, :-1], data[:, -1]


def auc(y, p):
    order = np.argsort(p)
    ranks = np.empty(len(p))
    ranks[order] = np.arange(1, len(p) + 1)
    positives = y.sum()
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * (len(y) - positives)))


def main():
    if sys.argv[1] == "--make-data":
        make_data()
        return
    out, epochs, lr = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    x, y = load("train")
    mean, std = x.mean(axis=0), x.std(axis=0)
    xs = (x - mean) / std
    w, b = np.zeros(xs.shape[1]), 0.0
    for _ in range(epochs):
        p = 1 / (1 + np.exp(-(xs @ w + b)))
        w -= lr * xs.T @ (p - y) / len(y)
        b -= lr * float((p - y).mean())
    hx, hy = load("holdout")
    hp = np.clip(1 / (1 + np.exp(-(((hx - mean) / std) @ w + b))), 1e-12, 1 - 1e-12)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "model.json"), "w") as f:
        json.dump({"features": FEATURES, "mean": mean.tolist(), "std": std.tolist(), "weights": w.tolist(), "bias": b}, f, indent=2)
    metrics = {"holdout": {
        "auc": round(auc(hy, hp), 6),
        "log_loss": round(float(-(hy * np.log(hp) + (1 - hy) * np.log(1 - hp)).mean()), 6),
        "accuracy": round(float(((hp > 0.5) == hy).mean()), 6),
    }}
    with open("eval.json", "w") as f:
        json.dump(metrics, f)
    # The raw holdout predictions, so `mreg evaluate` can compute the metrics itself.
    with open("predictions.csv", "w") as f:
        f.write("label,score\n")
        f.writelines(f"{int(label)},{score:.6f}\n" for label, score in zip(hy, hp))
    print(f"trained {epochs} epochs at lr={lr}: holdout auc={metrics['holdout']['auc']}")


main()
