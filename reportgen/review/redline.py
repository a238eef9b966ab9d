"""B typeset as our DOCX, with Word tracked changes (w:ins / w:del) against A.

Both sides are typeset by :func:`writers.docx.write_docx`, so every paragraph and run carries the
styles the real build writes. Paragraphs are aligned as in the terminal diff; inside a changed
paragraph the revision is character-level. Rules followed (ECMA-376 §17.13.5, peers §3.2):

* ``w:ins``/``w:del`` are siblings of ``w:r``; deleted text is ``w:delText``;
* a paragraph added or removed as a whole also has its paragraph mark marked
  (``w:pPr/w:rPr/w:ins`` or ``w:del``), so accepting or rejecting removes the paragraph itself;
* a revision run carries the ``w:rPr`` of the run its text came from (deleted text: A's run,
  kept and inserted text: B's run), so fonts, sizes and the lead's ``rStyle`` survive;
* ids are unique (above any ``w:id`` already in the part) and assigned in document order; every
  revision has the same author and date. Nothing depends on the clock.

Accept all gives exactly B's text, reject all exactly A's (tests/test_review.py applies both).
"""
from __future__ import annotations

import copy
import datetime as _dt
import io
import zipfile

from lxml import etree

from ..document import document_paragraphs
from ..writers import ooxml as ox
from .textdiff import align, char_diff, units

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _chars(p) -> list[tuple[object, str]]:
    """A paragraph's content as (run rPr or None, character); a break is ``\\n``, a tab ``\\t``."""
    out: list[tuple[object, str]] = []
    for child in p:
        if child.tag == w("pPr"):
            continue
        if child.tag != w("r"):
            raise ValueError(f"unexpected paragraph content {child.tag}")
        rpr = child.find(w("rPr"))
        for part in child:
            if part.tag == w("rPr"):
                continue
            if part.tag == w("t"):
                out += [(rpr, ch) for ch in (part.text or "")]
            elif part.tag == w("br"):
                out.append((rpr, "\n"))
            elif part.tag == w("tab"):
                out.append((rpr, "\t"))
            else:
                raise ValueError(f"unexpected run content {part.tag}")
    return out


def _key(rpr) -> bytes:
    return b"" if rpr is None else etree.tostring(rpr, method="c14n")


class _Revisions:
    def __init__(self, author: str, date: _dt.datetime, first_id: int):
        self.author = author
        self.date = date.strftime("%Y-%m-%dT%H:%M:%SZ")
        self.next_id = first_id

    def mark(self, kind: str):
        el = etree.Element(w(kind))
        el.set(w("id"), str(self.next_id))
        el.set(w("author"), self.author)
        el.set(w("date"), self.date)
        self.next_id += 1
        return el

    def mark_paragraph(self, p, kind: str) -> None:
        """Mark the paragraph mark itself inserted or deleted (w:pPr/w:rPr/w:ins|w:del)."""
        ppr = p.find(w("pPr"))
        if ppr is None:
            ppr = etree.Element(w("pPr"))
            p.insert(0, ppr)
        rpr = ppr.find(w("rPr"))
        if rpr is None:
            rpr = etree.Element(w("rPr"))
            anchor = ppr.find(w("sectPr")) if ppr.find(w("sectPr")) is not None else ppr.find(w("pPrChange"))
            if anchor is not None:
                anchor.addprevious(rpr)
            else:
                ppr.append(rpr)
        rpr.insert(0, self.mark(kind))


def _run(rpr, text: str, deleted: bool):
    r = etree.Element(w("r"))
    if rpr is not None:
        r.append(copy.deepcopy(rpr))
    buf = ""

    def flush():
        nonlocal buf
        if buf:
            t = etree.SubElement(r, w("delText" if deleted else "t"))
            t.text = buf
            if buf != buf.strip() or "  " in buf:
                t.set(XML_SPACE, "preserve")
            buf = ""

    for ch in text:
        if ch == "\n":
            flush()
            etree.SubElement(r, w("br"))
        elif ch == "\t":
            flush()
            etree.SubElement(r, w("tab"))
        else:
            buf += ch
    flush()
    return r


def _emit(pieces: list[tuple[str, object, str]], revs: _Revisions) -> list:
    """(status, rPr, char) → runs, grouped by run properties; ins/del runs wrapped in one container per stretch."""
    out: list = []
    groups: list[list] = []  # [status, rpr, text]
    for status, rpr, ch in pieces:
        if groups and groups[-1][0] == status and _key(groups[-1][1]) == _key(rpr):
            groups[-1][2] += ch
        else:
            groups.append([status, rpr, ch])
    container = None
    for status, rpr, text in groups:
        run = _run(rpr, text, status == "del")
        if status == "=":
            container = None
            out.append(run)
            continue
        if container is None or container.tag != w(status):
            container = revs.mark(status)
            out.append(container)
        container.append(run)
    return out


def _replace_content(p, new_children: list) -> None:
    for child in list(p):
        if child.tag != w("pPr"):
            p.remove(child)
    for c in new_children:
        p.append(c)


def _changed(pa, pb, revs: _Revisions) -> None:
    ca, cb = _chars(pa), _chars(pb)
    segments = char_diff("".join(ch for _, ch in ca), "".join(ch for _, ch in cb))
    pieces: list[tuple[str, object, str]] = []
    i = j = 0
    for op, text in segments:
        n = len(text)
        if op == "=":
            pieces += [("=", cb[j + k][0], cb[j + k][1]) for k in range(n)]
            i, j = i + n, j + n
        elif op == "-":
            pieces += [("del", ca[i + k][0], ca[i + k][1]) for k in range(n)]
            i += n
        else:
            pieces += [("ins", cb[j + k][0], cb[j + k][1]) for k in range(n)]
            j += n
    assert i == len(ca) and j == len(cb)
    _replace_content(pb, _emit(pieces, revs))


def _whole(p, kind: str, revs: _Revisions) -> None:
    pieces = [(kind, rpr, ch) for rpr, ch in _chars(p)]
    revs.mark_paragraph(p, kind)  # first: ids follow document order, and the mark precedes the runs
    _replace_content(p, _emit(pieces, revs))


def _body_paragraphs(root) -> list:
    """The paragraphs that print text, in document order (those in a table's cells too: the 版头 of a
    joint issue, the 版记), as document_paragraphs() lists them; empty ones (a floating table's anchor)
    print nothing and are left out."""
    body = root.find(w("body"))
    return [p for p in body.iter(w("p")) if any(r.find(w("t")) is not None or r.find(w("tab")) is not None
                                                  for r in p.iter(w("r")))]


def _document_xml(docx: bytes) -> tuple[etree._Element, zipfile.ZipFile]:
    z = zipfile.ZipFile(io.BytesIO(docx))
    return etree.fromstring(z.read("word/document.xml")), z


def redline_docx(a, b, chains, *, author: str = "reportgen", date: _dt.datetime) -> bytes:
    """``a`` and ``b`` are :class:`pipeline.Loaded`, ``chains`` their font chains (pipeline.check_fonts);
    returns B's DOCX with tracked changes from A."""
    from ..clock import Clock
    from ..writers.docx import write_docx

    # B's core properties carry the instant of B's build (A's DOCX is read for its paragraphs only).
    docx_a = write_docx(a.document, a.layout, chains[0], date=Clock.of(a.document).instant)
    docx_b = write_docx(b.document, b.layout, chains[1], date=Clock.of(b.document).instant)
    root_a, _za = _document_xml(docx_a)
    root_b, zb = _document_xml(docx_b)
    pa, pb = _body_paragraphs(root_a), _body_paragraphs(root_b)
    ua, ub = units(a.document), units(b.document)
    if len(pa) != len(ua) or len(pb) != len(ub):
        raise RuntimeError("the DOCX writer's paragraphs do not match document_paragraphs()")
    assert [u.text for u in ua] == document_paragraphs(a.document)

    existing = [int(v) for v in root_b.xpath("//@w:id", namespaces={"w": W}) if str(v).lstrip("-").isdigit()]
    revs = _Revisions(author, date, max(existing, default=0) + 1)
    body = root_b.find(w("body"))
    pairs = align(ua, ub)
    # Where a removed paragraph goes: before the next paragraph that B keeps (before the table that
    # holds it, when it is in one: a body paragraph never goes into the 版头's or 版记's table), else
    # at the end.
    pending: list = []
    for x, y in pairs:
        if y is None:
            deleted = copy.deepcopy(pa[x.index])
            _whole(deleted, "del", revs)
            pending.append(deleted)
            continue
        target = pb[y.index]
        anchor = target
        while anchor.getparent() is not body:
            anchor = anchor.getparent()
        for el in pending:
            anchor.addprevious(el)
        pending = []
        if x is None:
            _whole(target, "ins", revs)
        elif "".join(ch for _, ch in _chars(pa[x.index])) != "".join(ch for _, ch in _chars(target)):
            _changed(pa[x.index], target, revs)
    if pending:
        anchor = body.find(w("sectPr"))
        for el in pending:
            if anchor is not None:
                anchor.addprevious(el)
            else:
                body.append(el)

    xml = etree.tostring(root_b, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in zb.infolist():
            dst.writestr(info, xml if info.filename == "word/document.xml" else zb.read(info.filename))
    return ox.deterministic_zip(out.getvalue())
