"""The rendered document: the one tree every writer typesets.

Templates render the year's data once into markup (see ``markup.py``); that markup becomes these
frozen nodes. The DOCX, PDF and text writers all read the same ``Document``, so their text is the
same by construction: :func:`paragraphs` is the single definition of each block's text.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field


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
class Title:
    """标题 [GB/T 9704 7.3.1]: 2号小标宋, centred; ``lines`` are the breaks the data asked for."""

    lines: tuple[str, ...]
    origin: Origin = Origin()


@dataclass(frozen=True)
class Subtitle:
    """A line under the title, e.g. （2023年11月28日在市六届人大常委会第五次会议上）: centred, 楷体."""

    text: str
    origin: Origin = Origin()


@dataclass(frozen=True)
class Addressee:
    """主送机关 [7.3.2]: flush left, ends with a full-width colon."""

    text: str
    origin: Origin = Origin()


@dataclass(frozen=True)
class Heading:
    """A stand-alone heading line (一、 / （一） / 1. / （1）) [7.3.3]; no end punctuation."""

    level: int
    number: str
    text: str
    role: str = ""
    origin: Origin = Origin()


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph (正文) [7.3.3]: 3号仿宋, first line indented two 字. ``role`` carries meaning."""

    text: str
    role: str = ""
    origin: Origin = Origin()


@dataclass(frozen=True)
class LeadParagraph:
    """段首题: a numbered run-in lead sentence, then body text in the same paragraph.

    Only ``number + lead`` takes the level's heading font (楷体 for （一）); the body is 仿宋.
    """

    level: int
    number: str
    lead: str
    body: str
    role: str = ""
    origin: Origin = Origin()


@dataclass(frozen=True)
class Signature:
    """发文机关署名 and 成文日期 [7.3.5.2], placed relative to each other, so one node."""

    issuer: str
    date: str
    origin: Origin = Origin()


@dataclass(frozen=True)
class Note:
    """附注 [7.3.6], e.g. （此件公开发布）: indented two 字 on the line after the date."""

    text: str
    origin: Origin = Origin()


Block = Title | Subtitle | Addressee | Heading | Paragraph | LeadParagraph | Signature | Note
BLOCK_TYPES = (Title, Subtitle, Addressee, Heading, Paragraph, LeadParagraph, Signature, Note)


@dataclass(frozen=True)
class Meta:
    """Document metadata, from the data: used for DOCX core properties and PDF metadata."""

    title: str
    organ: str
    year: int
    date: _dt.date | None = None
    lang: str = "zh-CN"
    keywords: tuple[str, ...] = ()


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
    if isinstance(block, Title):
        return [[("title", "".join(block.lines))]]
    if isinstance(block, Subtitle):
        return [[("subtitle", block.text)]]
    if isinstance(block, Heading):
        return [[(f"heading{block.level}", block.number + block.text)]]
    if isinstance(block, LeadParagraph):
        return [[(f"heading{block.level}", block.number + block.lead), ("body", block.body)]]
    if isinstance(block, Signature):
        return [[("body", block.issuer)], [("body", block.date)]]
    return [[("body", block.text)]]


def runs(block: Block) -> list[tuple[str, str]]:
    """All styled runs of a block, paragraphs one after the other."""
    return [run for paragraph in paragraph_runs(block) for run in paragraph]


def paragraphs(block: Block) -> list[str]:
    """The text of a block, one string per output paragraph (what every writer prints)."""
    return ["".join(text for _role, text in paragraph) for paragraph in paragraph_runs(block)]


def document_paragraphs(doc: Document) -> list[str]:
    """All paragraphs of the document in order: the canonical text the three outputs share."""
    return [p for block in doc.blocks for p in paragraphs(block)]
