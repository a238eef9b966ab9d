"""The GB/T 9704 elements every kind can use, measured in the written PDF and read from the DOCX XML:
版头 (7.2), sealed signature (7.3.5.1), 附件说明 and 附件 (7.3.4, 7.3.7), 版记 (7.4), 页码 on the pages
around a 版记 (7.5)."""
from __future__ import annotations

import zipfile

import pdfplumber
import pytest
from conftest import ROOT
from lxml import etree
from pdfmeasure import MM, measure

from reportgen.layout import load_layout

L = load_layout()
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
RED = (1.0, 0.0, 0.0)
TYPE_TOP, TYPE_BOTTOM = L.margin_top, L.page_height - L.margin_bottom
TYPE_LEFT, TYPE_RIGHT = L.margin_left, L.page_width - L.margin_right


def q(name: str) -> str:
    return f"{{{W}}}{name}"


def xml(docx_path, part="word/document.xml"):
    return etree.fromstring(zipfile.ZipFile(docx_path).read(part))


def style(docx_path, style_id):
    return xml(docx_path, "word/styles.xml").find(f"w:style[@w:styleId='{style_id}']", NS)


def colour(chars) -> set:
    return {tuple(round(v, 3) for v in c["non_stroking_color"]) for c in chars}


@pytest.fixture(scope="module")
def reply(built):
    return built(ROOT / "examples" / "seed-004-reply")["2020-0584"]


@pytest.fixture(scope="module")
def notices(built):
    return built(ROOT / "tests" / "cases" / "imprint")


# ── 版头 ─────────────────────────────────────────────────────────────────────────────────────────


def test_masthead_mark_number_and_rule_are_where_gbt9704_puts_them(reply):
    with pdfplumber.open(reply["pdf"]) as pdf:
        page = pdf.pages[0]
        mark = [c for c in page.chars if c["size"] > 20 and c["top"] < TYPE_TOP + 50 * MM]
        assert "".join(c["text"] for c in mark) == "重庆市市场监督管理局"
        assert colour(mark) == {RED}
        top = min(c["top"] for c in mark)
        assert top - TYPE_TOP == pytest.approx(35 * MM, abs=1 * MM)  # [7.2.4] 35 mm below the 版心
        left, right = min(c["x0"] for c in mark) - TYPE_LEFT, TYPE_RIGHT - max(c["x1"] for c in mark)
        assert left == pytest.approx(right, abs=1)  # centred
        bottom = max(c["bottom"] for c in mark)
        number = [c for c in page.chars if abs(c["top"] - min(c["top"] for c in page.chars if c["text"] == "〔")) < 1]
        assert "".join(c["text"] for c in sorted(number, key=lambda c: c["x0"])) == "渝市监函〔2020〕155号"
        assert colour(number) == {(0.0,)} or colour(number) == {(0.0, 0.0, 0.0)}
        gap = min(c["top"] for c in number) - bottom
        assert 2 * L.line_pitch <= gap <= 2.5 * L.line_pitch  # [7.2.5] two lines below the 标志
        [rule] = [r for r in page.rects if tuple(round(v, 3) for v in r["non_stroking_color"]) == RED]
        assert rule["x1"] - rule["x0"] == pytest.approx(156 * MM, abs=1 * MM)  # [7.2.7] as wide as the 版心
        assert rule["x0"] == pytest.approx(TYPE_LEFT, abs=0.5)
        assert rule["top"] - max(c["bottom"] for c in number) == pytest.approx(4 * MM, abs=1 * MM)  # 4 mm below
        title = next(line for line in measure(reply["pdf"])[0].lines if line.text == "重庆市市场监督管理局"
                     and line.size == pytest.approx(22, abs=0.1))
        assert title.top - rule["bottom"] >= 2 * L.line_pitch - 1  # [7.3.1] the title two lines below the rule


def test_masthead_in_the_docx_is_red_with_a_red_rule(reply):
    doc = xml(reply["docx"])
    paragraphs = list(doc.iter(q("p")))
    mark = next(p for p in paragraphs if "".join(t.text for t in p.iter(q("t"))) == "重庆市市场监督管理局")
    assert mark.find("w:pPr/w:pStyle", NS).get(q("val")) == "GWMark"
    rstyle = mark.find(".//w:r/w:rPr/w:rStyle", NS).get(q("val"))
    assert style(reply["docx"], rstyle).find("w:rPr/w:color", NS).get(q("val")) == "FF0000"
    number = next(p for p in paragraphs if "".join(t.text for t in p.iter(q("t"))) == "渝市监函〔2020〕155号")
    border = number.find("w:pPr/w:pBdr/w:bottom", NS)
    assert (border.get(q("val")), border.get(q("color")), border.get(q("sz"))) == ("single", "FF0000", "8")  # 1 pt
    assert int(border.get(q("space"))) == round(4 * MM)  # 4 mm between the number and the rule


def test_a_joint_masthead_stacks_the_organs_with_wen_jian_beside_them(notices):
    pages = measure(notices["2024-02"]["pdf"])
    lines = pages[0].lines
    assert [line.text for line in lines[:3]] == ["000001", "秘密★1年", "特急"]  # [7.2.1–7.2.3] lines 1–3
    for i, line in enumerate(lines[:3]):
        assert line.x0 == pytest.approx(TYPE_LEFT, abs=0.5)
        assert line.bottom == pytest.approx(TYPE_TOP + (i + 1) * L.line_pitch, abs=L.line_pitch / 2)
    assert {c.font for c in lines[1].chars + lines[2].chars} == {"Noto-Sans-CJK-SC"}  # 黑体
    with pdfplumber.open(notices["2024-02"]["pdf"]) as pdf:
        big = [c for c in pdf.pages[0].chars if c["size"] > 30]  # the 标志 (the title is 22 pt)
    names = [c for c in big if c["text"] not in "文件"]
    suffix = [c for c in big if c["text"] in "文件"]
    assert colour(big) == {RED}
    first = [c for c in names if c["top"] < min(x["top"] for x in names) + 1]
    second = [c for c in names if c not in first]
    assert "".join(c["text"] for c in first) == "某市知识产权局" and "".join(c["text"] for c in second) == "某市市场监督管理局"
    assert min(c["top"] for c in first) - TYPE_TOP == pytest.approx(35 * MM, abs=1 * MM)
    # The names are spread to one width (distributed); 文件 stands beside them, centred on the stack.
    assert min(c["x0"] for c in first) == pytest.approx(min(c["x0"] for c in second), abs=0.5)
    assert max(c["x1"] for c in first) == pytest.approx(max(c["x1"] for c in second), abs=1.5)
    assert min(c["x0"] for c in suffix) > max(c["x1"] for c in names)
    stack = (min(c["top"] for c in names) + max(c["bottom"] for c in names)) / 2
    assert (min(c["top"] for c in suffix) + max(c["bottom"] for c in suffix)) / 2 == pytest.approx(stack, abs=2)
    left, right = min(c["x0"] for c in big) - TYPE_LEFT, TYPE_RIGHT - max(c["x1"] for c in big)
    assert left == pytest.approx(right, abs=2)


def test_signer_line_of_an_upward_document(built):
    """[7.2.5, 7.2.6] 上行文: the number one 字 from the left, 签发人 one 字 from the right, the name in 楷体."""
    out = built(ROOT / "tests" / "cases" / "kind-request")["2024-01"]
    [line] = [line for line in measure(out["pdf"])[0].lines if "签发人" in line.text]
    assert line.text == "某知文〔2024〕3号签发人：王五"
    assert line.x0 == pytest.approx(TYPE_LEFT + L.char_pitch, abs=0.5)
    assert line.x1 == pytest.approx(TYPE_RIGHT - L.char_pitch, abs=0.5)
    assert {c.font for c in line.chars if c.text in "王五"} == {"AR-PL-UKai-CN"}
    assert {c.font for c in line.chars if c.text in "签发人："} == {"Noto-Serif-CJK-SC"}


# ── 署名, 附件说明, 附件 ────────────────────────────────────────────────────────────────────────────


def test_sealed_signature_date_right_blank_four_issuer_centred_over_it(reply):
    lines = [line for p in measure(reply["pdf"]) for line in p.lines]
    issuer = [line for line in lines if line.text == "重庆市市场监督管理局"][-1]
    date = next(line for line in lines if line.text == "2020年3月31日")
    # [7.3.5.1] the date's right blank is 4 字, measured on its glyphs whatever its digits' width in the
    # face that serves (the tracking after the last glyph is not ink); the 署名 is centred over it.
    assert TYPE_RIGHT - date.x1 == pytest.approx(4 * L.char_pitch, abs=0.5)
    assert (issuer.x0 + issuer.x1) / 2 == pytest.approx((date.x0 + date.x1) / 2, abs=0.5)
    body = lines[lines.index(issuer) - 1]
    assert issuer.bottom - body.bottom == pytest.approx((L.signature.sealed_blank_lines_before + 1) * L.line_pitch,
                                                        abs=0.5)


def test_attachment_note_and_attachment_pages(notices):
    pages = measure(notices["2024-01"]["pdf"])
    lines = [line for p in pages for line in p.lines]
    first = next(line for line in lines if line.text.startswith("附件："))
    second = lines[lines.index(first) + 1]
    assert first.text == "附件：1.2024年知识产权保护重点任务" and second.text == "2.2024年知识产权保护工作联络员名单"
    assert first.x0 == pytest.approx(TYPE_LEFT + 2 * L.char_pitch, abs=0.5)  # [7.3.4] indented two 字
    number_x = next(c.x0 for c in first.chars if c.text == "1")
    assert second.x0 == pytest.approx(number_x, abs=0.5)  # the next name under the first
    for label, title in (("附件1", "2024年知识产权保护重点任务"), ("附件2", "2024年知识产权保护工作联络员名单")):
        page = next(p for p in pages if p.lines and p.lines[0].text == label)  # [7.3.7] a new page
        head = page.lines[0]
        assert head.x0 == pytest.approx(TYPE_LEFT, abs=0.5) and {c.font for c in head.chars} == {"Noto-Sans-CJK-SC"}
        assert head.bottom == pytest.approx(TYPE_TOP + L.line_pitch, abs=L.line_pitch / 2)  # line 1
        name = page.lines[1]
        assert name.text == title and name.size == pytest.approx(22, abs=0.1)
        assert name.bottom == pytest.approx(TYPE_TOP + 3 * L.line_pitch, abs=L.line_pitch / 2)  # line 3
        assert (name.x0 - TYPE_LEFT) == pytest.approx(TYPE_RIGHT - name.x1, abs=2)  # centred


# ── 版记 and 页码 ──────────────────────────────────────────────────────────────────────────────────


def _imprint_rules(page) -> list[dict]:
    """The 版记's rules, top to bottom, as {top, bottom, x0, x1}. A CSS border is drawn as one path of two
    rectangles filled even-odd (the border box and the padding box): each band between them is a rule."""
    boxes = {(round(r["x0"], 2), round(r["x1"], 2), round(r["top"], 2), round(r["bottom"], 2))
             for r in page.rects if r["x1"] - r["x0"] > 150 * MM and r["top"] > TYPE_TOP + 100 * MM}
    bands = set()
    for outer in boxes:
        for inner in boxes:
            if inner != outer and inner[:2] == outer[:2] and outer[2] <= inner[2] and inner[3] <= outer[3]:
                for top, bottom in ((outer[2], inner[2]), (inner[3], outer[3])):
                    if bottom - top > 0.01:
                        bands.add((top, bottom, outer[0], outer[1]))
    return [{"top": t, "bottom": b, "x0": x0, "x1": x1} for t, b, x0, x1 in sorted(bands)]


def test_imprint_sits_on_the_type_area_bottom_of_the_last_page(notices):
    out = notices["2024-01"]
    with pdfplumber.open(out["pdf"]) as pdf:
        assert len(pdf.pages) == 4
        page = pdf.pages[-1]
        rules = _imprint_rules(page)
        assert len(rules) == 3  # above 抄送, between, below the 印发 line
        assert rules[-1]["bottom"] == pytest.approx(TYPE_BOTTOM, abs=1)  # [7.4.1] on the 版心's bottom edge
        thick, thin = 0.35 * MM, 0.25 * MM
        assert [r["bottom"] - r["top"] for r in rules] == pytest.approx([thick, thin, thick], abs=0.05)
        for r in rules:
            assert r["x0"] == pytest.approx(TYPE_LEFT, abs=0.5) and r["x1"] == pytest.approx(TYPE_RIGHT, abs=0.5)
        text = [c for c in page.chars if c["top"] > rules[0]["top"] and c["bottom"] < TYPE_BOTTOM + 1]
        assert {round(c["size"], 1) for c in text} == {14.0}  # [7.4.2] 4号
    lines = [line for line in measure(out["pdf"])[-1].lines if line.top > rules[0]["top"] and line.bottom < TYPE_BOTTOM + 1]
    cc, issued = lines
    assert cc.text == "抄送：市委办公室，市人大常委会办公室，市政府办公室。"
    assert cc.x0 == pytest.approx(TYPE_LEFT + 14, abs=0.5)  # one 字 in
    assert issued.text == "某市知识产权局办公室2024年2月20日印发"
    assert issued.x0 == pytest.approx(TYPE_LEFT + 14, abs=0.5) and issued.x1 == pytest.approx(TYPE_RIGHT - 14, abs=0.5)
    # The 版记's page holds body text, so it keeps its page number (— 4 —).
    assert measure(out["pdf"])[-1].lines[-1].text.replace(" ", "") == "—4—"


def _footer_fields(docx, section) -> list[bool]:
    """For each footer a section names: whether it holds a PAGE field."""
    rels = etree.fromstring(zipfile.ZipFile(docx).read("word/_rels/document.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    return [bool(list(xml(docx, "word/" + targets[ref.get(rid)]).iter(q("fldChar"))))
            for ref in section.findall("w:footerReference", NS)]


def test_imprint_on_a_page_of_its_own_after_an_odd_page_is_numbered(notices):
    out = notices["2024-02"]
    pages = measure(out["pdf"])
    assert len(pages) == 2  # the body ends on page 1 (odd): the 版记 goes on the back, page 2
    assert pages[0].lines[-1].text.replace(" ", "") == "—1—"
    texts = [line.text for line in pages[1].lines]
    assert texts == ["抄送：市政府办公室。", "某市知识产权局办公室2024年2月21日印发", "— 2 —"]  # no blank page before it
    with pdfplumber.open(out["pdf"]) as pdf:
        assert _imprint_rules(pdf.pages[1])[-1]["bottom"] == pytest.approx(TYPE_BOTTOM, abs=1)
    # The DOCX does the same: a section that starts on an even page and goes on numbering.
    sections = xml(out["docx"]).find("w:body", NS).findall(".//w:sectPr", NS)
    assert len(sections) == 2 and sections[-1].find("w:type", NS).get(q("val")) == "evenPage"
    assert _footer_fields(out["docx"], sections[0]) == _footer_fields(out["docx"], sections[-1]) == [True, True]


def test_imprint_after_a_blank_page_and_both_unnumbered(notices):
    """The body ends on line 21 of page 2: no room for the 版记, and double-sided it belongs on an even
    page, so page 3 is blank and the 版记 is on page 4; neither carries a number [7.5]."""
    out = notices["2024-03"]
    pages = measure(out["pdf"])
    assert len(pages) == 4
    assert [p.lines[-1].text.replace(" ", "") for p in pages[:2]] == ["—1—", "—2—"]
    assert len([line for line in pages[1].lines if set(line.text) == {"国"}]) == 21
    assert pages[2].lines == []
    assert [line.text for line in pages[3].lines] == ["抄送：市政府办公室。", "某市知识产权局办公室2024年2月22日印发"]
    sections = xml(out["docx"]).find("w:body", NS).findall(".//w:sectPr", NS)
    assert len(sections) == 2 and sections[-1].find("w:type", NS).get(q("val")) == "evenPage"
    assert _footer_fields(out["docx"], sections[-1]) == [False, False]  # empty footers of its own


def test_imprint_in_the_docx_floats_on_the_bottom_with_thick_and_thin_rules(notices):
    docx = notices["2024-01"]["docx"]
    [table] = [t for t in xml(docx).iter(q("tbl")) if t.find("w:tblPr/w:tblpPr", NS) is not None]
    pos = table.find("w:tblPr/w:tblpPr", NS)
    assert (pos.get(q("vertAnchor")), pos.get(q("tblpYSpec")), pos.get(q("tblpXSpec"))) == ("margin", "bottom", "center")
    assert table.find("w:tblPr/w:tblW", NS).get(q("w")) == "8844"  # as wide as the 版心
    edges = table.find("w:tblPr/w:tblBorders", NS)
    sizes = {side: edges.find(f"w:{side}", NS).get(q("sz")) for side in ("top", "insideH", "bottom")}
    assert sizes == {"top": "8", "insideH": "6", "bottom": "8"}  # 0.35 mm, 0.25 mm, 0.35 mm in 1/8 pt
    assert {edges.find(f"w:{side}", NS).get(q("val")) for side in ("left", "right", "insideV")} == {"nil"}
    rows = ["".join(t.text for t in tr.iter(q("t"))) for tr in table.iter(q("tr"))]
    assert rows == ["抄送：市委办公室，市人大常委会办公室，市政府办公室。", "某市知识产权局办公室2024年2月20日印发"]
    assert style(docx, "GWImprint").find("w:rPr/w:sz", NS).get(q("val")) == "28"  # 4号


def test_an_imprint_line_too_long_for_the_type_area_fails_check(tmp_path, capsys):
    """The fuzz found a 印发机关 so long that the 印发日期 wrapped below the 版心 (exit 0): check refuses it, at its line."""
    import shutil

    from reportgen.cli import main

    shutil.copytree(ROOT / "tests" / "cases" / "imprint" / "data", tmp_path / "data")
    path = tmp_path / "data" / "notices" / "2024-03.yaml"
    assert main(["-C", str(tmp_path), "check", "2024-03"]) == 0
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("issuer: 某市知识产权局办公室", "issuer: 某市知识产Global Innovation Index权局办公室"),
                    encoding="utf-8")
    capsys.readouterr()
    assert main(["-C", str(tmp_path), "--lang", "en", "check", "2024-03"]) == 1
    err = capsys.readouterr().err
    assert "data/notices/2024-03.yaml:12:11: error: imprint.issuer: the 印发机关 and the 印发日期 take" in err, err
