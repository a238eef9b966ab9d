"""The PDF of one document typeset in a second process, while this one does the rest.

A cold build of one document spends about a third of its time importing WeasyPrint, and another part
loading and checking the data, which the PDF needs first. On a machine with a core to spare, ``build``
forks a typesetter before it loads the data (:meth:`Typesetter.start`): the child imports WeasyPrint
while the parent loads, checks and renders the document tree; the parent then hands it the tree
(:meth:`Typesetter.submit`, a :class:`PdfJob`), writes the text, imports python-docx, takes the PDF's
pagination as soon as the layout is done (:meth:`Typesetter.laid_out`) to write the DOCX, and the PDF's
bytes last (:meth:`Typesetter.result`).

The child writes no file: it sends back bytes or its diagnostics, and the parent writes everything as
before (build.write_built). The tree it typesets is the parent's, pickled: the PDF is the same bytes
either way (tests/test_typesetter.py). A child that dies is a failed document, never a hung one.
"""
from __future__ import annotations

import os
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import Diagnostic, ReportgenError
from .messages import _

#: fcntl's F_SETPIPE_SZ (Linux): pipes as wide as the job, so that handing it over does not wait for the child.
F_SETPIPE_SZ = 1031
PIPE_SIZE = 1024 * 1024  # Linux's default pipe-max-size


@dataclass
class PdfJob:
    """What typesetting a document's PDF needs, in a form that pickles (no kind definition, no schema)."""

    doc: object  # the archival Document (archive.pdfa.archival_document)
    layout: object
    chains: dict
    allowed: list[Path]
    source_name: str
    source: bytes
    clock: object
    identifier: bytes
    css: str  # writers.pdf.print_css of layout and chains: made where Jinja is imported already

    def run(self, laid_out=None):
        """The PDF (writers.pdf.PdfResult): PDF/A-3u with the source attached (archive/pdfa.py).
        ``laid_out(imprint_page, pages)``, when given, is told the pagination as soon as it is known."""
        from .archive import pdfa
        from .writers.pdf import write_pdf

        options = pdfa.pdf_options(self.doc, self.source_name, self.source, self.clock, self.identifier)
        return write_pdf(self.doc, self.layout, self.chains, allowed=self.allowed, laid_out=laid_out, css=self.css,
                         **options)


_IMPORTED: set[str] = set()


def import_writers(formats) -> None:
    """Import the writers' libraries before the first typesetting of this process, then move every object
    alive so far out of the garbage collector's way (gc.freeze): the modules live to the end, and each
    collection during the typesetting would otherwise walk their hundreds of thousands of objects again."""
    import gc

    wanted = {"pdf", "docx"} & set(formats) - _IMPORTED
    if not wanted:
        return
    if "pdf" in wanted:
        from .writers.pdf import import_weasyprint

        import_weasyprint()
        import weasyprint.draw  # noqa: F401 - imported by write_pdf anyway
        import weasyprint.layout  # noqa: F401
    if "docx" in wanted:
        import docx  # noqa: F401 - imported by write_docx anyway
    _IMPORTED.update(wanted)
    gc.freeze()


class Typesetter:
    """A forked child that imports WeasyPrint at once, then typesets one :class:`PdfJob`."""

    def __init__(self, pid: int, orders: int, answers: int):
        self.pid, self.orders, self.answers = pid, orders, answers
        self.status: int | None = None  # the child's exit status, once reaped
        self.answered = False  # its last answer taken: it exits by itself

    @classmethod
    def start(cls) -> Typesetter | None:
        """A typesetter, or None where it would not help: no fork (not POSIX), or WeasyPrint already
        imported in this process (``watch``, a second build in one process)."""
        if not hasattr(os, "fork") or "weasyprint" in sys.modules:
            return None
        orders_r, orders_w = os.pipe()
        answers_r, answers_w = os.pipe()
        for fd in (orders_w, answers_w):
            _widen(fd)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: never back into the parent's code, never its exit handlers or buffers
            code = 1
            try:
                os.close(orders_w)
                os.close(answers_r)
                _serve(orders_r, answers_w)
                code = 0
            finally:
                os._exit(code)
        os.close(orders_r)
        os.close(answers_w)
        return cls(pid, orders_w, answers_r)

    def submit(self, job: PdfJob) -> None:
        try:
            _send(self.orders, job)
        except BrokenPipeError:  # the child has gone: laid_out() says why
            pass
        finally:
            os.close(self.orders)
            self.orders = -1

    def laid_out(self) -> tuple[str, int]:
        """The PDF's (imprint_page, pages), once its layout is done; the child's failure, raised."""
        message = self._next()
        if message[0] != "laid_out":
            self._raise(message)
        return message[1], message[2]

    def result(self):
        """The PDF (writers.pdf.PdfResult); the child's failure, raised."""
        message = self._next()
        if message[0] != "done":
            self._raise(message)
        return message[1]

    def close(self) -> None:
        """Reap the child; first stop it if it has not given its last answer (the parent failed first, or
        was interrupted)."""
        for fd in (self.orders, self.answers):
            if fd >= 0:
                os.close(fd)
        self.orders = self.answers = -1
        if self.status is None and not self.answered:
            import signal

            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._reap()

    def _reap(self) -> int:
        if self.status is None:
            _pid, status = os.waitpid(self.pid, 0)
            self.status = os.waitstatus_to_exitcode(status)
        return self.status

    def _next(self) -> tuple:
        message = _receive(self.answers)
        self.answered = message is None or message[0] != "laid_out"
        if message is None:
            status = self._reap()
            raise ReportgenError([Diagnostic(
                _("the PDF's typesetting process ended without a result (exit status {status})", status=status),
                code="pdf-renderer")])
        return message

    def _raise(self, message: tuple):
        if message[0] == "failed":
            raise ReportgenError(message[1])
        raise RuntimeError("the PDF's typesetting process failed:\n" + message[1])


def _serve(orders: int, answers: int) -> None:
    """The child: WeasyPrint imported, then the job typeset and its answers sent."""
    import traceback

    from .paths import os_error

    failure = None
    try:
        import_writers(("pdf",))
    except Exception as e:  # told once there is a job: the parent may not need one
        failure = e
    job = _receive(orders)
    os.close(orders)
    if job is None:  # the parent failed before it had a job to give
        return
    try:
        if failure is not None:
            raise failure
        result = job.run(lambda imprint_page, pages: _send(answers, ("laid_out", imprint_page, pages)))
    except ReportgenError as e:
        _send(answers, ("failed", e.diagnostics))
    except OSError as e:
        _send(answers, ("failed", os_error(e).diagnostics))
    except Exception:
        _send(answers, ("crashed", traceback.format_exc()))
    else:
        _send(answers, ("done", result))


def _widen(fd: int) -> None:
    try:
        import fcntl

        fcntl.fcntl(fd, F_SETPIPE_SZ, PIPE_SIZE)
    except (ImportError, OSError):  # not Linux, or a lower limit: the writes wait a little, nothing more
        pass


def _send(fd: int, message) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(len(data).to_bytes(8, "little") + data)
    while view:
        view = view[os.write(fd, view):]


def _receive(fd: int):
    """One message, or None at the end of the pipe (the other side gone)."""
    head = _read(fd, 8)
    if head is None:
        return None
    data = _read(fd, int.from_bytes(head, "little"))
    return None if data is None else pickle.loads(data)


def _read(fd: int, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, PIPE_SIZE))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
