"""Outline variants are data, not code: a four-part report with every optional element."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import run_cli
from lxml import etree
from pdfmeasure import measure

from reportgen.layout import load_layout

CASE = Path(__file__).parent / "cases" / "variant-b"
L = load_layout()


@pytest.fixture(scope="module")
def variant(tmp_path_factory):
    project = tmp_path_factory.mktemp("variant") / "project"
    shutil.copytree(CASE / "data", project / "data")
    run_cli("build", cwd=project, check=True)
    return project / "output" / "2024"


def test_text_matches_the_golden(variant):
    assert variant.joinpath("report-2024.txt").read_text(encoding="utf-8") == \
        (CASE / "expected.txt").read_text(encoding="utf-8")


def test_docx_has_the_same_paragraphs(variant):
    paras = [p.text.replace("\n", "") for p in docx.Document(str(variant / "report-2024.docx")).paragraphs]
    assert paras == (CASE / "expected.txt").read_text(encoding="utf-8").splitlines()


def test_title_lines_break_where_the_data_says(variant):
    pages = measure(variant / "report-2024.pdf")
    first, second = pages[0].lines[:2]
    assert (first.text, second.text) == ("天津市静海区人民政府", "关于2024年法治政府建设情况的报告")
    d = docx.Document(str(variant / "report-2024.docx"))
    assert d.paragraphs[0].text == "天津市静海区人民政府\n关于2024年法治政府建设情况的报告"


def test_signature_and_date_are_placed_per_gbt9704(variant):
    """7.3.5.2: 署名 right blank 2 字; the date starts 2 字 right of the 署名 (or takes the 2 字 itself)."""
    lines = [line for p in measure(variant / "report-2024.pdf") for line in p.lines]
    issuer = [line for line in lines if line.text == "天津市静海区人民政府"][-1]  # the first is the title's
    date = next(line for line in lines if line.text == "2025年3月28日")
    issuer_col, date_col = L.signature_columns(issuer.text, date.text)
    assert issuer.x0 == pytest.approx(L.margin_left + issuer_col * L.char_pitch, abs=0.5)
    assert date.x0 == pytest.approx(issuer.x0 + 2 * L.char_pitch, abs=0.5)
    right = L.page_width - L.margin_right
    assert right - issuer.x1 == pytest.approx(2 * L.char_pitch, abs=1.0)  # right blank 2 字
    assert issuer_col == 28 - 2 - 10 and date_col == issuer_col + 2
    # The DOCX places them with the same arithmetic.
    doc = etree.fromstring(zipfile.ZipFile(variant / "report-2024.docx").read("word/document.xml"))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    inds = {"".join(t.text for t in p.iter(w + "t")): p.find(f"{w}pPr/{w}ind") for p in doc.iter(w + "p")}
    assert int(inds["天津市静海区人民政府"].get(w + "left")) == round(issuer_col * L.char_pitch * 20)
    assert int(inds["2025年3月28日"].get(w + "left")) == round(date_col * L.char_pitch * 20)


def test_long_dates_move_the_signature_left():
    issuer_col, date_col = L.signature_columns("某局", "2024年12月31日")  # date 7 字, issuer 2 字
    assert date_col == 28 - 2 - 7 and issuer_col == date_col - 2


def test_heading_levels_take_their_fonts(variant):
    lines = [line for p in measure(variant / "report-2024.pdf") for line in p.lines]
    by_start = {line.text[:6]: line for line in lines}
    assert {c.font for c in by_start["二、法治政府"].chars} == {"Noto-Sans-CJK-SC"}  # 一、 黑体
    assert {c.font for c in by_start["（一）深入学"].chars} == {"AR-PL-UKai-CN"}  # （一） 楷体
    assert {c.font for c in by_start["1.抓好理论"].chars} == {"Noto-Serif-CJK-SC"}  # 1. 仿宋
