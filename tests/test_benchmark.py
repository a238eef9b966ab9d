"""The benchmark (benchmarks/bench_build.py) runs and prints its table, and its peers set the sample's text.

Nothing here is timed: the benchmark's cheapest rows run once to check the shape of what it prints, and
the peers are checked for the text they write (the DOCX peer's paragraphs and the Typst peer's PDF text
are the sample's, as reportgen writes them), so a ratio compares the same document.
"""
from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import ROOT, run_cli

BENCH = ROOT / "benchmarks" / "bench_build.py"
PEERS = ROOT / "benchmarks" / "peers"
sys.path.insert(0, str(ROOT / "benchmarks"))


def bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BENCH), *args], capture_output=True, text=True, timeout=120)


def typst_installed() -> bool:
    try:
        import typst  # noqa: F401
    except ImportError:
        return False
    return True


def test_benchmark_prints_a_row_per_measured_key():
    proc = bench("--runs", "1", "--only", "help", "--only", "pdf-size")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("reportgen benchmark: 1 run(s) of each side")
    assert lines[1].split() == ["row", "ratio", "goal", "met", "measured"]
    rows = lines[2:-1]
    assert [r.split("  ")[0] for r in rows] == ["reportgen --help", "sample PDF size vs Typst's"]
    assert re.fullmatch(r"reportgen --help\s+—\s+—\s+\d+\.\d\d s, peak \d+ MiB  \[\d+\.\d\d s\]", rows[0])
    if typst_installed():
        m = re.fullmatch(r"sample PDF size vs Typst's\s+(\d+\.\d\d)×\s+≤ 1\.0×\s+(yes|no)\s+"
                         r"(\d+) KB vs (\d+) KB \(5 and 5 pages; Typst took \d+\.\d\d s\)  \[\d+\.\d\d s\]", rows[1])
        assert m, rows[1]
        ratio, ours, theirs = float(m[1]), int(m[3]), int(m[4])
        assert ratio == pytest.approx(ours / theirs, abs=0.02)
        assert m[2] == ("yes" if ratio <= 1.0 else "no")
    else:
        assert "n/a (typst not installed" in rows[1]
    assert re.fullmatch(r"total \d+\.\d\d s", lines[-1])


def test_benchmark_refuses_an_unknown_row():
    proc = bench("--only", "cold,nosuch")
    assert proc.returncode == 2
    assert "unknown row nosuch" in proc.stderr and "pdf-size" in proc.stderr


def test_generated_projects_are_valid_and_their_years_match_their_files(tmp_path):
    from bench_build import MANY_YEARS, SAMPLE, long_year, many_years

    text = SAMPLE.read_text(encoding="utf-8")
    years = many_years(text)
    assert len(years) == len(MANY_YEARS) == 100
    assert all(f"\nyear: {name.removesuffix('.yaml')}\n" in body for name, body in years.items())
    folder = tmp_path / "data" / "years"
    folder.mkdir(parents=True)
    for name in (f"{MANY_YEARS[1]}.yaml", f"{MANY_YEARS[-1]}.yaml"):
        (folder / name).write_text(years[name], encoding="utf-8")
    long = long_year(text)
    (folder / "2023.yaml").write_text(long, encoding="utf-8")
    proc = run_cli("check", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert long.count("  - role: work\n") == 10 and long.count("\n  - 2023年，重庆市知识产权局坚持") == 10


@pytest.fixture(scope="module")
def peer_inputs(sample_build, tmp_path_factory):
    fonts = tmp_path_factory.mktemp("peers") / "fonts.json"
    fonts.write_text(run_cli("fonts", "--json", cwd=sample_build["project"], check=True).stdout, encoding="utf-8")
    paragraphs = [line for line in sample_build["txt"].read_text(encoding="utf-8").splitlines() if line.strip()]
    return sample_build["project"] / "data" / "years" / "2023.yaml", fonts, paragraphs


def test_docx_peer_writes_the_sample_text_on_the_layouts_page(peer_inputs, tmp_path):
    import docx

    year, fonts, paragraphs = peer_inputs
    out = tmp_path / "peer.docx"
    subprocess.run([sys.executable, str(PEERS / "docx_peer.py"), str(year), str(out), "--fonts", str(fonts)],
                   check=True)
    doc = docx.Document(str(out))
    assert [p.text for p in doc.paragraphs if p.text] == paragraphs
    section = doc.sections[0]
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    body = doc.paragraphs[2]
    assert body.paragraph_format.line_spacing.pt == pytest.approx(28.95, abs=0.05)
    assert body.runs[0].font.size.pt == 16 and body.runs[0].font.name == "Noto Serif CJK SC"


@pytest.mark.skipif(not typst_installed(), reason="typst is not installed (bash scripts/setup.sh --test)")
def test_typst_peer_sets_the_sample_text_in_reportgens_fonts(peer_inputs, sample_build, tmp_path):
    year, fonts, paragraphs = peer_inputs
    out = tmp_path / "peer.pdf"
    subprocess.run([sys.executable, str(PEERS / "typst_peer.py"), str(year), str(out), "--fonts", str(fonts)],
                   check=True)

    def text(pdf):  # the characters, without page numbers and line breaks
        raw = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        return re.sub(r"\s+", "", re.sub(r"— \d+ —", "", raw))

    assert text(out) == text(sample_build["pdf"]) == "".join(paragraphs)

    def families(pdf):  # the embedded faces, subset tags and encodings aside: "notoserifcjksc-bold"
        listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        return {re.sub(r"[^a-z]|identityh$", "", line.split()[0].split("+", 1)[1].lower())
                for line in listing.splitlines()[2:]}

    assert len(families(out)) == len(families(sample_build["pdf"])) == 5
