"""One document's way from its YAML to a checked, rendered :class:`document.Document` (steps 1–5).

1. load the file (or bytes already in hand: a git blob, a frozen copy) with positions (source.py);
2. validate it against the schema and the content checks (validate.py);
3. render it through its kind's template into markup (render.py);
4. read the markup into the Document every writer typesets (markup.py);
5. check that a font of each role draws every character (fonts.py).

Nothing here writes a file; every problem of every requested document is collected before failing.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from .document import Document
from .errors import Diagnostic, ReportgenError
from .layout import Layout
from .messages import _
from .project import DocumentRef, Project


@dataclass
class Loaded:
    """A document's file taken through every check, rendered into its Document."""

    year: int | None
    path: Path
    source: object
    document: Document
    definition: object  # kinds.Kind: the kind the document is, with its layout and files
    warnings: list[Diagnostic] = field(default_factory=list)
    raw: bytes = b""  # the file's bytes exactly as read: what the PDF carries as its source
    templates: list[Path] = field(default_factory=list)  # the template files render.py read, the kind's first
    id: str = ""  # the document's id (project.DocumentRef.id): its output folder is output/<id>/

    @property
    def kind(self) -> str:
        return self.document.kind

    @property
    def layout(self) -> Layout:
        return self.definition.layout


def load_document(project: Project, ref: DocumentRef, *, raw: bytes | None = None, display: str = "") -> Loaded:
    """Steps 1–4 for a document of the project (or a file named on the command line): its file, or the
    ``raw`` bytes of it already in hand (a git blob), shown in diagnostics as ``display``."""
    if raw is None:
        loaded = load_year(project, ref.path, ref.expected_year)
    else:
        loaded = load_bytes(project, raw, display, ref.expected_year)
    return dataclasses.replace(loaded, id=ref.id)


def load_year(project: Project, path: Path, expected_year: int | None = None) -> Loaded:
    """Steps 1–4 for a file on disk: load, validate, render and read the markup (``expected_year``: the
    ``year:`` a file named for its year must give)."""
    from .source import load_source

    return load_parsed(project, load_source(path, project.display(path)), path, expected_year)


def load_bytes(project: Project, raw: bytes, display: str, expected_year: int | None = None) -> Loaded:
    """Steps 1–4 for a file's bytes already in hand (a git blob, a frozen copy)."""
    from .source import source_from_bytes

    return load_parsed(project, source_from_bytes(raw, display), Path(display), expected_year)


def load_parsed(project: Project, src, path: Path, expected_year: int | None = None) -> Loaded:
    """Validate, render and read the markup of a parsed document. Raises ReportgenError on bad data.
    The document's ``kind:`` (default ``report``) chooses its schema, template and layout."""
    from .kinds import DEFAULT_KIND, available, load_kind
    from .markup import parse_markup
    from .render import display_template, render_markup
    from .validate import metadata_diagnostics, validate

    name = src.data.get("kind", DEFAULT_KIND) if isinstance(src.data, dict) else DEFAULT_KIND
    kind = load_kind(project.root, name) if isinstance(name, str) else None
    if kind is None:
        raise ReportgenError([src.diagnostic(("kind",), _("no document kind {kind!r}", kind=name),
                                             hint=_("known kinds: {kinds}", kinds=", ".join(available(project.root))), code="unknown-kind")])
    diagnostics = validate(src, kind, kind.layout, expected_year)
    errors = [d for d in diagnostics if d.level == "error"]
    if errors:
        raise ReportgenError(diagnostics)
    markup, templates = render_markup(project.root, kind, src.data)
    doc = parse_markup(markup, display_template(project.root, templates[0]), kind.layout, kind.name, src)
    too_long = metadata_diagnostics(src, doc.meta)  # the rendered title: a derived one too
    if too_long:
        raise ReportgenError(sorted(diagnostics + too_long, key=lambda d: (d.line, d.col)))
    return Loaded(src.data.get("year"), path, src, doc, kind, [d for d in diagnostics if d.level != "error"],
                  src.raw, templates)


def load_all(project: Project, args: list[str]) -> list[Loaded]:
    """Load every document the command-line arguments name (project.resolve: ids or paths, none for all);
    collect the diagnostics of all of them before failing."""
    loaded, problems = [], []
    for ref in project.resolve(args):
        try:
            loaded.append(load_document(project, ref))
        except ReportgenError as e:
            problems += e.diagnostics
    if problems:
        raise ReportgenError(problems)
    return loaded


def check_documents(project: Project, args: list[str]) -> tuple[list[Loaded], dict[int, dict]]:
    """Steps 1–5 for the documents that command-line arguments name (all of them when none):
    every document loaded and font-checked, or a ReportgenError with the problems of all of them.
    Returns the documents and the font chains of each (by its place in the list)."""
    loaded = load_all(project, args)
    return loaded, check_fonts(project, loaded)


def document_fonts(project: Project, item: Loaded) -> dict:
    """A document's font chains (its kind's layout names them); a ReportgenError when a character has no
    font of its role, with the document's warnings (one may say why: an invisible character), by place."""
    from .fonts import check_glyphs, resolve

    chains = resolve(item.layout, project.fonts_dir)
    missing = check_glyphs(item.document, item.layout, chains)
    if missing:
        raise ReportgenError(sorted(missing + item.warnings, key=lambda d: (d.line, d.col)))
    return chains


def check_fonts(project: Project, loaded: list[Loaded]) -> dict[int, dict]:
    """:func:`document_fonts` of each document; the problems of all of them at once, each document's
    warnings with them. Returns the chains of each document, by its place in ``loaded``."""
    chains, problems, failed = {}, [], False
    for i, item in enumerate(loaded):
        try:
            chains[i] = document_fonts(project, item)
        except ReportgenError as e:
            failed = True
            problems += e.diagnostics
            continue
        problems += sorted(item.warnings, key=lambda d: (d.line, d.col))
    if failed:
        raise ReportgenError(problems)
    return chains
