"""Chinese throughout and tool-friendly output: --help and usage errors in Chinese (English with --lang en),
YAML and OS errors without English, --json's shape and nulls, a stable code on every diagnostic, and output
piped into ``head`` that ends quietly."""
from __future__ import annotations

import ast
import errno
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, make_project, run_cli

from reportgen import messages
from reportgen.paths import os_reason

ARGPARSE_ENGLISH = re.compile(r"usage|options|positional|arguments|show this help|error:|required|invalid|"
                              r"unrecognized|COMMAND|DOCUMENT|DIR\b")
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")
SAMPLE = "data/years/2023.yaml"


def json_out(proc) -> dict:
    return json.loads(proc.stdout)


@pytest.mark.parametrize("args", [("--help",), ("build", "--help"), ("diff", "--help"), ("import", "--help")])
def test_help_is_chinese_by_default_and_english_with_lang_en(tmp_path, args):
    zh = run_cli(*args, cwd=tmp_path)
    assert zh.returncode == 0, zh.stderr
    assert zh.stdout.startswith("用法：reportgen") and "选项:" in zh.stdout, zh.stdout
    assert "显示本帮助信息并退出" in zh.stdout
    assert not ARGPARSE_ENGLISH.search(zh.stdout), ARGPARSE_ENGLISH.search(zh.stdout)
    en = run_cli("--lang", "en", *args, cwd=tmp_path)
    assert en.returncode == 0 and en.stdout.startswith("usage: reportgen"), en.stdout
    assert "options:" in en.stdout and "show this help message and exit" in en.stdout
    assert not re.search("[\u4e00-\u9fff]{4,}", en.stdout.replace("法治建设情况", "")), en.stdout
    # an English locale gives English too; --lang after the command as well
    assert run_cli(*args, cwd=tmp_path, env={"LANG": "en_US.UTF-8"}).stdout == en.stdout
    assert run_cli(*args, "--lang=en", cwd=tmp_path).stdout == en.stdout


def test_top_level_help_lists_the_commands_in_chinese(tmp_path):
    out = run_cli("--help", cwd=tmp_path).stdout
    assert "位置参数:" in out and "命令" in out
    assert "校验文档，不写入任何文件" in out  # check's help
    assert "显示程序版本号并退出" in out  # --version's


@pytest.mark.parametrize("args,said", [
    (("build", "--bogus"), "reportgen：错误：无法识别的参数：--bogus"),
    (("bild",), "参数 命令：无效的选择：'bild'（可选："),
    (("new",), "reportgen new：错误：缺少以下必需的参数：年份"),
    (("new", "next"), "参数 年份：无效的值：'next'"),
    (("diff", "a", "b", "--color", "blue"), "无效的选择：'blue'"),
])
def test_usage_errors_are_chinese_and_exit_2(tmp_path, args, said):
    proc = run_cli(*args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert said in proc.stderr, proc.stderr
    assert proc.stderr.startswith("用法：")
    assert not ARGPARSE_ENGLISH.search(proc.stderr), proc.stderr
    en = run_cli(*args, "--lang", "en", cwd=tmp_path)
    assert en.returncode == 2 and en.stderr.startswith("usage: ") and " error: " in en.stderr, en.stderr


def test_project_folder_that_does_not_exist(tmp_path):
    missing = tmp_path / "no" / "such" / "dir"
    proc = run_cli("-C", str(missing), "build", cwd=tmp_path)
    assert proc.returncode == 2
    assert f"-C {missing}：没有该文件夹" in proc.stderr, proc.stderr
    assert not missing.parent.exists()
    as_json = run_cli("-C", str(missing), "build", "--json", cwd=tmp_path)
    out = json_out(as_json)
    assert as_json.returncode == 2 and not out["ok"] and out["outputs"] == []
    assert out["errors"][0]["code"] == "no-project-folder" and str(missing) in out["errors"][0]["message"]
    assert (out["errors"][0]["file"], out["errors"][0]["line"], out["errors"][0]["col"]) == (None, None, None)


# Each replaces the sample's ``organ:`` line (line 2) with a YAML mistake a person makes.
YAML_MISTAKES = {
    "indented too little": ("organ: 重庆市知识产权局\nyear: 2023", "organ: 重庆市知识产权局\n year: 2023"),
    "key out of line in a list": ("  - role: work\n    heading: 工作开展情况", "  - role: work\n   heading: 工作开展情况"),
    "tab": ("organ: 重庆市知识产权局", "organ: 重庆市知识产权局\n\tkeywords: x"),
    "unclosed list": ("organ: 重庆市知识产权局", "organ: [重庆市知识产权局"),
    "unclosed quote": ("organ: 重庆市知识产权局", 'organ: "重庆市知识产权局'),
    "reserved character": ("organ: 重庆市知识产权局", "organ: @重庆市知识产权局"),
    "bad escape": ("organ: 重庆市知识产权局", 'organ: "重庆市\\q知识产权局"'),
    "two documents": ("organ: 重庆市知识产权局", "organ: 重庆市知识产权局\n---\nx: 1"),
}


@pytest.mark.parametrize("case", YAML_MISTAKES)
def test_yaml_errors_hold_no_english(tmp_path, case):
    project = make_project(tmp_path / "p")
    path = project / SAMPLE
    old, new = YAML_MISTAKES[case]
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    proc = run_cli("check", "--json", cwd=project)
    assert proc.returncode == 1
    error, = json_out(proc)["errors"]
    assert error["code"] == "yaml-syntax" and error["file"] == SAMPLE
    assert isinstance(error["line"], int) and isinstance(error["col"], int)
    assert error["message"].startswith("语法错误："), error["message"]
    assert not ENGLISH_WORD.search(error["message"]), error["message"]
    assert not ENGLISH_WORD.search(error["hint"].replace("': '", "")), error["hint"]
    en = run_cli("check", "--json", "--lang", "en", cwd=project)
    assert json_out(en)["errors"][0]["message"].startswith("YAML syntax error: ")


def test_indentation_error_says_what_is_out_of_line(tmp_path):
    project = make_project(tmp_path / "p")
    path = project / SAMPLE
    old, new = YAML_MISTAKES["key out of line in a list"]
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    proc = run_cli("check", cwd=project)
    assert "缩进没有对齐：上方的缩进块应在此处结束，这里却是一个键（位于列表中，该处始于第" in proc.stderr, proc.stderr


def test_os_errors_are_chinese(tmp_path):
    proc = run_cli("extract", "missing.pdf", "--json", cwd=tmp_path)
    assert proc.returncode == 1
    out = json_out(proc)
    assert (out["ok"], out["path"], out["warnings"]) == (False, None, [])
    error, = out["errors"]
    assert error["message"] == "无法读取文件：没有该文件或文件夹", error
    assert (error["file"], error["line"], error["col"], error["code"]) == ("missing.pdf", None, None, "extract")
    human = run_cli("extract", "missing.pdf", cwd=tmp_path)
    assert "没有该文件或文件夹" in human.stderr and "No such file" not in human.stderr


@pytest.mark.parametrize("number", [errno.ENOSPC, errno.EROFS, errno.EACCES, errno.ENOENT, errno.ECHILD,
                                    errno.ENOEXEC, errno.EPIPE, None])
def test_every_errno_is_said_without_the_systems_english(number, monkeypatch):
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    messages.set_lang("zh")
    try:
        e = OSError(number, "Some English words") if number is not None else OSError("Some English words")
        reason = os_reason(e)
        assert reason and not ENGLISH_WORD.search(reason), reason
        messages.set_lang("en")
        assert ENGLISH_WORD.search(os_reason(e))
    finally:
        messages.set_lang(None)


def test_new_speaks_the_json_of_the_other_commands(tmp_path):
    project = make_project(tmp_path / "p")
    made = run_cli("new", "2024", "--json", cwd=project)
    assert made.returncode == 0, made.stderr
    assert json_out(made) == {"ok": True, "path": "data/years/2024.yaml", "year": 2024, "errors": [], "warnings": []}
    again = run_cli("new", "2024", "--json", cwd=project)
    out = json_out(again)
    assert again.returncode == 1 and (out["ok"], out["path"], out["warnings"]) == (False, None, [])
    assert [(e["code"], e["file"], e["line"]) for e in out["errors"]] == [("exists", "data/years/2024.yaml", None)]


def test_extract_and_verify_speak_the_json_of_the_other_commands(sample_build, tmp_path):
    pdf = sample_build["pdf"]
    proc = run_cli("extract", str(pdf), "-o", "out.yaml", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    size = (tmp_path / "out.yaml").stat().st_size
    assert json_out(proc) == {"ok": True, "path": "out.yaml", "bytes": size, "errors": [], "warnings": []}
    exists = json_out(run_cli("extract", str(pdf), "-o", "out.yaml", "--json", cwd=tmp_path))
    assert not exists["ok"] and [e["code"] for e in exists["errors"]] == ["exists"]
    both = run_cli("extract", str(pdf), "-o", "-", "--json", cwd=tmp_path)
    assert both.returncode == 2 and json_out(both)["errors"][0]["code"] == "usage"

    project = sample_build["project"]
    ok = run_cli("verify", "--json", cwd=project)
    out = json_out(ok)
    assert ok.returncode == 0 and (out["ok"], out["errors"], out["warnings"]) == (True, [], [])
    assert [(d["id"], d["folder"]) for d in out["documents"]] == [("2023", "output/2023")]
    empty = make_project(tmp_path / "empty")
    nothing = run_cli("verify", "--json", cwd=empty)
    out = json_out(nothing)
    assert nothing.returncode == 1 and not out["ok"] and out["documents"] == []
    assert [(e["code"], e["file"]) for e in out["errors"]] == [("nothing-to-verify", None)]


def _calls(tree: ast.AST, name: str):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if (f.id if isinstance(f, ast.Name) else getattr(f, "attr", None)) == name:
                yield node


def test_every_diagnostic_is_made_with_a_code():
    """A Diagnostic made anywhere in reportgen, and every data check (validate.py's add), names its code."""
    missing = []
    for path in sorted((ROOT / "reportgen").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = list(_calls(tree, "Diagnostic"))
        if path.name == "validate.py":
            calls += [c for c in _calls(tree, "add") if isinstance(c.func, ast.Attribute)]
        for call in calls:
            if not any(k.arg in ("code", None) for k in call.keywords):
                missing.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert not missing, missing


def _pipe(command: str, cwd: Path) -> subprocess.CompletedProcess:
    """``command`` (reportgen's arguments) piped into a reader that stops at once, through sh."""
    reportgen = f"{shlex.quote(sys.executable)} -m reportgen"
    return subprocess.run(["sh", "-c", command.replace("reportgen", reportgen, 1)], cwd=cwd, capture_output=True,
                          text=True, env={"LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"})


def test_output_piped_into_head_ends_quietly(tmp_path):
    project = make_project(tmp_path / "p")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run(["git", "add", "-A"], cwd=project, check=True)
    subprocess.run([*git, "commit", "-qm", "sample"], cwd=project, check=True)
    for command in ("reportgen diff 2023@HEAD 2023 --json | head -c 1",
                    "reportgen audit --json | head -c 1",
                    "reportgen audit --json | true",  # the reader is gone before the first write
                    "reportgen --help | true"):
        proc = _pipe(command, project)
        assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, (command, proc.stderr)
        assert proc.stderr == "", (command, proc.stderr)
        if "head" in command:
            assert proc.stdout == "{", (command, proc.stdout)


def test_a_toml_syntax_error_is_said_in_chinese_at_its_place(tmp_path):
    project = make_project(tmp_path / "p")
    (project / "reportgen.toml").write_text('organ = "某某局"\n[kinds.report\ntitle = "annual"\n', encoding="utf-8")
    proc = run_cli("check", "--json", cwd=project)
    (error,) = json.loads(proc.stdout)["errors"]
    assert proc.returncode == 1 and (error["file"], error["line"]) == ("reportgen.toml", 2)
    assert "表名应以“]”结束" in error["message"] and not re.search(r"[A-Za-z]{2,}", error["message"])
