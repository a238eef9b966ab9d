"""The rendered document: the one tree every writer typesets.

Templates render a document's data once into markup (see ``markup.py``); that markup becomes these
frozen nodes. The DOCX, PDF, text and web-page writers all read the same ``Document``, so their text is the
same by construction: :meth:`Block.paragraphs` is the single definition of what a block prints,
paragraph by paragraph, as styled runs.

Every node kind is registered in :data:`NODES`. Each writer (and the review's paragraph labelling)
has one handler per registered kind; ``tests/test_model.py`` enumerates them. The markup the
templates write is markup.py's vocabulary; it maps onto these nodes.

A run's ``role`` names a typographic role of the layout (``layouts/gbt9704.toml`` ``[roles.*]``):
its font, size and colour. A block's ``role`` carries *meaning* (``opening``, ``work``, ``problems``,
``plans``, ``closing`` …): writers ignore it; review, import and compliance checks use it.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field, replace
from typing import ClassVar

#: A run's text that pushes the rest of its line to the right edge (签发人, 印发日期): a tab stop
#: at the right in the DOCX, a right-floated span in the PDF, a tab in the text output.
TAB = "\t"


@dataclass(frozen=True)
class Origin:
    """Where a node's text came from: the data path, and its file:line:col when known."""

    path: str = ""
    file: str = ""
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}" if self.file else ""
        return f"{where} {self.path}".strip()


@dataclass(frozen=True)
class Run:
    """A piece of a paragraph set in one layout role (``body``, ``heading2``, ``lead``, ``point`` …)."""

    role: str
    text: str


Runs = tuple[Run, ...]


class Block:
    """Base of the block nodes. ``paragraphs()`` is what the block prints (one list of runs per
    output paragraph)."""

    origin: Origin

    def paragraphs(self) -> list[Runs]:
        raise NotImplementedError


NODES: dict[str, type[Block]] = {}


def node(cls: type[Block]) -> type[Block]:
    """Register a block node kind (by its class name: each translator has a ``visit_<name>``)."""
    NODES[cls.__name__] = cls
    return cls


@node
@dataclass(frozen=True)
class Masthead(Block):
    """版头 [GB/T 9704 7.2]: 份号, 密级和保密期限, 紧急程度 flush left on the first lines; the red
    发文机关标志 (one organ, or several stacked for joint issuing, optionally followed by 文件) with
    its top edge 35 mm below the 版心; the 发文字号 (and 签发人 for 上行文) two lines below it; the red
    rule 4 mm below the number."""

    organs: tuple[str, ...]
    number: str = ""
    suffix: str = ""  # 文件
    copy_number: str = ""
    secrecy: str = ""
    urgency: str = ""
    signers: tuple[str, ...] = ()
    origin: Origin = Origin()

    @property
    def joint(self) -> bool:
        return len(self.organs) > 1

    def marks(self) -> list[Runs]:
        """The 发文机关标志 as paragraphs: one organ (with 文件) on one line, or the stacked names
        of a joint issue followed by 文件 as its own paragraph (it stands beside the stack)."""
        if not self.joint:
            return [(Run("masthead", self.organs[0] + self.suffix),)]
        out = [(Run("masthead", organ),) for organ in self.organs]
        return out + ([(Run("masthead", self.suffix),)] if self.suffix else [])

    def number_line(self) -> Runs:
        if not self.signers:
            return (Run("doc_number", self.number),)
        return (Run("doc_number", self.number), Run("body", TAB), Run("signer_label", "签发人："),
                Run("signer", "　".join(self.signers)))

    def head(self) -> list[Runs]:
        """份号, 密级和保密期限, 紧急程度: the lines above the 标志, those the data gives."""
        return [(Run(role, text),) for role, text in (("copy_number", self.copy_number), ("secrecy", self.secrecy),
                                                     ("urgency", self.urgency)) if text]

    def paragraphs(self) -> list[Runs]:
        return self.head() + self.marks() + ([self.number_line()] if self.number else [])


@node
@dataclass(frozen=True)
class Title(Block):
    """标题 [7.3.1]: 2号小标宋, centred; ``lines`` are its printed lines (given, or broken between words)."""

    lines: tuple[str, ...]
    origin: Origin = Origin()

    def paragraphs(self) -> list[Runs]:
        return [(Run("title", "".join(self.lines)),)]


@node
@dataclass(frozen=True)
class Subtitle(Block):
    """A line under the title, e.g. （2023年11月28日在市六届人大常委会第五次会议上）: centred, 楷体."""

    text: str
    origin: Origin = Origin()

    def paragraphs(self) -> list[Runs]:
        return [(Run("subtitle", self.text),)]


@node
@dataclass(frozen=True)
class Addressee(Block):
    """主送机关 [7.3.2]: flush left, ends with a full-width colon."""

    text: str
    origin: Origin = Origin()

    def paragraphs(self) -> list[Runs]:
        return [(Run("body", self.text),)]


@node
@dataclass(frozen=True)
class Heading(Block):
    """A stand-alone heading line (一、 / （一） / 1. / （1）) [7.3.3], kept with the next paragraph.
    A level-2+ heading line may end with 。 (some offices write （一）加强组织领导。 as a line)."""

    level: int
    number: str
    text: str
    role: str = ""
    origin: Origin = Origin()

    def paragraphs(self) -> list[Runs]:
        return [(Run(f"heading{self.level}", self.number + self.text),)]


@node
@dataclass(frozen=True)
class Paragraph(Block):
    """A body paragraph (正文) [7.3.3]: 3号仿宋, first line indented two 字, justified.

    ``runs`` carry the pieces set in other roles: a numbered run-in lead (段首题, ``level`` and
    ``number`` set: ``（一）深化思想认识。`` in the level's font), an unnumbered lead (``lead``),
    一是/二是 points (``point``), a responsibility note (``units``)."""

    runs: Runs
    role: str = ""
    level: int = 0  # the outline level of a numbered run-in lead, else 0
    number: str = ""  # the generated number it opens with (（一）, or 一是 for a point paragraph)
    origin: Origin = Origin()

    @classmethod
    def plain(cls, text: str, role: str = "", origin: Origin = Origin()) -> "Paragraph":
        """A paragraph of body text only."""
        return cls((Run("body", text),), role, origin=origin)

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)

    def paragraphs(self) -> list[Runs]:
        return [self.runs]


@node
@dataclass(frozen=True)
class AttachmentNote(Block):
    """附件说明 [7.3.4]: one blank line below the body, indented two 字: ``附件：1.名称``; further
    names on their own lines aligned under the first (a hanging indent)."""

    names: tuple[str, ...]
    origin: Origin = Origin()

    LABEL: ClassVar[str] = "附件："

    def entries(self) -> list[str]:
        if len(self.names) == 1:
            return [self.names[0]]
        return [f"{i}.{name}" for i, name in enumerate(self.names, 1)]

    def paragraphs(self) -> list[Runs]:
        entries = self.entries()
        return [(Run("body", (self.LABEL if i == 0 else "") + e),) for i, e in enumerate(entries)]


@node
@dataclass(frozen=True)
class Signature(Block):
    """发文机关署名 and 成文日期, placed relative to each other, so one node: unsealed [7.3.5.2]
    (署名 right blank 2 字, the date 2 字 right of it) or sealed [7.3.5.1] (date right blank 4 字,
    the 署名 centred over it, room for the seal above)."""

    issuer: str
    date: str
    sealed: bool = False
    origin: Origin = Origin()

    def paragraphs(self) -> list[Runs]:
        return [(Run("body", self.issuer),), (Run("body", self.date),)]


@node
@dataclass(frozen=True)
class Note(Block):
    """附注 [7.3.6], e.g. （此件公开发布）, and lines like it (联系人：…): indented two 字, after the date."""

    text: str
    role: str = ""
    origin: Origin = Origin()

    def paragraphs(self) -> list[Runs]:
        return [(Run("body", self.text),)]


@node
@dataclass(frozen=True)
class PageBreak(Block):
    """The next block starts a new page (a 附件, the document a 通知 issues). Prints no text."""

    origin: Origin = Origin()

    def paragraphs(self) -> list[Runs]:
        return []


@node
@dataclass(frozen=True)
class AttachmentLabel(Block):
    """附件N on the first line of an attachment's first page [7.3.7]: 3号黑体, flush left."""

    text: str
    origin: Origin = Origin()

    def paragraphs(self) -> list[Runs]:
        return [(Run("attachment_label", self.text),)]


@node
@dataclass(frozen=True)
class Imprint(Block):
    """版记 [7.4]: 抄送 and the 印发机关 with the 印发日期, 4号仿宋, one 字 in on both sides, between
    rules (thick first and last, thin between), the last rule on the 版心's bottom edge of the
    last page (an even page when printing double-sided)."""

    cc: tuple[str, ...] = ()
    issuer: str = ""
    date: str = ""  # 2024年1月15日 (written 2024年1月15日印发)
    origin: Origin = Origin()

    CC_LABEL: ClassVar[str] = "抄送："

    def is_cc(self, row: Runs) -> bool:
        """Whether ``row`` is the 抄送 row (its continuation lines hang under the first name)."""
        return bool(row) and row[0].text.startswith(self.CC_LABEL)

    def rows(self) -> list[Runs]:
        out: list[Runs] = []
        if self.cc:
            out.append((Run("imprint", self.CC_LABEL + "，".join(self.cc) + "。"),))
        if self.issuer or self.date:
            line = [Run("imprint", self.issuer)] if self.issuer else []
            if self.date:
                line += [Run("imprint", TAB), Run("imprint", self.date + "印发")]
            out.append(tuple(line))
        return out

    def paragraphs(self) -> list[Runs]:
        return self.rows()


#: The longest DOCX core property (python-docx refuses more, as Word does); the PDF gets the same values.
PROPERTY_MAX = 255


def fit_property(text: str, limit: int = PROPERTY_MAX) -> str:
    """``text`` cut at a character to at most ``limit`` characters, the cut marked with …"""
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Meta:
    """Document metadata, as the template states it: DOCX core properties and PDF metadata."""

    title: str
    organ: str
    year: int | None = None
    date: _dt.date | None = None
    lang: str = "zh-CN"
    keywords: tuple[str, ...] = ()
    number: str = ""  # 发文字号

    def fitted(self) -> "Meta":
        """This metadata as document properties can hold it: title and organ of at most PROPERTY_MAX
        characters, and the keywords that fit in that many joined with ", " (the first one cut when it alone
        is longer). ``check`` refuses data that needs this (validate.metadata_diagnostics); the writers
        apply it all the same, so that DOCX and PDF carry the same values and never fail on them."""
        kept: list[str] = []
        size = 0
        for keyword in self.keywords:
            size += len(keyword) + (2 if kept else 0)
            if size > PROPERTY_MAX:
                break
            kept.append(keyword)
        if not kept and self.keywords:
            kept = [fit_property(self.keywords[0])]
        fitted = (fit_property(self.title), fit_property(self.organ), tuple(kept))
        if fitted == (self.title, self.organ, self.keywords):
            return self
        return replace(self, title=fitted[0], organ=fitted[1], keywords=fitted[2])


@dataclass(frozen=True)
class Document:
    kind: str
    meta: Meta
    blocks: tuple[Block, ...] = field(default_factory=tuple)


def paragraph_runs(block: Block) -> list[list[tuple[str, str]]]:
    """A block's output paragraphs, each as styled runs ``(layout role, text)``.

    This is the one definition of what text a block prints and which font role sets each piece:
    the writers, the text output and the missing-glyph check all read it.
    """
    return [[(r.role, r.text) for r in p] for p in block.paragraphs()]


def runs(block: Block) -> list[tuple[str, str]]:
    """All styled runs of a block, paragraphs one after the other."""
    return [run for paragraph in paragraph_runs(block) for run in paragraph]


def paragraphs(block: Block) -> list[str]:
    """The text of a block, one string per output paragraph (what every writer prints)."""
    return ["".join(text for _role, text in paragraph) for paragraph in paragraph_runs(block)]


def document_paragraphs(doc: Document) -> list[str]:
    """All paragraphs of the document in order: the canonical text the three outputs share."""
    return [p for block in doc.blocks for p in paragraphs(block)]


BLOCK_TYPES = tuple(NODES.values())
