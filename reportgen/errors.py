"""Diagnostics: every problem a user can cause, with file:line:col, data path and an excerpt."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .messages import _

EXIT_OK = 0
EXIT_FAILED = 1  # bad data or a build failure
EXIT_USAGE = 2
RULE_ID = re.compile(r"^[A-Z]{2,}\d+$")  # the code of a compliance rule's finding (compliance/: RG103)


@dataclass
class Diagnostic:
    """One problem. ``message`` is already translated; ``path`` is a data path like ``sections[0].heading``."""

    message: str
    file: str = ""
    line: int = 0  # 1-based; 0 when unknown
    col: int = 0  # 1-based
    path: str = ""
    hint: str = ""
    level: str = "error"
    excerpt: str = field(default="", repr=False)  # the line (or, of a long line, the part around col)
    caret: int = 0  # the caret's column in the excerpt when that is not ``col`` (a long line's window)
    code: str = ""  # what kind of problem, where a command's JSON names it (verify: "changed", "lost", …)

    def location(self) -> str:
        if not self.file:
            return ""
        if self.line:
            return f"{self.file}:{self.line}:{self.col}"
        return self.file

    def format(self) -> str:
        level = _("error") if self.level == "error" else _("warning")
        if RULE_ID.match(self.code):  # a compliance rule's finding: error[RG103]
            level += f"[{self.code}]"
        head = ": ".join(p for p in (self.location(), level, self.path, self.message) if p)
        out = [head]
        if self.excerpt:
            out.append(f"{self.line:>5} | {self.excerpt}")
            out.append("      | " + _caret_pad(self.excerpt, self.caret or self.col) + "^")
        if self.hint:
            out.append("      = " + self.hint)
        return "\n".join(out)

    def to_json(self) -> dict:
        """The diagnostic for --json: a file, line or column that is not known is null (not "" or 0)."""
        return {
            "level": self.level,
            "file": self.file or None,
            "line": self.line or None,
            "col": (self.col or None) if self.line else None,
            "path": self.path,
            "message": self.message,
            "hint": self.hint,
            "code": self.code,
        }


def _caret_pad(line: str, col: int) -> str:
    """Spaces up to column ``col``, counting East-Asian wide characters as two cells."""
    import unicodedata

    pad = 0
    for ch in line[: max(col - 1, 0)]:
        pad += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return " " * pad


class ReportgenError(Exception):
    """Raised with one or more diagnostics; the CLI prints them and exits with ``exit_code``."""

    def __init__(self, diagnostics: list[Diagnostic], exit_code: int = EXIT_FAILED):
        super().__init__()
        self.diagnostics = diagnostics
        self.exit_code = exit_code

    def __str__(self) -> str:  # formatted when asked for, not at every raise (a file may hold 10⁵ problems)
        return "\n".join(d.format() for d in self.diagnostics)
