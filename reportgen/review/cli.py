"""``reportgen diff A B``: the command's body (kept here so ``reportgen/cli.py`` stays a thin table)."""
from __future__ import annotations

import datetime as dt
import json
import sys

from ..errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, Diagnostic, ReportgenError
from ..messages import _


def check_xml_text(option: str, value: str | None) -> None:
    """Refuse an option value the DOCX (XML) cannot store, as a usage error naming the character."""
    from ..source import NOT_XML  # what XML 1.0 cannot hold (the same rule as for the year file's text)

    bad = NOT_XML.search(value or "")
    if bad:
        raise ReportgenError([Diagnostic(_("{option} {value!r} holds the character U+{cp:04X}, which a DOCX cannot "
                                           "store", option=option, value=value, cp=ord(bad.group())),
                                         hint=_("remove control characters from {option}", option=option), code="usage")],
                             EXIT_USAGE)


def parse_date(option: str) -> dt.datetime:
    """--date as a naive UTC datetime; a usage error when it is not a date."""
    check_xml_text("--date", option)
    text = option.strip().replace("Z", "+00:00")
    try:
        value = dt.datetime.fromisoformat(text) if "T" in text or " " in text else \
            dt.datetime.combine(dt.date.fromisoformat(text), dt.time())
    except ValueError:
        raise ReportgenError([Diagnostic(_("--date {value!r} is not a date like 2024-03-15 or 2024-03-15T09:30:00Z",
                                           value=option), code="usage")], EXIT_USAGE) from None
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def revision_date(option: str | None, b_loaded) -> dt.datetime:
    """--date, else B's data date, else SOURCE_DATE_EPOCH, else a fixed epoch: never the machine's clock."""
    if option:
        return parse_date(option)
    from ..clock import Clock

    return Clock.of(b_loaded.document).revision


def run_diff(args, project, emit) -> int:
    from pathlib import Path

    from ..output import write_group
    from ..paths import os_error, parent_exists
    from .compare import compare
    from .sides import load_side
    from .textdiff import Painter, use_color

    try:
        if args.context < -1:
            raise ReportgenError([Diagnostic(_("--context must be -1 or more"), code="usage")], EXIT_USAGE)
        # The options first: a bad one is a usage error before any side is loaded.
        check_xml_text("--author", args.author)
        date_option = parse_date(args.date) if args.date else None
        a = load_side(project, args.a, args.b)
        b = load_side(project, args.b, args.a)
        date = date_option or revision_date(None, b.loaded)
        result = compare(a, b)
        # Render every output first, then write them all: a failure (e.g. in the font check) leaves
        # no file written, and an earlier file of the same name as it was.
        outputs: list[tuple[str, bytes]] = []
        if args.html:
            from .html import review_page

            outputs.append((str(args.html), review_page(result, _followup(project, a.loaded, b.loaded)).encode("utf-8")))
        if args.docx:
            from ..pipeline import check_fonts
            from .redline import redline_docx

            chains = check_fonts(project, [a.loaded, b.loaded])
            outputs.append((str(args.docx), redline_docx(a.loaded, b.loaded, chains, author=args.author,
                                                         date=date)))
        targets = [(parent_exists(_abs(name)), data) for name, data in outputs]
        try:
            write_group(targets)
        except OSError as e:
            raise os_error(e, shown=e.filename and str(Path(e.filename).parent)) from None
        written = [name for name, _data in outputs]
    except ReportgenError as e:
        emit(e.diagnostics, args.json, {"identical": None})
        return e.exit_code
    warnings = a.loaded.warnings + b.loaded.warnings
    if args.json:
        out = result.to_json()
        out["written"] = written
        out["warnings"] = [w.to_json() for w in warnings]
        print(json.dumps({"ok": True, **out}, ensure_ascii=False, indent=2))
    else:
        emit(warnings, False)
        paint = Painter(use_color(sys.stdout, args.color))
        sys.stdout.write(result.terminal(paint, args.context))
        for path in written:
            print(_("wrote {path}", path=path), file=sys.stderr)
    if args.exit_code and not result.identical:
        return EXIT_FAILED
    return EXIT_OK


def _followup(project, a, b) -> list[dict] | None:
    """A's plans followed through in B, when B is the report of the year after A's (of one kind), else None."""
    ya, yb = a.source.data.get("year"), b.source.data.get("year")
    if a.kind != b.kind or not isinstance(ya, int) or not isinstance(yb, int) or yb != ya + 1:
        return None
    from ..compliance.cli import followup_of

    return followup_of(project, a, b) or None


def _abs(path):
    from pathlib import Path

    return Path(path) if Path(path).is_absolute() else Path.cwd() / path
