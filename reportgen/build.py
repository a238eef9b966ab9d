"""Orchestration: source → validate → render → markup → Document → writers → output/.

Step 1 loads and checks the year file; nothing is written unless every step before the writers
succeeded, and every output is written to a temporary file and renamed into place.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .document import Document
from .errors import Diagnostic, ReportgenError
from .layout import Layout, load_layout
from .messages import _

YEAR_FILE = re.compile(r"^(\d{4})\.ya?ml$")


def is_year(text: str) -> bool:
    """A year as users type it on the command line and as output/ names folders: four digits."""
    return len(text) == 4 and text.isascii() and text.isdigit()
FORMATS = ("txt", "docx", "pdf")


@dataclass(frozen=True)
class Project:
    """A report project: ``data/years/*.yaml``, optional ``templates/`` and ``fonts/``, and ``output/``."""

    root: Path

    @property
    def years_dir(self) -> Path:
        return self.root / "data" / "years"

    @property
    def output_dir(self) -> Path:
        return self.root / "output"

    @property
    def fonts_dir(self) -> Path:
        return self.root / "fonts"

    def year_files(self) -> dict[int, Path]:
        found = {}
        if self.years_dir.is_dir():
            for p in sorted(self.years_dir.iterdir()):
                m = YEAR_FILE.match(p.name)
                if m and int(m.group(1)) in found:
                    raise ReportgenError([Diagnostic(_("{first} and {second} are both for {year}; keep one",
                                                       first=self.display(found[int(m.group(1))]),
                                                       second=self.display(p), year=m.group(1)))])
                if m:
                    found[int(m.group(1))] = p
        return found

    def display(self, path: Path) -> str:
        """A path as users see it: relative to the project when inside it."""
        try:
            return str(path.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)

    def resolve_years(self, years: list[str]) -> list[tuple[int | None, Path]]:
        """Command-line year arguments (``2023`` or a path to a YAML file) → (year, file)."""
        files = self.year_files()
        if not years:
            if not files:
                raise ReportgenError([Diagnostic(_("no year files found in {dir}", dir=self.display(self.years_dir)))])
            return sorted(files.items())
        out = []
        for arg in years:
            if is_year(arg):
                if int(arg) not in files:
                    raise ReportgenError([Diagnostic(_("no data file for {year}: expected {path}", year=arg,
                                                       path=self.display(self.years_dir / f"{arg}.yaml")))])
                out.append((int(arg), files[int(arg)]))
            else:
                p = Path(arg)
                if not p.is_absolute():
                    p = Path.cwd() / p
                m = YEAR_FILE.match(p.name)
                out.append((int(m.group(1)) if m else None, p))
        return out


@dataclass
class Loaded:
    """A year file taken through every check, rendered into its Document."""

    year: int
    path: Path
    source: object
    document: Document
    warnings: list[Diagnostic] = field(default_factory=list)
    raw: bytes = b""  # the file's bytes exactly as read: what the PDF carries as its source
    template: Path | None = None  # the markup template render.py resolved


def load_year(project: Project, path: Path, expected_year: int | None = None,
              layout: Layout | None = None) -> Loaded:
    """Steps 1–4 for a year file on disk: load, validate, render and read the markup."""
    from .source import load_source

    return load_parsed(project, load_source(path, project.display(path)), path, expected_year, layout)


def load_bytes(project: Project, raw: bytes, display: str, expected_year: int | None = None,
               layout: Layout | None = None) -> Loaded:
    """Steps 1–4 for a year file's bytes already in hand (a git blob, a frozen copy)."""
    from .source import source_from_bytes

    return load_parsed(project, source_from_bytes(raw, display), Path(display), expected_year, layout)


def load_parsed(project: Project, src, path: Path, expected_year: int | None = None,
                layout: Layout | None = None) -> Loaded:
    """Validate, render and read the markup of a parsed year file. Raises ReportgenError on bad data."""
    from .markup import parse_markup
    from .render import display_template, render_markup
    from .validate import validate

    layout = layout or load_layout()
    diagnostics = validate(src, expected_year)
    errors = [d for d in diagnostics if d.level == "error"]
    if errors:
        raise ReportgenError(diagnostics)
    markup, template = render_markup(project.root, src.data)
    doc = parse_markup(markup, display_template(project.root, template), layout, src.data, src)
    return Loaded(src.data["year"], path, src, doc, [d for d in diagnostics if d.level != "error"], src.raw,
                  Path(template))


@dataclass
class Output:
    year: int
    format: str
    path: Path
    size: int


def output_paths(project: Project, year: int) -> dict[str, Path]:
    from .archive.finals import year_folder

    folder = year_folder(project, year)
    return {fmt: folder / f"report-{year}.{fmt}" for fmt in FORMATS}


def check_fonts(project: Project, loaded: list[Loaded], layout: Layout):
    """Resolve the font chains and refuse any character no font of its role can draw."""
    from .fonts import check_glyphs, resolve

    chains = resolve(layout, project.fonts_dir)
    problems = []
    for item in loaded:
        problems += check_glyphs(item.document, layout, chains)
    if problems:
        raise ReportgenError(problems)
    return chains


def render_outputs(project: Project, item: Loaded, layout: Layout, chains, formats=FORMATS) -> dict[str, bytes]:
    """Typeset one Document in every requested format, in memory.

    The PDF is PDF/A-3u with the year file attached as its source (archive/pdfa.py); DOCX and PDF
    take every date from the document's clock (the data or SOURCE_DATE_EPOCH), so the same inputs
    give the same bytes.
    """
    from .archive import pdfa
    from .clock import Clock

    clock = Clock.of(item.document)
    doc = pdfa.archival_document(item.document, clock.date)
    out: dict[str, bytes] = {}
    if "txt" in formats:
        from .writers.text import write_text

        out["txt"] = write_text(doc)
    if "docx" in formats:
        from .writers.docx import write_docx

        out["docx"] = write_docx(doc, layout, chains, date=clock.instant)  # the same instant as the PDF's dates
    if "pdf" in formats:
        from .writers.pdf import write_pdf

        options = pdfa.pdf_options(doc, item.path.name, item.raw, clock)
        out["pdf"] = write_pdf(doc, layout, chains, allowed=[project.fonts_dir], **options)
    return out


def build(project: Project, years: list[str], formats=FORMATS) -> tuple[list[Output], list[Diagnostic]]:
    """Check every requested year, typeset all of them, and only then write the outputs.

    Writing happens under ``output/.lock``: each year's outputs, its manifest and SHA256SUMS are
    staged as temporary files and renamed into place together (output.write_group). Final
    versions in ``output/<year>/final/`` are never written here; the manifest carries them over.
    """
    from .archive.finals import year_files
    from .output import locked, remove_stale_temps, write_group

    layout = load_layout()
    loaded = load_all(project, years, layout)
    chains = check_fonts(project, loaded, layout)
    rendered = [(item, render_outputs(project, item, layout, chains, formats)) for item in loaded]
    outputs: list[Output] = []
    with locked(project.output_dir):
        for item, files in rendered:
            paths = output_paths(project, item.year)
            folder = paths[FORMATS[0]].parent
            remove_stale_temps(folder)
            group = [(paths[fmt], files[fmt]) for fmt in FORMATS if fmt in files]
            records = year_files(project, item, layout, chains, {fmt: files[fmt] for fmt in files}, paths)
            write_group(group + records)
            outputs += [Output(item.year, fmt, paths[fmt], len(files[fmt])) for fmt in FORMATS if fmt in files]
            # The manifest and SHA256SUMS are outputs too: list them, named by their file.
            outputs += [Output(item.year, path.name, path, len(data)) for path, data in records]
    warnings = [w for item in loaded for w in item.warnings]
    return outputs, warnings


def load_all(project: Project, years: list[str], layout: Layout) -> list[Loaded]:
    """Load every requested year; collect the diagnostics of all of them before failing."""
    loaded, problems = [], []
    for year, path in project.resolve_years(years):
        try:
            loaded.append(load_year(project, path, year, layout))
        except ReportgenError as e:
            problems += e.diagnostics
    if problems:
        raise ReportgenError(problems)
    # Two files for one year would both be written to output/<year>, the last one winning.
    seen: dict[int, Loaded] = {}
    for item in loaded:
        first = seen.setdefault(item.year, item)
        if first is not item and first.path.resolve() != item.path.resolve():
            raise ReportgenError([Diagnostic(_("{first} and {second} are both for {year}; build one at a time",
                                               first=project.display(first.path), second=project.display(item.path),
                                               year=item.year))])
    return loaded
