"""Readers of plain text (.txt) and Markdown (.md) for ``reportgen import``.

Both decode the bytes the same way (:func:`decode`): UTF-8 with or without a BOM, UTF-16 (or UTF-32)
with a BOM, else GB18030 (the GBK superset Chinese government websites' .txt files are often in).
Line ends (CRLF, CR) are the file format and are normalised without a note.

* .txt (:func:`read_txt`): one paragraph per non-blank line, as texts are published on government
  websites. ``number`` is the line's 1-based number in the file. Leading whitespace (the 　　 or spaces
  the format uses as a first-line indent) is removed and sets ``indent``; trailing whitespace is removed;
  the rest of the line is kept exactly. A line that is only a page-number mark (``— 1 —``, ``- 2 -``,
  ``第1页``, ``第1页 共3页``) is dropped, with one note naming the lines.
* .md (:func:`read_md`): parsed by the ``markdown`` package (tables, fenced code, sane lists, no other extension;
  nothing is fetched or run) and its HTML walked with :mod:`html.parser`. ``number`` is the block's
  1-based index in reading order (Python-Markdown keeps no source lines). See :class:`_Walker` for what
  each element becomes.
"""
from __future__ import annotations

import re
import unicodedata

from ..errors import Diagnostic, ReportgenError
from ..messages import _
from .paras import Note, Para, Read

# A line that is only a page number: "— 1 —", "- 2 -", "－3－", "第1页", "第 1 页 共 5 页", "第1页/共5页".
_PAGE_MARK = re.compile(r"[-—–－─]+\s*\d{1,4}\s*[-—–－─]+|第\s*\d{1,4}\s*页(\s*[,，/／]?\s*共\s*\d{1,4}\s*页)?")


def _fail(message: str, display: str, hint: str = "") -> ReportgenError:
    return ReportgenError([Diagnostic(message, file=display, hint=hint, code="import")])


def decode(raw: bytes, display: str) -> tuple[str, str]:
    """The file's text with "\\n" line ends, and the encoding it was read in."""
    if not raw.strip():
        raise _fail(_("the file has no text"), display)
    boms = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
            (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
    encoding = next((enc for bom, enc in boms if raw.startswith(bom)), "")
    if encoding:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            raise _fail(_("the file says it is {encoding} (it begins with a byte-order mark) but is not",
                          encoding=encoding.split("-sig")[0].upper()), display) from None
    else:
        if b"\x00" in raw:
            raise _not_text(display)
        for encoding in ("utf-8", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise _fail(_("the file is not text in UTF-8, UTF-16 or GB18030"), display,
                        hint=_("save it as UTF-8 text and import it again"))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise _not_text(display)
    visible = [ch for ch in text if not ch.isspace()]
    controls = sum(1 for ch in visible if unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn"))
    if visible and controls * 10 > len(visible):
        raise _not_text(display)
    if not visible:
        raise _fail(_("the file has no text"), display)
    return text, encoding


def _not_text(display: str) -> ReportgenError:
    return _fail(_("not a text file: it holds binary data"), display,
                 hint=_("import a .docx, .pdf, .txt or .md file"))


def _encoding_note(encoding: str) -> list[Note]:
    if encoding != "gb18030":
        return []
    return [Note(0, "encoding-gb18030", _("the file is not UTF-8; it was read as GB18030 (GBK)"))]


def read_txt(raw: bytes, display: str) -> Read:
    """A .txt file: one paragraph per non-blank line (see the module's docstring)."""
    text, encoding = decode(raw, display)
    paras: list[Para] = []
    dropped: list[int] = []
    for number, line in enumerate(text.split("\n"), 1):
        line = line.rstrip()
        if not line:
            continue
        body = line.lstrip()
        if _PAGE_MARK.fullmatch(body):
            dropped.append(number)
            continue
        paras.append(Para(number=number, text=body, indent=body != line))
    if not paras:
        raise _fail(_("the file has no text"), display)
    notes = _encoding_note(encoding)
    if dropped:
        shown = ", ".join(str(n) for n in dropped[:10]) + ("…" if len(dropped) > 10 else "")
        notes.append(Note(0, "page-number-dropped",
                          _("{n} lines that were only page numbers were left out (lines {lines})",
                            n=len(dropped), lines=shown)))
    return Read(paras=paras, notes=notes, format="txt")


def read_md(raw: bytes, display: str) -> Read:
    """A Markdown file: its blocks as paragraphs (see :class:`_Walker`)."""
    import markdown

    text, encoding = decode(raw, display)
    # Built-in extensions only (sane_lists: an ol keeps its start number). Nothing in them reads files or the network.
    html = markdown.Markdown(extensions=["tables", "fenced_code", "sane_lists"], output_format="html").convert(text)
    walker = _Walker()
    walker.feed(html)
    walker.close()
    paras = [p for p in walker.paras if p.text.strip()]
    if not paras:
        raise _fail(_("the file has no text"), display)
    for number, para in enumerate(paras, 1):
        para.number = number
    return Read(paras=paras, notes=_encoding_note(encoding), format="md")


def _is_cjk(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def _join_soft(text: str) -> str:
    """Markdown's soft line breaks (a newline inside a paragraph): nothing between two CJK characters,
    else one space. Hard breaks were made "\\r" by the walker and become "\\n"."""
    out: list[str] = []
    parts = text.split("\n")
    for i, part in enumerate(parts):
        if i:
            prev, part = "".join(out).rstrip(" \t"), part.lstrip(" \t")
            out = [prev]
            if prev and part and not (prev.endswith("\r") or _is_cjk(prev[-1]) and _is_cjk(part[0])):
                out.append(" ")
        out.append(part)
    return "".join(out).replace("\r", "\n")


class _Walker:
    """Python-Markdown's HTML into :class:`Para`, element by element:

    * h1…h6 → ``heading`` = the level; p → a paragraph (``style`` is the element's name);
    * li of ol/ul → a paragraph with ``level`` = its 0-based nesting depth; in an ol, ``label`` = its
      number as the list shows it ("1.", from the list's start attribute); a second block in one item
      is a paragraph of the same level without a label;
    * ``**bold**`` (strong, b) opening a paragraph or item, followed by text that is not bold → ``lead``;
      a paragraph bold throughout → ``bold``;
    * br → "\\n"; a soft line break → nothing between CJK characters, else a space;
    * blockquote: its paragraphs in order; a table row → one paragraph, its cells joined by "\\t";
      a code block → its text as one paragraph (lines kept with "\\n");
    * leading whitespace (　　) in a paragraph → ``indent``, removed;
    * any other element (raw HTML in the Markdown included) is dropped and its text kept, except the
      text of script and style, which is no document text. Entities are decoded.
    """

    BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "li", "tr", "dt", "dd"}
    SKIP = {"script", "style", "template"}

    def __init__(self) -> None:
        from html.parser import HTMLParser

        walker = self

        class Parser(HTMLParser):
            def handle_starttag(self, tag, attrs):
                walker.start(tag, dict(attrs))

            def handle_startendtag(self, tag, attrs):
                walker.start(tag, dict(attrs))
                if tag not in ("br",):
                    walker.end(tag)

            def handle_endtag(self, tag):
                walker.end(tag)

            def handle_data(self, data):
                walker.data(data)

        self.parser = Parser(convert_charrefs=True)
        self.paras: list[Para] = []
        self.lists: list[list] = []  # per open ol/ul: [tag, next number]
        self.items: list[int] = []  # the levels of the open li
        self.cur: Para | None = None
        self.parts: list[tuple[str, bool]] = []  # (text, bold) runs of the current paragraph
        self.bold = 0
        self.skip = 0
        self.pre = 0
        self.cells: list[str] | None = None  # the cells of the current table row
        self.cell_start = 0

    def feed(self, html: str) -> None:
        self.parser.feed(html)

    def close(self) -> None:
        self.parser.close()
        self.flush()

    # -- paragraphs
    def open(self, tag: str, **hints) -> None:
        self.flush()
        self.cur = Para(number=0, text="", style=tag, **hints)
        self.parts = []

    def flush(self) -> None:
        para, self.cur = self.cur, None
        if para is None:
            return
        if self.pre or para.style == "pre":
            text = "".join(t for t, _b in self.parts).strip("\n")
        else:
            text = _join_soft("".join(t for t, _b in self.parts))
        stripped = text.lstrip()
        para.indent = bool(text) and stripped != text and not text.startswith("\r") and para.style != "pre"
        text = stripped.rstrip()
        if not text:
            return
        para.text = text
        if para.style != "pre":
            runs = [(t, b) for t, b in self.parts if t.strip()]
            if runs and all(b for _t, b in runs):
                para.bold = True
            elif runs and runs[0][1]:
                lead = "".join(t for t, _b in self._leading_bold()).strip()
                lead = _join_soft(lead)
                if lead and text.startswith(lead) and len(lead) < len(text):
                    para.lead = lead
        self.paras.append(para)

    def _leading_bold(self):
        out = []
        for t, b in self.parts:
            if not t.strip() and not out:
                continue
            if not b and t.strip():
                break
            out.append((t, b))
        return out

    # -- events
    def start(self, tag: str, attrs: dict) -> None:
        if tag in self.SKIP:
            self.skip += 1
            return
        if self.skip:
            return
        if tag in ("ol", "ul"):
            self.flush()
            try:
                first = int(attrs.get("start") or 1)
            except ValueError:
                first = 1
            self.lists.append([tag, first])
        elif tag == "li":
            level = max(len(self.lists) - 1, 0)
            label = ""
            if self.lists and self.lists[-1][0] == "ol":
                label = f"{self.lists[-1][1]}."
                self.lists[-1][1] += 1
            self.open("li", level=level, label=label)
            self.items.append(level)
        elif tag in ("p", "dt", "dd") and self.items and self.cur is not None and self.cur.style == "li" \
                and not self.parts_text():
            pass  # a loose list item's first paragraph is the item itself
        elif tag == "p" and self.items:
            self.open("li", level=self.items[-1])  # a further paragraph of the item
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.open(tag, heading=int(tag[1]))
        elif tag == "pre":
            self.open("pre")
            self.pre += 1
        elif tag == "tr":
            self.open("tr")
            self.cells = []
        elif tag in ("td", "th"):
            if self.cells is not None:
                self.cell_start = len(self.parts)
        elif tag in ("p", "dt", "dd"):
            self.open(tag)
        elif tag == "br":
            self.add("\r")
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("blockquote", "table", "thead", "tbody", "hr", "div"):
            self.flush()

    def end(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skip = max(self.skip - 1, 0)
            return
        if self.skip:
            return
        if tag in ("ol", "ul"):
            self.flush()
            if self.lists:
                self.lists.pop()
        elif tag in ("td", "th"):
            if self.cells is not None:
                cell = "".join(t for t, _b in self.parts[self.cell_start:]).strip()
                del self.parts[self.cell_start:]
                self.cells.append(_join_soft(cell))
        elif tag == "tr":
            if self.cells is not None and self.cur is not None:
                cells = self.cells
                while cells and not cells[-1]:
                    cells.pop()
                self.parts = [("\t".join(cells), False)]
            self.cells = None
            self.flush()
        elif tag == "pre":
            self.flush()
            self.pre = max(self.pre - 1, 0)
        elif tag in ("strong", "b"):
            self.bold = max(self.bold - 1, 0)
        elif tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd"):
            self.flush()
        elif tag == "li":
            self.flush()
            if self.items:
                self.items.pop()
        elif tag in ("blockquote", "table", "div"):
            self.flush()

    def parts_text(self) -> str:
        return "".join(t for t, _b in self.parts).strip()

    def add(self, text: str) -> None:
        if self.cur is None:
            self.open("p")  # loose text (raw HTML, a tight list's text after a nested list)
            if self.items:
                self.cur.style, self.cur.level = "li", self.items[-1]
        self.parts.append((text, self.bold > 0))

    def data(self, data: str) -> None:
        if self.skip:
            return
        if self.cur is None and not data.strip():
            return
        self.add(data)
