"""GB/T 9704 layout: loads ``layouts/gbt9704.toml`` and derives the values both writers use.

Every length is held in points (float). Derived values are computed here, never stored:

* line pitch = 版心 height / lines, floored to 0.05 pt → 28.95 pt (29 pt gives 21 lines). [MEAS]
* character pitch = 版心 width / chars → 15.79 pt; a 16 pt character needs −0.21 pt of tracking.
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MM = 72 / 25.4  # points per millimetre

LAYOUT_DIR = Path(__file__).parent / "layouts"


def length(value: str) -> float:
    """Parse ``"37mm"`` or ``"16pt"`` into points."""
    value = value.strip()
    if value.endswith("mm"):
        return float(value[:-2]) * MM
    if value.endswith("pt"):
        return float(value[:-2])
    raise ValueError(f"length must end in mm or pt: {value!r}")


def zi_width(text: str) -> float:
    """Width of ``text`` in 字 (grid characters): full-width 1, half-width (digits, Latin) 0.5."""
    import unicodedata

    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" and ord(ch) > 0xFF else 0.5 for ch in text)


@dataclass(frozen=True)
class Role:
    """A typographic role (title, body, heading1…): size in pt and a font-chain name."""

    name: str
    size: float
    font: str


@dataclass(frozen=True)
class Layout:
    page_width: float
    page_height: float
    margin_top: float
    margin_bottom: float
    margin_left: float
    margin_right: float
    lines: int
    chars: int
    tracking_pdf: float
    tracking_docx_twentieths: int
    roles: dict[str, Role]
    numbering: tuple[str, ...]
    first_line_chars: int
    page_number_format: str
    page_number_inset_chars: int
    page_number_below: float
    docx_footer_distance: float
    issuer_right_chars: int
    date_offset_chars: int
    signature_blank_lines: int
    title_blank_lines: int
    fonts: dict[str, tuple[str, ...]]

    @property
    def type_width(self) -> float:
        """版心 width (156 mm)."""
        return self.page_width - self.margin_left - self.margin_right

    @property
    def type_height(self) -> float:
        """版心 height (225 mm)."""
        return self.page_height - self.margin_top - self.margin_bottom

    @property
    def line_pitch(self) -> float:
        """Body line pitch: 版心 height / lines, floored to 0.05 pt (28.95 pt)."""
        return math.floor(self.type_height / self.lines * 20) / 20

    @property
    def char_pitch(self) -> float:
        """One grid character (字): 版心 width / chars (15.79 pt)."""
        return self.type_width / self.chars

    @property
    def body(self) -> Role:
        return self.roles["body"]

    def signature_columns(self, issuer: str, date: str) -> tuple[float, float]:
        """Start columns (in 字 from the left of the 版心) of the 署名 and the 成文日期.

        GB/T 9704 7.3.5.2, unsealed: the 署名 has a right blank of 2 字 and the date starts 2 字
        right of the 署名's first character. When the date is too long for that to leave 2 字 on
        its right, the date takes the 2 字 right blank and the 署名 moves left to keep the offset.
        """
        li, ld = zi_width(issuer), zi_width(date)
        right, offset = self.issuer_right_chars, self.date_offset_chars
        issuer_col = self.chars - right - li
        date_col = issuer_col + offset
        if date_col + ld > self.chars - right:
            date_col = self.chars - right - ld
            issuer_col = date_col - offset
        return max(issuer_col, 0.0), max(date_col, 0.0)

    def check(self) -> None:
        """Refuse tracking values that cannot fit ``chars`` characters on a line."""
        needed = self.char_pitch - self.body.size
        if self.tracking_pdf > needed + 1e-9:
            raise ValueError(f"PDF tracking {self.tracking_pdf} pt is less than the {needed:.3f} pt needed")
        if self.tracking_docx_twentieths / 20 > needed:
            raise ValueError(f"DOCX tracking {self.tracking_docx_twentieths}/20 pt is less than needed")


@lru_cache(maxsize=None)
def load_layout(path: Path = LAYOUT_DIR / "gbt9704.toml") -> Layout:
    """Read a layout TOML file into a :class:`Layout`."""
    with open(path, "rb") as f:
        t = tomllib.load(f)
    page = t["page"]
    layout = Layout(
        page_width=length(page["width"]),
        page_height=length(page["height"]),
        margin_top=length(page["margin_top"]),
        margin_bottom=length(page["margin_bottom"]),
        margin_left=length(page["margin_left"]),
        margin_right=length(page["margin_right"]),
        lines=int(t["grid"]["lines"]),
        chars=int(t["grid"]["chars"]),
        tracking_pdf=length(t["tracking"]["pdf"]),
        tracking_docx_twentieths=int(t["tracking"]["docx_twentieths"]),
        roles={name: Role(name, length(r["size"]), r["font"]) for name, r in t["roles"].items()},
        numbering=tuple(t["numbering"]["formats"]),
        first_line_chars=int(t["indent"]["first_line_chars"]),
        page_number_format=t["page_number"]["format"],
        page_number_inset_chars=int(t["page_number"]["inset_chars"]),
        page_number_below=length(t["page_number"]["below_type_area"]),
        docx_footer_distance=length(t["page_number"]["docx_footer_distance"]),
        issuer_right_chars=int(t["signature"]["issuer_right_chars"]),
        date_offset_chars=int(t["signature"]["date_offset_chars"]),
        signature_blank_lines=int(t["signature"]["blank_lines_before"]),
        title_blank_lines=int(t["title"]["blank_lines_after"]),
        fonts={k: tuple(v) for k, v in t["fonts"].items()},
    )
    layout.check()
    return layout
