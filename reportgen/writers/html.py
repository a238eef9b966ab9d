"""Document → semantic HTML for the PDF writer: one ``visit_<Node>`` per node kind, no lengths of
its own (they come from the Layout, as computed style attributes or through ``print.css.j2``).

Every piece of text goes through :func:`html.escape`: data is text, never markup.

Justified blocks (body paragraphs and headings) carry ``id="j<block index>"`` so the PDF writer
can find their laid-out lines (see ``justify.py``). Elements the PDF writer places exactly after
layout carry ``data-em-top`` (the top of their glyphs' em box, in pt from the page top, as the PDF
records it) or, for the 版记, ``data-bottom`` (the 版心's bottom edge).
"""
from __future__ import annotations

from html import escape

from .. import document as d
from ..clock import midnight_text
from ..document import TAB
from ..layout import Layout, zi_width


def pt(value: float) -> str:
    return f"{value:.3f}pt"


def _text(text: str) -> str:
    """Data text as HTML text. The text's spaces are kept as written (``white-space: pre-wrap`` in
    print.css.j2); a tab inside the text is set as one space: a tab in the PDF would be a jump to
    Pango's tab stop, measured from each drawn run's start, and no character in the PDF's text.

    Latin text (a maximal run of letters, digits, ASCII marks and the spaces between them that
    holds a letter: ``the Hague Agreement``, ``1433the``, ``PDF/A-3u``) is a span of its own.
    Pango shapes a character of no script of its own (a digit, ……) in the script of the text
    before it, and the PDF writer draws each piece of a line as a run of its own, where that is the
    script of the text after it: in Noto CJK a digit before Latin letters is 0.55 em, after Chinese
    0.47 em, and …… after Latin letters is narrow. Laid out alone, the Latin text and the Chinese
    around it are measured as they are drawn.
    """
    text = text.replace("\t", " ")
    out, start = [], 0
    for begin, end in _latin_spans(text):
        out.append(escape(text[start:begin]))
        out.append(f'<span class="w">{escape(text[begin:end])}</span>')
        start = end
    out.append(escape(text[start:]))
    return "".join(out)


#: Latin text with a longer word (a URL) stays in the paragraph's box: WeasyPrint 70 breaks a word
#: longer than the line inside a span at the wrong width (the line runs past the 版心). [MEAS]
SPAN_WORD = 30


def _latin_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each piece of Latin text in ``text`` (see :func:`_text`)."""
    from .justify import continues_cluster, is_word_char

    found, i = [], 0
    while i < len(text):
        if not is_word_char(text[i]):
            i += 1
            continue
        j = i
        while j < len(text) and (is_word_char(text[j]) or text[j] in " \u00a0"
                                 or continues_cluster(text[j], text[j - 1])):  # é as e + ◌́
            j += 1
        end = j  # with the spaces after it: the text after a span must not start with a space
        piece = text[i:end]
        if any(ch.isalpha() for ch in piece) and max(len(w) for w in piece.split()) <= SPAN_WORD:
            found.append((i, end))
        i = j
    return found


def _spans(runs: d.Runs) -> str:
    """Runs as spans named by role; what follows a TAB run stands at the right edge."""
    left: list[str] = []
    right: list[str] = []
    target = left
    for r in runs:
        if r.text == TAB:
            target = right
            continue
        target.append(f'<span class="r-{escape(r.role)}">{_text(r.text)}</span>')
    out = "".join(left)
    if right:
        out += '<span class="tab-right">' + "".join(right) + "</span>"
    return out


class HtmlTranslator:
    """Blocks → HTML fragments."""

    def __init__(self, layout: Layout, imprint_page: str = ""):
        self.L = layout
        self.imprint_page = imprint_page  # "", "new" or "after-blank" (pdf._imprint_page)

    def block(self, block: d.Block, index: int) -> str:
        return getattr(self, "visit_" + type(block).__name__)(block, index)

    # ── 版头 ───────────────────────────────────────────────────────────────────────────────────
    def visit_Masthead(self, block: d.Masthead, index: int) -> str:
        L = self.L
        g = L.masthead_geometry(block.organs, block.suffix, bool(block.number))
        top = L.margin_top
        head = "".join(f'<p class="mh-line">{_spans(p)}</p>' for p in block.head())
        size = f'font-size: {pt(g["size"])}; line-height: {pt(g["size"])}'
        if block.joint:
            # Stacked names as wide as the widest: each name's characters spread (distributed alignment;
            # the spacing after the last character is taken back), 文件 one 字 beside them, all centred.
            widest = max(zi_width(o) for o in block.organs)
            names = ""
            for o in block.organs:
                spread = (widest - zi_width(o)) * g["size"] / max(len(o) - 1, 1)
                names += (f'<p class="mark-name" style="letter-spacing: {pt(spread)}; margin-right: {pt(-spread)}">'
                          f'<span class="r-masthead">{_text(o)}</span></p>')
            suffix = (f'<td class="mark-suffix" style="padding-left: {pt(g["size"])}">'
                      f'<span class="r-masthead">{_text(block.suffix)}</span></td>' if block.suffix else "")
            place = f'left: {pt((L.type_width - g["width"]) / 2)}; width: {pt(g["width"])}'
            mark = (f'<table class="mark joint" data-em-top="{top + g["mark_top"]:.3f}" '
                    f'style="{place}; top: {pt(g["mark_top"])}; {size}">'
                    f'<tr><td class="mark-names" style="width: {pt(g["names_width"])}">{names}</td>{suffix}</tr></table>')
        else:
            mark = (f'<p class="mark" data-em-top="{top + g["mark_top"]:.3f}" style="top: {pt(g["mark_top"])}; {size}">'
                    f'{_spans(block.marks()[0])}</p>')
        number = ""
        if block.number:
            signed = " signed" if block.signers else ""
            number = (f'<p class="doc-number{signed}" data-em-top="{top + g["number_top"]:.3f}" '
                      f'style="top: {pt(g["number_top"])}">{_spans(block.number_line())}</p>')
        rule = f'<div class="mh-rule" style="top: {pt(g["rule_top"])}"></div>' if block.number else ""
        return f'<div class="masthead" style="height: {pt(g["height"])}">{head}{mark}{number}{rule}</div>'

    # ── 主体 ───────────────────────────────────────────────────────────────────────────────────
    def visit_Title(self, block: d.Title, index: int) -> str:
        return '<h1 class="title">' + "<br>".join(_text(line) for line in block.lines) + "</h1>"

    def visit_Subtitle(self, block: d.Subtitle, index: int) -> str:
        return f'<p class="subtitle">{_text(block.text)}</p>'

    def visit_Addressee(self, block: d.Addressee, index: int) -> str:
        return f'<p class="addressee">{_text(block.text)}</p>'

    def visit_Heading(self, block: d.Heading, index: int) -> str:
        return f'<h2 id="j{index}" class="heading level-{block.level}">{_text(block.number + block.text)}</h2>'

    def visit_Paragraph(self, block: d.Paragraph, index: int) -> str:
        lead = f" lead level-{block.level}" if block.level else ""
        return f'<p id="j{index}" class="body{lead} role-{escape(block.role)}">{_spans(block.runs)}</p>'

    def visit_AttachmentNote(self, block: d.AttachmentNote, index: int) -> str:
        """附件说明: ``附件：1.名称``, each further name under the first, wrapped lines under the name."""
        cp, entries = self.L.char_pitch, block.entries()
        rows = []
        for i, (left, hang) in enumerate(self.L.attachment_note_indents(entries, block.LABEL, len(block.names) > 1)):
            text = (block.LABEL if i == 0 else "") + entries[i]
            rows.append(f'<p class="attachment-entry" style="padding-left: {pt(left * cp)}; '
                        f'text-indent: {pt(-hang * cp)}">{_text(text)}</p>')
        return f'<div class="attachment-note">{"".join(rows)}</div>'

    def visit_Signature(self, block: d.Signature, index: int) -> str:
        L = self.L
        issuer_col, date_col = L.signature_columns(block.issuer, block.date, block.sealed)
        gap = L.signature_blank_lines(block.sealed) * L.line_pitch
        mode = "sealed" if block.sealed else "plain"
        return (f'<div class="signature" data-signature="{mode}" style="margin-top: {pt(gap)}">'
                f'<p class="issuer" style="padding-left: {pt(issuer_col * L.char_pitch)}">{_text(block.issuer)}</p>'
                f'<p class="date" style="padding-left: {pt(date_col * L.char_pitch)}">{_text(block.date)}</p>'
                "</div>")

    def visit_Note(self, block: d.Note, index: int) -> str:
        return f'<p class="note role-{escape(block.role)}">{_text(block.text)}</p>'

    def visit_PageBreak(self, block: d.PageBreak, index: int) -> str:
        return '<div class="page-break"></div>'

    def visit_AttachmentLabel(self, block: d.AttachmentLabel, index: int) -> str:
        return f'<p class="attachment-label">{_spans(block.paragraphs()[0])}</p>'

    # ── 版记 ───────────────────────────────────────────────────────────────────────────────────
    def visit_Imprint(self, block: d.Imprint, index: int) -> str:
        rows = block.rows()
        out = []
        for i, row in enumerate(rows):
            classes = ["imprint-row"] + (["first"] if i == 0 else []) + (["last"] if i == len(rows) - 1 else [])
            if block.is_cc(row):
                classes.append("cc")
            out.append(f'<p class="{" ".join(classes)}">{_spans(row)}</p>')
        own = {"": "", "new": " own-page", "after-blank": " own-page unnumbered"}[self.imprint_page]
        bottom = self.L.page_height - self.L.margin_bottom
        return f'<div class="imprint{own}" data-bottom="{bottom:.3f}">{"".join(out)}</div>'


def write_html(doc: d.Document, layout: Layout, css: str, imprint_page: str = "") -> str:
    m = doc.meta
    head = [
        '<meta charset="utf-8">',
        f"<title>{escape(m.title)}</title>",
        f'<meta name="author" content="{escape(m.organ)}">',
        f'<meta name="description" content="{escape(m.title)}">',
        '<meta name="generator" content="reportgen">',
    ]
    if m.keywords:
        head.append(f'<meta name="keywords" content="{escape(", ".join(m.keywords))}">')
    if m.date:
        stamp = midnight_text(m.date)
        head.append(f'<meta name="dcterms.created" content="{stamp}">')
        head.append(f'<meta name="dcterms.modified" content="{stamp}">')
    head.append(f"<style>{css}</style>")
    translator = HtmlTranslator(layout, imprint_page)
    body = "\n".join(translator.block(b, i) for i, b in enumerate(doc.blocks))
    return (f'<!DOCTYPE html>\n<html lang="{escape(m.lang)}"><head>{"".join(head)}</head>\n'
            f"<body>\n{body}\n</body></html>\n")
