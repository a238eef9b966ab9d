"""The PDF reader of ``reportgen import`` on PDFs an office suite exports (importer/pdf.py): DOCX files
converted by LibreOffice read back paragraph for paragraph as the DOCX reader reads them.

The documents: the typical hand-made office DOCX (test_import.office_docx: typed 　　 indents, a
centred title, a soft line break, paragraphs one line long), the sample's DOCX as reportgen builds it
(first-line indents, a fixed line pitch, five pages), and a DOCX whose paragraphs are set apart by
space after each and have no first-line indent. All are converted in one LibreOffice run per module."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from reportgen.importer import docx as docx_reader
from reportgen.importer import pdf as pdf_reader
from test_import import OFFICE_YAML, imported, office_docx

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")

# 39 characters fill a line of the 11 pt default template on Letter paper: the paragraph's last line
# ends at the right margin, so that only the space after it ends it.
FULL_TWO_LINES = "依法行政" * 19 + "法。"
SPACED = [
    "某某区司法局2024年法治建设情况",
    FULL_TWO_LINES,
    "一、工作开展情况",
    "全面落实行政执法三项制度，行政执法公示、执法全过程记录、重大执法决定法制审核制度全面落实，案卷评查优秀率达到95%。",
    "短句。",
    FULL_TWO_LINES,
    "二、存在的不足和原因",
    "严格规范执法。\n案卷评查优秀率达到95%。",  # a soft line break: no space after it
    "某某区司法局",  # right-aligned, no space between them
    "2024年12月31日",
]
RIGHT = 2  # the last two


def spaced_docx(path: Path) -> None:
    """Paragraphs set apart by 12 pt of space after each, none with a first-line indent."""
    import docx
    from docx.shared import Pt

    from docx.enum.text import WD_ALIGN_PARAGRAPH

    d = docx.Document()
    for i, text in enumerate(SPACED):
        p = d.add_paragraph()
        for j, part in enumerate(text.split("\n")):
            run = p.add_run(part)
            if j < text.count("\n"):
                run.add_break()
        p.paragraph_format.space_after = Pt(12)
        p.paragraph_format.first_line_indent = Pt(0)
        if i >= len(SPACED) - RIGHT:
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            p.paragraph_format.space_after = Pt(0)
    d.save(str(path))


@pytest.fixture(scope="module")
def converted(tmp_path_factory, sample_build) -> dict[str, Path]:
    """{"office"|"sample"|"spaced": {"docx": path, "pdf": path}} — one LibreOffice conversion."""
    work = tmp_path_factory.mktemp("office-pdf")
    docs = {"office": work / "office.docx", "sample": work / "report-2023.docx", "spaced": work / "spaced.docx"}
    office_docx(docs["office"])
    shutil.copy(sample_build["docx"], docs["sample"])
    spaced_docx(docs["spaced"])
    out = work / "out"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation={(work / 'profile').as_uri()}",
                    "--convert-to", "pdf", "--outdir", str(out), *map(str, docs.values())],
                   check=True, capture_output=True, timeout=180)
    result = {name: {"docx": path, "pdf": out / (path.stem + ".pdf")} for name, path in docs.items()}
    assert all(d["pdf"].is_file() for d in result.values())
    return result


def _pdf(path: Path):
    return pdf_reader.read(path.read_bytes(), path.name)


def test_the_office_docx_as_pdf_reads_as_the_docx(converted):
    doc = converted["office"]
    from_docx = docx_reader.read(doc["docx"].read_bytes(), "office.docx").paras
    from_pdf = _pdf(doc["pdf"])
    assert from_pdf.producer == "LibreOffice"
    # The same texts: the typed 　　 kept, the soft break a "\n" as the DOCX has it, the stray space.
    assert [p.text for p in from_pdf.paras] == [p.text for p in from_docx]
    assert "，\n案卷" in from_pdf.paras[4].text
    assert [p.align for p in from_pdf.paras] == ["center"] + [""] * 8
    assert [p.indent for p in from_pdf.paras] == [p.indent for p in from_docx]


def test_the_office_pdf_imports_as_the_docx(converted, tmp_path):
    from conftest import ROOT

    result = imported(converted["office"]["pdf"], ROOT, "report", None)
    body = "\n".join(line for line in result.text.splitlines() if not line.startswith("#")) + "\n"
    assert body == OFFICE_YAML
    assert (5, "joined-break") in {(n.para, n.code) for n in result.notes}


def test_the_samples_docx_as_pdf_reads_as_its_txt(converted, sample_build):
    read = _pdf(converted["sample"]["pdf"])
    assert [p.text for p in read.paras] == sample_build["txt"].read_text(encoding="utf-8").splitlines()
    assert read.paras[0].align == "center"
    assert all(p.indent for p in read.paras[1:])


def test_paragraphs_set_apart_by_space(converted):
    read = _pdf(converted["spaced"]["pdf"])
    assert [p.text for p in read.paras] == SPACED
    assert [p.align for p in read.paras] == [""] * (len(SPACED) - RIGHT) + ["right"] * RIGHT
    assert not any(p.indent for p in read.paras)
