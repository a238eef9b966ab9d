"""Read the markup a template rendered into :class:`~reportgen.document.Document` nodes.

The vocabulary is small and closed; anything else is a template bug and is reported with the
template's name. Numbers are assigned here, once, from the layout's formats.
"""
from __future__ import annotations

import datetime as _dt
import xml.etree.ElementTree as ET

from . import document as d
from .errors import Diagnostic, ReportgenError
from .layout import Layout
from .messages import _
from .numbering import Numberer
from .source import Source, format_path

ALLOWED = {"title", "subtitle", "addressee", "p", "h", "lead", "signature", "note"}


def _origin(el: ET.Element, src: Source | None, index: dict) -> d.Origin:
    path = el.get("src", "")
    if src is None:
        return d.Origin(path)
    line, col = index.get(path, (0, 0))
    return d.Origin(path, src.file, line, col)


def _text(el: ET.Element) -> str:
    return "".join(el.itertext())


def parse_markup(markup: str, template: str, layout: Layout, data: dict, src: Source | None = None) -> d.Document:
    """Parse rendered markup into a Document; raise :class:`ReportgenError` naming the template."""
    def fail(message: str, line: int = 0) -> ReportgenError:
        return ReportgenError([Diagnostic(message, file=template, line=line, col=1 if line else 0)])

    try:
        root = ET.fromstring(markup)
    except ET.ParseError as e:
        raise fail(_("the template produced malformed markup: {reason}", reason=str(e))) from None
    if root.tag != "document":
        raise fail(_("the template's root element must be <document>, not <{tag}>", tag=root.tag))
    index = {format_path(k): v for k, v in src.positions.items()} if src else {}
    numberer = Numberer(layout.numbering)
    blocks: list[d.Block] = []
    for el in root:
        if el.tag not in ALLOWED:
            raise fail(_("the template produced an unknown element <{tag}>", tag=el.tag))
        o = _origin(el, src, index)
        if el.tag == "title":
            lines = tuple(_text(line) for line in el.findall("line")) or (_text(el),)
            blocks.append(d.Title(lines, o))
        elif el.tag == "subtitle":
            blocks.append(d.Subtitle(_text(el), o))
        elif el.tag == "addressee":
            blocks.append(d.Addressee(_text(el), o))
        elif el.tag == "p":
            blocks.append(d.Paragraph(_text(el), el.get("role", ""), o))
        elif el.tag == "note":
            blocks.append(d.Note(_text(el), o))
        elif el.tag in ("h", "lead"):
            try:
                level = int(el.get("level", ""))
                if not 1 <= level <= len(layout.numbering):
                    raise ValueError
            except ValueError:
                raise fail(_("<{tag}> needs level=\"1\" to \"{n}\"", tag=el.tag, n=len(layout.numbering))) from None
            number = numberer.next(level)
            if el.tag == "h":
                blocks.append(d.Heading(level, number, _text(el), el.get("role", ""), o))
            else:
                lead = el.find("l")
                body = el.find("t")
                blocks.append(d.LeadParagraph(level, number, _text(lead) if lead is not None else "",
                                              _text(body) if body is not None else "", el.get("role", ""), o))
        elif el.tag == "signature":
            issuer, date = el.find("issuer"), el.find("date")
            if issuer is None or date is None:
                raise fail(_("<signature> needs <issuer> and <date>"))
            blocks.append(d.Signature(_text(issuer), _text(date), o))
    titles = [b for b in blocks if isinstance(b, d.Title)]
    if len(titles) != 1:
        raise fail(_("the template must produce exactly one <title>"))
    meta = make_meta(data, titles[0].lines)
    return d.Document(root.get("kind", "report"), meta, tuple(blocks))


def make_meta(data: dict, title_lines: tuple[str, ...]) -> d.Meta:
    date = _dt.date.fromisoformat(data["date"]) if data.get("date") else None
    return d.Meta(title="".join(title_lines), organ=data["organ"], year=data["year"], date=date,
                  keywords=tuple(data.get("keywords", ())))
