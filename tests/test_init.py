"""``reportgen init``: a project from nothing, in a folder outside this repository, that checks (only the
【待填写】 left to write) and builds; the editors' schema that resolves wherever the project lives and flags
what ``check`` rejects; ``reportgen new`` with and without a previous year."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
import yaml

from conftest import ROOT, make_project, run_cli

SCHEMA_LINE = "# yaml-language-server: $schema="


@pytest.fixture
def started(tmp_path) -> Path:
    """A project made by ``init`` in an empty folder outside the repository."""
    project = tmp_path / "office"
    project.mkdir()
    assert not project.resolve().is_relative_to(ROOT)
    done = run_cli("init", "--organ", "某某区司法局", "--year", "2025", cwd=project, check=True)
    assert "data/years/2025.yaml" in done.stdout
    return project


def schema_of(year_file: Path) -> Path:
    """The file the year file's first line names, resolved as an editor does: relative to the file."""
    first = year_file.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(SCHEMA_LINE), first
    return (year_file.parent / first[len(SCHEMA_LINE):]).resolve()


def editor_validator(schema_file: Path):
    """A JSON Schema validator as an editor builds one: the schema from its file, every $ref fetched from
    the file it names (the common definitions through the relative ../common/schema.json)."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    def retrieve(uri: str):
        return Resource.from_contents(json.loads(Path(unquote(urlparse(uri).path)).read_text(encoding="utf-8")))

    schema = {**json.loads(schema_file.read_text(encoding="utf-8")), "$id": schema_file.as_uri()}
    return Draft202012Validator(schema, registry=Registry(retrieve=retrieve))


def warning_codes(project: Path, *args: str) -> list[str]:
    proc = run_cli("check", "--json", *args, cwd=project)
    result = json.loads(proc.stdout)
    assert proc.returncode == 0 and result["ok"] and not result["errors"], proc.stdout
    return [w["code"] for w in result["warnings"]]


def test_init_makes_a_project_that_checks_with_only_the_text_to_write_and_builds(started):
    names = {p.relative_to(started).as_posix() for p in started.rglob("*") if p.is_file()}
    assert names == {"data/years/2025.yaml", "reportgen.toml", ".gitignore", "README.md",
                     ".reportgen/schema/report/schema.json", ".reportgen/schema/common/schema.json"}
    codes = warning_codes(started)
    assert codes and set(codes) == {"RG201"}  # every 【待填写】, and nothing else
    data = yaml.safe_load((started / "data" / "years" / "2025.yaml").read_text(encoding="utf-8"))
    assert data["organ"] == "某某区司法局" and data["year"] == 2025
    assert [s["role"] for s in data["sections"]] == ["work", "duty", "problems", "plans", "other"]
    assert "2026年" in data["sections"][3]["heading"] and "原因" in data["sections"][2]["paragraphs"][0]

    built = run_cli("build", "--json", cwd=started, check=True)
    outputs = json.loads(built.stdout)["outputs"]
    assert {o["format"] for o in outputs} == {"txt", "docx", "pdf", "html", "manifest.json", "SHA256SUMS"}
    for o in outputs:
        assert (started / o["path"]).stat().st_size == o["bytes"] > 0
    text = (started / "output" / "2025" / "report-2025.txt").read_text(encoding="utf-8")
    assert text.startswith("某某区司法局2025年法治建设情况")  # the title pattern reportgen.toml chooses
    audit = json.loads(run_cli("audit", "--json", cwd=started).stdout)
    contents = {c["id"]: c["status"] for c in audit["documents"][0]["contents"]}
    assert all(contents[id] == "pass" for id in ("RG101", "RG102", "RG103", "RG104", "RG105")), contents


def test_init_writes_only_settings_reportgen_reads(started):
    import tomllib

    settings = tomllib.loads((started / "reportgen.toml").read_text(encoding="utf-8"))
    assert settings == {"organ": "某某区司法局", "kinds": {"report": {"title": "situation"}}}
    text = (started / "reportgen.toml").read_text(encoding="utf-8")
    assert "某某区司法局关于2025年度法治政府建设情况的报告" in text  # the title patterns, with the organ
    assert "# [rules.RG108]" in text and "# deadline = " in text  # the reporting deadline, as a comment
    # Uncommented, the examples are settings reportgen accepts.
    (started / "reportgen.toml").write_text(text.replace("# [rules", "[rules").replace("# deadline", "deadline")
                                            .replace("# reason", "reason").replace("# severity", "severity"),
                                            encoding="utf-8")
    assert set(warning_codes(started)) == {"RG201"}
    readme = (started / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# 某某区司法局") and "reportgen new 2026" in readme and "{" not in readme


def test_the_year_files_schema_resolves_in_the_project_and_flags_typed_numbers(started):
    year_file = started / "data" / "years" / "2025.yaml"
    schema = schema_of(year_file)
    assert schema == (started / ".reportgen" / "schema" / "report" / "schema.json").resolve() and schema.is_file()
    assert schema.read_bytes() == (ROOT / "templates" / "report" / "schema.json").read_bytes()
    validator = editor_validator(schema)
    data = yaml.safe_load(year_file.read_text(encoding="utf-8"))
    assert list(validator.iter_errors(data)) == []

    # What check rejects, the editor flags too: typed numbers, a run-in lead without its 。.
    typed = json.loads(json.dumps(data))
    typed["sections"][2]["heading"] = "（二）" + typed["sections"][2]["heading"]
    typed["sections"][0]["items"][0]["lead"] = "完善制度"
    typed["sections"][1]["paragraphs"][0] = "一是完善制度。"
    typed["sections"][3]["items"][0]["text"] = "1.加强学习。"
    flagged = {tuple(e.absolute_path) for e in validator.iter_errors(typed)}
    assert flagged == {("sections", 2, "heading"), ("sections", 0, "items", 0, "lead"),
                       ("sections", 1, "paragraphs", 0), ("sections", 3, "items", 0, "text")}
    # Decimals and years are no numbers: 3.5万件, 2025年.
    fine = json.loads(json.dumps(data))
    fine["sections"][1]["paragraphs"][0] = "3.5万件专利。"
    assert list(validator.iter_errors(fine)) == []

    # reportgen's own check still words each in its own way, with the number to remove.
    copy = started / "typed.yaml"
    text = year_file.read_text(encoding="utf-8")
    copy.write_text(text.replace("heading: 存在的不足和原因", "heading: （二）存在的不足和原因")
                    .replace('- lead: "【待填写】。"', '- lead: "完善制度"', 1)
                    .replace('- "【待填写】"', '- "一是完善制度。"', 1), encoding="utf-8")
    proc = run_cli("--lang", "en", "check", "--json", str(copy), cwd=started)
    errors = {e["path"]: e["message"] for e in json.loads(proc.stdout)["errors"]}
    assert errors == {"sections[2].heading": "numbering is generated; remove '（二）'",
                      "sections[0].items[0].lead": "a run-in lead is a sentence: end it with 。",
                      "sections[1].paragraphs[0]": "numbering is generated; remove '一是'"}, proc.stdout


def test_the_schemas_typed_numbers_are_the_layouts():
    """The schema's pattern of a typed number is the one check uses for the GB/T 9704 layout."""
    from reportgen.layout import load_layout
    from reportgen.numbering import _pattern

    common = json.loads((ROOT / "templates" / "common" / "schema.json").read_text(encoding="utf-8"))
    pattern = common["$defs"]["numbered"]["pattern"]
    assert pattern.startswith(r"^\s*(?:") and pattern.endswith(")")
    layout = load_layout()
    wanted = {_pattern(level.format) for level in layout.levels} | {_pattern(layout.numbering.point)}
    assert set(pattern[len(r"^\s*(?:"):-1].split("|")) == wanted


def test_the_samples_own_reference_keeps_working_in_the_repository():
    from reportgen.project import Project
    from reportgen.scaffold import new_year_file

    assert schema_of(ROOT / "data" / "years" / "2023.yaml") == (ROOT / "templates" / "report" / "schema.json")
    for year in (2024, 2030):  # from 2023, and from the skeleton: the schema where it is, no copy
        made = new_year_file(Project(ROOT), year)
        assert made.text.startswith(SCHEMA_LINE + "../../templates/report/schema.json\n") and made.copies == []


def test_init_never_overwrites(started, tmp_path):
    before = {p: p.read_bytes() for p in started.rglob("*") if p.is_file()}
    again = run_cli("--lang", "en", "init", "--organ", "另一个局", cwd=started)
    assert again.returncode == 1 and "holds a report project already" in again.stderr
    assert {p: p.read_bytes() for p in started.rglob("*") if p.is_file()} == before

    only_settings = tmp_path / "settings"
    only_settings.mkdir()
    (only_settings / "reportgen.toml").write_text("[kinds.report]\n", encoding="utf-8")
    assert run_cli("init", "--organ", "某局", cwd=only_settings).returncode == 1
    assert [p.name for p in only_settings.iterdir()] == ["reportgen.toml"]

    # A folder with a README and a .gitignore of its own (a git repository already): both kept as they are.
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "README.md").write_text("ours\n", encoding="utf-8")
    (repo / ".gitignore").write_text("*.bak\n", encoding="utf-8")
    done = run_cli("--lang", "en", "init", "--organ", "某局", "--year", "2024", cwd=repo, check=True)
    assert "kept the README.md" in done.stdout and "kept the .gitignore" in done.stdout
    assert (repo / "README.md").read_text(encoding="utf-8") == "ours\n"
    assert (repo / ".gitignore").read_text(encoding="utf-8") == "*.bak\n"
    assert (repo / "data" / "years" / "2024.yaml").is_file()


def test_init_in_a_new_folder_and_its_refusals(tmp_path):
    done = run_cli("--lang", "en", "init", "p", "--organ", "某局", "--year", "2024", cwd=tmp_path, check=True)
    assert "reportgen -C p check" in done.stdout
    assert set(warning_codes(tmp_path / "p")) == {"RG201"}
    missing = run_cli("--lang", "en", "init", "no/such", "--organ", "某局", cwd=tmp_path)
    assert missing.returncode == 2 and "does not exist" in missing.stderr and not (tmp_path / "no").exists()
    for bad in (["--organ", " "], ["--organ", "某\n局"], ["--organ", "某局", "--kind", "nosuch"]):
        proc = run_cli("init", "q", *bad, cwd=tmp_path)
        assert proc.returncode == 2, bad
    assert not (tmp_path / "q").exists()
    # An organ no document can carry: refused by the check the year file would get; nothing is written.
    too_long = run_cli("init", "r", "--organ", "局" * 101, cwd=tmp_path)
    assert too_long.returncode == 1 and not (tmp_path / "r").exists()


def test_init_takes_last_year_by_default(tmp_path):
    epoch = "1735689600"  # 2025-01-01 00:00 UTC: 2025 in China, so the report is on 2024
    run_cli("init", "--organ", "某局", cwd=tmp_path, env={"SOURCE_DATE_EPOCH": epoch}, check=True)
    assert [p.name for p in (tmp_path / "data" / "years").iterdir()] == ["2024.yaml"]


def test_new_after_init_goes_on_from_the_first_year(started):
    run_cli("new", "2026", cwd=started, check=True)
    year_file = started / "data" / "years" / "2026.yaml"
    assert schema_of(year_file) == schema_of(started / "data" / "years" / "2025.yaml")
    data = yaml.safe_load(year_file.read_text(encoding="utf-8"))
    assert data["organ"] == "某某区司法局" and "2027年" in data["sections"][3]["heading"]
    assert set(warning_codes(started, "2026")) == {"RG201"}


def test_new_without_a_previous_year_starts_from_the_skeleton(started, tmp_path):
    # In an init'ed project: the organ from reportgen.toml.
    proc = run_cli("new", "2030", cwd=started, check=True)
    assert "2029.yaml" in proc.stdout
    data = yaml.safe_load((started / "data" / "years" / "2030.yaml").read_text(encoding="utf-8"))
    assert data["organ"] == "某某区司法局" and "2031年" in data["sections"][3]["heading"]
    assert set(warning_codes(started, "2030")) == {"RG201"}
    # A project with nothing yet: the organ is to be written too; the schema copy is made.
    bare = tmp_path / "bare"
    bare.mkdir()
    run_cli("new", "2024", cwd=bare, check=True)
    year_file = bare / "data" / "years" / "2024.yaml"
    assert yaml.safe_load(year_file.read_text(encoding="utf-8"))["organ"] == "【待填写】"
    assert schema_of(year_file).is_file() and set(warning_codes(bare)) == {"RG201"}


def test_build_and_check_keep_the_schema_copy_current(started, tmp_path):
    copy = started / ".reportgen" / "schema" / "common" / "schema.json"
    copy.write_text("{}", encoding="utf-8")
    (started / ".reportgen" / "schema" / "report" / "schema.json").unlink()
    warning_codes(started)
    assert copy.read_bytes() == (ROOT / "templates" / "common" / "schema.json").read_bytes()
    assert (started / ".reportgen" / "schema" / "report" / "schema.json").read_bytes() == \
        (ROOT / "templates" / "report" / "schema.json").read_bytes()
    # A project's own schema is what its copy holds.
    own = started / "templates" / "common"
    own.mkdir(parents=True)
    common = json.loads((ROOT / "templates" / "common" / "schema.json").read_text(encoding="utf-8"))
    common["title"] = "our own"
    (own / "schema.json").write_text(json.dumps(common, ensure_ascii=False), encoding="utf-8")
    run_cli("build", cwd=started, check=True)
    assert json.loads(copy.read_text(encoding="utf-8"))["title"] == "our own"
    # A copy that cannot be written is a warning: the check itself goes on.
    shutil.rmtree(copy.parent)
    copy.parent.write_text("a file where the folder belongs", encoding="utf-8")
    codes = warning_codes(started)
    assert "schema-copy" in codes and set(codes) == {"RG201", "schema-copy"}
    # A project without a copy gets none.
    plain = make_project(tmp_path / "plain")
    run_cli("check", cwd=plain, check=True)
    run_cli("build", cwd=plain, check=True)
    assert not (plain / ".reportgen").exists()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_the_gitignore_keeps_data_schema_and_finals_and_leaves_out_the_builds(started):
    subprocess.run(["git", "init", "-q"], cwd=started, check=True)
    run_cli("build", cwd=started, check=True)
    (started / "output" / "2025" / "final" / "v1").mkdir(parents=True)
    (started / "output" / "2025" / "final" / "v1" / "report-2025.pdf").write_bytes(b"%PDF")
    (started / "output" / ".2025.new-abcdefgh").mkdir()
    (started / "output" / ".2025.new-abcdefgh" / "report-2025.pdf").write_bytes(b"%PDF")
    listed = subprocess.run(["git", "ls-files", "--others", "--exclude-standard"], cwd=started, check=True,
                            capture_output=True, text=True).stdout.split()
    assert sorted(listed) == sorted([".gitignore", ".reportgen/schema/common/schema.json",
                                     ".reportgen/schema/report/schema.json", "README.md", "data/years/2025.yaml",
                                     "output/2025/final/v1/report-2025.pdf", "reportgen.toml"])


def test_a_project_writes_only_the_outputs_its_settings_name(tmp_path):
    project = make_project(tmp_path / "p")
    (project / "reportgen.toml").write_text('outputs = ["docx", "txt"]\n', encoding="utf-8")
    built = json.loads(run_cli("build", "--json", cwd=project, check=True).stdout)
    assert {o["format"] for o in built["outputs"]} == {"docx", "txt", "manifest.json", "SHA256SUMS"}
    folder = project / "output" / "2023"
    assert sorted(p.name for p in folder.iterdir()) == ["SHA256SUMS", "manifest.json", "report-2023.docx",
                                                         "report-2023.txt"]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(o["path"] for o in manifest["outputs"]) == ["report-2023.docx", "report-2023.txt"]
    # The DOCX still counts the pages the PDF's layout gives (the PDF is laid out, not written).
    import zipfile

    app = zipfile.ZipFile(folder / "report-2023.docx").read("docProps/app.xml").decode("utf-8")
    assert "<Pages>5</Pages>" in app
    (project / "reportgen.toml").write_text('outputs = ["docx", "odt"]\n', encoding="utf-8")
    proc = run_cli("build", "--lang", "en", cwd=project)
    assert proc.returncode == 1 and "reportgen.toml" in proc.stderr and "txt, docx, pdf, html" in proc.stderr
