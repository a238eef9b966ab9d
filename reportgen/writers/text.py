"""Plain text: one paragraph per line, the draft reviewers diff (and the golden the tests compare)."""
from __future__ import annotations

from ..document import Document, document_paragraphs


def write_text(doc: Document) -> bytes:
    return ("\n".join(document_paragraphs(doc)) + "\n").encode("utf-8")
