"""``reportgen build``: check and render every requested document, then write all their outputs.

The pipeline (pipeline.py) takes each document from its YAML to a checked Document; nothing is written
unless every document got through it. Then each is typeset in every format in memory, and only then,
under ``output/.lock``, written: each document's folder is replaced as a whole (output.switch_folder).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .archive.finals import FINAL_DIR, build_records
from .archive.manifest import MANIFEST, SUMS
from .errors import Diagnostic
from .messages import _
from .output import check_targets, locked, recover, switch_folder
from .paths import no_links
from .pipeline import Loaded, check_documents, warnings
from .project import Project

#: Every output of a document; html is the page for the office's website (writers/site.py).
FORMATS = ("txt", "docx", "pdf", "html")


@dataclass
class Output:
    id: str
    year: int | None
    format: str
    path: Path
    size: int


def output_paths(project: Project, item: Loaded) -> dict[str, Path]:
    """Where each format of a document is written: ``output/<id>/<name>.<fmt>``, the name its kind's
    (``report-2023``, ``reply-2020-0584``)."""
    name = item.definition.output_name(item.id)
    return {fmt: project.output_path(item.id, name, fmt) for fmt in FORMATS}


def render_outputs(project: Project, item: Loaded, chains, formats=FORMATS) -> dict[str, bytes]:
    """Typeset one Document in every requested format, in memory.

    The PDF is PDF/A-3u with the document's file attached as its source (archive/pdfa.py); DOCX and PDF
    take every date from the document's clock (the data or SOURCE_DATE_EPOCH), so the same inputs
    give the same bytes.
    """
    from .archive import pdfa
    from .clock import Clock

    layout = item.layout
    clock = Clock.of(item.document)
    doc = pdfa.archival_document(item.document, clock.date)
    out: dict[str, bytes] = {}
    if "txt" in formats:
        from .writers.text import write_text

        out["txt"] = write_text(doc)
    imprint_page, pages = "", None
    if "pdf" in formats:
        from .writers.pdf import write_pdf

        options = pdfa.pdf_options(doc, item.path.name, item.raw, clock, pdfa.identifier(doc, item.id))
        pdf = write_pdf(doc, layout, chains, allowed=[project.fonts_dir], **options)
        out["pdf"], imprint_page, pages = pdf.data, pdf.imprint_page, pdf.pages
    if "docx" in formats:
        from .writers.docx import write_docx

        # The same instant as the PDF's dates; the 版记 on a page of its own where the PDF's pagination
        # put it; the PDF's page count (the DOCX's pages are the PDF's: one document tree, one layout).
        out["docx"] = write_docx(doc, layout, chains, date=clock.instant, imprint_page=imprint_page, pages=pages)
    if "html" in formats:
        from .writers.site import read_stylesheet, write_site

        out["html"] = write_site(doc, layout, read_stylesheet(project.root, item.kind)[1])
    return out


def check_page_stylesheets(project: Project, loaded: list[Loaded]) -> None:
    """The web page's stylesheet of each kind built, read and checked before the (slow) typesetting: the
    problems of all of them at once (writers/site.read_stylesheet)."""
    from .errors import ReportgenError
    from .writers.site import read_stylesheet

    problems = []
    for kind in dict.fromkeys(item.kind for item in loaded):
        try:
            read_stylesheet(project.root, kind)
        except ReportgenError as e:
            problems += e.diagnostics
    if problems:
        raise ReportgenError(problems)


def project_formats(project: Project) -> tuple[str, ...]:
    """The outputs a project writes: reportgen.toml's ``outputs`` (a list of txt, docx, pdf, html), else all."""
    from .errors import ReportgenError
    from .kinds import SETTINGS_FILE, project_settings

    chosen = project_settings(project.root).get("outputs")
    if chosen is None:
        return FORMATS
    if not (isinstance(chosen, list) and chosen and all(f in FORMATS for f in chosen)):
        raise ReportgenError([Diagnostic(_("outputs in {file} is a list of the outputs to write, from {formats}",
                                           file=SETTINGS_FILE, formats=", ".join(FORMATS)),
                                         file=SETTINGS_FILE, code="settings")])
    return tuple(f for f in FORMATS if f in chosen)


def build(project: Project, args: list[str], formats=None, progress=None) -> tuple[list[Output], list[Diagnostic]]:
    """Check every document the arguments name (all when none), typeset all of them, and only then write.

    ``formats``: the outputs to write (default: the project's, project_formats). The DOCX takes its page count
    and the 版记's page from the PDF's layout, so the PDF is laid out for it even when it is not written.

    ``progress(n, total, item)``, when given, is told before each document is typeset (n from 1): that is
    the slow step (progress.Progress shows it).

    Writing happens under ``output/.lock``: each document's outputs, its manifest and SHA256SUMS are
    written into a new folder that replaces ``output/<id>/`` in one step (output.switch_folder). Final
    versions in ``output/<id>/final/`` are never written here (the folder is moved along); the manifest
    carries their record over.
    """
    formats = project_formats(project) if formats is None else tuple(formats)
    typeset = formats + (("pdf",) if "docx" in formats and "pdf" not in formats else ())
    loaded, chains = check_documents(project, args)
    # Where the outputs go is checked before the (slow) typesetting: no link, nothing in the way.
    for item in loaded:
        names = [path.name for path in output_paths(project, item).values()] + [MANIFEST, SUMS]
        check_targets(project.output_folder(item.id), names)
    if "html" in formats:
        check_page_stylesheets(project, loaded)
    rendered = []
    for i, item in enumerate(loaded):
        if progress is not None:
            progress(i + 1, len(loaded), item)
        files = render_outputs(project, item, chains[i], typeset)
        rendered.append((item, chains[i], {fmt: data for fmt, data in files.items() if fmt in formats}))
    outputs: list[Output] = []
    with locked(project.output_dir):
        for item, item_chains, files in rendered:
            paths = output_paths(project, item)
            folder = project.output_folder(item.id)
            recover(project.output_dir, item.id)
            no_links(project.root, folder / FINAL_DIR)  # before the old manifest and finals are read
            group = [(paths[fmt], files[fmt]) for fmt in FORMATS if fmt in files]
            records = build_records(project, item, item_chains, {fmt: files[fmt] for fmt in files}, paths)
            switch_folder(folder, [(path.name, data) for path, data in group + records])
            outputs += [Output(item.id, item.year, fmt, paths[fmt], len(files[fmt])) for fmt in FORMATS if fmt in files]
            # The manifest and SHA256SUMS are outputs too: list them, named by their file.
            outputs += [Output(item.id, item.year, path.name, path, len(data)) for path, data in records]
    return outputs, warnings(loaded)
