"""``reportgen new YEAR``: the next year's file, scaffolded from the previous one.

The rules (:func:`new_year_file`): the year's file must not exist yet, and the previous year's must, and
be valid; the new file is ``data/years/<year>.yaml``. Carried over: organ, kind, keywords, addressee,
closing, signature, note, section outline and headings (with the plan year moved on). Last year's plan
items become this year's work items, as stubs to report on. Everything the office must write is marked
【待填写】, which ``check`` warns about.
"""
from __future__ import annotations

import json
from pathlib import Path

from .errors import Diagnostic, ReportgenError
from .messages import _
from .project import YEARS

TODO = "【待填写】"


def new_year_file(project, year: int) -> tuple[Path, str]:
    """The file ``reportgen new YEAR`` writes and its text. Raises ReportgenError when it must not be written:
    the year's file exists already, there is no file for the year before, or that file does not pass ``check``."""
    from .pipeline import load_document

    documents = project.documents()
    existing = documents.get(str(year))  # in data/years, or a document of that id in another folder
    if existing is not None:
        shown = project.display(existing.path)
        if existing.folder == YEARS:
            message = _("{path} exists already; not overwriting it", path=shown)
        else:
            message = _("{path} has the id {id} already; a data/years/{id}.yaml would be a second document of "
                        "that id", path=shown, id=year)
        raise ReportgenError([Diagnostic(message, file=shown, code="exists")])
    previous = documents.get(str(year - 1))
    if previous is None or previous.folder != YEARS:
        raise ReportgenError([Diagnostic(_("no file for the previous year {year} to start from", year=year - 1), code="no-previous-year")])
    prev = load_document(project, previous)
    return project.years_dir / f"{year}.yaml", scaffold(prev.source.data, year)


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def scaffold(prev: dict, year: int) -> str:
    old = prev["year"]
    lines = ["# yaml-language-server: $schema=../../templates/report/schema.json",
             f"# Scaffolded by `reportgen new {year}` from {old}.yaml. Replace every {TODO}.",
             f"organ: {q(prev['organ'])}", f"year: {year}"]
    if prev.get("kind", "report") != "report":
        lines.append(f"kind: {q(prev['kind'])}")
    if isinstance(prev.get("title"), (str, list)):
        lines.append(f"# title (last year's was set by hand): {q(str(prev['title']))}")
    for key in ("subtitle", "addressee"):
        if key in prev:
            lines.append(f"{key}: {q(prev[key].replace(str(old), str(year)))}")
    if prev.get("keywords"):
        lines.append("keywords: [" + ", ".join(q(k) for k in prev["keywords"]) + "]")
    lines += ["opening:", f"  - {q(f'{year}年，' + TODO + '总体情况。')}", "sections:"]
    plans = [s for s in prev["sections"] if s.get("role") == "plans"]
    plan_items = plans[-1].get("items", []) if plans else []
    for s in prev["sections"]:
        role = s.get("role")
        heading = s["heading"].replace(str(old + 1), str(year + 1)).replace(str(old), str(year))
        lines += [f"  - role: {role}" if role else "  -", f"    heading: {q(heading)}"]
        if role == "work" and plan_items:
            lines.append("    items:  # last year's plans, to report on")
            for it in plan_items:
                heading = it.get("heading", TODO)
                lead = it.get("lead") or (heading if heading.endswith(("。", "？", "！")) else heading.rstrip("，；：、,;:") + "。")
                lines += [f"      - lead: {q(lead)}", f"        text: {q(TODO + '落实情况。')}"]
        elif role == "plans":
            lines += ["    paragraphs:", f"      - {q(f'{year + 1}年，' + TODO + '总体思路。')}",
                      "    items:", f"      - lead: {q(TODO + '。')}", f"        text: {q(TODO)}"]
        elif s.get("items"):
            lines += ["    items:", f"      - lead: {q(TODO + '。')}", f"        text: {q(TODO)}"]
        else:
            lines += ["    paragraphs:", f"      - {q(TODO)}"]
    for key in ("closing", "note"):
        if key in prev:
            lines.append(f"{key}: {q(prev[key])}")
    sig = prev.get("signature")
    if sig:
        if sig is True:
            lines.append("signature: true")
        else:
            parts = ["issuer: " + q(sig.get("issuer", prev["organ"]))] + (["seal: true"] if sig.get("seal") else [])
            lines.append("signature: {" + ", ".join(parts) + "}")
        lines.append(f"date: \"{year + 1}-03-01\"  # {TODO} 成文日期")
    return "\n".join(lines) + "\n"
