"""The .docx reader of ``reportgen import``: WordprocessingML → :class:`~.paras.Para` with format hints.

It reads reportgen's own DOCX (after a person edited it in Word, WPS or LibreOffice) and a typical
office file alike, straight from the package's XML (lxml, no entity expansion, no network):

- one Para per non-empty ``w:p`` of the body in document order, paragraphs in table cells (the 版记 is
  a floating table) and text boxes included; headers, footers (page numbers), footnotes and comments
  are not read. ``Para.number`` counts the paragraphs the reader gives (the non-empty ones), from 1,
  as a .txt counts its non-blank lines; a paragraph of only spaces is empty;
- the text as Word shows it: ``w:t``, ``w:tab`` → ``\\t``, a soft line break → ``\\n``, a field's result
  (not its instruction), hyperlinks' text; never stripped or normalised;
- tracked changes accepted (insertions and moves-to kept, deletions and moves-from dropped, a deleted
  paragraph mark joins the paragraph to the next, which then keeps the first one's properties), with
  one ``tracked-accepted`` Note per paragraph that had any; formatting changes are taken as they now
  are and not counted; hidden text (w:vanish) is left out with a ``hidden-dropped`` Note, and a
  footnote reference with a ``footnote-dropped`` one; what a paragraph that ends up empty had is noted
  on the next paragraph given;
- page breaks: a w:br of type page (on the next paragraph, or on its own when no text precedes it in
  the paragraph), w:pageBreakBefore (paragraph or style), a section that starts on a new page (the
  w:type of the sectPr that ends it; none means nextPage); never on the first paragraph;
- the hints the format carries (paras.Para): lead, heading, list label and level (numbering.xml, as
  Word counts), alignment, first-line indent, font, size, bold, red, page break, role, style name.
"""
from __future__ import annotations

import posixpath
import re
from collections import Counter
from dataclasses import dataclass, field

from ..errors import Diagnostic, ReportgenError
from ..messages import _
from .paras import Note, Para, Read

W_TRANSITIONAL = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
MATH = ("http://schemas.openxmlformats.org/officeDocument/2006/math", "http://purl.oclc.org/ooxml/officeDocument/math")
DRAWING = ("http://schemas.openxmlformats.org/drawingml/2006/main", "http://purl.oclc.org/ooxml/drawingml/main")

MAX_UNPACKED = 200 * 1024 * 1024  # the parts read, unpacked together: beyond this a file is a zip bomb
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# reportgen's paragraph styles (writers/docx.py STYLES) that say what a paragraph is.
ROLE_KEYS = ("title", "subtitle", "addressee", "signature", "note", "mark", "doc_number", "imprint",
             "attachment_label", "masthead_line")
BUILTIN_ROLES = {"title": "title", "subtitle": "subtitle"}  # Word's built-in styles, by name (lower case)
SECTION_BREAKS = ("nextPage", "oddPage", "evenPage")  # a section of these types starts on a new page
SPACES = " \t\n\u3000\u00a0"
NUMERALS = "零一二三四五六七八九"


# ── the package ───────────────────────────────────────────────────────────────────────────────────
def _fail(display: str, message: str, hint: str = "") -> ReportgenError:
    return ReportgenError([Diagnostic(message, file=display, hint=hint, code="import")])


def _not_a_zip(raw: bytes, display: str) -> ReportgenError:
    """Why ``raw`` (not a zip archive) is no DOCX, naming what it is when that is easy to tell."""
    head = raw[:4096]
    if raw.startswith(OLE_SIGNATURE):
        if "EncryptionInfo".encode("utf-16-le") in raw:
            return _fail(display, _("the document is encrypted (protected by a password)"),
                         _("open it in Word or WPS and save it as .docx without a password"))
        if "WordDocument".encode("utf-16-le") in raw:
            return _fail(display, _("this is an old Word 97–2003 document (.doc), not a .docx"),
                         _("open it in Word or WPS and save it as .docx"))
        return _fail(display, _("the document is encrypted or an old Word 97–2003 .doc"),
                     _("save it as .docx without a password"))
    if head.lstrip().startswith(b"%PDF") or raw.startswith(b"%PDF"):
        return _fail(display, _("this is a PDF file, not a Word document (.docx)"),
                     _("import a PDF under a name ending in .pdf"))
    if head.lstrip().startswith(b"{\\rtf"):
        return _fail(display, _("this is an RTF file, not a Word document (.docx)"),
                     _("open it in Word or WPS and save it as .docx"))
    return _fail(display, _("this is not a Word document (.docx): it is not a zip archive"),
                 _("open it in Word or WPS and save it as .docx"))


class _Package:
    """The zip's parts, read within one budget of unpacked bytes, parsed safely."""

    def __init__(self, raw: bytes, display: str):
        import io
        import zipfile

        self.display = display
        self.budget = MAX_UNPACKED
        if not raw.startswith(b"PK"):
            raise _not_a_zip(raw, display)
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(raw))
            self.infos = {info.filename: info for info in self.zip.infolist()}
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
            raise _fail(display, _("the DOCX file is damaged: its zip archive cannot be read"),
                        _("open it in Word or WPS and save it again")) from None
        self.lower = {name.lower(): name for name in self.infos}

    def has(self, name: str) -> bool:
        return name.lower() in self.lower

    def bytes(self, name: str) -> bytes | None:
        import zipfile
        import zlib

        real = self.lower.get(name.lower())
        if real is None:
            return None
        info = self.infos[real]
        if info.file_size > self.budget:
            raise _fail(self.display, _("the DOCX file is too large to read: {part} unpacks to {size} MB "
                                        "(the limit is {limit} MB in all)", part=real,
                                        size=info.file_size // (1024 * 1024), limit=MAX_UNPACKED // (1024 * 1024)))
        try:
            with self.zip.open(info) as f:
                data = f.read(self.budget + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError):
            # RuntimeError: a member encrypted with a zip password; NotImplementedError: an unknown method
            raise _fail(self.display, _("the DOCX file is damaged: {part} cannot be read", part=real),
                        _("open it in Word or WPS and save it again")) from None
        self.budget -= len(data)
        if self.budget < 0:
            raise _fail(self.display, _("the DOCX file is too large to read: {part} unpacks to {size} MB "
                                        "(the limit is {limit} MB in all)", part=real,
                                        size=len(data) // (1024 * 1024), limit=MAX_UNPACKED // (1024 * 1024)))
        return data

    def xml(self, name: str):
        """The part ``name`` parsed (None when the package lacks it): no DTD, no entities, no network."""
        from lxml import etree

        data = self.bytes(name)
        if data is None:
            return None
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                                 remove_comments=True, remove_pis=True)
        try:
            root = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as e:
            line = e.position[0] if e.position else 0
            raise _fail(self.display, _("the DOCX file is damaged: {part} is not well-formed XML (line {line})",
                                        part=name, line=line),
                        _("open it in Word or WPS and save it again")) from None
        return root

    def rels(self, part: str) -> dict[str, str]:
        """The internal relationships of ``part`` ("" for the package): type's last segment → target part."""
        folder, base = posixpath.split(part)
        root = self.xml(posixpath.join(folder, "_rels", base + ".rels"))
        out: dict[str, str] = {}
        if root is None:
            return out
        for rel in root:
            if not isinstance(rel.tag, str) or rel.get("TargetMode") == "External":
                continue
            kind, target = rel.get("Type", "").rsplit("/", 1)[-1], rel.get("Target", "")
            if not target or kind in out:
                continue
            if target.startswith("/"):
                target = target.lstrip("/")
            else:
                target = posixpath.normpath(posixpath.join(folder, target))
            out[kind] = target
        return out

    def what_else(self) -> ReportgenError:
        """A zip that holds no Word document: say what it is when that is easy to tell."""
        if self.has("xl/workbook.xml"):
            return _fail(self.display, _("this is an Excel workbook (.xlsx), not a Word document (.docx)"))
        if self.has("ppt/presentation.xml"):
            return _fail(self.display, _("this is a PowerPoint presentation (.pptx), not a Word document (.docx)"))
        if self.has("mimetype") and self.has("content.xml"):
            return _fail(self.display, _("this is an OpenDocument file (.odt), not a Word document (.docx)"),
                         _("open it in LibreOffice or WPS and save it as .docx"))
        return _fail(self.display, _("this zip archive is not a Word document: it has no word/document.xml"),
                     _("open it in Word or WPS and save it as .docx"))


# ── styles, fonts and numbering ───────────────────────────────────────────────────────────────────
@dataclass
class _Style:
    id: str
    name: str
    type: str
    based_on: str = ""
    ppr: object = None
    rpr: object = None


def _on(el, w: str) -> bool:
    """A toggle property (w:b, w:pageBreakBefore …) is on unless its w:val says 0/false/off."""
    return el is not None and el.get(w + "val", "true").lower() not in ("0", "false", "off", "none")


def _int(value, default: int = 0) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        try:
            return round(float(str(value).strip()))
        except (TypeError, ValueError):
            return default


def _chinese_int(text: str) -> int:
    """一 → 1, 十二 → 12, 二十 → 20 (the level in reportgen's heading style names 公文X级标题); 0 if not one."""
    if not text or any(c not in NUMERALS + "十" for c in text):
        return 0
    if "十" in text:
        tens, _sep, ones = text.partition("十")
        return (NUMERALS.index(tens) if tens else 1) * 10 + (NUMERALS.index(ones) if ones else 0)
    return NUMERALS.index(text) if len(text) == 1 else 0


class _Styles:
    def __init__(self, root, theme, w: str):
        self.w = w
        self.by_id: dict[str, _Style] = {}
        self.default_para = ""
        self.default_ppr = None
        self.default_rpr = None
        self.theme = theme  # {"major": name, "minor": name}
        if root is None:
            return
        defaults = root.find(w + "docDefaults")
        if defaults is not None:
            self.default_ppr = defaults.find(f"{w}pPrDefault/{w}pPr")
            self.default_rpr = defaults.find(f"{w}rPrDefault/{w}rPr")
        for st in root.findall(w + "style"):
            sid = st.get(w + "styleId", "")
            name_el, based = st.find(w + "name"), st.find(w + "basedOn")
            style = _Style(id=sid, name=name_el.get(w + "val", sid) if name_el is not None else sid,
                           type=st.get(w + "type", "paragraph"),
                           based_on=based.get(w + "val", "") if based is not None else "",
                           ppr=st.find(w + "pPr"), rpr=st.find(w + "rPr"))
            self.by_id.setdefault(sid, style)
            if (style.type == "paragraph" and not self.default_para
                    and st.get(w + "default", "0").lower() in ("1", "true", "on")):
                self.default_para = sid

    def chain(self, sid: str) -> list[_Style]:
        """The style ``sid`` and the styles it is based on, nearest first (a loop is cut)."""
        out, seen = [], set()
        while sid and sid not in seen and sid in self.by_id:
            seen.add(sid)
            out.append(self.by_id[sid])
            sid = out[-1].based_on
        return out

    def east_asia(self, rfonts) -> str:
        w = self.w
        name = rfonts.get(w + "eastAsia")
        if name:
            return name
        theme = rfonts.get(w + "eastAsiaTheme", "")
        if theme:
            return self.theme.get("major" if theme.startswith("major") else "minor", "")
        return ""


def _theme_fonts(root) -> dict[str, str]:
    """The theme's East-Asian major and minor fonts (a:ea, else the Simplified Chinese a:font)."""
    out: dict[str, str] = {}
    if root is None:
        return out
    for a in DRAWING:
        for kind in ("major", "minor"):
            scheme = root.find(f".//{{{a}}}{kind}Font")
            if scheme is None:
                continue
            ea = scheme.find(f"{{{a}}}ea")
            name = ea.get("typeface", "") if ea is not None else ""
            if not name:
                hans = next((f for f in scheme.findall(f"{{{a}}}font") if f.get("script") == "Hans"), None)
                name = hans.get("typeface", "") if hans is not None else ""
            if name:
                out[kind] = name
    return out


ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
         (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))
LEGAL = "零壹贰叁肆伍陆柒捌玖"
STEMS = "甲乙丙丁戊己庚辛壬癸"
BRANCHES = "子丑寅卯辰巳午未申酉戌亥"


def _counting(n: int, digits: str = NUMERALS, units: str = "十百千") -> str:
    """Word's chineseCounting / chineseCountingThousand: 1 一, 10 十, 11 十一, 20 二十, 105 一百零五."""
    if n <= 0:
        return str(n)
    if n >= 10000:
        return str(n)
    if 10 <= n < 20 and digits == NUMERALS:
        return units[0] + (digits[n - 10] if n > 10 else "")
    out, zero = "", False
    for value, unit in ((1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            out += (digits[0] if zero else "") + digits[digit] + unit
            zero = False
        elif out:
            zero = True
    return out


def format_number(n: int, fmt: str) -> str:
    """The number ``n`` as Word shows it in the numFmt ``fmt``."""
    if fmt == "none":
        return ""
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting"):
        return _counting(n)
    if fmt == "chineseLegalSimplified":
        return _counting(n, LEGAL, "拾佰仟")
    if fmt in ("ideographTraditional", "ideographZodiac"):
        seq = STEMS if fmt == "ideographTraditional" else BRANCHES
        return seq[(n - 1) % len(seq)] if n > 0 else str(n)
    if fmt in ("ideographDigital", "japaneseDigitalTenThousand", "taiwaneseDigital"):
        return "".join("〇一二三四五六七八九"[int(c)] for c in str(n)) if n >= 0 else str(n)
    if fmt in ("upperRoman", "lowerRoman") and 0 < n < 4000:
        out = ""
        for value, letters in ROMAN:
            while n >= value:
                out, n = out + letters, n - value
        return out.upper() if fmt == "upperRoman" else out
    if fmt in ("upperLetter", "lowerLetter") and n > 0:
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)  # Word: a … z, aa … zz
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(0xFF10 + int(c)) for c in str(n)) if n >= 0 else str(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "decimalEnclosedParen" and 1 <= n <= 20:
        return chr(0x2474 + n - 1)
    if fmt == "decimalEnclosedFullstop" and 1 <= n <= 20:
        return chr(0x2488 + n - 1)
    return str(n)  # decimal, and the formats without a better rendering here (ordinal, cardinalText …)


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = ""
    restart: int = -1  # w:lvlRestart: -1 the default (after any higher level), 0 never
    legal: bool = False


class _Numbering:
    """numbering.xml: each list's levels, and the counters as Word advances them paragraph by paragraph."""

    def __init__(self, root, styles: _Styles, w: str):
        self.w = w
        self.styles = styles
        self.abstract: dict[str, dict[int, _Level]] = {}
        self.style_link: dict[str, str] = {}  # abstractNumId → the numbering style it takes its levels from
        self.nums: dict[str, tuple[str, dict[int, int], dict[int, _Level]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        if root is None:
            return
        for an in root.findall(w + "abstractNum"):
            aid = an.get(w + "abstractNumId", "")
            self.abstract[aid] = {_int(lvl.get(w + "ilvl")): self._level(lvl) for lvl in an.findall(w + "lvl")}
            link = an.find(w + "numStyleLink")
            if link is not None:
                self.style_link[aid] = link.get(w + "val", "")
        for num in root.findall(w + "num"):
            nid = num.get(w + "numId", "")
            ref = num.find(w + "abstractNumId")
            starts, levels = {}, {}
            for override in num.findall(w + "lvlOverride"):
                ilvl = _int(override.get(w + "ilvl"))
                start = override.find(w + "startOverride")
                if start is not None:
                    starts[ilvl] = _int(start.get(w + "val"), 1)
                lvl = override.find(w + "lvl")
                if lvl is not None:
                    levels[ilvl] = self._level(lvl)
            self.nums[nid] = (ref.get(w + "val", "") if ref is not None else "", starts, levels)

    def _level(self, lvl) -> _Level:
        w = self.w

        def val(tag, default=None):
            el = lvl.find(w + tag)
            return el.get(w + "val", default) if el is not None else default

        restart = val("lvlRestart")
        return _Level(start=_int(val("start", "1"), 1), fmt=val("numFmt", "decimal") or "decimal",
                      text=val("lvlText", "") or "", restart=_int(restart, -1) if restart is not None else -1,
                      legal=_on(lvl.find(w + "isLgl"), w))

    def levels(self, nid: str, depth: int = 0) -> dict[int, _Level]:
        aid, _starts, overrides = self.nums.get(nid, ("", {}, {}))
        levels = dict(self.abstract.get(aid, {}))
        link = self.style_link.get(aid)
        if link and depth < 4:  # the levels live in a numbering style's own list
            for st in self.styles.chain(link):
                numpr = st.ppr.find(self.w + "numPr") if st.ppr is not None else None
                linked = numpr.find(self.w + "numId") if numpr is not None else None
                if linked is not None and linked.get(self.w + "val", "") != nid:
                    levels = {**self.levels(linked.get(self.w + "val", ""), depth + 1), **levels}
                    break
        levels.update(overrides)
        return levels

    def label(self, nid: str, ilvl: int) -> str:
        """Advance list ``nid`` at level ``ilvl`` and return the label Word shows there."""
        if nid not in self.nums:
            return ""
        levels = self.levels(nid)
        if ilvl not in levels:
            return ""
        starts = self.nums[nid][1]
        counters = self.counters.setdefault(nid, {})

        def start(k: int) -> int:
            return starts.get(k, levels[k].start if k in levels else 1)

        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else start(ilvl)
        for deeper in [k for k in counters if k > ilvl]:
            lvl = levels.get(deeper)
            if lvl is None or lvl.restart != 0 and (lvl.restart < 0 or ilvl < lvl.restart):
                del counters[deeper]  # restarts at its start the next time it is used
        level = levels[ilvl]

        def number(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            value = counters.get(k, start(k))
            fmt = levels[k].fmt if k in levels else "decimal"
            if level.legal and fmt != "none":
                fmt = "decimal"
            return format_number(value, fmt)

        if level.fmt == "bullet":
            return "".join(_symbol(ord(c)) for c in level.text)
        return re.sub(r"%([1-9])", number, level.text)


# ── the paragraphs ────────────────────────────────────────────────────────────────────────────────
@dataclass
class _Seg:
    """A stretch of text with the formatting that decides the hints."""

    text: str
    bold: bool = False
    kai: bool = False
    lead_style: bool = False
    font: str = ""
    size: float = 0.0
    red: bool = False
    hidden: bool = False


@dataclass
class _Raw:
    """One w:p as collected, before paragraph-mark deletions are joined."""

    ppr: object
    segs: list[_Seg] = field(default_factory=list)
    changes: int = 0
    hidden: int = 0  # characters of hidden text (w:vanish) left out
    notes_refs: int = 0  # footnote and endnote references (their notes are not read)
    mark_deleted: bool = False
    break_before: bool = False  # a page break before any of its text
    break_after: bool = False  # a page break after some of its text: the next paragraph starts a page
    sect: object = None  # the w:sectPr that ends a section here

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segs)


def _symbol(code: int) -> str:
    """A w:sym character: Word puts a symbol font's characters in the private range F000–F0FF."""
    if 0xF020 <= code <= 0xF0FF:
        code -= 0xF000
    return chr(code) if 0 < code < 0x110000 and not 0xD800 <= code < 0xE000 else ""


def _is_red(value: str) -> bool:
    if not value or len(value) != 6:
        return False
    try:
        r, g, b = int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)
    except ValueError:
        return False
    return r >= 0xC0 and g <= 0x60 and b <= 0x60


def _is_kai(font: str) -> bool:
    return "楷" in font or "kai" in font.lower()


class _Reader:
    def __init__(self, w: str, styles: _Styles, numbering: _Numbering):
        self.w = w
        self.styles = styles
        self.numbering = numbering
        self.fields: list[str] = []  # the open fields: "code" until w:fldChar separate, then "result"
        self.raws: list[_Raw] = []

    # walking the body
    def blocks(self, el) -> None:
        w = self.w
        for child in el:
            if not isinstance(child.tag, str):
                continue
            if child.tag == w + "p":
                self.paragraph(child)
            elif child.tag in (w + "tbl", w + "tr", w + "tc", w + "sdt", w + "sdtContent", w + "customXml",
                               w + "ins", w + "moveTo", w + "txbxContent"):
                self.blocks(child)
            elif child.tag == f"{{{MC}}}AlternateContent":
                branch = self._branch(child)
                if branch is not None:
                    self.blocks(branch)

    @staticmethod
    def _branch(alternate):
        """The first mc:Choice of an mc:AlternateContent (else its mc:Fallback): one copy of its content."""
        for child in alternate:
            if child.tag in (f"{{{MC}}}Choice", f"{{{MC}}}Fallback"):
                return child
        return None

    def paragraph(self, p) -> None:
        w = self.w
        ppr = p.find(w + "pPr")
        raw = _Raw(ppr)
        boxes: list = []  # text boxes anchored here: their paragraphs follow this one
        if ppr is not None:
            mark = ppr.find(w + "rPr")
            if mark is not None:
                if mark.find(w + "del") is not None or mark.find(w + "moveFrom") is not None:
                    raw.mark_deleted = True
                    raw.changes += 1
                elif mark.find(w + "ins") is not None or mark.find(w + "moveTo") is not None:
                    raw.changes += 1
            raw.sect = ppr.find(w + "sectPr")
        base_chain = self._para_rpr_chain(ppr)
        self.inline(p, raw, base_chain, boxes)
        # a field's result may run over paragraphs (a TOC), its code does not: a field still in its
        # code here lacks its separate (damaged, or a field without a result) and would hide the rest
        self.fields = ["result" for _state in self.fields]
        self.raws.append(raw)
        for box in boxes:
            self.blocks(box)

    def _para_style(self, ppr) -> str:
        if ppr is not None:
            ps = ppr.find(self.w + "pStyle")
            if ps is not None and ps.get(self.w + "val") in self.styles.by_id:  # Word: an unknown one is Normal
                return ps.get(self.w + "val")
        return self.styles.default_para

    def _para_rpr_chain(self, ppr) -> list:
        chain = [st.rpr for st in self.styles.chain(self._para_style(ppr)) if st.rpr is not None]
        if self.styles.default_rpr is not None:
            chain.append(self.styles.default_rpr)
        return chain

    def inline(self, el, raw: _Raw, base_chain: list, boxes: list) -> None:
        w = self.w
        for child in el:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag == w + "r":
                self.run(child, raw, base_chain, boxes)
            elif tag in (w + "ins", w + "moveTo"):
                raw.changes += 1
                self.inline(child, raw, base_chain, boxes)
            elif tag in (w + "del", w + "moveFrom"):
                raw.changes += 1
            elif tag in (w + "hyperlink", w + "smartTag", w + "customXml", w + "fldSimple", w + "bdo", w + "dir",
                         w + "sdtContent", w + "rubyBase"):
                self.inline(child, raw, base_chain, boxes)
            elif tag == w + "sdt":
                content = child.find(w + "sdtContent")
                if content is not None:
                    self.inline(content, raw, base_chain, boxes)
            elif tag == f"{{{MC}}}AlternateContent":
                branch = self._branch(child)
                if branch is not None:
                    self.inline(branch, raw, base_chain, boxes)
            elif tag.startswith(("{" + MATH[0], "{" + MATH[1])):
                text = "".join(t.text or "" for t in child.iter() if isinstance(t.tag, str) and t.tag.endswith("}t"))
                if text and self.visible:
                    raw.segs.append(_Seg(text))

    @property
    def visible(self) -> bool:
        return all(state == "result" for state in self.fields)

    def run(self, r, raw: _Raw, base_chain: list, boxes: list) -> None:
        w = self.w
        rpr = r.find(w + "rPr")
        seg = None
        for child in r:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            text = None
            if tag == w + "fldChar":
                kind = child.get(w + "fldCharType")
                if kind == "begin":
                    self.fields.append("code")
                elif kind == "separate" and self.fields:
                    self.fields[-1] = "result"
                elif kind == "end" and self.fields:
                    self.fields.pop()
            elif tag == w + "t":
                text = child.text or ""
            elif tag in (w + "tab", w + "ptab"):
                text = "\t"
            elif tag == w + "br":
                kind = child.get(w + "type", "textWrapping")
                if kind == "page":
                    if self.visible:
                        if raw.text.strip(SPACES) or (seg and seg.text.strip(SPACES)):
                            raw.break_after = True
                        else:
                            raw.break_before = True
                else:
                    text = "\n"
            elif tag == w + "cr":
                text = "\n"
            elif tag == w + "noBreakHyphen":
                text = "\u2011"
            elif tag == w + "sym":
                text = self._sym(child)
            elif tag in (w + "drawing", w + "pict", w + "object", f"{{{MC}}}AlternateContent"):
                boxes.extend(self._text_boxes(child))
            elif tag in (w + "footnoteReference", w + "endnoteReference"):
                raw.notes_refs += 1
            elif tag == w + "ruby":
                base = child.find(w + "rubyBase")
                if base is not None:
                    self.inline(base, raw, base_chain, boxes)
            if text and self.visible:
                if seg is None:
                    seg = self._seg(rpr, base_chain)
                    if seg.hidden:
                        seg = _Seg("", hidden=True)  # not in the paragraph
                    else:
                        raw.segs.append(seg)
                if seg.hidden:
                    raw.hidden += len(text)
                else:
                    seg.text += text

    def _sym(self, sym) -> str:
        char = sym.get(self.w + "char", "")
        return _symbol(int(char, 16)) if re.fullmatch(r"[0-9A-Fa-f]{1,6}", char) else ""

    def _text_boxes(self, el) -> list:
        """The text boxes' contents in a drawing, once each (one branch of every mc:AlternateContent)."""
        out: list = []

        def walk(node):
            if not isinstance(node.tag, str):
                return
            if node.tag == self.w + "txbxContent":
                out.append(node)
            elif node.tag == f"{{{MC}}}AlternateContent":
                branch = self._branch(node)
                if branch is not None:
                    walk(branch)
            else:
                for child in node:
                    walk(child)

        walk(el)
        return out

    def _seg(self, rpr, base_chain: list) -> _Seg:
        w = self.w
        chain: list = []
        lead_style = False
        if rpr is not None:
            chain.append(rpr)
            rs = rpr.find(w + "rStyle")
            if rs is not None:
                for st in self.styles.chain(rs.get(w + "val", "")):
                    if st.rpr is not None:
                        chain.append(st.rpr)
                    if _is_lead_style(st):
                        lead_style = True
        chain += base_chain

        def first(tag):
            for el in chain:
                found = el.find(w + tag)
                if found is not None:
                    return found
            return None

        font = ""
        for el in chain:
            rfonts = el.find(w + "rFonts")
            if rfonts is not None:
                font = self.styles.east_asia(rfonts)
                if font:
                    break
        sz = first("sz")
        color = first("color")
        return _Seg("", bold=_on(first("b"), w), kai=_is_kai(font), lead_style=lead_style, font=font,
                    hidden=_on(first("vanish"), w) or _on(first("specVanish"), w),
                    size=_int(sz.get(w + "val"), 0) / 2 if sz is not None else 0.0,
                    red=_is_red((color.get(w + "val", "") if color is not None else "").upper()))


def _is_lead_style(st: _Style) -> bool:
    """reportgen's lead character styles: GWLeadN (公文X级标题（段首）) and GWRunLead (公文段首引导句)."""
    return (st.type == "character" and (st.id.startswith("GWLead") or st.id == "GWRunLead"
                                         or st.name.endswith("（段首）") or st.name == "公文段首引导句"))


def _ui_name(name: str) -> str:
    """A style's name as Word shows it: styles.xml spells some built-ins in lower case ("heading 1")."""
    if re.fullmatch(r"heading [1-9]|caption|header|footer", name):
        return name[0].upper() + name[1:]
    return name


def _lead(segs: list[_Seg], flag: str) -> tuple[str, bool]:
    """The prefix of the text set apart by ``flag`` (spaces count either way), and whether all of it is."""
    done, end = 0, 0  # characters before the current segment; the end of the set-apart prefix
    for seg in segs:
        if getattr(seg, flag):
            if seg.text.strip(SPACES):
                end = done + len(seg.text.rstrip(SPACES))
        elif seg.text.strip(SPACES):
            if not end:
                return "", False
            return "".join(s.text for s in segs)[:end], False
        done += len(seg.text)
    return "", bool(end)


def _visible_chars(text: str) -> int:
    return len(text) - sum(text.count(c) for c in SPACES)


def _majority(segs: list[_Seg], attr: str):
    counts: Counter = Counter()
    for seg in segs:
        n = _visible_chars(seg.text)
        if n:
            counts[getattr(seg, attr)] += n
    return counts.most_common(1)[0][0] if counts else None


def _merge(raws: list[_Raw]) -> list[_Raw]:
    """Accept deleted paragraph marks: such a paragraph and the next become one, with the first one's
    properties (the next one's when the first is empty) and the next one's mark (its section break)."""
    out: list[_Raw] = []
    joining = False
    for raw in raws:
        if joining:
            head = out[-1]
            if not head.text.strip(SPACES):
                head.ppr = raw.ppr
                head.break_before = head.break_before or raw.break_before
            elif raw.break_before:  # a page break inside the joined paragraph: the next one starts the page
                head.break_after = True
            head.segs += raw.segs
            head.changes += raw.changes
            head.hidden += raw.hidden
            head.notes_refs += raw.notes_refs
            head.break_after = head.break_after or raw.break_after
            head.sect = raw.sect
            joining = raw.mark_deleted
            continue
        out.append(raw)
        joining = raw.mark_deleted
    return out


def _producer(pkg: _Package, styles: _Styles) -> str:
    """Who wrote the file, from docProps/app.xml (and WPS's custom properties)."""
    app = pkg.xml("docProps/app.xml") if pkg.has("docProps/app.xml") else None
    values = {}
    if app is not None:
        for child in app:
            if isinstance(child.tag, str):
                values[child.tag.rsplit("}", 1)[-1]] = (child.text or "").strip()
    application = values.get("Application", "")
    custom = pkg.bytes("docProps/custom.xml") if pkg.has("docProps/custom.xml") else None
    if "WPS" in application or "Kingsoft" in application or (custom and b"KSOProductBuildVer" in custom):
        return "WPS"
    if "LibreOffice" in application or "OpenOffice" in application:
        return "LibreOffice"
    # python-docx's template, never saved by Word since (Word counts the words), with reportgen's styles
    if (application == "Microsoft Macintosh Word" and values.get("Words") == "0" and values.get("Characters") == "0"
            and "GWBody" in styles.by_id):
        return "reportgen"
    if "Microsoft" in application or application.startswith("Word"):
        return "Microsoft Word"
    return application[:80]


def read(raw: bytes, display: str) -> Read:
    """The paragraphs of the DOCX ``raw`` (named ``display`` in messages) with their format hints."""
    from ..writers.docx import STYLES

    pkg = _Package(raw, display)
    main = pkg.rels("").get("officeDocument", "")
    if not main or not pkg.has(main):
        main = "word/document.xml"
    if not pkg.has(main):
        raise pkg.what_else()
    root = pkg.xml(main)
    w = root.tag.split("}", 1)[0] + "}" if root.tag.startswith("{") else ""
    if w not in ("{" + W_TRANSITIONAL + "}", "{" + W_STRICT + "}"):
        raise _fail(display, _("the DOCX file is damaged: {part} is not a Word document's text", part=main),
                    _("open it in Word or WPS and save it again"))
    rels = pkg.rels(main)
    folder = posixpath.dirname(main)

    def related(kind: str, default: str):
        name = rels.get(kind) or posixpath.join(folder, default)
        return pkg.xml(name) if pkg.has(name) else None

    styles = _Styles(related("styles", "styles.xml"), _theme_fonts(related("theme", "theme/theme1.xml")), w)
    numbering = _Numbering(related("numbering", "numbering.xml"), styles, w)
    reader = _Reader(w, styles, numbering)
    body = root.find(w + "body")
    if body is not None:
        reader.blocks(body)

    raws = _merge(reader.raws)
    sects = [r.sect for r in raws if r.sect is not None]
    final = body.find(w + "sectPr") if body is not None else None
    if final is not None:
        sects.append(final)
    roles = {}
    for key in ROLE_KEYS:
        sid, name = STYLES[key]
        roles[sid] = roles[name] = key

    out = Read(format="docx", producer=_producer(pkg, styles))
    # what an empty paragraph (say, one wholly deleted or hidden) had goes to the next one given
    pending, carried, carried_hidden = False, 0, 0
    for raw in raws:
        hints = _hints(raw, reader, roles)  # numbering advances for empty paragraphs too, as in Word
        starts_section = False
        if raw.sect is not None:
            k = next(i for i, s in enumerate(sects) if s is raw.sect)
            nxt = sects[k + 1] if k + 1 < len(sects) else None
            kind = nxt.find(w + "type") if nxt is not None else None
            starts_section = (kind.get(w + "val", "nextPage") if kind is not None else "nextPage") in SECTION_BREAKS
        text = raw.text
        before = hints.pop("page_break") or raw.break_before
        if not text.strip(SPACES):
            pending = pending or before or raw.break_after or starts_section
            carried += raw.changes
            carried_hidden += raw.hidden
            continue
        number = len(out.paras) + 1
        page_break = (pending or before) and bool(out.paras)
        out.paras.append(Para(number=number, text=text, page_break=page_break, **hints))
        changes = raw.changes + carried
        if changes:
            out.notes.append(Note(para=number, code="tracked-accepted",
                                  message=_("tracked changes accepted ({n})", n=changes)))
        if raw.hidden + carried_hidden:
            out.notes.append(Note(para=number, code="hidden-dropped",
                                  message=_("hidden text left out ({n} characters)", n=raw.hidden + carried_hidden)))
        if raw.notes_refs:
            out.notes.append(Note(para=number, code="footnote-dropped",
                                  message=_("footnotes are not imported ({n} here)", n=raw.notes_refs)))
        pending, carried, carried_hidden = raw.break_after or starts_section, 0, 0
    if not out.paras:
        raise _fail(display, _("the document has no text"))
    return out


def _hints(raw: _Raw, reader: _Reader, roles: dict[str, str]) -> dict:
    w, styles = reader.w, reader.styles
    ppr = raw.ppr
    sid = reader._para_style(ppr)
    chain = styles.chain(sid)
    pprs = ([ppr] if ppr is not None else []) + [st.ppr for st in chain if st.ppr is not None]
    if styles.default_ppr is not None:
        pprs.append(styles.default_ppr)

    def first(tag):
        for el in pprs:
            found = el.find(w + tag)
            if found is not None:
                return found
        return None

    # heading: the paragraph's own outline level, else its style chain's name or outline level
    heading = 0
    own = ppr.find(w + "outlineLvl") if ppr is not None else None
    if own is not None:
        level = _int(own.get(w + "val"), 9)
        heading = level + 1 if 0 <= level < 9 else 0
    else:
        for st in chain:
            m = (re.fullmatch(r"(?i)heading\s*([1-9])", st.name) or re.fullmatch(r"标题\s*([1-9])", st.name)
                 or re.fullmatch(r"GWHeading([0-9]+)", st.id))
            if m:
                heading = int(m.group(1))
                break
            m = re.fullmatch(r"公文(.+)级标题", st.name)
            if m and _chinese_int(m.group(1)):
                heading = _chinese_int(m.group(1))
                break
            ol = st.ppr.find(w + "outlineLvl") if st.ppr is not None else None
            if ol is not None:
                level = _int(ol.get(w + "val"), 9)
                heading = level + 1 if 0 <= level < 9 else 0
                break

    # list label
    label, level = "", 0
    nid = ilvl = None
    for el in pprs:
        numpr = el.find(w + "numPr")
        if numpr is None:
            continue
        if nid is None and numpr.find(w + "numId") is not None:
            nid = numpr.find(w + "numId").get(w + "val", "")
        if ilvl is None and numpr.find(w + "ilvl") is not None:
            ilvl = _int(numpr.find(w + "ilvl").get(w + "val"))
        if nid is not None and ilvl is not None:
            break
    if nid and nid != "0":
        level = min(max(ilvl or 0, 0), 8)
        label = reader.numbering.label(nid, level)
        if not label:
            level = 0

    jc = first("jc")
    jc_val = jc.get(w + "val", "") if jc is not None else ""
    align = {"center": "center", "right": "right", "end": "right"}.get(jc_val, "")

    indent = False
    for el in pprs:
        ind = el.find(w + "ind")
        if ind is None or not any(ind.get(w + a) is not None for a in ("firstLine", "firstLineChars", "hanging",
                                                                        "hangingChars")):
            continue
        if _int(ind.get(w + "hanging")) > 0 or _int(ind.get(w + "hangingChars")) > 0:
            indent = False
        elif _int(ind.get(w + "firstLineChars")) != 0:
            indent = _int(ind.get(w + "firstLineChars")) > 0
        else:
            indent = _int(ind.get(w + "firstLine")) > 0
        break

    segs = raw.segs
    lead, bold = "", False
    for flag in ("lead_style", "bold", "kai"):
        prefix, _whole = _lead(segs, flag)
        if prefix:
            lead = prefix
            break
    _p, bold = _lead(segs, "bold")

    style = chain[0] if chain else None
    role = ""
    if style is not None:
        role = roles.get(style.id) or roles.get(style.name) or BUILTIN_ROLES.get(style.name.lower(), "")
    return {"lead": lead, "heading": heading, "label": label, "level": level, "align": align, "indent": indent,
            "font": _majority(segs, "font") or "", "size": float(_majority(segs, "size") or 0.0), "bold": bold,
            "red": bool(_majority(segs, "red")), "role": role,
            "style": _ui_name(style.name) if style is not None else "",
            "page_break": _on(first("pageBreakBefore"), w)}
