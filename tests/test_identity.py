"""One source, three outputs: the DOCX, PDF and text carry the same paragraphs — seed 000's."""
from __future__ import annotations

import docx
from conftest import seed_paragraphs
from pdfmeasure import pdf_text_paragraphs


def docx_paragraphs(path) -> list[str]:
    """Paragraph texts of the body; a title's line breaks (w:br) are not characters."""
    return [p.text.replace("\n", "") for p in docx.Document(str(path)).paragraphs if p.text.strip()]


def test_text_output_is_the_seed(sample_build):
    lines = sample_build["txt"].read_text(encoding="utf-8").splitlines()
    assert lines == seed_paragraphs()


def test_docx_paragraphs_are_the_seed(sample_build):
    assert docx_paragraphs(sample_build["docx"]) == seed_paragraphs()


def test_pdf_text_is_the_seed(sample_build):
    assert pdf_text_paragraphs(sample_build["pdf"]) == seed_paragraphs()


def test_seed_is_reproduced_character_for_character(sample_build):
    """The golden is the published text itself; nothing was normalised on the way."""
    seed = seed_paragraphs()
    assert len(seed) == 16
    assert seed[0] == "重庆市知识产权局2023年法治建设情况"
    assert sample_build["txt"].read_text(encoding="utf-8") == "\n".join(seed) + "\n"
