"""GB/T 9704 layout, measured from the written PDF (character boxes via pdfplumber)."""
from __future__ import annotations

import subprocess

import pytest
from conftest import make_project, run_cli
from pdfmeasure import MM, measure

from reportgen.layout import load_layout

L = load_layout()
TOL = 0.5  # pt


def body_lines(page):
    return [line for line in page.lines if not (line.text.startswith("—") and line.text.endswith("—"))]


def page_number_line(page):
    [line] = [line for line in page.lines if line.text.startswith("—") and line.text.endswith("—")]
    return line


def test_pages_are_a4(sample_pages):
    assert len(sample_pages) == 5
    for page in sample_pages:
        assert page.width == pytest.approx(210 * MM, abs=0.1)
        assert page.height == pytest.approx(297 * MM, abs=0.1)


def test_sizes_by_role(sample_pages):
    first = body_lines(sample_pages[0])
    title = first[0]
    assert title.text == "重庆市知识产权局2023年法治建设情况"
    assert {round(c.size, 1) for c in title.chars} == {22.0}
    body = [c for p in sample_pages for line in body_lines(p)[1 if p.number == 1 else 0:] for c in line.chars]
    assert {round(c.size, 1) for c in body} == {16.0}
    for page in sample_pages:
        assert {round(c.size, 1) for c in page_number_line(page).chars} == {14.0}


def test_title_is_centred_in_the_type_area(sample_pages):
    title = body_lines(sample_pages[0])[0]
    left_gap = title.x0 - L.margin_left
    right_gap = (L.page_width - L.margin_right) - title.x1
    assert abs(left_gap - right_gap) < 2


def test_fonts_by_role(sample_pages):
    lines = [line for p in sample_pages for line in body_lines(p)]
    by_text = {line.text: line for line in lines}
    assert {c.font for c in by_text["一、工作开展情况"].chars} == {"Noto-Sans-CJK-SC"}  # 黑体 role
    lead_line = next(line for line in lines if line.text.startswith("（一）深入学习"))
    lead = "（一）深入学习贯彻习近平法治思想。"
    assert {c.font for c in lead_line.chars[: len(lead)]} == {"AR-PL-UKai-CN"}  # 楷体 role, the lead only
    assert {c.font for c in lead_line.chars[len(lead):]} == {"Noto-Serif-CJK-SC"}  # 仿宋 role (stand-in)
    assert {c.font for c in lines[0].chars} == {"Noto-Serif-CJK-SC-Bold"}  # 小标宋 role (a real bold face)


def test_lines_sit_on_the_grid_and_fill_every_full_page(sample_pages):
    pitch = L.line_pitch
    assert pitch == pytest.approx(28.95)
    for page in sample_pages:
        lines = body_lines(page)
        start = 1 if page.number == 1 else 0  # the 22 pt title has its own baseline
        bottoms = [line.bottom for line in lines[start:]]
        for a, b in zip(bottoms, bottoms[1:]):
            assert b - a == pytest.approx(pitch, abs=0.2), (page.number, a, b)
        last_bottom = L.page_height - L.margin_bottom
        assert bottoms[-1] <= last_bottom + 0.01
    # A full page holds 22 grid lines; a page may end one line short only to keep a heading with its text.
    for page, next_page in zip(sample_pages, sample_pages[1:]):
        lines = body_lines(page)
        grid_lines = len(lines) + (L.title.blank_lines_after if page.number == 1 else 0)
        if grid_lines != 22:
            assert grid_lines == 21 and body_lines(next_page)[0].text.startswith(("一", "二", "三", "（")), page.number


def test_first_line_indent_is_two_grid_characters(sample_pages):
    lines = body_lines(sample_pages[0])
    opening = lines[1]
    assert opening.text.startswith("2023年")
    assert opening.x0 == pytest.approx(L.margin_left + 2 * L.char_pitch, abs=TOL)
    assert lines[2].x0 == pytest.approx(L.margin_left, abs=TOL)


def test_a_full_line_holds_28_characters(tmp_path):
    """gbt9704.md pitfall 1: 726 identical characters take exactly 26 lines (26 + 25 × 28)."""
    project = make_project(tmp_path / "p")
    (project / "data" / "years" / "2023.yaml").write_text(
        "organ: 测试局\nyear: 2023\nopening:\n  - " + "国" * 726 + "\nsections:\n  - heading: 测试\n",
        encoding="utf-8")
    run_cli("build", cwd=project, check=True)
    pages = measure(project / "output" / "2023" / "report-2023.pdf")
    lines = [line for page in pages for line in body_lines(page) if set(line.text) == {"国"}]
    counts = [len(line.text) for line in lines]
    assert counts == [26] + [28] * 25


def test_page_numbers_odd_right_even_left(sample_pages):
    right_edge = L.page_width - L.margin_right
    inset = L.page_number.inset_chars * L.roles["page_number"].size
    type_bottom = L.page_height - L.margin_bottom
    for page in sample_pages:
        number = page_number_line(page)
        assert number.text.replace(" ", "") == f"—{page.number}—"
        if page.number % 2:  # odd: right, one 字 in
            assert number.x1 == pytest.approx(right_edge - inset, abs=1.0)
        else:  # even: left, one 字 in
            assert number.x0 == pytest.approx(L.margin_left + inset, abs=1.0)
        # The top of the number's 14 pt line box sits 7 mm below the 版心 (box-top reading).
        box_top = number.top  # pdfplumber: the em box top = the 14 pt line box top
        assert box_top - type_bottom == pytest.approx(7 * MM, abs=0.5)


def test_all_fonts_embedded(sample_build):
    out = subprocess.run(["pdffonts", str(sample_build["pdf"])], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows, out
    for row in rows:
        emb = row.split()[-5]
        assert emb == "yes", row


def test_no_synthetic_bold(sample_build):
    """Fake bold in WeasyPrint/Pango shows as a stroked text render mode (2); none may appear."""
    import pikepdf

    with pikepdf.open(sample_build["pdf"]) as pdf:
        for page in pdf.pages:
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) == "Tr":
                    assert int(operands[0]) == 0
