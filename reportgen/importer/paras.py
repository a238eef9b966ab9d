"""What every reader of ``reportgen import`` gives the recogniser: the document as source paragraphs.

A reader (``docx.py``, ``pdf.py``, ``text.py`` for .txt and .md) turns a file into a list of
:class:`Para` — the text of each paragraph as the reader found it, plus the hints its format carries
(a heading style, a bold or 楷体 lead, centred, a list label Word generated, a page break). It does not
decide what a paragraph *is* (title, 一、 heading, run-in lead …): ``recognise.py`` does, from the text
and these hints, so that a .txt (no hints) and a styled .docx go through the same rules.

Readers never change the text silently: a change they make (joining a soft line break, accepting a
tracked change, dropping a leading 　　 indent) is a :class:`Note` with the source paragraph number.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Para:
    """One paragraph of the source, in reading order."""

    number: int  # 1-based: a .txt's line number; in a .docx, .pdf or .md the paragraph's place among the
    #              non-empty paragraphs the reader returns (what a person counts, skipping blank ones)
    text: str  # its text; a soft line break (w:br, a Markdown hard break) is kept as "\n"
    lead: str = ""  # a prefix of ``text`` set apart by the format (bold, 楷体, **…**): a likely run-in lead
    heading: int = 0  # a heading level the format states (Word "Heading N" / "标题 N", Markdown #…): 1, 2 …
    label: str = ""  # a list label the format generates and ``text`` lacks (Word numPr: "一、", "（一）", "1.")
    level: int = 0  # the list level of ``label`` (0-based ilvl), or of a Markdown list item
    align: str = ""  # "center", "right" or "" (left / justified)
    indent: bool = False  # a first-line indent (w:ind firstLine, leading 　　 removed from ``text``)
    font: str = ""  # the East-Asian font most of the text is set in, when the format names one ("黑体")
    size: float = 0.0  # its size in pt, when known
    bold: bool = False  # the whole paragraph is bold
    red: bool = False  # set in red (the 发文机关标志)
    page_break: bool = False  # starts a new page (a part or an attachment follows)
    role: str = ""  # what the format says the paragraph is, when it says: reportgen's own styles and
    #               Word's built-ins map to "title", "subtitle", "addressee", "signature", "note", "mark"
    #               (发文机关标志), "doc_number", "imprint", "attachment_label", "masthead_line"
    style: str = ""  # the format's own style name, for messages ("Heading 1", "Normal", "公文正文")


@dataclass
class Note:
    """Something the import changed or was not sure of, for the user to review."""

    para: int  # the source paragraph number (0: the whole file)
    code: str  # a stable code: "joined-break", "space-removed", "punct-fullwidth", "tracked-accepted", "guess-lead" …
    message: str  # what happened, in the user's language (messages._)
    path: str = ""  # the data path in the written YAML it concerns, when known ("sections[0].items[2].lead")


@dataclass
class Read:
    """A reader's result: the paragraphs and its notes, and what the file said of itself."""

    paras: list[Para] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    format: str = ""  # "docx", "pdf", "txt", "md"
    producer: str = ""  # "reportgen", "Microsoft Word", "WPS", "LibreOffice" … when the file says
