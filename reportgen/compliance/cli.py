"""``reportgen audit``, the compliance warnings of ``check`` and the gate of ``finalize`` (kept here so that
``reportgen/cli.py`` stays a thin table)."""
from __future__ import annotations

import json
import sys

from ..errors import EXIT_FAILED, EXIT_OK, Diagnostic, ReportgenError
from ..messages import _
from . import Audit, Context, audit, load_rules, previous_year

MARKS = {"pass": "✓", "fail": "✗", "n/a": "–", "off": "–", "absent": "–"}


def followup_of(project, previous, loaded) -> list[dict]:
    """Year ``previous``'s plans followed through in ``loaded`` (both pipeline.Loaded of one kind), or [] when
    the kind has no [followup] parameters."""
    rules = load_rules(project.root, loaded.definition)
    if previous is None or not rules.followup:
        return []
    from .followup import follow

    entries = follow(Context.of(previous), Context.of(loaded), rules.followup)
    return [{"document": loaded.id, "of": previous.id, **e} for e in entries]


def metrics_across(loaded_years: list) -> list[dict]:
    """Every metric (name and unit) that appears in more than one year, with its value of each year, by name."""
    from .checks import metrics

    table: dict[tuple, dict[int, float]] = {}
    for item in loaded_years:
        year = item.source.data.get("year")
        for _key, _owner, m in metrics(item.source.data):
            table.setdefault((m["name"], m.get("unit", "")), {}).setdefault(year, m["value"])
    return [{"name": name, "unit": unit, "values": [{"year": y, "value": v} for y, v in sorted(values.items())]}
            for (name, unit), values in sorted(table.items()) if len(values) > 1]


def _years(project, kind_name: str, loaded: list) -> list:
    """The project's year files of one kind, loaded (those already loaded reused; one that fails is left out)."""
    from ..pipeline import load_document

    have = {item.id: item for item in loaded}
    out = []
    for id, ref in project.scan()[0].items():
        if ref.folder != "years":
            continue
        item = have.get(id)
        if item is None:
            try:
                item = load_document(project, ref)
            except ReportgenError:
                continue
        if item.kind == kind_name:
            out.append(item)
    return out


def document_json(project, a: Audit) -> dict:
    item = a.loaded
    findings = a.findings
    return {"id": item.id, "file": project.display(item.path), "kind": item.kind, "title": item.document.meta.title,
            "year": item.source.data.get("year"),
            "errors": sum(1 for d in findings if d.level == "error"),
            "warnings": sum(1 for d in findings if d.level != "error"),
            "contents": [o.to_json() for o in a.contents],
            "rules": [o.to_json() for o in a.outcomes]}


def run_audit(args, project) -> int:
    from ..pipeline import load_all

    try:
        loaded = load_all(project, args.documents)
    except ReportgenError as e:
        _print(args, {"ok": False, "documents": [], "followup": [], "metrics": [],
                      "errors": [d.to_json() for d in e.diagnostics if d.level == "error"],
                      "warnings": [d.to_json() for d in e.diagnostics if d.level != "error"]}, e.diagnostics)
        return e.exit_code
    audits, followup, notes = [], [], []
    for item in loaded:
        previous = previous_year(project, item, notes, {i.id: i for i in loaded})
        audits.append(audit(project, item, previous))
        followup += followup_of(project, previous, item)
    kinds = sorted({item.kind for item in loaded if item.id and item.id == str(item.source.data.get("year"))})
    metrics = [m for kind in kinds for m in metrics_across(_years(project, kind, loaded))]
    findings = [d for a in audits for d in a.findings]
    errors = [d for d in findings if d.level == "error"]
    report = {"ok": not errors, "documents": [document_json(project, a) for a in audits], "followup": followup,
              "metrics": metrics, "errors": [d.to_json() for d in errors],
              "warnings": [d.to_json() for d in findings + notes if d.level != "error"]}
    if args.html:
        from pathlib import Path

        from ..output import write_group
        from ..paths import os_error, parent_exists
        from .page import audit_page

        target = args.html if args.html.is_absolute() else Path.cwd() / args.html
        try:
            write_group([(parent_exists(target), audit_page(report).encode("utf-8"))])
        except OSError as e:
            raise os_error(e, shown=str(args.html)) from None
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for d in findings + notes:
            print(d.format(), file=sys.stderr)
        sys.stdout.write(terminal(report))
        if args.html:
            print(_("wrote {path}", path=str(args.html)), file=sys.stderr)
    return EXIT_OK if not errors else EXIT_FAILED


def _print(args, report, diagnostics) -> None:
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for d in diagnostics:
            print(d.format(), file=sys.stderr)


def _where(found: dict) -> str:
    shown = found["path"] + (f"「{found['heading']}」" if found.get("heading") else "")
    return _("{place} (line {line})", place=shown, line=found["line"])


def terminal(report: dict) -> str:
    """The audit as the terminal shows it: per document its checklist and rules, then the follow-through and the
    metrics across the years."""
    lines = []
    severity = {"error": _("error"), "warning": _("warning"), "off": _("off")}
    for doc in report["documents"]:
        lines.append(f"{doc['file']}  {doc['title']}")
        lines.append("  " + _("Required contents"))
        for c in doc["contents"]:
            mark = MARKS[c["status"]]
            if c["found"]:
                where = "; ".join(_where(f) for f in c["found"])
            else:
                where = {"n/a": _("not applicable"), "off": _("switched off: {reason}", reason=c.get("reason", "")),
                         "absent": _("not written (optional)")}.get(c["status"], _("missing"))
            lines.append(f"    {mark} {c['id']} " + _("{title} — {status}", title=c["title"], status=where))
        lines.append("  " + _("Rules"))
        contents = {c["id"] for c in doc["contents"]}
        for r in doc["rules"]:
            if r["id"] in contents:
                continue
            status = {"pass": _("passed"), "fail": _("{n} found", n=len(r["findings"])), "n/a": _("nothing to check"),
                      "off": _("switched off: {reason}", reason=r.get("reason", ""))}[r["status"]]
            lines.append(f"    {MARKS[r['status']]} {r['id']} " + _("{title} ({severity}) — {status}", title=r["title"],
                                                                 severity=severity[r["severity"]], status=status))
            for f in r.get("found", [])[:3]:  # what passed it: the causes stated, and where
                lines.append("        " + _("{place}: {words}", place=_where(f), words="、".join(f.get("words", []))))
        lines.append("  " + _("Result: {errors} errors, {warnings} warnings", errors=doc["errors"],
                                warnings=doc["warnings"]))
    by_pair: dict[tuple, list] = {}
    for e in report["followup"]:
        by_pair.setdefault((e["of"], e["document"]), []).append(e)
    for (of, document), entries in by_pair.items():
        lines.append(_("Plans of {of} followed through in {document}", of=of, document=document))
        for e in entries:
            lines.append(f"  {e['plan']} {e['plan_text']}")
            for m in e["matches"]:
                lines.append(f"    → {m['item']} {m['text']} {round(m['score'] * 100)}%"
                             + _(" ({what})", what="、".join(m["words"])))
            if not e["matches"]:
                lines.append("    ✗ " + _("not reported on"))
    if report["metrics"]:
        lines.append(_("Metrics across the years"))
        for m in report["metrics"]:
            values = " → ".join(f"{v['year']}: {_number(v['value'])}" for v in m["values"])
            unit = _(" ({what})", what=m["unit"]) if m["unit"] else ""
            lines.append("  " + _("{name}: {values}", name=m["name"] + unit, values=values))
    return "\n".join(lines) + "\n"


def _number(value) -> str:
    from ..validate import format_number

    return format_number(value)


# ── check and finalize ───────────────────────────────────────────────────────────────────────────


def check_warnings(project, loaded, known: dict | None = None) -> list[Diagnostic]:
    """A document's warnings as ``check`` shows them: the data's own, and every compliance finding as a warning
    (a draft may be unfinished; ``audit`` and ``finalize`` hold findings to their severity). A data warning that a
    rule's test reports as well is left to the rule (by the rule's id, or not at all when it is switched off).
    ``known``: the documents loaded already, by id."""
    a = audit(project, loaded, previous_year(project, loaded, known=known))
    tests = {o.rule.check for o in a.outcomes}
    own = [w for w in loaded.warnings if w.code not in tests]
    found = []
    for d in a.findings:
        d.level = "warning"
        found.append(d)
    return sorted(own + found, key=lambda d: (not d.line, d.line, d.col))


def gate(project, ref, force: bool, reason: str | None) -> dict:
    """``finalize``'s compliance check of the document ``ref``: the record the final's manifest keeps, or a
    ReportgenError listing the errors (unless ``force``, with its ``reason``)."""
    from ..pipeline import load_document

    loaded = load_document(project, ref)
    a = audit(project, loaded, previous_year(project, loaded))
    errors = a.errors
    record = {"errors": [_record(d) for d in errors], "warnings": sorted({d.code for d in a.findings
                                                                           if d.level != "error"})}
    if errors and not force:
        raise ReportgenError(errors + [Diagnostic(
            _("finalize refused: the compliance check of {id} found {n} errors", id=ref.id, n=len(errors)),
            hint=_("correct them (reportgen audit {id} lists them), or freeze it anyway with "
                   "finalize --force --reason \"…\", which the final's manifest records", id=ref.id), code="finalize-refused")])
    if force:
        record["forced"] = reason
    return record


def _record(d: Diagnostic) -> dict:
    return {"rule": d.code, "message": d.message, "file": d.file, "line": d.line, "col": d.col, "path": d.path}
