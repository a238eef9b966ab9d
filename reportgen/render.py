"""Render a year's data through the kind's Jinja template into reportgen markup.

The environment is sandboxed (templates cannot reach Python internals), autoescaped (data is text,
never markup: ``<script>`` or ``{{ }}`` in data come out literally) and strict (a missing variable
is an error, not an empty string).
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

from .errors import Diagnostic, ReportgenError
from .messages import _

def _builtin_templates() -> Path:
    """The built-in templates: the repository's templates/, installed as ``reportgen._templates``."""
    source = Path(__file__).resolve().parent.parent / "templates"
    if (source / "report").is_dir():  # a source checkout or an editable install
        return source
    from importlib.resources import files

    return Path(str(files("reportgen"))) / "_templates"


BUILTIN_TEMPLATES = _builtin_templates()


def template_dirs(project: Path) -> list[Path]:
    """Project overrides first, then the built-in templates."""
    dirs = [project / "templates", BUILTIN_TEMPLATES]
    out: list[Path] = []
    for d in dirs:
        if d.is_dir() and d.resolve() not in [o.resolve() for o in out]:
            out.append(d)
    return out


def cn_date(value: str | _dt.date | None) -> str:
    """``2024-01-05`` → ``2024年1月5日`` (Arabic digits, no zero padding) [GB/T 9704 7.3.5.4]."""
    if not value:
        return ""
    d = value if isinstance(value, _dt.date) else _dt.date.fromisoformat(str(value))
    return f"{d.year}年{d.month}月{d.day}日"


def environment(project: Path):
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader([str(d) for d in template_dirs(project)]),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["cn_date"] = cn_date
    return env


def render_markup(project: Path, data: dict) -> tuple[str, str]:
    """Render ``data`` with ``templates/<kind>/document.xml.j2``; return (markup, template file name)."""
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError

    kind = data.get("kind", "report")
    name = f"{kind}/document.xml.j2"
    env = environment(project)
    try:
        template = env.get_template(name)
    except TemplateNotFound:
        raise ReportgenError([Diagnostic(_("no template for document kind {kind!r} (looked for templates/{name})",
                                           kind=kind, name=name), path="kind")]) from None
    except TemplateSyntaxError as e:
        raise ReportgenError([Diagnostic(_("template error: {message}", message=e.message),
                                         file=display_template(project, e.filename or name),
                                         line=e.lineno or 0, col=1)]) from None
    from .validate import schema

    # Every top-level key the schema knows is defined (None when absent), so templates can test it.
    context = {k: None for k in schema()["properties"]}
    context.update(data)
    shown = display_template(project, template.filename or name)
    try:
        return template.render(**context), template.filename or name
    except ReportgenError:
        raise
    except Exception as e:  # noqa: BLE001 - any failure inside a template is the template's, reported as such
        line = _template_line(e)
        message = str(e) if isinstance(e, TemplateError) else f"{type(e).__name__}: {e}"
        raise ReportgenError([Diagnostic(_("template error: {message}", message=message),
                                         file=shown, line=line, col=1 if line else 0)]) from None


def display_template(project: Path, filename: str) -> str:
    """A template's path as users see it: relative to the project, or marked as built in."""
    path = Path(filename)
    for base, suffix in ((project, ""), (BUILTIN_TEMPLATES.parent, _(" (built in)"))):
        try:
            return str(path.resolve().relative_to(base.resolve())) + suffix
        except ValueError:
            continue
    return str(filename)


def _template_line(exc: BaseException) -> int:
    tb = exc.__traceback__
    line = 0
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
