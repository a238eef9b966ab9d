"""Cold-process cost of reportgen on the sample: wall time and peak memory, median over runs.

Each run is a fresh process (the CLI case), in a fresh copy of the sample project so no output is
reused. Peak RSS comes from wait4's ru_maxrss (children included). Usage:

    .venv/bin/python benchmarks/bench_build.py [--runs 7]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed: {proc.stderr.read().decode()}")
    proc.stderr.close()
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    opts = ap.parse_args()
    cases = {
        "reportgen --help": ["--help"],
        "reportgen check": ["check"],
        "reportgen build (txt+docx+pdf)": ["build"],
    }
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(opts.runs):
            for name, args in cases.items():
                project = Path(tmp) / f"run{i}-{len(results[name])}-{abs(hash(name))}"
                (project / "data" / "years").mkdir(parents=True)
                shutil.copy(ROOT / "data" / "years" / "2023.yaml", project / "data" / "years")
                results[name].append(run([sys.executable, "-m", "reportgen", *args], project))
    print(f"{'case':<34} {'median s':>9} {'min s':>7} {'max s':>7} {'peak RSS MB':>12}   (n={opts.runs})")
    for name, rows in results.items():
        walls = [w for w, _ in rows]
        rss = statistics.median(r for _, r in rows)
        print(f"{name:<34} {statistics.median(walls):>9.3f} {min(walls):>7.3f} {max(walls):>7.3f} {rss:>12.0f}")


if __name__ == "__main__":
    main()
