"""Bad data: file:line:col, the data path, what was expected; exit code 1; output/ untouched."""
from __future__ import annotations

import hashlib
import shutil
import json

import pytest
from conftest import make_project, run_cli

SAMPLE = "data/years/2023.yaml"


def snapshot(folder):
    """Every file under ``folder`` with its SHA-256 and modification time."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def edit(project, old: str, new: str, count: int = 1):
    path = project / SAMPLE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")


CASES = {
    # name: (old, new, line, col, data path, Chinese message, English message)
    "wrong-type": ("year: 2023", 'year: "二〇二三"', 5, 7, "year", "应为整数，实际为文字", "expected a whole number, got text"),
    "unknown-key": ("      - lead: 全面推进法治政府建设。\n", "      - lead: 全面推进法治政府建设。\n        metric: 3\n",
                    None, 9, "sections[0].items[2].metric", "未知的键 'metric'", "unknown key 'metric'"),
    "yaml-syntax": ("organ: 重庆市知识产权局", "organ: [重庆市知识产权局", 5, 5, "", "语法错误：", "YAML syntax error"),
}


@pytest.fixture
def built_project(tmp_path, sample_build):
    """A project whose output/ holds a good build, so we can see that a bad build leaves it alone."""
    project = make_project(tmp_path / "p")
    shutil.copytree(sample_build["project"] / "output", project / "output")
    return project


@pytest.mark.parametrize("case", CASES)
def test_bad_data_fails_with_location_and_leaves_output_untouched(built_project, case):
    old, new, line, col, path, zh, en = CASES[case]
    edit(built_project, old, new)
    if line is None:  # the line the new key landed on
        line = next(i for i, text in enumerate((built_project / SAMPLE).read_text(encoding="utf-8").splitlines(), 1)
                    if text.strip() == "metric: 3")
    before = snapshot(built_project / "output")
    proc = run_cli("build", cwd=built_project)
    assert proc.returncode == 1
    first = proc.stderr.splitlines()[0]
    assert first.startswith(f"{SAMPLE}:{line}:{col}: 错误: "), proc.stderr
    if path:
        assert f": {path}: " in first
    assert zh in first
    assert "生成失败：未写入任何文件" in proc.stderr
    assert snapshot(built_project / "output") == before
    # The offending line is shown, with a caret under the column.
    source_line = (built_project / SAMPLE).read_text(encoding="utf-8").splitlines()[line - 1]
    assert f"{line:>5} | {source_line}" in proc.stderr
    english = run_cli("build", "--lang", "en", cwd=built_project)
    assert english.returncode == 1 and en in english.stderr and "error:" in english.stderr
    by_locale = run_cli("check", cwd=built_project, env={"LANG": "en_US.UTF-8"})
    assert by_locale.returncode == 1 and en in by_locale.stderr


def test_unknown_key_suggests_the_right_one(built_project):
    edit(built_project, *CASES["unknown-key"][:2])
    proc = run_cli("check", cwd=built_project)
    assert "您是否想写 'metrics'？" in proc.stderr


def test_json_errors(built_project):
    edit(built_project, "year: 2023", 'year: "二〇二三"')
    proc = run_cli("build", "--json", cwd=built_project)
    assert proc.returncode == 1
    result = json.loads(proc.stdout)
    assert result["ok"] is False and result["outputs"] == []
    [err] = result["errors"]
    assert (err["file"], err["line"], err["col"], err["path"]) == (SAMPLE, 5, 7, "year")


def test_all_errors_are_reported_at_once(built_project):
    edit(built_project, "year: 2023", 'year: "二〇二三"')
    edit(built_project, "heading: 存在的主要问题", "heading: 存在的主要问题\n    colour: red")
    proc = run_cli("check", "--json", cwd=built_project)
    paths = [e["path"] for e in json.loads(proc.stdout)["errors"]]
    assert paths == ["year", "sections[1].colour"]


@pytest.mark.parametrize("old,new,expected", [
    ("      - lead: 全面推进法治政府建设。", "      - lead: （三）全面推进法治政府建设。", "序号由程序生成，请删除 '（三）'"),
    ("      - lead: 全面推进法治政府建设。", "      - lead: 全面推进法治政府建设", "段首题是一句话，请以“。”结尾"),
    ("value: 1433", "value: 1434", "指标 '立案查办侵犯知识产权案件' = 1434件 没有出现在所属条目的正文中"),
    ("organ: 重庆市知识产权局", "organ: 重庆市知识产权局\nsignature: true", "署名需要成文日期"),
    ("year: 2023", "year: 2024", "文件名对应 2023 年，但内容写的是 2024 年"),
    ("organ: 重庆市知识产权局", "organ: 重庆市知识产权局\norgan: 另一个局", "重复的键 'organ'"),
    ("sections:", "opening2: &a x\nsections:", "未知的键 'opening2'"),
])
def test_content_checks(built_project, old, new, expected):
    edit(built_project, old, new)
    proc = run_cli("check", cwd=built_project)
    assert proc.returncode == 1, proc.stderr
    assert expected in proc.stderr


def test_folded_chinese_text_is_refused(built_project):
    edit(built_project, "  - 2023年，重庆市知识产权局", "  - |\n    2023年，\n    重庆市知识产权局")
    proc = run_cli("check", cwd=built_project)
    assert proc.returncode == 1 and "文字中含有换行" in proc.stderr


def test_aliases_are_refused(built_project):
    edit(built_project, "organ: 重庆市知识产权局", "organ: &o 重庆市知识产权局\nsubtitle: *o")
    proc = run_cli("check", cwd=built_project)
    assert proc.returncode == 1 and "不允许使用别名" in proc.stderr


def test_usage_errors_exit_2(tmp_path):
    assert run_cli("frobnicate", cwd=tmp_path).returncode == 2
    assert run_cli("build", "--nope", cwd=tmp_path).returncode == 2


def test_missing_year_exits_1(built_project):
    proc = run_cli("build", "1999", cwd=built_project)
    assert proc.returncode == 1 and "没有 1999 年的数据文件" in proc.stderr


MINIMAL = "organ: 某局\nyear: 2023\nsections:\n  - heading: 工作情况\n"


@pytest.mark.parametrize("extra,expected,line", [
    ("date: 2023-02-30\n", "'2023-02-30' 不是有效日期", 5),
    ("subtitle: !!int abc\n", "'abc' 无法读作 int", 5),
    ("subtitle: !foo x\n", "不允许使用 !foo 这样的标签", 5),
    ('subtitle: "a\\x0bb"\n', "控制字符 U+000B", 5),
    ("subtitle: a\x01b\n", "控制字符 U+0001", 5),
])
def test_unreadable_values_are_diagnostics_not_tracebacks(tmp_path, extra, expected, line):
    project = tmp_path / "p"
    (project / "data" / "years").mkdir(parents=True)
    (project / "data" / "years" / "2023.yaml").write_text(MINIMAL + extra, encoding="utf-8")
    proc = run_cli("check", cwd=project)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"data/years/2023.yaml:{line}:"), proc.stderr
    assert expected in proc.stderr


def test_deep_nesting_is_a_diagnostic(tmp_path):
    project = tmp_path / "p"
    (project / "data" / "years").mkdir(parents=True)
    (project / "data" / "years" / "2023.yaml").write_text(MINIMAL + "keywords: " + "[" * 3000 + "\n", encoding="utf-8")
    proc = run_cli("check", cwd=project)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr


def test_a_file_with_only_the_required_keys_builds(tmp_path):
    """No opening, no title, no items: the template's optional parts stay empty (a real crash once)."""
    project = tmp_path / "p"
    (project / "data" / "years").mkdir(parents=True)
    (project / "data" / "years" / "2023.yaml").write_text(MINIMAL, encoding="utf-8")
    run_cli("build", cwd=project, check=True)
    text = (project / "output" / "2023" / "report-2023.txt").read_text(encoding="utf-8")
    assert text == "某局2023年法治建设情况\n一、工作情况\n"
