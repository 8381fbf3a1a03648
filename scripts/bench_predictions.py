#!/usr/bin/env python3
"""Writes N binary predictions (label, score) for the evaluation benchmark.

Usage: bench_predictions.py PATH N
Seeded: positives score higher on average, scores have 6 decimals (few ties).
"""
import random
import sys

path, count = sys.argv[1], int(sys.argv[2])
random.seed(5)
with open(path, "w") as out:
    out.write("label,score\n")
    lines = []
    for _ in range(count):
        label = 1 if random.random() < 0.3 else 0
        score = min(1.0, max(0.0, random.gauss(0.6 if label else 0.35, 0.2)))
        lines.append(f"{label},{score:.6f}\n")
    out.write("".join(lines))
