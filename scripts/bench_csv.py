#!/usr/bin/env python3
"""Writes a CSV of about SIZE_MIB MiB for the dataset-profiling benchmark.

Usage: bench_csv.py PATH SIZE_MIB
Eight columns like a churn table: an id, three numeric features, two categorical ones, a score
and a 0/1 label. Seeded, so every run profiles the same bytes.
"""
import random
import sys

path, size = sys.argv[1], int(sys.argv[2]) << 20
random.seed(1)
plans = ["basic", "pro", "enterprise", "trial", "legacy"]
with open(path, "w") as out:
    out.write("id,tenure,monthly_charges,support_calls,plan,region,score,churned\n")
    written, row, lines = 0, 0, []
    while written < size:
        line = (f"{row},{random.uniform(0, 72):.2f},{random.uniform(20, 120):.2f},{random.randint(0, 9)},"
                f"{random.choice(plans)},r{random.randint(0, 40)},{random.random():.6f},{random.randint(0, 1)}\n")
        lines.append(line)
        written += len(line)
        row += 1
        if len(lines) == 100_000:
            out.write("".join(lines))
            lines = []
    out.write("".join(lines))
