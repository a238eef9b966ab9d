"""The PDF's typesetting under text a real office will write: Latin names, URLs, long numbers,
stray and double spaces, runs longer than a line, every pair of full-width brackets.

One stress year file is built through the CLI; every glyph box of its PDF is measured (pdfplumber)
and its text compared with the txt and the DOCX. Probe findings F3 (text off the page or squeezed
into a bar), F4 (overprinted glyphs around spaces and Latin words) and the PDF side of F9 (spaces
collapsed) each have their reproducer in the file. The 版心 comes from the layout.
"""
from __future__ import annotations

import subprocess

import pytest
import yaml
from conftest import make_project, run_cli
from outputs import docx_paragraphs
from pdfmeasure import measure

from reportgen.layout import load_layout
from reportgen.writers.justify import COMPRESSION, NO_LINE_START, gap_compressions

L = load_layout()
OVERLAP = 0.5  # pt: two neighbouring glyph boxes on one line overlap by no more than this
EDGE = 0.5  # pt: no glyph box stands further outside the 版心

OPEN = "（《「『“‘〔【〖〈"
CLOSE = "）》」』”’〕】〗〉"
STRAY = "2023 年，在区委的坚强领导下，各项工作稳步推进，取得明显成效，全面完成年度目标任务，群众满意度进一步提升。"
NAMES = ("本年度参加the Hague Agreement相关活动，积极参与Patent Cooperation Treaty和World Intellectual Property "
         "Organization (WIPO)相关工作，文件以PDF/A-3u格式归档，WIPO全年受理申请1433件。")
#: Latin glued to digits and marks: Pango shapes a digit or …… in the script of the text before it
#: (a Latin digit is wider than a Han one in Noto CJK), so a run cut there would not be shaped as laid out.
GLUED = ("建设5G网络、参与1433the计划，联系WIPO……，参照Treaty1433、“十四五”规划，格式为PDF/A-3u，"
         "编号2023abc与A1B2C3，版本v2.0.1发布，" * 3)
SPACES = "ABC   DEF\tGHI  甲乙丙，单 空格 与 双  空格  混排，World  Intellectual   Property  Organization的文本。"


def url_without_slashes(n: int = 120) -> str:
    return ("www" + "zhishichanquanbaohuzhongxin" * 5)[: n - 3] + ".cn"


def url_with_slashes(n: int = 120) -> str:
    url = "https://www.cnipa.gov.cn/zhuanli/shenqing/guoji/pct/zhinan/2023/wenjian/fujian/xiazai/index"
    while len(url) < n:
        url += "/ye"
    return url[:n]


def stress_year() -> dict:
    pairs = "".join(f"甲{o}乙{c}" for o, c in zip(OPEN, CLOSE))
    adjacent = "".join(f"丙{a}{b}丁" for a in CLOSE + "，。、" for b in OPEN[:5])
    return {
        "organ": "某局",
        "year": 2023,
        "opening": [STRAY, NAMES, GLUED],
        "sections": [
            {"heading": "参与Patent Cooperation Treaty（PCT）与WIPO合作" + "1" * 60,
             "items": [
                 {"lead": "深入参与the Hague Agreement框架，" + "a" * 80 + "。",
                  "text": "网址为" + url_without_slashes() + "。另见" + url_with_slashes() + "，共" + "1234567890" * 8 + "件。"},
                 {"lead": "标点成对。", "text": pairs + "。" + adjacent + "。，。、；：？！" + "……——·" * 6 + "完。"},
                 {"lead": "W" * 300 + "。", "text": "本年度" + "a" * 100 + "。"},
             ]},
            {"heading": "工作" + "1" * 100,
             "paragraphs": [
                 SPACES,
                 "国" * 26 + "  " + "国" * 10 + "。",  # two spaces where the first line is full: they hang
                 "本年度" + "a" * 1000 + "。",
                 "本年度" + "…" * 100 + "。",
                 "编号" + "1" * 100 + "号，" + "《" * 3 + "法" + "》" * 3 + "（" + "）" * 3 + "。",
             ]},
        ],
    }


def write_year(project, data: dict) -> None:
    (project / "data" / "years" / "2023.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, width=10**6), encoding="utf-8")


@pytest.fixture(scope="module")
def stress(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("stress") / "project")
    write_year(project, stress_year())
    run_cli("build", cwd=project, check=True)
    out = project / "output" / "2023"
    pdf = out / "report-2023.pdf"
    return {"pdf": pdf, "txt": out / "report-2023.txt", "docx": out / "report-2023.docx", "pages": measure(pdf)}


def text_lines(pages):
    return [line for page in pages for line in page.lines
            if not (line.text.startswith("—") and line.text.endswith("—"))]


def paragraphs(pages) -> list[list[str]]:
    """The PDF's characters (spaces included, as pdfplumber reads them), line by line, per
    paragraph: a paragraph starts at a line that does not begin at the 版心's left edge."""
    out: list[list[str]] = []
    for line in text_lines(pages):
        if not out or line.x0 > L.margin_left + 2:
            out.append([line.text])
        else:
            out[-1].append(line.text)
    return out


def same_text(lines: list[str], text: str) -> bool:
    """``lines`` are ``text`` broken into lines; spaces at a line break may be left out (they hang
    past the line's end, and the PDF has the line break there, as CSS collapses them)."""
    at = 0
    for i, line in enumerate(lines):
        if text[at:at + len(line)] != line:
            return False
        at += len(line)
        if i < len(lines) - 1:
            while at < len(text) and text[at] == " " and not lines[i + 1].startswith(" "):
                at += 1
    return at == len(text)


def test_no_two_glyphs_on_a_line_overlap(stress):
    """Neighbouring boxes overlap by at most 0.5 pt (the grid's tracking is −0.21 pt); only a
    compressed pair of full-width marks (》《, 。”) shares its blank half, by design."""
    checked = compressed = 0
    for line in text_lines(stress["pages"]):
        for a, b in zip(line.chars, line.chars[1:]):
            shared = gap_compressions(a.text + b.text)[0] * a.size if len(a.text + b.text) == 2 else 0.0
            assert a.x1 - b.x0 <= OVERLAP + shared, (a.text + b.text, round(a.x1 - b.x0, 2), line.text)
            checked += 1
            compressed += shared > 0
    assert checked > 2000 and compressed > 20


def test_no_glyph_outside_the_type_area(stress):
    left, right = L.margin_left, L.page_width - L.margin_right
    top, bottom = L.margin_top, L.page_height - L.margin_bottom
    lines = text_lines(stress["pages"])
    for line in lines:
        for c in line.chars:
            assert left - EDGE <= c.x0 and c.x1 <= right + EDGE, (c.text, c.x0, c.x1, line.text)
            assert top - EDGE <= c.top and c.bottom <= bottom + EDGE, (c.text, c.top, c.bottom, line.text)
    # the 1000 × a paragraph is on the pages, whole: ~20 full lines
    assert sum(line.text.count("a") for line in lines) >= 1000 + 100 + 80


def test_pdf_text_is_the_text_output(stress):
    """pdfplumber's characters, paragraph by paragraph, are the txt's lines: every space kept (two
    and three in a row too) but where it hangs at a line break; a tab is set as one space in the
    PDF (the txt and DOCX keep it)."""
    txt = [line.replace("\t", " ") for line in stress["txt"].read_text(encoding="utf-8").splitlines()]
    pdf = paragraphs(stress["pages"])
    assert len(pdf) == len(txt)
    for lines, text in zip(pdf, txt):
        assert same_text(lines, text), (lines, text)
    assert any("ABC   DEF GHI  甲" in "".join(p) for p in pdf)
    hanging = next(p for p in pdf if p[0].startswith("国"))
    assert "".join(hanging).replace(" ", "") == "国" * 36 + "。" and len(hanging) == 2


def test_pdftotext_reads_every_character_in_order(stress):
    """poppler, with its own word and line heuristics, finds the same characters in the same order
    (overprinted letters come out of order, F4; text off the page is missing, F3)."""
    txt = stress["txt"].read_text(encoding="utf-8")
    plain = subprocess.run(["pdftotext", "-enc", "UTF-8", str(stress["pdf"]), "-"],
                           capture_output=True, text=True, check=True).stdout
    body = "".join(line for line in plain.splitlines() if not (line.startswith("—") and line.endswith("—")))
    assert "".join(body.split()) == "".join(txt.split())


def test_the_docx_has_the_text_output(stress):
    assert docx_paragraphs(stress["docx"]) == stress["txt"].read_text(encoding="utf-8").splitlines()


def test_latin_words_and_numbers_are_not_letter_spaced(stress):
    """Inside WIPO, 1433, PDF/A-3u each glyph follows the previous one at the grid's tracking,
    while the line's Chinese gaps are stretched to make it flush."""
    lines = text_lines(stress["pages"])
    right = L.page_width - L.margin_right
    words = 0
    for line in lines:
        text = line.text
        for word in ("WIPO", "1433", "PDF/A-3u", "Agreement", "Cooperation"):
            at = text.find(word)
            if at < 0:
                continue
            chars = line.chars[at:at + len(word)]
            for a, b in zip(chars, chars[1:]):
                assert (b.x0 - a.x0) - (a.x1 - a.x0) == pytest.approx(L.tracking_pdf, abs=0.1), (word, text)
            words += 1
    assert words >= 5
    justified = [line for line in lines if "Hague" in line.text and abs(line.x1 - right) < 0.5]
    assert justified, "the line with the Hague Agreement is justified"
    cs = justified[0].chars
    cjk_gaps = [b.x0 - a.x1 for a, b in zip(cs, cs[1:]) if not a.text.isascii() and not b.text.isascii()
                and not gap_compressions(a.text + b.text)[0]]
    assert min(cjk_gaps) > L.tracking_pdf + 0.05


def test_no_line_starts_with_a_closing_mark_after_a_broken_run(stress):
    """A run broken because it is longer than a line (``a`` × 100 then 。) does not leave the 。
    alone at a line start: the run's last letter goes with it."""
    for line in text_lines(stress["pages"]):
        if line.x0 <= L.margin_left + 2:  # a continuation line
            assert line.text[0] not in NO_LINE_START, line.text


def test_a_run_of_closing_marks_longer_than_a_line_fails_located(tmp_path):
    """Forty ）in a row cannot be set without a line starting with ）: the build fails at the
    paragraph, writes nothing, and shows no traceback."""
    project = make_project(tmp_path / "p")
    data = {"organ": "某局", "year": 2023,
            "sections": [{"heading": "工作", "paragraphs": ["正文（" + "）" * 40 + "。"]}]}
    write_year(project, data)
    done = run_cli("--lang", "en", "build", cwd=project)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "data/years/2023.yaml:" in done.stderr and "sections[0].paragraphs[0]" in done.stderr
    assert "would start line" in done.stderr and "）" in done.stderr
    assert not (project / "output" / "2023").exists() or not any((project / "output" / "2023").iterdir())


def test_compressed_pairs_are_still_compressed(stress):
    """The stress's bracket pairs keep Word's punctuation compression: on a justified line the step
    across 》《 is the line's ordinary step less half a cell."""
    found = 0
    for line in text_lines(stress["pages"]):
        cs = line.chars
        steps = [b.x0 - a.x0 for a, b in zip(cs, cs[1:])
                 if min(a.x1 - a.x0, b.x1 - b.x0) > a.size * 0.9 and not gap_compressions(a.text + b.text)[0]]
        if len(steps) < 5:
            continue
        ordinary = sorted(steps)[len(steps) // 2]
        for a, b in zip(cs, cs[1:]):
            if a.text + b.text in ("》《", "）（", "”“", "）《", "》（"):
                assert b.x0 - a.x0 == pytest.approx(ordinary - a.size * COMPRESSION, abs=0.5), (a.text + b.text, line.text)
                found += 1
    assert found >= 2


# --- the build fails, located, where a line cannot be set ------------------------------------

@pytest.fixture
def english():
    from reportgen import messages

    messages.set_lang("en")
    yield
    messages.set_lang(None)


def _write_pdf(blocks, **kwargs):
    from reportgen import document as d
    from reportgen.fonts import resolve
    from reportgen.writers.pdf import write_pdf

    doc = d.Document("report", d.Meta(title="测试", organ="测试局", year=2023), tuple(blocks))
    return write_pdf(doc, L, resolve(L), allowed=[], **kwargs)


def test_a_broken_run_whose_stop_cannot_move_fails_located(english):
    """``a`` × k then 。 then a last line already full: whichever k leaves the 。 at a line start,
    its letter cannot go with it without the line running past the 版心, and there is no line
    after it to take the overflow. The build names the paragraph (by its data path) and the line."""
    from reportgen import document as d
    from reportgen.errors import ReportgenError

    blocks = [d.Paragraph.plain("本年度网址" + "a" * k + "。" + "甲" * 27,
                                origin=d.Origin(path=f"opening[{k}]", file="data/years/2023.yaml", line=k, col=5))
              for k in range(40, 140)]
    with pytest.raises(ReportgenError) as e:
        _write_pdf(blocks)
    found = [x for x in e.value.diagnostics if "type area" in x.message]
    assert found, [x.message for x in e.value.diagnostics]
    for x in found:
        assert x.file == "data/years/2023.yaml" and x.path.startswith("opening[") and x.hint
        assert "a。" in x.message and "pt too long" in x.message


def test_text_outside_the_type_area_fails_the_build(monkeypatch, english):
    """The last check before the PDF is written: any text box beyond the 版心's side edges (here a
    note forced onto one line by a stylesheet that forbids wrapping) stops the build."""
    from reportgen import document as d
    from reportgen.errors import ReportgenError
    from reportgen.writers import pdf

    css = pdf.print_css
    monkeypatch.setattr(pdf, "print_css", lambda *a: css(*a) + "\np.note { white-space: nowrap; }")
    with pytest.raises(ReportgenError) as e:
        _write_pdf([d.Paragraph.plain("正文。"), d.Note("a" * 200)])
    [diag] = e.value.diagnostics
    assert "type area" in diag.message and "aaaa" in diag.message and len(diag.message) < 120
    monkeypatch.setattr(pdf, "print_css", css)
    _write_pdf([d.Paragraph.plain("正文。"), d.Note("a" * 200)])  # wrapped, it fits
