"""Up-to-date builds: a build whose inputs did not change writes nothing (every output keeps its inode and
mtime) and says so per document; a change to any one input (a character of the data, a template, the layout,
a font in fonts/, settings appearing) rebuilds that document; --force rebuilds; the record is a cache
(deleting it, or copying the project, only costs a rebuild). No timing here: the benchmark measures speed."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, make_project, run_cli

UP_TO_DATE = "output/2023：已是最新，未重写"
FONTS = Path("/usr/share/fonts/truetype/dejavu")


def stats(folder: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime) of every file under ``folder``."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build(project: Path, *args: str):
    proc = run_cli("build", *args, cwd=project)
    assert proc.returncode == 0, proc.stderr
    return proc


def rebuilt(proc) -> bool:
    """Whether the build wrote the document again (and did not call it up to date)."""
    written = "已写入 output/2023/report-2023.pdf" in proc.stdout
    assert written != (UP_TO_DATE in proc.stdout), proc.stdout
    return written


@pytest.fixture
def project(tmp_path) -> Path:
    project = make_project(tmp_path / "project")
    build(project)
    return project


def test_an_unchanged_rebuild_writes_nothing(project):
    before = stats(project / "output")
    proc = build(project)
    assert proc.stdout.splitlines() == [UP_TO_DATE]
    assert stats(project / "output") == before  # no output rewritten: same inodes, same mtimes
    result = json.loads(build(project, "--json").stdout)
    assert result["ok"] and result["outputs"] == []
    assert result["up_to_date"] == [{"id": "2023", "path": "output/2023"}]
    assert stats(project / "output") == before
    # Touched but unchanged (a checkout, a save without an edit): still up to date.
    data = project / "data" / "years" / "2023.yaml"
    os.utime(data, ns=(data.stat().st_atime_ns, data.stat().st_mtime_ns + 10**9))
    assert not rebuilt(build(project))
    record = json.loads((project / "output" / ".build" / "2023.json").read_text(encoding="utf-8"))
    stat = {name: stat for name, stat, _digest in record["files"]}["data/years/2023.yaml"]
    assert stat[1] == data.stat().st_mtime_ns  # restamped: the next check does not hash it again
    assert {k: v for k, v in stats(project / "output").items() if not k.startswith(".build")} == \
           {k: v for k, v in before.items() if not k.startswith(".build")}
    assert not rebuilt(build(project))


def test_a_character_of_the_data_rebuilds_and_force_rebuilds(project):
    data = project / "data" / "years" / "2023.yaml"
    text = data.read_text(encoding="utf-8")
    assert "法治" in text
    data.write_text(text.replace("法治", "法制", 1), encoding="utf-8")
    assert rebuilt(build(project))
    assert "法制" in (project / "output" / "2023" / "report-2023.txt").read_text(encoding="utf-8")
    assert not rebuilt(build(project))
    before = stats(project / "output" / "2023")
    assert rebuilt(build(project, "--force"))
    after = stats(project / "output" / "2023")
    assert after.keys() == before.keys() and all(after[k] != before[k] for k in before)
    # The record is a cache: without it, the document is built again.
    shutil.rmtree(project / "output" / ".build")
    assert rebuilt(build(project))
    assert not rebuilt(build(project))


def test_a_template_and_a_layout_override_rebuild(project):
    override = project / "templates" / "report"
    override.mkdir(parents=True)
    shutil.copy(ROOT / "templates" / "report" / "document.xml.j2", override / "document.xml.j2")
    assert rebuilt(build(project))  # a new override: the folder's listing changed
    assert not rebuilt(build(project))
    template = override / "document.xml.j2"
    template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert rebuilt(build(project))  # the override's bytes changed
    (override / "layout.toml").write_text("# an overlay that changes nothing yet\n", encoding="utf-8")
    assert rebuilt(build(project))
    assert not rebuilt(build(project))
    (override / "layout.toml").write_text("# an overlay that changes nothing yet \n", encoding="utf-8")
    assert rebuilt(build(project))


def test_a_font_in_fonts_and_the_settings_rebuild(project):
    fonts = project / "fonts"
    fonts.mkdir()
    shutil.copy(FONTS / "DejaVuSans.ttf", fonts / "office.ttf")
    assert rebuilt(build(project))
    assert not rebuilt(build(project))
    shutil.copy(FONTS / "DejaVuSans-Bold.ttf", fonts / "office.ttf")  # same name, other bytes
    assert rebuilt(build(project))
    (project / "reportgen.toml").write_text('organ = "某县司法局"\n', encoding="utf-8")
    assert rebuilt(build(project))  # settings that were not there before
    assert not rebuilt(build(project))


def test_a_copied_project_checks_its_own_files(project, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(project, copy)
    assert not rebuilt(build(copy))  # its files have new inodes, the same bytes
    data = copy / "data" / "years" / "2023.yaml"
    data.write_text(data.read_text(encoding="utf-8").replace("法治", "法制", 1), encoding="utf-8")
    assert rebuilt(build(copy))
    assert not rebuilt(build(project))  # the original did not change
    record = json.loads((copy / "output" / ".build" / "2023.json").read_text(encoding="utf-8"))
    assert "data/years/2023.yaml" in [name for name, _stat, _digest in record["files"]]  # named within the project


def test_the_user_cache_changes_no_byte(tmp_path):
    # The same inputs give the same bytes with the per-user cache cold, warm, or turned off.
    project = make_project(tmp_path / "project")
    cache = tmp_path / "cache"
    outputs = []
    for setting in (str(cache), str(cache), "off"):
        proc = run_cli("build", "--force", cwd=project, env={"REPORTGEN_CACHE_DIR": setting})
        assert proc.returncode == 0, proc.stderr
        outputs.append({p.name: p.read_bytes() for p in (project / "output" / "2023").iterdir() if p.is_file()})
        if setting != "off":
            assert any(cache.rglob("*"))  # the cache was used
    assert outputs[0] == outputs[1] == outputs[2]
