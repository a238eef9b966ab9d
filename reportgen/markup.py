"""Read the markup a template rendered into :class:`~reportgen.document.Document` nodes.

The vocabulary is small and closed (README, "Templates and document kinds"); anything else is a
template bug and is reported with the template's name. This is the one place where numbers are
assigned (from the layout's levels, see ``numbering.py``) and where a long one-string title is
broken into lines (``titles.py``), so every writer receives the same finished tree.

Block elements: ``meta`` (once), ``masthead``, ``title``, ``subtitle``, ``addressee``, ``h``,
``p``, ``lead``, ``points each="paragraph"``, ``attachments``, ``signature``, ``note``, ``label``,
``part`` (a new page that numbers afresh: the document a notice issues, an attachment) and
``imprint``. Inside ``p`` and ``lead``: text, ``r role=…`` (a run in a layout role), ``points``
(一是 二是 … run together) and ``units`` (a responsibility note).
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import re
import xml.etree.ElementTree as ET

from . import document as d
from .document import Run
from .errors import Diagnostic, ReportgenError
from .layout import Layout, zi_width
from .messages import _
from .numbering import Numberer, numbered
from .source import Source, format_path

#: A line break and the indentation after it: template formatting, never text (data holds no line breaks).
FORMATTING = re.compile(r"\s*\n\s*")

BLOCKS = {"meta", "masthead", "title", "subtitle", "addressee", "h", "p", "lead", "points", "attachments",
          "signature", "note", "label", "part", "imprint"}


class _Reader:
    def __init__(self, template: str, layout: Layout, src: Source | None):
        self.template = template
        self.layout = layout
        self.src = src
        self.index = {format_path(k): v for k, v in src.positions.items()} if src else {}
        self.numberer = Numberer(layout.levels)
        self.blocks: list[d.Block] = []
        self.meta: d.Meta | None = None
        self.words: list[str] = []  # names a title break must keep whole (organs)

    # ── helpers ────────────────────────────────────────────────────────────────────────────────
    def fail(self, message: str) -> ReportgenError:
        return ReportgenError([Diagnostic(message, file=self.template, code="markup")])

    def origin(self, el: ET.Element) -> d.Origin:
        path = el.get("src", "")
        if self.src is None:
            return d.Origin(path)
        line, col = self.index.get(path, (0, 0))
        return d.Origin(path, self.src.file, line, col)

    @staticmethod
    def text(el: ET.Element | None) -> str:
        return _clean("".join(el.itertext())) if el is not None else ""

    def children(self, el: ET.Element, allowed: set[str]) -> None:
        for child in el:
            if child.tag not in allowed:
                raise self.fail(_("<{parent}> may not hold <{tag}>", parent=el.tag, tag=child.tag))

    def role(self, name: str, el: ET.Element) -> str:
        if name not in self.layout.roles:
            raise self.fail(_("<{tag}> names the role {role!r}, which the layout does not define", tag=el.tag,
                              role=name))
        return name

    def level(self, el: ET.Element) -> int:
        n = len(self.layout.levels)
        try:
            level = int(el.get("level", ""))
            if not 1 <= level <= n:
                raise ValueError
        except ValueError:
            raise self.fail(_("<{tag}> needs level=\"1\" to \"{n}\"", tag=el.tag, n=n)) from None
        return level

    # ── inline content ───────────────────────────────────────────────────────────────────────────
    def point_runs(self, el: ET.Element) -> list[tuple[list[Run], str, d.Origin]]:
        """The points of a ``<points>`` group, numbered 一是 二是 … from one; a ``<units>`` after the
        last point ends it (an item's responsibility note)."""
        self.children(el, {"pt", "units"})
        if any(child.tag == "units" for child in list(el)[:-1]):
            raise self.fail(_("<units> may only end a <points> group"))
        out = []
        for n, pt in enumerate((child for child in el if child.tag == "pt"), 1):
            self.children(pt, {"l", "t"})
            number = numbered(self.layout.numbering.point, n)
            lead, body = self.text(pt.find("l")), self.text(pt.find("t"))
            runs = [Run("point", number + lead)] + ([Run("body", body)] if body else [])
            out.append((runs, number, self.origin(pt)))
        if out and len(el) and el[-1].tag == "units":
            out[-1][0].append(Run("units", self.text(el[-1])))
        return out

    def inline(self, el: ET.Element, skip: tuple[str, ...] = ()) -> list[Run]:
        """The runs of a paragraph's mixed content (text, ``r``, ``points``, ``units``); the
        elements named in ``skip`` (and the text before them) are read by the caller."""
        runs: list[Run] = []
        if el.text and not skip:
            runs.append(Run("body", _clean(el.text)))
        for child in el:
            if child.tag in skip:
                pass
            elif child.tag == "r":
                runs.append(Run(self.role(child.get("role", ""), child), self.text(child)))
            elif child.tag == "points":
                for point, _number, _origin in self.point_runs(child):
                    runs += point
            elif child.tag == "units":
                runs.append(Run("units", self.text(child)))
            else:
                raise self.fail(_("<{parent}> may not hold <{tag}>", parent=el.tag, tag=child.tag))
            if child.tail:
                runs.append(Run("body", _clean(child.tail)))
        return _merge(runs)

    # ── blocks ─────────────────────────────────────────────────────────────────────────────────
    def block(self, el: ET.Element, in_part: bool = False) -> None:
        tag, o, add = el.tag, self.origin(el), self.blocks.append
        if tag not in BLOCKS or (in_part and tag in ("part", "meta")):
            raise self.fail(_("the template produced an unknown element <{tag}>", tag=tag))
        if tag == "meta":
            self.read_meta(el)
        elif tag == "masthead":
            self.children(el, {"copy", "secrecy", "urgency", "organ", "suffix", "number", "signer"})
            organs = tuple(self.text(x) for x in el.findall("organ"))
            if not organs:
                raise self.fail(_("<masthead> needs at least one <organ>"))
            self.words += organs
            add(d.Masthead(organs, self.text(el.find("number")), self.text(el.find("suffix")),
                           self.text(el.find("copy")), self.text(el.find("secrecy")), self.text(el.find("urgency")),
                           tuple(self.text(x) for x in el.findall("signer")), o))
        elif tag == "title":
            self.children(el, {"line"})
            lines = tuple(self.text(line) for line in el.findall("line")) or (self.text(el),)
            add(d.Title(self.break_title(lines), o))
        elif tag == "subtitle":
            add(d.Subtitle(self.text(el), o))
        elif tag == "addressee":
            add(d.Addressee(self.text(el), o))
        elif tag == "h":
            level = self.level(el)
            add(d.Heading(level, self.numberer.next(level), self.text(el), el.get("role", ""), o))
        elif tag == "lead":
            level = self.level(el)
            number = self.numberer.next(level)
            head = Run(self.layout.levels[level - 1].role, number + self.text(el.find("l")))
            body = self.text(el.find("t"))
            if el.text and el.text.strip():
                raise self.fail(_("<lead> holds its text in <l> and <t>"))
            runs = [head] + ([Run("body", body)] if body else []) + self.inline(el, skip=("l", "t"))
            add(d.Paragraph(tuple(_merge(runs)), el.get("role", ""), level, number, o))
        elif tag == "p":
            runs = self.inline(el)
            add(d.Paragraph(tuple(runs), el.get("role", ""), origin=o))
        elif tag == "points":
            if el.get("each") != "paragraph":
                raise self.fail(_("<points> stands inside <p> or <lead>, or has each=\"paragraph\""))
            for runs, number, origin in self.point_runs(el):
                add(d.Paragraph(tuple(runs), el.get("role", ""), number=number, origin=origin))
        elif tag == "attachments":
            self.children(el, {"name"})
            add(d.AttachmentNote(tuple(self.text(x) for x in el.findall("name")), o))
        elif tag == "signature":
            self.children(el, {"issuer", "date"})
            issuer, date = el.find("issuer"), el.find("date")
            if issuer is None or date is None:
                raise self.fail(_("<signature> needs <issuer> and <date>"))
            add(d.Signature(self.text(issuer), self.text(date), el.get("sealed") == "true", o))
        elif tag == "note":
            add(d.Note(self.text(el), el.get("role", ""), o))
        elif tag == "label":
            add(d.AttachmentLabel(self.text(el), o))
        elif tag == "imprint":
            self.children(el, {"cc", "issuer", "date"})
            add(d.Imprint(tuple(self.text(x) for x in el.findall("cc")), self.text(el.find("issuer")),
                          self.text(el.find("date")), o))
        elif tag == "part":
            add(d.PageBreak(o))
            outer, self.numberer = self.numberer, Numberer(self.layout.levels)
            for child in el:
                self.block(child, in_part=True)
            self.numberer = outer

    def read_meta(self, el: ET.Element) -> None:
        if self.meta is not None:
            raise self.fail(_("the template must produce one <meta>, not several"))
        self.children(el, {"title", "organ", "year", "date", "number", "keyword"})
        year = self.text(el.find("year"))
        date = self.text(el.find("date"))
        try:
            self.meta = d.Meta(title=self.text(el.find("title")), organ=self.text(el.find("organ")),
                               year=int(year) if year else None,
                               date=_dt.date.fromisoformat(date) if date else None,
                               keywords=tuple(self.text(k) for k in el.findall("keyword")),
                               number=self.text(el.find("number")))
        except ValueError as e:
            raise self.fail(_("<meta> holds a value that is not usable: {reason}", reason=str(e))) from None
        self.words.insert(0, self.meta.organ)

    def break_title(self, lines: tuple[str, ...]) -> tuple[str, ...]:
        """A one-string title too long for one line, broken between words (GB/T 9704 7.3.1)."""
        capacity, half = self.layout.chars_fitting("title"), self.layout.title.half_width
        if len(lines) != 1 or zi_width(lines[0], half) <= capacity:
            return lines
        from .titles import break_title

        return break_title(lines[0], capacity, words=[w for w in self.words if w], half=half)


def _clean(text: str) -> str:
    """Text as the template meant it: a line break with the spaces around it is the template's layout."""
    return FORMATTING.sub("", text)


def _merge(runs: list[Run]) -> list[Run]:
    """Adjacent runs of one role as one run; empty runs dropped."""
    out: list[Run] = []
    for r in runs:
        if not r.text:
            continue
        if out and out[-1].role == r.role:
            out[-1] = Run(r.role, out[-1].text + r.text)
        else:
            out.append(r)
    return out


def parse_markup(markup: str, template: str, layout: Layout, kind: str, src: Source | None = None) -> d.Document:
    """Parse rendered markup into a Document; raise :class:`ReportgenError` naming the template."""
    reader = _Reader(template, layout, src)
    try:
        root = ET.fromstring(markup)
    except ET.ParseError as e:
        raise reader.fail(_("the template produced malformed markup: {reason}", reason=str(e))) from None
    if root.tag != "document":
        raise reader.fail(_("the template's root element must be <document>, not <{tag}>", tag=root.tag))
    if root.get("kind") not in (None, kind):
        raise reader.fail(_("the template says kind {said!r}, but it renders the kind {kind!r}",
                            said=root.get("kind"), kind=kind))
    # <meta> first: the title break keeps the organ's name whole wherever the title stands.
    metas = [el for el in root if el.tag == "meta"]
    for el in metas:
        reader.block(el)
    for el in root:
        if el.tag != "meta":
            reader.block(el)
    if reader.meta is None:
        raise reader.fail(_("the template must produce one <meta> (title, organ …)"))
    meta = reader.meta
    if root.get("lang"):
        meta = dataclasses.replace(meta, lang=root.get("lang"))
    return d.Document(kind, meta, tuple(reader.blocks))
