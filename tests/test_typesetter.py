"""One document, a core to spare: its PDF typeset in a second process while the build does the rest
(reportgen/typesetter.py). The outputs are the same bytes as when all is done in one process; a failure
in the typesetter is the document's, located as before; a typesetter that dies or is no longer needed
leaves no process behind. No timing here: the benchmark measures speed.

Each build runs in its own interpreter (``python -c``): the typesetter is forked only where WeasyPrint
is not imported yet, which a test process cannot promise."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import make_project
from test_pool import outputs

# What a build's process says of itself when it ends: whether it imported WeasyPrint (the PDF typeset
# here) and whether a child of it is still there.
EPILOGUE = """
try:
    left = os.waitpid(-1, os.WNOHANG) != (0, 0) and "reaped late" or "running"
except ChildProcessError:
    left = "none"
sys.stderr.write(f"\\nweasyprint imported: {'weasyprint' in sys.modules}; children: {left}\\n")
"""


def run_build(project: Path, *args: str, fault: str = "") -> subprocess.CompletedProcess:
    code = ("import os, sys\n" + fault + "\nfrom reportgen.cli import main\ncode = main(sys.argv[1:])\n"
            + EPILOGUE + "sys.exit(code)\n")
    env = {**os.environ, "LANG": "C.UTF-8"}
    env.pop("LANGUAGE", None)
    return subprocess.run([sys.executable, "-c", code, "--lang", "en", "build", *args], cwd=project,
                          capture_output=True, text=True, env=env)


def said(proc: subprocess.CompletedProcess) -> str:
    return proc.stderr.rstrip().splitlines()[-1]


def test_the_pdf_typeset_beside_gives_the_same_bytes(tmp_path):
    project = make_project(tmp_path / "project")
    beside = run_build(project, "--jobs", "2", "--json")
    assert beside.returncode == 0, beside.stderr
    assert said(beside) == "weasyprint imported: False; children: none"  # typeset in the other process
    first = outputs(project)
    assert len(first) == 6 and first["2023/report-2023.pdf"].startswith(b"%PDF-")
    here = run_build(project, "--jobs", "1", "--force", "--json")
    assert said(here) == "weasyprint imported: True; children: none"
    assert outputs(project) == first
    assert json.loads(beside.stdout)["outputs"] == json.loads(here.stdout)["outputs"]


def _unsettable(project: Path) -> Path:
    """The sample with an opening paragraph whose last line runs past the 版心 (tests/test_typeset_stress.py):
    the PDF's justification refuses it, after the layout the DOCX takes its pagination from."""
    path = project / "data" / "years" / "2023.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("opening:\n", "opening:\n  - 本年度网址" + "a" * 49 + "。" + "甲" * 27 + "\n", 1),
                    encoding="utf-8")
    return path


def test_a_pdf_failure_in_the_typesetter_is_told_as_when_typeset_here(tmp_path):
    project = make_project(tmp_path / "project")
    _unsettable(project)
    beside = run_build(project, "--jobs", "2", "--json")
    here = run_build(project, "--jobs", "1", "--json")
    for proc in (beside, here):
        assert proc.returncode == 1 and said(proc).endswith("children: none"), proc.stderr
    assert said(beside).startswith("weasyprint imported: False")
    errors = json.loads(beside.stdout)["errors"]
    assert errors == json.loads(here.stdout)["errors"]
    [error] = errors
    assert (error["file"], error["line"], error["path"]) == ("data/years/2023.yaml", 8, "opening[0]")
    assert "pt too long" in error["message"]
    assert not (project / "output" / "2023").exists()  # nothing written, not even the DOCX made meanwhile


def test_a_typesetter_that_dies_fails_its_document(tmp_path):
    project = make_project(tmp_path / "project")
    killed = "import reportgen.typesetter as t\nt.PdfJob.run = lambda job, laid_out=None: os.kill(os.getpid(), 9)\n"
    proc = run_build(project, "--jobs", "2", fault=killed)
    assert proc.returncode == 1
    assert "the PDF's typesetting process ended without a result (exit status -9)" in proc.stderr
    assert said(proc) == "weasyprint imported: False; children: none"
    assert not (project / "output" / "2023").exists()
    assert run_build(project, "--jobs", "2").returncode == 0  # nothing of it stays in the way
    assert (project / "output" / "2023" / "report-2023.pdf").is_file()


def test_a_data_error_stops_the_typesetter(tmp_path):
    """The typesetter was forked before the data was read; the data is wrong: it is stopped and reaped."""
    project = make_project(tmp_path / "project")
    path = project / "data" / "years" / "2023.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("year: 2023", "year: [2023", 1), encoding="utf-8")
    proc = run_build(project, "--jobs", "2")
    assert proc.returncode == 1 and "data/years/2023.yaml" in proc.stderr
    assert said(proc) == "weasyprint imported: False; children: none"
    assert not (project / "output").exists() or not any((project / "output").glob("2023/*"))


def test_fonttools_parts_weasyprint_does_not_draw_with_are_imported_when_used():
    """writers/pdf.py DEFERRED_MODULES: not imported with WeasyPrint; what WeasyPrint took of them is
    the real thing once used."""
    code = """
import sys
from reportgen.writers.pdf import DEFERRED_MODULES, import_weasyprint
import_weasyprint()
print(sorted(m for m in DEFERRED_MODULES if m in sys.modules))
import weasyprint.pdf.fonts as fonts
from fontTools.fontBuilder import FontBuilder
static = FontBuilder(1000, isTTF=True)
static.setupGlyphOrder([".notdef"])
try:
    fonts.instantiateVariableFont(static.font, {})
except ValueError as e:
    print(e)
import fontTools.subset, fontTools.varLib.instancer
print(fonts.subset.Subsetter is fontTools.subset.Subsetter, type(sys.modules["fontTools.varLib.instancer"]).__name__)
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.splitlines() == ["[]", "Missing required table fvar", "True module"]
