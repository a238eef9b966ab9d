"""Paths reportgen touches inside a project: kept inside it, and failures told as messages.

* :func:`no_links` refuses a path under the project root when any part of it (``output``,
  ``output/<id>``, ``final``, the lock, ``templates/…``) is a symbolic link. Checking each part with
  ``lstat`` (not only ``resolve()``) is what keeps a link from leading a write, a delete or a read out
  of the project, or into a frozen final: ``output/2023 → 2023.real/final/v1`` resolves inside the
  project and is still refused. reportgen never follows a link there, whatever it points to.
* :func:`os_error` is the one place an ``OSError`` becomes a Diagnostic: the path as users see it and
  the reason in their language (``strerror`` is English; the common errnos are translated).
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .errors import Diagnostic, ReportgenError
from .messages import _, current_lang


def os_reason(e: OSError) -> str:
    """Why an operating-system call failed, in the user's language."""
    reasons = {
        errno.EACCES: _("permission denied"),
        errno.EPERM: _("permission denied"),
        errno.EROFS: _("the file system is read-only"),
        errno.ENOSPC: _("no space left on the device"),
        errno.EDQUOT: _("the disk quota is exhausted"),
        errno.EFBIG: _("the file is larger than this system allows"),
        errno.ENOENT: _("no such file or folder"),
        errno.ENOTDIR: _("a part of the path is a file, not a folder"),
        errno.EISDIR: _("it is a folder, not a file"),
        errno.EEXIST: _("something of that name is in the way"),
        errno.ENOTEMPTY: _("something of that name is in the way"),
        errno.ELOOP: _("it is a symbolic link, which reportgen does not follow here"),
        errno.ENAMETOOLONG: _("the name is too long"),
        errno.EIO: _("an input/output error (the disk or the connection failed)"),
        errno.EMFILE: _("too many open files"),
        errno.ENFILE: _("too many open files"),
        errno.EBUSY: _("it is in use"),
        errno.EXDEV: _("it is on another file system"),
        errno.ETXTBSY: _("it is in use"),
        errno.ENXIO: _("no such device"),
        errno.ENODEV: _("no such device"),
        errno.EINVAL: _("the operating system does not accept this name or operation here"),
        errno.ENOTSUP: _("the file system does not support this"),
        errno.EOPNOTSUPP: _("the file system does not support this"),
        errno.ETIMEDOUT: _("the connection timed out"),
        errno.ESTALE: _("the network file system lost the file (stale handle)"),
        errno.EAGAIN: _("it is busy; try again"),
        errno.EINTR: _("it was interrupted; try again"),
    }
    if e.errno in reasons:
        return reasons[e.errno]
    if current_lang() == "en":  # the system's own words are English
        return e.strerror or str(e) or type(e).__name__
    if e.errno:  # an errno without a sentence of ours: its number, never the system's English words
        return _("the operating system refused (error number {number})", number=e.errno)
    return _("the operating system refused")


def os_error(e: OSError, path: Path | str | None = None, shown: str | None = None) -> ReportgenError:
    """An OSError as a ReportgenError naming the path (``shown``, else ``path``, else the error's own)."""
    where = shown or (str(path) if path is not None else (e.filename or ""))
    code = "unwritable" if e.errno in (errno.EROFS, errno.EACCES, errno.EPERM) else "system"
    return ReportgenError([Diagnostic(_("cannot use {path}: {reason}", path=where, reason=os_reason(e)),
                                      file=str(where), code=code)])


def display_path(root: Path, path: Path) -> str:
    """``path`` as a message shows it: relative to ``root`` when inside it."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def link_refused(root: Path, path: Path) -> ReportgenError:
    shown = display_path(root, path)
    return ReportgenError([Diagnostic(
        _("refused: {path} is a symbolic link; reportgen reads and writes only real files and folders "
          "inside the project", path=shown), file=shown,
        hint=_("replace the link with a real folder or file (or remove it)"), code="symlink-refused")])


def not_a_folder(root: Path, path: Path) -> ReportgenError:
    shown = display_path(root, path)
    return ReportgenError([Diagnostic(_("{path} is a file, but reportgen needs a folder there", path=shown),
                                      file=shown, hint=_("move the file away, then try again"), code="not-a-folder")])


def no_links(root: Path, path: Path, *, folders: bool = True) -> Path:
    """Refuse ``path`` (under ``root``) when any existing part of it below ``root`` is a symbolic link,
    or (``folders``: every part but the last; else also the last) is something other than a folder.
    Returns ``path``. Parts that do not exist yet end the check: nothing below them can be a link."""
    rel = path.relative_to(root)
    current = root
    parts = rel.parts
    for i, part in enumerate(parts):
        current = current / part
        try:
            st = os.lstat(current)
        except FileNotFoundError:
            return path
        except OSError as e:
            raise os_error(e, shown=_display(root, current)) from None
        if stat.S_ISLNK(st.st_mode):
            raise link_refused(root, current)
        last = i == len(parts) - 1
        if not stat.S_ISDIR(st.st_mode) and (folders or not last):
            raise not_a_folder(root, current)
    return path


def real_folder(root: Path, path: Path, *, create: bool = False) -> Path:
    """``path`` checked by :func:`no_links` as a folder; with ``create``, made when missing (its parent
    must exist: reportgen never makes a chain of folders the user did not ask for)."""
    no_links(root, path)
    if create and not os.path.lexists(path):
        try:
            os.mkdir(path)
        except FileExistsError:
            no_links(root, path)
        except OSError as e:
            raise os_error(e, shown=display_path(root, path)) from None
    return path


def parent_exists(path: Path) -> Path:
    """``path`` (a file the user named: --html, --docx, extract -o) when its folder exists; reportgen
    never makes the missing folders of a mistyped path (F17)."""
    folder = path.parent
    if os.path.exists(folder) and not folder.is_dir():
        reason = os_reason(NotADirectoryError(errno.ENOTDIR, "Not a directory"))
        raise ReportgenError([Diagnostic(_("cannot write the file: {reason}", reason=reason), file=str(path), code="no-folder")])
    if not folder.is_dir():
        raise ReportgenError([Diagnostic(_("cannot write {path}: the folder {folder} does not exist",
                                           path=str(path), folder=str(folder)), file=str(path), code="no-folder")])
    return path
