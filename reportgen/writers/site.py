"""Document → the page an office publishes on its 政府信息公开 site: one self-contained HTML file.

Not the HTML the PDF is laid out from (``html.py``): this page has no page geometry, no lengths of the
layout and nothing placed after layout; it is the same document tree set as a web page. Its headings
are semantic (``h1`` the title, ``h2`` the 一、 headings, ``h3`` the （一） heading lines, ``h4`` deeper),
a run-in lead is ``<strong>`` at the start of its paragraph, and every output paragraph of a block
(``Block.paragraphs``: what the text output prints, line by line) is one ``<p>`` or heading, so a
browser shows the text output's lines exactly.

The page fetches nothing and runs nothing: no script element, no link, the stylesheet inline. The
stylesheet is the office's own when its project has one (``templates/<kind>/site.css``, else
``templates/common/site.css``; the built-in ``templates/common/site.css`` otherwise), refused when it
would load anything (:func:`stylesheet_problem`). Every piece of data is escaped: data is text.
"""
from __future__ import annotations

import re
from html import escape
from pathlib import Path

from .. import document as d
from ..document import TAB
from ..layout import Layout

#: Where a kind's page stylesheet is looked for, first found wins (project templates before built-in ones).
STYLESHEET = "site.css"


def stylesheet_path(project_root: Path, kind: str) -> Path | None:
    """The stylesheet of ``kind``'s page: ``templates/<kind>/site.css``, else ``templates/common/site.css``,
    each in the project first (kinds.find_file, which refuses a linked file)."""
    from ..kinds import COMMON, find_file

    return find_file(project_root, f"{kind}/{STYLESHEET}") or find_file(project_root, f"{COMMON}/{STYLESHEET}")


#: What would make the page fetch something or end its style element: @import, url(…), image-set(…)
#: (whose strings are fetched too), an http(s) address, and </ (the end of <style>). Matched after CSS
#: comments are removed and escapes decoded (``u\72l(`` is url( to a browser).
FORBIDDEN = re.compile(r"@import|url\s*\(|image-set\s*\(|https?:|</", re.IGNORECASE)
_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\n\r\f]?|(.))", re.DOTALL)


def _decoded(css: str) -> list[tuple[int, str]]:
    """``css`` as a browser reads it, one (offset in ``css``, character) per character: comments
    left out (as a space), escapes decoded."""
    out, i = [], 0
    while i < len(css):
        if css.startswith("/*", i):
            end = css.find("*/", i + 2)
            out.append((i, " "))
            i = len(css) if end < 0 else end + 2
        elif css[i] == "\\" and (m := _ESCAPE.match(css, i)):
            ch = chr(min(int(m.group(1), 16), 0x10FFFF) or 0xFFFD) if m.group(1) else m.group(2)
            out.append((i, ch))
            i = m.end()
        else:
            out.append((i, css[i]))
            i += 1
    return out


def stylesheet_problem(css: str) -> tuple[int, int, str] | None:
    """(line, column, what) of the first thing in ``css`` that would load something or end the style
    element, or None when the stylesheet is self-contained."""
    chars = _decoded(css)
    m = FORBIDDEN.search("".join(ch for _i, ch in chars))
    if m is None:
        return None
    offset = chars[m.start()][0]
    line = css.count("\n", 0, offset) + 1
    return line, offset - (css.rfind("\n", 0, offset) + 1) + 1, m.group(0)


def read_stylesheet(project_root: Path, kind: str) -> tuple[Path | None, str]:
    """The page stylesheet of ``kind`` as (file, text); a ReportgenError naming the file when it cannot be
    read or would load anything. (None, "") when no stylesheet is found at all."""
    from ..errors import Diagnostic, ReportgenError
    from ..kinds import display_template
    from ..messages import _
    from ..paths import os_reason

    path = stylesheet_path(project_root, kind)
    if path is None:
        return None, ""
    shown = display_template(project_root, path)
    try:
        css = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ReportgenError([Diagnostic(_("cannot read the page's stylesheet: {reason}", reason=os_reason(e)),
                                         file=shown, code="unreadable")]) from None
    except UnicodeDecodeError:
        raise ReportgenError([Diagnostic(_("the page's stylesheet is not UTF-8 text"), file=shown, code="stylesheet")]) from None
    problem = stylesheet_problem(css)
    if problem:
        line, col, what = problem
        text = css.split("\n")[line - 1].rstrip("\r")
        raise ReportgenError([Diagnostic(
            _("the page's stylesheet may not load anything or end its style element: {what}", what=what),
            file=shown, line=line, col=col, excerpt=text if len(text) <= 120 else "",
            hint=_("the page is published as one file: keep every style in the stylesheet itself"), code="stylesheet")])
    return path, css


def css_string(text: str) -> str:
    """``text`` as a CSS string: quotes, backslashes, line breaks and < escaped (nothing can end it
    or the style element)."""
    return '"' + "".join(f"\\{ord(ch):x} " if ch in '"\\<>&\n\r\f' or ord(ch) < 0x20 else ch for ch in text) + '"'


def font_properties(layout: Layout, css: str) -> str:
    """The layout's roles that ``css`` names as CSS custom properties: ``--rg-<role>-font`` (the family names
    of its font chain, the official ones first) and ``--rg-<role>-color``. The stylesheet names the faces of
    the other outputs without repeating them; the page loads no font (a reader's machine uses the first it has)."""
    lines = []
    for name, role in layout.roles.items():
        families = [f for f in dict.fromkeys(e.split(":")[0].strip() for e in layout.fonts.get(role.font, ())) if f]
        if f"--rg-{name}-font" in css and families:
            lines.append(f"--rg-{name}-font: {', '.join(css_string(f) for f in families)};")
        if f"--rg-{name}-color" in css and re.fullmatch(r"#[0-9A-Fa-f]{3,8}", role.color):
            lines.append(f"--rg-{name}-color: {role.color};")
    return ":root {\n" + "".join(f"  {line}\n" for line in lines) + "}\n" if lines else ""


def _runs(runs: d.Runs, leads: frozenset[str]) -> str:
    """A paragraph's runs: a lead (a level's role, ``lead``) as ``<strong>``, body text as it is, any other
    role as a span of its class. What follows a TAB stands at the right (签发人, 印发日期); the tab itself
    stays in the text, as in the text output."""
    out, right = [], False
    for r in runs:
        if r.text == TAB:
            out.append(TAB + '<span class="right">')
            right = True
        elif r.role in leads:
            out.append(f'<strong class="lead">{escape(r.text)}</strong>')
        elif r.role == "body":
            out.append(escape(r.text))
        else:
            out.append(f'<span class="{escape(r.role)}">{escape(r.text)}</span>')
    return "".join(out) + ("</span>" if right else "")


class SiteTranslator:
    """Blocks → the page's HTML, one ``visit_<Node>`` per node kind (document.NODES; tests/test_model.py)."""

    def __init__(self, layout: Layout):
        self.leads = frozenset({level.role for level in layout.levels} | {"lead"})

    def block(self, block: d.Block) -> str:
        return getattr(self, "visit_" + type(block).__name__)(block)

    def p(self, runs: d.Runs, cls: str) -> str:
        return f'<p class="{cls}">{_runs(runs, self.leads)}</p>'

    def visit_Masthead(self, block: d.Masthead) -> str:
        lines = [self.p(p, "mh-line") for p in block.head()] + [self.p(p, "mark") for p in block.marks()]
        if block.number:
            lines.append(self.p(block.number_line(), "doc-number"))
        return '<header class="masthead">' + "".join(lines) + "</header>"

    def visit_Title(self, block: d.Title) -> str:
        # One line: the printed lines (a trapezoid on the page) are the PDF's and the DOCX's; a browser
        # breaks the title where its window ends, as it does every paragraph.
        return f'<h1 class="title">{escape(d.paragraphs(block)[0])}</h1>'

    def visit_Subtitle(self, block: d.Subtitle) -> str:
        return self.p(block.paragraphs()[0], "subtitle")

    def visit_Addressee(self, block: d.Addressee) -> str:
        return self.p(block.paragraphs()[0], "addressee")

    def visit_Heading(self, block: d.Heading) -> str:
        tag = f"h{min(block.level + 1, 4)}"
        return f'<{tag} class="level-{block.level}">{escape(block.number + block.text)}</{tag}>'

    def visit_Paragraph(self, block: d.Paragraph) -> str:
        return self.p(block.runs, f"level-{block.level}" if block.level else "body")

    def visit_AttachmentNote(self, block: d.AttachmentNote) -> str:
        return '<div class="attachment-note">' + "".join(self.p(p, "entry") for p in block.paragraphs()) + "</div>"

    def visit_Signature(self, block: d.Signature) -> str:
        issuer, date = block.paragraphs()
        sealed = " sealed" if block.sealed else ""
        return f'<div class="signature{sealed}">{self.p(issuer, "issuer")}{self.p(date, "date")}</div>'

    def visit_Note(self, block: d.Note) -> str:
        return self.p(block.paragraphs()[0], "note")

    def visit_PageBreak(self, block: d.PageBreak) -> str:
        return '<hr class="part">'  # the next block began a new page (an attachment, the document a notice issues)

    def visit_AttachmentLabel(self, block: d.AttachmentLabel) -> str:
        return self.p(block.paragraphs()[0], "attachment-label")

    def visit_Imprint(self, block: d.Imprint) -> str:
        rows = [self.p(row, "cc" if block.is_cc(row) else "issued") for row in block.rows()]
        return '<footer class="imprint">' + "".join(rows) + "</footer>"


def write_site(doc: d.Document, layout: Layout, css: str) -> bytes:
    """The page of ``doc``, its ``css`` (checked by :func:`read_stylesheet`) inline after the layout's fonts."""
    m = doc.meta
    head = ['<meta charset="utf-8">', '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(m.title)}</title>", f'<meta name="author" content="{escape(m.organ)}">',
            '<meta name="generator" content="reportgen">']
    if m.keywords:
        head.append(f'<meta name="keywords" content="{escape(", ".join(m.keywords))}">')
    if m.date:
        head.append(f'<meta name="dcterms.created" content="{m.date.isoformat()}">')
    head.append(f"<style>{font_properties(layout, css)}{css}</style>")
    translator = SiteTranslator(layout)
    body = "\n".join(translator.block(b) for b in doc.blocks)
    page = (f'<!DOCTYPE html>\n<html lang="{escape(m.lang)}">\n<head>\n' + "\n".join(head) + "\n</head>\n"
            f'<body>\n<article class="document kind-{escape(doc.kind)}">\n{body}\n</article>\n</body>\n</html>\n')
    return page.encode("utf-8")
