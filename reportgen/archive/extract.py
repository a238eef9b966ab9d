"""``reportgen extract``: the source data a PDF built by reportgen carries (its ``/AFRelationship /Source``
attachment), and where to write it.

* The source is the PDF's first attachment whose relationship is ``Source``; one whose recorded MD5
  checksum does not match its bytes is refused, never written.
* Its file name is reduced to a bare name (no folder, no ``..``): a PDF cannot choose where its data goes.
* The PDF is read with pypdf (pure Python, imported only here), whatever state the file is in.
* It goes to ``-o OUT`` (into OUT when that is a folder), else to that name in the current folder; an
  existing file is overwritten only with ``--force``; the write is atomic (output.write_atomic).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import Diagnostic, ReportgenError
from ..messages import _


@dataclass(frozen=True)
class Extracted:
    name: str  # a bare file name for it: the attachment's own, made safe
    data: bytes


def safe_name(name: str, fallback: str) -> str:
    """The last part of ``name`` (``/`` or ``\\`` separated), or ``fallback`` when nothing usable is left."""
    bare = Path(name.replace("\\", "/")).name
    return fallback if bare in ("", ".", "..") else bare


def source_of(pdf: Path) -> Extracted:
    """The source file inside ``pdf``. Raises ReportgenError, located at the PDF, when there is none to give."""
    from ..paths import os_reason

    def refuse(message: str) -> ReportgenError:
        return ReportgenError([Diagnostic(message, file=str(pdf), code="extract")])

    try:
        data = pdf.read_bytes()
    except OSError as e:
        raise refuse(_("cannot read the file: {reason}", reason=os_reason(e))) from None
    if b"%PDF-" not in data[:1024]:
        raise refuse(_("not a PDF; to read a .docx, .txt or .md document back into YAML data, use reportgen "
                       "import"))
    try:
        files = embedded_files(data)
    except ValueError as e:
        raise refuse(_("not a readable PDF: {reason}", reason=str(e))) from None
    sources = [f for f in files if f.relationship == "Source"]
    if not sources:
        raise refuse(_("the PDF carries no source file (no attachment with /AFRelationship /Source)"))
    src = sources[0]
    if src.checksum_ok is False:
        raise refuse(_("the embedded {name} does not match its recorded checksum", name=src.name))
    return Extracted(safe_name(src.name, pdf.stem + ".yaml"), src.data)


def destination(output: Path | None, name: str, cwd: Path, *, force: bool = False) -> Path:
    """Where ``reportgen extract [-o OUTPUT] [--force]`` writes the source called ``name``; its folder must
    exist (no missing folder is made)."""
    from ..paths import parent_exists

    out = output if output is not None else cwd / name
    if out.is_dir():
        out = out / name
    parent_exists(out)
    if out.exists() and not force:
        raise ReportgenError([Diagnostic(_("{path} exists already; not overwriting it (use --force)", path=str(out)), code="exists")])
    return out


def save(source: Extracted, out: Path) -> None:
    """Write the source to ``out`` atomically; a failure is a ReportgenError located at ``out``."""
    from ..output import write_atomic
    from ..paths import os_reason

    try:
        write_atomic(out, source.data)
    except OSError as e:
        raise ReportgenError([Diagnostic(_("cannot write the file: {reason}", reason=os_reason(e)),
                                         file=str(out), code="unwritable")]) from None


# ── reading a PDF's attachments ──────────────────────────────────────────────────────────────────


@dataclass
class Embedded:
    """A file embedded in a PDF."""

    name: str
    data: bytes
    relationship: str
    mime: str
    checksum_ok: bool | None  # None when the PDF gives no /CheckSum


def embedded_files(pdf_bytes: bytes) -> list[Embedded]:
    """Every file in the PDF's EmbeddedFiles name tree, with its /AFRelationship and MIME type.

    Uses pypdf (pure Python, imported here only). pypdf reads objects lazily, so a damaged PDF can
    fail anywhere in the walk, not only when the reader is built: every failure is raised as a
    ValueError (the message says what went wrong), never as pypdf's own exception.
    """
    try:
        return _embedded_files(pdf_bytes)
    except ValueError:
        raise
    except Exception as e:  # noqa: BLE001 — anything a damaged file makes pypdf raise
        raise ValueError(str(e) or type(e).__name__) from None


def _embedded_files(pdf_bytes: bytes) -> list[Embedded]:
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf_bytes), strict=False)
    trailer = reader.trailer
    if trailer is None or "/Root" not in trailer:
        raise ValueError(_("the PDF has no document catalog"))
    root = trailer["/Root"].get_object()
    names = root.get("/Names")
    tree = names.get_object().get("/EmbeddedFiles") if names is not None else None
    out: list[Embedded] = []
    for _name, spec in _name_tree(tree.get_object() if tree is not None else None):
        spec = spec.get_object()
        ef = spec.get("/EF")
        if ef is None:
            continue
        ef = ef.get_object()
        stream = ef.get("/F") or ef.get("/UF")
        stream = stream.get_object() if stream is not None else None
        if stream is None or not hasattr(stream, "get_data"):
            raise ValueError(_("the attachment {name} has no embedded file stream (/EF without /F or /UF)",
                               name=str(spec.get("/UF") or spec.get("/F") or _name)))
        data = stream.get_data()
        params = stream.get("/Params")
        checksum = params.get_object().get("/CheckSum") if params is not None else None
        ok = None
        if checksum is not None:
            raw = checksum.original_bytes if hasattr(checksum, "original_bytes") else bytes(checksum)
            ok = raw == hashlib.md5(data, usedforsecurity=False).digest()
        filename = str(spec.get("/UF") or spec.get("/F") or _name)
        mime = str(stream.get("/Subtype") or "")
        out.append(Embedded(filename, data, str(spec.get("/AFRelationship") or "/Unspecified").lstrip("/"),
                            mime.lstrip("/").replace("#2f", "/").replace("#2F", "/"), ok))
    return out


def _name_tree(node, depth: int = 0):
    """(key, value) pairs of a PDF name tree, leaves in order."""
    if node is None or depth > 32:
        return
    pairs = node.get("/Names")
    if pairs is not None:
        pairs = pairs.get_object()
        for i in range(0, len(pairs) - 1, 2):
            yield str(pairs[i]), pairs[i + 1]
    kids = node.get("/Kids")
    if kids is not None:
        for kid in kids.get_object():
            yield from _name_tree(kid.get_object(), depth + 1)
