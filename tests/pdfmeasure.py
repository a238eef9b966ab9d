"""Measure a written PDF: pages → lines → characters with position, font and size.

Layout claims are checked on the PDF archivists keep, not on WeasyPrint's internal boxes.
Coordinates are PDF points from the top-left corner of the page (pdfplumber's ``top``/``x0``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

MM = 72 / 25.4


@dataclass
class Char:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    font: str
    size: float


@dataclass
class Line:
    page: int  # 1-based
    chars: list[Char]

    @property
    def text(self) -> str:
        return "".join(c.text for c in self.chars)

    @property
    def x0(self) -> float:
        return self.chars[0].x0

    @property
    def x1(self) -> float:
        return self.chars[-1].x1

    @property
    def top(self) -> float:
        return min(c.top for c in self.chars)

    @property
    def bottom(self) -> float:
        return max(c.bottom for c in self.chars)

    @property
    def size(self) -> float:
        return max(c.size for c in self.chars)


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)


def _font(name: str) -> str:
    """``LWGGBP+Noto-Serif-CJK-SC`` → ``Noto-Serif-CJK-SC`` (drop the subset tag)."""
    return name.split("+", 1)[1] if "+" in name[:8] else name


def measure(path: Path) -> list[Page]:
    import pdfplumber

    pages = []
    with pdfplumber.open(str(path)) as pdf:
        for i, p in enumerate(pdf.pages, 1):
            page = Page(i, float(p.width), float(p.height))
            chars = sorted((Char(c["text"], float(c["x0"]), float(c["x1"]), float(c["top"]), float(c["bottom"]),
                                 _font(c["fontname"]), float(c["size"])) for c in p.chars),
                           key=lambda c: (round(c.bottom), c.x0))
            current: list[Char] = []
            for c in chars:
                if current and abs(c.bottom - current[-1].bottom) > c.size / 2:
                    page.lines.append(Line(i, sorted(current, key=lambda ch: ch.x0)))
                    current = []
                current.append(c)
            if current:
                page.lines.append(Line(i, sorted(current, key=lambda ch: ch.x0)))
            pages.append(page)
    return pages


def pdf_text_paragraphs(path: Path) -> list[str]:
    """``pdftotext`` of the PDF with line breaks inside a paragraph joined: one string per paragraph.

    A paragraph starts at a line that does not begin at the left edge of the 版心 (an indented first
    line, a centred title, a placed signature); the page-number lines are dropped. Uses poppler's
    ``pdftotext -bbox-layout``.
    """
    import subprocess
    import xml.etree.ElementTree as ET

    xml = subprocess.run(["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    root = ET.fromstring(xml)
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    out: list[str] = []
    left = None
    for page in root.iterfind(".//x:page", ns):
        for line in page.iterfind(".//x:line", ns):
            words = line.findall("x:word", ns)
            text = "".join(w.text or "" for w in words)
            if text.startswith("—") and text.endswith("—"):
                continue
            x0 = float(line.get("xMin"))
            left = x0 if left is None else min(left, x0)
            out.append((x0, text))
    paragraphs: list[str] = []
    for x0, text in out:
        if not paragraphs or x0 > left + 2:
            paragraphs.append(text)
        else:
            paragraphs[-1] += text
    return paragraphs
