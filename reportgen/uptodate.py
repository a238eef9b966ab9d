"""Up-to-date builds: whether a document's outputs are already what building it again would write.

After a document is built, ``output/.build/<id>.json`` records everything its outputs were made from, in a
form that is cheap to compare (see :func:`record`):

* ``files``: every file read to make the outputs: the data file, its kind's files, the templates read, the
  layout and stylesheets, ``reportgen.toml``, every font of its chains and of the project's ``fonts/``; and
  every file written: the outputs, the manifest, SHA256SUMS. Each with its size, mtime and inode and its
  SHA-256: a file whose stat is unchanged is taken as unchanged; one whose stat changed is hashed again and
  counts as changed only if its bytes did (a ``touch`` or a checkout rebuilds nothing).
* ``absent``: files whose appearance would change the build (``reportgen.toml`` when there is none).
* ``folders``: the folders whose listing decides which file is used: the kind's and the common templates
  folder in the project and built in (a new override, a new layout overlay or page stylesheet), the
  project's ``fonts/``, the document's ``final/``.
* ``key``: reportgen's own code (every file of the package by size and mtime, and the installed packages'
  names and versions), fontconfig's list of faces (fontconfig.fontconfig_signature), the outputs asked for,
  SOURCE_DATE_EPOCH (a document without a date is stamped with it), and the message language when the
  build gave warnings (they are shown again from the record, in the language they were written in).

:func:`fresh` compares a document against its record without importing anything heavy and without parsing
its data: the cost of an unchanged rebuild is a few stat calls and hashes of small files. The record is a
cache: deleting ``output/.build/`` only makes the next build redo everything; a record that cannot be read,
is of another shape, or does not match in any point means "build it".
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import cache
from .errors import Diagnostic

STATE_DIR = ".build"  # output/.build/: one record per document id; archived_ids skips dot folders
FORMAT = "reportgen-build-state/1"


def state_path(project, id: str) -> Path:
    return project.output_dir / STATE_DIR / f"{id}.json"


def _sha256(path: str) -> str | None:
    from .archive.manifest import sha256_file

    try:
        return sha256_file(Path(path))
    except OSError:
        return None


@lru_cache(maxsize=None)
def code_signature() -> str:
    """reportgen's code and the packages it runs on: every file of the reportgen package by name, size and
    mtime, and the name (with its version) of every distribution installed on sys.path. An upgrade of
    WeasyPrint or an edit of reportgen's code rebuilds; about 1 ms."""
    import hashlib

    h = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            try:
                st = os.stat(os.path.join(folder, name))
            except OSError:
                continue
            h.update(f"{os.path.relpath(os.path.join(folder, name), package)} {st.st_size} {st.st_mtime_ns}\n".encode())
    for entry in sys.path:
        try:
            names = sorted(n for n in os.listdir(entry or ".") if n.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
        h.update(("\n".join(names) + "\n").encode())
    return h.hexdigest()


def current_key(formats: tuple[str, ...], lang: str | None) -> dict:
    from .fontconfig import fontconfig_signature

    return {"code": code_signature(), "fonts": fontconfig_signature(), "formats": list(formats),
            "epoch": os.environ.get("SOURCE_DATE_EPOCH", "").strip() or None, "lang": lang}


def _named(root: Path, path: Path) -> str:
    """How a record names a file: relative to the project when inside it (a copy of the project, output/
    and all, checks its own files, never the original's), else absolute (built-in templates, fonts)."""
    real = Path(os.path.realpath(path))
    try:
        return real.relative_to(os.path.realpath(root)).as_posix()
    except ValueError:
        return str(real)


def _file_entry(root: Path, path: Path, digest: str | None = None) -> list | None:
    """[name, stat, sha256] of a file as it is now (the hash given, or computed)."""
    real = os.path.join(root, _named(root, path))
    stat = cache.stat_key(real)
    if stat is None:
        return None
    return [_named(root, path), stat, digest if digest is not None else _sha256(real)]


def _listing(folder: Path) -> list[str] | None:
    try:
        return sorted(os.listdir(folder))
    except OSError:
        return None


def watched_folders(project, kind: str, templates: list[Path]) -> list[Path]:
    """The folders whose listing decides the files a document of ``kind`` is made from (see the module)."""
    from .kinds import BUILTIN_TEMPLATES, COMMON

    # The project's templates/ whether or not it exists yet: an override appearing in it rebuilds.
    bases = dict.fromkeys([project.root / "templates", BUILTIN_TEMPLATES])
    folders = [base / name for base in bases for name in (kind, COMMON)]
    folders += [p.parent for p in templates if p.parent not in folders]
    return folders + [project.fonts_dir]


@dataclass
class State:
    """A document's last build, as its record tells it: up to date, its warnings shown again."""

    warnings: list[Diagnostic]
    year: int | None
    outputs: list[tuple[str, str, int]]  # (format or file name, path, bytes) of each output, as written


def record(project, built, formats: tuple[str, ...], written: list[Path], lang: str) -> None:
    """Write the record of a document just built (build.Built; under the output lock, after its folder was
    switched in). ``written``: the files written into its folder. Any failure leaves no record (the next
    build then builds it): the record is only a cache."""
    from .archive.finals import FINAL_DIR
    from .archive.manifest import font_hash
    from .fonts import FONT_SUFFIXES
    from .kinds import SETTINGS_FILE
    from .output import write_atomic
    from .paths import no_links

    try:
        folder = project.output_folder(built.id)
        fonts = set(built.fonts)
        if project.fonts_dir.is_dir():
            fonts |= {p for p in project.fonts_dir.iterdir() if p.suffix.lower() in FONT_SUFFIXES and p.is_file()}
        root = project.root
        files = [_file_entry(root, path) for path in dict.fromkeys([*built.inputs, *written])]
        files += [_file_entry(root, path, font_hash(path)) for path in sorted(fonts)]
        if any(entry is None for entry in files):
            raise OSError("a file went away")
        settings = project.root / SETTINGS_FILE
        watched = watched_folders(project, built.kind, built.templates) + [folder / FINAL_DIR]
        outputs = [[fmt, _named(root, path), len(data)] for fmt, (path, data) in built.files.items()]
        outputs += [[path.name, _named(root, path), path.stat().st_size] for path in written[len(built.files):]]
        state = {"format": FORMAT, "id": built.id, "year": built.year,
                 "key": current_key(formats, lang if built.warnings else None),
                 "files": files, "absent": [] if settings.is_file() else [_named(root, settings)],
                 "folders": [[_named(root, f), _listing(f)] for f in watched],
                 "outputs": outputs, "warnings": [w.__dict__ for w in built.warnings]}
        target = state_path(project, built.id)
        no_links(project.root, target, folders=False)
        target.parent.mkdir(exist_ok=True)
        write_atomic(target, json.dumps(state, ensure_ascii=False).encode("utf-8"))
    except Exception:  # noqa: BLE001 - the record is a cache: no record is always safe
        forget(project, built.id)


def forget(project, id: str) -> None:
    """Remove a document's record (before its folder is replaced: a build stopped half-way leaves none)."""
    try:
        os.unlink(state_path(project, id))
    except OSError:
        pass


def fresh(project, id: str, formats: tuple[str, ...], lang: str) -> State | None:
    """The document ``id``'s last build when its outputs are up to date (nothing it was made from changed
    since, and its outputs are as written); None when it must be built."""
    try:
        with open(state_path(project, id), encoding="utf-8") as f:
            state = json.load(f)
    except (OSError, ValueError):
        return None
    try:
        touched: list[list] = []
        found = _compare(project.root, state, id, formats, lang, touched)
    except (TypeError, ValueError, KeyError, AttributeError, IndexError):
        return None  # a record of another shape
    if found is not None and touched:
        _restamp(project, id, state, touched)
    return found


def _restamp(project, id: str, state: dict, touched: list[list]) -> None:
    """Record the new stat of files touched but unchanged (a checkout, a save without an edit), so that
    the next check does not hash them again. Best effort: a record not rewritten only costs the hashes."""
    from .output import write_atomic

    for entry, stat in touched:
        entry[1] = stat
    try:
        write_atomic(state_path(project, id), json.dumps(state, ensure_ascii=False).encode("utf-8"))
    except Exception:  # noqa: BLE001 - the record is a cache
        pass


def _compare(root: Path, state: dict, id: str, formats: tuple[str, ...], lang: str,
             touched: list[list]) -> State | None:
    """The State when ``state`` matches the project as it is now; the files whose stat changed but whose
    bytes did not are added to ``touched`` as (entry, stat now)."""
    if state.get("format") != FORMAT or state.get("id") != id:
        return None
    warnings = [Diagnostic(**w) for w in state["warnings"]]
    if state["key"] != current_key(formats, lang if warnings else None):
        return None
    for path in state["absent"]:
        if os.path.lexists(os.path.join(root, path)):
            return None
    for folder, names in state["folders"]:
        if _listing(root / folder) != names:
            return None
    for entry in state["files"]:
        name, stat, digest = entry
        path = os.path.join(root, name)
        now = cache.stat_key(path)
        if now is None or os.path.islink(path):
            return None
        if now != stat:
            if _sha256(path) != digest:
                return None
            touched.append((entry, now))
    outputs = [(str(fmt), os.path.join(root, path), int(size)) for fmt, path, size in state["outputs"]]
    return State(warnings, state["year"], outputs)
