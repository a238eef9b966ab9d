"""PDF/A-3u with the document's YAML inside: the options reportgen passes to WeasyPrint
(``reportgen extract`` reads the source back out: archive/extract.py).

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


def pdf_keywords(keywords) -> tuple[str, ...]:
    """The keywords as the PDF keeps them, for the DOCX too: WeasyPrint splits its keywords at commas
    (check refuses a keyword with one), strips ASCII white space and drops repeats."""
    return tuple(dict.fromkeys(k.strip(" \t\n\f\r") for k in keywords if k.strip(" \t\n\f\r")))


def archival_document(doc: Document, date: dt.date | None) -> Document:
    """``doc`` with the metadata an archive needs filled in: the stamp date and keywords, and every value
    fitted to what document properties hold (Meta.fitted) and the keywords as the PDF keeps them
    (pdf_keywords), so that the DOCX and the PDF carry the same.

    Only metadata changes; the blocks (and so every printed character) are the same objects.
    """
    meta = dataclasses.replace(doc.meta, date=date if date is not None else doc.meta.date,
                               keywords=pdf_keywords(doc.meta.keywords or default_keywords(doc))).fitted()
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
