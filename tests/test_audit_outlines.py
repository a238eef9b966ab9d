"""audit on the outlines real reports use (domain.md §4, A–F): one project per outline under tests/cases/outlines/,
each imitating a published report (its top comment says which), and the result a superior reading domain.md would
give: which required contents are there, whether the problems state causes, and no finding on normal official
text (a 保密审查 sentence, 问题导向 in a work heading, 安全生产第一责任人, 到2025年)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, run_cli

OUTLINES = ROOT / "tests" / "cases" / "outlines"


def audit(project: Path, *args: str) -> tuple[int, dict]:
    proc = run_cli("audit", *args, "--json", "--lang", "en", cwd=project)
    return proc.returncode, json.loads(proc.stdout)


def copy(tmp_path: Path, case: str) -> Path:
    shutil.copytree(OUTLINES / case, tmp_path / case)
    return tmp_path / case


def statuses(doc: dict) -> dict[str, str]:
    return {r["id"]: r["status"] for r in doc["rules"]}


def found(doc: dict, rule: str) -> list[tuple[str, str]]:
    return [(f["path"], f["how"]) for f in next(c for c in doc["contents"] if c["id"] == rule)["found"]]


PASS = dict.fromkeys(("RG101", "RG102", "RG103", "RG104", "RG106", "RG107", "RG108"), "pass")

# case, year: the statuses of RG101–RG108 that differ from all passing, and where RG103 is found
EXPECTED = {
    ("a-duty-item", "2023"): ({}, [("sections[0].items[0]", "text")]),
    ("a-next-steps", "2021"): ({"RG106": "fail"}, [("sections[0].items[0]", "text")]),
    ("b-four-part", "2023"): ({}, [("sections[0]", "role")]),
    ("c-restated", "2024"): ({"RG105": "pass"}, [("sections[2]", "role")]),
    ("d-thematic", "2019"): ({"RG102": "fail", "RG106": "n/a", "RG108": "n/a"}, [("sections[0].items[0]", "heading")]),
    ("e-npc", "2023"): ({"RG108": "n/a"}, [("sections[0].items[0]", "text")]),
    ("f-department", "2024"): ({"RG102": "fail", "RG103": "fail", "RG104": "fail", "RG106": "n/a", "RG107": "n/a"}, []),
    ("pair", "2023"): ({"RG108": "n/a"}, [("sections[0].items[0]", "heading")]),
    ("pair", "2024"): ({"RG106": "fail", "RG108": "n/a"}, [("sections[0].items[0]", "heading")]),
    ("pair-points", "2023"): ({"RG108": "n/a"}, [("sections[0].items[0]", "text")]),
    ("pair-points", "2024"): ({"RG108": "n/a"}, [("sections[0]", "role")]),
}


@pytest.mark.parametrize("case, year", list(EXPECTED), ids=[f"{c}-{y}" for c, y in EXPECTED])
def test_each_outline_gets_the_result_a_superior_would_give(tmp_path, case, year):
    changed, duty = EXPECTED[(case, year)]
    code, report = audit(copy(tmp_path, case), year)
    (doc,) = [d for d in report["documents"] if d["id"] == year]
    got = statuses(doc)
    want = {**PASS, "RG105": "absent", **changed}
    assert {k: got[k] for k in want} == want
    # Nothing else: no secrecy, numbering, space, punctuation or date finding on these normal texts.
    assert {k for k, v in got.items() if v == "fail"} == {k for k, v in want.items() if v == "fail" and k != "RG105"}
    assert found(doc, "RG103") == duty
    errors = {k for k, v in want.items() if v == "fail" and k != "RG106"}
    assert code == (1 if errors else 0)


def test_work_headings_that_name_a_problem_are_not_the_problems_part(tmp_path):
    # 坚持问题导向, 补齐营商环境短板, 解决群众急难愁盼问题: the thematic report (D) has no problems part.
    _code, report = audit(copy(tmp_path, "d-thematic"))
    (doc,) = report["documents"]
    assert found(doc, "RG102") == []
    assert [p for p, _how in found(doc, "RG101")] == [f"sections[{i}]" for i in range(7)]
    # and in a report that has one, only the problems section is it (not the item 坚持问题导向…)
    _code, report = audit(copy(tmp_path, "a-next-steps"))
    assert found(report["documents"][0], "RG102") == [("sections[1]", "role")]


def test_causes_given_in_the_points_of_a_paragraph_count(tmp_path):
    # C's problems paragraph is a text and its points; only the points give the causes.
    project = copy(tmp_path, "c-restated")
    assert statuses(audit(project)[1]["documents"][0])["RG106"] == "pass"
    path = project / "data" / "years" / "2024.yaml"
    text = path.read_text(encoding="utf-8")
    for cause in ("，主要原因是相关法律法规和监管标准尚不完善。",
                  "，一方面是近年来新进执法人员较多、执法经验不足，另一方面是系统化培训开展不够。"):
        assert cause in text
        text = text.replace(cause, "。")
    path.write_text(text, encoding="utf-8")
    assert statuses(audit(project)[1]["documents"][0])["RG106"] == "fail"


CAUSE = "究其原因，客观上是基层法治工作力量薄弱，镇街普遍缺少专职法制审核人员；主观上是少数领导干部运用法治思维和法治方式推动工作的意识不够强。"


def with_change(tmp_path: Path, case: str, year: str, old: str, new: str) -> dict:
    project = copy(tmp_path, case)
    path = project / "data" / "years" / f"{year}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return audit(project, year)[1]["documents"][0]


@pytest.mark.parametrize("cause", [
    "主要原因是镇街法治机构编制有限、人员流动频繁。",
    "这些问题的产生，既有历史遗留的客观原因，也有部分干部思想认识不到位的主观原因。",
    "受机构改革后人员调整较大等因素影响，基层执法队伍不够稳定。",
    "由于镇街法制审核人员配备不足，部分执法案件审核把关不严。",
    "产生上述问题，一方面是基层法治机构力量薄弱，另一方面是部分干部法治意识不强。",
    "这主要是部分领导干部对法治政府建设重视不够。",
    "这与基层执法人员配备不足、培训不够系统有关。",
    "从客观方面看，基层执法任务重、人员少；从主观方面看，部分干部学法用法积极性不高。",
    "既有客观因素，也有主观因素。",
    "因镇街法治机构编制有限，专职法制审核人员配备不到位。",
])
def test_a_cause_stated_as_real_reports_state_it_passes(tmp_path, cause):
    doc = with_change(tmp_path, "a-duty-item", "2023", CAUSE, cause)
    assert statuses(doc)["RG106"] == "pass"


@pytest.mark.parametrize("symptom", [
    "主要是法治宣传的深度和广度不够，法治队伍建设还需加强。",
    "一方面，执法程序不够规范；另一方面，执法文书制作质量不高。",
    "具体表现为：基层执法力量薄弱，执法人员素质参差不齐。",
])
def test_a_symptom_is_not_taken_for_a_cause(tmp_path, symptom):
    doc = with_change(tmp_path, "a-duty-item", "2023", CAUSE, symptom)
    assert statuses(doc)["RG106"] == "fail"


SECRECY = "严格执行政府信息公开保密审查制度，坚持“先审查、后公开”，严防涉密信息上网，全年主动公开政府信息4200余条。"


@pytest.mark.parametrize("text, fires", [
    ("编印《法治简报》等内部资料12期，加强涉密人员和涉密载体管理。", False),
    ("对涉及国家秘密和不宜公开的信息，依法不予公开。", False),
    ("全区组织保密教育培训，开展涉密计算机专项检查2次。", False),
    ("此件为内部资料，注意保密。", True),
    ("涉密事项另行报告。", True),
])
def test_talk_about_secrecy_is_no_secret_matter(tmp_path, text, fires):
    doc = with_change(tmp_path, "a-duty-item", "2023", SECRECY, text)
    assert (statuses(doc)["RG209"] == "fail") is fires


@pytest.mark.parametrize("text, duty", [
    ("严格落实安全生产第一责任人责任，开展“局长讲法”活动4次。", False),
    ("局主要负责同志认真履行推进法治建设第一责任人的职责，开展“局长讲法”活动4次。", True),
    ("局长带头开展“局长讲法”活动4次，重要工作亲自部署、重大问题亲自过问。", True),
])
def test_the_first_responsible_duty_is_the_rule_of_law_one(tmp_path, text, duty):
    # F has no 第一责任人 part; 行政机关主要负责人出庭应诉 (a lead of it) is another institution.
    doc = with_change(tmp_path, "f-department", "2024", "开展“局长讲法”活动4次。", text)
    assert (statuses(doc)["RG103"] == "pass") is duty


def test_a_plan_drawn_up_in_the_work_part_is_not_the_plans(tmp_path):
    doc = with_change(tmp_path, "f-department", "2024", "lead: 深化“八五”普法。", "lead: 制定年度普法依法治理工作计划。")
    assert statuses(doc)["RG104"] == "fail"


def test_a_work_section_that_names_the_next_year_is_not_the_plans(tmp_path):
    doc = with_change(tmp_path, "d-thematic", "2019", "heading: 发挥法律顾问作用",
                      "heading: 全力服务保障2020年深圳经济特区建立40周年庆祝活动")
    assert found(doc, "RG104") == [("sections[7]", "role")] and statuses(doc)["RG107"] == "pass"
    doc = with_change(tmp_path / "b", "d-thematic", "2019", "heading: 加强规范性文件管理", "heading: 统筹安排规范性文件清理工作")
    assert found(doc, "RG104") == [("sections[7]", "role")]


def test_the_follow_through_of_a_pair_written_independently(tmp_path):
    _code, report = audit(copy(tmp_path, "pair"), "2024")
    best = [(e["plan"], e["matches"][0]["item"] if e["matches"] else None) for e in report["followup"]]
    assert best == [("sections[2].items[0]", "sections[0].items[1]"), ("sections[2].items[1]", "sections[0].items[2]"),
                    ("sections[2].items[2]", "sections[0].items[3]"), ("sections[2].items[3]", None),
                    ("sections[2].items[4]", "sections[0].items[4]")]


def test_plans_written_as_the_points_of_a_paragraph_are_followed_through(tmp_path):
    # 下一步，区政府将重点抓好以下工作：一是…四是… (a report to the 人大常委会); the fourth is not reported on,
    # and no plan is matched to a bare section heading by the words every such report shares (法治、政府).
    _code, report = audit(copy(tmp_path, "pair-points"), "2024")
    entries = report["followup"]
    assert [e["plan"] for e in entries] == [f"sections[2].paragraphs[0].points[{i}]" for i in range(4)]
    assert [[m["item"] for m in e["matches"]] for e in entries] == [
        ["sections[1].items[0]"], ["sections[1].items[1]"], ["sections[1].items[2]"], []]
