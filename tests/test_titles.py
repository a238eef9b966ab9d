"""Breaking long titles (GB/T 9704-2012 7.3.1): whole words, no stranded marks, trapezoid or diamond."""
from __future__ import annotations

import subprocess
import sys
from functools import lru_cache

import pytest

from reportgen.layout import load_layout, zi_width
from reportgen.titles import _TERMS, break_title

L = load_layout()
CAPACITY = L.type_width / L.roles["title"].size  # 20.1 字: a 22 pt title in the 156 mm 版心

CLOSING = "，。、；：？！）》」』”’〕】〉"
OPENING = "（《「『“‘〔【〈"

EXAMPLES = [
    ("重庆市知识产权局关于2023年度法治政府建设情况的报告", ["重庆市知识产权局"], 20,
     ("重庆市知识产权局", "关于2023年度法治政府建设情况的报告")),
    ("天津市静海区人民政府关于2024年法治政府建设情况的报告", [], CAPACITY,
     ("天津市静海区人民政府", "关于2024年法治政府建设情况的报告")),
    # 2 lines would break the meeting's name (市五届人大|三次会议): one line more keeps it whole; the
    # diamond is what the office printed.
    ("重庆市市场监督管理局关于市五届人大三次会议第0584号建议办理情况的答复函", ["重庆市市场监督管理局"], CAPACITY,
     ("重庆市市场监督管理局", "关于市五届人大三次会议第0584号建议", "办理情况的答复函")),
    # The 19-字 organ takes line 1 by itself; the rest (23 字) needs two lines: 》|的 would strand 的通知,
    # so the break is the most balanced one inside the book title (19 / 15 / 8, a trapezoid).
    ("重庆市渝中区知识产权工作领导小组办公室关于印发《2023年渝中区知识产权工作要点》的通知",
     ["重庆市渝中区知识产权工作领导小组办公室"], CAPACITY,
     ("重庆市渝中区知识产权工作领导小组办公室", "关于印发《2023年渝中区知识产权", "工作要点》的通知")),
    # 60 字: 3 lines would have to be 20 + 20 + 20, and the first would end with 〈. Of the 4-line ways, the
    # chosen one splits no name (重庆市|人大常委会 would) and ends line 3 on the closing 》.
    ("重庆市人民政府关于《重庆市人大常委会对〈重庆市高级人民法院关于知识产权审判工作情况的报告〉的审议意见》"
     "研究处理情况的报告", ["重庆市人民政府"], CAPACITY,
     ("重庆市人民政府关于《重庆市人大常委会", "对〈重庆市高级人民法院关于知识产权", "审判工作情况的报告〉的审议意见》",
      "研究处理情况的报告")),
    ("国务院办公厅关于进一步优化营商环境降低市场主体制度性交易成本的意见", ["国务院办公厅"], CAPACITY,
     ("国务院办公厅关于进一步优化营商环境", "降低市场主体制度性交易成本的意见")),
    ("全国人民代表大会常务委员会关于修改《中华人民共和国著作权法》的决定", [], CAPACITY,
     ("全国人民代表大会常务委员会", "关于修改《中华人民共和国著作权法》的决定")),
    ("重庆市渝中区知识产权工作领导小组办公室2023年法治建设情况", ["重庆市渝中区知识产权工作领导小组办公室"], CAPACITY,
     ("重庆市渝中区知识产权工作领导小组办公室", "2023年法治建设情况")),
]

TITLES = [(text, words) for text, words, _, _ in EXAMPLES] + [
    ("中共中央 国务院关于加快建设全国统一大市场的意见", []),
    ("重庆市知识产权局关于印发《重庆市知识产权局2024年法治政府建设工作要点》的通知", ["重庆市知识产权局"]),
    ("重庆市人民政府办公厅关于印发重庆市知识产权保护和运用“十四五”规划（2021—2025年）的通知", ["重庆市人民政府办公厅"]),
    ("国务院关于同意在天津、上海、海南、重庆开展营商环境创新试点工作的批复", ["国务院"]),
    ("重庆市知识产权局 重庆市市场监督管理局关于联合开展知识产权执法专项行动的通知", ["重庆市知识产权局", "重庆市市场监督管理局"]),
    ("最高人民法院 最高人民检察院关于办理侵犯知识产权刑事案件具体应用法律若干问题的解释（三）", []),
    ("关于开展“2024 World IP Day”知识产权宣传周系列活动的通知", []),
    ("重庆市知识产权局关于2023年度法治政府建设情况和2024年度法治政府建设工作安排的报告", ["重庆市知识产权局"]),
    ("关于推进法治建设和法治政府建设深度融合、全面提升人大常委会监督实效的实施意见", []),
    ("重庆市人民政府关于表彰2023年度全市知识产权工作先进集体和先进个人的决定", ["重庆市人民政府"]),
]


def segments(text: str, words: list[str]) -> list[str]:
    """rjieba's words for ``text`` with the same dictionary additions, in a segmenter of the test's own."""
    return _segmenter(tuple(sorted(set(words)))).cut(text)


@lru_cache(maxsize=None)
def _segmenter(words: tuple[str, ...]):
    import rjieba

    jieba = rjieba.Jieba()
    for term in _TERMS:
        jieba.add_word(term, None, "n")
    for word in words:
        jieba.add_word(word, None, "nt")
    return jieba


def unimodal(widths: list[float]) -> bool:
    """A trapezoid (non-decreasing or non-increasing) or a diamond (rising, then falling)."""
    peak = widths.index(max(widths))
    return (all(a <= b for a, b in zip(widths[:peak], widths[1:peak + 1]))
            and all(a >= b for a, b in zip(widths[peak:], widths[peak + 1:])))


@pytest.mark.parametrize(("text", "words", "capacity", "expected"), EXAMPLES,
                         ids=[f"example{i}" for i in range(len(EXAMPLES))])
def test_examples(text, words, capacity, expected):
    assert break_title(text, capacity, words=words) == expected


@pytest.mark.parametrize("capacity", [CAPACITY, 16, 13])
@pytest.mark.parametrize(("text", "words"), TITLES, ids=[f"title{i}" for i in range(len(TITLES))])
def test_invariants(text, words, capacity):
    lines = break_title(text, capacity, words=words)
    assert "".join(lines) == text
    assert all(zi_width(line) <= capacity for line in lines)
    assert len(lines) >= -(-zi_width(text) // capacity)
    for line in lines[1:]:
        assert line[0] not in CLOSING and not line[0].isspace(), lines
    for line in lines[:-1]:
        assert line[-1] not in OPENING and not line[-1].isdecimal(), lines
    words_here = segments(text, words)
    if max(map(zi_width, [*words_here, *words])) > capacity:
        return  # a word wider than a line must be split: test_fallback
    assert unimodal([zi_width(line) for line in lines]), lines
    if capacity == CAPACITY:  # with narrower lines, a line may have to start with 的 after all
        assert not any(line.startswith(("的", "和", "与", "及")) for line in lines[1:]), lines
    # Every break falls between two of rjieba's words, never inside a given word or title term.
    ends, at = {}, 0  # where each word ends → the word
    for word in words_here:
        at += len(word)
        ends[at] = word
    cuts = [len("".join(lines[:i])) for i in range(1, len(lines))]
    for cut in cuts:
        assert cut in ends, f"{lines}: a word split at {cut}"
        assert ends[cut] not in ("关于", "对", "的", "和", "与", "及"), lines
    for name in [*words, *_TERMS]:
        for start in range(len(text)):
            if text.startswith(name, start):
                assert not any(start < cut < start + len(name) for cut in cuts), (name, lines)


def test_short_titles_stay_on_one_line():
    assert break_title("重庆市知识产权局2023年法治建设情况", CAPACITY) == ("重庆市知识产权局2023年法治建设情况",)
    assert break_title("关于2023年度法治政府建设情况的报告", CAPACITY) == ("关于2023年度法治政府建设情况的报告",)
    assert break_title("国" * 20, 20) == ("国" * 20,)  # exactly full still fits
    assert break_title("", 20) == ("",)


def test_fallback():
    # A word of 40 字 cannot stay whole: broken between characters, evenly.
    assert break_title("国" * 40, 20, words=["国" * 40]) == ("国" * 20, "国" * 20)
    # Nothing but words the segmenter makes up: still lines that fit.
    lines = break_title("啊" * 40, 20)
    assert "".join(lines) == "啊" * 40 and all(zi_width(line) <= 20 for line in lines) and len(lines) <= 3
    # Only closing marks: no break keeps the punctuation rule, so it goes too.
    assert break_title("》" * 40, 20) == ("》" * 20, "》" * 20)
    # A 60-digit number (30 字) cannot stay whole either.
    assert break_title("1" * 60, 20) == ("1" * 30, "1" * 30)
    # A tiny capacity: every line fits, and words stay whole where they can.
    text = EXAMPLES[4][0]
    lines = break_title(text, 8, words=["重庆市人民政府"])
    assert "".join(lines) == text and all(zi_width(line) <= 8 for line in lines)
    assert "重庆市人民政府" in lines and "高级人民法院" in lines
    # An organ name wider than the line splits between its own words.
    lines = break_title(EXAMPLES[3][0], 16, words=EXAMPLES[3][1])
    assert lines == ("重庆市渝中区知识产权工作领导小组", "办公室关于印发《2023年渝中区", "知识产权工作要点》的通知")
    with pytest.raises(ValueError):
        break_title(text, 0.5)


def test_numbers_stay_with_what_follows():
    lines = break_title("关于2023年度和2024年度法治政府建设情况及0584号建议办理情况的报告", 12)
    for line in lines[:-1]:
        assert not line[-1].isdecimal(), lines


def test_deterministic_and_independent_of_earlier_calls():
    """rjieba's module dictionary is global: one caller's words must not change another call's result."""
    import rjieba

    text = "国务院办公厅关于进一步优化营商环境降低市场主体制度性交易成本的意见"
    plain = break_title(text, CAPACITY)
    held = break_title(text, CAPACITY, words=["营商环境降低市场"])
    assert plain == ("国务院办公厅关于进一步优化营商环境", "降低市场主体制度性交易成本的意见")
    assert any("营商环境降低市场" in line for line in held)  # kept whole, so the result differs
    for i in range(6):  # more word sets than the segmenter cache holds
        break_title(text, CAPACITY, words=[f"第{i}号"])
    assert break_title(text, CAPACITY) == plain
    assert break_title(text, CAPACITY, words=["营商环境降低市场"]) == held
    assert not rjieba.has_word("营商环境降低市场") and not rjieba.has_word("重庆市市场监督管理局")
    # The same in a fresh process, in the other order.
    code = ("from reportgen.titles import break_title as b; t = %r; w = b(t, %r, words=['营商环境降低市场']); "
            "print(repr((b(t, %r), w)))" % (text, CAPACITY, CAPACITY))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == repr((plain, held))


def test_import_does_not_load_the_segmenter():
    code = ("import sys, reportgen.titles; assert 'rjieba' not in sys.modules; "
            "reportgen.titles.break_title('重庆市知识产权局', 20); assert 'rjieba' not in sys.modules; "
            "reportgen.titles.break_title('国' * 30, 20); assert 'rjieba' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_title_too_long_to_search_is_filled_line_by_line(monkeypatch):
    """The fuzz found titles that took minutes (250 × 》, 300 letters): the search is bounded by a step count,
    then the lines are filled one after another; titles an office writes never reach that bound."""
    import reportgen.titles as titles

    for text in ("某市知识产权局关于印" + "》" * 250 + "发工作规则的通知", "关于" + "a" * 300 + "的通知",
                 "某局关于" + "加强知识产权保护工作，" * 40 + "的通知"):
        lines = break_title(text, 21.0, words=("某市知识产权局",), half=0.6)
        assert "".join(lines) == text
        assert all(zi_width(line, 0.6) <= 21.0 + 1e-9 for line in lines)
    # Every title of the examples and invariants above is searched in full, never filled.
    monkeypatch.setattr(titles, "_filled", lambda *a: pytest.fail("a real title ran out of search steps"))
    for text, words in TITLES:
        for capacity in (13, 21, 28):
            break_title(text, capacity, words=words)
