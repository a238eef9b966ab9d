"""The tests a rule can run (a rules.toml's ``check``). Each reads the document's data and adds findings, at the
data path they are about, to the rule's Outcome; what it looks for comes from the rule's parameters.

``content``           a required content is present: by section role, heading words or text phrases
``causes``            the problems part states causes (words or patterns), not only symptoms
``plans-year``        the plans part names the year after the report's
``date-window``       the 成文日期 lies after the year's end and before the deadline
``todo``              no placeholder left
``typed-numbering``   no numbering typed inside the text
``spaces``            no stray spaces in Chinese text
``ascii-punctuation`` no half-width punctuation (or parentheses) in Chinese text
``zero-padded-date``  no 2024年01月05日
``metric-in-text``    each metric's figure is written in its text
``metric-jump``       a metric did not jump by more than ``factor`` since last year
``secrecy``           no 密级 or secret matter in a document for publication
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..messages import _
from ..source import format_path
from ..typography import CJK_CHAR, PUNCT, SPACES, chinese_parens, chinese_quotes


# ── the document as parts ────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Part:
    """A section, an item or a paragraph of the body: its data path, its section's role, its heading (a
    section's or item's heading, or an item's run-in lead; "" for a paragraph) and its own texts."""

    key: tuple
    role: str
    heading: str
    texts: tuple[tuple[tuple, str], ...]  # (data path, text) of its own paragraphs, text, points

    @property
    def text(self) -> str:
        return "".join(t for _k, t in self.texts)


def section_role(ctx, section: dict) -> str:
    """A section's role: its ``role:``, else from its heading's words as ``import`` reads it (kind.toml's
    [import.roles] and [import.unless], reportgen/roles.py), else the kind's default."""
    if section.get("role"):
        return section["role"]
    from ..roles import heading_role

    sections = [s for s in ctx.data.get("sections") or [] if isinstance(s, dict)]
    last = bool(sections) and sections[-1] is section
    return heading_role(ctx.kind.imports, section.get("heading", ""), ctx.year, last)


def unless_of(ctx, rule) -> list[str]:
    """The heading patterns that are not ``rule``'s content: its own ``unless`` and, for each of its roles, the
    kind's [import.unless] patterns of that role (kind.toml: the one list ``import`` and ``audit`` share)."""
    kind_unless = ctx.kind.imports.get("unless", {})
    return list(rule.params.get("unless", [])) + [p for role in rule.params.get("roles", [])
                                                  for p in kind_unless.get(role, [])]


def holds(ctx, heading: str, words, patterns=(), unless=(), last: bool = False) -> bool:
    """Whether a heading names a content: it holds one of ``words`` (as a section's role is read: roles.names) or
    matches one of ``patterns``, and matches none of ``unless`` (坚持问题导向 holds 问题 and is no problems part)."""
    from ..roles import names

    return names(heading, words, unless, ctx.year, last) or (
        not any(re.search(p, heading) for p in unless) and any(re.search(p, heading) for p in patterns))


def _own(value: dict, key: tuple) -> list[tuple[tuple, str]]:
    out = []
    for name in ("text", "paragraphs", "points"):
        v = value.get(name)
        if isinstance(v, str):
            out.append((key + (name,), v))
        elif isinstance(v, list):
            for i, p in enumerate(v):
                if isinstance(p, str):
                    out.append((key + (name, i), p))
                elif isinstance(p, dict):  # a point, or a paragraph: lead + text (+ a paragraph's points)
                    out += [(key + (name, i, k), p[k]) for k in ("lead", "text") if isinstance(p.get(k), str)]
                    out += _own({"points": p["points"]}, key + (name, i)) if isinstance(p.get("points"), list) else []
    return out


def parts(ctx) -> list[Part]:
    """Every section and item of the body, depth first, in order (read once per document: Context.parts)."""
    return ctx.parts


def read_parts(ctx) -> list[Part]:
    """:func:`parts`, read from the data."""
    out: list[Part] = []

    def items(values, key, role):
        for i, item in enumerate(values or []):
            if not isinstance(item, dict):
                continue
            k = key + ("items", i)
            out.append(Part(k, role, item.get("heading") or item.get("lead") or "", tuple(_own(item, k))))
            items(item.get("items"), k, role)

    for i, section in enumerate(ctx.data.get("sections") or []):
        if not isinstance(section, dict):
            continue
        key = ("sections", i)
        role = section_role(ctx, section)
        out.append(Part(key, role, section.get("heading", ""), tuple(_own(section, key))))
        items(section.get("items"), key, role)
    return out


def strings(value, key: tuple = ()):
    """Every text of the data with its path (metric names and values, ids and roles left out)."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            if k not in ("id", "role", "kind", "date", "metrics"):
                yield from strings(v, key + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from strings(v, key + (i,))


def place(ctx, key) -> dict:
    """A data path as the checklist shows it: the path, its line and column."""
    d = ctx.src.diagnostic(key, "")
    return {"path": d.path, "line": d.line, "col": d.col}


def add(ctx, rule, outcome, key, at_key: bool = False, within: tuple[str, int] | None = None, **params) -> None:
    """A finding of ``rule`` at the data path ``key``; ``within``: (the text at ``key``, an offset in it) puts it at
    that character when the text stands on its line as written (a plain or quoted scalar without escapes)."""
    level = "warning" if rule.severity == "warning" else "error"
    d = ctx.src.diagnostic(key, rule.text("message", **params), hint=rule.text("hint", **params), level=level,
                           at_key=at_key)
    if within is not None and within[1] > 0 and d.path == format_path(key):
        text, offset = within
        line = ctx.src.line_text(d.line)
        start = d.col - 1 + (1 if line[d.col - 1:d.col] in ("'", '"') else 0)
        if line[start:start + offset] == text[:offset]:
            d.col = start + offset + 1
            d.excerpt, d.caret = ctx.src.excerpt(d.line, d.col)
    d.code = rule.id
    outcome.findings.append(d)


def only_todo(text: str) -> bool:
    """A text that is nothing yet but the placeholder and a few words around it (the todo rule reports it)."""
    from ..validate import TODO_MARK

    return TODO_MARK in text and len(re.sub(r"\W", "", text.replace(TODO_MARK, ""))) <= 12


# ── the tests ────────────────────────────────────────────────────────────────────────────────────


class Check:
    """A test: its parameters and their types (``validate`` refuses others), and ``run``."""

    params: dict[str, type] = {}

    def validate(self, id: str, params: dict, shown: str) -> None:
        from . import _fail

        for name, value in params.items():
            want = self.params.get(name)
            if want is None:
                raise _fail(_("rule {id}: the test takes no parameter {key!r}", id=id, key=name), shown,
                            hint=_("its parameters: {keys}", keys=", ".join(sorted(self.params)) or "—"))
            if want is list and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                raise _fail(_("rule {id}: {key} is a list of texts", id=id, key=name), shown)
            if want is float and not (isinstance(value, (int, float)) and not isinstance(value, bool)):
                raise _fail(_("rule {id}: {key} is a number", id=id, key=name), shown)
            if want in (str, bool) and type(value) is not want:
                raise _fail(_("rule {id}: {key} must be of the kind of its default", id=id, key=name), shown)

    def run(self, ctx, rule, outcome) -> None:
        raise NotImplementedError


class Content(Check):
    params = {"roles": list, "headings": list, "patterns": list, "unless": list, "phrases": list,
              "phrase_patterns": list, "outside": list, "items": bool}

    def run(self, ctx, rule, outcome):
        p = rule.params
        roles, headings, patterns = p.get("roles", []), p.get("headings", []), p.get("patterns", [])
        unless, outside, in_items = unless_of(ctx, rule), p.get("outside", []), p.get("items", True)
        phrases, phrase_patterns = p.get("phrases", []), [re.compile(x) for x in p.get("phrase_patterns", [])]
        sections = [s for s in ctx.data.get("sections") or [] if isinstance(s, dict)]
        last = ("sections", len(ctx.data.get("sections") or []) - 1) if sections else None
        holding = set()  # the sections found to hold the content
        for part in parts(ctx):
            if part.key[:2] in holding:
                continue  # its section holds the content already
            section = len(part.key) == 2
            if not (section or in_items):
                continue  # a content that is a part of its own (the plans), never an item of another part
            named = holds(ctx, part.heading, headings, patterns, unless, last=part.key == last)
            how = ""
            if section and part.role in roles:
                how = "role"
            elif part.role in outside:
                continue
            elif named:
                how = "heading"
            elif any(w in part.text for w in phrases) or any(x.search(part.text) for x in phrase_patterns):
                how = "text"
            if how:
                outcome.found.append({**place(ctx, part.key), "how": how, "heading": part.heading})
                holding.add(part.key)
        if not outcome.found:
            add(ctx, rule, outcome, ("sections",), at_key=True)


def _problem_parts(ctx, rule) -> list[Part]:
    roles, headings, unless = rule.params.get("roles", []), rule.params.get("headings", []), unless_of(ctx, rule)
    sections = [p for p in parts(ctx) if len(p.key) == 2 and (p.role in roles or p.role != "plans"
                                                             and holds(ctx, p.heading, headings, unless=unless))]
    keys = {s.key for s in sections}
    return [p for p in parts(ctx) if p.key[:2] in keys]


class Causes(Check):
    params = {"roles": list, "headings": list, "unless": list, "words": list, "patterns": list}

    def run(self, ctx, rule, outcome):
        scope = _problem_parts(ctx, rule)
        # The section's own heading (存在的不足和原因) names causes without stating any: only its text counts,
        # and the headings and leads of its items.
        texts = [(k, t) for part in scope for k, t in part.texts]
        texts += [(part.key + ("heading" if "heading" in _value(ctx, part.key) else "lead",), part.heading)
                  for part in scope if len(part.key) > 2 and part.heading]
        written = [(k, t) for k, t in texts if not only_todo(t)]
        if not written:
            outcome.applies = False
            return
        words, patterns = rule.params.get("words", []), [re.compile(p) for p in rule.params.get("patterns", [])]
        for key, text in written:
            said = [w for w in words if w in text] + [m.group(0) for pat in patterns for m in pat.finditer(text)]
            if said:
                outcome.found.append({**place(ctx, key), "words": said})
        if not outcome.found:
            add(ctx, rule, outcome, sorted(written, key=lambda kt: _order(ctx, kt[0]))[0][0])


def _value(ctx, key):
    value = ctx.data
    for k in key:
        value = value[k]
    return value


def _order(ctx, key):
    d = ctx.src.diagnostic(key, "")
    return d.line, d.col


YEAR = re.compile(r"(?<![\d—–\-－~～至到])(\d{4})(?=年)(?![^，。；]{0,2}[—–\-－~～至到]\d)")
LEADING_YEAR = re.compile(r"^(\d{4})年")


class PlansYear(Check):
    params = {"roles": list, "headings": list, "unless": list}

    def run(self, ctx, rule, outcome):
        if ctx.year is None:
            outcome.applies = False
            return
        roles, headings, unless = rule.params.get("roles", []), rule.params.get("headings", []), unless_of(ctx, rule)
        expected = ctx.year + 1
        every = ctx.data.get("sections") or []
        sections = [(i, s) for i, s in enumerate(every)
                    if isinstance(s, dict) and (section_role(ctx, s) in roles or not s.get("role") and holds(
                        ctx, s.get("heading", ""), headings, unless=unless, last=i == len(every) - 1))]
        if not sections:
            outcome.applies = False
            return
        for i, s in sections:
            key = ("sections", i)
            for year in {int(y) for y in YEAR.findall(s.get("heading", ""))} - {expected}:
                add(ctx, rule, outcome, key + ("heading",), found=year, year=ctx.year, next=expected)
            first = (s.get("paragraphs") or [""])[0]
            at = key + ("paragraphs", 0)
            if isinstance(first, dict):  # a paragraph with a lead or points: its opening words
                at, first = (at + ("lead",), first["lead"]) if isinstance(first.get("lead"), str) else \
                    (at + ("text",), first.get("text"))
            m = LEADING_YEAR.match(first) if isinstance(first, str) else None
            if m and int(m.group(1)) != expected:
                add(ctx, rule, outcome, at, found=int(m.group(1)), year=ctx.year, next=expected)


class DateWindow(Check):
    params = {"deadline": str}

    def validate(self, id, params, shown):
        super().validate(id, params, shown)
        from . import _fail

        try:
            dt.date.fromisoformat("2000-" + params.get("deadline", ""))
        except ValueError:
            raise _fail(_("rule {id}: deadline is a month and day such as \"04-01\"", id=id), shown) from None

    def run(self, ctx, rule, outcome):
        date = ctx.data.get("date")
        if ctx.year is None or not isinstance(date, str):
            outcome.applies = False
            return
        try:
            day = dt.date.fromisoformat(date)
            deadline = dt.date.fromisoformat(f"{ctx.year + 1}-{rule.params['deadline']}")
        except ValueError:
            outcome.applies = False  # check reports a date that is not one
            return
        if not dt.date(ctx.year, 12, 31) < day < deadline:
            add(ctx, rule, outcome, ("date",), date=date, year=ctx.year, deadline=cn_or_iso(deadline))


def cn_or_iso(day: dt.date) -> str:
    from ..messages import current_lang

    return day.isoformat() if current_lang() == "en" else f"{day.year}年{day.month}月{day.day}日"


class Todo(Check):
    params = {"mark": str}

    def run(self, ctx, rule, outcome):
        mark = rule.params.get("mark", "【待填写】")
        for key, text in strings(ctx.data):
            if mark in text:
                add(ctx, rule, outcome, key, within=(text, text.index(mark)), mark=mark)


_INLINE = re.compile(r"（[一二三四五六七八九十]{1,3}）|（\d{1,2}）|\(\d{1,2}\)|[\u2460-\u2473]|(?:(?<=[。；：])|^)\d{1,2}[.．、](?!\d)")


class TypedNumbering(Check):
    params: dict = {}

    def run(self, ctx, rule, outcome):
        for key, text in strings(ctx.data):
            if key[:1] in (("title",), ("masthead",), ("attachments",), ("imprint",)):
                continue
            matches = list(_INLINE.finditer(text))
            found = list(dict.fromkeys(m.group(0) for m in matches))
            if len(found) >= 2:
                add(ctx, rule, outcome, key, within=(text, matches[0].start()), numbers="、".join(found[:4]))


class Spaces(Check):
    params: dict = {}

    def run(self, ctx, rule, outcome):
        for key, text in strings(ctx.data):
            m = SPACES.search(text)
            if m or (re.search(CJK_CHAR, text) and text != text.strip(" \u3000\u00a0")):
                add(ctx, rule, outcome, key, within=(text, m.start() if m else 0))


class AsciiPunctuation(Check):
    params = {"marks": str}

    def run(self, ctx, rule, outcome):
        marks = rule.params.get("marks", "")
        for key, text in strings(ctx.data):
            at = []  # (offset, mark)
            if set(marks) & set(",;:?!"):
                at += [(m.start(), m.group(0)) for m in PUNCT.finditer(text) if m.group(0) in marks]
            if "(" in marks or ")" in marks:
                at += [(m.start(), "(") for m in chinese_parens(text)]
                at += [(m.start(), m.group(0)) for m in re.finditer(rf"(?<={CJK_CHAR})[()]|[()](?={CJK_CHAR})", text)]
            if '"' in marks:
                at += [(m.start(), '"') for m in chinese_quotes(text)]
            if at:
                found = sorted({mark for _o, mark in at} | ({")"} if "(" in {mark for _o, mark in at} else set()))
                add(ctx, rule, outcome, key, within=(text, min(at)[0]), marks=" ".join(found))


_DATE = re.compile(r"(\d{4})年(\d{1,2})月(?:(\d{1,2})日)?")


class ZeroPaddedDate(Check):
    params: dict = {}

    def run(self, ctx, rule, outcome):
        for key, text in strings(ctx.data):
            for m in _DATE.finditer(text):
                month, day = m.group(2), m.group(3)
                if month.startswith("0") or (day or "").startswith("0"):
                    fixed = f"{m.group(1)}年{int(month)}月" + (f"{int(day)}日" if day else "")
                    add(ctx, rule, outcome, key, within=(text, m.start()), date=m.group(0), fixed=fixed)


def metrics(data) -> list[tuple[tuple, dict, dict]]:
    """Every metric of the data: (its owner's data path, the owner, the metric), in order."""
    out = []

    def walk(value, key):
        if isinstance(value, dict):
            for i, m in enumerate(value.get("metrics") or []):
                if isinstance(m, dict) and "name" in m and isinstance(m.get("value"), (int, float)):
                    out.append((key + ("metrics", i), value, m))
            for k, v in value.items():
                if k != "metrics":
                    walk(v, key + (k,))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, key + (i,))

    walk(data, ())
    return out


class MetricInText(Check):
    params: dict = {}

    def run(self, ctx, rule, outcome):
        from ..validate import unwritten_metrics

        owners = {key[:-2]: owner for key, owner, _m in metrics(ctx.data)}
        for owner_key, owner in owners.items():
            for i, m, written in unwritten_metrics(owner):
                add(ctx, rule, outcome, owner_key + ("metrics", i, "value"), name=m["name"], written=written)


class MetricJump(Check):
    params = {"factor": float}

    def run(self, ctx, rule, outcome):
        from ..validate import format_number

        if ctx.previous is None:
            outcome.applies = False
            return
        before = {(m["name"], m.get("unit", "")): m["value"] for _k, _o, m in metrics(ctx.previous)}
        factor = float(rule.params.get("factor", 10.0))
        for key, _owner, m in metrics(ctx.data):
            old = before.get((m["name"], m.get("unit", "")))
            if not old or not m["value"] or (old < 0) != (m["value"] < 0):
                continue
            ratio = m["value"] / old
            if ratio > factor or ratio < 1 / factor:
                change = f"×{ratio:.3g}" if ratio > 1 else f"÷{1 / ratio:.3g}"
                unit = m.get("unit", "")
                add(ctx, rule, outcome, key + ("value",), name=m["name"], before=format_number(old) + unit,
                    after=format_number(m["value"]) + unit, change=change)


class Secrecy(Check):
    params = {"published": bool, "published_titles": list, "public": list, "private": list, "phrases": list,
              "talk": list}

    def run(self, ctx, rule, outcome):
        p = rule.params
        note = ctx.data.get("note") if isinstance(ctx.data.get("note"), str) else ""
        published = (p.get("published", False) or any(w in ctx.title for w in p.get("published_titles", []))
                     or any(w in note for w in p.get("public", []))) and \
            not any(w in note for w in p.get("private", []))
        if not published:
            outcome.applies = False
            return
        masthead = ctx.data.get("masthead")
        if isinstance(masthead, dict) and masthead.get("secrecy"):
            add(ctx, rule, outcome, ("masthead", "secrecy"), phrase=masthead["secrecy"])
        for key, text in strings(ctx.data):
            if key == ("masthead", "secrecy"):
                continue
            at = [(m.start(), w) for w in p.get("phrases", []) for m in re.finditer(re.escape(w), text)
                  if not any(t in _sentence(text, m.start(), m.end()) for t in p.get("talk", []))]
            if at:
                found = list(dict.fromkeys(w for _o, w in sorted(at)))
                add(ctx, rule, outcome, key, within=(text, min(at)[0]), phrase="、".join(found))


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` around ``start``…``end`` (without it): from the end of the one before to its end."""
    marks = "。；！？;!?"
    left = max(text.rfind(m, 0, start) for m in marks)
    right = min((i for i in (text.find(m, end) for m in marks) if i >= 0), default=len(text))
    return text[left + 1:start] + text[end:right]


CHECKS: dict[str, Check] = {
    "content": Content(), "causes": Causes(), "plans-year": PlansYear(), "date-window": DateWindow(),
    "todo": Todo(), "typed-numbering": TypedNumbering(), "spaces": Spaces(), "ascii-punctuation": AsciiPunctuation(),
    "zero-padded-date": ZeroPaddedDate(), "metric-in-text": MetricInText(), "metric-jump": MetricJump(),
    "secrecy": Secrecy(),
}
