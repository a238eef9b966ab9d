"""The two sides of a diff: ``2023``, ``2020-0584@HEAD~1``, ``2023@<commit>``, ``2023@v1`` or a path.

Every side goes through the same pipeline as ``reportgen build`` (load, validate, render), so a diff
compares what would be published, not the YAML text.

* ``<id>``          — the project's document of that id (``data/years/2023.yaml``, ``data/replies/2020-0584.yaml``);
* ``<id>@REV``      — that file at a git revision, at its path in the project today
                      (``git show REV:./data/replies/2020-0584.yaml``; for a year without a file today,
                      ``data/years/<year>.yaml``);
* ``<id>@vN``       — a frozen final: the source YAML kept in ``output/<id>/final/vN/``;
* anything else     — a path to a YAML file.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..archive import manifest as mf
from ..archive.finals import final_folder
from ..errors import EXIT_USAGE, Diagnostic, ReportgenError
from ..messages import _
from ..pipeline import Loaded, load_document
from ..project import YEARS, DocumentRef, Project, id_problem, is_year
from ..source import read_bounded

SPEC = re.compile(r"^([^@/\\]+)@(.+)$")  # an id holds no @: the first one ends it
FINAL = re.compile(r"^v\d+$")
GIT = ["git", "-c", "core.quotepath=off", "--no-pager"]
IMPORTED = (".docx", ".pdf", ".txt", ".md", ".markdown")  # a side read back by reportgen import


@dataclass
class Side:
    spec: str  # what the user typed
    label: str  # how the diff names it
    loaded: Loaded


def _final_source(project: Project, id: str, version: str) -> Path:
    """The source YAML frozen with a final: the copy its manifest names (``final.source_copy``); for a
    final whose manifest does not say, ``<id>.yaml`` in the folder (or below it), else the only YAML there."""
    folder = final_folder(project, id, version)
    final = (mf.load(folder) or {}).get("final")
    copy = final.get("source_copy") if isinstance(final, dict) else None
    if isinstance(copy, str) and copy:
        path = folder / copy
        if Path(copy).name != copy or not path.is_file():
            raise ReportgenError([Diagnostic(
                _("the final {version} of {id} has lost its source copy {name}", version=version, id=id,
                  name=copy), file=project.display(folder / mf.MANIFEST),
                hint=_("run reportgen verify {id}", id=id), code="final-source-lost")])
        return path
    yamls = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml"))
    named = [p for p in yamls if p.stem == id]
    if len(named) == 1:
        return named[0]
    if len(yamls) == 1:
        return yamls[0]
    raise ReportgenError([Diagnostic(
        _("the final {version} of {id} holds no single source file (found {n} YAML files)",
          version=version, id=id, n=len(yamls)), file=project.display(folder), code="final-source-lost")])


def git_commit(project: Project, rev: str) -> str | None:
    """The commit ``rev`` names in the project's repository (abbreviated), or None: not a revision,
    not a repository, or git not installed."""
    try:
        r = subprocess.run(GIT + ["rev-parse", "--verify", "--quiet", "--short", f"{rev}^{{commit}}"],
                           cwd=project.root, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return None
    return (r.stdout.strip() or None) if r.returncode == 0 else None


def _git_show(project: Project, spec: str, rel: str, rev: str) -> tuple[bytes, str]:
    """The bytes of the project's file ``rel`` at ``rev``, and the commit it resolved to (short)."""
    commit = git_commit(project, rev)
    if commit is None:
        if shutil.which("git") is None:
            raise ReportgenError([Diagnostic(_("git is not installed; cannot read {spec}", spec=spec), code="git-missing")], EXIT_USAGE)
        raise ReportgenError([Diagnostic(_("{rev!r} is not a git revision of the project in {dir}",
                                           rev=rev, dir=str(project.root)),
                                         hint=_("use a commit, a branch, a tag, HEAD~1, or vN for a frozen final"), code="no-revision")],
                             EXIT_USAGE)
    # Read as a file is read (source.read_bounded): at most MAX_BYTES + 1 bytes of the blob, whatever its size.
    with subprocess.Popen(GIT + ["show", f"{rev}:./{rel}"], cwd=project.root, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as shown:
        try:
            raw = read_bounded(shown.stdout, f"{rel}@{rev}")
        except ReportgenError:
            shown.kill()
            raise
        finally:
            shown.stdout.close()
        returncode = shown.wait()
    if returncode != 0:
        raise ReportgenError([Diagnostic(_("{path} does not exist at revision {rev}", path=rel, rev=rev), code="not-at-revision")],
                             EXIT_USAGE)
    return raw, commit


def _document_file(project: Project, id: str) -> DocumentRef:
    """Where the document ``id`` lives in the project: its file today; for a year without one, the annual
    report's place (``data/years/<year>.yaml``), which a git revision may still hold."""
    ref = project.document(id)
    if ref is not None:
        return ref
    if is_year(id):
        return DocumentRef(id, project.years_dir / f"{id}.yaml", YEARS)
    raise ReportgenError([Diagnostic(_("no document {id} in {dir}", id=id, dir=project.display(project.data_dir)), code="unknown-document")],
                         EXIT_USAGE)


def _imported_side(project: Project, spec: str, other: str = "") -> Side:
    """A Word-edited draft (or a .txt, .pdf, .md): imported as ``reportgen import`` would, then taken
    through the pipeline like any other side. When the project has a document of the file's name
    (2023.docx beside data/years/2023.yaml), or when the other side names one, the draft is taken into that
    file as ``import --into`` takes it, so what the import cannot know (metrics, ids, settings) is the
    file's and the diff shows the draft's edits only."""
    from ..importer import import_read, kind_and_year, read_file, read_yaml_text

    path = Path(spec)
    read = read_file(path, spec)
    m = SPEC.match(other)
    partner = m.group(1) if m else other
    today = project.document(path.stem) or (project.document(partner) if partner and id_problem(partner) is None
                                            else None)
    current = read_yaml_text(today.path, project.display(today.path)) if today is not None else ""
    kind, year = kind_and_year(current) if today is not None else ("", None)
    imported = import_read(project, read, spec, kind_name=kind, year=year)
    text = imported.text
    if today is not None:  # the draft's text in the document's file: its metrics, ids and settings kept
        from ..importer.merge import merge_into

        text = merge_into(current, imported.data, project.display(today.path)).text
    ref = DocumentRef(today.id, path, today.folder) if today is not None else DocumentRef(path.stem, path, None)
    loaded = load_document(project, ref, raw=text.encode("utf-8"), display=spec)
    imported_label = _("imported")
    return Side(spec, f"{spec} ({imported_label})", loaded)


def load_side(project: Project, spec: str, other: str = "") -> Side:
    """A side of the diff; ``other`` is the other side's spec: a draft compared with a document (``diff 2023
    draft.docx``) is read into that document's file when its own name names none."""
    m = SPEC.match(spec)
    if m and id_problem(m.group(1)) is None and not Path(spec).is_file():
        id, rev = m.group(1), m.group(2)
        folder = final_folder(project, id, rev)
        if FINAL.match(rev) and folder.is_dir():
            path = _final_source(project, id, rev)
            today = project.document(id)  # the final is checked as the document it was frozen from
            ref = DocumentRef(id, path, today.folder if today is not None else None)
            return Side(spec, f"{spec} ({project.display(path)})", load_document(project, ref))
        if FINAL.match(rev) and git_commit(project, rev) is None:
            raise ReportgenError([Diagnostic(_("no frozen final {version} for {id}: {dir} does not exist",
                                               version=rev, id=id, dir=project.display(folder)),
                                             hint=_("run reportgen finalize {id} first, or name a git revision",
                                                    id=id), code="no-final")], EXIT_USAGE)
        ref = _document_file(project, id)
        rel = ref.path.relative_to(project.root).as_posix()
        raw, commit = _git_show(project, spec, rel, rev)
        return Side(spec, f"{spec} ({commit})", load_document(project, ref, raw=raw, display=f"{rel}@{rev}"))
    if Path(spec).suffix.lower() in IMPORTED and Path(spec).is_file():
        return _imported_side(project, spec, other)
    ref, = project.resolve([spec], check_id=False)  # a file to compare may have any name: nothing is written
    if not ref.path.is_file():
        raise ReportgenError([Diagnostic(_("no such data file: {path}", path=spec), code="unknown-document")], EXIT_USAGE)
    label = f"{spec} ({project.display(ref.path.resolve())})" if spec == ref.id else spec
    return Side(spec, label, load_document(project, ref))
