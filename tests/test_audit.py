"""Compliance (issue 10): the content rules, `audit`, the follow-through of last year's plans, the metrics across
the years, `check --strict` and the gate of `finalize`. Every case is a minimal change of the sample, run through
the real command line."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, make_project, run_cli, screenshot_colours

SAMPLE = (ROOT / "data" / "years" / "2023.yaml").read_text(encoding="utf-8")
FOLLOWUP = ROOT / "tests" / "cases" / "followup"
PROBLEMS = "2023年，我局在推进法治建设工作中取得了较好的成绩，但仍然存在着一些突出的问题"


def audit(project: Path, *args: str) -> tuple[int, dict]:
    proc = run_cli("audit", *args, "--json", "--lang", "en", cwd=project)
    return proc.returncode, json.loads(proc.stdout)


def failing(report: dict) -> dict[str, list[dict]]:
    """The rules that found something, by id, with their findings."""
    return {r["id"]: r["findings"] for doc in report["documents"] for r in doc["rules"] if r["status"] == "fail"}


def position(text: str, needle: str, *, value: bool = True) -> tuple[int, int]:
    """The 1-based line and column of ``needle`` in ``text`` (of the value after ``key: `` when ``value``)."""
    offset = text.index(needle)
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def with_text(tmp_path: Path, text: str, name: str = "p") -> Path:
    project = make_project(tmp_path / name)
    (project / "data" / "years" / "2023.yaml").write_text(text, encoding="utf-8")
    return project


# ── the sample: exactly what the real report lacks ──────────────────────────────────────────────────

def test_the_sample_lacks_the_first_responsible_part_and_the_causes_and_nothing_else(tmp_path):
    code, report = audit(make_project(tmp_path / "p"))
    assert code == 1 and report["ok"] is False  # RG103 is an error
    found = failing(report)
    assert set(found) == {"RG103", "RG106"}
    (missing,), (causes,) = found["RG103"], found["RG106"]
    assert (missing["level"], missing["file"], missing["line"], missing["col"]) == ("error", "data/years/2023.yaml",
                                                                                    *position(SAMPLE, "sections:"))
    assert "第一责任人" in missing["message"] and "reportgen.toml" in missing["hint"]
    assert (causes["level"], causes["path"]) == ("warning", "sections[1].paragraphs[0]")
    assert (causes["line"], causes["col"]) == position(SAMPLE, PROBLEMS)
    contents = {c["id"]: c for c in report["documents"][0]["contents"]}
    assert [(c["id"], c["status"]) for c in contents.values()] == [
        ("RG101", "pass"), ("RG102", "pass"), ("RG103", "fail"), ("RG104", "pass"), ("RG105", "absent")]
    assert contents["RG101"]["found"] == [{"path": "sections[0]", "line": position(SAMPLE, "- role: work")[0],
                                           "col": 5, "how": "role", "heading": "工作开展情况"}]
    # No date in the published web version: the window has nothing to check; no year before: nor the metrics.
    statuses = {r["id"]: r["status"] for r in report["documents"][0]["rules"]}
    assert statuses["RG108"] == statuses["RG208"] == "n/a"
    assert report["followup"] == [] and report["metrics"] == []


def test_variant_b_finds_all_five_contents(tmp_path, built):
    project = tmp_path / "variant-b"
    shutil.copytree(ROOT / "tests" / "cases" / "variant-b", project)
    code, report = audit(project)
    assert code == 0 and failing(report) == {}
    contents = {c["id"]: c for c in report["documents"][0]["contents"]}
    assert {k: c["status"] for k, c in contents.items()} == {k: "pass" for k in ("RG101", "RG102", "RG103", "RG104",
                                                                                  "RG105")}
    assert contents["RG103"]["found"][0]["heading"] == "主要负责同志履行推进法治建设第一责任人职责情况"
    assert contents["RG105"]["found"][0]["how"] == "role"
    causes = next(r for r in report["documents"][0]["rules"] if r["id"] == "RG106")
    assert causes["status"] == "pass"


@pytest.mark.parametrize("cause", ["究其原因，主要是基层力量不足。", "由于机构改革尚未完成，人员配备滞后。",
                                   "受疫情影响，部分工作推进较慢。"])
def test_a_problems_paragraph_that_states_a_cause_passes(tmp_path, cause):
    text = SAMPLE.replace("严重制约法治工作有效开展；", "严重制约法治工作有效开展；" + cause)
    _code, report = audit(with_text(tmp_path, text))
    assert "RG106" not in failing(report)


def test_the_problems_heading_alone_states_no_cause(tmp_path):
    # 存在的不足和原因 names causes; the text under it must give them.
    _code, report = audit(with_text(tmp_path, SAMPLE.replace("heading: 存在的主要问题", "heading: 存在的不足和原因")))
    assert "RG106" in failing(report)


def test_a_first_responsible_item_in_the_work_section_counts(tmp_path):
    text = SAMPLE.replace("      - lead: 积极推动知识产权地方法规制度建设。",
                          "      - lead: 主要负责同志切实履行推进法治建设第一责任人职责。\n"
                          "        text: 局主要负责同志带头学法、带头述法，重要工作亲自部署、重大问题亲自过问。\n"
                          "      - lead: 积极推动知识产权地方法规制度建设。", 1)
    code, report = audit(with_text(tmp_path, text))
    assert set(failing(report)) == {"RG106"} and code == 0
    duty = next(c for c in report["documents"][0]["contents"] if c["id"] == "RG103")
    assert duty["found"][0]["path"] == "sections[0].items[1]" and duty["found"][0]["how"] == "heading"


def test_a_plan_that_names_the_first_responsible_duty_does_not_count(tmp_path):
    text = SAMPLE.replace("      - lead: 深入推进机关法治政府建设。", "      - lead: 严格落实第一责任人职责。", 1)
    _code, report = audit(with_text(tmp_path, text))
    assert "RG103" in failing(report)


# ── each rule fires on a minimal change, at the right place ─────────────────────────────────────────

CASES = {
    "plans for the wrong year": ("RG107", "heading: 2024年主要工作思路和打算", "heading: 2025年主要工作思路和打算",
                                 "2025年主要工作思路和打算", "error"),
    "the plans' paragraph opens with the report's year": (
        "RG107", "      - 2024年，法治建设工作要坚持", "      - 2023年，法治建设工作要坚持", "2023年，法治建设工作要坚持", "error"),
    "a date after the deadline": ("RG108", "sections:\n", "date: 2024-04-02\nsections:\n", "2024-04-02", "error"),
    "a date in the year reported on": ("RG108", "sections:\n", "date: 2023-12-28\nsections:\n", "2023-12-28", "error"),
    "a placeholder left": ("RG201", "探索开展中医药、数据知识产权保护规则研究。", "【待填写】", "【待填写】", "error"),
    "a zero-padded date": ("RG206", "已于2023年9月1日起施行", "已于2023年09月01日起施行", "2023年09月01日", "warning"),
    "a 涉密 phrase": ("RG209", "探索开展中医药、数据知识产权保护规则研究。", "涉密事项另行报告。", "涉密事项另行报告。", "error"),
    "a 密级 marking": ("RG209", "organ: 重庆市知识产权局\n", "organ: 重庆市知识产权局\nmasthead: {secrecy: 秘密★1年}\n",
                      "秘密★1年", "error"),
    "typed numbering inside the text": ("RG202", "。加快推进《重庆市知识产权保护条例》和",
                                         "。（1）加快推进《重庆市知识产权保护条例》和", "（1）加快推进", "error"),
    "half-width punctuation": ("RG204", "畅通企业维权渠道。", "畅通企业维权渠道,加强协作。", ",加强协作", "warning"),
    "half-width parentheses": ("RG205", "《条例（修订草案）》", "《条例(修订草案)》", "(修订草案)", "warning"),
    "a space in Chinese text": ("RG203", "深入学习贯彻《宪法》", "深入学习贯彻 《宪法》", " 《宪法》", "warning"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_each_rule_fires_on_a_minimal_change_at_its_place(tmp_path, case):
    rule, old, new, at, level = CASES[case]
    assert old in SAMPLE
    text = SAMPLE.replace(old, new, 1)
    if case == "typed numbering inside the text":  # and the next point of the same text
        text = text.replace("。探索开展中医药", "。（2）探索开展中医药", 1)
    _code, report = audit(with_text(tmp_path, text))
    found = failing(report)
    assert set(found) == {"RG103", "RG106", rule}, found
    (finding,) = found[rule]
    assert finding["level"] == level and finding["file"] == "data/years/2023.yaml"
    assert (finding["line"], finding["col"]) == position(text, at), finding


def test_a_metric_that_jumps_a_hundredfold_from_last_year(tmp_path):
    project = make_project(tmp_path / "p")
    text = SAMPLE.replace("year: 2023", "year: 2024").replace("共立案查办侵犯知识产权案件1433件", "共立案查办侵犯知识产权案件143300件") \
        .replace("{name: 立案查办侵犯知识产权案件, value: 1433, unit: 件}", "{name: 立案查办侵犯知识产权案件, value: 143300, unit: 件}") \
        .replace("2024年", "2025年")
    (project / "data" / "years" / "2024.yaml").write_text(text, encoding="utf-8")
    _code, report = audit(project, "2024")
    (finding,) = failing(report)["RG208"]
    assert finding["level"] == "warning" and finding["path"] == "sections[0].items[2].metrics[0].value"
    assert (finding["line"], finding["col"]) == position(text, "143300, unit")
    assert "1433件" in finding["message"] and "143300件" in finding["message"] and "×100" in finding["message"]
    assert {"name": "立案查办侵犯知识产权案件", "unit": "件",
            "values": [{"year": 2023, "value": 1433}, {"year": 2024, "value": 143300}]} in report["metrics"]


# ── a project's own settings ────────────────────────────────────────────────────────────────────────

def test_a_project_switches_a_rule_off_with_a_reason(tmp_path):
    project = make_project(tmp_path / "p")
    (project / "reportgen.toml").write_text('[rules.RG103]\nseverity = "off"\nreason = "第一责任人履职情况另行专题报告"\n',
                                            encoding="utf-8")
    code, report = audit(project)
    assert code == 0 and set(failing(report)) == {"RG106"}
    rule = next(r for r in report["documents"][0]["rules"] if r["id"] == "RG103")
    assert rule["status"] == "off" and rule["reason"] == "第一责任人履职情况另行专题报告"
    terminal = run_cli("audit", cwd=project).stdout
    assert "第一责任人履职情况另行专题报告" in terminal


@pytest.mark.parametrize("settings, says", [
    ('[rules.RG103]\nseverity = "off"\n', "without a reason"),
    ('[rules.RG999]\nseverity = "off"\nreason = "x"\n', "RG999"),
    ('[rules.RG108]\ndeadlin = "03-01"\n', "did you mean 'deadline'?"),
    ('[rules.RG108]\ndeadline = "13-01"\n', "month and day"),
    ('[rules.RG103]\nseverity = "fatal"\nreason = "x"\n', "severity must be one of"),
])
def test_a_wrong_rule_setting_is_an_error_naming_the_file(tmp_path, settings, says):
    project = make_project(tmp_path / "p")
    (project / "reportgen.toml").write_text(settings, encoding="utf-8")
    proc = run_cli("audit", "--lang", "en", cwd=project)
    assert proc.returncode == 1 and "reportgen.toml" in proc.stderr and says in proc.stderr, proc.stderr


def test_a_local_deadline(tmp_path):
    text = SAMPLE.replace("sections:\n", "date: 2024-03-15\nsections:\n", 1)
    project = with_text(tmp_path, text)
    assert "RG108" not in failing(audit(project)[1])
    (project / "reportgen.toml").write_text('[rules.RG108]\ndeadline = "03-01"\n', encoding="utf-8")
    (finding,) = failing(audit(project)[1])["RG108"]
    assert "2024-03-01" in finding["message"]


def test_a_kind_of_the_project_brings_its_own_rules(tmp_path):
    project = make_project(tmp_path / "p")
    rules = project / "templates" / "report" / "rules.toml"
    rules.parent.mkdir(parents=True)
    rules.write_text((ROOT / "templates" / "report" / "rules.toml").read_text(encoding="utf-8")
                     + '\n[RG150]\ncheck = "content"\nroles = []\nheadings = ["普法"]\n'
                       'title = {zh = "普法", en = "legal education"}\nmessage = {zh = "缺少普法", en = "no legal education"}\n'
                       'hint = {zh = "加上", en = "add it"}\n', encoding="utf-8")
    _code, report = audit(project)
    rule = next(r for r in report["documents"][0]["rules"] if r["id"] == "RG150")
    assert rule["status"] == "pass" and rule["found"][0]["heading"] == "加强知识产权普法宣传教育。"
    rules.write_text('[RG150]\ncheck = "nonesuch"\n', encoding="utf-8")
    proc = run_cli("audit", "--lang", "en", cwd=project)
    assert proc.returncode == 1 and "templates/report/rules.toml" in proc.stderr and "nonesuch" in proc.stderr


def test_the_content_rules_hold_only_the_rule_of_law_report(tmp_path):
    # Seed 001 is a report (kind report) to the 人大常委会 on another matter: no 第一责任人 part is asked of it.
    project = tmp_path / "npc"
    shutil.copytree(ROOT / "examples" / "seed-001-npc-report", project)
    code, report = audit(project)
    assert code == 0 and failing(report) == {}
    assert {c["status"] for c in report["documents"][0]["contents"]} == {"n/a"}


# ── check ───────────────────────────────────────────────────────────────────────────────────────────

def test_check_shows_findings_as_warnings_and_strict_fails_on_them(tmp_path):
    project = make_project(tmp_path / "p")
    proc = run_cli("check", "--json", "--lang", "en", cwd=project)
    out = json.loads(proc.stdout)
    assert proc.returncode == 0 and out["ok"] and out["errors"] == []
    assert [(w["code"], w["level"]) for w in out["warnings"]] == [("RG103", "warning"), ("RG106", "warning")]
    assert "warning[RG103]" in run_cli("check", "--lang", "en", cwd=project).stderr
    strict = run_cli("check", "--strict", "--json", "--lang", "en", cwd=project)
    out = json.loads(strict.stdout)
    assert strict.returncode == 1 and not out["ok"] and {e["code"] for e in out["errors"]} >= {"RG103", "RG106"}


def test_check_reports_a_placeholder_once(tmp_path):
    project = with_text(tmp_path, SAMPLE.replace("探索开展中医药、数据知识产权保护规则研究。", "【待填写】", 1))
    out = json.loads(run_cli("check", "--json", "--lang", "en", cwd=project).stdout)
    assert [w["code"] for w in out["warnings"]].count("RG201") == 1
    assert not any(w["code"] == "todo" for w in out["warnings"])


# ── finalize ────────────────────────────────────────────────────────────────────────────────────────

def test_finalize_refuses_a_placeholder_and_writes_nothing_then_records_a_forced_reason(tmp_path):
    project = with_text(tmp_path, SAMPLE.replace("探索开展中医药、数据知识产权保护规则研究。", "【待填写】", 1))
    (project / "reportgen.toml").write_text('[rules.RG103]\nseverity = "warning"\nreason = "另行报告"\n',
                                            encoding="utf-8")
    run_cli("build", cwd=project, check=True)
    folder = project / "output" / "2023"
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()}
    proc = run_cli("finalize", "2023", "--lang", "en", cwd=project)
    assert proc.returncode == 1 and "error[RG201]" in proc.stderr and "--force --reason" in proc.stderr
    assert {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()} == before  # nothing written
    assert run_cli("finalize", "2023", "--force", cwd=project).returncode == 2  # a reason is required
    assert run_cli("finalize", "2023", "--reason", "x", cwd=project).returncode == 2
    done = run_cli("finalize", "2023", "--force", "--reason", "领导同意先行定稿", "--json", cwd=project, check=True)
    assert json.loads(done.stdout)["version"] == 1
    frozen = json.loads((folder / "final" / "v1" / "manifest.json").read_text(encoding="utf-8"))
    record = frozen["final"]["compliance"]
    assert record["forced"] == "领导同意先行定稿"
    assert [(e["rule"], e["line"]) for e in record["errors"]] == [("RG201", position(SAMPLE, "探索开展中医药")[0])]
    assert record["warnings"] == ["RG103", "RG106"]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["finals"][0]["compliance"] == record
    # The record survives the next build (it is rebuilt from the final's own manifest) and verify passes.
    run_cli("build", cwd=project, check=True)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["finals"][0]["compliance"] == record
    run_cli("verify", cwd=project, check=True)


# ── follow-through and metrics ──────────────────────────────────────────────────────────────────────

def test_each_plan_is_matched_to_the_item_written_about_it(tmp_path):
    project = tmp_path / "followup"
    shutil.copytree(FOLLOWUP, project)
    code, report = audit(project, "2024")
    assert code == 0, report["errors"]
    entries = report["followup"]
    assert [e["plan"] for e in entries] == [f"sections[2].items[{i}]" for i in range(5)]
    assert all(e["of"] == "2023" and e["document"] == "2024" for e in entries)
    # Each of the sample's four plans: its best match is the 2024 item written about it, in other words.
    assert [e["matches"][0]["item"] for e in entries[:4]] == [f"sections[0].items[{i}]" for i in (1, 2, 3, 4)]
    for e in entries[:4]:
        assert 0 < e["matches"][-1]["score"] <= e["matches"][0]["score"] <= 1 and e["matches"][0]["words"]
    assert entries[0]["matches"][0]["score"] > 0.5 and "立法" in entries[0]["matches"][0]["words"]
    assert entries[4]["plan_text"] == "加强法治督察考核。" and entries[4]["matches"] == []  # nobody reported on it
    assert {"name": "立案查办侵犯知识产权案件", "unit": "件",
            "values": [{"year": 2023, "value": 1433}, {"year": 2024, "value": 1520}]} in report["metrics"]
    terminal = run_cli("audit", "2024", "--lang", "en", cwd=project).stdout
    assert "Plans of 2023 followed through in 2024" in terminal and "not reported on" in terminal
    assert "立案查办侵犯知识产权案件 (件): 2023: 1433 → 2024: 1520" in terminal


def test_the_stubs_of_reportgen_new_follow_their_plans(tmp_path):
    project = make_project(tmp_path / "p")
    run_cli("new", "2024", cwd=project, check=True)
    code, report = audit(project, "2024")
    assert code == 1 and "RG201" in failing(report)  # the stubs are still to be written
    assert [e["matches"][0]["item"] for e in report["followup"]] == [f"sections[0].items[{i}]" for i in range(4)]


def test_the_review_page_of_consecutive_years_shows_the_follow_through(tmp_path):
    project = tmp_path / "followup"
    shutil.copytree(FOLLOWUP, project)
    page = tmp_path / "review.html"
    run_cli("diff", "2023", "2024", "--html", str(page), "--lang", "en", cwd=project, check=True)
    html = page.read_text(encoding="utf-8")
    assert "Plans of 2023 followed through in 2024" in html
    assert html.count("not reported on") == 1 and "知识产权地方立法取得突破。" in html
    same = tmp_path / "same.html"
    run_cli("diff", "2024", "2024", "--html", str(same), cwd=project, check=True)
    assert '<section class="followup">' not in same.read_text(encoding="utf-8")


def test_audit_speaks_chinese_by_default(tmp_path):
    proc = run_cli("audit", cwd=make_project(tmp_path / "p"))
    assert "必备内容" in proc.stdout and "错误[RG103]" in proc.stderr and "缺少必备内容" in proc.stderr


def test_every_built_in_rule_speaks_both_languages_with_the_same_placeholders():
    import re
    import tomllib

    seen = set()
    for path in sorted((ROOT / "templates").glob("*/rules.toml")):
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
        for id, table in spec.items():
            if id in ("defaults", "followup") or "check" not in table:
                continue
            assert re.fullmatch(r"RG\d{3}", id) and id not in seen, (path, id)
            seen.add(id)
            for key in ("title", "message", "hint"):
                zh, en = table[key]["zh"], table[key]["en"]
                assert zh and en and re.search(r"[\u4e00-\u9fff]", zh), (id, key)
                assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), (id, key)
    assert len(seen) >= 17


def test_the_audit_page_of_a_two_year_project_in_headless_chromium(tmp_path):
    import re

    project = tmp_path / "followup"
    shutil.copytree(FOLLOWUP, project)
    page = tmp_path / "audit.html"
    proc = run_cli("audit", "--html", str(page), cwd=project)
    assert proc.returncode == 1  # 2023 lacks its 第一责任人 part
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and 'lang="zh-CN"' in html
    for forbidden in ("<script", "<link", "<img", "src=", "http://", "https://", "url(", "@import"):
        assert forbidden not in html, forbidden
    assert set(re.findall(r'href="([^"]*)"', html)) <= {f"#{m}" for m in re.findall(r'id="([^"]+)"', html)}
    assert "必备内容" in html and "未见落实情况报告" in html and "加强法治督察考核。" in html
    assert html.count("<svg") == 1 and "1433" in html and "1520" in html  # the one metric of both years
    counts = screenshot_colours(page, tmp_path, (1200, 4400))
    assert counts.get((0xDA, 0xFB, 0xE1), 0) > 5000, "passed contents are green"
    assert counts.get((0xFF, 0xEB, 0xE9), 0) > 2000, "the missing part and the plan not reported on are red"
    assert counts.get((0x2F, 0x6D, 0xB5), 0) > 1000, "the metric's chart is drawn"


def test_a_previous_year_that_does_not_load_is_said_not_skipped_silently(tmp_path):
    project = tmp_path / "followup"
    shutil.copytree(FOLLOWUP, project)
    (project / "data" / "years" / "2023.yaml").write_text("organ: [\n", encoding="utf-8")
    code, report = audit(project, "2024")
    assert code == 0 and report["followup"] == []
    (note,) = [w for w in report["warnings"] if w["file"] == "data/years/2023.yaml"]
    assert "not followed through" in note["message"]


def test_the_causes_that_pass_the_problems_part_are_shown(tmp_path):
    import re

    project = tmp_path / "variant-b"
    shutil.copytree(ROOT / "tests" / "cases" / "variant-b", project)
    _code, report = audit(project)
    causes = next(r for r in report["documents"][0]["rules"] if r["id"] == "RG106")
    assert causes["found"][0]["path"] == "sections[2].items[0].text" and "原因" in causes["found"][0]["words"]
    page = tmp_path / "audit.html"
    run_cli("audit", "--html", str(page), cwd=project, check=True)
    html = page.read_text(encoding="utf-8")
    assert re.search(r"依据：<ul><li><code>sections\[2\]\.items\[0\]\.text</code> 第37行 原因", html), html
