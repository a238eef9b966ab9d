"""Issue 12: files, folders and templates — containment, OS errors as messages, the atomic switch.

Each test is built from a reproducer of the reliability probe (findings F10–F17). Tests run as root
here and in CI, where chmod does not bite: permission and disk-full failures are simulated by making
the system call raise the errno (monkeypatch), and said so in the test.
"""
from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT, finalizable_project as make_project, run_cli

SECRET = "TOPSECRET-tpl-42"


def tree(folder: Path) -> dict[str, bytes | str]:
    """Every entry under ``folder`` (not following links): files by their bytes, links by their target."""
    out: dict[str, bytes | str] = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_symlink():
            out[rel] = "-> " + os.readlink(p)
        elif p.is_file():
            out[rel] = p.read_bytes()
        else:
            out[rel] = "dir"
    return out


def no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr


def change_data(project: Path) -> None:
    path = project / "data" / "years" / "2023.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("取得明显成效", "取得显著成效", 1), encoding="utf-8")


def faulty_command(fault: str, *args: str) -> list[str]:
    """``python -c`` running ``reportgen ARGS`` after ``fault`` (Python source, with ``os``, ``errno`` and
    ``Path`` imported) has replaced a function: how a full disk or a refused permission is simulated
    here (tests run as root, and no small file system can be mounted)."""
    code = ("import errno, os, sys\nfrom pathlib import Path\n" + fault +
            "\nfrom reportgen.cli import main\nsys.exit(main(sys.argv[1:]))")
    return [sys.executable, "-c", code, *args]


def run_faulty(project: Path, fault: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "LANG": "C.UTF-8"}
    env.pop("LANGUAGE", None)
    return subprocess.run(faulty_command(fault, *args, "--lang", "en"), cwd=project, capture_output=True,
                          text=True, env=env)


# Typesetting stands in for the real one where a test is about writing, not about the outputs' content.
FAST = """
import reportgen.build as b
b.render_outputs = lambda project, item, chains, formats=b.FORMATS, typesetter=None: {
    f: f"{f} of {item.id}, {len(item.raw)} bytes of data".encode() for f in formats}
"""

@pytest.fixture(scope="module")
def finalized(tmp_path_factory) -> Path:
    """A project built and finalized once (v1), with a user's file in output/2023/; copy it before use."""
    project = make_project(tmp_path_factory.mktemp("files") / "project")
    run_cli("build", cwd=project, check=True)
    run_cli("finalize", "2023", cwd=project, check=True)
    (project / "output" / "2023" / "notes.txt").write_text("my notes\n", encoding="utf-8")
    return project


@pytest.fixture
def project(finalized, tmp_path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(finalized, copy, symlinks=True)
    return copy


@pytest.fixture
def outside(tmp_path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / ".thesis.tmp").write_text("precious\n", encoding="utf-8")
    return folder


# ── containment: no symlink out of the project, none into finals (F13, F14, F15) ───────────────


def test_a_linked_year_folder_is_refused_and_nothing_outside_is_touched(project, outside):
    # F13: build wrote all five files through output/2023 → outside, and deleted outside/.thesis.tmp.
    year = project / "output" / "2023"
    year.rename(project / "output" / "2023.real")
    year.symlink_to(outside)
    before = tree(outside)
    proc = run_cli("build", "--lang", "en", cwd=project)
    no_traceback(proc)
    assert proc.returncode == 1
    assert "output/2023 is a symbolic link" in proc.stderr
    assert tree(outside) == before  # nothing written there, nothing deleted
    for command in (["finalize", "2023"], ["verify"]):
        proc = run_cli(*command, "--lang", "en", cwd=project)
        no_traceback(proc)
        assert proc.returncode == 1 and "output/2023 is a symbolic link" in proc.stderr, proc.stderr
    assert tree(outside) == before


def test_a_linked_output_folder_is_refused(tmp_path, outside):
    project = make_project(tmp_path / "p")
    (project / "output").symlink_to(outside)
    before = tree(outside)
    for command in (["build"], ["finalize", "2023"], ["verify"]):
        proc = run_cli(*command, "--lang", "en", cwd=project)
        no_traceback(proc)
        assert proc.returncode == 1 and "output is a symbolic link" in proc.stderr, (command, proc.stderr)
    assert tree(outside) == before  # not even a .lock


def test_a_linked_lock_creates_nothing_outside(tmp_path, outside):
    project = make_project(tmp_path / "p")
    (project / "output").mkdir()
    (project / "output" / ".lock").symlink_to(outside / "new-file")
    for command in (["build"], ["finalize", "2023"]):
        proc = run_cli(*command, "--lang", "en", cwd=project)
        no_traceback(proc)
        assert proc.returncode == 1 and "output/.lock is a symbolic link" in proc.stderr, proc.stderr
    assert not (outside / "new-file").exists()


def test_a_linked_final_folder_is_refused(project, outside):
    # F13: finalize wrote v2/ into the link's target.
    folder = project / "output" / "2023"
    (folder / "final").rename(project / "kept-final")
    (folder / "final").symlink_to(outside)
    change_data(project)
    before = tree(outside)
    for command in (["build"], ["finalize", "2023"]):
        proc = run_cli(*command, "--lang", "en", cwd=project)
        no_traceback(proc)
        assert proc.returncode == 1 and "output/2023/final is a symbolic link" in proc.stderr, proc.stderr
    assert tree(outside) == before


def test_a_year_folder_linked_into_a_final_cannot_overwrite_it(project):
    # F14: as root, build rewrote all five files of v1 through output/2023 → 2023.real/final/v1.
    out = project / "output"
    (out / "2023").rename(out / "2023.real")
    frozen = tree(out / "2023.real" / "final" / "v1")
    (out / "2023").symlink_to("2023.real/final/v1")
    change_data(project)
    proc = run_cli("build", "--lang", "en", cwd=project)
    no_traceback(proc)
    assert proc.returncode == 1 and "output/2023 is a symbolic link" in proc.stderr
    assert tree(out / "2023.real" / "final" / "v1") == frozen


def test_a_planted_link_as_the_finals_staging_folder_is_refused(project, outside):
    # F15: final/.v2.tmp → outside made finalize crash in rmtree (a traceback).
    change_data(project)
    assert run_faulty(project, FAST, "build").returncode == 0
    (project / "output" / "2023" / "final" / ".v2.tmp").symlink_to(outside)
    before = tree(outside)
    proc = run_cli("finalize", "2023", "--lang", "en", cwd=project)
    no_traceback(proc)
    assert proc.returncode == 1
    assert "output/2023/final/.v2.tmp is a symbolic link" in proc.stderr
    assert tree(outside) == before
    assert not (project / "output" / "2023" / "final" / "v2").exists()


# ── templates (F12) ─────────────────────────────────────────────────────────────────────────────


def _override(project: Path, body: str) -> Path:
    """templates/report/document.xml.j2: the built-in template with ``body`` before the sections."""
    source = (ROOT / "templates" / "report" / "document.xml.j2").read_text(encoding="utf-8")
    marker = "{{- rg.sections(sections) }}"
    assert marker in source
    target = project / "templates" / "report" / "document.xml.j2"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(source.replace(marker, body + "\n" + marker), encoding="utf-8")
    return target


def test_a_linked_template_is_not_included(tmp_path):
    project = make_project(tmp_path / "p")
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    _override(project, '<p role="opening" src="x">{% include "report/link.j2" %}</p>')
    (project / "templates" / "report" / "link.j2").symlink_to(secret)
    for command in ("check", "build"):
        proc = run_cli(command, "--lang", "en", cwd=project)
        no_traceback(proc)
        assert proc.returncode == 1
        assert "templates/report/link.j2: error: refused: templates/report/link.j2 is a symbolic link" in proc.stderr
        assert SECRET not in proc.stderr + proc.stdout
    assert not (project / "output" / "2023").exists()


def test_a_linked_kind_template_is_refused_without_echoing_it(tmp_path):
    project = make_project(tmp_path / "p")
    (project / "templates" / "report").mkdir(parents=True)
    (project / "templates" / "report" / "document.xml.j2").symlink_to("/etc/passwd")
    proc = run_cli("build", "--lang", "en", cwd=project)
    no_traceback(proc)
    assert proc.returncode == 1
    assert "templates/report/document.xml.j2 is a symbolic link" in proc.stderr
    assert "root:" not in proc.stderr
    assert not (project / "output" / "2023").exists()


def test_a_linked_kind_folder_is_refused(tmp_path):
    # The probe's data-selected kind: kind: evil, with the kind's files reached through a link.
    project = make_project(tmp_path / "p")
    evil = tmp_path / "evil"
    shutil.copytree(ROOT / "templates" / "report", evil)
    (evil / "kind.toml").write_text('label = "evil"\noutput = "evil-{id}"\n', encoding="utf-8")
    (project / "templates").mkdir()
    (project / "templates" / "evil").symlink_to(evil)
    path = project / "data" / "years" / "2023.yaml"
    path.write_text("kind: evil\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    proc = run_cli("check", "--lang", "en", cwd=project)
    no_traceback(proc)
    assert proc.returncode == 1 and "templates/evil is a symbolic link" in proc.stderr, proc.stderr


def test_a_linked_project_font_is_refused(tmp_path):
    project = make_project(tmp_path / "p")
    (project / "fonts").mkdir()
    (project / "fonts" / "office.ttf").symlink_to(tmp_path / "elsewhere.ttf")
    for command in ("check", "fonts"):
        proc = run_cli(command, "--lang", "en", cwd=project)
        no_traceback(proc)
        assert proc.returncode == 1 and "fonts/office.ttf is a symbolic link" in proc.stderr, proc.stderr


NESTED = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"


def _render_override(project: Path):
    from reportgen.errors import ReportgenError
    from reportgen.kinds import load_kind
    from reportgen.render import render_markup
    from reportgen.source import load_source

    kind = load_kind(project, "report")
    data = load_source(project / "data" / "years" / "2023.yaml", "2023.yaml").data
    with pytest.raises(ReportgenError) as failed:
        render_markup(project, kind, data)
    return failed.value.diagnostics[0]


@pytest.mark.parametrize("where", ["main thread (timer)", "other thread (call hook)"])
def test_a_template_that_runs_too_long_is_a_located_error(tmp_path, monkeypatch, where):
    # F12: nested range(100000) loops ran until killed at 60 s; now a located error at the limit.
    from reportgen import messages, render

    monkeypatch.setattr(render, "RENDER_SECONDS", 0.5)
    monkeypatch.setattr(messages, "_lang", "en")
    project = make_project(tmp_path / "p")
    template = _override(project, NESTED)
    line = template.read_text(encoding="utf-8").splitlines().index(NESTED) + 1
    start = time.monotonic()
    if where.startswith("main"):
        diag = _render_override(project)
    else:
        found = []
        thread = threading.Thread(target=lambda: found.append(_render_override(project)))
        thread.start()
        thread.join(30)
        diag, = found
    assert time.monotonic() - start < 10
    assert diag.file == "templates/report/document.xml.j2" and diag.line == line
    assert "ran longer than 0.5 s" in diag.message


# ── OS errors are messages (F11) ────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("case", ["output is a file", "output/2023 is a file", ".lock is a folder"])
def test_odd_output_folders_are_messages(tmp_path, case):
    project = make_project(tmp_path / "p")
    if case == "output is a file":
        (project / "output").write_text("x", encoding="utf-8")
        expected = "output is a file, but reportgen needs a folder there"
    elif case == "output/2023 is a file":
        (project / "output").mkdir()
        (project / "output" / "2023").write_text("x", encoding="utf-8")
        expected = "output/2023 is a file, but reportgen needs a folder there"
    else:
        (project / "output" / ".lock").mkdir(parents=True)
        expected = "cannot use output/.lock: it is a folder, not a file"
    before = tree(project)
    for command in (["build"], ["finalize", "2023"]):
        proc = run_cli(*command, "--lang", "en", cwd=project)
        no_traceback(proc)
        assert proc.returncode == 1 and expected in proc.stderr, (command, proc.stderr)
    assert tree(project) == before


def test_a_project_that_is_a_file_is_a_usage_error(tmp_path):
    file = tmp_path / "file"
    file.write_text("x", encoding="utf-8")
    proc = run_cli("-C", str(file), "finalize", "2023", "--lang", "en", cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 2 and f"-C {file}: it is not a folder" in proc.stderr


def test_a_file_size_limit_is_a_translated_message(tmp_path):
    # F11: prlimit --fsize=100000 gave an OSError traceback. reportgen ignores SIGXFSZ itself, so the
    # write fails with EFBIG (instead of the process being killed) and is reported.
    project = make_project(tmp_path / "p")

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))

    env = {**os.environ, "LANG": "zh_CN.UTF-8"}
    env.pop("LANGUAGE", None)
    proc = subprocess.run([sys.executable, "-m", "reportgen", "build"], cwd=project, capture_output=True, text=True,
                          env=env, preexec_fn=limit)
    no_traceback(proc)
    assert proc.returncode == 1
    assert "文件超过了系统允许的大小" in proc.stderr and "output/2023" in proc.stderr, proc.stderr
    assert sorted(p.name for p in (project / "output").iterdir()) == [".lock"]  # nothing half-written


FULL_DISK = FAST + """
real_fsync = os.fsync
def full(fd):
    if os.readlink(f"/proc/self/fd/{fd}").endswith(".pdf"):
        raise OSError(errno.ENOSPC, "No space left on device")
    return real_fsync(fd)
os.fsync = full
"""


def test_a_full_disk_leaves_the_previous_build(project):
    # F11 (simulated: fsync fails with ENOSPC while the new PDF is written).
    folder = project / "output" / "2023"
    before = tree(folder)
    change_data(project)
    proc = run_faulty(project, FULL_DISK, "build")
    no_traceback(proc)
    assert proc.returncode == 1 and "cannot use output/2023: no space left on the device" in proc.stderr, proc.stderr
    assert tree(folder) == before
    assert [p.name for p in (project / "output").iterdir() if p.name.startswith(".2023")] == []


LOCK_REFUSED = FAST + """
real_open = os.open
def refuse(path, flags, *args, **kwargs):
    if str(path).endswith(".lock"):
        raise OSError(errno.{errno}, "nope", str(path))
    return real_open(path, flags, *args, **kwargs)
os.open = refuse
"""


@pytest.mark.parametrize("command, code, reason", [("build", "EROFS", "the file system is read-only"),
                                                   ("finalize", "EACCES", "permission denied")])
def test_an_unwritable_lock_is_a_message(tmp_path, command, code, reason):
    # F11 (simulated: root ignores modes): opening output/.lock for writing fails with EROFS / EACCES.
    project = make_project(tmp_path / "p")
    (project / "output").mkdir()
    proc = run_faulty(project, LOCK_REFUSED.replace("{errno}", code), command,
                      *(["2023"] if command == "finalize" else []))
    no_traceback(proc)
    assert proc.returncode == 1 and f"cannot use output/.lock: {reason}" in proc.stderr, proc.stderr


FINAL_NOT_MOVABLE = FAST + """
real_rename = os.rename
def refuse(src, dst, *args, **kwargs):
    if Path(src).name == "final":
        raise PermissionError(errno.EACCES, "Permission denied", str(src))
    return real_rename(src, dst, *args, **kwargs)
os.rename = refuse
"""


def test_an_unwritable_year_folder_is_a_message(project):
    # F11 (simulated: root ignores mode 555): the switch cannot move output/2023/final.
    folder = project / "output" / "2023"
    before = tree(folder)
    change_data(project)
    proc = run_faulty(project, FINAL_NOT_MOVABLE, "build")
    no_traceback(proc)
    assert proc.returncode == 1 and "cannot use output/2023: permission denied" in proc.stderr, proc.stderr
    assert tree(folder) == before
    assert [p.name for p in (project / "output").iterdir() if p.name.startswith(".2023")] == []


# ── commands that fail create nothing (F17) ─────────────────────────────────────────────────────


def test_a_missing_project_folder_is_not_created(tmp_path):
    missing = tmp_path / "nonexistent" / "dir"
    for command in (["finalize", "2023"], ["build"], ["verify"]):
        proc = run_cli("-C", str(missing), *command, "--lang", "en", cwd=tmp_path)
        no_traceback(proc)
        assert proc.returncode == 2 and f"-C {missing}: no such folder" in proc.stderr
    assert not (tmp_path / "nonexistent").exists()


def test_diff_and_extract_do_not_create_missing_folders(finalized, tmp_path):
    missing = tmp_path / "nonexistent" / "dir"
    proc = run_cli("diff", "2023", "2023", "--html", str(missing / "x.html"), "--lang", "en", cwd=finalized)
    no_traceback(proc)
    assert proc.returncode == 1 and f"the folder {missing} does not exist" in proc.stderr, proc.stderr
    pdf = finalized / "output" / "2023" / "report-2023.pdf"
    proc = run_cli("extract", str(pdf), "-o", str(missing / "x.yaml"), "--lang", "en", cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 1 and f"the folder {missing} does not exist" in proc.stderr, proc.stderr
    assert not (tmp_path / "nonexistent").exists()


# ── the switch to a new build is atomic as a whole (F10) ────────────────────────────────────────


@pytest.mark.parametrize("name", ["report-2023.pdf", "manifest.json"])
def test_a_folder_where_an_output_goes_is_refused_before_anything_changes(project, name):
    # F10: report-2023.pdf (or manifest.json) a non-empty folder → txt and docx already replaced, then a
    # traceback, and verify reported txt/docx changed.
    folder = project / "output" / "2023"
    (folder / name).unlink()
    (folder / name).mkdir()
    (folder / name / "keep.txt").write_text("mine\n", encoding="utf-8")
    before = tree(folder)
    change_data(project)
    proc = run_cli("build", "--lang", "en", cwd=project)
    no_traceback(proc)
    assert proc.returncode == 1
    assert f"output/2023/{name} is a folder, but reportgen writes a file of that name" in proc.stderr
    assert tree(folder) == before


def test_verify_reports_sums_that_are_a_folder(project):
    folder = project / "output" / "2023"
    (folder / "SHA256SUMS").unlink()
    (folder / "SHA256SUMS").mkdir()
    proc = run_cli("verify", "--lang", "en", cwd=project)
    no_traceback(proc)
    assert proc.returncode == 1 and "output/2023/SHA256SUMS: error: cannot read it" in proc.stderr


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


FALLBACK = "import reportgen.output as o\no._exchange = lambda a, b: False  # as where renameat2 is refused\n"


@pytest.mark.parametrize("step", ["SHA256SUMS", "@final", "@switch", "@fallback", "@cleanup"])
def test_a_build_killed_at_any_step_leaves_all_old_or_all_new(project, step):
    """Kill the build at each step of the switch; at no point is the folder a mix: verify passes, and
    the top-level files are wholly the old build or wholly the new one. Finals and a user's file survive.
    (test_archive kills a build with the real typesetting; here it is stubbed, to keep this fast.)"""
    out = project / "output"
    folder = out / "2023"
    old = {k: v for k, v in tree(folder).items() if "/" not in k}
    finals = {k: v for k, v in tree(folder).items() if k.startswith("final")}
    change_data(project)
    new_source = _sha(project / "data" / "years" / "2023.yaml")
    env = {**os.environ, "LANG": "C.UTF-8", "REPORTGEN_TEST_PAUSE_BEFORE_RENAME": f"{step}:120"}
    fault = FAST + (FALLBACK if step == "@fallback" else "")  # the switch is the point, not the typesetting
    proc = subprocess.Popen(faulty_command(fault, "build"), cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    try:
        line = proc.stderr.readline()  # the hook announces the pause
        assert line.strip() == f"reportgen-test-pause: {step}", line + proc.stderr.read()
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        proc.stderr.close()
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".2023.")]
    assert leftovers  # the kill did interrupt the switch
    checked = run_cli("verify", "--lang", "en", cwd=project)  # recovers first, under the lock
    assert checked.returncode == 0, checked.stderr
    assert [p.name for p in out.iterdir() if p.name.startswith(".2023.")] == []
    now = tree(folder)
    top = {k: v for k, v in now.items() if "/" not in k}
    manifest = json.loads(top["manifest.json"])
    if step == "@cleanup":  # switched already: wholly new
        assert manifest["source"]["sha256"] == new_source
        assert all(top[k] != old[k] for k in ("report-2023.txt", "manifest.json", "SHA256SUMS"))
    else:  # rolled back: wholly old
        assert top == old
    assert {k: v for k, v in now.items() if k.startswith("final")} == finals
    assert top["notes.txt"] == b"my notes\n"


def test_finalize_switches_the_folder_and_keeps_users_files(project):
    change_data(project)
    assert run_faulty(project, FAST, "build").returncode == 0
    folder = project / "output" / "2023"
    (folder / "sub").mkdir()
    (folder / "sub" / "a.txt").write_text("a\n", encoding="utf-8")
    run_cli("finalize", "2023", cwd=project, check=True)
    assert (folder / "final" / "v2").is_dir() and (folder / "notes.txt").read_text(encoding="utf-8") == "my notes\n"
    assert (folder / "sub" / "a.txt").read_text(encoding="utf-8") == "a\n"
    assert run_cli("verify", cwd=project).returncode == 0
    assert sorted(p.name for p in (project / "output").iterdir()) == [".build", ".lock", "2023"]  # .build: the up-to-date record


def _kill_at(project: Path, step: str) -> None:
    env = {**os.environ, "LANG": "C.UTF-8", "REPORTGEN_TEST_PAUSE_BEFORE_RENAME": f"{step}:120"}
    proc = subprocess.Popen(faulty_command(FAST, "build"), cwd=project, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr.readline().strip() == f"reportgen-test-pause: {step}"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        proc.stderr.close()


def test_the_next_build_recovers_an_interrupted_switch(project):
    folder = project / "output" / "2023"
    finals = {k: v for k, v in tree(folder).items() if k.startswith("final")}
    change_data(project)
    _kill_at(project, "@switch")
    assert not (folder / "final").exists()  # final/ sits in the staging folder now
    done = run_faulty(project, FAST, "build")
    assert done.returncode == 0, done.stderr
    assert {k: v for k, v in tree(folder).items() if k.startswith("final")} == finals
    assert sorted(p.name for p in (project / "output").iterdir()) == [".build", ".lock", "2023"]
    assert run_cli("verify", cwd=project).returncode == 0


def test_recovery_never_removes_a_folder_holding_finals(tmp_path):
    # Two final/ folders (the document's and a staging folder's) cannot both be right: both are kept.
    from reportgen.errors import ReportgenError
    from reportgen.output import recover

    out = tmp_path / "output"
    (out / "2023" / "final" / "v1").mkdir(parents=True)
    (out / ".2023.new-abcd1234" / "final" / "v1").mkdir(parents=True)
    (out / ".2023.new-abcd1234" / "final" / "v1" / "report.pdf").write_bytes(b"frozen")
    with pytest.raises(ReportgenError) as refused:
        recover(out, "2023")
    assert refused.value.diagnostics[0].file == "output/.2023.new-abcd1234"
    assert (out / ".2023.new-abcd1234" / "final" / "v1" / "report.pdf").read_bytes() == b"frozen"
    assert (out / "2023" / "final" / "v1").is_dir()


READ_ONLY_LOCK = """
real_open = os.open
def read_only(path, flags, *args, **kwargs):
    if str(path).endswith(".lock") and flags & (os.O_RDWR | os.O_WRONLY | os.O_CREAT):
        raise OSError(errno.EROFS, "Read-only file system", str(path))
    return real_open(path, flags, *args, **kwargs)
os.open = read_only
"""


def test_verify_where_it_cannot_recover_says_so(project):
    # A reader on a read-only copy (simulated: opening the lock for writing fails with EROFS) cannot put
    # an interrupted switch right; it says so, and names the staging folder holding final/.
    change_data(project)
    _kill_at(project, "@switch")
    staging, = [p for p in (project / "output").iterdir() if p.name.startswith(".2023.new-")]
    proc = run_faulty(project, READ_ONLY_LOCK, "verify")
    no_traceback(proc)
    assert proc.returncode == 1
    assert f"output/{staging.name}: error: an interrupted build left output/{staging.name}" in proc.stderr
    assert (staging / "final" / "v1").is_dir()  # nothing was changed
    assert run_cli("verify", cwd=project).returncode == 0  # where it can write, verify recovers
