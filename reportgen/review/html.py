"""The review page: one self-contained HTML file (inline CSS, no script, no network, no other files).

A summary on top, then the two versions side by side, paragraph by paragraph: insertions and
deletions highlighted inside changed paragraphs, added and removed paragraphs marked whole, and
unchanged passages folded into ``<details>``. Every piece of data is HTML-escaped.
"""
from __future__ import annotations

from html import escape

from ..htmlpage import page_head
from ..messages import _
from . import semantic
from .textdiff import Hunk, kind_label

CSS = """
:root { --ins: #c9f2cf; --ins-strong: #1a7f37; --del: #ffd5d2; --del-strong: #b3261e; --rule: #d0d4da; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; color: #1b1f24; background: #fff;
  font: 16px/1.8 "Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", SimSun, FangSong, serif; }
header h1 { font-size: 22px; margin: 0 0 8px; }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; margin: 0 0 12px; font-size: 14px; }
.sides div { padding: 6px 10px; border-radius: 4px; background: #f3f4f6; overflow-wrap: anywhere; }
.summary { border: 1px solid var(--rule); border-radius: 6px; padding: 10px 16px; margin-bottom: 20px; background: #fafbfc; }
.summary h2 { font-size: 17px; margin: 0 0 4px; }
.summary ul { margin: 4px 0 0; padding-left: 20px; }
.summary .none { color: #57606a; }
.row { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; border-top: 1px solid #eef0f3; }
.cell { padding: 6px 10px; white-space: pre-wrap; overflow-wrap: anywhere; min-height: 1.8em; }
.label { margin-top: 14px; padding: 2px 10px; font: bold 14px/1.6 sans-serif; color: #0b4f8a;
  background: #eef5fc; border-left: 4px solid #0b4f8a; }
.label .kind { font-weight: normal; color: #57606a; }
.cell.added { background: #eefbf0; } .cell.removed { background: #fff1f0; }
.cell.blank { background: repeating-linear-gradient(135deg, #fafafa 0 6px, #f0f0f0 6px 12px); }
ins { background: var(--ins); color: #0a3d1c; text-decoration: none; border-bottom: 2px solid var(--ins-strong); }
del { background: var(--del); color: #5c1410; text-decoration: line-through; text-decoration-color: var(--del-strong); }
details { margin: 6px 0; border: 1px dashed var(--rule); border-radius: 4px; }
details > summary { cursor: pointer; padding: 4px 10px; color: #57606a; font: 13px/1.6 sans-serif; }
details[open] > summary { border-bottom: 1px dashed var(--rule); }
nav h2 { font-size: 15px; margin: 10px 0 2px; }
nav ol { margin: 0; padding-left: 24px; columns: 2; font-size: 14px; }
nav a { color: #0b4f8a; text-decoration: none; } nav .kind { color: #57606a; }
.legend { font: 13px/1.6 sans-serif; color: #57606a; margin: 0 0 12px; }
.followup { border: 1px solid var(--rule); border-radius: 6px; padding: 10px 16px; margin-bottom: 20px; }
.followup h2 { font-size: 17px; margin: 0 0 4px; }
.followup li { margin: 4px 0; } .followup .path { color: #57606a; font: 13px/1.6 sans-serif; }
.followup .none { color: #b3261e; font-weight: bold; }
"""


def _segments(segments, side: str) -> str:
    out = []
    for op, text in segments:
        if op == "=":
            out.append(escape(text))
        elif op == "-" and side == "a":
            out.append(f"<del>{escape(text)}</del>")
        elif op == "+" and side == "b":
            out.append(f"<ins>{escape(text)}</ins>")
    return "".join(out)


def _row(h: Hunk) -> str:
    if h.op == "equal":
        t = escape(h.a.text)
        return f'<div class="row"><div class="cell a">{t}</div><div class="cell b">{t}</div></div>'
    if h.op == "insert":
        return (f'<div class="row"><div class="cell a blank"></div>'
                f'<div class="cell b added"><ins>{escape(h.b.text)}</ins></div></div>')
    if h.op == "delete":
        return (f'<div class="row"><div class="cell a removed"><del>{escape(h.a.text)}</del></div>'
                f'<div class="cell b blank"></div></div>')
    return (f'<div class="row"><div class="cell a">{_segments(h.segments, "a")}</div>'
            f'<div class="cell b">{_segments(h.segments, "b")}</div></div>')


def _fold(run: list[Hunk]) -> str:
    renumbered = sum(1 for h in run if h.renumbered_only)
    first, last = run[0].label, run[-1].label
    where = escape(first if first == last else f"{first} … {last}")
    unchanged = len(run) - renumbered
    texts = [_("unchanged paragraphs: {n}", n=unchanged)] if unchanged else []
    if renumbered:
        texts.append(_("renumbered paragraphs: {n}", n=renumbered))
    text = " · ".join(texts)
    return (f"<details><summary>{escape(text)} · {where}</summary>"
            + "".join(_row(h) for h in run) + "</details>")


def _followup(entries: list[dict]) -> str:
    """Last year's plans and the items of this year that report on them (compliance/followup.py)."""
    title = _("Plans of {of} followed through in {document}", of=entries[0]["of"], document=entries[0]["document"])
    rows = []
    for e in entries:
        found = "".join(f'<li>→ {escape(m["text"])} <span class="path">{escape(m["item"])} · '
                        f'{round(m["score"] * 100)}% · {escape("、".join(m["words"]))}</span></li>' for m in e["matches"])
        if not found:
            nobody = escape(_("not reported on"))
            found = f'<li class="none">{nobody}</li>'
        rows.append(f'<li>{escape(e["plan_text"])} <span class="path">{escape(e["plan"])}</span><ul>{found}</ul></li>')
    return f'<section class="followup"><h2>{escape(title)}</h2><ol>{"".join(rows)}</ol></section>'


def review_page(result, followup: list[dict] | None = None) -> str:
    """The whole page as a string (deterministic: same inputs, same bytes); ``followup``: A's plans followed
    through in B, when B is the next year's report."""
    s = result.stats
    title = _("Review: {a} → {b}", a=result.a.spec, b=result.b.spec)
    heading = escape(title)
    summary_title, changes_title = escape(_("Summary")), escape(_("Changes"))
    no_changes, deleted, inserted = escape(_("no changes")), escape(_("deleted")), escape(_("inserted"))
    parts = [
        *page_head(title, CSS),
        f"<header><h1>{heading}</h1>",
        f'<div class="sides"><div>A: {escape(result.a.label)}</div><div>B: {escape(result.b.label)}</div></div>',
        '<section class="summary">',
        f"<h2>{summary_title}</h2>",
    ]
    if result.identical:
        parts.append(f'<p class="none">{no_changes}</p>')
    else:
        parts.append("<p>" + escape(_("paragraphs: {changed} changed, {added} added, {removed} removed, "
                                        "{renumbered} renumbered; characters: {ins} inserted, {dele} deleted",
                                        changed=s.changed, added=s.added, removed=s.removed,
                                        renumbered=s.renumbered, ins=s.chars_inserted, dele=s.chars_deleted)) + "</p>")
        lines = semantic.summary_lines(result.summary)
        if lines:
            parts.append("<ul>" + "".join(f"<li>{escape(x)}</li>" for x in lines) + "</ul>")
    changes = [h for h in result.hunks if h.op != "equal" and not h.renumbered_only]
    if changes:
        parts.append(f'<nav><h2>{changes_title}</h2><ol>' + "".join(
            f'<li><a href="#change-{n}">{escape(h.label)}</a> <span class="kind">— {escape(kind_label(h.op))}</span></li>'
            for n, h in enumerate(changes, 1)) + "</ol></nav>")
    parts.append("</section>")
    if followup:
        parts.append(_followup(followup))
    parts.append("</header>")
    parts.append(f'<p class="legend"><del>{deleted}</del> <ins>{inserted}</ins></p>')
    parts.append("<main>")
    run: list[Hunk] = []
    number = 0
    for h in result.hunks:
        if h.op == "equal" or h.renumbered_only:
            run.append(h)
            continue
        if run:
            parts.append(_fold(run))
            run = []
        number += 1
        parts.append(f'<div class="label" id="change-{number}">{escape(h.label)} '
                     f'<span class="kind">— {escape(kind_label(h.op))}</span></div>')
        parts.append(_row(h))
    if run:
        parts.append(_fold(run))
    parts.append("</main></body></html>\n")
    return "\n".join(parts)
