"""Every example under examples/ is a report project that reproduces one of the office's documents
(seeds 001–004): its text output is the document, and its DOCX and PDF carry exactly that text."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT
from outputs import docx_paragraphs, pdf_text, text_lines

EXAMPLES = sorted(p for p in (ROOT / "examples").iterdir() if (p / "data").is_dir())


def test_there_is_an_example_of_every_kind_of_the_office():
    import yaml

    kinds = {yaml.safe_load(f.read_text(encoding="utf-8")).get("kind", "report")
             for e in EXAMPLES for f in (e / "data").glob("*/*.yaml")}
    assert kinds == {"report", "notice", "outline", "reply"}
    assert [e.name[:8] for e in EXAMPLES] == ["seed-001", "seed-002", "seed-003", "seed-004"]


@pytest.fixture(params=EXAMPLES, ids=lambda p: p.name)
def example(request, built) -> tuple[Path, dict]:
    outputs = built(request.param)
    assert len(outputs) == 1, "an example holds one document"
    return request.param, next(iter(outputs.values()))


def test_text_is_the_seed(example):
    folder, out = example
    assert out["txt"].read_text(encoding="utf-8") == (folder / "expected.txt").read_text(encoding="utf-8")


def test_docx_paragraphs_are_the_text(example):
    folder, out = example
    assert docx_paragraphs(out["docx"]) == text_lines(folder / "expected.txt")


def test_pdf_text_is_the_text(example):
    folder, out = example
    assert pdf_text(out["pdf"]) == "".join(text_lines(folder / "expected.txt")).replace("\t", "")


def test_pdf_is_pdfa_with_its_data_attached(example):
    from test_archive import pdfa_problems

    folder, out = example
    [source] = (folder / "data").glob("*/*.yaml")
    assert pdfa_problems(out["pdf"], source.read_bytes(), source.name) == []
