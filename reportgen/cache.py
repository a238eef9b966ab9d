"""The per-user cache: what does not change between runs, kept so that the next run need not redo it.

Everything here is a copy of something reportgen can compute again: the fontconfig font list, the SHA-256
of font files, the compiled message catalogue, Jinja's compiled templates. Each entry carries the key it
was computed for (a file's size and mtime, a folder signature), and a run that finds a different key
computes it again. So the folder is safe to delete at any time, and a cache that cannot be read or
written only makes a run slower, never wrong and never failed.

Where: ``REPORTGEN_CACHE_DIR`` when set (empty or ``off``: no cache), else ``$XDG_CACHE_HOME/reportgen``,
else ``~/.cache/reportgen``. Nothing in it is an output or an input of a build.
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

#: Bump when the shape of any entry changes: an older reportgen's entries are then never read.
VERSION = 1


@lru_cache(maxsize=None)
def directory() -> Path | None:
    """The cache folder (made on first use, private to the user), or None when caching is off or impossible."""
    chosen = os.environ.get("REPORTGEN_CACHE_DIR")
    if chosen is not None:
        if chosen.strip() in ("", "off", "0"):
            return None
        folder = Path(chosen)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = Path(base) / "reportgen"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if folder.is_dir() and os.access(folder, os.W_OK) else None


def path(name: str) -> Path | None:
    """Where the entry ``name`` lives (a file or a folder of the cache), or None without a cache."""
    folder = directory()
    return None if folder is None else folder / f"{name}-{VERSION}"


def load(name: str) -> dict:
    """The JSON object stored as ``name``; {} when there is none or it cannot be read."""
    where = path(name)
    if where is None:
        return {}
    try:
        with open(where, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def store(name: str, data: dict) -> None:
    """Store ``data`` as ``name``, replacing the entry in one step (a reader sees the old or the new one).
    A cache that cannot be written is left as it is."""
    import tempfile

    where = path(name)
    if where is None:
        return
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{where.name}.", dir=where.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f, ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, where)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass


def stat_key(file: str | Path) -> list | None:
    """What says a file is unchanged without reading it: [size, mtime_ns, inode, device]; None when it is gone."""
    try:
        st = os.stat(file)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev]


_entries: dict[str, dict] = {}  # each file-keyed entry, as loaded by this process


def of_file(name: str, file: str | Path, compute, expect: type = str):
    """``compute()``'s answer about ``file`` (an ``expect``), kept in the entry ``name`` beside the file's
    :func:`stat_key`: computed again only when the file changed, and kept only when it did not change
    while it was computed. The entry holds one answer per file (by its real path)."""
    real = os.path.realpath(file)
    stat = stat_key(real)
    entries = _entries.get(name)
    if entries is None:
        entries = _entries[name] = load(name)
    entry = entries.get(real)
    if stat is not None and isinstance(entry, list) and len(entry) == 2 and entry[0] == stat \
            and isinstance(entry[1], expect):
        return entry[1]
    value = compute()
    if stat is not None and stat == stat_key(real):
        entries[real] = [stat, value]
        store(name, entries)
    return value
