"""``reportgen import``: a .docx, .pdf, .txt or .md file back into a document's YAML data.

readers (docx.py, pdf.py, text.py) → paragraphs with format hints (paras.py) → normalize.py (each
text change noted) → recognise.py (the document's structure into the kind's data) → yamlout.py (a year
file in the style of the sample) → a check: the data goes through the whole pipeline, as ``build``
would take it, and its paragraphs are compared with the source's. merge.py takes an import into an
existing year file (``--into``), keeping its comments and metrics.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Diagnostic, ReportgenError
from ..messages import _
from .paras import Note, Read

MAX_BYTES = 50_000_000  # a .docx or .pdf with images can be large; beyond this it is refused unread


@dataclass
class Imported:
    data: dict
    text: str  # the YAML file
    notes: list[Note] = field(default_factory=list)
    format: str = ""
    producer: str = ""
    kind: str = ""
    paragraphs: int = 0  # the source's paragraphs
    differences: list[tuple[int, str, str]] = field(default_factory=list)  # (source para, source, rebuilt)
    problems: list[Diagnostic] = field(default_factory=list)  # check's errors, when not strict
    source: str = ""  # the imported file, as named


def read_yaml_text(path: Path, shown: str) -> str:
    """A document's YAML file as text, read as check reads it (source.read_document: bounded, a regular file)."""
    from ..source import read_document

    try:
        return read_document(path, shown).decode("utf-8")
    except UnicodeDecodeError:
        raise ReportgenError([Diagnostic(_("{file} is not UTF-8 text", file=shown), file=shown, code="not-utf8")]) from None


def kind_and_year(text: str) -> tuple[str, int | None]:
    """The ``kind:`` and ``year:`` a year file's text gives, to import a draft of it as the same document
    ("" and None where it gives none, or is not a mapping; check tells what is wrong with the file)."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return "", None
    if not isinstance(data, dict):
        return "", None
    kind, year = data.get("kind"), data.get("year")
    return (kind if isinstance(kind, str) else ""), (year if isinstance(year, int) else None)


def sniff(raw: bytes, path: Path) -> str:
    """The file's format by its bytes (a suffix can lie), the suffix telling .md from .txt."""
    if raw.startswith(b"PK\x03\x04") or raw.startswith(b"PK\x05\x06"):
        return "docx"
    if raw.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "docx"  # an encrypted OOXML file or an old .doc: the DOCX reader says which
    if b"%PDF-" in raw[:1024]:
        return "pdf"
    head = raw[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"{\\rtf"):
        return "docx"  # the DOCX reader names it and says how to save it as .docx
    if head.startswith((b"<!doctype html", b"<html")) or path.suffix.lower() in (".html", ".htm"):
        return "html"
    if path.suffix.lower() in (".md", ".markdown"):
        return "md"
    return "txt"


def read_file(path: Path, display: str) -> Read:
    from ..paths import os_error

    try:
        size = path.stat().st_size
        if not path.is_file():
            raise ReportgenError([Diagnostic(_("{file} is not a regular file", file=display), file=display, code="not-a-regular-file")])
        if size > MAX_BYTES:
            raise ReportgenError([Diagnostic(_("{file} is larger than {n} MB; not read", file=display,
                                               n=MAX_BYTES // 1_000_000), file=display, code="too-large")])
        raw = path.read_bytes()[:MAX_BYTES + 1]
    except OSError as e:
        raise ReportgenError([os_error(e, display)]) from None
    fmt = sniff(raw, path)
    return read_bytes(raw, display, fmt)


def _carries_source(raw: bytes) -> bool:
    from ..archive.extract import embedded_files

    try:
        return any(f.relationship == "Source" for f in embedded_files(raw))
    except ValueError:
        return False


def read_bytes(raw: bytes, display: str, fmt: str) -> Read:
    if fmt == "html":
        raise ReportgenError([Diagnostic(_("{file} is a web page (HTML), which import does not read", file=display),
                                         file=display, hint=_("save the report's text from the page as .txt "
                                                              "(one paragraph per line) and import that"), code="import")])
    if fmt == "docx":
        from .docx import read
    elif fmt == "pdf":
        from .pdf import read
    elif fmt == "md":
        from .text import read_md as read
    else:
        from .text import read_txt as read
    result = read(raw, display)
    result.format = result.format or fmt
    if fmt == "pdf" and _carries_source(raw):
        result.notes.append(Note(0, "source-attached", _("this PDF carries the data file it was built from: "
                                                          "reportgen extract gives it exactly, with its metrics "
                                                          "and comments")))
    if not any(p.text.strip() for p in result.paras):
        raise ReportgenError([Diagnostic(_("{file} has no text", file=display), file=display, code="import")])
    return result


def guess_kind(project, read: Read) -> str:
    """The kind whose ``[import] titles`` (how its titles end: 答复函, 的通知) one of the document's first
    paragraphs ends with; "" when none or several do."""
    import tomllib

    from ..kinds import KIND_FILE, available, find_file

    heads = [p.text.strip().replace("\n", "") for p in read.paras[:8] if p.text.strip()]
    found = set()
    for name in available(project.root):  # only each kind.toml is read here; the chosen kind is loaded later
        path = find_file(project.root, f"{name}/{KIND_FILE}")
        try:
            spec = tomllib.loads(path.read_text(encoding="utf-8")) if path is not None else {}
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue  # loading that kind says what is wrong with it, if it is the one chosen
        ends = spec.get("import", {}).get("titles", []) if isinstance(spec.get("import"), dict) else []
        ends = tuple(e for e in ends if isinstance(e, str) and e) if isinstance(ends, list) else ()
        if ends and any(len(h) <= 120 and h.endswith(ends) for h in heads):
            found.add(name)
    return found.pop() if len(found) == 1 else ""


def import_read(project, read: Read, display: str, *, kind_name: str = "", year: int | None = None,
                target: Path | None = None, strict: bool = True) -> Imported:
    """The recognised data of what a reader read, as YAML, checked by the pipeline ``build`` uses. Data that
    does not pass check raises (``strict``), or is returned with the check's diagnostics in ``problems``."""
    from ..kinds import DEFAULT_KIND, available, load_kind
    from .recognise import Recogniser, Rules

    guessed = "" if kind_name else guess_kind(project, read)
    name = kind_name or guessed or DEFAULT_KIND
    kind = load_kind(project.root, name)
    if kind is None:
        raise ReportgenError([Diagnostic(_("no document kind {kind!r}", kind=name),
                                         hint=_("known kinds: {kinds}", kinds=", ".join(available(project.root))), code="unknown-kind")])
    recogniser = Recogniser(read, Rules.of(kind), year=year)
    if guessed:
        recogniser.note(0, "guess-kind", _("the title names a {label}: imported as the kind {kind} (--kind chooses "
                                           "another)", label=kind.label, kind=name), "kind")
    try:
        data = recogniser.run()
    except ReportgenError as e:
        for d in e.diagnostics:
            d.file = d.file or display
        raise
    if name != DEFAULT_KIND:
        data = {"kind": name, **data}
    imported = Imported(data, "", recogniser.notes, read.format, read.producer, name, len(read.paras),
                        source=display)
    relocate(project, imported, target)
    shown = str(target) if target is not None else _("the imported data")
    try:
        imported.differences = compare(project, imported, recogniser, shown)
    except ReportgenError as e:  # what was read does not make a document that passes check: nothing is written
        if not strict:
            imported.problems = e.diagnostics
            return imported
        raise ReportgenError(e.diagnostics + [Diagnostic(
            _("{file} was read, but the data made of it does not pass check; nothing was written", file=display),
            file=display, hint=_("reportgen import {file} -o - prints the data as read, to correct by hand",
                                 file=display), code="import-check")], e.exit_code) from None
    return imported


def relocate(project, imported: Imported, target: Path | None) -> None:
    """The YAML text for the file ``target`` (its schema line is relative to where it is written)."""
    from ..kinds import find_file, load_kind
    from .yamlout import dump, schema_line

    schema = find_file(project.root, f"{imported.kind}/schema.json")
    header = [schema_line(schema, target or project.years_dir / "import.yaml", project.root),
              _("# Imported by `reportgen import` from {file}; review the notes it printed.", file=imported.source)]
    imported.text = dump(imported.data, load_kind(project.root, imported.kind), header)


def compare(project, imported: Imported, recogniser, display: str) -> list[tuple[int, str, str]]:
    """Build the imported data as ``build`` would and compare its paragraphs with the source's: what differs
    is listed (an import that cannot be built raises, located in the written YAML)."""
    import difflib

    from ..document import document_paragraphs
    from ..pipeline import load_bytes

    loaded = load_bytes(project, imported.text.encode("utf-8"), display)
    rebuilt = document_paragraphs(loaded.document)
    source: list[tuple[int, str]] = []
    joined = {n: group for group in recogniser.joined for n in group}
    for ln in recogniser.source_lines:
        group = joined.get(ln.number)
        if group and ln.number != group[0] and source and source[-1][0] == group[0]:
            source[-1] = (source[-1][0], source[-1][1] + ln.text)
        else:
            source.append((ln.number, ln.text))
    out = []
    matcher = difflib.SequenceMatcher(None, [t for _, t in source], rebuilt, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        for k in range(max(a2 - a1, b2 - b1)):
            number, text = source[a1 + k] if a1 + k < a2 else (source[a2 - 1][0] if a2 > a1 else 0, "")
            out.append((number, text, rebuilt[b1 + k] if b1 + k < b2 else ""))
    return out
