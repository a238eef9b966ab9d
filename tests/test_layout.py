"""The GB/T 9704 numbers live in one place (layouts/gbt9704.toml) and both writers take them from there."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from reportgen.fonts import resolve
from reportgen.layout import load_layout
from reportgen.numbering import Level, Numberer, chinese_numeral, numbered
from reportgen.writers.pdf import print_css

L = load_layout()
WRITERS = Path(__file__).resolve().parent.parent / "reportgen" / "writers"


def test_derived_values():
    assert L.type_width == pytest.approx(156 * 72 / 25.4)
    assert L.type_height == pytest.approx(225 * 72 / 25.4)
    assert L.line_pitch == pytest.approx(28.95)  # 29 pt would give 21 lines
    assert L.line_pitch * 22 <= L.type_height < (L.line_pitch + 0.05) * 23
    assert L.char_pitch == pytest.approx(15.793, abs=0.001)
    assert L.body.size + L.tracking_pdf <= L.char_pitch
    assert L.body.size + L.tracking_docx_twentieths / 20 <= L.char_pitch


def test_css_lengths_come_from_the_layout():
    css = print_css(L, resolve(L))
    assert f"size: {L.page_width:.3f}pt {L.page_height:.3f}pt" in css
    assert (f"margin: {L.margin_top:.3f}pt {L.margin_right:.3f}pt {L.margin_bottom:.3f}pt "
            f"{L.margin_left:.3f}pt") in css
    assert f"line-height: {L.line_pitch:.3f}pt" in css
    assert f"letter-spacing: {L.tracking_pdf:.3f}pt" in css
    assert f"text-indent: {2 * L.char_pitch:.3f}pt" in css


def test_no_length_literals_in_the_writers():
    """Every mm/pt value in the writers comes from the Layout; only 0 may be written literally."""
    literal = re.compile(r"(?<![\w.{])(\d+(?:\.\d+)?)\s*(mm|pt)\b")
    comments = re.compile(r'/\*.*?\*/|\{#.*?#\}|""".*?"""|#[^\n]*', re.S)
    for path in list(WRITERS.glob("*.py")) + list(WRITERS.glob("*.j2")):
        code = comments.sub(lambda m: "\n" * m.group(0).count("\n"), path.read_text(encoding="utf-8"))
        for lineno, line in enumerate(code.splitlines(), 1):
            for value, unit in literal.findall(line):
                assert float(value) == 0, f"{path.name}:{lineno}: literal {value}{unit}"


def test_numbering():
    assert [chinese_numeral(n) for n in (1, 9, 10, 11, 20, 21, 99)] == ["一", "九", "十", "十一", "二十", "二十一", "九十九"]
    assert [chinese_numeral(n) for n in (100, 101, 110, 111, 1010)] == ["一百", "一百零一", "一百一十", "一百一十一", "一千零一十"]
    assert [numbered(L.numbering.point, n) for n in (1, 10, 11, 20)] == ["一是", "十是", "十一是", "二十是"]
    n = Numberer(L.levels)
    assert [n.next(1), n.next(2), n.next(2), n.next(3), n.next(4), n.next(3), n.next(1), n.next(2)] == \
        ["一、", "（一）", "（二）", "1.", "（1）", "2.", "二、", "（一）"]


def test_a_level_that_runs_on_through_the_part():
    """reset = "part" (a 纲要, a 工作要点): （三） follows 一's （一）（二）; the level below still restarts."""
    levels = (Level("{cn}、", "heading1"), Level("（{cn}）", "heading2", "part"), Level("{n}.", "heading3"))
    n = Numberer(levels)
    assert [n.next(1), n.next(2), n.next(2), n.next(1), n.next(2), n.next(3), n.next(2), n.next(3)] == \
        ["一、", "（一）", "（二）", "二、", "（三）", "1.", "（四）", "1."]
