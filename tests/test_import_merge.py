"""importer.merge: an import taken into an existing year file changes the lines it edits, and no others."""
from __future__ import annotations

import copy
import difflib
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from reportgen.errors import ReportgenError
from reportgen.importer.merge import Change, merge_into
from reportgen.source import parse_source

UNKNOWN = ("metrics", "id", "show_title", "keywords")  # what an import cannot know
EXAMPLES = sorted(ROOT.glob("examples/*/data/*/*.yaml"))


@pytest.fixture
def sample(tmp_path) -> str:
    copy_ = tmp_path / "2023.yaml"
    shutil.copy(ROOT / "data" / "years" / "2023.yaml", copy_)
    return copy_.read_text(encoding="utf-8")


def imported_from(text: str, drop_title: bool = True) -> dict:
    """The data of ``text`` as an import gives it: no metrics, ids, settings (nor the title)."""
    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in UNKNOWN}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    data = strip(parse_source(text, "x.yaml").data)
    if drop_title:
        data.pop("title", None)
    return data


def line_diff(a: str, b: str) -> tuple[list[str], list[str]]:
    """The lines only ``a`` has and the lines only ``b`` has."""
    gone, came = [], []
    for line in difflib.ndiff(a.splitlines(), b.splitlines()):
        if line.startswith("- "):
            gone.append(line[2:])
        elif line.startswith("+ "):
            came.append(line[2:])
    return gone, came


def data_of(text: str) -> dict:
    return parse_source(text, "x.yaml").data


@pytest.mark.parametrize("path", [ROOT / "data" / "years" / "2023.yaml", *EXAMPLES],
                         ids=lambda p: p.parent.parent.parent.name if "examples" in p.parts else "sample")
def test_the_file_itself_merges_back_byte_for_byte(path, tmp_path):
    text = path.read_text(encoding="utf-8")
    merged = merge_into(text, imported_from(text), "x.yaml")
    assert merged.changes == []
    assert merged.text == text


def test_one_text_edit_changes_that_line_only(sample):
    data = imported_from(sample)
    old = data["sections"][0]["items"][2]["text"]
    data["sections"][0]["items"][2]["text"] = old.replace("共立案查办", "全年共立案查办")
    merged = merge_into(sample, data, "2023.yaml")
    assert merged.changes == [Change("sections[0].items[2].text", "changed", old,
                                     data["sections"][0]["items"][2]["text"])]
    gone, came = line_diff(sample, merged.text)
    assert gone == ["        text: " + old]
    assert came == ["        text: " + data["sections"][0]["items"][2]["text"]]
    assert len(merged.text.splitlines()) == len(sample.splitlines())
    assert data_of(merged.text)["sections"][0]["items"][2]["metrics"] == data_of(sample)["sections"][0]["items"][2]["metrics"]


def test_a_deleted_sentence_and_a_changed_figure_change_those_lines_and_the_figures_metric(sample):
    data = imported_from(sample)
    items = data["sections"][0]["items"]
    sentence = "深入学习贯彻《宪法》《民法典》《立法法》《专利法》等重要法律。"
    assert sentence in items[0]["text"]
    items[0]["text"] = items[0]["text"].replace(sentence, "")
    items[3]["text"] = items[3]["text"].replace("对接会14场", "对接会15场")
    merged = merge_into(sample, data, "2023.yaml")
    assert [(c.path, c.kind, c.old, c.new) for c in merged.changes][-1] == (
        "sections[0].items[3].metrics[1].value", "changed", "14", "15")
    assert [(c.path, c.kind) for c in merged.changes][:2] == [("sections[0].items[0].text", "changed"),
                                                              ("sections[0].items[3].text", "changed")]
    gone, came = line_diff(sample, merged.text)
    assert len(gone) == len(came) == 3
    assert came == ["        text: " + items[0]["text"], "        text: " + items[3]["text"],
                    "          - {name: 线上线下供需对接会, value: 15, unit: 场}"]
    before, after = data_of(sample), data_of(merged.text)
    for i in range(5):  # every other metric is kept as it was
        if i != 3:
            assert after["sections"][0]["items"][i].get("metrics") == before["sections"][0]["items"][i].get("metrics")


def test_an_ambiguous_figure_keeps_its_metric(sample):
    """A figure the text names twice is not followed: the metric stays, and check will say so."""
    data = imported_from(sample)
    items = data["sections"][0]["items"]
    items[0]["text"] = items[0]["text"].replace("报告1次", "报告2次")  # 1次 … and the text has 4次 too: still one
    text = sample.replace("专题辅导报告1次", "专题辅导报告1次（另1次）")
    merged = merge_into(text, imported_from(text) | {"sections": data["sections"]}, "2023.yaml")
    assert not any(c.path.endswith("metrics[0].value") for c in merged.changes)
    assert "{name: 专家专题辅导报告, value: 1, unit: 次}" in merged.text


def test_an_item_removed_from_the_middle_removes_its_lines_only(sample):
    data = imported_from(sample)
    removed = data["sections"][0]["items"].pop(2)
    merged = merge_into(sample, data, "2023.yaml")
    assert [(c.path, c.kind) for c in merged.changes] == [("sections[0].items[2]", "removed")]
    assert merged.changes[0].old.startswith(removed["lead"])
    gone, came = line_diff(sample, merged.text)
    assert came == []
    assert gone == ["      - lead: " + removed["lead"], "        text: " + removed["text"], "        metrics:",
                    "          - {name: 立案查办侵犯知识产权案件, value: 1433, unit: 件}",
                    "          - {name: 涉案金额, value: 1954.4, unit: 万元}",
                    "          - {name: 罚没入库金额, value: 900.32, unit: 万元}"]
    before, after = data_of(sample)["sections"][0]["items"], data_of(merged.text)["sections"][0]["items"]
    assert after == before[:2] + before[3:]


def test_an_item_whose_text_is_rewritten_keeps_its_lead_and_metrics(sample):
    data = imported_from(sample)
    data["sections"][0]["items"][4]["text"] = "组织开展知识产权网络竞答活动，参与活动33150人次。"
    merged = merge_into(sample, data, "2023.yaml")
    assert [(c.path, c.kind) for c in merged.changes] == [("sections[0].items[4].text", "changed")]
    assert data_of(merged.text)["sections"][0]["items"][4]["metrics"] == [
        {"name": "知识产权网络竞答活动参与", "value": 33150, "unit": "人次"}]


def test_an_added_paragraph_adds_a_line(sample):
    data = imported_from(sample)
    data["opening"].append("现将有关情况报告如下。")
    merged = merge_into(sample, data, "2023.yaml")
    assert merged.changes == [Change("opening[1]", "added", "", "现将有关情况报告如下。")]
    gone, came = line_diff(sample, merged.text)
    assert gone == [] and came == ["  - 现将有关情况报告如下。"]
    lines = merged.text.splitlines()
    assert lines[lines.index("  - 现将有关情况报告如下。") + 1] == "sections:"


def test_added_and_removed_parts_of_sections(sample):
    data = imported_from(sample)
    del data["sections"][2]["paragraphs"]  # the plans' opening paragraph deleted in Word
    data["sections"][2]["items"].insert(1, {"lead": "加强法治队伍建设。", "text": "开展法治培训。"})
    data["sections"].append({"heading": "其他需要报告的情况", "paragraphs": ["无。"]})
    merged = merge_into(sample, data, "2023.yaml")
    assert [(c.path, c.kind) for c in merged.changes] == [
        ("sections[2].items[1]", "added"), ("sections[2].paragraphs", "removed"), ("sections[3]", "added")]
    gone, came = line_diff(sample, merged.text)
    assert gone == ["    paragraphs:", "      - " + data_of(sample)["sections"][2]["paragraphs"][0]]
    assert came == ["      - lead: 加强法治队伍建设。", "        text: 开展法治培训。",
                    "  - heading: 其他需要报告的情况", "    paragraphs:", "      - 无。"]
    expected = copy.deepcopy(data)
    assert imported_from(merged.text) == expected


def test_the_date_is_compared_and_written_as_a_date(tmp_path):
    reply = next(p for p in EXAMPLES if "reply" in str(p)).read_text(encoding="utf-8")
    data = imported_from(reply)
    assert data["date"] == "2020-03-31"  # the file has it unquoted: a YAML date, the same value
    data["date"] = "2020-04-01"
    merged = merge_into(reply, data, "2020-0584.yaml")
    assert merged.changes == [Change("date", "changed", "2020-03-31", "2020-04-01")]
    assert line_diff(reply, merged.text) == (["date: 2020-03-31"], ["date: 2020-04-01"])


def test_quoting_the_title_and_comments_are_kept(tmp_path):
    reply = next(p for p in EXAMPLES if "reply" in str(p)).read_text(encoding="utf-8")
    data = imported_from(reply)  # no title: the file's three lines and their comment stay
    data["contact"]["phone"] = "67120376"
    data["addressee"] = "杨勇代表："
    merged = merge_into(reply, data, "2020-0584.yaml")
    assert merged.changes == [Change("contact.phone", "changed", "67120375", "67120376")]
    assert line_diff(reply, merged.text) == (
        ['contact: {person: 李薇, phone: "67120375", postcode: "401147"}'],
        ['contact: {person: 李薇, phone: "67120376", postcode: "401147"}'])


def test_an_imported_title_line_is_changed_in_place(tmp_path):
    reply = next(p for p in EXAMPLES if "reply" in str(p)).read_text(encoding="utf-8")
    data = imported_from(reply, drop_title=False)
    data["title"][2] = "办理情况的答复"
    merged = merge_into(reply, data, "2020-0584.yaml")
    assert [(c.path, c.kind, c.new) for c in merged.changes] == [("title[2]", "changed", "办理情况的答复")]
    assert line_diff(reply, merged.text) == (["  - 办理情况的答复函"], ["  - 办理情况的答复"])


def test_lines_ruamel_would_write_otherwise_stay_as_they_are(sample):
    text = (sample.replace("organ: 重庆市知识产权局", "organ:   重庆市知识产权局")
            .replace("{name: 涉案金额, value: 1954.4, unit: 万元}", "{ name: 涉案金额, value: 1954.4, unit: 万元 }"))
    data = imported_from(text)
    data["sections"][1]["heading"] = "存在的问题"
    merged = merge_into(text, data, "2023.yaml")
    assert line_diff(text, merged.text) == (["    heading: 存在的主要问题"], ["    heading: 存在的问题"])


def test_the_files_indentation_line_ends_and_last_line_are_kept(sample):
    text = "\r\n".join(
        ["# other indentation", "organ: 某局", "year: 2023", "masthead:", "    number: 某发〔2023〕1号",
         "sections:", "- heading: 工作情况", "  paragraphs:", "  - 第一段。", "  - 第二段。"])  # no newline at the end
    data = imported_from(text)
    data["sections"][0]["paragraphs"][1] = "第二段，改过。"
    data["masthead"]["number"] = "某发〔2023〕2号"
    merged = merge_into(text, data, "x.yaml")
    assert merged.text == text.replace("第二段。", "第二段，改过。").replace("1号", "2号")


def test_malformed_yaml_is_the_projects_diagnostic():
    with pytest.raises(ReportgenError) as e:
        merge_into("organ: [a\n", {"organ": "a"}, "2023.yaml")
    assert e.value.diagnostics[0].file == "2023.yaml"
    assert e.value.diagnostics[0].line >= 1


def test_a_title_in_lines_is_the_same_title_in_one_text():
    reply = next(p for p in EXAMPLES if "reply" in str(p)).read_text(encoding="utf-8")
    data = imported_from(reply, drop_title=False)
    data["title"] = "".join(data["title"])  # the import read the three printed lines as one title
    assert merge_into(reply, data, "2020-0584.yaml").changes == []


def test_block_and_quoted_texts_keep_their_style():
    text = ("organ: '某局'\nyear: 2023\nsections:\n  - heading: \"工作情况\"\n    paragraphs:\n"
            "      - |-\n        第一段。\n")
    data = imported_from(text)
    assert merge_into(text, data, "x.yaml").text == text
    data["organ"], data["sections"][0]["heading"] = "某某局", "工作开展情况"
    data["sections"][0]["paragraphs"][0] = "第一段，改过。"
    merged = merge_into(text, data, "x.yaml")
    assert merged.text == ("organ: '某某局'\nyear: 2023\nsections:\n  - heading: \"工作开展情况\"\n    paragraphs:\n"
                           "      - |-\n        第一段，改过。\n")


def test_a_top_level_list_is_refused():
    with pytest.raises(ReportgenError) as e:
        merge_into("- a\n", {"organ": "a"}, "2023.yaml")
    assert e.value.diagnostics[0].file == "2023.yaml"


def test_a_moved_item_keeps_its_metrics(sample):
    data = imported_from(sample)
    items = data["sections"][0]["items"]
    items.insert(0, items.pop(2))
    merged = merge_into(sample, data, "2023.yaml")
    assert [(c.path, c.kind) for c in merged.changes] == [("sections[0].items[0]", "added"),
                                                          ("sections[0].items[2]", "removed")]
    before, after = data_of(sample)["sections"][0]["items"], data_of(merged.text)["sections"][0]["items"]
    assert after == [before[2], before[0], before[1], before[3], before[4]]


def test_a_paragraph_given_a_lead_is_changed_in_place(sample):
    data = imported_from(sample)
    first = data["opening"][0]
    data["opening"][0] = {"lead": "总体情况。", "text": first}
    merged = merge_into(sample, data, "2023.yaml")
    assert [(c.path, c.kind, c.old) for c in merged.changes] == [("opening[0]", "changed", first)]
    assert line_diff(sample, merged.text) == (["  - " + first], ["  - lead: 总体情况。", "    text: " + first])
