"""A report project on disk: its folders, the documents in ``data/``, command-line arguments that name
them, and where each document's outputs go.

A project is a folder holding ``data/years/<year>.yaml``, optionally ``templates/`` (overrides) and
``fonts/`` (the office's licensed fonts), and ``output/``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import Diagnostic, ReportgenError
from .messages import _

YEAR_FILE = re.compile(r"^(\d{4})\.ya?ml$")


def is_year(text: str) -> bool:
    """A year as users type it on the command line and as output/ names folders: four digits."""
    return len(text) == 4 and text.isascii() and text.isdigit()


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

    def display(self, path: Path) -> str:
        """A path as users see it: relative to the project when inside it."""
        try:
            return str(path.resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)

    # ── the documents ───────────────────────────────────────────────────────────────────────────

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

    # ── output/ ─────────────────────────────────────────────────────────────────────────────────

    def output_folder(self, year: int) -> Path:
        """``output/<year>/``: where one document's outputs, manifest and finals live."""
        return self.output_dir / str(year)

    def output_path(self, year: int, fmt: str) -> Path:
        """The file one output is written to: ``output/<year>/report-<year>.<fmt>``."""
        return self.output_folder(year) / f"report-{year}.{fmt}"

    def output_years(self) -> list[int]:
        """The years that have a folder in ``output/``."""
        out = []
        if self.output_dir.is_dir():
            for p in sorted(self.output_dir.iterdir()):
                if p.is_dir() and is_year(p.name):
                    out.append(int(p.name))
        return out
