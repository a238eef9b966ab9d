"""Document → semantic HTML for the PDF writer. Classes name node kinds; no lengths appear here.

Every piece of text goes through :func:`html.escape`: data is text, never markup.

Justified blocks (body paragraphs and headings) carry ``id="j<block index>"`` so the PDF writer
can find their laid-out lines (see ``justify.py``).
"""
from __future__ import annotations

from html import escape

from .. import document as d
from ..clock import midnight_text
from ..document import runs
from ..layout import Layout


def _runs_html(block: d.Block) -> str:
    return "".join(f'<span class="r-{role}">{escape(text)}</span>' for role, text in runs(block))


def block_html(block: d.Block, layout: Layout, index: int = 0) -> str:
    """One block as HTML; ``index`` (its place in the document) names the justified ones."""
    jid = f' id="j{index}"'
    if isinstance(block, d.Title):
        return '<h1 class="title">' + "<br>".join(escape(line) for line in block.lines) + "</h1>"
    if isinstance(block, d.Subtitle):
        return f'<p class="subtitle">{escape(block.text)}</p>'
    if isinstance(block, d.Addressee):
        return f'<p class="addressee">{escape(block.text)}</p>'
    if isinstance(block, d.Heading):
        return f'<h2{jid} class="heading level-{block.level}">{escape(block.number + block.text)}</h2>'
    if isinstance(block, d.LeadParagraph):
        return f'<p{jid} class="body lead level-{block.level} role-{escape(block.role)}">{_runs_html(block)}</p>'
    if isinstance(block, d.Paragraph):
        return f'<p{jid} class="body role-{escape(block.role)}">{escape(block.text)}</p>'
    if isinstance(block, d.Signature):
        issuer_col, date_col = layout.signature_columns(block.issuer, block.date)
        return ('<div class="signature">'
                f'<p class="issuer" style="padding-left: {issuer_col * layout.char_pitch:.3f}pt">{escape(block.issuer)}</p>'
                f'<p class="date" style="padding-left: {date_col * layout.char_pitch:.3f}pt">{escape(block.date)}</p>'
                "</div>")
    if isinstance(block, d.Note):
        return f'<p class="note">{escape(block.text)}</p>'
    raise TypeError(f"no HTML for {type(block).__name__}")


def write_html(doc: d.Document, layout: Layout, css: str) -> str:
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
    body = "\n".join(block_html(b, layout, i) for i, b in enumerate(doc.blocks))
    return (f'<!DOCTYPE html>\n<html lang="{escape(m.lang)}"><head>{"".join(head)}</head>\n'
            f"<body>\n{body}\n</body></html>\n")
