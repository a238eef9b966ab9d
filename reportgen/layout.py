"""GB/T 9704 layout: ``layouts/gbt9704.toml``, overlaid by a kind's ``layout.toml``, and the values
both writers derive from it.

Every length is held in points (float). Derived values are computed here, never stored:

* line pitch = 版心 height / lines, floored to 0.05 pt → 28.95 pt (29 pt gives 21 lines). [MEAS]
* character pitch = 版心 width / chars → 15.79 pt; a 16 pt character needs −0.21 pt of tracking.

Loading is generic: each TOML table maps onto the dataclass of the same name below, each value is
converted by the field's type (a ``float`` field takes ``"37mm"`` or ``"16pt"``), and a key the
dataclass does not know is an error naming the file's table, so an overlay's typo cannot pass
silently. An overlay is merged onto the base table by table (``[numbering.levels.2] reset = …``
changes one value and keeps the rest).
"""
from __future__ import annotations

import dataclasses
import math
import tomllib
import typing
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .numbering import RESETS, Level

MM = 72 / 25.4  # points per millimetre

LAYOUT_DIR = Path(__file__).parent / "layouts"
BASE = LAYOUT_DIR / "gbt9704.toml"


def length(value: str) -> float:
    """Parse ``"37mm"`` or ``"16pt"`` into points."""
    value = value.strip()
    if value.endswith("mm"):
        return float(value[:-2]) * MM
    if value.endswith("pt"):
        return float(value[:-2])
    raise ValueError(f"length must end in mm or pt: {value!r}")


def zi_width(text: str, half: float = 0.5) -> float:
    """Width of ``text`` in 字 (grid characters): full-width 1, half-width (digits, Latin) ``half``
    (0.5 in the GB2312 fonts; proportional digits of other CJK fonts are wider, see ``[title]``)."""
    import unicodedata

    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" and ord(ch) > 0xFF else half for ch in text)


@dataclass(frozen=True)
class Role:
    """A typographic role (title, body, heading1…): size in pt, a font-chain name and a colour."""

    size: float
    font: str
    color: str = "#000000"
    name: str = ""


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    margin_top: float
    margin_bottom: float
    margin_left: float
    margin_right: float


@dataclass(frozen=True)
class Grid:
    lines: int
    chars: int


@dataclass(frozen=True)
class Tracking:
    pdf: float
    docx_twentieths: int


@dataclass(frozen=True)
class Numbering:
    point: str
    levels: dict[str, Level]


@dataclass(frozen=True)
class Indent:
    first_line_chars: int


@dataclass(frozen=True)
class PageNumber:
    format: str
    inset_chars: int
    below_type_area: float
    docx_footer_distance: float


@dataclass(frozen=True)
class TitleRules:
    blank_lines_after: int
    half_width_percent: int

    @property
    def half_width(self) -> float:
        return self.half_width_percent / 100


@dataclass(frozen=True)
class SignatureRules:
    issuer_right_chars: int
    date_offset_chars: int
    blank_lines_before: int
    sealed_date_right_chars: int
    sealed_blank_lines_before: int


@dataclass(frozen=True)
class AttachmentNoteRules:
    blank_lines_before: int


@dataclass(frozen=True)
class AttachmentRules:
    blank_lines_after_label: int


@dataclass(frozen=True)
class MastheadRules:
    mark_top: float
    blank_lines_after_mark: int
    rule_gap: float
    rule_width: float
    blank_lines_after_rule: int
    number_inset_chars: int
    stack_gap: float


@dataclass(frozen=True)
class ImprintRules:
    thick: float
    thin: float
    inset_chars: int
    double_sided: bool


@dataclass(frozen=True)
class Layout:
    page: Page
    grid: Grid
    tracking: Tracking
    roles: dict[str, Role]
    numbering: Numbering
    indent: Indent
    page_number: PageNumber
    title: TitleRules
    signature: SignatureRules
    attachment_note: AttachmentNoteRules
    attachment: AttachmentRules
    masthead: MastheadRules
    imprint: ImprintRules
    fonts: dict[str, tuple[str, ...]]
    sources: tuple[Path, ...] = field(default=(), compare=False)  # the files merged, base first

    # ── the page ───────────────────────────────────────────────────────────────────────────────
    @property
    def page_width(self) -> float:
        return self.page.width

    @property
    def page_height(self) -> float:
        return self.page.height

    @property
    def margin_top(self) -> float:
        return self.page.margin_top

    @property
    def margin_bottom(self) -> float:
        return self.page.margin_bottom

    @property
    def margin_left(self) -> float:
        return self.page.margin_left

    @property
    def margin_right(self) -> float:
        return self.page.margin_right

    @property
    def lines(self) -> int:
        return self.grid.lines

    @property
    def chars(self) -> int:
        return self.grid.chars

    @property
    def tracking_pdf(self) -> float:
        return self.tracking.pdf

    @property
    def tracking_docx_twentieths(self) -> int:
        return self.tracking.docx_twentieths

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

    @property
    def levels(self) -> tuple[Level, ...]:
        """The outline levels in order (一、 （一） 1. （1）)."""
        return tuple(self.numbering.levels[k] for k in sorted(self.numbering.levels, key=int))

    def chars_fitting(self, role: str) -> float:
        """How many 字 of ``role``'s size fit on one line of the 版心."""
        return self.type_width / self.roles[role].size

    # ── element arithmetic ───────────────────────────────────────────────────────────────────────
    def signature_columns(self, issuer: str | float, date: str | float, sealed: bool = False) -> tuple[float, float]:
        """Start columns (in 字 from the left of the 版心) of the 署名 and the 成文日期, from their texts
        (measured as ``zi_width``) or their widths in 字 (as a PDF writer measures them).

        Unsealed, GB/T 9704 7.3.5.2: the 署名 has a right blank of 2 字 and the date starts 2 字
        right of the 署名's first character. When the date is too long for that to leave 2 字 on
        its right, the date takes the 2 字 right blank and the 署名 moves left to keep the offset.

        Sealed, 7.3.5.1: the date has a right blank of 4 字 and the 署名 is centred over it, but never
        past the right edge of the 版心 (a 署名 far longer than the date moves left).
        """
        li = zi_width(issuer) if isinstance(issuer, str) else issuer
        ld = zi_width(date) if isinstance(date, str) else date
        s = self.signature
        if sealed:
            date_col = self.chars - s.sealed_date_right_chars - ld
            issuer_col = min(date_col + (ld - li) / 2, self.chars - li)
            return max(issuer_col, 0.0), max(date_col, 0.0)
        right, offset = s.issuer_right_chars, s.date_offset_chars
        issuer_col = self.chars - right - li
        date_col = issuer_col + offset
        if date_col + ld > self.chars - right:
            date_col = self.chars - right - ld
            issuer_col = date_col - offset
        return max(issuer_col, 0.0), max(date_col, 0.0)

    def attachment_note_indents(self, entries: list[str], label: str, numbered: bool) -> list[tuple[float, float]]:
        """(left indent, hanging indent) in 字 of each line of the 附件说明 [GB/T 9704 7.3.4]: the first
        line ``附件：1.名称`` starts two 字 in, each further ``2.名称`` under the ``1.``, and a name that wraps
        goes on under its own first character."""
        out = []
        for i, entry in enumerate(entries):
            number = zi_width(entry[:entry.index(".") + 1]) if numbered else 0
            out.append((self.indent.first_line_chars + zi_width(label) + number,
                        number + (zi_width(label) if i == 0 else 0)))
        return out

    def signature_blank_lines(self, sealed: bool) -> int:
        return self.signature.sealed_blank_lines_before if sealed else self.signature.blank_lines_before

    def masthead_geometry(self, organs: tuple[str, ...], suffix: str = "", numbered: bool = True) -> dict[str, float]:
        """Where the 版头's parts go, in pt from the top of the 版心 (GB/T 9704 7.2.4–7.2.7).

        The 发文机关标志 is set in the masthead role's size, or smaller so that it fits the 版心: one
        organ with its 文件 on one line, or joint organs stacked with 文件 one 字 beside them. Its em
        box top sits ``mark_top`` (35 mm) down; the 发文字号's em box is centred in the line
        ``blank_lines_after_mark`` lines below the 标志; the rule lies ``rule_gap`` (4 mm) below the
        number's em box; the 版头 ends ``blank_lines_after_rule`` lines below the rule (below the 标志
        when there is no number, and so no rule). ``width``, ``names_width``: the 标志's and its names', in pt.
        """
        m = self.masthead
        if len(organs) > 1:
            width = max(zi_width(o) for o in organs) + (1 + zi_width(suffix) if suffix else 0)
        else:
            width = zi_width(organs[0] + suffix)
        size = min(self.roles["masthead"].size, self.type_width / width) if width else self.roles["masthead"].size
        mark_height = len(organs) * size + (len(organs) - 1) * m.stack_gap
        out = {"size": size, "mark_top": m.mark_top, "mark_height": mark_height,
               "names_width": max(zi_width(o) for o in organs) * size, "width": width * size}
        if not numbered:
            return {**out, "height": m.mark_top + mark_height + m.blank_lines_after_rule * self.line_pitch}
        number_size = self.roles["doc_number"].size
        number_top = m.mark_top + mark_height + m.blank_lines_after_mark * self.line_pitch \
            + (self.line_pitch - number_size) / 2
        rule_top = number_top + number_size + m.rule_gap
        return {**out, "number_top": number_top, "rule_top": rule_top,
                "height": rule_top + m.rule_width + m.blank_lines_after_rule * self.line_pitch}

    def check(self) -> None:
        """Refuse values that cannot work: an empty grid or page, too little tracking, an unknown font
        chain, role or reset."""
        if self.grid.lines < 1 or self.grid.chars < 1:
            raise ValueError(f"[grid] needs at least one line of one character, got {self.grid.lines} × {self.grid.chars}")
        if self.type_width <= 0 or self.type_height <= 0:
            raise ValueError("[page] leaves no 版心 between its margins")
        for name, role in self.roles.items():
            if role.size <= 0:
                raise ValueError(f"[roles.{name}] size must be more than 0")
        if "body" not in self.roles:
            raise ValueError("[roles] must define body")
        needed = self.char_pitch - self.body.size
        if self.tracking_pdf > needed + 1e-9:
            raise ValueError(f"PDF tracking {self.tracking_pdf} pt is less than the {needed:.3f} pt needed")
        if self.tracking_docx_twentieths / 20 > needed:
            raise ValueError(f"DOCX tracking {self.tracking_docx_twentieths}/20 pt is less than needed")
        for name, role in self.roles.items():
            if role.font not in self.fonts:
                raise ValueError(f"[roles.{name}] names the font chain {role.font!r}, which [fonts] does not define")
        keys = sorted(self.numbering.levels, key=lambda k: int(k) if k.isdigit() else 0)
        if keys != [str(i) for i in range(1, len(keys) + 1)]:
            raise ValueError(f"[numbering.levels] must be 1, 2, 3 … without gaps, got {keys}")
        for key, level in self.numbering.levels.items():
            if level.reset not in RESETS:
                raise ValueError(f"[numbering.levels.{key}] reset must be one of {RESETS}, got {level.reset!r}")
            if level.role not in self.roles:
                raise ValueError(f"[numbering.levels.{key}] names the role {level.role!r}, which [roles] does not define")


# ── loading ──────────────────────────────────────────────────────────────────────────────────────


def merge(base: dict, overlay: dict) -> dict:
    """``overlay`` onto ``base``, table by table (a value or a list replaces; a table merges)."""
    out = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def _convert(tp, value, where: str):
    origin = typing.get_origin(tp)
    if tp is float:
        if isinstance(value, str):
            try:
                return length(value)
            except ValueError:
                raise ValueError(f"{where}: expected a length such as \"4mm\" or \"1pt\", got {value!r}") from None
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0:
            return 0.0
        raise ValueError(f"{where}: expected a length such as \"4mm\" or \"1pt\", got {value!r}")
    if tp is bool:
        if not isinstance(value, bool):
            raise ValueError(f"{where}: expected true or false, got {value!r}")
        return value
    if tp is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"{where}: expected a whole number, got {value!r}")
        return value
    if tp is str:
        if not isinstance(value, str):
            raise ValueError(f"{where}: expected text, got {value!r}")
        return value
    if origin is tuple:
        if not isinstance(value, list):
            raise ValueError(f"{where}: expected a list, got {value!r}")
        return tuple(_convert(typing.get_args(tp)[0], v, f"{where}[{i}]") for i, v in enumerate(value))
    if origin is dict:
        if not isinstance(value, dict):
            raise ValueError(f"{where}: expected a table, got {value!r}")
        inner = typing.get_args(tp)[1]
        return {k: _convert(inner, v, f"{where}.{k}") for k, v in value.items()}
    if dataclasses.is_dataclass(tp):
        return _load(tp, value, where)
    raise TypeError(f"{where}: no conversion for {tp}")


def _load(cls, table, where: str):
    if not isinstance(table, dict):
        raise ValueError(f"{where}: expected a table, got {table!r}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init and f.name not in ("sources", "name")}
    unknown = sorted(set(table) - set(fields))
    if unknown:
        raise ValueError(f"[{where}] has no setting {', '.join(map(repr, unknown))}; known: {', '.join(fields)}")
    values = {}
    for name, f in fields.items():
        if name in table:
            values[name] = _convert(hints[name], table[name], f"{where}.{name}")
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ValueError(f"[{where}] is missing {name!r}")
    return cls(**values)


def read_toml(path: Path) -> dict:
    with open(path, "rb") as f:
        return tomllib.load(f)


@lru_cache(maxsize=None)
def load_layout(*overlays: Path) -> Layout:
    """The GB/T 9704 base layout with ``overlays`` (a kind's ``layout.toml``, …) merged on in order."""
    table = read_toml(BASE)
    for path in overlays:
        table = merge(table, read_toml(path))
    layout = _load(Layout, table, "layout")
    layout = dataclasses.replace(
        layout, sources=(BASE, *overlays),
        roles={name: dataclasses.replace(role, name=name) for name, role in layout.roles.items()})
    layout.check()
    return layout

