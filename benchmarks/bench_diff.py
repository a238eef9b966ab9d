"""Benchmark ``reportgen diff`` on two versions of 4,000+ characters each (not a timed test).

    python benchmarks/bench_diff.py [--repeat N]

Builds a larger year (the sample's items repeated under new leads) and a revision of it with an
edit in every other item, two items added, one removed, a section heading renamed and metrics
changed; then times, best of N:

* ``compare``  — alignment + character diff + semantic summary on two loaded Documents (the diff itself);
* ``all-edited`` — the same against a version where a global replace touched almost every paragraph;
* ``terminal`` / ``html`` / ``docx`` — each output from that comparison (docx typesets both sides);
* ``worst``    — one 4,000-character paragraph against a copy with 200 scattered one-character edits;
* ``cli``      — the whole ``reportgen diff A B`` command in a fresh process (start-up, load, render, diff).
"""
from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = (ROOT / "data" / "years" / "2023.yaml").read_text(encoding="utf-8")


def big_year() -> str:
    """The sample with its five work items repeated three more times (distinct leads)."""
    m = re.search(r"    items:\n((?:      - lead: .*\n(?:        .*\n)+)+)", SAMPLE)
    items = m.group(1)
    more = [re.sub(r"lead: (.*)。", lambda mm: f"lead: {mm.group(1)}（第{k}轮）。", items) for k in range(1, 4)]
    return SAMPLE.replace(items, items + "".join(more), 1)


def revise(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    out = []
    n_item = 0
    for line in lines:
        if line.startswith("        text: "):
            n_item += 1
            body = line[len("        text: "):].rstrip("\n")
            if n_item % 2 == 0:  # drop a clause without figures (metrics must stay in the text), add one
                clauses = body.split("，")
                plain = [k for k, c in enumerate(clauses[:-1]) if not any(ch.isdigit() for ch in c)]
                if plain:
                    del clauses[rng.choice(plain)]
                sentences = "，".join(clauses).split("。")
                k = rng.randrange(len(sentences) - 1)
                sentences[k] += "，并取得新的进展"
                body = "。".join(sentences)
            line = "        text: " + body + "\n"
        out.append(line)
    text = "".join(out)
    text = text.replace("1433件", "1512件").replace("value: 1433", "value: 1512")
    text = text.replace("1954.4万元", "2103.6万元").replace("value: 1954.4", "value: 2103.6")
    text = text.replace("heading: 存在的主要问题", "heading: 存在的问题和不足")
    text = re.sub(r"      - lead: 加强知识产权普法宣传教育（第2轮）。\n(?:        .*\n)+", "", text)
    added = ("      - lead: 强化行政执法监督。\n        text: 开展行政执法案卷评查，组织执法人员参加法律知识培训2次。\n"
             "      - lead: 推进数据知识产权保护。\n        text: 开展数据知识产权登记试点，发放登记证书120件。\n")
    return text.replace("  - role: problems", added + "  - role: problems", 1)


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    from reportgen.pipeline import check_fonts, load_year
    from reportgen.project import Project
    from reportgen.document import document_paragraphs
    from reportgen.layout import load_layout
    from reportgen.review.compare import compare
    from reportgen.review.html import review_page
    from reportgen.review.redline import redline_docx
    from reportgen.review.sides import Side
    from reportgen.review.textdiff import Painter, char_diff

    rng = random.Random(9704)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        (root / "data" / "years").mkdir(parents=True)
        a_path = root / "data" / "years" / "2023.yaml"
        b_path = Path(tmp) / "b" / "2023.yaml"
        b_path.parent.mkdir()
        a_text = big_year()
        a_path.write_text(a_text, encoding="utf-8")
        b_path.write_text(revise(a_text, rng), encoding="utf-8")
        project = Project(root)
        layout = load_layout()
        a = Side("A", "A", load_year(project, a_path, 2023, layout))
        b = Side("B", "B", load_year(project, b_path, 2023, layout))
        chars = [sum(map(len, document_paragraphs(s.loaded.document))) for s in (a, b)]
        print(f"A: {chars[0]} characters in {len(document_paragraphs(a.loaded.document))} paragraphs; "
              f"B: {chars[1]} characters in {len(document_paragraphs(b.loaded.document))} paragraphs")
        result = compare(a, b)
        s = result.stats
        print(f"changes: {s.changed} changed, {s.added} added, {s.removed} removed, {s.renumbered} renumbered; "
              f"+{s.chars_inserted}/-{s.chars_deleted} characters; "
              f"{len(result.summary['metrics_changed'])} metrics changed")
        c_path = Path(tmp) / "c" / "2023.yaml"
        c_path.parent.mkdir()
        c_path.write_text(a_text.replace("知识产权", "知识产权（含数据）").replace("深入", "进一步深入"), encoding="utf-8")
        c = Side("C", "C", load_year(project, c_path, 2023, layout))
        every = compare(a, c)
        print(f"all-edited: {every.stats.changed} of {len(every.hunks)} paragraphs changed")
        rows = [("compare", best(lambda: compare(a, b), args.repeat)),
                ("all-edited", best(lambda: compare(a, c), args.repeat)),
                ("terminal", best(lambda: result.terminal(Painter(False)), args.repeat)),
                ("html", best(lambda: review_page(result), args.repeat))]
        chains = check_fonts(project, [a.loaded, b.loaded], layout)
        import datetime as dt

        rows.append(("docx", best(lambda: redline_docx(a.loaded, b.loaded, layout, chains,
                                                        date=dt.datetime(2024, 1, 1)), max(1, args.repeat // 2))))
        para = "".join(document_paragraphs(a.loaded.document))[:4000]
        edited = list(para)
        for _ in range(200):
            k = rng.randrange(len(edited))
            edited[k] = "改"
        edited = "".join(edited)
        rows.append(("worst", best(lambda: char_diff(para, edited), args.repeat)))
        cmd = [sys.executable, "-m", "reportgen", "--lang", "en", "diff", str(a_path), str(b_path)]
        rows.append(("cli", best(lambda: subprocess.run(cmd, cwd=root, capture_output=True, check=True),
                                 max(1, args.repeat // 2))))
    for name, seconds in rows:
        print(f"{name:<10} {seconds * 1000:8.1f} ms")
    ok = rows[0][1] < 1.0 and rows[1][1] < 1.0
    print("compare under one second:", "yes" if ok else "NO")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
