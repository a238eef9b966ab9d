"""Writing outputs: never a half-written file, never a mix of two builds, never outside the project.

* :func:`write_atomic` / :func:`write_group` write single files (the review page, an extracted
  source, a new year file): temp file in the same folder, fsync, rename. The folder must exist.
* :func:`switch_folder` replaces a document's folder ``output/<id>/`` as a whole (a build's
  outputs, manifest and SHA256SUMS; finalize's new manifest), so a reader sees either the old
  folder or the new one, never a mix (issue 12, F10: renaming five files one by one left a mix when
  killed between renames, or when one name was a directory).
* :func:`locked` holds ``output/.lock`` (``fcntl.flock``) while a build, a finalize or a verify
  touches ``output/``: a second build waits for the first, then fails with a clear message if the
  wait is too long. A reader (verify) opens the lock read-only, and does without it in a folder it
  cannot write to (a read-only copy of output/).

Every path here is checked by paths.no_links first: ``output``, ``output/<id>``, its ``final`` and the
lock are never symbolic links (they are refused with a message), so nothing is written, deleted or
locked outside the project or inside a frozen final through one.

**The switch** (the design, and why). The difficulty is that ``output/<id>/final/`` (frozen finals)
lives inside the folder being replaced, and must never be copied, rewritten or deleted. Under the
exclusive lock:

1. ``output/.<id>.new-XXXXXXXX/`` is made and every new file written into it and fsynced. Every other
   entry of the old folder a user put there (notes, a format not rebuilt this time) is carried
   along as a hard link (a copy where the file system has none), folders recreated; so the old
   folder is untouched until the switch. An output name that is a folder in the old folder is
   refused before anything is written (F10: it used to be replaced half-way).
2. ``final/`` is moved into the new folder: one rename, so the finals are never copied.
3. The two folders are swapped in one step with ``renameat2(RENAME_EXCHANGE)`` (Linux, through
   ctypes). Where the file system or system refuses it, two renames are used instead
   (old → ``.<id>.old-XXXXXXXX``, new → ``<id>``), still under the lock.
4. The old folder (now under the staging name, holding no finals) is removed.

A kill between the steps leaves staging folders behind; :func:`recover` (run under the lock by the
next build, finalize and verify) **rolls back**: a staging folder holding ``final/`` (killed between
2 and 3) gives it back to ``output/<id>/``; a missing ``output/<id>/`` with an ``.old-`` folder
(killed between the two fallback renames) gets it back; then staging folders are removed. Rolling
back is always possible and never needs to know whether a staging folder was complete. A folder
holding ``final/`` is never removed (``_remove_tree`` refuses). Outside the lock, the only moment a
reader can see an incomplete folder is the microseconds between steps 2 and 3, when ``final/`` is in
the staging folder: nothing is mixed then, the finals are only elsewhere, and verify (which takes the
lock and recovers first) never sees it.

Test-only hook: ``REPORTGEN_TEST_PAUSE_BEFORE_RENAME=<name>[:<seconds>]`` makes the writer sleep
(default 60 s) at a known point so a test can kill the process there: after the staged copy of the
file ``<name>`` is complete, or before a step of the switch: ``@final`` (moving final/), ``@switch``
(the exchange), ``@fallback`` (between the two fallback renames), ``@cleanup`` (removing the old
folder). It prints ``reportgen-test-pause: <name>`` on stderr when the pause begins. It is read nowhere
else and has no other effect.
"""
from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import time
from pathlib import Path

from .errors import Diagnostic, ReportgenError
from .messages import _
from .paths import display_path, link_refused, no_links, not_a_folder, os_error

TMP_SUFFIX = ".tmp"
LOCK_NAME = ".lock"
LOCK_WAIT = 120.0  # seconds a second build waits for the first before giving up
FINAL_DIR = "final"  # archive.finals.FINAL_DIR (not imported: output.py stays light)


def _stage(path: Path, data: bytes) -> Path:
    """Write ``data`` next to ``path`` under a temporary name, flushed to disk; return that name.
    The folder must exist: no missing folder is made (F17)."""
    import tempfile

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


def _test_pause(name: str) -> None:
    """Test-only: sleep when REPORTGEN_TEST_PAUSE_BEFORE_RENAME names this file or step."""
    hook = os.environ.get("REPORTGEN_TEST_PAUSE_BEFORE_RENAME")
    if not hook:
        return
    wanted, _sep, seconds = hook.partition(":")
    if wanted == name:
        import sys

        print(f"reportgen-test-pause: {name}", file=sys.stderr, flush=True)
        time.sleep(float(seconds or 60))


def write_group(files: list[tuple[Path, bytes]]) -> None:
    """Write several files so that each is either its old or its whole new self.

    Every file is staged (written and fsynced under a temporary name) before the first rename.
    For files that must change together, use :func:`switch_folder`.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files:
            staged.append((_stage(path, data), path))
            _test_pause(path.name)
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


# ── switching a document's folder as a whole ────────────────────────────────────────────────────


#: The folders a switch makes in ``output/``: ``.<id>.new-XXXXXXXX`` (tempfile.mkdtemp's 8 characters) and
#: ``.<id>.old-XXXXXXXX``. The suffix has a fixed length, so the id (group 1) is found exactly.
STAGING = re.compile(r"^\.(.+)\.(new|old)-[A-Za-z0-9_]{8}$")


def _leftovers(output_dir: Path, id: str) -> tuple[list[Path], list[Path]]:
    """The staging (``.new-``) and old (``.old-``) folders an interrupted switch of ``id`` left."""
    new, old = [], []
    try:
        names = sorted(os.listdir(output_dir))
    except FileNotFoundError:
        return new, old
    for name in names:
        m = STAGING.match(name)
        if m and m.group(1) == id:
            (new if m.group(2) == "new" else old).append(output_dir / name)
    return new, old


def leftovers(output_dir: Path, id: str) -> list[Path]:
    """The folders an interrupted switch of ``id`` left in ``output/`` (empty once recovered)."""
    new, old = _leftovers(output_dir, id)
    return new + old


def _is_dir(path: Path) -> bool:
    """A real folder (not a link to one)."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except FileNotFoundError:
        return False


def _remove_tree(root: Path, path: Path) -> None:
    """Remove a staging or old folder of ours; never one holding finals, never through a link."""
    if not os.path.lexists(path):
        return
    if not _is_dir(path):  # a link (or file) planted under our name: remove it, not its target
        os.unlink(path)
        return
    if os.path.lexists(path / FINAL_DIR):
        raise ReportgenError([Diagnostic(
            _("{path} holds final versions; reportgen leaves it as it is", path=display_path(root, path)),
            file=display_path(root, path), hint=_("compare its final/ with the document's final/ and put them together by hand"), code="final-protected")])
    for p in [path, *path.rglob("*")]:  # rglob does not follow links
        if _is_dir(p):
            with contextlib.suppress(OSError):
                os.chmod(p, 0o755)
    import shutil

    shutil.rmtree(path)


def recover(output_dir: Path, id: str) -> bool:
    """Undo a switch of ``output/<id>/`` that was interrupted (call it under the exclusive lock).

    Rolls back (see the module's docstring): finals found in a staging folder go back to the
    document's folder, a folder renamed away by the fallback comes back, the rest is removed.
    Returns whether anything was left over."""
    root = output_dir.parent
    folder = output_dir / id
    new, old = _leftovers(output_dir, id)
    if not new and not old:
        return False
    try:
        if not os.path.lexists(folder) and old:
            os.rename(old.pop(), folder)
        for staging in new:
            if _is_dir(staging) and _is_dir(staging / FINAL_DIR):
                if not os.path.lexists(folder):
                    os.rename(staging, folder)  # cannot happen in the steps above; keep everything
                    continue
                if os.path.lexists(folder / FINAL_DIR):
                    _remove_tree(root, staging)  # refuses: two final folders need a person
                os.rename(staging / FINAL_DIR, folder / FINAL_DIR)
            _remove_tree(root, staging)
        for path in old:
            _remove_tree(root, path)
    except OSError as e:
        raise os_error(e, shown=display_path(root, folder)) from None
    _sync_dir(output_dir)
    return True


def recover_all(output_dir: Path) -> None:
    """:func:`recover` for every document folder of ``output/`` that has leftovers."""
    ids = set()
    try:
        names = os.listdir(output_dir)
    except OSError:
        return
    for name in names:
        m = STAGING.match(name)
        if m:
            ids.add(m.group(1))
    for id in sorted(ids):
        recover(output_dir, id)


def interrupted(output_dir: Path) -> bool:
    """Whether an interrupted switch left staging folders in ``output/``."""
    try:
        return any(STAGING.match(n) for n in os.listdir(output_dir))
    except OSError:
        return False


def _carry(source: Path, target: Path) -> None:
    """Put ``source`` (a user's file, folder or link in the old folder) at ``target`` in the new one,
    leaving ``source`` as it is: files as hard links (copies where links are impossible)."""
    st = os.lstat(source)
    if stat.S_ISLNK(st.st_mode):
        os.symlink(os.readlink(source), target)
    elif stat.S_ISDIR(st.st_mode):
        os.mkdir(target)
        for child in sorted(os.listdir(source)):
            _carry(source / child, target / child)
        os.chmod(target, stat.S_IMODE(st.st_mode) | 0o700)
    elif stat.S_ISREG(st.st_mode):
        try:
            os.link(source, target, follow_symlinks=False)
        except OSError as e:
            if e.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP):
                raise
            import shutil

            shutil.copy2(source, target, follow_symlinks=False)
    # anything else (a FIFO, a socket) is not carried


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (renameat2 RENAME_EXCHANGE); False where the system cannot."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _write_new(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(path, 0o644)


def check_targets(folder: Path, names) -> None:
    """Refuse, before anything is written, a folder of ``output/<id>/`` where a file of ``names`` goes
    (F10: the build used to replace the other files, then fail on it), and a link or a file as the
    folder, its ``final/`` or the lock."""
    output_dir = folder.parent
    root = output_dir.parent
    no_links(root, output_dir / LOCK_NAME, folders=False)
    if _is_dir(output_dir / LOCK_NAME):
        raise os_error(IsADirectoryError(errno.EISDIR, "Is a directory"), shown=display_path(root, output_dir / LOCK_NAME))
    no_links(root, folder / FINAL_DIR)
    for name in sorted(names):
        path = folder / name
        if _is_dir(path):
            shown = display_path(root, path)
            raise ReportgenError([Diagnostic(
                _("{path} is a folder, but reportgen writes a file of that name; nothing was written",
                  path=shown), file=shown, hint=_("move the folder away, then build again"), code="in-the-way")])


def switch_folder(folder: Path, files: list[tuple[str, bytes]]) -> None:
    """Replace the folder ``output/<id>/`` by one holding ``files`` (name, bytes), its ``final/``
    and everything else a user put there, in one step (see the module's docstring). Call it under
    the exclusive lock, after :func:`recover`."""
    output_dir = folder.parent
    root = output_dir.parent
    exists = os.path.lexists(folder)
    names = {name for name, _data in files}
    check_targets(folder, names)  # no link as the folder, its final/ or the lock; no folder in the way
    import tempfile

    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=output_dir))
    except OSError as e:
        raise os_error(e, shown=display_path(root, output_dir)) from None
    switched = False
    try:
        for name, data in files:
            _write_new(staging / name, data)
            _test_pause(name)
        mode = 0o755
        if exists:
            mode = stat.S_IMODE(os.lstat(folder).st_mode) | 0o700
            for entry in sorted(os.listdir(folder)):
                legacy_temp = entry.startswith(".") and entry.endswith(TMP_SUFFIX)
                if entry in names or entry == FINAL_DIR or legacy_temp:
                    continue
                _carry(folder / entry, staging / entry)
        os.chmod(staging, mode)
        _sync_dir(staging)
        switched = True  # from here on, recover() puts things right if anything fails
        if exists and _is_dir(folder / FINAL_DIR):
            _test_pause("@final")
            os.rename(folder / FINAL_DIR, staging / FINAL_DIR)
        if not exists:
            os.rename(staging, folder)
            garbage = None
        else:
            _test_pause("@switch")
            if _exchange(staging, folder):
                garbage = staging
            else:
                garbage = output_dir / (".%s.old-%s" % (folder.name, staging.name[-8:]))
                os.rename(folder, garbage)
                _test_pause("@fallback")
                os.rename(staging, folder)
        _sync_dir(output_dir)
        if garbage is not None:
            _test_pause("@cleanup")
            with contextlib.suppress(OSError):  # switched already; the next recover() removes what is left
                _remove_tree(root, garbage)
    except OSError as e:
        _undo(output_dir, folder, staging, switched)
        raise os_error(e, shown=display_path(root, folder)) from None
    except BaseException:
        _undo(output_dir, folder, staging, switched)
        raise


def _undo(output_dir: Path, folder: Path, staging: Path, switched: bool) -> None:
    with contextlib.suppress(Exception):
        if switched:
            recover(output_dir, folder.name)
        else:
            _remove_tree(output_dir.parent, staging)


# ── the lock ────────────────────────────────────────────────────────────────────────────────────


def _open_shared(lock_path: Path) -> int | None:
    """A read-only descriptor on the lock file for a shared lock, or None when there is nothing to lock.

    A reader needs no write access: the lock file is opened read-only, and created only when it is
    missing. When it cannot be created because the folder is read-only (an archived or mounted copy
    of output/) or does not exist, no writer can be at work there either, so the reader goes on
    without the lock.
    """
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    try:
        try:
            return os.open(lock_path, os.O_RDONLY | nofollow)
        except FileNotFoundError:
            return os.open(lock_path, os.O_RDONLY | os.O_CREAT | nofollow, 0o644)
    except OSError as e:
        if e.errno in (errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOENT):
            return None
        raise


def _open_lock(output_dir: Path, shared: bool) -> int | None:
    """The lock's descriptor; the output folder and the lock are real (no links), the folder made
    when a writer needs it (never its parent: the project must exist)."""
    root = output_dir.parent
    lock_path = output_dir / LOCK_NAME
    no_links(root, lock_path, folders=False)
    try:
        if shared:
            return _open_shared(lock_path)
        try:
            os.mkdir(output_dir)
        except FileExistsError:
            pass
        return os.open(lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise link_refused(root, lock_path) from None
        if e.errno == errno.ENOTDIR:
            raise not_a_folder(root, output_dir) from None
        raise os_error(e, shown=display_path(root, lock_path)) from None


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
    fd = _open_lock(output_dir, shared)
    if fd is None:  # nothing to lock: no folder, or a read-only copy that nobody can write to
        yield lock_path
        return
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
                        hint=_("the lock is held by a running process; it is released when that process ends"), code="locked")]
                    ) from None
                time.sleep(0.1)
        yield lock_path
    finally:
        os.close(fd)  # closing the descriptor releases the lock
