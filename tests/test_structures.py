"""What real reports contain, as data (issue 8): 一是 points run together and one per paragraph,
heading lines ending in 。, unnumbered run-in leads, a document with no printed title, a long title
given as one string and broken between words, numbering that runs on across chapters."""
from __future__ import annotations

import zipfile

import pytest
from conftest import ROOT
from lxml import etree
from outputs import docx_paragraphs, pdf_text, text_lines
from pdfmeasure import measure

from reportgen.layout import load_layout

CASE = ROOT / "tests" / "cases" / "structures"
L = load_layout()
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


@pytest.fixture(scope="module")
def docs(built):
    return built(CASE)


@pytest.mark.parametrize("doc_id", ["2024", "2025", "plan"])
def test_text_docx_and_pdf_are_the_expected_text(docs, doc_id):
    expected = text_lines(CASE / "expected" / f"{doc_id}.txt")
    assert text_lines(docs[doc_id]["txt"]) == expected
    assert docx_paragraphs(docs[doc_id]["docx"]) == expected
    assert pdf_text(docs[doc_id]["pdf"]) == "".join(expected)


def _paragraphs(docx_path):
    root = etree.fromstring(zipfile.ZipFile(docx_path).read("word/document.xml"))
    return [p for p in root.iter(f"{{{W}}}p") if "".join(t.text or "" for t in p.iter(f"{{{W}}}t"))]


def _text(p) -> str:
    return "".join(t.text or "" for t in p.iter(f"{{{W}}}t"))


def _runs(p) -> list[tuple[str | None, str]]:
    out = []
    for r in p.iter(f"{{{W}}}r"):
        style = r.find("w:rPr/w:rStyle", NS)
        out.append((style.get(f"{{{W}}}val") if style is not None else None, "".join(t.text or "" for t in r.iter(f"{{{W}}}t"))))
    return out


def test_a_long_one_string_title_breaks_between_words(docs):
    first = measure(docs["2024"]["pdf"])[0].lines[:2]
    assert [line.text for line in first] == ["某市知识产权局", "关于2024年度法治政府建设情况的报告"]
    for line in first:  # both centred
        assert line.x0 - L.margin_left == pytest.approx(L.page_width - L.margin_right - line.x1, abs=2)
    title = _paragraphs(docs["2024"]["docx"])[0]
    assert [t.text for t in title.iter(f"{{{W}}}t")] == ["某市知识产权局", "关于2024年度法治政府建设情况的报告"]
    assert len(list(title.iter(f"{{{W}}}br"))) == 1


def test_points_run_together_and_one_per_paragraph(docs):
    paragraphs = {_text(p)[:9]: p for p in _paragraphs(docs["2024"]["docx"])}
    run_in = _runs(paragraphs["（一）强化工作统筹"])
    assert run_in[:4] == [("GWLead2", "（一）强化工作统筹，健全保护工作体系。"), ("GWRunPoint", "一是推动政策落地。"),
                          (None, "贯彻落实年度推进计划，细化工作措施。"), ("GWRunPoint", "二是强化机制保障。")]
    assert ("GWRunPoint", "三是") in run_in  # a point without a lead of its own
    for start in ("一是持续强化党的领导", "二是深化执法规范化建"):
        p = paragraphs[start[:9]]
        assert p.find("w:pPr/w:pStyle", NS).get(f"{{{W}}}val") == "GWBody"
        assert _runs(p)[0] == ("GWRunPoint", start[:2] + {"一": "持续强化党的领导。", "二": "深化执法规范化建设。"}[start[0]])
    lines = [line for p in measure(docs["2024"]["pdf"]) for line in p.lines]
    point = next(line for line in lines if line.text.startswith("一是持续"))
    assert point.x0 == pytest.approx(L.margin_left + 2 * L.char_pitch, abs=0.5)  # a paragraph of its own
    assert {c.font for c in point.chars[:2]} == {"Noto-Serif-CJK-SC"}  # the point role: 仿宋, like the text


def test_a_heading_line_ending_in_a_full_stop_stays_a_heading(docs):
    paragraphs = {_text(p): p for p in _paragraphs(docs["2024"]["docx"])}
    heading = paragraphs["（二）加强组织领导。"]
    assert heading.find("w:pPr/w:pStyle", NS).get(f"{{{W}}}val") == "GWHeading2"
    styles = etree.fromstring(zipfile.ZipFile(docs["2024"]["docx"]).read("word/styles.xml"))
    style = styles.find("w:style[@w:styleId='GWHeading2']", NS)
    assert style.find("w:basedOn", NS).get(f"{{{W}}}val") == "Heading2"
    assert style.find("w:pPr/w:keepNext", NS) is not None
    lines = [line for p in measure(docs["2024"]["pdf"]) for line in p.lines]
    line = next(line for line in lines if line.text == "（二）加强组织领导。")
    assert {c.font for c in line.chars} == {"AR-PL-UKai-CN"}  # 楷体, the （一） level's


def test_heading_lines_are_kept_with_what_follows(docs):
    """In 2025.yaml 一、 and （一）加强组织领导。 would be lines 21 and 22 of page 1: both open page 2."""
    pages = measure(docs["2025"]["pdf"])
    body = [[line for line in page.lines if not line.text.startswith("—")] for page in pages]
    assert len(body[0]) == 1 + 18  # the title and the opening's 18 lines
    assert [line.text for line in body[1][:3]] == ["一、工作开展情况", "（一）加强组织领导。", "局党组专题研究法治建设工作。"]


def test_unnumbered_run_in_leads(docs):
    paragraphs = {_text(p)[:6]: p for p in _paragraphs(docs["2024"]["docx"])}
    assert _runs(paragraphs["抓好理论学习"]) == [("GWRunLead", "抓好理论学习。"), (None, "局党组理论学习中心组专题学法4次。")]
    lines = [line for p in measure(docs["2024"]["pdf"]) for line in p.lines]
    lead = next(c for line in lines for c in line.chars if c.text == "抓")
    assert lead.font == "AR-PL-UKai-CN" and lead.x0 == pytest.approx(L.margin_left + 2 * L.char_pitch, abs=0.5)


def test_a_document_published_without_its_title(docs):
    import subprocess

    first = measure(docs["plan"]["pdf"])[0].lines[0]
    assert first.text.startswith("为全面加强") and first.x0 == pytest.approx(L.margin_left + 2 * L.char_pitch, abs=0.5)
    info = subprocess.run(["pdfinfo", str(docs["plan"]["pdf"])], capture_output=True, text=True, check=True).stdout
    assert "某市知识产权保护规划" in info  # the metadata still carries it
    core = etree.fromstring(zipfile.ZipFile(docs["plan"]["docx"]).read("docProps/core.xml"))
    assert core.find("{http://purl.org/dc/elements/1.1/}title").text == "某市知识产权保护规划"
