#!/usr/bin/env python3
"""Sums an `ncu --csv --metrics gpu__time_duration.sum` log per kernel.

Only the second forward of a --run-once profile counts (the first loads the
module); kernels are grouped by name, grid and block, which tells the layers'
copies of one kernel apart from different kernels of the same name.

  python3 bench/gpu/summarize_ncu.py ncu.csv [--top 30]
"""
import argparse
import collections
import csv
import sys


def value(row):
    """The metric as a number (ncu prints thousands separators: "3,360")."""
    return float(row["Metric Value"].replace(",", ""))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("csv")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    with open(args.csv) as f:
        lines = [l for l in f if l.startswith('"')]
    rows = list(csv.DictReader(lines))
    rows = [r for r in rows if r.get("Metric Name") == "gpu__time_duration.sum"]
    if not rows:
        sys.exit("no gpu__time_duration rows")
    # Two runs of the same schedule (two forwards, or two train steps):
    # keep the second half.
    rows = rows[len(rows) // 2:]
    total = sum(value(r) for r in rows)
    groups = collections.defaultdict(lambda: [0, 0.0])
    for r in rows:
        key = (r["Kernel Name"], r.get("Grid Size", ""), r.get("Block Size", ""))
        groups[key][0] += 1
        groups[key][1] += value(r)
    print(f"{len(rows)} launches, {total / 1e6:.3f} ms of kernel time")
    print(f"{'ms':>8s} {'%':>5s} {'n':>4s}  kernel grid block")
    for (name, grid, block), (n, ns) in sorted(groups.items(), key=lambda kv: -kv[1][1])[:args.top]:
        print(f"{ns / 1e6:8.3f} {100 * ns / total:5.1f} {n:4d}  {name} {grid} {block}")


if __name__ == "__main__":
    main()
