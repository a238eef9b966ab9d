"""What both peers set: the year file's text in reading order and the GB/T 9704 numbers, read the way a
hand-written script would read them (pyyaml and tomllib, no reportgen), so a peer does the same work as
reportgen and nothing of reportgen's.

The numbers come from ``reportgen/layouts/gbt9704.toml`` (never copied here): page and margins, sizes, the
line pitch (版心 height / lines, floored to 0.05 pt, as reportgen/layout.py derives it), the character pitch
and tracking, the first-line indent, the numbering formats and the page-number rules.
"""
from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
LAYOUT = ROOT / "reportgen" / "layouts" / "gbt9704.toml"
MM = 72 / 25.4
CN_DIGITS = "零一二三四五六七八九"


def length(value: str) -> float:
    """``"37mm"`` or ``"16pt"`` in points."""
    value = value.strip()
    return float(value[:-2]) * (MM if value.endswith("mm") else 1.0)


@dataclass(frozen=True)
class Geometry:
    """The page and the grid, in points."""

    width: float
    height: float
    top: float
    bottom: float
    left: float
    right: float
    pitch: float  # line pitch
    char_pitch: float
    tracking: float  # pt, the PDF's letter-spacing
    docx_twentieths: int
    indent_chars: int
    title_blank_lines: int
    sizes: dict[str, float]  # role → pt
    chains: dict[str, tuple[str, ...]]  # role → its font chain
    level_formats: dict[int, tuple[str, str]]  # numbering level → (format, role)
    page_number_format: str
    page_number_inset_chars: int
    page_number_below: float  # top of the page-number line below the 版心
    docx_footer_distance: float


def geometry(path: Path = LAYOUT) -> Geometry:
    """The layout file's numbers, with the two pitches derived as reportgen derives them."""
    t = tomllib.loads(path.read_text(encoding="utf-8"))
    page = {k: length(v) for k, v in t["page"].items()}
    type_height = page["height"] - page["margin_top"] - page["margin_bottom"]
    type_width = page["width"] - page["margin_left"] - page["margin_right"]
    pn = t["page_number"]
    return Geometry(
        width=page["width"], height=page["height"], top=page["margin_top"], bottom=page["margin_bottom"],
        left=page["margin_left"], right=page["margin_right"],
        pitch=math.floor(type_height / t["grid"]["lines"] / 0.05 + 1e-9) * 0.05,
        char_pitch=type_width / t["grid"]["chars"],
        tracking=length(t["tracking"]["pdf"]), docx_twentieths=t["tracking"]["docx_twentieths"],
        indent_chars=t["indent"]["first_line_chars"], title_blank_lines=t["title"]["blank_lines_after"],
        sizes={role: length(r["size"]) for role, r in t["roles"].items()},
        chains={role: tuple(t["fonts"][r["font"]]) for role, r in t["roles"].items()},
        level_formats={int(k): (v["format"], v["role"]) for k, v in t["numbering"]["levels"].items()},
        page_number_format=pn["format"], page_number_inset_chars=pn["inset_chars"],
        page_number_below=length(pn["below_type_area"]), docx_footer_distance=length(pn["docx_footer_distance"]))


@dataclass(frozen=True)
class Face:
    family: str
    bold: bool
    file: str = ""  # the resolved font file, when known


def faces(geo: Geometry, fonts_json: Path | None) -> dict[str, Face]:
    """Role → face: what ``reportgen fonts --json`` resolved on this machine (so a peer sets the fonts
    reportgen's PDF embeds), else the first name of each chain, as a DOCX written by hand would name it."""
    out = {}
    for role, chain in geo.chains.items():
        family, _, style = chain[0].partition(":")
        out[role] = Face(family, "Bold" in style)
    if fonts_json:
        for r in json.loads(fonts_json.read_text(encoding="utf-8"))["roles"]:
            out[r["role"]] = Face(r["font"], "Bold" in (r.get("style") or ""), r.get("file") or "")
    return out


def cn(n: int) -> str:
    """1 → 一, 10 → 十, 23 → 二十三 (up to 99: numbered headings of a long report)."""
    tens, ones = divmod(n, 10)
    return (("" if tens < 2 else CN_DIGITS[tens]) + "十" if tens else "") + (CN_DIGITS[ones] if ones or not tens else "")


def number(fmt: str, n: int) -> str:
    return fmt.replace("{cn}", cn(n)).replace("{n}", str(n))


@dataclass(frozen=True)
class Block:
    """One paragraph: ``kind`` "title" or "para", and its runs as (role, text)."""

    kind: str
    runs: tuple[tuple[str, str], ...]


def blocks(year_file: Path, geo: Geometry) -> list[Block]:
    """The year file's text in reading order: title, opening, then each section's numbered heading, its
    paragraphs and its numbered items with run-in leads (the structure the sample uses)."""
    data = yaml.safe_load(year_file.read_text(encoding="utf-8"))
    title = data.get("title") or f"{data['organ']}{data['year']}年法治建设情况"
    (fmt1, role1), (fmt2, role2) = geo.level_formats[1], geo.level_formats[2]
    out = [Block("title", (("title", title),))]
    out += [Block("para", (("body", p),)) for p in data.get("opening", [])]
    for i, section in enumerate(data.get("sections", []), 1):
        out.append(Block("para", ((role1, number(fmt1, i) + section["heading"]),)))
        out += [Block("para", (("body", p),)) for p in section.get("paragraphs", [])]
        for j, item in enumerate(section.get("items", []), 1):
            out.append(Block("para", ((role2, number(fmt2, j) + item["lead"]), ("body", item["text"]))))
    return out
