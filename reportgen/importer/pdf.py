"""The reader of PDF files for ``reportgen import``: positioned text back into paragraphs.

pdfminer.six gives every character with its font, size, colour and position (pypdf's text visitor gives
runs without per-character widths or colour). The reader groups characters into lines by baseline and
lines into paragraphs by the rules a GB/T 9704 document follows:

* lines: characters on one baseline (within a third of their size), left to right. No space is put
  between characters, except a space between two Latin letters or digits the PDF sets apart (a gap of
  a fifth of the size or more) and a tab where a gap of two characters or more splits the line (a
  right-aligned part: 签发人, 印发日期 — the .txt output has a tab there). Rotated text (a watermark)
  is left out with a note. A line set beside the lines above and below it (the 文件 right of a joint
  发文机关标志's stacked names) is read after them.
* left out: the page number (``— 1 —``, ``第1页``, a bare number) as a page's first or last line, and a
  header or footer repeated (digits aside) as the first or last line of three pages or more and half
  of them.
* the text block: the body size is the size most characters are set in (an "em" below); of the lines
  in that size, the left edge is where the leftmost begins, the right edge where the widest ends —
  unless no other line ends within an em of it (a short document of one-line paragraphs: no line was
  broken for want of room), when the right margin is taken as wide as the left one on the page's crop
  box (the page width most pages have). Centring is judged on that block.
* the line pitch inside a paragraph: the closest two successive body lines below a line that fills
  the block (without one, the closest two body lines); a line lies a gap below the one before when it
  is more than 1.2 such pitches (scaled to the larger size, and at least a quarter em more) below.
* how the document marks its paragraphs, from the lines that follow a line ending short: when nearly
  all of them (three in four, two at least) begin indented, it marks them by a first-line indent
  (typed 　　 or a paragraph indent); when nearly all lie a gap below, by space between paragraphs.
* a line starts a paragraph when: its font or size differs from the end of the line before (the last
  CJK character, so that Latin digits in another font do not count); its colour changes (red or not);
  it lies a gap below the line before; it is centred and the paragraph so far is not; the paragraph
  so far is centred and it is not; either is right-aligned; it begins more than half an em right of
  the left edge (a first-line indent); or the line before ends short of the right edge by more than
  what begins this line (a Latin word, a character with its closing punctuation) and a quarter em —
  except in a document that marks its paragraphs by indent or by space, where such a line, neither
  indented nor a gap below, goes on the paragraph after a line break (a soft line break in Word).
  Consecutive centred lines of one font and size are one paragraph (a title's lines).
* a paragraph's lines are joined with nothing between them, except one space between two Latin letters
  or digits (a line never breaks inside a Latin word or a number) and "\\n" after a soft line break.
  The spaces drawn before its first character (a typed 　　) are kept, as a .docx reader gives them;
  a space glyph a PDF maps to U+3000 but that advances less than half an em is a space.
* hints: ``align`` "center" (every line centred on the text block, not at the indent position in the
  body font, without a tab), "right" (a line beginning past the indent and centred right of the
  middle: a signature, a date); ``indent`` (the first line begins 1.5 ems or more right of the left
  edge, without typed spaces before it); ``font`` (the role of the East-Asian font most of the
  paragraph is in, :func:`font_role`); ``size`` (pt); ``bold``; ``red`` (most characters filled red,
  CMYK or RGB); ``lead`` (the paragraph begins in another font than the rest: a 楷体 or 黑体 lead in
  仿宋); ``page_break`` (the paragraph begins a page after a page whose text ended more than four
  steps — the commonest distance from one line to the next — above the lowest line of the document:
  an attachment or a part set on a new page; a page that ends early by widow or keep-with-next
  control ends at most three lines early). ``heading`` and ``role`` are never set: an untagged PDF
  states neither.
* CJK radicals (U+2E80–U+2EFF, U+2F00–U+2FDF) some fonts map their glyphs to are kept as they are.
* ``number`` is the paragraph's 1-based index in reading order; ``style`` is "page N" where it begins.
* ``producer``: "reportgen" when the PDF's /Creator or /Producer says so, else the common office suites
  by name, else /Creator (or /Producer) as written.

Refused with a message naming the file: not a PDF, an encrypted one (a password to open it), a damaged
one, one with no pages or more than :data:`MAX_PAGES`, one without text (with images only: scanned,
"OCR it first").
"""
from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field

from ..errors import Diagnostic, ReportgenError
from ..messages import _
from .paras import Note, Para, Read
from .text import _PAGE_MARK

MAX_PAGES = 500


def _fail(message: str, display: str, hint: str = "") -> ReportgenError:
    return ReportgenError([Diagnostic(message, file=display, hint=hint, code="import")])


# -- fonts ---------------------------------------------------------------------------------------------

def _font_name(fontname: str) -> str:
    """The font's name without the subset tag, Chinese names decoded (a PDF may hold them as GBK bytes)."""
    name = fontname.split("+", 1)[-1] if re.match(r"^[A-Z]{6}\+", fontname) else fontname
    if any(ord(ch) > 127 for ch in name):
        try:
            name = name.encode("latin-1").decode("gbk")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name


def _is_bold_name(name: str) -> bool:
    low = name.lower()
    return any(w in low for w in ("bold", "heavy", "black", "demi", "粗"))


def font_role(fontname: str, size: float) -> str:
    """The Chinese role of a PDF font (黑体, 楷体, 仿宋, 小标宋, 宋体), or "" when not recognisable.

    reportgen's open stand-ins count as the roles they stand for: Noto Sans CJK → 黑体, AR PL UKai →
    楷体, Noto Serif CJK Bold at 20 pt or more (the title's 二号) → 小标宋, Noto Serif CJK → 仿宋."""
    name = _font_name(fontname)
    low = re.sub(r"[\s_\-,]", "", name.lower())
    if "xiaobiaosong" in low or "小标宋" in name or "fzxbs" in low:
        return "小标宋"
    if "fangsong" in low or "仿宋" in name or "fsgb2312" in low:
        return "仿宋"
    if "kai" in low or "楷" in name:
        return "楷体"
    if "notoserifcjk" in low or "sourcehanserif" in low:
        return "小标宋" if _is_bold_name(name) and size >= 20 else "仿宋"
    if "hei" in low or "黑" in name or "sans" in low:
        return "黑体"
    if "song" in low or "sung" in low or "simsun" in low or "ming" in low or "宋" in name:
        return "宋体"
    return ""


def _red(color) -> bool:
    if not isinstance(color, (tuple, list)) or not all(isinstance(v, (int, float)) for v in color):
        return False
    if len(color) == 3:
        r, g, b = color
        return r > 0.6 and g < 0.35 and b < 0.35
    if len(color) == 4:
        c, m, y, k = color
        return c < 0.25 and m > 0.6 and y > 0.6 and k < 0.35
    return False


def _is_cjk(ch: str) -> bool:
    import unicodedata

    return unicodedata.east_asian_width(ch) in "WF"


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


# -- characters and lines ------------------------------------------------------------------------------

@dataclass
class _Char:
    text: str
    x0: float
    x1: float
    base: float
    size: float
    font: str  # the PDF font name
    role: str
    bold: bool
    red: bool


@dataclass
class _Line:
    page: int
    chars: list[_Char]
    text: str = ""
    offsets: list[int] = field(default_factory=list)  # each char's index in ``text``
    x0: float = 0.0
    x1: float = 0.0
    base: float = 0.0
    size: float = 0.0
    kind: str = ""  # "full", "centre", "right", "left"
    pre: str = ""  # the spaces drawn before the first character (a typed 　　 indent)
    join: str = ""  # what joins the line to the line before in its paragraph ("" or a soft break "\n")

    def style(self, end: bool) -> tuple[str, float]:
        """The font and size of the line's last (``end``) or first CJK character (any, without one)."""
        chars = [c for c in self.chars if _is_cjk(c.text)] or self.chars
        c = chars[-1] if end else chars[0]
        return (c.role or _font_name(c.font), round(c.size * 2) / 2)

    @property
    def red(self) -> bool:
        return sum(c.red for c in self.chars) * 2 > len(self.chars)


def _build_line(page: int, chars: list[_Char]) -> _Line | None:
    chars.sort(key=lambda c: c.x0)
    kept: list[_Char] = []
    for c in chars:  # a glyph drawn twice (simulated bold) is one character
        if kept and c.text == kept[-1].text and abs(c.x0 - kept[-1].x0) < 0.2 * c.size:
            continue
        kept.append(c)
    # A space glyph mapped to U+3000 but advancing less than half an em is a word space (LibreOffice
    # maps one space glyph to both when the paragraph has typed 　 too).
    for i, c in enumerate(kept):
        if c.text == "\u3000":
            advance = (kept[i + 1].x0 if i + 1 < len(kept) else c.x1) - c.x0
            if advance < 0.5 * c.size:
                c.text = " "
    pre = []
    while kept and kept[0].text.isspace():
        pre.append(kept.pop(0).text)
    while kept and kept[-1].text.isspace():
        kept.pop()
    if not kept:
        return None
    line = _Line(page, kept, pre="".join(pre))
    text: list[str] = []
    length = 0
    for i, c in enumerate(kept):
        if i:
            prev = kept[i - 1]
            gap = c.x0 - prev.x1
            if gap >= 2 * c.size and not prev.text.isspace() and not c.text.isspace():
                text.append("\t")
                length += 1
            elif gap >= 0.2 * c.size and _latin(prev.text[-1]) and _latin(c.text[0]):
                text.append(" ")
                length += 1
        line.offsets.append(length)
        text.append(c.text)
        length += len(c.text)
    line.text = "".join(text)
    line.x0, line.x1 = kept[0].x0, kept[-1].x1
    line.base = Counter(round(c.base, 1) for c in kept).most_common(1)[0][0]
    line.size = Counter(round(c.size * 2) / 2 for c in kept).most_common(1)[0][0]
    return line


def _lines(page: int, chars: list[_Char]) -> list[_Line]:
    """The page's characters as lines, top to bottom."""
    chars = sorted(chars, key=lambda c: -c.base)
    groups: list[list[_Char]] = []
    for c in chars:
        if groups and abs(groups[-1][0].base - c.base) <= 0.35 * max(c.size, groups[-1][0].size):
            groups[-1].append(c)
        else:
            groups.append([c])
    lines = [line for g in groups if (line := _build_line(page, g)) is not None]
    # A line set beside the two lines around it (the 文件 of a joint 发文机关标志, to the right of the
    # organs' names stacked over each other) is read after them.
    for i in range(1, len(lines) - 1):
        above, side, below = lines[i - 1], lines[i], lines[i + 1]
        if side.x0 > max(above.x1, below.x1) and above.base - below.base <= 1.5 * max(above.size, below.size):
            lines[i], lines[i + 1] = below, side
    return lines


_BARE_NUMBER = re.compile(r"\d{1,4}|[-—–－─]?\s*\d{1,4}\s*/\s*\d{1,4}\s*[-—–－─]?")


def _drop_furniture(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Page numbers and repeated headers and footers left out (see the module's docstring)."""
    def is_number(text: str) -> bool:
        t = text.strip()
        return bool(_PAGE_MARK.fullmatch(t) or _BARE_NUMBER.fullmatch(t))

    for lines in pages:
        while lines and is_number(lines[-1].text):
            lines.pop()
        while lines and is_number(lines[0].text):
            lines.pop(0)

    def key(line: _Line) -> str:
        return re.sub(r"\d+", "#", line.text.strip())

    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({key(line) for line in lines[:1] + lines[-1:]})
    repeated = {k for k, n in counts.items() if n >= 3 and n * 2 >= len(pages)}
    if repeated:
        for lines in pages:
            if lines and key(lines[-1]) in repeated:
                lines.pop()
            if lines and key(lines[0]) in repeated:
                lines.pop(0)
    return pages


def _edge(values: list[float], lowest: bool) -> float:
    """The outermost position at least two values share (within a point), else the outermost value."""
    ordered = sorted(values, reverse=not lowest)
    for a, b in zip(ordered, ordered[1:]):
        if abs(a - b) <= 1.0:
            return a
    return ordered[0]


# -- reading -------------------------------------------------------------------------------------------

def _open(raw: bytes, display: str):
    """The pdfminer document and its pages (bounded), or a ReportgenError."""
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    try:
        doc = PDFDocument(PDFParser(io.BytesIO(raw)))
    except PDFPasswordIncorrect:
        raise _fail(_("the PDF is encrypted: it needs a password to open"), display,
                    hint=_("remove the password first (save an unprotected copy) and import that")) from None
    except PDFEncryptionError:
        raise _fail(_("the PDF is encrypted in a way that cannot be read"), display,
                    hint=_("remove the password first (save an unprotected copy) and import that")) from None
    except ReportgenError:
        raise
    except Exception:  # pdfminer's parser on a damaged file: any error means it cannot be read
        raise _damaged(display) from None
    pages = []
    try:
        for page in PDFPage.create_pages(doc):
            pages.append(page)
            if len(pages) > MAX_PAGES:
                raise _fail(_("the PDF has more than {n} pages, too many to import", n=MAX_PAGES), display,
                            hint=_("import the pages of the document itself (split the PDF)"))
    except ReportgenError:
        raise
    except Exception:
        raise _damaged(display) from None
    if not pages:
        raise _fail(_("the PDF has no pages"), display)
    return doc, pages


def _damaged(display: str) -> ReportgenError:
    return _fail(_("the PDF is damaged and cannot be read"), display,
                 hint=_("open it in a PDF reader and save (or print to PDF) a new copy"))


def _producer(doc) -> str:
    from pdfminer.utils import decode_text

    info: dict = {}
    for d in getattr(doc, "info", []) or []:
        if isinstance(d, dict):
            info.update(d)

    def value(key: str) -> str:
        v = info.get(key)
        try:
            from pdfminer.pdftypes import resolve1

            v = resolve1(v)
        except Exception:
            return ""
        if isinstance(v, bytes):
            v = decode_text(v)
        return v.strip()[:100] if isinstance(v, str) else ""

    creator, producer = value("Creator"), value("Producer")
    both = f"{creator} {producer}"
    if "reportgen" in both.lower():
        return "reportgen"
    if "Microsoft" in both and "Word" in both:
        return "Microsoft Word"
    if "WPS" in both:
        return "WPS"
    if "LibreOffice" in both or "OpenOffice" in both:
        return "LibreOffice"
    return creator or producer


def _visible(page) -> tuple[float, float]:
    """The left and right edges of the page's crop box, as pdfminer places the characters (its x
    counts from the media box's edge, turned as the page's /Rotate turns it)."""
    mx0, my0, mx1, my1 = page.mediabox
    try:
        cx0, cy0, cx1, cy1 = page.cropbox
    except (TypeError, ValueError):
        cx0, cy0, cx1, cy1 = mx0, my0, mx1, my1
    rotate = (getattr(page, "rotate", 0) or 0) % 360
    if rotate == 90:
        return cy0 - my0, cy1 - my0
    if rotate == 180:
        return mx1 - cx1, mx1 - cx0
    if rotate == 270:
        return my1 - cy1, my1 - cy0
    return cx0 - mx0, cx1 - mx0


def _page_chars(doc, pages, display: str) -> tuple[list[list[_Char]], bool, int, int]:
    """Every page's upright characters; whether a page holds an image; rotated and unmapped counts."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LTChar, LTContainer, LTImage
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager

    manager = PDFResourceManager()
    device = PDFPageAggregator(manager, laparams=None)
    interpreter = PDFPageInterpreter(manager, device)
    out: list[list[_Char]] = []
    images = False
    rotated = unmapped = 0
    for page in pages:
        try:
            interpreter.process_page(page)
            layout = device.get_result()
        except ReportgenError:
            raise
        except Exception:
            raise _damaged(display) from None
        chars: list[_Char] = []
        stack = list(layout)
        while stack:
            item = stack.pop()
            if isinstance(item, LTChar):
                text = item.get_text()
                a, b, c, d, _e, base = item.matrix
                if abs(b) > 1e-3 or abs(c) > 1e-3 or a <= 0 or d <= 0:
                    if text.strip():
                        rotated += 1
                    continue
                if text.startswith("(cid:"):
                    unmapped += 1
                    text = "\ufffd"
                if not text:
                    continue
                color = getattr(item.graphicstate, "ncolor", None)
                chars.append(_Char(text, item.x0, item.x1, base, item.size, item.fontname,
                                   font_role(item.fontname, item.size), _is_bold_name(_font_name(item.fontname)),
                                   _red(color)))
            elif isinstance(item, LTImage):
                images = True
            elif isinstance(item, LTContainer):
                stack.extend(item)
        out.append(chars)
    return out, images, rotated, unmapped


def read(raw: bytes, display: str) -> Read:
    """A PDF file's paragraphs (see the module's docstring)."""
    import logging
    import warnings

    if not raw.strip():
        raise _fail(_("the file is empty"), display)
    if b"%PDF-" not in raw[:1024]:
        raise _fail(_("not a PDF file"), display, hint=_("import a .docx, .pdf, .txt or .md file"))
    log = logging.getLogger("pdfminer")
    level, propagate = log.level, log.propagate
    log.setLevel(logging.CRITICAL + 1)
    log.propagate = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            doc, pages = _open(raw, display)
            page_chars, images, rotated, unmapped = _page_chars(doc, pages, display)
            producer = _producer(doc)
    finally:
        log.setLevel(level)
        log.propagate = propagate
    total = sum(1 for chars in page_chars for c in chars if c.text.strip())
    if not total:
        if images:
            raise _fail(_("the PDF has no text layer (it is a scanned image)"), display,
                        hint=_("OCR it first (recognise its text), then import the result"))
        raise _fail(_("the PDF has no text"), display)
    if unmapped * 2 > total:
        raise _fail(_("the PDF's fonts do not say which characters they draw: its text cannot be read"),
                    display, hint=_("export the document to PDF again, or import its .docx"))
    pages_lines = _drop_furniture([_lines(n, chars) for n, chars in enumerate(page_chars, 1)])
    paras = _paragraphs(pages_lines, [_visible(page) for page in pages])
    if not paras:
        raise _fail(_("the PDF has no text"), display)
    notes: list[Note] = []
    if rotated:
        notes.append(Note(0, "rotated-text-dropped",
                          _("{n} characters of rotated text (a watermark, a side note) were left out", n=rotated)))
    if unmapped:
        notes.append(Note(0, "unmapped-glyphs",
                          _("{n} characters could not be read from the PDF's fonts and are shown as \ufffd",
                            n=unmapped)))
    return Read(paras=paras, notes=notes, format="pdf", producer=producer)


# -- paragraphs ----------------------------------------------------------------------------------------

@dataclass
class _Layout:
    """What the document's own lines say of its layout (see the module's docstring)."""

    left: float  # the text block's left edge (where continuation lines begin)
    right: float  # its right edge
    em: float  # the body size
    pitch: float  # the line pitch inside a paragraph
    indented: bool = False  # paragraphs begin with a first-line indent
    spaced: bool = False  # paragraphs are set apart by vertical space

    def gap(self, prev: _Line, line: _Line) -> bool:
        """Whether ``line`` lies further below ``prev`` than a line of the same paragraph would."""
        if line.page != prev.page or line.base >= prev.base:
            return False
        expected = self.pitch * max(1.0, max(line.size, prev.size) / self.em)
        return prev.base - line.base > max(1.2 * expected, expected + 0.25 * self.em)

    def short(self, prev: _Line, line: _Line) -> bool:
        """Whether ``prev`` ends short of the right edge, and not because what begins ``line`` did not fit."""
        return self.right - prev.x1 > _first_unit(line) + 0.25 * self.em


def _layout(lines: list[_Line], boxes: list[tuple[float, float]], em: float) -> _Layout:
    in_body = [line for line in lines if line.size == em] or lines
    left = min(line.x0 for line in in_body)
    widest = max(line.x1 for line in in_body)
    right = widest
    # A line broken for want of room ends less than an em short of the edge. When no other line ends
    # near the widest (a short document of one-line paragraphs), the lines do not show where the edge
    # is: the right margin is taken as wide as the left one, on the common page width.
    if boxes and sum(line.x1 >= widest - em for line in in_body) < 2:
        box_left, box_right = Counter((round(a, 1), round(b, 1)) for a, b in boxes).most_common(1)[0][0]
        if box_left <= left < box_right:
            right = max(widest, box_right - (left - box_left))
    return _Layout(left, right, em, 0.0)


def _paragraphs(pages: list[list[_Line]], boxes: list[tuple[float, float]] | None = None) -> list[Para]:
    lines = [line for page in pages for line in page]
    if not lines:
        return []
    em = Counter(round(c.size * 2) / 2 for line in lines for c in line.chars).most_common(1)[0][0] or 12.0
    body = Counter((c.role or c.font) for line in lines for c in line.chars if _is_cjk(c.text)).most_common(1)
    body_font = body[0][0] if body else ""
    lay = _layout(lines, boxes or [], em)
    left, right = lay.left, lay.right
    centre = (left + right) / 2
    tol = 0.3 * em
    for line in lines:
        mid = (line.x0 + line.x1) / 2
        at_indent = abs(line.x0 - (left + 2 * em)) <= 1.0 and any((c.role or c.font) == body_font
                                                                   for c in line.chars)
        if line.x0 <= left + tol and line.x1 >= right - tol:
            line.kind = "full"
        elif abs(mid - centre) <= max(1.5, 0.15 * em) and line.x0 > left + tol and not at_indent \
                and "\t" not in line.text:
            line.kind = "centre"
        elif line.x0 > left + 3 * em and mid > centre + em:
            line.kind = "right"
        else:
            line.kind = "left"
    pairs = [(a, b, round(a.base - b.base, 1)) for a, b in zip(lines, lines[1:])
             if a.page == b.page and a.base - b.base >= 0.9 * max(a.size, b.size)]
    deltas = Counter(round(d, 0) for _a, _b, d in pairs)
    step = deltas.most_common(1)[0][0] if deltas else 1.5 * em  # from one paragraph's line to the next's
    # The line pitch inside a paragraph: below a line that fills the measure (else the closest two
    # lines of the body size: a document of one-line paragraphs set apart by space).
    in_body = [d for a, b, d in pairs if a.size == em == b.size]
    after_full = [d for a, b, d in pairs if a.kind == "full" and a.size == em == b.size]
    lay.pitch = min(after_full or in_body or [step])
    # How the document marks a paragraph: after a line that ends short, the next one begins indented, or
    # lies a gap below. When nearly all do, a line that does neither goes on the paragraph: a soft break.
    ends = [(a, b) for a, b, _d in pairs if a.kind in ("left", "full") and b.kind in ("left", "full")
            and a.style(end=True) == b.style(end=False) and lay.short(a, b)]
    indented = sum(b.x0 > left + 0.5 * em for _a, b in ends)
    gapped = sum(lay.gap(a, b) for a, b in ends)
    lay.indented = indented >= 2 and indented >= 3 * (len(ends) - indented)
    lay.spaced = gapped >= 2 and gapped >= 3 * (len(ends) - gapped)
    bottom = min(line.base for line in lines)
    last_on_page = {line.page: line for line in lines}

    groups: list[list[_Line]] = []
    for line in lines:
        join = _continues(groups[-1], line, lay) if groups else None
        if join is None:
            line.join = ""
            groups.append([line])
        else:
            line.join = join
            groups[-1].append(line)

    paras: list[Para] = []
    for number, group in enumerate(groups, 1):
        first = group[0]
        para = _para(number, group, left, em)
        prev = last_on_page.get(first.page - 1)
        if (first.page > 1 and prev is not None and groups[number - 2][-1] is prev and number > 1
                and prev.base - bottom > 4 * step):
            para.page_break = True
        paras.append(para)
    return paras


def _continues(group: list[_Line], line: _Line, lay: _Layout) -> str | None:
    """What joins ``line`` to the paragraph ``group`` ("", or "\n" for a soft break), or None when it
    begins a paragraph (see the module's docstring for the rules)."""
    prev = group[-1]
    if line.style(end=False) != prev.style(end=True) or line.red != prev.red:
        return None
    if lay.gap(prev, line):
        return None
    centred = all(g.kind in ("centre", "full") for g in group)
    if line.kind == "centre" or any(g.kind == "centre" for g in group):
        return "" if line.kind == "centre" and centred else None
    if prev.kind == "right" or line.kind == "right":
        return None
    if line.x0 > lay.left + 0.5 * lay.em:
        return None  # a first-line indent
    if lay.short(prev, line):
        # The line before ended short, and not because what follows did not fit: the paragraph ends
        # there, unless the document marks its paragraphs otherwise (an indent, a gap) and this line
        # has no such mark: a line break inside the paragraph.
        return "\n" if lay.indented or lay.spaced else None
    return ""


_NO_LINE_START = set("，。、；：？！”’）》〉」』】〕…—·,.;:?!)]}%")


def _first_unit(line: _Line) -> float:
    """The width of what a line break cannot split at the start of ``line``: a Latin word or number,
    or a character with the punctuation that cannot begin a line after it."""
    chars = line.chars
    end = 1
    if _latin(chars[0].text[0]):
        while end < len(chars) and not chars[end].text.isspace() and chars[end].text.isascii():
            end += 1
    while end < len(chars) and chars[end].text in _NO_LINE_START:
        end += 1
    return chars[end - 1].x1 - chars[0].x0


def _para(number: int, group: list[_Line], left: float, em: float) -> Para:
    parts: list[str] = []
    char_at: list[tuple[int, _Char]] = []  # (offset in the text, char)
    length = 0
    for line in group:
        if not parts and line.pre:  # the spaces typed before the paragraph's first character
            parts.append(line.pre)
            length += len(line.pre)
        elif line.join:
            parts.append(line.join)
            length += len(line.join)
        elif parts and _latin(parts[-1][-1]) and _latin(line.text[0]):
            parts.append(" ")
            length += 1
        for off, c in zip(line.offsets, line.chars):
            char_at.append((length + off, c))
        parts.append(line.text)
        length += len(line.text)
    text = "".join(parts)
    chars = [c for _o, c in char_at]
    cjk = [c for c in chars if _is_cjk(c.text)] or chars
    size = Counter(round(c.size * 2) / 2 for c in cjk).most_common(1)[0][0]
    role = Counter(c.role for c in cjk).most_common(1)[0][0]
    first = group[0]
    para = Para(number=number, text=text, font=role, size=size, style=f"page {first.page}")
    kinds = {line.kind for line in group}
    if "centre" in kinds and kinds <= {"centre", "full"}:
        para.align = "center"
    elif first.kind == "right":
        para.align = "right"
    # (typed spaces before the first character are an indent the text holds, as a .docx gives them)
    para.indent = para.align == "" and not first.pre and first.x0 >= left + 1.5 * em
    para.bold = all(c.bold for c in cjk) and role != "小标宋"
    para.red = sum(c.red for c in chars) * 2 > len(chars)
    para.lead = _lead(text, char_at)
    return para


def _lead(text: str, char_at: list[tuple[int, _Char]]) -> str:
    """The paragraph's opening characters set in another font than all the rest, when there is a rest."""
    def font(c: _Char) -> str:
        return c.role or c.font

    # Characters outside CJK (digits, Latin punctuation) take the font of the CJK text around them.
    fonts: list[str | None] = [font(c) if _is_cjk(c.text) else None for _o, c in char_at]
    last = next((f for f in fonts if f is not None), None)
    if last is None:
        return ""
    for i, f in enumerate(fonts):
        if f is None:
            fonts[i] = last
        else:
            last = f
    head = fonts[0]
    split = next((i for i, f in enumerate(fonts) if f != head), None)
    if split is None or len(set(fonts[split:])) != 1:
        return ""
    lead = text[:char_at[split][0]].rstrip()
    return lead if lead and text.startswith(lead) else ""
