"""The editors' schema in the project: the first line of a year file, ``# yaml-language-server: $schema=…``,
must name a file that exists wherever the project lives.

A kind's schema (``templates/<kind>/schema.json``) refers to the common definitions by a relative
``$ref`` (``../common/schema.json#/$defs/…``). When both files the project uses lie inside the project
(this repository, or a project that overrides both), a year file names them where they are. Otherwise
(the built-in kinds of an installed reportgen) ``init`` and ``new`` copy both into the project, side by
side as in ``templates/``, so that the relative ``$ref`` keeps working:

    .reportgen/schema/report/schema.json
    .reportgen/schema/common/schema.json

``build`` and ``check`` keep the copies current (:func:`keep_current`): a copy whose bytes differ from the
schema the project uses now is rewritten, atomically; a project without ``.reportgen/schema/`` gets none.
The copies belong in the project's repository: an editor reads them before reportgen ever runs.
"""
from __future__ import annotations

import os
from pathlib import Path

from .errors import Diagnostic, ReportgenError
from .messages import _

COPY_DIR = Path(".reportgen") / "schema"


def sources(root: Path, kind: str) -> list[tuple[str, Path]]:
    """The schema files a kind's data is checked against, as this project sees them: ``(folder, file)`` for the
    kind's and the common one (templates/ of the project first, then built in)."""
    from .kinds import COMMON, SCHEMA_FILE, find_file

    out = []
    for folder in (kind, COMMON):
        path = find_file(root, f"{folder}/{SCHEMA_FILE}")
        if path is not None:
            out.append((folder, path))
    return out


def _inside(root: Path, path: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())


def reference(root: Path, kind: str, target: Path) -> tuple[str, list[tuple[Path, bytes]]]:
    """What a data file of ``kind`` written to ``target`` names as its schema (relative to its folder), and the
    copies that must be written for it to resolve (``(path, bytes)``; none when the schemas are in the project)."""
    from .kinds import SCHEMA_FILE

    found = sources(root, kind)
    if found and all(_inside(root, path) for _folder, path in found):
        schema, needed = found[0][1], []
    else:
        schema, needed = root / COPY_DIR / kind / SCHEMA_FILE, copies(root, kind)
    return Path(os.path.relpath(schema.resolve(), target.parent.resolve())).as_posix(), needed


def copies(root: Path, kind: str) -> list[tuple[Path, bytes]]:
    """The copies of a kind's schemas in the project, as they must be now: ``(path, bytes)``."""
    from .kinds import SCHEMA_FILE

    return [(root / COPY_DIR / folder / SCHEMA_FILE, path.read_bytes()) for folder, path in sources(root, kind)]


def schema_line(reference: str) -> str:
    return f"# yaml-language-server: $schema={reference}"


def write_copies(root: Path, copies: list[tuple[Path, bytes]]) -> list[Path]:
    """Write the copies whose bytes differ from the file there (or that are missing), atomically, making
    ``.reportgen/schema/<folder>/`` as needed; never through a symbolic link. Returns the files written."""
    from .output import write_atomic
    from .paths import no_links, real_folder

    written = []
    for path, data in copies:
        no_links(root, path, folders=False)
        try:
            if path.read_bytes() == data:
                continue
        except FileNotFoundError:
            pass
        folder = root
        for part in path.parent.relative_to(root).parts:
            folder = real_folder(root, folder / part, create=True)
        write_atomic(path, data)
        written.append(path)
    return written


def present(root: Path) -> list[str]:
    """The kinds (and ``common``) of which the project holds a copy: the folders of ``.reportgen/schema/``."""
    folder = root / COPY_DIR
    if not folder.is_dir() or folder.is_symlink():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def keep_current(project) -> list[Diagnostic]:
    """Bring the project's copies of the schemas up to date (``build``, ``check``). A copy that cannot be
    written is a warning, never a failure: a read-only checkout is still checked and built."""
    from .kinds import COMMON
    from .paths import os_error

    root = project.root
    try:
        wanted: dict[Path, bytes] = {}
        for kind in present(root):
            if kind != COMMON:
                wanted.update(copies(root, kind))
        write_copies(root, list(wanted.items()))
    except ReportgenError as e:
        problems = e.diagnostics
    except OSError as e:
        problems = os_error(e, shown=project.display(root / COPY_DIR)).diagnostics
    else:
        return []
    return [Diagnostic(_("the editors' copy of the schema in {dir} is not up to date: {reason}",
                         dir=project.display(root / COPY_DIR), reason=d.message), file=d.file, level="warning", code="schema-copy")
            for d in problems]
