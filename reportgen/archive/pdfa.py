"""PDF/A-3u with the document's YAML inside: the options reportgen passes to WeasyPrint, and the reader
``reportgen extract`` uses to get the source back out.

Reproducibility rules (peers.md §2D–E, §3.1):

* every date comes from the document's :class:`clock.Clock` (the data's 成文日期 or SOURCE_DATE_EPOCH),
  never the machine's clock: the PDF's CreationDate/ModDate and XMP dates through ``<meta name=dcterms.*>``
  (the stamp date set by :func:`archival_document`), the attachment's dates through ``created=``/``modified=``
  (WeasyPrint uses ``now()`` otherwise);
* with no date at all the PDF carries no CreationDate, and the attachment (which must have one)
  gets the clock's fixed 1980-01-01T00:00:00Z, the same stamp as the DOCX zip entries;
* the first part of the PDF ``/ID`` is fixed per document (organ, id, kind), the second is
  pydyf's MD5 of the content: "same document, another version";
* the attachment carries only its file name, never the project's path, and its MIME type is
  given explicitly (WeasyPrint would otherwise guess from the machine's /etc/mime.types).
"""
from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib

from ..clock import Clock
from ..document import Document

PDF_VARIANT = "pdf/a-3u"
SOURCE_MIME = "application/yaml"  # RFC 9512


def default_keywords(doc: Document) -> tuple[str, ...]:
    """Keywords for the metadata when the data gives none: the organ, the year and the title."""
    m = doc.meta
    return tuple(k for k in (m.organ, f"{m.year}年", m.title) if k)


def archival_document(doc: Document, date: dt.date | None) -> Document:
    """``doc`` with the metadata an archive needs filled in: the stamp date and keywords.

    Only metadata changes; the blocks (and so every printed character) are the same objects.
    """
    meta = dataclasses.replace(doc.meta, date=date if date is not None else doc.meta.date,
                               keywords=doc.meta.keywords or default_keywords(doc))
    return dataclasses.replace(doc, meta=meta)


def identifier(doc: Document, id: str) -> bytes:
    """The fixed first part of the PDF ``/ID``: the same for every version of one document (its organ, its
    id and its kind), different for two documents of one year. For an annual report the id is its year."""
    return hashlib.md5(f"reportgen\n{doc.meta.organ}\n{id}\n{doc.kind}".encode("utf-8"),
                       usedforsecurity=False).hexdigest().encode("ascii")


def _dedupe_af(document, pdf) -> None:
    """WeasyPrint 70 lists each attachment twice in the catalog's /AF; keep one reference of each."""
    import pydyf

    af = pdf.catalog.get("AF")
    if af is not None:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(af))


def pdf_options(doc: Document, source_name: str, source: bytes, clock: Clock, identifier: bytes) -> dict:
    """Options for ``writers.pdf.write_pdf``: PDF/A-3u, the fixed ``identifier``, the source attached."""
    from ..writers.pdf import import_weasyprint

    weasyprint = import_weasyprint()  # the writer's fast import (no find_library detour)

    when = clock.attachment
    # A data: URL is the one way to give WeasyPrint the MIME type; the default fetcher reads it
    # from memory (the renderer's contained fetcher is not involved).
    attachment = weasyprint.Attachment(
        url=f"data:{SOURCE_MIME};base64," + base64.b64encode(source).decode("ascii"),
        name=source_name, description=f"{doc.meta.title} — source data ({source_name})",
        created=when, modified=when, relationship="Source")
    return {"pdf_variant": PDF_VARIANT, "pdf_identifier": identifier, "attachments": [attachment],
            "finisher": _dedupe_af}


@dataclasses.dataclass
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

    from ..messages import _

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
