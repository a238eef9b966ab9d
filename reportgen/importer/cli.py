"""``reportgen import FILE``: write the document's YAML, list what it changed or guessed; ``--into`` takes
a Word-edited draft into an existing year file."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Diagnostic, ReportgenError
from ..messages import _


def _notes_json(notes, display: str) -> list[dict]:
    return [{"file": display, "paragraph": n.para or None, "code": n.code, "message": n.message,
             "path": n.path or None} for n in notes]


def _print_notes(notes, display: str) -> None:
    remark = _("remark")
    for n in notes:
        where = f"{display}:¶{n.para}" if n.para else display
        print(f"{where}: {remark}: {n.message}" + (f" [{n.path}]" if n.path else "") + f" ({n.code})",
              file=sys.stderr)


def default_target(project, imported, file: Path) -> Path:
    if imported.kind == "report":
        return project.years_dir / f"{imported.data['year']}.yaml"
    from ..project import id_problem

    stem = file.stem
    if id_problem(stem) is not None:
        raise ReportgenError([Diagnostic(_("{name} is not a usable document id; name the file with -o",
                                           name=stem), code="bad-id")], EXIT_USAGE)
    return project.data_dir / imported.kind / f"{stem}.yaml"


def cmd_import(args, project_of, emit) -> int:
    from ..paths import os_reason, parent_exists
    from . import import_read, kind_and_year, read_file, read_yaml_text, relocate

    display = str(args.file)
    try:
        project = project_of(args)
        if args.write and args.into is None:
            raise ReportgenError([Diagnostic(_("--write needs --into YAML"), code="usage")], EXIT_USAGE)
        read = read_file(args.file, display)
        target = None
        if args.output not in (None, "-"):
            target = Path(args.output)
        elif args.into is not None:
            target = args.into
        kind = args.kind or (kind_and_year(read_yaml_text(args.into, str(args.into)))[0]
                             if args.into is not None and args.into.is_file() else "")
        stdout = args.output == "-" and args.into is None
        imported = import_read(project, read, display, kind_name=kind, year=args.year, target=target,
                               strict=not stdout)
        if args.into is not None:
            return _into(args, project, imported, display, emit)
        if stdout and args.json:  # the data as read, in the JSON with the notes
            out = _result_json(imported, display, None)
            out.update(ok=not imported.problems, yaml=imported.text,
                       errors=[d.to_json() for d in imported.problems if d.level == "error"])
            print(json.dumps(out, ensure_ascii=False, indent=2))
            return EXIT_FAILED if imported.problems else EXIT_OK
        if stdout:  # the data as read, even when it does not pass check: to correct by hand
            sys.stdout.write(imported.text)
            sys.stdout.flush()
            _print_notes(imported.notes, display)
            emit(imported.problems, False)
            if not imported.problems:
                _print_verdict(imported, sys.stderr)
            return EXIT_FAILED if imported.problems else EXIT_OK
        if target is None:
            target = default_target(project, imported, args.file)
            relocate(project, imported, target)
        if target.is_dir():
            raise ReportgenError([Diagnostic(_("{path} is a folder; name the file to write", path=str(target)), code="in-the-way")],
                                 EXIT_USAGE)
        if target.exists() and not args.force:
            raise ReportgenError([Diagnostic(_("{path} exists already; not overwriting it (use --force)",
                                               path=project.display(target.resolve())), code="exists")])
        if target.parent.resolve().is_relative_to(project.data_dir.resolve()):
            target.parent.mkdir(parents=True, exist_ok=True)  # data/<folder>/ is the project's to make
        else:
            parent_exists(target)
        from ..output import write_atomic

        try:
            write_atomic(target, imported.text.encode("utf-8"))
        except OSError as e:
            raise ReportgenError([Diagnostic(_("cannot write the file: {reason}", reason=os_reason(e)),
                                             file=str(target), code="unwritable")]) from None
    except ReportgenError as e:
        emit(e.diagnostics, args.json)
        return e.exit_code
    shown = project.display(target.resolve())
    if args.json:
        print(json.dumps(_result_json(imported, display, shown), ensure_ascii=False, indent=2))
    else:
        _print_notes(imported.notes, display)
        _print_summary(imported, shown)
    return EXIT_OK


def _result_json(imported, display: str, shown: str | None) -> dict:
    return {"ok": True, "output": shown, "format": imported.format, "producer": imported.producer or None,
            "kind": imported.kind, "paragraphs": imported.paragraphs,
            "notes": _notes_json(imported.notes, display),
            "differences": [{"paragraph": n or None, "source": a, "rebuilt": b} for n, a, b in imported.differences],
            "errors": [], "warnings": []}


def _print_summary(imported, shown: str) -> None:
    print(_("wrote {path}: {n} paragraphs read from the {format} file, {notes} notes",
            path=shown, n=imported.paragraphs, format=imported.format, notes=len(imported.notes)))
    _print_verdict(imported, sys.stdout)


def _print_verdict(imported, stream) -> None:
    if imported.differences:
        print(_("{n} paragraph(s) build differently from the source:", n=len(imported.differences)), file=stream)
        for number, source, rebuilt in imported.differences[:20]:
            print(f"  ¶{number}: {source[:40]!r} → {rebuilt[:40]!r}", file=stream)
    else:
        print(_("built, it gives the source's text paragraph for paragraph"), file=stream)


def _into(args, project, imported, display: str, emit) -> int:
    """Show what the draft changed against the year file; with --write take it in (merge.py)."""
    from ..output import write_atomic
    from ..paths import os_reason
    from . import read_yaml_text
    from .merge import merge_into

    year_file = args.into
    shown = project.display(year_file.resolve()) if year_file.exists() else str(year_file)
    merged = merge_into(read_yaml_text(year_file, shown), imported.data, shown)
    if args.json:
        out = _result_json(imported, display, shown if args.write and merged.changes else None)
        out["changes"] = [{"path": c.path, "change": c.kind, "old": c.old, "new": c.new} for c in merged.changes]
        out["written"] = bool(args.write and merged.changes)
    else:
        _print_notes(imported.notes, display)
        if not merged.changes:
            print(_("{file} already holds the text of {draft}: nothing to take in", file=shown, draft=display))
        else:
            _show_review(args, project, year_file, shown, merged.text, display)
        for c in merged.changes:
            label = {"changed": _("changed"), "added": _("added"), "removed": _("removed")}.get(c.kind, c.kind)
            short = [v for v in (c.old, c.new) if v]
            detail = f": {c.old or '∅'} → {c.new or '∅'}" if all(len(v) <= 40 for v in short) and short else ""
            print(f"  {label} {c.path}{detail}")
    if args.write and merged.changes:
        try:
            write_atomic(year_file, merged.text.encode("utf-8"))
        except OSError as e:
            emit([Diagnostic(_("cannot write the file: {reason}", reason=os_reason(e)), file=shown, code="unwritable")], args.json)
            return EXIT_FAILED
        if not args.json:
            print(_("took {n} edit(s) into {file}", n=len(merged.changes), file=shown))
    elif merged.changes and not args.json:
        print(_("run again with --write to take these edits into {file}", file=shown))
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    return EXIT_OK


def _show_review(args, project, year_file: Path, shown: str, merged: str, display: str) -> None:
    """The edits as ``reportgen diff`` shows them: the year file against it with the draft taken in."""
    from ..pipeline import load_document
    from ..project import DocumentRef
    from ..review.compare import compare
    from ..review.sides import Side
    from ..review.textdiff import Painter, use_color

    ref = project.ref_for_path(year_file, check_id=False)
    a = Side(shown, shown, load_document(project, ref))
    b = Side(display, f"{shown} ← {display}", load_document(project, DocumentRef(ref.id, ref.path, ref.folder),
                                                          raw=merged.encode("utf-8"),
                                                          display=f"{shown} ← {display}"))
    sys.stdout.write(compare(a, b).terminal(Painter(use_color(sys.stdout, "auto")), 24))
