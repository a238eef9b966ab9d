"""Writing outputs: temp file in the same folder, fsync, then rename — never a half-written file.

* :func:`write_atomic` writes one file; :func:`write_group` stages every file of a build first and
  renames them only when all are on disk, so a build killed midway leaves each previous output
  whole (the renames of one group follow each other within microseconds).
* :func:`locked` holds ``output/.lock`` (``fcntl.flock``) while a build, a finalize or a verify
  touches ``output/``: a second build waits for the first, then fails with a clear message if the
  wait is too long. A reader (verify) opens the lock read-only, and does without it in a folder it
  cannot write to (a read-only copy of output/).

Test-only hook: ``REPORTGEN_TEST_PAUSE_BEFORE_RENAME=<file name>[:<seconds>]`` makes the writer sleep
(default 60 s) after that file's temporary copy is complete and before anything is renamed, so a
test can kill the process at a known point. It is read nowhere else and has no other effect.
"""
from __future__ import annotations

import contextlib
import errno
import os
import tempfile
import time
from pathlib import Path

from .errors import Diagnostic, ReportgenError
from .messages import _

TMP_SUFFIX = ".tmp"
LOCK_NAME = ".lock"
LOCK_WAIT = 120.0  # seconds a second build waits for the first before giving up


def _stage(path: Path, data: bytes) -> Path:
    """Write ``data`` next to ``path`` under a temporary name, flushed to disk; return that name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
    except BaseException:
        _unlink(Path(tmp))
        raise
    return Path(tmp)


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _sync_dir(folder: Path) -> None:
    """Make the renames in ``folder`` durable (POSIX; a no-op where directories cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _test_pause(path: Path) -> None:
    """Test-only: sleep before the rename when REPORTGEN_TEST_PAUSE_BEFORE_RENAME names this file."""
    hook = os.environ.get("REPORTGEN_TEST_PAUSE_BEFORE_RENAME")
    if not hook:
        return
    name, _sep, seconds = hook.partition(":")
    if name == path.name:
        time.sleep(float(seconds or 60))


def write_group(files: list[tuple[Path, bytes]]) -> None:
    """Write several files so that each is either its old or its whole new self.

    Every file is staged (written and fsynced under a temporary name) before the first rename.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files:
            staged.append((_stage(path, data), path))
            _test_pause(path)
        for tmp, path in staged:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _path in staged:
            _unlink(tmp)
        raise
    for folder in {path.parent for _tmp, path in staged}:
        _sync_dir(folder)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see either the old file or the whole new one."""
    write_group([(path, data)])


def remove_stale_temps(folder: Path) -> list[Path]:
    """Delete temporary files a killed writer left in ``folder`` (call it while holding the lock)."""
    removed = []
    if folder.is_dir():
        for p in folder.iterdir():
            if p.name.startswith(".") and p.name.endswith(TMP_SUFFIX) and p.is_file():
                _unlink(p)
                removed.append(p)
    return removed


def _open_shared(lock_path: Path) -> int | None:
    """A read-only descriptor on the lock file for a shared lock, or None when there is nothing to lock.

    A reader needs no write access: the lock file is opened read-only, and created only when it is
    missing. When it cannot be created because the folder is read-only (an archived or mounted copy
    of output/) or does not exist, no writer can be at work there either, so the reader goes on
    without the lock.
    """
    try:
        try:
            return os.open(lock_path, os.O_RDONLY)
        except FileNotFoundError:
            return os.open(lock_path, os.O_RDONLY | os.O_CREAT, 0o644)
    except OSError as e:
        if e.errno in (errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOENT):
            return None
        raise


@contextlib.contextmanager
def locked(output_dir: Path, *, shared: bool = False, wait: float | None = None):
    """Hold ``output_dir/.lock``: exclusive for writers, shared for readers (verify).

    A second writer waits up to ``wait`` seconds (REPORTGEN_LOCK_WAIT, default 120), then fails
    with a message naming the lock file.
    """
    import fcntl

    if wait is None:
        try:
            wait = float(os.environ.get("REPORTGEN_LOCK_WAIT", LOCK_WAIT))
        except ValueError:
            wait = LOCK_WAIT
    lock_path = output_dir / LOCK_NAME
    if shared:
        fd = _open_shared(lock_path)
        if fd is None:  # nothing to lock: no folder, or a read-only copy that nobody can write to
            yield lock_path
            return
    else:
        output_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise ReportgenError([Diagnostic(
                        _("another reportgen is writing {path}; try again when it has finished",
                          path=str(lock_path)),
                        hint=_("the lock is held by a running process; it is released when that process ends"))]
                    ) from None
                time.sleep(0.1)
        yield lock_path
    finally:
        os.close(fd)  # closing the descriptor releases the lock
