"""reportgen against its goals and its peers, side by side in one run: a table of ratios.

    .venv/bin/python benchmarks/bench_build.py [--runs 5] [--only ROW[,ROW…]]

Rows (``--only`` takes their keys):

* ``help``, ``check`` — a cold ``reportgen --help`` and ``check`` of the sample (seconds, peak memory);
* ``cold`` — a cold ``reportgen build`` of the sample vs the usual path: python-docx writing the same DOCX
  (benchmarks/peers/docx_peer.py) then ``soffice --headless --convert-to pdf``, with a LibreOffice user
  profile kept in the temp folder and reused from run to run, as an office's is;
* ``rebuild`` — an unchanged rebuild (build, then time a second ``build`` in the same project) vs a cold build,
  and how many output files the second build rewrote;
* ``pdf-size`` — the sample's PDF vs Typst's PDF of the same text in the same fonts (benchmarks/peers/typst_peer.py);
* ``jobs`` — a 100-year project built with ``--jobs 1`` vs ``--jobs 2`` (the speed-up);
* ``memory`` — the peak memory of that ``--jobs 2`` run, per worker, vs one build's peak: both the whole
  process tree's resident memory (summed from /proc every ~20 ms) and the biggest single process (wait4's
  ru_maxrss);
* ``long`` — the sample's body repeated ten times (46 pages today) vs the sample (5 pages), cold.

Every timed command is a fresh process in a fresh copy of its project (so no output is reused; reportgen's
per-user cache, if any, stays warm, as it is for a user). The two sides of a ratio run in pairs, alternating
which goes first, and each side's median over ``--runs`` is compared. Options that are not built yet
(``build --jobs``, ``--force``) are found in ``build --help``; a row that needs one says "n/a (not built)".
The script exits 0 whatever the ratios: it measures, the README records.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT / "benchmarks" / "peers"
SAMPLE = ROOT / "data" / "years" / "2023.yaml"
REPORTGEN = [sys.executable, "-m", "reportgen"]
PAGE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_EVERY = 0.02  # seconds between two readings of the process tree's memory
# 100 consecutive years the schema takes (1949–2200): the sample's year and the 99 after it.
MANY_YEARS = range(2023, 2123)
LONG_REPEAT = 10
MIB = 1024 * 1024


@dataclass(frozen=True)
class Run:
    """One timed command (or chain of commands): wall seconds, the biggest process's peak RSS (wait4) and
    the peak of the whole process tree's RSS, in MiB."""

    wall: float
    rss: float
    tree: float


class TreeSampler(threading.Thread):
    """The peak of the summed RSS of a process and all its descendants, read from /proc every ~20 ms.

    The tree is found by scanning every /proc/PID/stat for parents, which costs about a millisecond, so
    it is rescanned every fifth reading; in between only the known processes' statm is read."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self._done = pid, 0, threading.Event()

    def tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for name in os.listdir("/proc"):
            if name.isdigit():
                try:
                    with open(f"/proc/{name}/stat", "rb") as f:
                        stat = f.read()
                except OSError:
                    continue
                children.setdefault(int(stat[stat.rindex(b")") + 2:].split()[1]), []).append(int(name))
        found, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo += children.get(pid, [])
        return found

    @staticmethod
    def rss(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/statm", "rb") as f:
                return int(f.read().split()[1]) * PAGE
        except (OSError, IndexError):
            return 0

    def run(self) -> None:
        tick, pids = 0, [self.pid]
        while not self._done.wait(SAMPLE_EVERY):
            if tick % 5 == 0:
                pids = self.tree()
            self.peak = max(self.peak, sum(self.rss(p) for p in pids))
            tick += 1

    def stop(self) -> float:
        self._done.set()
        self.join()
        return self.peak / MIB


def run(args: list[str], cwd: Path) -> Run:
    """Run one command to its end; a failure stops the benchmark with the command's error output."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        tree = sampler.stop()
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(map(str, args))} (in {cwd}) failed ({proc.returncode}):\n"
                             f"{err.read().decode(errors='replace')[-3000:]}")
    return Run(wall, usage.ru_maxrss / 1024, max(tree, usage.ru_maxrss / 1024))


def chain(*runs: Run) -> Run:
    """Commands run one after the other: their times add up, their peaks do not."""
    return Run(sum(r.wall for r in runs), max(r.rss for r in runs), max(r.tree for r in runs))


def median(runs: list[Run], attr: str = "wall") -> float:
    return statistics.median(getattr(r, attr) for r in runs)


def paired(a: Callable[[], Run], b: Callable[[], Run], n: int) -> tuple[list[Run], list[Run]]:
    """``n`` runs of each side, in pairs whose order alternates, so a drift of the machine's speed
    weighs on both sides alike."""
    out_a, out_b = [], []
    for i in range(n):
        if i % 2:
            out_b.append(b())
            out_a.append(a())
        else:
            out_a.append(a())
            out_b.append(b())
    return out_a, out_b


# ── projects ───────────────────────────────────────────────────────────────────────────────────────────
def many_years(text: str) -> dict[str, str]:
    """The sample as 100 year files, each file's ``year:`` matching its name."""
    return {f"{y}.yaml": re.sub(r"(?m)^year: \d+$", f"year: {y}", text, count=1) for y in MANY_YEARS}


def long_year(text: str) -> str:
    """The sample with its opening and its sections (the body) repeated ``LONG_REPEAT`` times."""
    head, rest = text.split("\nopening:\n", 1)
    opening, sections = rest.split("\nsections:\n", 1)
    return f"{head}\nopening:\n{(opening + chr(10)) * LONG_REPEAT}sections:\n{sections * LONG_REPEAT}"


class Projects:
    """Fresh copies of the benchmark's projects, one per call, in a temp folder."""

    def __init__(self, tmp: Path):
        self.tmp, self.count = tmp, 0
        text = SAMPLE.read_text(encoding="utf-8")
        self.files = {"sample": {"2023.yaml": text}, "years": many_years(text),
                      "long": {"2023.yaml": long_year(text)}}

    def fresh(self, name: str) -> Path:
        self.count += 1
        root = self.tmp / f"{name}-{self.count}"
        (root / "data" / "years").mkdir(parents=True)
        for file, text in self.files[name].items():
            (root / "data" / "years" / file).write_text(text, encoding="utf-8")
        return root


def outputs(project: Path) -> dict[str, tuple[int, int]]:
    """Each output file's (inode, mtime): what a rewrite changes."""
    return {str(p): (p.stat().st_ino, p.stat().st_mtime_ns) for p in (project / "output").rglob("*")
            if p.is_file() and p.name != ".lock"}


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


# ── the benchmark ──────────────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Result:
    ratio: float | None  # None: the row has no ratio (help, check) or could not be measured
    measured: str
    met: bool | None = None


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    goal: str  # as in the table; "" for the rows kept without a goal
    measure: Callable[["Bench"], Result]


class Bench:
    def __init__(self, tmp: Path, runs: int):
        self.runs, self.projects = runs, Projects(tmp)
        self.tmp = tmp
        self.memo: dict[str, object] = {}
        flags = subprocess.run([*REPORTGEN, "--lang", "en", "build", "--help"], capture_output=True, text=True,
                               check=True).stdout
        self.has_jobs, self.has_force = "--jobs" in flags, "--force" in flags
        self.profile = Path(tempfile.gettempdir()) / f"reportgen-bench-soffice-{os.getuid()}"

    def reportgen(self, project: Path, *args: str) -> Run:
        return run([*REPORTGEN, *args], project)

    def cold_build(self, name: str = "sample", *args: str) -> Run:
        return self.reportgen(self.projects.fresh(name), "build", "-q", *args)

    def fonts_json(self) -> Path:
        """``reportgen fonts --json`` of the sample: the faces the peers set (resolved once)."""
        if "fonts" not in self.memo:
            out = subprocess.run([*REPORTGEN, "fonts", "--json"], cwd=self.projects.fresh("sample"),
                                 capture_output=True, check=True).stdout
            path = self.tmp / "fonts.json"
            path.write_bytes(out)
            self.memo["fonts"] = path
        return self.memo["fonts"]

    def office(self) -> Run:
        """The usual path, cold: python-docx writes the DOCX, LibreOffice converts it to PDF."""
        project = self.projects.fresh("sample")
        docx = project / "report-2023.docx"
        write = run([sys.executable, str(PEERS / "docx_peer.py"), str(project / "data" / "years" / "2023.yaml"),
                     str(docx), "--fonts", str(self.fonts_json())], project)
        convert = run(["soffice", f"-env:UserInstallation={self.profile.as_uri()}", "--headless",
                       "--convert-to", "pdf", "--outdir", str(project), str(docx)], project)
        if not (project / "report-2023.pdf").exists():
            raise SystemExit(f"soffice wrote no PDF of {docx}")
        self.memo.setdefault("office-parts", []).append((write.wall, convert.wall))
        return chain(write, convert)

    def single_builds(self) -> list[Run]:
        """Cold builds of the sample: the ones the ``cold`` row timed, else their own."""
        if "cold" not in self.memo:
            self.memo["cold"] = [self.cold_build() for _ in range(self.runs)]
        return self.memo["cold"]


def fmt_s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"


def row_help(b: Bench) -> Result:
    runs = [b.reportgen(b.projects.fresh("sample"), "--help") for _ in range(b.runs)]
    return Result(None, f"{fmt_s(median(runs))}, peak {median(runs, 'rss'):.0f} MiB")


def row_check(b: Bench) -> Result:
    runs = [b.reportgen(b.projects.fresh("sample"), "check", "-q") for _ in range(b.runs)]
    return Result(None, f"{fmt_s(median(runs))}, peak {median(runs, 'rss'):.0f} MiB")


def row_cold(b: Bench) -> Result:
    if not shutil.which("soffice"):
        return Result(None, "n/a (soffice not installed: bash scripts/setup.sh --test)")
    b.office()  # the first conversion makes the profile (when there was none) and warms LibreOffice's files
    b.memo["office-parts"] = []
    ours, office = paired(b.cold_build, b.office, b.runs)
    b.memo["cold"] = ours
    ratio = median(ours) / median(office)
    parts = b.memo["office-parts"]
    write, convert = statistics.median(w for w, _ in parts), statistics.median(c for _, c in parts)
    return Result(ratio, f"{fmt_s(median(ours))} vs {fmt_s(median(office))} "
                         f"(python-docx {fmt_s(write)} + soffice {fmt_s(convert)})", ratio <= 0.6)


def row_rebuild(b: Bench) -> Result:
    rewritten: list[tuple[int, int]] = []
    forced: list[Run] = []

    def rebuild() -> Run:
        project = b.projects.fresh("sample")
        b.reportgen(project, "build", "-q")
        before = outputs(project)
        second = b.reportgen(project, "build", "-q")
        after = outputs(project)
        rewritten.append((sum(after.get(p) != v for p, v in before.items()), len(before)))
        if b.has_force:  # what the same project costs when told to rebuild: a cold build with warm files
            forced.append(b.reportgen(project, "build", "-q", "--force"))
        return second

    again, cold = paired(rebuild, b.cold_build, b.runs)
    ratio = median(again) / median(cold)
    changed, total = max(rewritten)
    force = f"; build --force {fmt_s(median(forced))}" if forced else ""
    return Result(ratio, f"{fmt_s(median(again))} vs {fmt_s(median(cold))}; the second build rewrote "
                         f"{changed} of {total} files{force}", ratio <= 0.1 and changed == 0)


def row_pdf_size(b: Bench) -> Result:
    try:
        import typst  # noqa: F401  (the peer runs in its own process; this only says whether it can)
    except ImportError:
        return Result(None, "n/a (typst not installed: bash scripts/setup.sh --test)")
    project = b.projects.fresh("sample")
    b.reportgen(project, "build", "-q")
    ours = project / "output" / "2023" / "report-2023.pdf"
    theirs = project / "typst-2023.pdf"
    peer = run([sys.executable, str(PEERS / "typst_peer.py"), str(project / "data" / "years" / "2023.yaml"),
                str(theirs), "--fonts", str(b.fonts_json())], project)
    a, t = ours.stat().st_size, theirs.stat().st_size
    return Result(a / t, f"{a / 1000:.0f} KB vs {t / 1000:.0f} KB ({pdf_pages(ours)} and {pdf_pages(theirs)} "
                         f"pages; Typst took {fmt_s(peer.wall)})", a <= t)


def row_jobs(b: Bench) -> Result:
    if not b.has_jobs:
        return Result(None, "n/a (not built: build --jobs)")
    one, two = paired(lambda: b.cold_build("years", "--jobs", "1"), lambda: b.cold_build("years", "--jobs", "2"),
                      b.runs)
    b.memo["jobs2"] = two
    ratio = median(one) / median(two)
    return Result(ratio, f"{fmt_s(median(one))} on 1 vs {fmt_s(median(two))} on 2 "
                         f"({len(MANY_YEARS)} documents)", ratio >= 1.8)


def row_memory(b: Bench) -> Result:
    if b.has_jobs:
        workers = 2
        many = b.memo.get("jobs2") or [b.cold_build("years", "--jobs", "2") for _ in range(b.runs)]
    else:  # today's one process doing all 100 documents: the same question with one worker
        workers = 1
        many = [b.cold_build("years") for _ in range(b.runs)]
    # One build in one process: by default a single document's PDF is typeset in a second process
    # (typesetter.py), whose memory would be counted as the build's and flatter the ratio.
    single = [b.cold_build("sample", "--jobs", "1") for _ in range(b.runs)] if b.has_jobs else b.single_builds()
    tree, one = median(many, "tree"), median(single, "tree")
    ratio = tree / workers / one
    return Result(ratio, f"{tree:.0f} MiB on {workers} worker{'s' if workers > 1 else ''} vs {one:.0f} MiB "
                         f"for one build; biggest process {median(many, 'rss'):.0f} vs "
                         f"{median(single, 'rss'):.0f} MiB", ratio <= 1.3)


def row_long(b: Bench) -> Result:
    pages: list[int] = []

    def long_build() -> Run:
        project = b.projects.fresh("long")
        result = b.reportgen(project, "build", "-q")
        pages.append(pdf_pages(project / "output" / "2023" / "report-2023.pdf"))
        return result

    long, short = paired(long_build, b.cold_build, b.runs)
    ratio = median(long) / median(short)
    return Result(ratio, f"{pages[0]} pages {fmt_s(median(long))} vs 5 pages {fmt_s(median(short))}",
                  ratio <= 1.6)


ROWS = [
    Row("help", "reportgen --help", "", row_help),
    Row("check", "reportgen check", "", row_check),
    Row("cold", "cold build vs python-docx + soffice", "≤ 0.6×", row_cold),
    Row("rebuild", "unchanged rebuild vs cold build", "≤ 0.1×", row_rebuild),
    Row("pdf-size", "sample PDF size vs Typst's", "≤ 1.0×", row_pdf_size),
    Row("jobs", "100 years: 1 job vs 2 (speed-up)", "≥ 1.8×", row_jobs),
    Row("memory", "peak memory of that run per worker", "≤ 1.3×", row_memory),
    Row("long", "the body ×10 vs the sample, cold", "≤ 1.6×", row_long),
]


def table(results: list[tuple[Row, Result, float]]) -> str:
    head = ("row", "ratio", "goal", "met", "measured")
    lines = [[r.label, "—" if res.ratio is None else f"{res.ratio:.2f}×", r.goal or "—",
              "" if res.met is None or res.ratio is None else ("yes" if res.met else "no"),
              f"{res.measured}  [{fmt_s(took)}]"] for r, res, took in results]
    widths = [max(len(x[i]) for x in [head, *lines]) for i in range(4)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths) + "  {}"
    return "\n".join(fmt.format(*x) for x in [head, *lines])


def compile_bytecode() -> None:
    """reportgen's modules (and the peers') compiled to bytecode, as an installed package is: where
    PYTHONDONTWRITEBYTECODE is set, or a module changed since its bytecode was written, every timed
    process would otherwise compile it again (about 12 ms for five modules) [MEAS]."""
    import compileall

    import reportgen

    for folder in (Path(reportgen.__file__).parent, PEERS):
        compileall.compile_dir(str(folder), quiet=1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="runs of each side of a ratio (default 5)")
    ap.add_argument("--only", action="append", default=[], metavar="ROW",
                    help="measure only these rows (repeatable or comma-separated): " + ", ".join(r.key for r in ROWS))
    opts = ap.parse_args()
    keys = {k for arg in opts.only for k in arg.split(",") if k}
    unknown = keys - {r.key for r in ROWS}
    if unknown:
        ap.error(f"unknown row {', '.join(sorted(unknown))}; rows: {', '.join(r.key for r in ROWS)}")
    rows = [r for r in ROWS if not keys or r.key in keys]
    start = time.perf_counter()
    compile_bytecode()
    with tempfile.TemporaryDirectory(prefix="reportgen-bench-") as tmp:
        bench = Bench(Path(tmp), opts.runs)
        print(f"reportgen benchmark: {opts.runs} run(s) of each side, medians; {os.cpu_count()} cores; "
              f"build --jobs {'yes' if bench.has_jobs else 'not built'}, "
              f"--force {'yes' if bench.has_force else 'not built'}", flush=True)
        results = []
        for row in rows:
            t0 = time.perf_counter()
            results.append((row, row.measure(bench), time.perf_counter() - t0))
            print(f"  {row.key}: {results[-1][1].measured}", file=sys.stderr, flush=True)
    print(table(results))
    print(f"total {fmt_s(time.perf_counter() - start)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
