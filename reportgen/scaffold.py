"""``reportgen new YEAR``: the next year's file, scaffolded from the previous one, or from the kind's skeleton.

The rules (:func:`new_year_file`): the year's file must not exist yet; the new file is
``data/years/<year>.yaml``. When the previous year's file exists, it must be valid, and it is the start.
Carried over: organ, kind, keywords, addressee, closing, signature, note, section outline and headings
(with the plan year moved on). Last year's plan items become this year's work items, as stubs to report on.
Without a previous year's file, the start is the kind's skeleton (``templates/<kind>/skeleton.yaml``, as
``reportgen init`` writes the first year: :func:`from_skeleton`), with the organ of ``reportgen.toml``.
Everything the office must write is marked 【待填写】, which ``check`` warns about.

The first line names the kind's schema where it resolves from the file: in the project, or a copy of it in
``.reportgen/schema/`` that ``new`` writes too (schemacopy.py).
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import NamedTuple

from .errors import Diagnostic, ReportgenError
from .messages import _
from .project import YEARS

TODO = "【待填写】"
# A placeholder of a starter file ({year}), or a brace written twice ({{, }}: group 1 empty).
PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_]+)\}")
# The keys reportgen writes above a skeleton's data (a skeleton holds none of them).
HEAD_KEYS = ("organ", "year", "kind")


class YearFile(NamedTuple):
    """A year file to write: its path and text, the schema copies its first line needs (``(path, bytes)``),
    and the file it was scaffolded from (None: the kind's skeleton)."""

    path: Path
    text: str
    copies: list
    start: Path | None


def new_year_file(project, year: int) -> YearFile:
    """The file ``reportgen new YEAR`` writes. Raises ReportgenError when it must not be written: the year's file
    exists already, or the previous year's file does not pass ``check``. Without a previous year's file, the
    report kind's skeleton is the start."""
    from .kinds import DEFAULT_KIND
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
    target = project.years_dir / f"{year}.yaml"
    previous = documents.get(str(year - 1))
    if previous is None or previous.folder != YEARS:
        text, copies = from_skeleton(project, DEFAULT_KIND, project_organ(project.root) or TODO, year, target,
                                     f"reportgen new {year}")
        return YearFile(target, text, copies, None)
    prev = load_document(project, previous)
    from .schemacopy import reference

    ref, copies = reference(project.root, prev.kind, target)
    return YearFile(target, scaffold(prev.source.data, year, ref), copies, previous.path)


def write_year_file(project, made: YearFile) -> None:
    """Write a year file and the schema copies it names: ``data/`` and ``data/years/`` made if missing (real
    folders), the file itself atomically."""
    from .output import write_atomic
    from .paths import os_error, real_folder
    from .schemacopy import write_copies

    target = made.path
    try:
        if target.parent.is_relative_to(project.root):  # data/ and data/years/: real folders, made if missing
            for folder in (project.data_dir, target.parent):
                real_folder(project.root, folder, create=True)
        write_copies(project.root, made.copies)
        write_atomic(target, made.text.encode("utf-8"))
    except OSError as e:
        raise os_error(e, shown=project.display(target)) from None


def project_organ(root: Path) -> str:
    """The organ the project's ``reportgen.toml`` names (``organ = "…"``: init writes it), or ""."""
    from .kinds import SETTINGS_FILE, project_settings

    organ = project_settings(root).get("organ", "")
    if not isinstance(organ, str) or "\n" in organ:
        raise ReportgenError([Diagnostic(_("organ in {file} must be the organ's name, as one line of text",
                                           file=SETTINGS_FILE), file=SETTINGS_FILE, code="settings")])
    return organ.strip()


def starter_text(path: Path, shown: str, values: dict[str, str], *, header: bool = True) -> str:
    """A starter file (a kind's skeleton.yaml or project.toml, init's README): its text with the ``#`` comment
    block it opens with (``header``: about the file itself) left out and the placeholders filled in: ``{name}``
    by ``values``, ``{{`` and ``}}`` by a brace."""
    from .paths import os_reason

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        reason = os_reason(e) if isinstance(e, OSError) else str(e)
        raise ReportgenError([Diagnostic(_("cannot read {file}: {reason}", file=shown, reason=reason),
                                         file=shown, code="unreadable")]) from None
    lines = text.splitlines()
    while header and lines and lines[0].startswith("#"):  # the file's own comment, up to the first empty line
        lines.pop(0)
    body = "\n".join(lines).strip("\n") + "\n"
    unknown = sorted({m.group(1) for m in PLACEHOLDER.finditer(body) if m.group(1) and m.group(1) not in values})
    if unknown:
        raise ReportgenError([Diagnostic(_("{file} names {names}; it may name only {known}", file=shown,
                                           names=", ".join("{" + u + "}" for u in unknown),
                                           known=", ".join("{" + k + "}" for k in values)), file=shown, code="skeleton")])
    return PLACEHOLDER.sub(lambda m: values[m.group(1)] if m.group(1) else m.group(0)[0], body)


def skeleton(root: Path, kind: str, year: int) -> tuple[str, Path]:
    """The kind's skeleton (``templates/<kind>/skeleton.yaml``, the project's first) for ``year``, {year} and
    {next} filled in, and the file it came from."""
    from .kinds import SKELETON_FILE, available, display_template, find_file

    wanted = f"{kind}/{SKELETON_FILE}"
    path = find_file(root, wanted)
    if path is None:
        having = [k for k in available(root) if find_file(root, f"{k}/{SKELETON_FILE}") is not None]
        raise ReportgenError([Diagnostic(_("the kind {kind!r} has no skeleton to start from (templates/{name})",
                                           kind=kind, name=wanted),
                                         hint=_("kinds with a skeleton: {kinds}", kinds=", ".join(having) or "—"), code="no-skeleton")])
    return starter_text(path, display_template(root, path), {"year": str(year), "next": str(year + 1)}), path


def from_skeleton(project, kind: str, organ: str, year: int, target: Path, command: str) -> tuple[str, list]:
    """A first year file of ``kind`` for ``organ`` and ``year`` (``reportgen init``, or ``new`` with no previous
    year): the schema line, organ, year (and kind), then the kind's skeleton; and the schema copies it needs.
    The text is checked as ``check`` would before anything is written: a skeleton that does not make a valid
    file, or an organ that is no organ's name, is refused."""
    import yaml

    from .kinds import DEFAULT_KIND, display_template
    from .pipeline import load_bytes
    from .schemacopy import reference, schema_line

    body, path = skeleton(project.root, kind, year)
    shown = display_template(project.root, path)
    try:
        data = yaml.safe_load(body)
    except yaml.YAMLError as e:
        raise ReportgenError([Diagnostic(_("the skeleton is not valid YAML: {reason}", reason=str(e)),
                                         file=shown, code="skeleton")]) from None
    clash = sorted(set(data) & set(HEAD_KEYS)) if isinstance(data, dict) else ["—"]
    if clash:
        raise ReportgenError([Diagnostic(_("a skeleton is a mapping without {keys}: reportgen writes them",
                                           keys=", ".join(HEAD_KEYS)), file=shown, code="skeleton")])
    ref, copies = reference(project.root, kind, target)
    head = [schema_line(ref), "# " + _("Written by `{command}` from the skeleton of the kind {kind}. Replace every "
                                       "{mark}, then run reportgen check.", command=command, kind=kind, mark=TODO),
            f"organ: {q(organ)}", f"year: {year}"] + ([f"kind: {q(kind)}"] if kind != DEFAULT_KIND else [])
    text = "\n".join(head) + "\n" + body
    shown_target = project.display(target)
    try:
        load_bytes(project, text.encode("utf-8"), shown_target, year)
    except ReportgenError as e:
        raise ReportgenError([Diagnostic(_("{path} made from {skeleton} would not pass check; nothing was written",
                                           path=shown_target, skeleton=shown), code="skeleton")] + e.diagnostics) from None
    return text, copies


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def scaffold(prev: dict, year: int, schema: str = "") -> str:
    """Year ``year``'s file from the previous year's data ``prev``; ``schema``: the first line's reference."""
    from .schemacopy import schema_line

    old = prev["year"]
    lines = ([schema_line(schema)] if schema else []) + [
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
