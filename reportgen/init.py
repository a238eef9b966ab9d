"""``reportgen init [DIR] --organ 名称 [--kind KIND] [--year N]``: a report project from nothing.

In DIR (default: the current folder, or ``-C``'s; DIR is made when missing, its parent must exist) it writes

* ``data/years/<N>.yaml`` — the first year file, from the kind's skeleton (``templates/<kind>/skeleton.yaml``,
  scaffold.from_skeleton), with 【待填写】 wherever text is to be written; N is last year unless given
  (the year before SOURCE_DATE_EPOCH's, else before today's, in China);
* ``reportgen.toml`` — the project settings: the kind's ``project.toml`` with the organ filled in (the
  report's: the organ, the title pattern, and as comments the reporting deadline and a rule's change);
* ``.reportgen/schema/`` — the copy of the kind's schema the year file's first line names (schemacopy.py);
* ``.gitignore`` — what ``build`` makes again left out of the repository, the finals kept;
* ``README.md`` — for the office: what the folder holds and the steps from writing to the final.

A folder that holds a project already (``data/`` or ``reportgen.toml``) is refused. Nothing is overwritten:
each file is created only where there is none (a ``.gitignore`` or ``README.md`` already there is kept as it
is, and said), and on a failure the files and folders made so far are removed again.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .errors import EXIT_OK, EXIT_USAGE, Diagnostic, ReportgenError
from .messages import _

STARTER = Path(__file__).resolve().parent / "starter"  # the project's files that are no kind's: README, .gitignore
#: Files that make a folder a project already: init never starts another one there.
PROJECT_MARKS = ("data", "reportgen.toml")
#: Files init writes only where there is none, keeping the one there (a folder that is a git repository already).
KEPT = (".gitignore", "README.md")


@dataclass
class Created:
    """What ``init`` did: the project folder, the year file, the files written and those kept as they were."""

    root: Path
    year_file: Path
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)


def default_year(environ=None) -> int:
    """Last year: the year before SOURCE_DATE_EPOCH's day in China, else before today's there."""
    from .clock import CHINA, Clock

    today = Clock.read(None, environ).date or dt.datetime.now(CHINA).date()
    return today.year - 1


def _usage(message: str, hint: str = "") -> ReportgenError:
    return ReportgenError([Diagnostic(message, hint=hint, code="usage")], EXIT_USAGE)


def checked_organ(organ: str) -> str:
    """The organ's name as given on the command line, trimmed: one line of text, no control character."""
    organ = organ.strip()
    if not organ:
        raise _usage(_("--organ needs the issuing organ's name, such as 某某区司法局"))
    bad = next((ch for ch in organ if unicodedata.category(ch) in ("Cc", "Zl", "Zp")), None)
    if bad is not None:
        raise _usage(_("--organ: the organ's name is one line of text; it holds U+{cp:04X}", cp=ord(bad)))
    return organ


def _refuse_project(root: Path, shown: str) -> None:
    for name in PROJECT_MARKS:
        if os.path.lexists(root / name):
            raise ReportgenError([Diagnostic(_("{dir} holds a report project already ({name}); init never "
                                               "overwrites anything", dir=shown, name=name),
                                             hint=_("reportgen new YEAR starts another year in it"), code="project-exists")])


def settings_text(project, kind: str, organ: str, year: int) -> str:
    """``reportgen.toml``: the kind's ``project.toml`` filled in (the organ as TOML text), or the organ alone."""
    import tomllib

    from .kinds import PROJECT_FILE, display_template, find_file
    from .scaffold import starter_text

    escaped = json.dumps(organ, ensure_ascii=False)[1:-1]  # a JSON string's escapes are TOML's too
    path = find_file(project.root, f"{kind}/{PROJECT_FILE}")
    if path is None:
        text = f'organ = "{escaped}"\n'
        shown = PROJECT_FILE
    else:
        shown = display_template(project.root, path)
        text = starter_text(path, shown, {"organ": escaped, "year": str(year), "next": str(year + 1)})
    try:
        settings = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ReportgenError([Diagnostic(_("{file} does not make a valid reportgen.toml: {reason}", file=shown,
                                           reason=str(e)), file=shown, code="init-settings")]) from None
    if settings.get("organ") != organ:
        raise ReportgenError([Diagnostic(_("{file} must set organ = \"{{organ}}\"", file=shown), file=shown, code="init-settings")])
    return text


def plan(project, organ: str, kind: str, year: int) -> tuple[Path, list[tuple[Path, bytes, bool]]]:
    """The year file and every file init writes: ``(path, bytes, keep)``, ``keep`` for a file that is left as
    it is when one is there already. Reads and checks everything; writes nothing."""
    from .kinds import available, load_kind
    from .scaffold import from_skeleton, starter_text

    definition = load_kind(project.root, kind)
    if definition is None:
        raise _usage(_("no document kind {kind!r}", kind=kind),
                     hint=_("known kinds: {kinds}", kinds=", ".join(available(project.root))))
    target = project.years_dir / f"{year}.yaml"
    text, copies = from_skeleton(project, kind, organ, year, target, "reportgen init")
    values = {"organ": organ, "label": definition.label, "year": str(year), "next": str(year + 1),
              "file": target.relative_to(project.root).as_posix()}
    files = [(path, data, True) for path, data in copies]
    files += [(target, text.encode("utf-8"), False),
              (project.root / "reportgen.toml", settings_text(project, kind, organ, year).encode("utf-8"), False),
              (project.root / ".gitignore", starter_text(STARTER / "gitignore", ".gitignore", values).encode("utf-8"),
               True),
              (project.root / "README.md", starter_text(STARTER / "README.md", "README.md", values, header=False)
               .encode("utf-8"), True)]
    return target, files


def _create(path: Path, data: bytes, made: list[Path]) -> bool:
    """Create ``path`` holding ``data`` (never through a link, never over a file: False when one is there)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except FileExistsError:
        return False
    made.append(path)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    return True


def _folders(root: Path, folder: Path, made: list[Path]) -> None:
    """``folder`` and the folders between ``root`` and it, made where missing; an existing one must be a real
    folder (paths.no_links)."""
    from .paths import no_links

    no_links(root, folder)
    current = root
    for part in folder.relative_to(root).parts:
        current = current / part
        if not os.path.lexists(current):
            os.mkdir(current)
            made.append(current)


def _undo(made: list[Path]) -> None:
    for path in reversed(made):
        try:
            os.rmdir(path) if path.is_dir() and not path.is_symlink() else os.unlink(path)
        except OSError:
            pass


def init_project(root: Path, organ: str, kind: str, year: int | None, shown: str) -> Created:
    """Start a project in ``root`` (made when missing; its parent must exist). ``shown``: the folder as the user
    named it, for the messages."""
    from .paths import os_error
    from .project import Project

    organ = checked_organ(organ)
    if os.path.lexists(root) and not root.is_dir():
        raise ReportgenError([Diagnostic(_("{dir} is not a folder", dir=shown), code="not-a-folder")], EXIT_USAGE)
    if not root.parent.is_dir():
        raise ReportgenError([Diagnostic(_("cannot make {dir}: the folder {folder} does not exist", dir=shown,
                                           folder=str(root.parent)), code="no-folder")], EXIT_USAGE)
    _refuse_project(root, shown)
    year = default_year() if year is None else year
    project = Project(root)
    target, files = plan(project, organ, kind, year)
    made: list[Path] = []
    done = Created(root, target)
    try:
        if not os.path.lexists(root):
            os.mkdir(root)
            made.append(root)
        _refuse_project(root, shown)  # again, now that the folder is there: nothing may have come in between
        for path, data, keep in files:
            _folders(root, path.parent, made)
            if _create(path, data, made):
                done.written.append(path)
            elif keep:
                done.kept.append(path)
            else:
                raise ReportgenError([Diagnostic(_("{path} exists already; not overwriting it",
                                                   path=project.display(path)), file=project.display(path), code="exists")])
    except ReportgenError:
        _undo(made)
        raise
    except OSError as e:
        _undo(made)
        raise os_error(e) from None
    return done


def run_init(args, base: Path) -> int:
    """The command: ``base`` is the folder it runs in (``-C``, else the current one); DIR is relative to it."""
    folder = args.folder
    root = (base / folder) if folder is not None else base
    shown = str(folder) if folder is not None else "."
    try:
        done = init_project(Path(os.path.abspath(root)), args.organ, args.kind, args.year, shown)
    except ReportgenError as e:
        for d in e.diagnostics:
            print(d.format(), file=sys.stderr)
        return e.exit_code
    rel = [p.relative_to(done.root).as_posix() for p in done.written]
    print(_("started a report project in {dir}:", dir=shown))
    for path in rel:
        print(f"  {path}")
    for path in done.kept:
        print(_("kept the {file} that was there", file=path.relative_to(done.root).as_posix()))
    where = os.path.relpath(done.root)
    where = where if not where.startswith("..") else str(done.root)
    check = "reportgen check" if where == "." else f"reportgen -C {shlex.quote(where)} check"
    print(_("next: fill in every 【待填写】 in {file}, then run {command}",
            file=done.year_file.relative_to(done.root).as_posix(), command=check))
    return EXIT_OK
