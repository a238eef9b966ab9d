"""Justified Chinese lines in the PDF: flush right edge, kinsoku, compression, unchanged text.

Measured on the written PDF (pdfplumber character boxes, poppler's pdftotext), not on WeasyPrint's
boxes. The right edge of the 版心 comes from the layout, never from a number written here.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pdfmeasure import measure, pdf_text_paragraphs
from reportgen import document as d
from reportgen.layout import load_layout
from reportgen.writers.justify import (
    CLUSTER,
    COMPRESSION,
    MAX_STRETCH,
    MIN_SPACING,
    NO_LINE_END,
    NO_LINE_START,
    RIGID,
    STRETCH,
    Line,
    Segment,
    check_kinsoku,
    drop_hanging_spaces,
    gap_compressions,
    gap_kinds,
    mend_forced_breaks,
    plan_line,
    run_width,
    safe_starts,
    script_of,
)

TOLERANCE = 0.5  # pt: a non-final line ends this close to the 版心's right edge


def _is_page_number(line) -> bool:
    return line.text.startswith("—") and line.text.endswith("—")


def paragraphs_of(pages) -> list[list]:
    """Lines grouped into paragraphs: a paragraph starts at a line that does not begin at the left
    edge of the 版心 (an indented first line, a centred title, a placed signature)."""
    layout = load_layout()
    left = layout.margin_left
    groups: list[list] = []
    for page in pages:
        for line in page.lines:
            if _is_page_number(line):
                continue
            if not groups or line.x0 > left + 2:
                groups.append([line])
            else:
                groups[-1].append(line)
    return groups


def _non_final_lines(pages):
    return [line for group in paragraphs_of(pages) for line in group[:-1]]


def test_non_final_lines_end_on_the_right_edge(sample_pages):
    layout = load_layout()
    right = layout.page_width - layout.margin_right
    lines = _non_final_lines(sample_pages)
    assert len(lines) > 80, "the sample should have many justified lines"
    off = [(round(line.x1 - right, 3), line.page, line.text) for line in lines if abs(line.x1 - right) > TOLERANCE]
    assert off == [], f"{len(off)} of {len(lines)} non-final lines miss the right edge"
    # Lines with half-width digits or Latin are justified as well.
    mixed = [line for line in lines if any(c.text.isascii() for c in line.chars)]
    assert len(mixed) >= 10


def test_last_lines_are_flush_left_and_not_stretched(sample_pages):
    layout = load_layout()
    right = layout.page_width - layout.margin_right
    finals = [group[-1] for group in paragraphs_of(sample_pages) if len(group) > 1]
    assert finals
    for line in finals:
        assert abs(line.x0 - layout.margin_left) < TOLERANCE, line.text
        # the grid's natural pitch (one 字), not a stretched one: short last lines stay short
        assert line.x1 < right - layout.char_pitch / 2 or len(line.chars) >= layout.chars - 1, line.text


def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(sample_pages):
    for group in paragraphs_of(sample_pages):
        for i, line in enumerate(group):
            assert line.text[0] not in NO_LINE_START, f"page {line.page}: {line.text}"
            if i < len(group) - 1:
                assert line.text[-1] not in NO_LINE_END, f"page {line.page}: {line.text}"


def test_pdf_text_is_the_text_output(sample_build):
    text = sample_build["txt"].read_text(encoding="utf-8").splitlines()
    assert pdf_text_paragraphs(sample_build["pdf"]) == text


def test_no_characters_inserted(sample_build, sample_pages):
    """No spaces, zero-width or other characters: the plain pdftotext (with its own spacing
    heuristics) and the character boxes both give exactly the text output's characters."""
    source = sample_build["txt"].read_text(encoding="utf-8").replace("\n", "")
    chars = "".join(line.text for page in sample_pages for line in page.lines if not _is_page_number(line))
    assert chars == source
    plain = subprocess.run(["pdftotext", "-enc", "UTF-8", str(sample_build["pdf"]), "-"],
                           capture_output=True, text=True, check=True).stdout
    body = "".join(line for line in plain.splitlines() if not (line.startswith("—") and line.endswith("—")))
    assert body.replace("\f", "") == source


def test_adjacent_punctuation_is_compressed(sample_pages):
    """》《 and ”“ take one and a half cells, not two; other full-width neighbours keep a full cell."""
    pairs = normal = 0
    for page in sample_pages:
        for line in page.lines:
            for a, b in zip(line.chars, line.chars[1:]):
                if any(c.x1 - c.x0 < c.size * 0.9 for c in (a, b)):
                    continue  # half-width: digits, Latin, the 间隔号 · in this font
                step = b.x0 - a.x0
                if gap_compressions(a.text + b.text)[0]:
                    assert step < a.size * (1 - COMPRESSION) + 1.5, (a.text + b.text, step, line.text)
                    pairs += 1
                else:
                    assert step > a.size * 0.95, (a.text + b.text, step, line.text)
                    normal += 1
    assert pairs >= 5 and normal > 1000


def test_no_automatic_space_between_chinese_and_digits(sample_pages):
    """The gap before a digit run is the line's ordinary gap: no autospace (LibreOffice's is
    about a quarter em); the tolerance covers the runs' drift, not an inserted space."""
    checked = 0
    for page in sample_pages:
        for line in page.lines:
            cs = line.chars
            for i in range(1, len(cs) - 1):
                a, b = cs[i], cs[i + 1]
                prev = cs[i - 1]
                if (not a.text.isascii() and not prev.text.isascii() and b.text.isdigit()
                        and not gap_compressions(prev.text + a.text)[0]):
                    cjk_gap = a.x0 - prev.x1  # gap between two Chinese characters of this line
                    assert abs((b.x0 - a.x1) - cjk_gap) < 0.5, line.text
                    checked += 1
    assert checked >= 5


# --- synthetic documents: the rules hold for text written to provoke them -------------------

def _pdf_of(paragraphs: list[str], tmp_path: Path) -> Path:
    from reportgen.fonts import resolve
    from reportgen.writers.pdf import write_pdf

    layout = load_layout()
    doc = d.Document("report", d.Meta(title="测试", organ="测试局", year=2023),
                     tuple(d.Paragraph.plain(p) for p in paragraphs))
    out = tmp_path / "t.pdf"
    out.write_bytes(write_pdf(doc, layout, resolve(layout), allowed=[]).data)
    return out


def test_provoked_breaks_keep_kinsoku_and_the_edge(tmp_path):
    layout = load_layout()
    first = layout.chars - layout.indent.first_line_chars  # characters on an indented first line
    n = layout.chars
    paragraphs = [
        "甲" * first + "，" + "乙" * (n - 1) + "。" + "丙" * 10,       # a comma and a stop would start lines
        "甲" * (first - 1) + "《" + "乙" * n + "》" + "丙" * 10,          # an opening mark would end a line
        "甲" * (first - 1) + "“" + "乙" * 5 + "”" + "丙" * n,            # quotes at both ends
        "甲" * (first - 3) + "12.5%" + "乙" * n + "2021-2025年" + "丙" * 5,  # numbers stay whole
        "丁" * (first - 1) + "。”" + "戊" * (n - 2) + "》《" + "己" * n,  # compressed pairs at line ends
    ]
    pdf = _pdf_of(paragraphs, tmp_path)
    pages = measure(pdf)
    groups = paragraphs_of(pages)
    assert ["".join(line.text for line in g) for g in groups] == paragraphs
    right = layout.page_width - layout.margin_right
    for group in groups:
        texts = [line.text for line in group]
        assert check_kinsoku(texts) == [], texts
        for line in group[:-1]:
            assert abs(line.x1 - right) <= TOLERANCE, (line.x1 - right, line.text)
    joined = [line.text for g in groups for line in g]
    assert not any(t.startswith(("5%", "%", ".5", "-2025", "025")) for t in joined), joined


def test_pdf_is_deterministic(tmp_path):
    paragraphs = ["甲乙丙丁，戊己庚辛。" * 12, "《宪法》《民法典》2023年“十四五”" * 6]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert _pdf_of(paragraphs, tmp_path / "a").read_bytes() == _pdf_of(paragraphs, tmp_path / "b").read_bytes()


# --- the pure rules ------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("》《", [COMPRESSION]),
    ("。”", [COMPRESSION]),
    ("，“", [COMPRESSION]),
    ("）、", [COMPRESSION]),
    ("“《", [COMPRESSION]),
    ("中文", [0.0]),
    ("中，", [0.0]),
    ("，中", [0.0]),
    ("……", [0.0]),
    ("》”。", [COMPRESSION, COMPRESSION]),
])
def test_gap_compressions(text, expected):
    assert gap_compressions(text) == expected


def test_check_kinsoku():
    assert check_kinsoku(["甲乙", "丙丁"]) == []
    assert check_kinsoku(["甲乙", "，丙"]) == [(2, "start", "，")]
    assert check_kinsoku(["甲《", "乙》"]) == [(1, "end", "《")]
    assert check_kinsoku(["（一）甲", "乙"]) == []  # a paragraph may start with an opening mark


def test_plan_line_fills_the_room_exactly():
    size = 16.0
    line = Line([Segment("body", "甲乙》《丙丁", advances=[size] * 6, size=size)], available=100.0, last=False)
    plan_line(line, tracking=-0.21)
    n = 6
    total = line.segments[0].natural + sum(r.spacing * len(r.text) for r in line.runs)
    last_spacing = line.runs[-1].spacing
    # the last glyph's right edge: advances + every gap except the one after the last glyph
    assert total - last_spacing == pytest.approx(line.available)
    compressed = [r for r in line.runs if r.text == "》"]
    assert compressed and compressed[0].spacing == pytest.approx(line.runs[0].spacing - COMPRESSION * size)
    assert "".join(r.text for r in line.runs) == "甲乙》《丙丁"
    assert len(line.runs) <= n


def test_compressed_marks_overlap_less_than_half_an_em():
    """On a last line (grid tracking, negative) the full half-em compression would make 》 overlap
    《 by more than half its box, and pdftotext would split the line there."""
    size = 16.0
    line = Line([Segment("body", "法》《民", advances=[size] * 4, size=size)], available=400.0, last=True)
    plan_line(line, tracking=-0.21)
    spacing = next(r.spacing for r in line.runs if r.text == "》")
    assert size + spacing > size / 2  # the step from 》 to 《
    assert size + spacing < size * 0.6  # still compressed


def test_plan_line_keeps_tracking_on_a_last_line():
    line = Line([Segment("body", "甲乙丙", advances=[16.0] * 3, size=16.0)], available=400.0, last=True)
    plan_line(line, tracking=-0.21)
    assert {s for r in line.runs for s in (r.spacing, r.trailing)} == {-0.21}


def test_html_escapes_data_and_names_justified_blocks():
    from reportgen.writers.html import write_html

    layout = load_layout()
    doc = d.Document("report", d.Meta(title="<t>", organ="a&b", year=2023),
                     (d.Paragraph.plain("<script>alert(1)</script>&"), d.Heading(1, "一、", "<b>x</b>")))
    html = write_html(doc, layout, "")
    assert "<script>alert" not in html and "&lt;script&gt;" in html and "&lt;b&gt;x" in html
    assert 'id="j0"' in html and 'id="j1"' in html


@pytest.mark.parametrize("options", [{"pdf_tags": True}])
def test_justification_survives_pdf_options(tmp_path, options):
    """write_pdf(**options) (here: a tagged PDF) keeps the justified lines and the text."""
    from reportgen.fonts import resolve
    from reportgen.writers.pdf import write_pdf

    layout = load_layout()
    paragraphs = ["甲乙丙丁，戊己庚辛。" * 8 + "2023年“十四五”《宪法》《民法典》" * 2]
    doc = d.Document("report", d.Meta(title="测试", organ="测试局", year=2023),
                     tuple(d.Paragraph.plain(p) for p in paragraphs))
    out = tmp_path / "o.pdf"
    out.write_bytes(write_pdf(doc, layout, resolve(layout), allowed=[], **options).data)
    assert pdf_text_paragraphs(out) == paragraphs
    right = layout.page_width - layout.margin_right
    assert all(abs(line.x1 - right) <= TOLERANCE for line in _non_final_lines(measure(out)))


def test_a_forbidden_break_fails_the_build_with_the_paragraph_located(tmp_path, monkeypatch):
    """Should the line breaker ever put a closing mark first, the build stops and says where."""
    from reportgen.errors import ReportgenError
    from reportgen.fonts import resolve
    from reportgen.writers import pdf

    monkeypatch.setattr(pdf, "check_kinsoku", lambda lines: [(2, "start", "，")] if len(lines) > 1 else [])
    layout = load_layout()
    origin = d.Origin(path="opening[0]", file="data/years/2023.yaml", line=7, col=5)
    doc = d.Document("report", d.Meta(title="测试", organ="测试局", year=2023), (d.Paragraph.plain("甲" * 80, origin=origin),))
    with pytest.raises(ReportgenError) as e:
        pdf.write_pdf(doc, layout, resolve(layout), allowed=[])
    diag = e.value.diagnostics[0]
    assert (diag.file, diag.line, diag.path) == ("data/years/2023.yaml", 7, "opening[0]")
    assert "，" in diag.message and "2" in diag.message


# --- spaces, Latin words and numbers (probe findings F3, F4) --------------------------------

@pytest.mark.parametrize("text, expected", [
    ("甲乙", [STRETCH]),
    ("WIPO", [RIGID] * 3),
    ("1433件", [RIGID] * 3 + [STRETCH]),
    ("PDF/A-3u", [RIGID] * 7),
    ("a b", [RIGID, STRETCH]),  # the space stretches after it, never inside a word
    ("3 年", [RIGID, STRETCH]),
    ("年  月", [RIGID, RIGID, STRETCH]),
    ("e\u0301x", [CLUSTER, RIGID]),  # a combining accent belongs to its letter
    ("(WIPO)相", [RIGID] * 5 + [STRETCH]),
])
def test_gap_kinds(text, expected):
    assert gap_kinds(text) == expected


def _planned_end(line: Line) -> float:
    """Where the last glyph ends from the runs (each run's width, less the last run's trailing)."""
    total, at = 0.0, [0] * len(line.segments)
    for r in line.runs:
        seg = line.segments[r.segment]
        total += run_width(r, seg.advances[at[r.segment]:at[r.segment] + len(r.text)])
        at[r.segment] += len(r.text)
    return total - line.runs[-1].trailing


def test_a_latin_phrase_keeps_its_letters_at_the_grid_tracking():
    size, text = 16.0, "参加the Hague Agreement相关活动"
    advances = [size if ord(c) > 0x2000 else 8.0 for c in text]
    line = Line([Segment("body", text, advances, size)], available=300.0, last=False)
    plan_line(line, tracking=-0.21)
    assert "".join(r.text for r in line.runs) == text
    for r in line.runs:
        if any(c.isascii() and c != " " for c in r.text[:-1]):
            assert r.spacing == -0.21, r  # inside a word: as laid out
    stretched = {r.trailing for r in line.runs} | {r.spacing for r in line.runs}
    assert max(stretched) > 1.0  # the gaps between Chinese and at the spaces take the room
    assert line.end == pytest.approx(line.available)
    assert _planned_end(line) == pytest.approx(line.available)
    # a space is never a run of its own (it would not be drawn, nor be in the PDF text)
    assert not any(r.text.strip() == "" for r in line.runs)


def test_a_line_without_a_stretchable_gap_spaces_its_letters():
    """A piece of a word longer than the line (broken by overflow-wrap) is flush on both sides."""
    line = Line([Segment("body", "a" * 50, [8.0] * 50, 16.0)], available=405.0, last=False)
    plan_line(line, tracking=-0.21)
    assert line.end == pytest.approx(405.0)
    assert _planned_end(line) == pytest.approx(405.0)


def test_a_short_line_before_a_long_word_stays_flush_left():
    """本年度 then a URL too long for the rest of the line: no spread of three characters over the
    measure; the line keeps the grid's tracking, as a last line does."""
    line = Line([Segment("body", "本年度", [16.0] * 3, 16.0)], available=410.0, last=False)
    plan_line(line, tracking=-0.21)
    assert {(r.spacing, r.trailing) for r in line.runs} == {(-0.21, -0.21)}
    assert line.end < line.available - MAX_STRETCH * 16


def test_a_stray_space_takes_no_more_than_its_share():
    """2023 年，…: WeasyPrint alone would put all the line's slack into the one space; the plan
    spreads it over every stretchable gap."""
    size, text = 16.0, "2023 年，在区委的坚强领导下，各项工作稳步推进，取得"
    advances = [size if ord(c) > 0x2000 else 8.0 for c in text]
    slack = 10.0
    available = sum(advances) + (len(text) - 1) * -0.21 + slack
    line = Line([Segment("body", text, advances, size)], available=available, last=False)
    plan_line(line, tracking=-0.21)
    assert max(max(r.spacing, r.trailing) for r in line.runs) < -0.21 + slack / 10


def test_mend_moves_a_letter_down_with_the_stop_and_cascades():
    """``a`` × 50 | ``。`` + a full line: the 。 may not start the line, so an ``a`` goes with it;
    that line is then too long, so its tail moves on to the last line, at a break allowed there."""
    t = -0.21
    a = Line([Segment("body", "a" * 50, [8.0] * 50, 16.0)], available=400.0 + 49 * t, last=False)
    full = "。" + "甲" * 24
    b = Line([Segment("body", full, [16.0] * 25, 16.0)], available=400.0 + 24 * t, last=False)
    c = Line([Segment("body", "乙丙", [16.0] * 2, 16.0)], available=400.0, last=True)
    changed = mend_forced_breaks([a, b, c], t)
    assert changed == {0, 1, 2}
    assert a.text == "a" * 49 and b.text.startswith("a。") and c.text.endswith("乙丙")
    assert a.text + b.text + c.text == "a" * 50 + full + "乙丙"
    assert check_kinsoku([a.text, b.text, c.text]) == []
    for line in (a, b, c):
        plan_line(line, t)
        assert line.end <= line.available + 0.01


def test_mend_leaves_lines_that_keep_kinsoku_alone():
    lines = [Line([Segment("body", "甲" * 28, [16.0] * 28, 16.0)], 442.0, False),
             Line([Segment("body", "乙丙。", [16.0] * 3, 16.0)], 442.0, True)]
    assert mend_forced_breaks(lines, -0.21) == set()
    assert [line.text for line in lines] == ["甲" * 28, "乙丙。"]


def test_script_of_and_safe_run_starts():
    assert [script_of(c) for c in "甲aｄ1，…α"] == ["Han", "LATIN", "LATIN", None, None, None, "GREEK"]
    seg = Segment("body", "元，1433the计划", [16.0] * 12, 16.0)
    safe = safe_starts([seg])
    # the comma and digits after Chinese and before Latin letters would be shaped as Latin in a run
    # of their own (Pango gives them the script after them there, the one before them in the box)
    assert {1, 2, 3, 4, 5} & safe == set()
    assert {0, 6, 9, 10} <= safe
    assert safe_starts([Segment("body", "年1433件，", [16.0] * 7, 16.0)]) == set(range(7))


def test_a_glued_number_is_not_cut_from_the_chinese_before_it():
    """``，1433the``: the run holding 1433 starts at the Chinese before it, so the digits' gaps are
    spaced as the Chinese ones and the run is shaped as the line was laid out."""
    size, text = 16.0, "参与计划，1433the计划参与计划参与"
    advances = [size if ord(c) > 0x2000 else 8.0 for c in text]
    line = Line([Segment("body", text, advances, size)], available=sum(advances) + 20.0, last=False)
    plan_line(line, tracking=-0.21)
    starts, at = set(), 0
    for r in line.runs:
        starts.add(at)
        at += len(r.text)
    assert not starts & {4, 5, 6, 7, 8}, line.runs  # ，1433
    assert line.end == pytest.approx(line.available)
    assert _planned_end(line) == pytest.approx(line.available)


def test_a_hanging_space_is_not_drawn_and_a_line_too_tight_does_not_fit():
    """Pango lets a space at a line's end hang past it (pre-wrap): it is taken off the line (the
    PDF's text has the line break there). A line that could only be set with its glyph boxes over
    each other does not fit (``fits`` False), and the build names it."""
    text = "甲" * 28 + "  "
    laid_out = 28 * 16.0 + 27 * -0.21  # the glyphs fill the line; the spaces hang past it
    line = Line([Segment("body", text, [16.0] * 28 + [4.1, 4.1], 16.0)], available=laid_out + 0.3, last=False)
    assert drop_hanging_spaces(line, -0.21) == "  " and line.text == "甲" * 28
    plan_line(line, tracking=-0.21)
    assert line.fits and line.end == pytest.approx(line.available)
    roomy = Line([Segment("body", "甲乙 ", [16.0, 16.0, 4.1], 16.0)], available=200.0, last=True)
    assert drop_hanging_spaces(roomy, -0.21) == "" and roomy.text == "甲乙 "
    tight = Line([Segment("body", "甲" * 5 + "a", [16.0] * 5 + [9.0], 16.0)], available=5 * 16.0, last=True)
    plan_line(tight, tracking=-0.21)
    assert not tight.fits
    assert min(r.spacing for r in tight.runs) < MIN_SPACING
