"""Render a document's data through its kind's Jinja template into reportgen markup.

The environment is sandboxed (templates cannot reach Python internals), autoescaped (data is text,
never markup: ``<script>`` or ``{{ }}`` in data come out literally) and strict (a variable the
template names but nobody defines is an error, not an empty string). Within the data, a key a
mapping leaves out reads as none, so templates test optional parts simply (``{% if it.points %}``).

Project templates are read only as real files inside the project's ``templates/``: a symbolic link
there (``templates/report/link.j2 → /etc/passwd``) is refused with a message naming it, before it is
opened (issue 12, F12).

A render has a time limit (``RENDER_SECONDS``; F12: nested ``range(100000)`` loops ran for ever).
Jinja's sandbox caps each ``range`` (MAX_RANGE) but not how many loops run, and a loop over a range
or over the data calls no sandbox hook per step, so an iteration budget in the hooks would miss
``{% for i in r %}{% for j in r %}…``. The limit is therefore a deadline, enforced two ways: an
interval timer (SIGALRM) interrupts the render wherever it is, which bounds every loop and macro
recursion, and the sandbox's ``call`` hook checks the same deadline, which covers renders where no
timer can be set (not in the main thread, no SIGALRM). The failure is a template error located at
the template line that was running.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import time
from pathlib import Path

from .errors import Diagnostic, ReportgenError
from .kinds import Kind, display_template, refuse_links, template_dirs
from .messages import _


class Data(dict):
    """A mapping of the data as templates see it: a missing key is None."""

    def __missing__(self, key):
        return None


def _wrap(value):
    if isinstance(value, dict):
        return Data({k: _wrap(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


def cn_date(value: str | _dt.date | None) -> str:
    """``2024-01-05`` → ``2024年1月5日`` (Arabic digits, no zero padding) [GB/T 9704 7.3.5.4]."""
    if not value:
        return ""
    d = value if isinstance(value, _dt.date) else _dt.date.fromisoformat(str(value))
    return f"{d.year}年{d.month}月{d.day}日"


RENDER_SECONDS = 5.0  # a real kind renders in milliseconds


class RenderTimeout(Exception):
    """A template ran past RENDER_SECONDS."""


def _timeout_message() -> str:
    seconds = f"{RENDER_SECONDS:g}"
    return _("the template ran longer than {seconds} s; a loop or a macro runs too long", seconds=seconds)


@contextlib.contextmanager
def _deadline(env):
    """Hold ``env.deadline`` for the render, and arm a SIGALRM timer for it where one can be set."""
    import signal
    import threading

    env.deadline = time.monotonic() + RENDER_SECONDS
    timer = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not timer:
        yield
        return

    def expired(_signum, _frame):
        raise RenderTimeout(_timeout_message())

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, RENDER_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _bytecode_cache():
    """Jinja's compiled templates, kept in the user's cache (cache.py) by template and source checksum.
    The folder holds this environment's code only: what Jinja compiles depends on the environment's
    options (autoescaping), which its cache key does not include."""
    from jinja2 import FileSystemBytecodeCache

    from . import cache

    folder = cache.path("jinja-sandboxed-autoescaped")
    if folder is None:
        return None
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
    except OSError:
        return None
    return FileSystemBytecodeCache(str(folder))


def environment(project: Path):
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.loaders import split_template_path
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    root = Path(project).resolve()

    class RecordingLoader(FileSystemLoader):
        """Remembers every template file read (the kind's and the macros it imports), for the manifest;
        refuses a project template that is (or lies under) a symbolic link, before opening it."""

        def __init__(self, paths):
            super().__init__(paths)
            self.read: list[Path] = []

        def get_source(self, environment, template):
            refuse_links(root, "/".join(split_template_path(template)))  # before anything is opened
            source, filename, uptodate = super().get_source(environment, template)
            if Path(filename) not in self.read:
                self.read.append(Path(filename))
            return source, filename, uptodate

    class LimitedSandbox(ImmutableSandboxedEnvironment):
        """The sandbox, with the render's deadline checked at every call a template makes."""

        deadline = float("inf")

        def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
            if time.monotonic() > __self.deadline:
                raise RenderTimeout(_timeout_message())
            return super().call(__context, __obj, *args, **kwargs)

    env = LimitedSandbox(
        loader=RecordingLoader([str(d) for d in template_dirs(project)]),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        bytecode_cache=_bytecode_cache(),
    )
    env.filters["cn_date"] = cn_date
    return env


def render_markup(project: Path, kind: Kind, data: dict) -> tuple[str, list[Path]]:
    """Render ``data`` with the kind's template; return (markup, the template files read, the kind's first)."""
    from jinja2 import TemplateError, TemplateSyntaxError

    env = environment(project)
    try:
        template = env.get_template(kind.template)
    except TemplateSyntaxError as e:
        raise ReportgenError([Diagnostic(_("template error: {message}", message=e.message),
                                         file=display_template(project, e.filename or kind.template),
                                         line=e.lineno or 0, col=1, code="template")]) from None
    except TemplateError as e:
        raise ReportgenError([Diagnostic(_("template error: {message}", message=str(e)),
                                         file=display_template(project, kind.template), code="template")]) from None
    # Every top-level key the kind's schema knows is defined (None when absent), so templates can test it.
    context = {k: None for k in kind.schema.get("properties", {})}
    context.update(_wrap(data))
    context.update(settings=_wrap(kind.settings), titles=_wrap(kind.titles))
    try:
        with _deadline(env):
            markup = template.render(**context)
    except ReportgenError:
        raise
    except Exception as e:  # noqa: BLE001 - any failure inside a template is the template's, reported as such
        file, line = _template_line(e)
        message = str(e) if isinstance(e, (TemplateError, RenderTimeout)) else f"{type(e).__name__}: {e}"
        raise ReportgenError([Diagnostic(_("template error: {message}", message=message),
                                         file=display_template(project, file or template.filename or kind.template),
                                         line=line, col=1 if line else 0, code="template")]) from None
    return markup, list(env.loader.read)


def _template_line(exc: BaseException) -> tuple[str, int]:
    """The innermost template file and line of a failure inside a template."""
    tb = exc.__traceback__
    found = ("", 0)
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(".j2"):
            found = (name, tb.tb_lineno)
        tb = tb.tb_next
    return found
