"""Document kinds are folders, their checks come from their schema, and projects change them without code."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from reportgen.errors import ReportgenError

REPORT = "organ: 某局\nyear: 2023\nsections:\n  - heading: 工作情况\n    items:\n      - lead: 引导句。\n        text: 正文。\n"


def load(tmp_path: Path, text: str, files: dict[str, str] | None = None, name: str = "data/years/2023.yaml"):
    """Load one document of a fresh project in-process (checks, template, markup): (Loaded or None, diagnostics)."""
    from reportgen.pipeline import load_year
    from reportgen.project import Project

    for rel, content in {name: text, **(files or {})}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(content, encoding="utf-8")
    try:
        loaded = load_year(Project(tmp_path), tmp_path / name, 2023 if name.startswith("data/years/") else None)
    except ReportgenError as e:
        return None, e.diagnostics
    return loaded, loaded.warnings


def messages(diagnostics, level="error") -> list[tuple[str, str]]:
    return [(d.path, d.message) for d in diagnostics if d.level == level]


def test_an_unknown_kind_is_located_and_the_known_ones_named(tmp_path):
    _doc, diags = load(tmp_path, "kind: letter\n" + REPORT)
    [d] = diags
    assert (d.line, d.col, d.path) == (1, 7, "kind") and "letter" in d.message
    assert "notice, outline, reply, report" in d.hint


def test_the_project_settings_choose_the_derived_title(tmp_path):
    doc, _ = load(tmp_path, REPORT, {"reportgen.toml": '[kinds.report]\ntitle = "report"\n'})
    assert doc.document.meta.title == "某局关于2023年度法治政府建设情况的报告"
    doc, _ = load(tmp_path / "b", REPORT, {"reportgen.toml": '[kinds.report]\ntitle = "{organ}{year}年度法治政府建设工作报告"\n'})
    assert doc.document.blocks[0].lines == ("某局2023年度法治政府建设工作报告",)


def test_an_unknown_project_setting_is_refused_with_a_hint(tmp_path):
    _doc, [d] = load(tmp_path, REPORT, {"reportgen.toml": '[kinds.report]\ntitel = "report"\n'})
    assert d.file == "reportgen.toml" and "titel" in d.message and "'title'" in d.hint


def test_a_kind_file_with_an_unknown_key_or_a_reserved_data_name_is_refused(tmp_path):
    kind = (ROOT / "templates" / "report")
    files = {"templates/report/kind.toml": "pages = 3\n" + (kind / "kind.toml").read_text(encoding="utf-8")}
    _doc, [d] = load(tmp_path / "a", REPORT, files)
    assert d.file == "templates/report/kind.toml" and "pages" in d.message
    schema = (kind / "schema.json").read_text(encoding="utf-8").replace('"keywords":', '"settings": {"type": "string"}, "keywords":')
    _doc, [d] = load(tmp_path / "b", REPORT, {"templates/report/schema.json": schema})
    assert d.file == "templates/report/schema.json" and "settings" in d.message


@pytest.mark.parametrize("text, path, expected", [
    ("        text: 正文。一是加强学习。二是强化保障。\n", "sections[0].items[0].text", "points"),
    ("        points:\n          - lead: 一是推动落地。\n            text: 正文。\n", "sections[0].items[0].points[0].lead", "'一是'"),
    ("        points:\n          - lead: 推动落地\n            text: 正文。\n", "sections[0].items[0].points[0].lead", "。"),
    ("        paragraphs:\n          - （二）正文。\n", "sections[0].items[0].paragraphs[0]", "'（二）'"),
])
def test_typed_numbering_and_unfinished_leads_are_errors(tmp_path, text, path, expected):
    base = "organ: 某局\nyear: 2023\nsections:\n  - heading: 工作情况\n    items:\n      - lead: 引导句。\n"
    if "text:" not in text.split("\n")[0]:
        base += "        text: 正文。\n"
    _doc, diags = load(tmp_path, base + text)
    found = messages(diags)
    assert any(p == path and expected in m for p, m in found), found


def test_heading_punctuation_by_level(tmp_path):
    item = "organ: 某局\nyear: 2023\nsections:\n  - heading: 工作情况\n    items:\n      - heading: 加强组织领导，\n"
    _doc, diags = load(tmp_path / "a", item)
    assert messages(diags) == [("sections[0].items[0].heading", "标题行末尾不加标点，或以“。”结尾")]
    doc, warnings = load(tmp_path / "b", item.replace("加强组织领导，", "加强组织领导。"))
    assert doc is not None and not messages(warnings, "warning")  # a heading line may end in 。
    doc, warnings = load(tmp_path / "c", REPORT.replace("heading: 工作情况", "heading: 工作情况。"))
    assert doc is not None and messages(warnings, "warning") == [("sections[0].heading", "“一、”级标题行末尾不加标点")]


@pytest.mark.parametrize("number, ok", [("渝市监函〔2020〕155号", True), ("渝市监函[2020]155号", False),
                                        ("渝市监函〔2020〕第155号", False), ("渝市监函〔2020〕05号", False),
                                        ("渝市监函（2020）155号", False)])
def test_the_document_number_takes_the_gbt9704_form(tmp_path, number, ok):
    _doc, diags = load(tmp_path, REPORT + f"masthead:\n  number: {number}\n")
    assert (messages(diags) == []) == ok, messages(diags)
    if not ok:
        assert messages(diags)[0][0] == "masthead.number" and "〔" in messages(diags)[0][1]


def test_items_deeper_than_the_layout_levels(tmp_path):
    deep = "organ: 某局\nyear: 2023\nsections:\n  - heading: 工作情况\n    items:\n"
    indent = "      "
    for _level in range(4):
        deep += f"{indent}- heading: 下级\n{indent}  items:\n"
        indent += "    "
    deep += f"{indent}- lead: 最深一级。\n"
    _doc, diags = load(tmp_path, deep)
    assert messages(diags) == [("sections[0].items[0].items[0].items[0].items[0]",  # once, not for its items too
                                "条目层级超过了版式规定的 4 级（一、（一）1.（1））")]


def test_a_layout_overlay_with_an_unknown_setting_is_refused(tmp_path):
    _doc, [d] = load(tmp_path, REPORT, {"templates/report/layout.toml": "[signature]\nblank_lines = 2\n"})
    assert d.file == "templates/report/layout.toml" and "blank_lines" in d.message


def test_a_template_naming_a_role_the_layout_lacks_is_a_template_error(tmp_path):
    template = (ROOT / "templates" / "report" / "document.xml.j2").read_text(encoding="utf-8")
    template = template.replace('<p role="closing" src="closing">{{ closing }}</p>',
                                '<p role="closing" src="closing"><r role="bold">{{ closing }}</r></p>')
    _doc, [d] = load(tmp_path, REPORT + "closing: 特此报告。\n", {"templates/report/document.xml.j2": template})
    assert d.file == "templates/report/document.xml.j2" and "'bold'" in d.message


def test_a_kind_the_project_defines_builds_without_any_code(built):
    """tests/cases/kind-request defines the 请示 (templates/request/): schema, template, layout overlay."""
    case = ROOT / "tests" / "cases" / "kind-request"
    out = built(case)["2024-01"]
    assert out["txt"].name == "request-2024-01.txt"  # the kind names its files
    text = out["txt"].read_text(encoding="utf-8").splitlines()
    assert text[1] == "某知文〔2024〕3号\t签发人：王五" and text[-4] == "妥否，请批示。"  # the kind's setting
    from pdfmeasure import measure

    lines = [line for p in measure(out["pdf"]) for line in p.lines]
    closing = next(line for line in lines if line.text == "妥否，请批示。")
    issuer = lines[lines.index(closing) + 1]
    from reportgen.layout import load_layout

    pitch = load_layout().line_pitch
    assert issuer.bottom - closing.bottom == pytest.approx(4 * pitch, abs=0.5)  # its layout.toml: 3 blank lines
    for path in (ROOT / "reportgen").rglob("*.py"):  # and reportgen knows nothing of it
        assert "request" not in path.read_text(encoding="utf-8").replace("requested", ""), path


def test_check_names_a_kind_error_in_both_languages(tmp_path):
    (tmp_path / "data" / "years").mkdir(parents=True)
    (tmp_path / "data" / "years" / "2023.yaml").write_text("kind: letter\n" + REPORT, encoding="utf-8")
    zh = run_cli("check", cwd=tmp_path)
    en = run_cli("--lang", "en", "check", cwd=tmp_path)
    assert zh.returncode == en.returncode == 1
    assert "data/years/2023.yaml:1:7: 错误: kind: 没有文种 'letter'" in zh.stderr
    assert "data/years/2023.yaml:1:7: error: kind: no document kind 'letter'" in en.stderr


def test_points_that_cannot_be_meant_get_a_warning(tmp_path):
    base = "organ: 某局\nyear: 2023\nsections:\n  - heading: 工作情况\n"
    _doc, warnings = load(tmp_path / "a", base + "    points: [只有一个要点。]\n")
    assert messages(warnings, "warning") == [("sections[0].points", "只有一个要点，编号“一是”之后没有第二个；请写成普通文字")]
    _doc, warnings = load(tmp_path / "b", base + "    point_paragraphs: true\n    paragraphs: [正文。]\n")
    assert messages(warnings, "warning") == [("sections[0].point_paragraphs", "point_paragraphs 旁边没有要点可以分段")]
    doc, warnings = load(tmp_path / "c", base + "    points: [{lead: 推动落地。}, {lead: 强化保障。, text: 建立制度。}]\n")
    assert not messages(warnings, "warning")
    assert doc.document.blocks[-1].text == "一是推动落地。二是强化保障。建立制度。"  # a point may be its lead alone
