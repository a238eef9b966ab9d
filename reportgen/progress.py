"""Progress of a build over several documents, on standard error only (standard output, and ``--json``, stay
clean): on a terminal a one-line bar naming the document being typeset, redrawn in place and cleared at the
end; elsewhere (a log, a pipe, CI) one line per document, which a log keeps. ``-q`` silences it.

A build of one document shows none: it names its outputs soon enough. Typesetting is the slow step (about a
second a document), so that is where each document is announced; documents built by a pool of processes
(build --jobs) are announced as each is done, in the order they are written.
"""
from __future__ import annotations

import os
import sys
import unicodedata

from .messages import _

BAR = 20  # cells of the bar


def _width(text: str) -> int:
    """Terminal cells: East-Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _clip(text: str, cells: int) -> str:
    """``text`` cut to ``cells`` terminal cells (a line that wraps cannot be redrawn in place)."""
    out, used = [], 0
    for ch in text:
        used += _width(ch)
        if used > cells:
            return "".join(out[:-1]) + "…" if out else ""
        out.append(ch)
    return text


class Progress:
    """Told of each document (``progress(n, total, id, title, done)``, n from 1): before it is typeset
    (``done`` False), or when a worker process has built it (True); :meth:`close` clears the bar. Silent
    when ``quiet``, and for a run of one document."""

    def __init__(self, stream=None, quiet: bool = False):
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        self.bar = not quiet and _is_terminal(self.stream)
        self.drawn = False

    def __call__(self, n: int, total: int, id: str, title: str, done: bool = False) -> None:
        if self.quiet or total < 2:
            return
        if not self.bar:
            print(_("[{n}/{total}] built {id}: {title}", n=n, total=total, id=id, title=title) if done else
                  _("[{n}/{total}] typesetting {id}: {title}", n=n, total=total, id=id, title=title),
                  file=self.stream, flush=True)
            return
        filled = BAR * (n if done else n - 1) // total
        what = _("built {id}: {title}", id=id, title=title) if done else _("typesetting {id}: {title}", id=id,
                                                                           title=title)
        line = "█" * filled + "░" * (BAR - filled) + f" {n}/{total} " + what
        columns = _columns(self.stream)
        self.stream.write("\r" + _clip(line, columns - 1) + "\x1b[K")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        """Clear the bar (the outputs, or the errors, are printed on a clean line after it)."""
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.drawn = False


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


def _columns(stream) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80
