"""The audit page (compliance/page.py): the JSON of ``reportgen audit --json`` as one self-contained HTML page.

The report used throughout: 2023 passes its contents but has a warning; 2024 misses the 第一责任人 part
(an error); 2024's follow-through of 2023's plans has one plan reported on and one not; two metrics over three
years. Hostile text (``<script>alert(1)</script>&``) sits in a title, a heading, a plan, a metric and a message.
"""
from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET

import pytest

from conftest import screenshot_colours
from reportgen.compliance.page import audit_page
from reportgen.messages import set_lang

EVIL = "<script>alert(1)</script>&"
EVIL_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&amp;"
FORBIDDEN = ("<script", "<link", "<img", "src=", "http://", "https://", "url(", "@import", "xmlns")


def diag(level, file, line, col, path, message, hint, code):
    return {"level": level, "file": file, "line": line, "col": col, "path": path, "message": message,
            "hint": hint, "code": code}


WARN_2023 = diag("warning", "data/years/2023.yaml", 31, 9, "sections[1].items[0].text",
                 "存在的不足只写了表现，未写明原因", "写明产生问题的原因，如“主要原因是……”", "RG106")
ERR_2024 = diag("error", "data/years/2024.yaml", 9, 1, "sections",
                f"缺少必备内容：党政主要负责人履行推进法治建设第一责任人职责情况{EVIL}",
                "加一部分 role: duty，写明主要负责人履行第一责任人职责的情况", "RG103")
WARN_2024 = diag("warning", "data/years/2024.yaml", 40, 9, "sections[2].items[1].text",
                 "存在的不足只写了表现，未写明原因", "写明产生问题的原因", "RG106")


def contents(year: int, duty_missing: bool) -> list[dict]:
    f = f"data/years/{year}.yaml"
    return [
        {"id": "RG101", "title": "主要举措和成效", "severity": "error", "status": "pass",
         "found": [{"path": "sections[0]", "line": 10, "col": 5, "how": "role",
                    "heading": "工作开展情况" if year == 2023 else f"工作开展情况{EVIL}"}], "findings": []},
        {"id": "RG102", "title": "存在的不足", "severity": "error", "status": "pass",
         "found": [{"path": "sections[1]", "line": 28, "col": 5, "how": "heading", "heading": "存在的不足"}],
         "findings": []},
        {"id": "RG103", "title": "党政主要负责人履行推进法治建设第一责任人职责情况", "severity": "error",
         "status": "fail" if duty_missing else "pass",
         "found": [] if duty_missing else [{"path": "sections[2]", "line": 36, "col": 5, "how": "text",
                                            "heading": "主要负责人履职情况"}],
         "findings": [ERR_2024] if duty_missing else []},
        {"id": "RG104", "title": "下一年度主要安排", "severity": "error", "status": "pass",
         "found": [{"path": f"sections[{3 if year == 2023 else 2}]", "line": 42, "col": 5, "how": "role",
                    "heading": f"{year + 1}年工作安排"}], "findings": []},
        {"id": "RG105", "title": "其他需要报告的情况（可选）", "severity": "off", "status": "absent", "found": [],
         "findings": []},
    ]


def rules(year: int, duty_missing: bool, warning: dict) -> list[dict]:
    c = contents(year, duty_missing)
    return c + [
        {"id": "RG106", "title": "存在的不足写明了原因", "severity": "warning", "status": "fail", "findings": [warning]},
        {"id": "RG107", "title": "下一年度安排针对 N+1 年", "severity": "error", "status": "pass", "findings": []},
        {"id": "RG108", "title": "成文日期在报送期限内", "severity": "error", "status": "n/a", "findings": []},
        {"id": "RG203", "title": "中文之间无多余空格", "severity": "off", "status": "off", "reason": "本单位另有规定",
         "findings": []},
    ]


def report() -> dict:
    return {
        "ok": False,
        "documents": [
            {"id": "2023", "file": "data/years/2023.yaml", "kind": "report",
             "title": "重庆市知识产权局2023年法治建设情况", "year": 2023, "errors": 0, "warnings": 1, "contents": contents(2023, False),
             "rules": rules(2023, False, WARN_2023)},
            {"id": "2024", "file": "data/years/2024.yaml", "kind": "report",
             "title": f"重庆市知识产权局2024年法治建设情况{EVIL}", "year": 2024, "errors": 1, "warnings": 1,
             "contents": contents(2024, True), "rules": rules(2024, True, WARN_2024)},
        ],
        "followup": [
            {"document": "2024", "of": "2023", "plan": "sections[3].items[0]",
             "plan_text": "不断加强知识产权法治保障。", "line": 43, "matches": [{"item": "sections[0].items[1]", "text": "知识产权地方立法取得突破。",
                                      "score": 0.67, "words": ["地方", "立法", "地理标志"], "line": 14}]},
            {"document": "2024", "of": "2023", "plan": "sections[3].items[4]",
             "plan_text": f"加强法治督察考核。{EVIL}", "line": 52, "matches": []},
        ],
        "metrics": [
            {"name": "立案查办侵犯知识产权案件", "unit": "件",
             "values": [{"year": 2022, "value": 1210}, {"year": 2023, "value": 1433}, {"year": 2024, "value": 1520}]},
            {"name": f"办理行政复议案件{EVIL}", "unit": "件",
             "values": [{"year": 2022, "value": 12}, {"year": 2023, "value": 9}, {"year": 2024, "value": 15}]},
        ],
        "errors": [ERR_2024],
        "warnings": [WARN_2023, WARN_2024],
    }


@pytest.fixture
def zh():
    set_lang("zh_CN")
    yield
    set_lang(None)


@pytest.fixture
def en():
    set_lang("en")
    yield
    set_lang(None)


def svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(s) for s in re.findall(r"<svg\b.*?</svg>", html, flags=re.S)]


def test_page_shows_verdicts_checklist_rules_followup_and_metrics(zh):
    html = audit_page(report())
    assert html.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in html
    # headings and verdicts
    assert "重庆市知识产权局2023年法治建设情况" in html and "data/years/2023.yaml" in html
    assert "可以定稿" in html and "有 1 个错误，定稿前须改正" in html
    assert "错误 1 个 · 警告 1 个" in html
    # the checklist: marks and classes, where found, the missing content's message and hint
    checklists = re.findall(r'<ul class="checklist">(.*?)</ul>', html, flags=re.S)
    assert len(checklists) == 2
    assert checklists[0].count('class="pass status-pass"') == 4 and "✗" not in checklists[0]
    assert checklists[1].count('class="fail status-fail"') == 1 and checklists[1].count("✗") == 1
    assert checklists[1].count("✓") == 3 and checklists[1].count("—") == 1
    assert "<code>sections[0]</code>「工作开展情况」 第10行" in html
    assert "加一部分 role: duty" in checklists[1] and "缺少必备内容" in checklists[1]
    assert "未写（可选）" in checklists[0]
    # the rules table: severity, result, findings file:line:col, path, hint; the reason of a rule switched off
    tables = re.findall(r'<table class="rules">(.*?)</table>', html, flags=re.S)
    assert len(tables) == 2
    assert "<code>data/years/2023.yaml:31:9</code> <code>sections[1].items[0].text</code>" in tables[0]
    assert "写明产生问题的原因" in tables[0]
    assert "<code>data/years/2024.yaml:9:1</code> <code>sections</code>" in tables[1]
    assert re.search(r"<code>RG106</code></td><td>存在的不足写明了原因</td><td>警告</td>"
                     r'<td class="result warn">', tables[0])
    assert re.search(r'<code>RG103</code></td><td>[^<]*</td><td>错误</td><td class="result fail">未通过</td>', tables[1])
    assert re.search(r'<code>RG108</code>.*?<td class="result na">无须检查</td>', tables[0])
    assert re.search(r'<code>RG105</code></td><td>[^<]*</td><td>可选</td>', tables[0])
    assert "已关闭" in tables[0] and "本单位另有规定" in tables[0]
    # follow-through
    assert "计划落实情况" in html and "不断加强知识产权法治保障。" in html
    assert "<code>sections[3].items[0]</code> 第43行" in html
    assert "知识产权地方立法取得突破。" in html and "<code>sections[0].items[1]</code> 第14行" in html
    assert "67%" in html and 'style="width:67%"' in html
    assert all(f'<span class="word">{w}</span>' in html for w in ("地方", "立法", "地理标志"))
    assert re.search(r'<p class="notreported fail">✗ 未见落实情况报告</p>', html)
    assert html.count("未见落实情况报告") == 1
    # metrics: one column per year, the change from the first year to the last
    assert "指标历年对比" in html
    assert all(f'<th class="num">{y}年</th>' in html for y in (2022, 2023, 2024))
    assert ('<td class="num">1210</td><td class="num">1433</td><td class="num">1520</td>'
            '<td class="num">+25.6%</td>') in html
    assert '<td class="num">+25.0%</td>' in html
    assert len(svgs(html)) == 2


def test_page_escapes_data_and_loads_nothing(zh):
    html = audit_page(report())
    for forbidden in FORBIDDEN:
        assert forbidden not in html, forbidden
    assert "<script" not in html and "alert(1)</script>" not in html
    for text in (f"重庆市知识产权局2024年法治建设情况{EVIL_ESCAPED}", f"工作开展情况{EVIL_ESCAPED}",
                 f"加强法治督察考核。{EVIL_ESCAPED}", f"办理行政复议案件{EVIL_ESCAPED}",
                 f"第一责任人职责情况{EVIL_ESCAPED}"):
        assert text in html, text
    assert set(re.findall(r'href="([^"]*)"', html)) == {"#doc-1", "#doc-2"}  # in-page only


def test_page_is_deterministic(zh):
    first = audit_page(report()).encode("utf-8")
    again = audit_page(copy.deepcopy(report())).encode("utf-8")
    assert first == again


def test_page_in_english(en):
    html = audit_page(report())
    assert '<html lang="en">' in html
    assert "1 error(s): to be corrected before it is finalized" in html
    assert "Follow-through of last year’s plans" in html and "not reported on" in html
    assert "Metrics across the years" in html and "Required contents" in html
    assert "line 10" in html and "第10行" not in html
    for zh_text in ("可以定稿", "计划落实情况", "指标历年对比", "未见落实情况报告", "第10行"):
        assert zh_text not in html, zh_text


def test_empty_followup_and_metrics(zh):
    r = report()
    r["followup"], r["metrics"] = [], []
    r["documents"] = r["documents"][:1]
    r["ok"], r["errors"], r["warnings"] = True, [], [WARN_2023]
    html = audit_page(r)
    assert "<svg" not in html and "计划落实情况" in html and "指标历年对比" in html
    assert "全部文件可以定稿" in html


def test_svg_charts_are_well_formed_with_a_bar_and_a_label_per_year(zh):
    html = audit_page(report())
    charts = svgs(html)
    assert len(charts) == 2
    for svg, values in zip(charts, ([1210, 1433, 1520], [12, 9, 15])):
        assert svg.get("role") == "img" and svg.get("aria-label")
        assert svg.find("title").text == svg.get("aria-label")
        bars = [e for e in svg.iter("rect") if e.get("class") == "bar"]
        assert len(bars) == 3
        heights = [float(b.get("height")) for b in bars]
        assert sorted(range(3), key=heights.__getitem__) == sorted(range(3), key=values.__getitem__)  # to scale
        assert abs(heights[2] / heights[0] - values[2] / values[0]) < 0.01
        labels = [t.text for t in svg.iter("text") if t.get("class") == "value"]
        assert labels == [str(v) for v in values]
        years = [t.text for t in svg.iter("text") if t.get("class") == "year"]
        assert years == ["2022年", "2023年", "2024年"]
    assert "2023年：1433" in charts[0].find("title").text
    assert "办理行政复议案件" + EVIL in charts[1].find("title").text  # escaped in the file, the text itself once parsed


def test_audit_page_in_headless_chromium(zh, tmp_path):
    page = tmp_path / "audit.html"
    page.write_text(audit_page(report()), encoding="utf-8")
    counts = screenshot_colours(page, tmp_path, (1200, 6000))
    assert counts.get((0xDA, 0xFB, 0xE1), 0) > 5000, "passes are green"
    assert counts.get((0xFF, 0xEB, 0xE9), 0) > 2000, "failures are red"
    assert counts.get((0xFF, 0xF8, 0xC5), 0) > 500, "warnings are amber"
    assert counts.get((0x2F, 0x6D, 0xB5), 0) > 3000, "the charts' bars are drawn"


def test_problems_outside_the_documents_are_shown(zh):
    r = report()
    broken = diag("error", "data/years/2025.yaml", 3, 1, "year", f"year 必须是整数{EVIL}", "写成 year: 2025", "")
    r["errors"].append(broken)
    html = audit_page(r)
    others = html.split('<section class="others">', 1)[1]
    assert "其他问题" in others and f"year 必须是整数{EVIL_ESCAPED}" in others
    assert "data/years/2025.yaml:3:1" in others and "2024.yaml" not in others  # the documents' findings not twice
    assert "<script" not in html
    assert '<section class="others">' not in audit_page(report())
