"""``reportgen extract``: the source data a PDF built by reportgen carries (its ``/AFRelationship /Source``
attachment), and where to write it.

* The source is the PDF's first attachment whose relationship is ``Source``; one whose recorded MD5
  checksum does not match its bytes is refused, never written.
* Its file name is reduced to a bare name (no folder, no ``..``): a PDF cannot choose where its data goes.
* It goes to ``-o OUT`` (into OUT when that is a folder), else to that name in the current folder; an
  existing file is overwritten only with ``--force``; the write is atomic (output.write_atomic).
"""
from __future__ import annotations

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
    from .pdfa import embedded_files

    def refuse(message: str) -> ReportgenError:
        return ReportgenError([Diagnostic(message, file=str(pdf))])

    try:
        data = pdf.read_bytes()
    except OSError as e:
        raise refuse(_("cannot read the file: {reason}", reason=e.strerror or e)) from None
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
    """Where ``reportgen extract [-o OUTPUT] [--force]`` writes the source called ``name``."""
    out = output if output is not None else cwd / name
    if out.is_dir():
        out = out / name
    if out.exists() and not force:
        raise ReportgenError([Diagnostic(_("{path} exists already; not overwriting it (use --force)", path=str(out)))])
    return out


def save(source: Extracted, out: Path) -> None:
    """Write the source to ``out`` atomically; a failure is a ReportgenError located at ``out``."""
    from ..output import write_atomic

    try:
        write_atomic(out, source.data)
    except OSError as e:
        raise ReportgenError([Diagnostic(_("cannot write the file: {reason}", reason=e.strerror or e),
                                         file=str(out))]) from None
