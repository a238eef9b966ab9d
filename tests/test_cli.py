"""The commands as users run them: build, check, new, fonts; --json; printed paths."""
from __future__ import annotations

import json

import pytest
import yaml
from conftest import make_project, run_cli


def test_build_prints_every_output_path(tmp_path):
    project = make_project(tmp_path / "p")
    proc = run_cli("build", "2023", cwd=project, check=True)
    for fmt in ("txt", "docx", "pdf", "html"):
        assert f"output/2023/report-2023.{fmt}" in proc.stdout
        assert (project / "output" / "2023" / f"report-2023.{fmt}").stat().st_size > 0
    assert not list((project / "output" / "2023").glob(".*.tmp"))  # no temporary file left behind


def test_build_json(tmp_path):
    project = make_project(tmp_path / "p")
    result = json.loads(run_cli("build", "--json", cwd=project, check=True).stdout)
    assert result["ok"] is True and result["errors"] == []
    assert {o["format"] for o in result["outputs"]} == {"txt", "docx", "pdf", "html", "manifest.json",
                                                        "SHA256SUMS"}
    for o in result["outputs"]:
        assert (project / o["path"]).stat().st_size == o["bytes"]


def test_project_option_and_year_file_path(tmp_path):
    project = make_project(tmp_path / "p")
    proc = run_cli("-C", str(project), "check", "--json", cwd=tmp_path, check=True)
    assert json.loads(proc.stdout)["checked"] == ["data/years/2023.yaml"]
    proc = run_cli("check", str(project / "data" / "years" / "2023.yaml"), "-C", str(project), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_new_scaffolds_next_year_from_last_years_plans(tmp_path):
    project = make_project(tmp_path / "p")
    proc = run_cli("new", "2024", cwd=project, check=True)
    assert "data/years/2024.yaml" in proc.stdout
    data = yaml.safe_load((project / "data" / "years" / "2024.yaml").read_text(encoding="utf-8"))
    last = yaml.safe_load((project / "data" / "years" / "2023.yaml").read_text(encoding="utf-8"))
    assert data["organ"] == last["organ"] and data["year"] == 2024
    assert [s["heading"] for s in data["sections"]] == ["工作开展情况", "存在的主要问题", "2025年主要工作思路和打算"]
    last_plans = [i["lead"] for i in last["sections"][2]["items"]]
    assert [i["lead"] for i in data["sections"][0]["items"]] == last_plans
    check = run_cli("check", "2024", cwd=project)
    assert check.returncode == 0 and "尚待填写：【待填写】" in check.stderr  # valid, with warnings to fill in
    again = run_cli("new", "2024", cwd=project)
    assert again.returncode == 1 and "已存在" in again.stderr


def test_new_never_overwrites_and_needs_a_valid_previous_year(tmp_path):
    from reportgen.errors import ReportgenError
    from reportgen.project import Project
    from reportgen.scaffold import new_year_file

    project = Project(make_project(tmp_path / "p"))
    made = new_year_file(project, 2024)
    assert made.path == project.root / "data" / "years" / "2024.yaml" and "year: 2024\n" in made.text
    assert made.start == project.root / "data" / "years" / "2023.yaml"
    with pytest.raises(ReportgenError, match="data/years/2023.yaml"):
        new_year_file(project, 2023)  # exists already
    assert new_year_file(project, 2026).start is None  # no 2025 to start from: the kind's skeleton (test_init.py)
    (project.root / "data" / "notices").mkdir()
    (project.root / "data" / "notices" / "2024.yaml").write_bytes((project.root / "data" / "years" / "2023.yaml")
                                                                  .read_bytes())
    with pytest.raises(ReportgenError, match="data/notices/2024.yaml"):
        new_year_file(project, 2024)  # a second document of the id 2024
    (project.root / "data" / "notices" / "2024.yaml").unlink()
    broken = project.root / "data" / "years" / "2023.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("year: 2023", "year: 2022"), encoding="utf-8")
    with pytest.raises(ReportgenError, match="2022"):
        new_year_file(project, 2024)  # the previous year's file must pass the checks


def test_fonts_reports_the_serving_font_per_role(tmp_path):
    proc = run_cli("fonts", "--json", cwd=tmp_path, check=True)
    roles = {r["role"]: r for r in json.loads(proc.stdout)["roles"]}
    assert roles["body"]["wanted"][0] == "仿宋_GB2312"
    assert roles["body"]["font"] == "Noto Serif CJK SC" and roles["body"]["source"] == "system"
    assert roles["heading1"]["font"] == "Noto Sans CJK SC"
    assert roles["heading2"]["font"] == "AR PL UKai CN"
    assert roles["title"]["style"] == "Bold"
    text = run_cli("fonts", cwd=tmp_path, check=True).stdout
    assert "body" in text and "NotoSerifCJK-Regular.ttc" in text


def test_check_writes_nothing(tmp_path):
    project = make_project(tmp_path / "p")
    run_cli("check", cwd=project, check=True)
    assert not (project / "output").exists()


def test_two_files_for_one_year_are_refused(tmp_path):
    project = make_project(tmp_path / "p")
    other = tmp_path / "elsewhere" / "2023.yaml"
    other.parent.mkdir()
    other.write_bytes((project / "data" / "years" / "2023.yaml").read_bytes())
    proc = run_cli("build", "2023", str(other), cwd=project)
    assert proc.returncode == 1 and "都是 2023 年的" in proc.stderr
    assert not (project / "output").exists()
    (project / "data" / "years" / "2023.yml").write_bytes(other.read_bytes())
    proc = run_cli("check", cwd=project)
    assert proc.returncode == 1 and "2023.yaml" in proc.stderr and "2023.yml" in proc.stderr


def test_new_after_a_year_without_signature(tmp_path):
    project = make_project(tmp_path / "p")
    path = project / "data" / "years" / "2023.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "signature: false\n", encoding="utf-8")
    run_cli("new", "2024", cwd=project, check=True)
    assert "signature" not in (project / "data" / "years" / "2024.yaml").read_text(encoding="utf-8")


def test_numbering_goes_on_past_ninety_nine(tmp_path):
    """100 items once crashed the numbering; Chinese numerals go on: （九十九）（一百）（一百零一）."""
    from reportgen.pipeline import load_year
    from reportgen.project import Project
    from reportgen.document import document_paragraphs

    project = make_project(tmp_path / "p")
    items = "".join(f"      - lead: 第{i}项。\n        text: 内容。\n" for i in range(1, 102))
    path = project / "data" / "years" / "2023.yaml"
    path.write_text("organ: 某局\nyear: 2023\nsections:\n  - heading: 工作情况\n    items:\n" + items, encoding="utf-8")
    paragraphs = document_paragraphs(load_year(Project(project), path, 2023).document)
    assert paragraphs[-3:] == ["（九十九）第99项。内容。", "（一百）第100项。内容。", "（一百零一）第101项。内容。"]


def test_new_turns_last_years_plan_headings_into_leads():
    """A plan item written as a heading line becomes a lead (a sentence), ending in one 。 even when
    the heading line already ended in one."""
    from reportgen.scaffold import scaffold

    prev = {"organ": "某局", "year": 2024, "signature": {"seal": True}, "date": "2025-03-01", "sections": [
        {"role": "work", "heading": "工作情况", "items": [{"lead": "甲。", "text": "乙。"}]},
        {"role": "plans", "heading": "2025年工作安排", "items": [{"heading": "加强组织领导。"}, {"heading": "强化监督"},
                                                             {"heading": "主要措施："}]}]}
    data = yaml.safe_load(scaffold(prev, 2025))
    assert [i["lead"] for i in data["sections"][0]["items"]] == ["加强组织领导。", "强化监督。", "主要措施。"]
    assert data["signature"] == {"issuer": "某局", "seal": True}  # a sealed signature stays sealed


@pytest.mark.parametrize("argv, named", [
    (["build"], "build"), (["-q", "build", "2023"], "build"), (["-C", "check", "build"], "build"),
    (["--lang", "en", "diff", "a", "b"], "diff"), (["--lang=en", "-C", "x", "watch"], "watch"),
    (["--help"], None), (["bogus", "build"], None), (["--", "build"], None), ([], None)])
def test_the_command_is_read_before_the_parser_exists(argv, named):
    from reportgen.cli import command_named

    assert command_named(argv) == named


@pytest.mark.parametrize("argv", [
    ["build"], ["-q", "build", "2023", "--jobs", "2", "--json"], ["-C", "p", "check", "--strict", "2023"],
    ["diff", "2023@HEAD", "2023", "--context", "3", "--color", "never"], ["init", "--organ", "某局", "d"],
    ["-qC", "check", "build", "2023"], ["-qC", "check", "build"],  # -C's value looks like the command
    ["--lang", "en", "finalize", "2023", "--force", "--reason", "r"]])
def test_the_parser_of_one_command_reads_what_the_whole_one_reads(argv):
    """cli.parse_args defines the arguments of the command the line names alone; the result is the whole
    parser's, also when the line's first word is not its command."""
    from reportgen.cli import parse_args, parser

    assert vars(parse_args(argv)) == vars(parser().parse_args(argv))


def test_a_usage_error_is_the_whole_parsers(capsys):
    from reportgen.cli import parse_args, parser

    messages = []
    for parse in (parse_args, lambda argv: parser().parse_args(argv)):
        with pytest.raises(SystemExit) as e:
            parse(["--lang", "en", "build", "--strict"])  # check's option, not build's
        messages.append((e.value.code, capsys.readouterr().err))
    assert messages[0] == messages[1] and messages[0][0] == 2 and "--strict" in messages[0][1]
