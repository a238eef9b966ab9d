"""The audit page: one self-contained HTML file (inline CSS, inline SVG, no script, no network, no other files).

Built from the JSON of ``reportgen audit --json``, for the superior who checks that a department's annual
report is complete: per document a verdict, the checklist of the required contents and the table of every
rule; then how the plans of the year before were followed through, and the metrics across the years, each
with a small bar chart. Every piece of data is HTML-escaped; the same input gives the same bytes.
"""
from __future__ import annotations

from html import escape

from ..htmlpage import page_head
from ..messages import _

CSS = """
:root { --pass: #1a7f37; --pass-bg: #dafbe1; --fail: #b3261e; --fail-bg: #ffebe9; --warn: #9a6700;
  --warn-bg: #fff8c5; --na: #57606a; --na-bg: #f3f4f6; --rule: #d0d4da; --chart: #2f6db5; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; color: #1b1f24; background: #fff;
  font: 16px/1.8 "Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", SimSun, FangSong, serif; }
h1 { font-size: 22px; margin: 0 0 8px; }
h2 { font-size: 19px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 2px solid #0b4f8a; color: #0b4f8a; }
h3 { font-size: 16px; margin: 18px 0 6px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; margin: 4px 0 12px; }
th, td { border: 1px solid var(--rule); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-weight: bold; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.rules td:first-child, .rules td:nth-child(3), .summary th { white-space: nowrap; }
.rules td:first-child code { overflow-wrap: normal; }
code { font: 13px/1.5 "DejaVu Sans Mono", Consolas, monospace; background: #f6f8fa; padding: 0 3px;
  border-radius: 3px; overflow-wrap: anywhere; }
a { color: #0b4f8a; text-decoration: none; }
.file { color: #57606a; font-size: 14px; margin: 0 0 6px; overflow-wrap: anywhere; }
.verdict { margin: 6px 0 10px; padding: 6px 12px; border-radius: 4px; font-weight: bold; border-left: 6px solid; }
.pass { color: var(--pass); background: var(--pass-bg); }
.fail { color: var(--fail); background: var(--fail-bg); }
.warn { color: var(--warn); background: var(--warn-bg); }
.na { color: var(--na); background: var(--na-bg); }
.verdict .counts { font-weight: normal; margin-left: 12px; }
.doc { margin-bottom: 28px; }
.checklist { list-style: none; margin: 0 0 12px; padding: 0; }
.checklist li { display: grid; grid-template-columns: 2em 1fr; gap: 0 8px; margin: 4px 0; padding: 4px 10px;
  border-radius: 4px; }
.checklist .mark { font: bold 18px/1.6 sans-serif; text-align: center; }
.checklist .name { font-weight: bold; color: #1b1f24; }
.checklist .detail { grid-column: 2; color: #1b1f24; font-size: 14px; overflow-wrap: anywhere; }
.how { color: #57606a; font-size: 13px; }
.result { font-weight: bold; white-space: nowrap; }
tr.findings td { background: #fcfcfd; }
.findings ul { margin: 0; padding-left: 18px; }
.findings li { margin: 2px 0; overflow-wrap: anywhere; }
.hint { color: #57606a; font-size: 13px; }
.plan { border: 1px solid var(--rule); border-left: 6px solid var(--pass); border-radius: 4px; padding: 6px 12px;
  margin: 8px 0; }
.plan.missing { border-left-color: var(--fail); }
.plan .text { font-weight: bold; margin: 0; }
.plan .where { color: #57606a; font-size: 13px; margin: 0 0 4px; }
.plan ul { margin: 2px 0; padding-left: 18px; font-size: 15px; }
.plan .notreported { display: inline-block; margin: 4px 0; padding: 2px 10px; border-radius: 4px; font-weight: bold; }
.meter { display: inline-block; width: 80px; height: 10px; background: #eaeef2; border-radius: 2px;
  vertical-align: middle; margin: 0 6px; overflow: hidden; }
.meter span { display: block; height: 100%; background: #6e7781; }
.word { display: inline-block; padding: 0 6px; margin: 0 2px; border-radius: 3px; background: #eef5fc;
  color: #0b4f8a; font-size: 13px; line-height: 1.6; }
.note { color: #57606a; }
.charts { display: flex; flex-wrap: wrap; gap: 12px 24px; }
figure { margin: 0; }
figcaption { font-size: 14px; text-align: center; max-width: 360px; overflow-wrap: anywhere; }
svg text { font: 12px sans-serif; fill: #1b1f24; }
svg .bar { fill: var(--chart); }
svg .axis { stroke: #57606a; stroke-width: 1; }
@page { size: A4; margin: 18mm 15mm; }
@media print {
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { padding: 0; font-size: 11pt; }
  h2, h3 { break-after: avoid; }
  tr, .plan, .checklist li, figure, .verdict { break-inside: avoid; }
  a { color: inherit; }
}
"""

SEVERITY = {"error": lambda: _("error"), "warning": lambda: _("warning"), "off": lambda: _("off")}
HOW = {"role": lambda: _("(found by its role)"), "heading": lambda: _("(found by its heading)"),
       "text": lambda: _("(found by its words)")}


def _e(value) -> str:
    return escape("" if value is None else str(value))


def _tag(tag: str, text: str, cls: str = "", attrs: str = "") -> str:
    """``<tag class="cls" attrs>text</tag>``, the text escaped (a message goes through here, not inside an
    f-string, where the catalogue's extractor would not see it)."""
    attr = (f' class="{cls}"' if cls else "") + attrs
    return f"<{tag}{attr}>{escape(text)}</{tag}>"


def _num(value) -> str:
    """A metric's value as printed: 1433, 98.5, 0.25."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return _e(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _line(line) -> str:
    return _("line {line}", line=line) if line else ""


def _where(path, line, heading="") -> str:
    """``sections[0]「工作开展情况」 第10行``, escaped."""
    out = f"<code>{_e(path)}</code>" if path else ""
    if heading:
        out += f"「{_e(heading)}」"
    if line:
        out += " " + escape(_line(line))
    return out.strip()


def _diagnostic(d: dict) -> str:
    loc = _e(d.get("file"))
    if d.get("line"):
        loc += f":{_e(d.get('line'))}:{_e(d.get('col') or 0)}"
    bits = [f"<code>{loc}</code>"] if loc else []
    if d.get("path"):
        bits.append(f"<code>{_e(d['path'])}</code>")
    bits.append(_e(d.get("message")))
    out = " ".join(bits)
    if d.get("hint"):
        out += _tag("div", _("hint: {hint}", hint=d["hint"]), "hint")
    return out


def _tone(status: str, severity: str) -> str:
    """The colour class of a result: pass, fail (an error), warn (a warning), na."""
    if status == "pass":
        return "pass"
    if status == "fail":
        return "warn" if severity == "warning" else "fail"
    return "na"


def _result(rule: dict, optional: bool) -> str:
    status = rule.get("status")
    if status == "pass":
        return _("present") if optional else _("passed")
    if status == "fail":
        return _("failed") if rule.get("severity") != "warning" else _("to check")
    if status == "off":
        return _("switched off")
    if status == "absent":
        return _("not written (optional)")
    if status == "n/a":
        return _("nothing to check")
    return str(status or "")


def _verdict(doc: dict) -> str:
    errors, warnings = doc.get("errors") or 0, doc.get("warnings") or 0
    if errors:
        tone, text = "fail", _("{n} error(s): to be corrected before it is finalized", n=errors)
    elif warnings:
        tone, text = "warn", _("can be finalized; check the {n} warning(s) first", n=warnings)
    else:
        tone, text = "pass", _("can be finalized")
    counts = _tag("span", _("errors: {errors} · warnings: {warnings}", errors=errors, warnings=warnings), "counts")
    return f'<p class="verdict {tone}">{escape(text)}{counts}</p>'


def _checklist(doc: dict) -> str:
    contents = doc.get("contents") or []
    if not contents:
        return _tag("p", _("this kind of document has no required contents"), "note")
    items = []
    for c in contents:
        status, severity = c.get("status"), c.get("severity")
        tone = _tone(status, severity)
        mark = "✓" if status == "pass" else "✗" if status == "fail" else "—"
        details = []
        if status == "pass":
            for f in c.get("found") or []:
                how = HOW.get(f.get("how"))
                how_text = f' <span class="how">{escape(how())}</span>' if how else ""
                details.append(_where(f.get("path"), f.get("line"), f.get("heading") or "") + how_text)
        elif status == "fail":
            details.extend(_diagnostic(d) for d in c.get("findings") or [])
            if not c.get("findings"):
                details.append(escape(_("missing")))
        elif status == "off":
            details.append(escape(_("switched off: {reason}", reason=c.get("reason") or "—")))
        elif status == "absent":
            details.append(escape(_("not written (optional)")))
        else:
            details.append(escape(_result(c, False)))
        cls = f'{tone} status-{_e(status).replace("/", "")}'
        items.append(f'<li class="{cls}"><span class="mark" aria-hidden="true">{mark}</span>'
                     f'<span class="name">{_e(c.get("title"))}</span>'
                     + "".join(f'<div class="detail">{d}</div>' for d in details) + "</li>")
    return '<ul class="checklist">' + "".join(items) + "</ul>"


def _rules(doc: dict) -> str:
    rules = doc.get("rules") or []
    if not rules:
        return _tag("p", _("no rules"), "note")
    optional = {c.get("id") for c in doc.get("contents") or []  # an optional content: off, yet not switched off
                if c.get("severity") == "off" and c.get("status") != "off"}
    head = "".join(_tag("th", t) for t in (_("rule id"), _("rule title"), _("severity"), _("result")))
    rows = []
    for r in rules:
        is_optional = r.get("id") in optional
        severity = _("optional") if is_optional else (SEVERITY[r["severity"]]() if r.get("severity") in SEVERITY
                                                      else str(r.get("severity") or ""))
        tone = _tone(r.get("status"), r.get("severity"))
        rows.append(f'<tr><td><code>{_e(r.get("id"))}</code></td><td>{_e(r.get("title"))}</td>'
                    f'<td>{escape(severity)}</td><td class="result {tone}">{escape(_result(r, is_optional))}</td></tr>')
        findings = r.get("findings") or []
        if findings:
            rows.append('<tr class="findings"><td></td><td colspan="3"><ul>'
                        + "".join(f"<li>{_diagnostic(d)}</li>" for d in findings) + "</ul></td></tr>")
        elif r.get("status") == "pass" and r.get("found") and r.get("id") not in {c.get("id") for c in
                                                                  doc.get("contents") or []}:
            evidence = "".join(f"<li>{_where(f.get('path'), f.get('line'))} {_e('、'.join(f.get('words') or []))}</li>"
                               for f in r["found"])
            found = escape(_("found:"))
            rows.append(f'<tr class="findings"><td></td><td colspan="3">{found}<ul>{evidence}</ul></td></tr>')
        elif r.get("status") == "off" and r.get("reason"):
            reason = _tag("td", _("reason: {reason}", reason=r["reason"]), attrs=' colspan="3"')
            rows.append(f'<tr class="findings"><td></td>{reason}</tr>')
    return f"<table class=\"rules\"><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _document(n: int, doc: dict) -> str:
    title = doc.get("title") or doc.get("id") or ""
    file_line = " · ".join(_e(x) for x in (doc.get("file"), doc.get("id")) if x)
    return "\n".join([
        f'<section class="doc" id="doc-{n}">',
        f"<h2>{_e(title)}</h2>",
        f'<p class="file">{file_line}</p>',
        _verdict(doc),
        _tag("h3", _("Required contents")),
        _checklist(doc),
        _tag("h3", _("Rules")),
        _rules(doc),
        "</section>",
    ])


def _match(m: dict) -> str:
    score = m.get("score")
    bar = ""
    if _number(score):
        pct = max(0, min(100, round(score * 100)))
        bar = (" · " + escape(_("match {pct}%", pct=pct))
               + f'<span class="meter" aria-hidden="true"><span style="width:{pct}%"></span></span>')
    words = "".join(f'<span class="word">{_e(w)}</span>' for w in m.get("words") or [])
    if words:
        words = '<div class="hint">' + escape(_("words in common")) + f" {words}</div>"
    return (f"<li>{_e(m.get('text'))}<div class=\"where\">{_where(m.get('item'), m.get('line'))}{bar}</div>"
            f"{words}</li>")


def _followup(report: dict) -> str:
    plans = report.get("followup") or []
    parts = ['<section class="followup" id="followup">' + _tag("h2", _("Follow-through of last year’s plans"))]
    if not plans:
        parts.append(_tag("p", _("no plans of a year before to follow through"), "note"))
    groups: dict[tuple, list] = {}
    for p in plans:
        groups.setdefault((str(p.get("document", "")), str(p.get("of", ""))), []).append(p)
    for (document, of), group in groups.items():
        missing = sum(1 for p in group if not p.get("matches"))
        parts.append(_tag("h3", _("{document}: the plans of {of}", document=document, of=of)))
        summary = _("plans: {n}; reported on: {done}; not reported on: {missing}",
                    n=len(group), done=len(group) - missing, missing=missing)
        parts.append(_tag("p", summary, "verdict fail" if missing else "verdict pass"))
        for p in group:
            matches = p.get("matches") or []
            where = _where(p.get("plan"), p.get("line"))
            body = ("<ul>" + "".join(_match(m) for m in matches) + "</ul>" if matches else
                    _tag("p", "✗ " + _("not reported on"), "notreported fail"))
            cls = "plan" if matches else "plan missing"
            parts.append(f'<div class="{cls}"><p class="text">{_e(p.get("plan_text"))}</p>'
                         f'<p class="where">{where}</p>{body}</div>')
    parts.append("</section>")
    return "\n".join(parts)


def _change(values: list) -> str:
    nums = [v.get("value") for v in values if _number(v.get("value"))]
    if len(nums) < 2 or nums[0] == 0:
        return "—"
    return f"{(nums[-1] - nums[0]) / abs(nums[0]) * 100:+.1f}%"


def _f(x: float) -> str:
    return f"{x:.1f}"


def chart(metric: dict) -> str:
    """A metric's values as a bar chart: one ``<rect class="bar">`` per year, the value above, the year below."""
    points = [(v.get("year"), v.get("value")) for v in metric.get("values") or [] if _number(v.get("value"))]
    if not points:
        return ""
    n = len(points)
    slot, left, top, plot, bottom = 72, 12, 26, 120, 30
    width, height = left * 2 + slot * n, top + plot + bottom
    values = [v for _y, v in points]
    high, low = max(values + [0]), min(values + [0])
    span = (high - low) or 1

    def y(v):
        return top + (high - v) / span * plot

    base = y(0)
    unit = metric.get("unit") or ""
    label = _("{name} ({unit})", name=metric.get("name") or "", unit=unit) if unit else str(metric.get("name") or "")
    each = [_("{year}: {value}", year=_("{year}", year=yr), value=_num(v)) for yr, v in points]
    label = _("{metric}: {values}", metric=label, values=" · ".join(each))
    out = [f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(label)}"><title>{escape(label)}</title>']
    for k, (year, value) in enumerate(points):
        cx = left + slot * k + slot / 2
        bar_w = slot * 0.55
        yv = y(value)
        out.append(f'<rect class="bar" x="{_f(cx - bar_w / 2)}" y="{_f(min(yv, base))}" width="{_f(bar_w)}" '
                   f'height="{_f(max(abs(base - yv), 1))}"/>')
        ty = yv - 6 if value >= 0 else yv + 16
        out.append(f'<text class="value" x="{_f(cx)}" y="{_f(ty)}" text-anchor="middle">{escape(_num(value))}</text>')
        out.append(f'<text class="year" x="{_f(cx)}" y="{_f(top + plot + 20)}" text-anchor="middle">'
                   + escape(_("{year}", year=year)) + "</text>")
    out.append(f'<line class="axis" x1="{left}" y1="{_f(base)}" x2="{width - left}" y2="{_f(base)}"/>')
    out.append("</svg>")
    return "".join(out)


def _metrics(report: dict) -> str:
    metrics = report.get("metrics") or []
    parts = ['<section class="metrics" id="metrics">' + _tag("h2", _("Metrics across the years"))]
    if not metrics:
        parts.append(_tag("p", _("no metric is given in more than one year"), "note"))
        parts.append("</section>")
        return "\n".join(parts)
    years = sorted({v.get("year") for m in metrics for v in m.get("values") or []}, key=lambda y: (str(type(y)), y))
    head = (_tag("th", _("metric")) + _tag("th", _("unit"))
            + "".join(_tag("th", _("{year}", year=y), "num") for y in years) + _tag("th", _("change"), "num"))
    rows = []
    for m in metrics:
        by_year = {v.get("year"): v.get("value") for v in m.get("values") or []}
        cells = "".join(f'<td class="num">{_num(by_year[y]) if y in by_year else "—"}</td>' for y in years)
        rows.append(f"<tr><td>{_e(m.get('name'))}</td><td>{_e(m.get('unit'))}</td>{cells}"
                    f'<td class="num">{_change(m.get("values") or [])}</td></tr>')
    parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
    parts.append(_tag("p", _("change: from the first year given to the last"), "note"))
    figures = []
    for m in metrics:
        svg = chart(m)
        if svg:
            name = _("{name} ({unit})", name=m.get("name") or "", unit=m["unit"]) if m.get("unit") else m.get("name")
            figures.append(f"<figure>{svg}<figcaption>{_e(name)}</figcaption></figure>")
    parts.append('<div class="charts">' + "".join(figures) + "</div>")
    parts.append("</section>")
    return "\n".join(parts)


def _others(report: dict) -> str:
    """The diagnostics that no rule of a document holds (a document that did not load, say)."""
    seen = {tuple(sorted((k, str(v)) for k, v in d.items()))
            for doc in report.get("documents") or [] for r in (doc.get("rules") or []) + (doc.get("contents") or [])
            for d in r.get("findings") or []}
    rest = [d for d in (report.get("errors") or []) + (report.get("warnings") or [])
            if tuple(sorted((k, str(v)) for k, v in d.items())) not in seen]
    if not rest:
        return ""
    items = "".join(f'<li class="{"fail" if d.get("level") == "error" else "warn"}">{_diagnostic(d)}</li>'
                    for d in rest)
    return '<section class="others">' + _tag("h2", _("Other problems")) + f'<ul class="findings">{items}</ul></section>'


def audit_page(report: dict) -> str:
    """The whole page as a string (deterministic: same input, same bytes)."""
    documents = report.get("documents") or []
    title = _("Audit of the reports")
    heading = escape(title)
    failing = sum(1 for d in documents if d.get("errors"))
    if report.get("ok", not failing) and not failing:
        overall = "pass", _("every document can be finalized")
    elif failing:
        overall = "fail", _("{n} document(s) to be corrected before they are finalized", n=failing)
    else:
        overall = "fail", _("errors to be corrected before finalizing")
    counts = _tag("span", _("errors: {errors} · warnings: {warnings}", errors=len(report.get("errors") or []),
                              warnings=len(report.get("warnings") or [])), "counts")
    parts = [
        *page_head(title, CSS),
        f"<header><h1>{heading}</h1>",
        f'<p class="verdict {overall[0]}">{escape(overall[1])}{counts}</p>',
    ]
    if documents:
        head = "".join(_tag("th", t) for t in (_("document"), _("file"), _("errors"), _("warnings"), _("verdict")))
        rows = []
        for n, d in enumerate(documents, 1):
            errors, warnings = d.get("errors") or 0, d.get("warnings") or 0
            tone = "fail" if errors else "warn" if warnings else "pass"
            text = _("to be corrected") if errors else _("can be finalized")
            rows.append(f'<tr><td><a href="#doc-{n}">{_e(d.get("title") or d.get("id"))}</a></td>'
                        f'<td><code>{_e(d.get("file"))}</code></td><td class="num">{_e(errors)}</td>'
                        f'<td class="num">{_e(warnings)}</td><td class="result {tone}">{escape(text)}</td></tr>')
        parts.append(f'<table class="summary"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')
    parts.append("</header><main>")
    parts.extend(_document(n, d) for n, d in enumerate(documents, 1))
    parts.append(_followup(report))
    parts.append(_metrics(report))
    others = _others(report)
    if others:
        parts.append(others)
    parts.append("</main></body></html>\n")
    return "\n".join(parts)
