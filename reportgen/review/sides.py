"""The two sides of a diff: ``2023``, ``2023@HEAD~1``, ``2023@<commit>``, ``2023@v1`` or a path.

Every side goes through the same pipeline as ``reportgen build`` (load, validate, render), so a diff
compares what would be published, not the YAML text.

* ``2023``          — ``data/years/2023.yaml`` of the project;
* ``2023@REV``      — that file at a git revision (``git show REV:./data/years/2023.yaml`` in the project);
* ``2023@v1``       — a frozen final: the source YAML kept in ``output/2023/final/v1/``;
* anything else     — a path to a year file.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..archive import manifest as mf
from ..archive.finals import final_folder
from ..pipeline import Loaded, load_bytes, load_year
from ..project import Project
from ..errors import EXIT_USAGE, Diagnostic, ReportgenError
from ..messages import _

SPEC = re.compile(r"^(\d{4})@(.+)$")
FINAL = re.compile(r"^v\d+$")
GIT = ["git", "-c", "core.quotepath=off", "--no-pager"]


@dataclass
class Side:
    spec: str  # what the user typed
    label: str  # how the diff names it
    loaded: Loaded


def _final_source(project: Project, year: int, version: str) -> Path:
    """The source YAML frozen with a final: the copy its manifest names (``final.source_copy``); for a
    final whose manifest does not say, ``<year>.yaml`` in the folder (or below it), else the only YAML there."""
    folder = final_folder(project, year, version)
    final = (mf.load(folder) or {}).get("final")
    copy = final.get("source_copy") if isinstance(final, dict) else None
    if isinstance(copy, str) and copy:
        path = folder / copy
        if Path(copy).name != copy or not path.is_file():
            raise ReportgenError([Diagnostic(
                _("the final {version} of {year} has lost its source copy {name}", version=version, year=year,
                  name=copy), file=project.display(folder / mf.MANIFEST),
                hint=_("run reportgen verify {year}", year=year))])
        return path
    yamls = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml"))
    named = [p for p in yamls if p.name in (f"{year}.yaml", f"{year}.yml")]
    if len(named) == 1:
        return named[0]
    if len(yamls) == 1:
        return yamls[0]
    raise ReportgenError([Diagnostic(
        _("the final {version} of {year} holds no single source year file (found {n} YAML files)",
          version=version, year=year, n=len(yamls)), file=project.display(folder))])


def git_commit(project: Project, rev: str) -> str | None:
    """The commit ``rev`` names in the project's repository (abbreviated), or None: not a revision,
    not a repository, or git not installed."""
    try:
        r = subprocess.run(GIT + ["rev-parse", "--verify", "--quiet", "--short", f"{rev}^{{commit}}"],
                           cwd=project.root, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return None
    return (r.stdout.strip() or None) if r.returncode == 0 else None


def _git_show(project: Project, year: int, rev: str) -> tuple[bytes, str]:
    """The year file's bytes at ``rev``, and the commit it resolved to (short)."""
    rel = f"data/years/{year}.yaml"
    commit = git_commit(project, rev)
    if commit is None:
        if shutil.which("git") is None:
            raise ReportgenError([Diagnostic(_("git is not installed; cannot read {spec}", spec=f"{year}@{rev}"))],
                                 EXIT_USAGE)
        raise ReportgenError([Diagnostic(_("{rev!r} is not a git revision of the project in {dir}",
                                           rev=rev, dir=str(project.root)),
                                         hint=_("use a commit, a branch, a tag, HEAD~1, or vN for a frozen final"))],
                             EXIT_USAGE)
    shown = subprocess.run(GIT + ["show", f"{rev}:./{rel}"], cwd=project.root, capture_output=True, check=False)
    if shown.returncode != 0:
        raise ReportgenError([Diagnostic(_("{path} does not exist at revision {rev}", path=rel, rev=rev))],
                             EXIT_USAGE)
    return shown.stdout, commit


def load_side(project: Project, spec: str, layout=None) -> Side:
    m = SPEC.match(spec)
    if m:
        year, rev = int(m.group(1)), m.group(2)
        folder = final_folder(project, year, rev)
        if FINAL.match(rev) and folder.is_dir():
            path = _final_source(project, year, rev)
            return Side(spec, f"{spec} ({project.display(path)})", load_year(project, path, year, layout))
        if FINAL.match(rev) and git_commit(project, rev) is None:
            raise ReportgenError([Diagnostic(_("no frozen final {version} for {year}: {dir} does not exist",
                                               version=rev, year=year, dir=project.display(folder)),
                                             hint=_("run reportgen finalize {year} first, or name a git revision",
                                                    year=year))], EXIT_USAGE)
        raw, commit = _git_show(project, year, rev)
        display = f"data/years/{year}.yaml@{rev}"
        return Side(spec, f"{spec} ({commit})", load_bytes(project, raw, display, year, layout))
    (year, path), = project.resolve_years([spec])
    if not path.is_file():
        raise ReportgenError([Diagnostic(_("no such year file: {path}", path=spec))], EXIT_USAGE)
    shown = project.display(path.resolve())
    label = f"{spec} ({shown})" if spec.isdigit() else spec
    return Side(spec, label, load_year(project, path, year, layout))

