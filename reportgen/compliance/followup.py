"""Follow-through: each plan of year N−1's report matched to the parts of year N's report that report on it.

Both texts are cut into words (rjieba, as titles.py does); words that say nothing of a topic are left out: the
kind's ``[followup] ignore`` list, and any word found in more than ``common`` of both years' paragraphs (in an
IP office's reports, 知识产权 is in all of them). What is left is compared with rapidfuzz's ``token_set_ratio``,
which scores the words two texts share against the words of each; a match shares at least one word and scores
at least ``threshold``. It works on the text alone, so it finds the item whether ``reportgen new`` made its
lead from the plan or the office wrote the year by hand.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

WORD = re.compile(r"[\u3400-\u9fff]{2,}|[A-Za-z][A-Za-z0-9]+")


@dataclass(frozen=True)
class Unit:
    """A plan of N−1, or a part of N that may report on one: its data path, its line, its heading (or first words)
    and its whole text."""

    key: tuple
    path: str
    line: int
    label: str
    text: str


def _label(heading: str, text: str) -> str:
    if heading:
        return heading
    return text if len(text) <= 40 else text[:40] + "…"


def _all_text(value) -> str:
    from .checks import strings

    return "".join(t for _k, t in strings(value))


def plan_units(ctx) -> list[Unit]:
    """The plans of a report: the items of its plans sections; else their points; else their paragraphs, each
    paragraph's points standing for it (下一步，区政府将重点抓好以下工作：一是…二是…), the first paragraph left
    out as the introduction when it opens with a year or 下一步 and others follow."""
    from .checks import section_role

    out = []
    for i, section in enumerate(ctx.data.get("sections") or []):
        if not isinstance(section, dict) or section_role(ctx, section) != "plans":
            continue
        key = ("sections", i)
        if section.get("items"):
            units = [(key + ("items", j), it.get("heading") or it.get("lead") or "", _all_text(it))
                     for j, it in enumerate(section["items"]) if isinstance(it, dict)]
        elif section.get("points"):
            units = _points(section["points"], key)
        else:
            paragraphs = [(j, p) for j, p in enumerate(section.get("paragraphs") or []) if isinstance(p, (str, dict))]
            units = []
            for n, (j, p) in enumerate(paragraphs):
                at = key + ("paragraphs", j)
                if isinstance(p, dict) and isinstance(p.get("points"), list) and p["points"]:
                    units += _points(p["points"], at)
                    continue
                text = p if isinstance(p, str) else _all_text(p)
                if n == 0 and len(paragraphs) > 1 and re.match(r"^(\d{4}年|下一步|今后)", text):
                    continue  # the introduction
                units.append((at, p.get("lead", "") if isinstance(p, dict) else "", text))
        out += [_unit(ctx, k, h, t) for k, h, t in units]
    return out


def _points(points: list, key: tuple) -> list[tuple]:
    """Each point (a text, or a lead and a text) as a plan: (its data path, its lead, its text)."""
    return [(key + ("points", j), p.get("lead", "") if isinstance(p, dict) else "", _all_text(p))
            for j, p in enumerate(points) if isinstance(p, (str, dict))]


def work_units(ctx) -> list[Unit]:
    """The parts of a report that may report on last year's plans: every section and item outside its plans and
    problems sections, each with its own text; not a section that is only its heading (法治政府建设的主要举措和成效
    over its items says what the whole report is about, not which plan)."""
    from .checks import parts

    return [_unit(ctx, p.key, p.heading, p.heading + p.text) for p in parts(ctx)
            if p.role not in ("plans", "problems") and (p.text or p.heading and len(p.key) > 2)]


def _unit(ctx, key, heading, text) -> Unit:
    d = ctx.src.diagnostic(key, "")
    return Unit(key, d.path, d.line, _label(heading, text), text)


def words(text: str) -> list[str]:
    import rjieba

    return [w for w in rjieba.cut(text) if WORD.fullmatch(w)]


def follow(prev_ctx, ctx, params: dict) -> list[dict]:
    """One entry per plan of ``prev_ctx``'s report: ``{"plan", "plan_text", "line", "matches": [{"item", "text",
    "line", "score", "words"}, …]}``, best match first; ``matches`` is empty for a plan nobody reported on."""
    from rapidfuzz import fuzz

    plans, items = plan_units(prev_ctx), work_units(ctx)
    if not plans:
        return []
    ignore = set(params.get("ignore", []))
    corpus = [set(words(t)) for c in (prev_ctx, ctx) for _k, t in _paragraphs(c)]
    df: dict[str, int] = {}
    for ws in corpus:
        for w in ws:
            df[w] = df.get(w, 0) + 1
    limit = float(params.get("common", 0.3)) * max(len(corpus), 1)
    threshold = float(params.get("threshold", 0.4))

    def bag(text: str) -> set[str]:
        return {w for w in words(text) if w not in ignore and df.get(w, 0) <= limit}

    item_bags = [bag(u.text) for u in items]
    out = []
    for plan in plans:
        mine = bag(plan.text)
        matches = []
        for unit, theirs in zip(items, item_bags):
            shared = mine & theirs
            if not shared:
                continue
            score = fuzz.token_set_ratio(" ".join(sorted(mine)), " ".join(sorted(theirs))) / 100
            if score >= threshold:
                ranked = sorted(shared, key=lambda w: (df.get(w, 0), -len(w), w))
                matches.append({"item": unit.path, "text": unit.label, "line": unit.line, "score": round(score, 2),
                                "words": ranked[:6]})
        matches.sort(key=lambda m: (-m["score"], m["line"]))
        out.append({"plan": plan.path, "plan_text": plan.label, "line": plan.line, "matches": matches})
    return out


def _paragraphs(ctx):
    from .checks import strings

    return [(k, t) for k, t in strings(ctx.data.get("sections") or [], ("sections",))]
