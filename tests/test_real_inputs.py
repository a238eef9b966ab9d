"""Inputs a real office writes that once went wrong (found in a review of the kinds change), each
with what GB/T 9704 or the README asks for. They run in process on data written here."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pdfplumber
import pytest

from reportgen.build import render_outputs
from reportgen.pipeline import check_fonts, load_parsed
from reportgen.project import Project
from reportgen.errors import ReportgenError
from reportgen.layout import load_layout
from reportgen.source import source_from_bytes

# WeasyPrint's PDF/A code leaves its sRGB profile open; only the in-process PDF builds here notice it.
pytestmark = [pytest.mark.filterwarnings("ignore::ResourceWarning"),
              pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")]

L = load_layout()
TYPE_LEFT, TYPE_RIGHT = L.margin_left, L.page_width - L.margin_right


def load(project_dir: Path, text: str, name: str = "doc.yaml"):
    project = Project(project_dir)
    (project_dir / "data").mkdir(exist_ok=True)
    return project, load_parsed(project, source_from_bytes(text.encode("utf-8"), name), project_dir / name)


def outputs(project_dir: Path, text: str, formats=("txt", "pdf", "docx")) -> dict[str, bytes]:
    project, item = load(project_dir, text)
    chains = check_fonts(project, [item])[0]
    return render_outputs(project, item, chains, formats)


def lines_of(pdf: bytes, page: int = 0):
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [(round(w["x0"], 1), round(w["x1"], 1), round(w["top"], 1), w["text"])
                for w in doc.pages[page].extract_text_lines()]


REPORT = """organ: 重庆市知识产权局
year: 2030
opening:
  - {opening}
sections:
  - heading: 工作开展情况
    paragraphs: [内容。]
"""


def test_a_decimal_at_the_start_of_a_paragraph_is_not_a_typed_number(tmp_path):
    load(tmp_path, REPORT.format(opening="3.5万件发明专利获得授权，同比增长12%。"))


def test_a_notice_with_neither_title_nor_issued_document_is_refused(tmp_path):
    with pytest.raises(ReportgenError) as e:
        load(tmp_path, """kind: notice
organ: 重庆市知识产权局
year: 2034
opening: [现将有关事项通知如下。]
""")  # it would print 重庆市知识产权局关于印发《》的通知
    [d] = e.value.diagnostics
    assert (d.line, d.path) == (1, "") and "issued" in d.message and "{" not in d.message


def test_a_joint_masthead_is_centred_on_the_type_area(tmp_path):
    out = outputs(tmp_path, """organ: 甲市知识产权局
year: 2030
masthead: {organ: [甲市知识产权局, 甲市司法局], number: 甲知发〔2030〕1号}
sections:
  - heading: 工作开展情况
    paragraphs: [内容。]
""", formats=("pdf",))
    with pdfplumber.open(io.BytesIO(out["pdf"])) as pdf:
        big = [c for c in pdf.pages[0].chars if c["size"] > 20]
    left, right = min(c["x0"] for c in big) - TYPE_LEFT, TYPE_RIGHT - max(c["x1"] for c in big)
    assert left == pytest.approx(right, abs=2)  # it was flush left: left 0, right 190 pt


def test_a_masthead_without_number_leaves_the_same_room_in_pdf_and_docx(tmp_path):
    from lxml import etree

    out = outputs(tmp_path, """organ: 甲市知识产权局
year: 2030
masthead: {organ: 甲市知识产权局}
show_title: false
sections:
  - heading: 工作开展情况
    paragraphs: [内容。]
""", formats=("pdf", "docx"))
    heading_top = next(top for _x0, _x1, top, text in lines_of(out["pdf"]) if text.startswith("一、"))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(out["docx"])).read("word/document.xml"))
    above = 0.0  # the DOCX's room above the 一、 heading: every earlier paragraph's spacing and line
    for p in root.find(w + "body").iter(w + "p"):
        spacing = p.find(f"{w}pPr/{w}spacing")
        before = int(spacing.get(w + "before", 0)) / 20 if spacing is not None else 0
        if "".join(t.text or "" for t in p.iter(w + "t")).startswith("一、"):
            above += before
            break
        above += before + (int(spacing.get(w + "after", 0)) + int(spacing.get(w + "line", 0))) / 20
    # The PDF's heading stood about four lines lower than the DOCX's (the 版头 kept the number's and
    # the rule's room); the text's top lies within a line of its line box's top.
    assert heading_top - (L.margin_top + above) == pytest.approx(0, abs=L.line_pitch)


def test_the_units_note_closes_the_item_whatever_follows_its_lead(tmp_path):
    out = outputs(tmp_path, """kind: notice
organ: 重庆市知识产权局
year: 2036
title: 关于做好有关工作的通知
sections:
  - heading: 工作任务
    items:
      - lead: 加强领导。
        text: 内容。
        paragraphs: [第二段内容。]
        units: {lead: [办公室]}
""", formats=("txt",))
    lines = out["txt"].decode().splitlines()
    assert lines[-1] == "第二段内容。（办公室负责）" or lines[-1] == "（办公室负责）"


def test_a_broken_title_line_never_wraps_again_in_the_pdf(tmp_path):
    """Digits count 0.6 字 when a title is broken (the stand-in title face's are 0.594 em): every line
    reportgen chose is one printed line; counted as 0.5 字, the second line wrapped again (…的通 / 知)."""
    text = """kind: notice
organ: 重庆市知识产权局
year: 2035
opening: [现将《工作要点》印发给你们。]
issued:
  title: 重庆市知识产权局2035年工作要点
  sections:
    - heading: 总体要求
      paragraphs: [内容。]
"""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _project, item = load(tmp_path / "a", text)
    lines = item.document.blocks[0].lines
    assert len(lines) > 1
    out = outputs(tmp_path / "b", text, formats=("pdf",))
    with pdfplumber.open(io.BytesIO(out["pdf"])) as pdf:
        chars = [c for c in pdf.pages[0].chars if c["size"] > 20]
    printed = {}
    for c in sorted(chars, key=lambda c: (round(c["top"]), c["x0"])):
        printed.setdefault(round(c["top"]), []).append(c["text"])
    assert ["".join(t) for t in printed.values()] == list(lines)


def test_a_long_sealed_issuer_stays_on_one_line(tmp_path):
    out = outputs(tmp_path, """kind: notice
organ: 重庆市渝中区知识产权工作领导小组办公室
year: 2047
title: 关于做好有关工作的通知
opening: [现将有关事项通知如下。]
signature: {seal: true}
date: 2047-11-25
""", formats=("pdf",))
    texts = [text for *_box, text in lines_of(out["pdf"])]
    assert "重庆市渝中区知识产权工作领导小组办公室" in texts  # today: …领导小组办 / 公室


def test_more_than_two_signers_are_refused_for_now(tmp_path):
    """[7.2.6] two 签发人 stand on the number's line; more go two to a line under the first, which
    reportgen does not set yet: a third is refused with a located error, never printed wrongly."""
    with pytest.raises(ReportgenError) as e:
        load(tmp_path, """organ: 甲市知识产权局
year: 2030
masthead:
  organ: [甲市知识产权局, 乙市知识产权局, 丙市知识产权局]
  number: 甲知文〔2030〕3号
  signers: [王五五, 赵六六, 钱七七]
sections:
  - heading: 工作开展情况
    paragraphs: [内容。]
""")
    [d] = e.value.diagnostics
    assert (d.path, d.line) == ("masthead.signers", 6)


@pytest.mark.parametrize("item, last", [
    ("      - heading: 加强领导\n        paragraphs: [第一段。, 第二段。]\n", "第二段。（办公室负责）"),
    ("      - lead: 加强领导。\n        text: 内容。\n        point_paragraphs: true\n"
     "        points: [甲。, 乙。]\n", "二是乙。（办公室负责）"),
    ("      - heading: 加强领导\n", "（办公室负责）"),
    ("      - lead: 加强领导。\n        text: 内容。\n        points: [甲。, 乙。]\n", "（一）加强领导。内容。一是甲。二是乙。（办公室负责）"),
])
def test_the_units_note_ends_the_items_last_paragraph(tmp_path, item, last):
    out = outputs(tmp_path, "kind: notice\norgan: 某局\nyear: 2036\ntitle: 关于做好有关工作的通知\nsections:\n"
                            "  - heading: 工作任务\n    items:\n" + item + "        units: {lead: [办公室]}\n",
                  formats=("txt",))
    assert out["txt"].decode().splitlines()[-1] == last


def _memo_kind(project: Path, contact_schema: dict, title_ref: str = "title") -> None:
    kind = project / "templates" / "memo"
    kind.mkdir(parents=True)
    (kind / "kind.toml").write_text('label = "备忘"\n', encoding="utf-8")
    (kind / "document.xml.j2").write_text(
        '{%- import "common/blocks.xml.j2" as rg -%}\n<document>\n{{ rg.meta(title, organ) }}{{- rg.title(title) }}\n'
        '</document>\n', encoding="utf-8")
    common = "../common/schema.json#/$defs/"
    (kind / "schema.json").write_text(json.dumps({
        "$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "additionalProperties": False,
        "required": ["kind", "organ", "title"],
        "properties": {"kind": {"$ref": common + "kind"}, "organ": {"$ref": common + "organ"},
                       "title": {"$ref": common + title_ref}, "contact": contact_schema}}), encoding="utf-8")


MEMO = "kind: memo\norgan: 某市知识产权局\ntitle: 备忘录\ncontact: 张三\n"


def test_a_project_kind_with_a_misspelt_ref_gets_a_diagnostic(tmp_path):
    _memo_kind(tmp_path, {"type": "string"}, title_ref="titel")
    with pytest.raises(ReportgenError):
        load(tmp_path, MEMO)


def test_a_project_kind_may_use_a_list_of_types_in_an_any_of(tmp_path):
    _memo_kind(tmp_path, {"anyOf": [{"type": ["string", "number"]}, {"type": "object"}]})
    load(tmp_path, MEMO)


def test_a_layout_overlay_with_zero_characters_a_line_is_refused(tmp_path):
    overlay = tmp_path / "layout.toml"
    overlay.write_text("[grid]\nchars = 0\n", encoding="utf-8")
    with pytest.raises(ValueError):
        load_layout(overlay)


def test_a_template_formatted_over_several_lines_prints_the_same_text(tmp_path):
    kind = tmp_path / "templates" / "memo"
    kind.mkdir(parents=True)
    (kind / "kind.toml").write_text('label = "备忘"\n', encoding="utf-8")
    (kind / "schema.json").write_text(json.dumps({
        "type": "object", "properties": {"kind": {"type": "string"}, "organ": {"type": "string"},
                                         "title": {"type": "string"}, "closing": {"type": "string"}}}),
        encoding="utf-8")
    (kind / "document.xml.j2").write_text(
        '{%- import "common/blocks.xml.j2" as rg -%}\n<document>\n{{ rg.meta(title, organ) }}\n'
        '<p role="closing" src="closing">\n  {{ closing }}\n</p>\n</document>\n', encoding="utf-8")
    out = outputs(tmp_path, "kind: memo\norgan: 某市知识产权局\ntitle: 备忘录\nclosing: 特此备忘。\n", formats=("txt",))
    assert out["txt"].decode() == "特此备忘。\n"


def test_a_paragraph_the_redline_deletes_stays_out_of_the_imprints_table(tmp_path):
    """diff --docx from a notice with a 附注 and a 版记 to the same without the 附注: the deleted 附注
    goes before the 版记's table (the next paragraph B keeps is in it), never into a cell."""
    from lxml import etree

    from reportgen.review.redline import redline_docx

    base = ("kind: notice\norgan: 某局\nyear: 2024\ntitle: 关于召开会议的通知\nopening: [定于3月1日开会。]\n"
            "signature: true\ndate: 2024-02-21\n{note}imprint:\n  cc: [市政府办公室]\n  issuer: 某局办公室\n"
            "  date: 2024-02-21\n")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    project, a = load(tmp_path / "a", base.format(note="note: （此件公开发布）\n"))
    _project, b = load(tmp_path / "b", base.format(note=""))
    docx = redline_docx(a, b, check_fonts(project, [a, b]), date=__import__("datetime").datetime(2024, 3, 1))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml"))
    [deleted] = [p for p in root.iter(w + "p") if p.find(f".//{w}delText") is not None]
    assert "".join(t.text for t in deleted.iter(w + "delText")) == "（此件公开发布）"
    assert deleted.getparent().tag == w + "body"
