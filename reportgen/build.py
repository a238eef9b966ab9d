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
            if arg.isdigit() and len(arg) == 4:
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


def load_year(project: Project, path: Path, expected_year: int | None = None,
              layout: Layout | None = None) -> Loaded:
    """Steps 1–4: load, validate, render and read the markup. Raises ReportgenError on bad data."""
    from .markup import parse_markup
    from .render import render_markup
    from .source import load_source
    from .validate import validate

    layout = layout or load_layout()
    src = load_source(path, project.display(path))
    diagnostics = validate(src, expected_year)
    errors = [d for d in diagnostics if d.level == "error"]
    if errors:
        raise ReportgenError(diagnostics)
    markup, template = render_markup(project.root, src.data)
    doc = parse_markup(markup, project.display(Path(template)), layout, src.data, src)
    return Loaded(src.data["year"], path, src, doc, [d for d in diagnostics if d.level != "error"])
