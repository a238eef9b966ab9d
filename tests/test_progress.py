"""Progress of a build over several documents: one line per document on a pipe, a bar redrawn in place on a
terminal, nothing with -q; standard output (and --json) never holds it."""
from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys

import pytest

from conftest import run_cli, three_documents

from reportgen.cli import parser

# The ids in the order build takes them (project.documents: by id).
IDS = ("2020-0584", "2023", "2023-ip-work-points")


def progress_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if "正在排版" in line or "已排版" in line]


# One process (--jobs 1): each document is announced before it is typeset. Worker processes (--jobs 2):
# each is announced once built, in the stable order of the run.
@pytest.mark.parametrize("jobs, word", [("1", "正在排版"), ("2", "已排版")])
def test_piped_stderr_gets_one_line_per_document_in_order(tmp_path, jobs, word):
    project = three_documents(tmp_path / "project")
    proc = run_cli("build", "--jobs", jobs, cwd=project, check=True)
    lines = proc.stderr.splitlines()
    assert len(lines) == 3, proc.stderr
    for n, (line, id) in enumerate(zip(lines, IDS), 1):
        assert re.fullmatch(rf"\[{n}/3\] {word} {re.escape(id)}：\S+", line), line
    assert "2023年法治建设情况" in lines[1]  # the document's title
    assert not progress_lines(proc.stdout)
    # Each document's txt, docx, pdf, html, manifest and SHA256SUMS, document by document.
    written = [re.search(r"output/([^/]+)/", line).group(1) for line in proc.stdout.splitlines()]
    assert written == [id for id in IDS for _ in range(6)]


def test_json_stays_clean(tmp_path):
    project = three_documents(tmp_path / "project")
    proc = run_cli("build", "--json", cwd=project, check=True)
    result = json.loads(proc.stdout)  # nothing but the JSON on stdout
    assert result["ok"] and [o["id"] for o in result["outputs"] if o["format"] == "pdf"] == list(IDS)
    assert len(progress_lines(proc.stderr)) == 3 and proc.stderr.count("\n") == 3


def test_quiet_silences_it(tmp_path):
    project = three_documents(tmp_path / "project")
    proc = run_cli("build", "-q", cwd=project, check=True)
    assert proc.stderr == ""
    assert len(proc.stdout.splitlines()) == 18  # the outputs are still listed
    assert (project / "output" / "2023-ip-work-points").is_dir()
    # -q/--quiet is a common option: before the command too.
    assert parser().parse_args(["-q", "build"]).quiet and parser().parse_args(["build", "--quiet"]).quiet
    assert not parser().parse_args(["build"]).quiet


def test_terminal_gets_a_bar_redrawn_in_place_and_cleared(tmp_path):
    project = three_documents(tmp_path / "project")
    master, slave = pty.openpty()  # stderr is a terminal; stdout a pipe
    env = {**os.environ, "LANG": "C.UTF-8", "TERM": "xterm"}
    env.pop("LANGUAGE", None)
    proc = subprocess.Popen([sys.executable, "-m", "reportgen", "build", "--jobs", "1"], cwd=project, stdout=subprocess.PIPE,
                            stderr=slave, env=env)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the terminal's last writer is gone
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    out, _err = proc.communicate(timeout=300)
    assert proc.returncode == 0, seen
    text = seen.decode("utf-8")
    assert "\n" not in text.replace("\r\n", "\n").strip("\n")  # one line, redrawn
    draws = [d for d in text.split("\r") if d]
    assert [re.search(r" (\d)/3 正在排版 (\S+)：", d).groups() for d in draws[:3]] == \
           [(str(n), id) for n, id in enumerate(IDS, 1)]
    assert draws[0].startswith("░" * 20) and draws[2].startswith("█" * 13)  # the bar fills
    assert all(len(d) < 80 for d in draws)  # clipped to the terminal (80 columns when it says none)
    assert text.endswith("\r\x1b[K")  # cleared at the end
    assert len(out.decode().splitlines()) == 18 and "正在排版" not in out.decode()
