"""The document's structure from its paragraphs: which is the title, the 主送机关, a 一、 heading, a
run-in lead, an 一是 point, the signature … and so the data of the document's kind.

The rules read the text first (typed numbers in the layout's own formats, a date line, a closing
phrase) and let the format's hints (paras.Para: a heading style, a bold lead, centred, Word's list
label) decide where the text alone cannot. What a kind adds is data in its ``kind.toml`` ``[import]``
table (closing phrases, section roles by the words of their headings, the labels of its own lines such
as 联系人：, the key of a part on a new page such as the notice's ``issued``), never a branch here.

The result is checked by rendering it (``importer.verify``): the same pipeline as ``build`` must give
back the source's paragraphs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..messages import _
from ..numbering import DIGITS, _pattern
from ..scaffold import TODO  # where the office must write, as reportgen new marks it (check warns on it)
from .normalize import normalize
from .paras import Note, Para, Read

SENTENCE_END = "。！？"
LIST = -100  # a Markdown list item's level before it is resolved
# How a title's last line ends, and an organ's name (a title broken after the organ): for a .txt, whose
# lines carry no alignment, these tell a title's second line from a short first paragraph.
TITLE_ENDS = ("报告", "情况", "的函", "答复函", "通知", "意见", "纲要", "规划", "方案", "要点", "请示", "决定", "总结")
ORGAN_ENDS = ("政府", "局", "委员会", "委", "办公室", "厅", "院", "部", "小组", "中心", "办")
LEAD_MAX = 40  # a first sentence longer than this is still taken as the lead, but said to be a guess
TITLE_MAX = 120  # as validate.TITLE_MAX: longer than this, a first paragraph is no title
_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_CN_DATE = re.compile(r"^([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$")
_DOC_NUMBER = re.compile(r"^(\S*〔\d{4}〕\d+号)(?:[\t 　]*签发人：(.+))?$")
_NUMBER_YEAR = re.compile(r"〔(\d{4})〕")
_COPY = re.compile(r"^\d{6}$")
_SECRECY = re.compile(r"^(绝密|机密|秘密)(★.*)?$")
_URGENCY = ("特急", "加急")
_IMPRINT = re.compile(r"^(.+?)\t*(\d{4})年(\d{1,2})月(\d{1,2})日印发$")
_CC = re.compile(r"^抄送：(.+?)。?$")
_WRAPPED = re.compile(r"^（[^（）]+）$")
_ATTACH_NOTE = re.compile(r"^附件：(?:1[.．])?(.+)$")
_ATTACH_LABEL = re.compile(r"^附件(\d*)$")
_YEAR_IN = re.compile(r"(\d{4})年")
# What a government web page prints around a report (its metadata and tools), copied with the text.
_WEB_LINE = re.compile(r"^[【\[]?(发布时间|发布日期|发布机构|信息来源|来源|浏览次数|访问量|点击数|阅读次数|字体|字号|"
                       r"分享到|打印本页|关闭窗口|扫一扫)[：:】\]\s]")
# The responsibility note a 工作要点 item ends with, as templates/common/blocks.xml.j2 units_note prints it.
_UNITS = (re.compile(r"（([^（），]+?)牵头，([^（）]+?)按职责分工负责）$"),
          re.compile(r"（()([^（）]+?)按职责分工负责）$"),
          re.compile(r"（([^（），]+?)负责）$"))
ANNOUNCING = ("如下", "现将", "按照", "根据", "为了", "为")  # words of a sentence, not of a list of units
DEFAULT_CLOSINGS = ("特此报告。", "专此报告。", "特此通知。", "特此函复。", "特此函告。", "特此说明。", "此复。")


def cn_value(numeral: str) -> int:
    """一 → 1, 十二 → 12, 二十 → 20 (the numerals numbering.chinese_numeral writes); Arabic digits too."""
    if numeral.isdigit():
        return int(unicode_digits(numeral))
    total, current = 0, 0
    for ch in numeral:
        if ch in "十百千":
            total += (current or 1) * {"十": 10, "百": 100, "千": 1000}[ch]
            current = 0
        else:
            current = DIGITS.index(ch) if ch in DIGITS else ("〇".find(ch) + 1 and 0)
    return total + current


def unicode_digits(text: str) -> str:
    return text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))


@dataclass
class Numbered:
    level: int  # 1 一、, 2 （一）, 3 1., 4 （1）; 0 not numbered
    value: int  # the number as typed (for skips and repeats)
    rest: str  # the text after the number


@dataclass
class Line:
    """A source paragraph on its way into the data: its normalised text and what it looks like."""

    para: Para
    text: str
    numbered: Numbered | None = None
    point: bool = False  # starts with 一是
    title_lines: list[str] = field(default_factory=list)  # a title paragraph broken into its lines

    @property
    def number(self) -> int:
        return self.para.number


@dataclass
class Rules:
    """What a kind's ``[import]`` table and its layout tell the recogniser."""

    levels: list[re.Pattern]  # per outline level, the typed number (group 1: the numeral)
    point: re.Pattern  # 一是 at the start of a text
    points_inside: re.Pattern  # 一是 … inside running text
    resets: list[str]  # per level: "parent" or "part"
    closings: tuple[str, ...] = DEFAULT_CLOSINGS
    roles: dict = field(default_factory=dict)  # role → words of its headings; "default" → the rest
    unless: dict = field(default_factory=dict)  # role → patterns of headings that hold its words but are not it
    labels: dict = field(default_factory=dict)  # data path → the label the template prints before it
    part: str = ""  # the data key of a document on a new page after the signature (the notice's issued)
    titles: dict = field(default_factory=dict)  # the kind's title patterns, and which one is the default
    title_setting: str = ""
    keys: frozenset = frozenset()  # the kind's top-level data keys: nothing else is recognised
    kind: str = ""

    @classmethod
    def of(cls, kind) -> "Rules":
        levels = kind.layout.levels
        point = kind.layout.numbering.point
        spec = kind.imports
        return cls(
            levels=[re.compile(r"^\s*" + _pattern(level.format).replace("[一二三四五六七八九十百千零〇]+",
                                                                         "([一二三四五六七八九十百千零〇]+)", 1)
                               .replace("[0-9０-９]+", "([0-9０-９]+)", 1)) for level in levels],
            point=re.compile(r"^\s*" + _pattern(point).replace("[一二三四五六七八九十百千零〇]+",
                                                                "([一二三四五六七八九十百千零〇]+)", 1)),
            points_inside=re.compile(r"(?:^|(?<=[。；！？：，]))" + _pattern(point).replace(
                "[一二三四五六七八九十百千零〇]+", "([一二三四五六七八九十百千零〇]+)", 1)),
            resets=[level.reset for level in levels],
            closings=tuple(spec.get("closings", ())) + DEFAULT_CLOSINGS,
            roles=dict(spec.get("roles", {})),
            unless=dict(spec.get("unless", {})),
            labels=dict(spec.get("labels", {})),
            part=spec.get("part", ""),
            titles=dict(kind.titles),
            title_setting=str(kind.settings.get("title", "")),
            keys=frozenset(kind.schema.get("properties", {})),
            kind=kind.name,
        )

    def number_of(self, text: str) -> Numbered | None:
        for i in sorted(range(len(self.levels)), key=lambda i: -len(self.levels[i].pattern)):
            m = self.levels[i].match(text)
            if m and m.end() < len(text):
                return Numbered(i + 1, cn_value(m.group(1)), text[m.end():])
        return None


class Recogniser:
    def __init__(self, read: Read, rules: Rules, *, year: int | None = None, organ: str = ""):
        self.read = read
        self.rules = rules
        self.notes: list[Note] = list(read.notes)
        self.year = year
        self.organ = organ
        self.data: dict = {}
        self.joined: list[list[int]] = []  # source paragraphs that print as one (a title in several lines)
        sizes = sorted(p.size for p in read.paras if p.size)
        self.body_size = sizes[len(sizes) // 2] if sizes else 0.0  # the median: the body text's size

    # ── helpers ────────────────────────────────────────────────────────────────────────────────
    def note(self, line: Line | int, code: str, message: str, path: str = "") -> None:
        number = line.number if isinstance(line, Line) else line
        self.notes.append(Note(number, code, message, path))

    def lines(self) -> list[Line]:
        out = []
        for para in self.read.paras:
            raw = para.text.strip()
            if len(raw) <= 80 and _WEB_LINE.match(raw):  # the page around a report copied from a website
                self.note(para.number, "web-line-dropped", _("left out as a line of the web page, not of the "
                                                             "document: {text}", text=_short(raw)))
                continue
            broken = []
            if para.role == "title" and "\n" in para.text.strip():  # a title's lines, as the format breaks them
                broken = [normalize(Para(para.number, part), self.notes) for part in para.text.split("\n")]
                broken = [part for part in broken if part]
                text = "".join(broken)
            else:
                text = normalize(para, self.notes)
            if not text:
                continue
            line = Line(para, text, title_lines=broken)
            typed = self.rules.number_of(text)
            if typed:
                line.numbered = typed
            elif self._list_item(para):  # a Markdown list: its level is structural (resolved below)
                value = re.sub(r"\D", "", unicode_digits(para.label))
                line.numbered = Numbered(LIST, int(value) if value else 0, text)
            elif para.label:  # a number Word generates: read it as if typed (it is printed text)
                line.text = para.label.strip() + text
                line.numbered = self.rules.number_of(line.text)
            elif para.heading:
                line.numbered = Numbered(-para.heading, 0, text)  # resolved against the other headings
            line.point = bool(self.rules.point.match(line.numbered.rest if line.numbered else text))
            out.append(line)
        self._heading_levels(out)
        return out

    def _list_item(self, para: Para) -> bool:
        return self.read.format == "md" and (para.style == "li" or bool(para.label))

    def _heading_levels(self, lines: list[Line]) -> None:
        """Heading styles without typed numbers (Markdown #, Word's Heading N): the smallest style level
        in use below the title is 一、; a Markdown list item is the level below the heading it follows."""
        styled = [ln for ln in lines if ln.numbered and LIST < ln.numbered.level < 0]
        headed = [ln for ln in lines if ln.para.heading]
        if headed and headed[0] is lines[0] and len(headed) > 1 and all(
                ln.para.heading > lines[0].para.heading for ln in headed[1:]):
            if lines[0].numbered and lines[0].numbered.level < 0:  # a single top heading first: the title
                lines[0].numbered = None
            lines[0].para.role = lines[0].para.role or "title"
            styled = [ln for ln in styled if ln is not lines[0]]
        top = min((-ln.numbered.level for ln in styled), default=1)
        typed_top = {ln.para.heading for ln in headed if ln.numbered and ln.numbered.level == 1}
        if typed_top:  # a heading style that holds typed 一、 headings is level 1
            top = min(typed_top)
        for ln in styled:
            ln.numbered.level = max(1, -ln.numbered.level - top + 1)
        current = 0
        for ln in lines:
            if ln.numbered and ln.numbered.level == LIST:
                ln.numbered.level = current + 1 + ln.para.level
            elif ln.numbered and not self._list_item(ln.para):
                current = ln.numbered.level

    # ── the whole document ─────────────────────────────────────────────────────────────────────
    def run(self) -> dict:
        lines = self.lines()
        self.source_lines = lines
        if not lines:
            from ..errors import Diagnostic, ReportgenError
            raise ReportgenError([Diagnostic(_("the file has no text"), code="import")])
        body, tail = self.tail(self.head(lines))
        if self.rules.part and "_part" in self.data:
            part_lines = self.data.pop("_part")
            part_body, part_tail = self.tail(self.head(part_lines, part=True), part=True)
            part = {}
            self.body(part_body, part, f"{self.rules.part}.")
            title = self.data.pop("_part_title") or TODO
            if title == TODO:
                self.note(part_lines[0] if part_lines else 0, "no-title",
                          _("the document on a new page has no title: fill it in"), f"{self.rules.part}.title")
            self.data[self.rules.part] = {"title": title, **part}
            for ln in part_tail:
                self.note(ln, "unplaced", _("not placed in the data: {text}", text=_short(ln.text)))
        self.body(body, self.data, "")
        for ln in tail:
            self.note(ln, "unplaced", _("not placed in the data: {text}", text=_short(ln.text)))
        self.finish()
        return self.data

    # ── 版头 and the title block ───────────────────────────────────────────────────────────────
    def head(self, lines: list[Line], part: bool = False) -> list[Line]:
        """Take the 版头, title, subtitle and 主送机关 into the data; the lines after them."""
        i = 0
        masthead: dict = {}
        if not part:
            i = self.masthead(lines, masthead)
        # The title: its lines until the subtitle, the addressee or the body.
        title: list[str] = []
        start = i
        while i < len(lines) and not lines[i].numbered:
            ln = lines[i]
            if ln.para.role and ln.para.role != "title":
                break
            if title and not (ln.para.role == "title" or self._title_continues(lines, i)):
                break
            if not title and not self._title_like(ln):
                break
            title += ln.title_lines or [ln.text]
            i += 1
        titled = [ln.number for ln in lines[start:i]]
        if len(titled) > 1:  # one printed paragraph in the text output, however many lines it has
            self.joined.append(titled)
        if part:
            self.data["_part_title"] = title[0] if len(title) == 1 else title
            return lines[i:]
        if title:
            self.data["title"] = title[0] if len(title) == 1 else title
        else:
            self.data["show_title"] = False
            self.note(lines[0], "no-title", _("no title found: the document starts with its text; "
                                              "show_title: false is set and title is to be filled in"), "title")
        if i < len(lines) and (lines[i].para.role == "subtitle" or _WRAPPED.match(lines[i].text)) and title:
            self.data["subtitle"] = lines[i].text
            i += 1
        if i < len(lines) and self._addressee(lines[i]):
            self.data["addressee"] = lines[i].text
            i += 1
        if masthead:
            self.data["_masthead"] = masthead
        return lines[i:]

    def masthead(self, lines: list[Line], masthead: dict) -> int:
        """版头 [GB/T 9704 7.2]: 份号, 密级, 紧急程度 on the first lines, then the 发文机关标志 (red in a
        DOCX or PDF; in a .txt, the short lines just above a 发文字号), the number and 签发人. Returns the
        index of the first line after it."""
        i = 0
        while i < len(lines) and not lines[i].numbered:
            t = lines[i].text
            if _COPY.match(t):
                masthead["copy_number"] = t
            elif _SECRECY.match(t):
                masthead["secrecy"] = t
            elif t in _URGENCY:
                masthead["urgency"] = t
            else:
                break
            i += 1
        organs: list[str] = []
        j = i
        while j < len(lines) and j - i < 4 and not lines[j].numbered and not _DOC_NUMBER.match(lines[j].text):
            ln = lines[j]
            marked = ln.para.red or ln.para.role == "mark" or (ln.text == "文件" and organs)
            if not (marked or any(_DOC_NUMBER.match(x.text) for x in lines[j + 1:j + 4])) or len(ln.text) > 40 \
                    or any(c in ln.text for c in "。，：；"):
                break
            organs.append(ln.text)
            j += 1
        number = _DOC_NUMBER.match(lines[j].text) if j < len(lines) else None
        if not organs or not (number or all(x.para.red or x.para.role == "mark" for x in lines[i:j])):
            return i
        if organs[-1] == "文件":
            organs.pop()
            masthead["suffix"] = "文件"
        elif len(organs) == 1 and organs[0].endswith("文件") and len(organs[0]) > 4:
            organs[0] = organs[0][:-2]
            masthead["suffix"] = "文件"
        masthead["_organs"] = organs
        if number:
            masthead["number"] = number.group(1)
            if number.group(2):
                masthead["signers"] = [s for s in re.split(r"[\t 　]+", number.group(2)) if s]
            j += 1
        return j

    def _title_like(self, ln: Line) -> bool:
        t = ln.text
        if ln.para.role == "title":
            return True
        return not (len(t) > TITLE_MAX or t[-1] in SENTENCE_END + "；：，" or ln.point or _DATE.match(t))

    def _title_continues(self, lines: list[Line], i: int) -> bool:
        """A further centred paragraph belongs to the title; without hints (a .txt), a short line with no
        end punctuation that a title line is broken into (天津市静海区人民政府 / 关于2024年…的报告)."""
        if i >= len(lines) or lines[i].numbered or _WRAPPED.match(lines[i].text) or self._addressee(lines[i]):
            return False
        nxt = lines[i]
        if nxt.para.role not in ("", "title"):
            return False
        prev = lines[i - 1].para
        if nxt.para.align == "center":
            return True
        if prev.size and nxt.para.size == prev.size and nxt.para.font == prev.font and prev.size > self.body_size \
                and not _DATE.match(nxt.text):  # set as the title is, larger than the body text
            return True
        if self.read.format not in ("txt", "md") or prev.align:
            return False
        t = nxt.text
        return i < 4 and len(t) <= 40 and t[-1] not in SENTENCE_END + "；：，、" and not _DATE.match(t) and (
            t.startswith("关于") or t.endswith(TITLE_ENDS) or lines[i - 1].text.endswith(ORGAN_ENDS))

    def _addressee(self, ln: Line) -> bool:
        """主送机关: a short line ending in ：, naming units (区委、区人大常委会：), not a sentence that
        announces what follows (现将有关情况报告如下：)."""
        t = ln.text
        return ln.para.role == "addressee" or (
            t.endswith("：") and len(t) <= 80 and not ln.numbered and not any(c in t[:-1] for c in "。：；")
            and not any(w in t for w in ANNOUNCING) and not _YEAR_IN.match(t))

    # ── signature, date, 附注, the kind's labelled lines, 版记 ───────────────────────────────────
    def tail(self, lines: list[Line], part: bool = False) -> tuple[list[Line], list[Line]]:
        """Split off what follows the body. Returns the body and the lines left unplaced."""
        date_at = None
        for k, ln in enumerate(lines):
            if self._date(ln.text) and not ln.numbered and k > 0 and self._issuer_like(lines[k - 1]):
                date_at = k
                break
            if ln.para.role == "signature" and self._date(ln.text):
                date_at = k
                break
        rest: list[Line] = []
        if date_at is None and lines and self._date(lines[-1].text) and not lines[-1].numbered:
            self.note(lines[-1], "date-unsigned", _("a date with no 署名 above it is kept as text: the data prints "
                                                    "the date under a signature (signature: true and date)"))
        if date_at is None:
            body, after = lines, []
            # a 版记 or labelled lines may still end a document without a signature
            while body and (self._imprint(body[-1], dry=True) or self._labelled(body[-1], dry=True)):
                after.insert(0, body.pop())
        else:
            body, after = lines[:date_at - 1], lines[date_at + 1:]
            issuer = lines[date_at - 1].text
            date = self._date(lines[date_at].text)
            self.data["date"] = date
            if _CN_DATE.match(lines[date_at].text) or re.search(r"年0\d|月0\d", lines[date_at].text):
                self.note(lines[date_at], "date-written", _("the date {text} is printed as reportgen writes "
                                                             "dates", text=lines[date_at].text), "date")
            self.data["_issuer"] = issuer
        # 附件说明 at the end of the body
        if body and _ATTACH_NOTE.match(body[-1].text) or (len(body) > 1 and _ATTACH_NOTE.match(body[-2].text)
                                                         and re.match(r"^\d+[.．]", body[-1].text)):
            start = len(body) - 1
            while start > 0 and not _ATTACH_NOTE.match(body[start].text):
                start -= 1
            names = [_ATTACH_NOTE.match(body[start].text).group(1)] + [
                re.sub(r"^\d+[.．]", "", b.text) for b in body[start + 1:]]
            self.data["_attachment_names"] = names
            body = body[:start]
        # the closing: a closing phrase, or a paragraph after the last section that fits nowhere else
        if body and (self._closing(body[-1].text) or body[-1].para.role == "closing") and "closing" in self.rules.keys:
            self.data["closing"] = body.pop().text
        k = 0
        if after and date_at is not None and _WRAPPED.match(after[0].text) and not self._labelled(after[0], dry=True) \
                and "note" in self.rules.keys:
            self.data["note"] = after[0].text
            k = 1
        while k < len(after) and self._labelled(after[k]):
            k += 1
        after = after[k:]
        if date_at is not None and self.rules.part and not part and after:
            # the part: everything up to the attachments or the 版记
            end = len(after)
            for n, ln in enumerate(after):
                if _ATTACH_LABEL.match(ln.text) or self._imprint(ln, dry=True):
                    end = n
                    break
            if end:
                self.data["_part"] = after[:end]
                after = after[end:]
        after = self.attachments(after)
        while after and self._imprint(after[0]):
            after = after[1:]
        rest += after
        return body, rest

    def _closing(self, text: str) -> bool:
        """特此报告。, or a short last paragraph ending with a closing phrase (……以上报告，请予审议。)."""
        return text in self.rules.closings or len(text) <= 60 and not self.rules.number_of(text) and any(
            text.endswith("，" + c) or text.endswith(c) and len(c) >= 4 for c in self.rules.closings)

    def _date(self, text: str) -> str:
        """A date line (2024年3月28日, 二〇二四年三月二十八日) as 2024-03-28; "" when it is none (or no real day)."""
        import datetime as dt

        m = _DATE.match(text)
        if m:
            y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        else:
            m = _CN_DATE.match(text)
            if not m:
                return ""
            y = int("".join(str("〇一二三四五六七八九".index(c)) if c in "〇一二三四五六七八九" else "0"
                            for c in m.group(1)))
            mo, d = cn_value(m.group(2)), cn_value(m.group(3))
        try:
            return dt.date(y, mo, d).isoformat()
        except ValueError:
            return ""

    def _issuer_like(self, ln: Line) -> bool:
        t = ln.text
        return ln.para.role == "signature" or (len(t) <= 40 and not ln.numbered and not any(
            c in t for c in "。，；：！？") and not t.startswith("（"))

    def _labelled(self, ln: Line, dry: bool = False) -> bool:
        """A line the kind's template prints around one value: ``联系人：`` before it, or a pattern with
        ``{}`` where the value stands (``（联系人：{}）``)."""
        for path, label in self.rules.labels.items():
            before, _sep, after = label.partition("{}")
            t = ln.text
            if t.startswith(before) and t.endswith(after) and len(t) > len(before) + len(after):
                if not dry:
                    _set(self.data, path, t[len(before):len(t) - len(after)])
                return True
        return False

    def _imprint(self, ln: Line, dry: bool = False) -> bool:
        m = _CC.match(ln.text)
        if m:
            if not dry:
                self.data.setdefault("imprint", {})["cc"] = [s for s in re.split("[，、]", m.group(1)) if s]
            return True
        m = _IMPRINT.match(ln.text)
        date = self._date(f"{m.group(2)}年{m.group(3)}月{m.group(4)}日") if m else ""
        if m and date:
            if not dry:
                imprint = self.data.setdefault("imprint", {})
                imprint["issuer"] = m.group(1)
                imprint["date"] = date
            return True
        return False

    def attachments(self, after: list[Line]) -> list[Line]:
        names = self.data.pop("_attachment_names", None)
        found = []
        while after and _ATTACH_LABEL.match(after[0].text) and len(after) > 1:
            end = next((n for n in range(1, len(after)) if _ATTACH_LABEL.match(after[n].text)
                        or self._imprint(after[n], dry=True)), len(after))
            chunk = after[1:end]
            if not chunk or "attachments" not in self.rules.keys:  # a label with no title: left for the user
                break
            attachment: dict = {"title": chunk[0].text}
            self.body(chunk[1:], attachment, f"attachments[{len(found)}].")
            found.append(attachment)
            after = after[end:]
        if (found or names) and "attachments" in self.rules.keys:
            if names and len(names) == len(found) and all(
                    (a["title"] if isinstance(a["title"], str) else "".join(a["title"])) == n
                    for a, n in zip(found, names)):
                self.data["attachments"] = found
            elif names and not found:
                self.data["attachments"] = [{"title": n} for n in names]
                self.note(0, "attachment-pages", _("the 附件说明 names attachments whose pages are not in "
                                                   "the file; only their titles are kept"), "attachments")
            else:
                self.data["attachments"] = found
        return after

    # ── 正文: opening, sections, items, points ──────────────────────────────────────────────────
    def body(self, lines: list[Line], into: dict, prefix: str) -> None:
        opening: list = []
        sections: list[dict] = []
        stack: list[tuple[int, dict]] = []  # (level, node) open from the section down
        counts: dict[int, int] = {}
        i = 0
        while i < len(lines):
            ln = lines[i]
            n = ln.numbered
            if n and n.level == 1:
                section = {"heading": n.rest}
                sections.append(section)
                stack = [(1, section)]
                self._count(ln, n, counts)
                i += 1
                continue
            if n and n.level >= 2 and stack:
                while stack and stack[-1][0] >= n.level:
                    stack.pop()
                if not stack:
                    stack = [(1, sections[-1])]
                parent = stack[-1][1]
                if n.level > stack[-1][0] + 1:
                    self.note(ln, "numbering-level", _("a level-{level} number under a level-{parent} part, with "
                                                       "no level between: reportgen prints it one level up",
                                                       level=n.level, parent=stack[-1][0]))
                    n = Numbered(stack[-1][0] + 1, 0, n.rest)
                self._count(ln, n, counts)
                nxt = lines[i + 1] if i + 1 < len(lines) else None
                # a heading line (its text on the next lines, or its sub-items) or a run-in lead
                followed = bool(nxt and (not nxt.numbered and not nxt.point or nxt.numbered
                                         and nxt.numbered.level > n.level))
                item = self.item(ln, n.rest, followed=followed)
                parent.setdefault("items", []).append(item)
                stack.append((n.level, item))
                i += 1
                continue
            if n and n.level >= 2 and not stack:
                self.note(ln, "numbering-level", _("a numbered paragraph before the first heading is kept as "
                                                   "text"))
            # a body paragraph, or a run of 一是 … point paragraphs: they belong to the part printed last
            # (the deepest last item), since what a part holds prints in the order paragraphs, points, items
            leaf = stack[-1][1] if stack else None
            while leaf is not None and leaf.get("items"):
                leaf = leaf["items"][-1]
            inline = self.points_in(ln, ln.text) if ln.point else None
            if ln.point and leaf is not None and not leaf.get("points") and not (inline and len(inline[1]) > 1):
                run = [ln]
                while i + len(run) < len(lines) and lines[i + len(run)].point and not lines[i + len(run)].numbered:
                    run.append(lines[i + len(run)])
                points = self.points_of(run)
                if points is not None:
                    leaf["points"] = points
                    leaf["point_paragraphs"] = True
                    i += len(run)
                    continue
            para = self.paragraph(ln)
            blocked = leaf is not None and leaf.get("points") and (leaf.get("point_paragraphs") or not leaf.get("lead"))
            if leaf is None:
                opening.append(para)
            elif blocked and i == len(lines) - 1 and prefix == "" and "closing" in self.rules.keys \
                    and "closing" not in self.data:
                self.data["closing"] = ln.text
                self.note(ln, "guess-closing", _("the paragraph after the last points is taken as the closing"),
                          "closing")
            else:
                if blocked:
                    self.note(ln, "order", _("a paragraph after points cannot follow them in the data; it is "
                                             "placed before them"))
                leaf.setdefault("paragraphs", []).append(para)
            i += 1
        if opening:
            into["opening"] = opening
        if sections:
            into["sections"] = sections

    def _count(self, ln: Line, n: Numbered, counts: dict) -> None:
        """Typed or listed numbers that skip or repeat are reported, never silently renumbered: each is
        compared with the number reportgen gives it (counted as the layout counts: restarting under the
        level above, or running on through the part)."""
        expected = counts.get(n.level, 0) + 1
        previous = counts.get(("typed", n.level), 0)
        if n.value and n.value != expected:
            self.note(ln, "numbering-skip", _("the number {typed} follows {previous}: reportgen numbers it {expected}",
                                              typed=n.value, previous=previous, expected=expected))
        counts[n.level] = expected
        counts[("typed", n.level)] = n.value
        for deeper in [k for k in counts if isinstance(k, int) and k > n.level]:
            if self.rules.resets[deeper - 1] == "parent":
                counts[deeper] = 0
                counts[("typed", deeper)] = 0

    def split_lead(self, ln: Line, text: str) -> tuple[str, str]:
        """The run-in lead of a numbered or pointed text: the format's lead when it gives one, else the
        first sentence."""
        hint = ln.para.lead.strip()
        if hint:
            hint_n = normalize(Para(0, hint), [])
            typed = self.rules.number_of(hint_n) or self.rules.point.match(hint_n)
            if isinstance(typed, Numbered):  # the typed number set bold with the lead: （一）加强组织领导。
                hint_n = typed.rest
            elif typed:
                hint_n = hint_n[typed.end():]
            if hint_n and text.startswith(hint_n) and hint_n[-1:] in SENTENCE_END:
                return hint_n, text[len(hint_n):]
        m = re.search(f"[{SENTENCE_END}]", text)
        if not m:
            return "", text
        lead = text[:m.end()]
        if len(lead) > LEAD_MAX and not hint:
            self.note(ln, "guess-lead", _("the first sentence ({n} characters) is taken as the run-in lead",
                                          n=len(lead)))
        return lead, text[m.end():]

    def item(self, ln: Line, text: str, followed: bool) -> dict:
        units, text = self.units(text)
        lead, rest = self.split_lead(ln, text)
        item: dict = {}
        if not lead or (not rest and followed and not ln.para.lead):
            item["heading"] = text
        else:
            item["lead"] = lead
            points = self.points_in(ln, rest)
            if points is not None:
                before, pts = points
                if before:
                    item["text"] = before
                item["points"] = pts
            elif rest:
                item["text"] = rest
        if units:
            item["units"] = units
        return item

    def units(self, text: str) -> tuple[dict, str]:
        for pattern in _UNITS:
            m = pattern.search(text)
            if m and m.start() > 0:
                groups = m.groups()
                units: dict = {}
                if pattern is _UNITS[2]:
                    units["lead"] = groups[0].split("、")
                else:
                    if groups[0]:
                        units["lead"] = groups[0].split("、")
                    units["support"] = groups[1].split("、")
                return units, text[:m.start()]
        return {}, text

    def paragraph(self, ln: Line):
        text = ln.text
        if ln.numbered and ln.numbered.level < 1:
            text = ln.numbered.rest
        points = self.points_in(ln, text)
        if points is not None:
            before, pts = points
            para: dict = {}
            lead, rest = (self.split_lead(ln, before) if ln.para.lead else ("", before))
            if lead:
                para["lead"] = lead
            if rest:
                para["text"] = rest
            para["points"] = pts
            return para
        if ln.para.lead:
            lead, rest = self.split_lead(ln, text)
            if lead and rest and lead == normalize(Para(0, ln.para.lead.strip()), []):
                return {"lead": lead, "text": rest}
        return text

    def points_in(self, ln: Line, text: str):
        """``text`` split at 一是 二是 … when they run on from 一 in order: (text before, points)."""
        found = list(self.rules.points_inside.finditer(text))
        expected, starts = 1, []
        for m in found:
            if cn_value(m.group(1)) == expected:
                starts.append(m)
                expected += 1
        if len(starts) < 2 and not (starts and starts[0].start() == 0 and len(found) == 1 and ln.point):
            return None
        before = text[:starts[0].start()]
        pts = []
        for k, m in enumerate(starts):
            end = starts[k + 1].start() if k + 1 < len(starts) else len(text)
            pts.append(self.point(ln, text[m.end():end]))
        return before, pts

    def points_of(self, run: list[Line]):
        pts = []
        for k, ln in enumerate(run):
            m = self.rules.point.match(ln.text)
            if not m or cn_value(m.group(1)) != k + 1:
                return None
            pts.append(self.point(ln, ln.text[m.end():]))
        return pts

    def point(self, ln: Line, text: str):
        m = re.search(f"[{SENTENCE_END}]", text)
        if m and m.end() <= LEAD_MAX and m.end() < len(text):
            return {"lead": text[:m.end()], "text": text[m.end():]}
        return text

    # ── organ, year, title, roles ──────────────────────────────────────────────────────────────
    def finish(self) -> None:
        d = self.data
        issuer = d.pop("_issuer", None)
        masthead = d.pop("_masthead", None)
        title = d.get("title")
        title_text = title if isinstance(title, str) else "".join(title or [])
        organ, year = self.organ, self.year
        matched = self._title_pattern(title_text)
        if matched:
            organ = organ or matched[0]
            year = year or matched[1]
        organ = organ or issuer or ((masthead or {}).get("_organs") or [""])[0] or _organ_in(title_text)
        if not year:
            for text in (title_text, (masthead or {}).get("number", "")):
                m = _YEAR_IN.search(text) or _NUMBER_YEAR.search(text)
                if m:
                    year = int(m.group(1))
                    break
        guesses = [(d.get("date") or "")[:4], (d.get("imprint", {}).get("date") or "")[:4],
                   _first_year(d.get("subtitle", "")), _first_year(_texts(d.get("opening", [])))]
        for guess in guesses:
            if not year and guess:
                year = int(guess)
                self.note(0, "guess-year", _("the year {year} is a guess (from the date or the first year the "
                                             "text names): check it", year=year), "year")
        out: dict = {}
        out["organ"] = organ or TODO
        if not organ:
            self.note(0, "no-organ", _("the organ was not found: fill in organ"), "organ")
        if not year:
            from ..errors import Diagnostic, ReportgenError
            raise ReportgenError([Diagnostic(_("the document names no year (in its title, 发文字号 or date)"),
                                             hint=_("give it: reportgen import FILE --year N"), code="no-year")], 2)
        out["year"] = year
        if title is not None:
            derived = self._derived(out["organ"], out["year"], d)
            if derived != title_text or isinstance(title, list):
                out["title"] = title
        elif d.get("show_title") is False:
            out["title"] = TODO
        for key in ("show_title", "subtitle", "addressee"):
            if key in d:
                out[key] = d[key]
        if masthead:
            m = {k: v for k, v in masthead.items() if not k.startswith("_")}
            organs = masthead.get("_organs", [])
            if len(organs) > 1:
                m["organ"] = organs
            elif organs and organs[0] != out["organ"]:
                m["organ"] = organs[0]
            out["masthead"] = m
        for key, value in d.items():
            if key not in out and not key.startswith("_") and key != "title":
                out[key] = value
        if "date" in out:
            out["signature"] = True if issuer in (None, out["organ"]) else {"issuer": issuer}
        self.roles(out)
        for key in [k for k in out if k not in self.rules.keys]:  # what this kind has no place for
            self.note(0, "unplaced", _("the kind {kind} has no {key}: left out", kind=self.rules.kind, key=key), key)
            del out[key]
        self.data = out

    def _title_pattern(self, title: str):
        """(organ, year) when the title is one of the kind's title patterns."""
        for pattern in self.rules.titles.values():
            if "{organ}" not in pattern:
                continue
            rx = "^" + re.escape(pattern).replace(r"\{organ\}", "(?P<organ>.+?)").replace(
                r"\{year\}", r"(?P<year>\d{4})").replace(r"\{issued\}", "(?P<issued>.+)") + "$"
            m = re.match(rx, title)
            if m:
                year = int(m.group("year")) if "year" in m.groupdict() else None
                return m.group("organ"), year
        return None

    def _derived(self, organ: str, year: int, d: dict) -> str:
        pattern = self.rules.titles.get(self.rules.title_setting, self.rules.title_setting)
        issued = d.get(self.rules.part, {}).get("title", "") if self.rules.part else ""
        issued = issued if isinstance(issued, str) else "".join(issued)
        return pattern.replace("{organ}", organ).replace("{year}", str(year)).replace("{issued}", issued)

    def roles(self, out: dict) -> None:
        from ..roles import heading_role

        if not self.rules.roles:
            return
        year = out.get("year") if isinstance(out.get("year"), int) else None
        sections = out.get("sections", [])
        spec = {"roles": self.rules.roles, "unless": self.rules.unless}
        for k, section in enumerate(sections):
            role = heading_role(spec, section["heading"], year, k == len(sections) - 1)
            section_out = {"role": role, **section}
            section.clear()
            section.update(section_out)


def _organ_in(title: str) -> str:
    """The organ a title begins with: before 关于, or before the year (天津市静海区2023年度…报告)."""
    for m in (re.match(r"^(.{2,40}?)关于", title), re.match(r"^(.{2,40}?)\d{4}年", title)):
        if m and not m.group(1).startswith("关于"):
            return m.group(1)
    return ""


def _first_year(text: str) -> str:
    m = _YEAR_IN.search(text)
    return m.group(1) if m else ""


def _texts(paragraphs) -> str:
    return "".join(p if isinstance(p, str) else p.get("text", "") for p in paragraphs)


def _set(data: dict, path: str, value) -> None:
    keys = path.split(".")
    for key in keys[:-1]:
        data = data.setdefault(key, {})
    data[keys[-1]] = value


def _short(text: str, n: int = 30) -> str:
    return text if len(text) <= n else text[:n] + "…"
