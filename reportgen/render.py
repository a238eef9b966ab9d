"""Render a document's data through its kind's Jinja template into reportgen markup.

The environment is sandboxed (templates cannot reach Python internals), autoescaped (data is text,
never markup: ``<script>`` or ``{{ }}`` in data come out literally) and strict (a variable the
template names but nobody defines is an error, not an empty string). Within the data, a key a
mapping leaves out reads as none, so templates test optional parts simply (``{% if it.points %}``).
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

from .errors import Diagnostic, ReportgenError
from .kinds import Kind, display_template, template_dirs
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


def environment(project: Path):
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class RecordingLoader(FileSystemLoader):
        """Remembers every template file read (the kind's and the macros it imports), for the manifest."""

        def __init__(self, paths):
            super().__init__(paths)
            self.read: list[Path] = []

        def get_source(self, environment, template):
            source, filename, uptodate = super().get_source(environment, template)
            if Path(filename) not in self.read:
                self.read.append(Path(filename))
            return source, filename, uptodate

    env = ImmutableSandboxedEnvironment(
        loader=RecordingLoader([str(d) for d in template_dirs(project)]),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
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
                                         line=e.lineno or 0, col=1)]) from None
    except TemplateError as e:
        raise ReportgenError([Diagnostic(_("template error: {message}", message=str(e)),
                                         file=display_template(project, kind.template))]) from None
    # Every top-level key the kind's schema knows is defined (None when absent), so templates can test it.
    context = {k: None for k in kind.schema.get("properties", {})}
    context.update(_wrap(data))
    context.update(settings=_wrap(kind.settings), titles=_wrap(kind.titles))
    try:
        markup = template.render(**context)
    except ReportgenError:
        raise
    except Exception as e:  # noqa: BLE001 - any failure inside a template is the template's, reported as such
        file, line = _template_line(e)
        message = str(e) if isinstance(e, TemplateError) else f"{type(e).__name__}: {e}"
        raise ReportgenError([Diagnostic(_("template error: {message}", message=message),
                                         file=display_template(project, file or template.filename or kind.template),
                                         line=line, col=1 if line else 0)]) from None
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
