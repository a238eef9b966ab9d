"""reportgen import: every output reportgen writes reads back into data that builds to the same text,
paragraph for paragraph; the published seed 000 imports from its web text and from Markdown; a
Word-edited draft goes back into the year file by --into; bad input writes nothing."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import GOLDEN, ROOT, run_cli, seed_paragraphs

CASES = {  # the project, its document id, the kind, and a --year where the text names none
    "sample": (ROOT, "2023", "report", None),
    "variant-b": (ROOT / "tests" / "cases" / "variant-b", "2024", "report", None),
    "seed-001-npc-report": (ROOT / "examples" / "seed-001-npc-report", "2023", "report", None),
    "seed-002-notice": (ROOT / "examples" / "seed-002-notice", "2023-ip-work-points", "notice", None),
    "seed-003-outline": (ROOT / "examples" / "seed-003-outline", "ip-strong-city", "outline", 2021),
    "seed-004-reply": (ROOT / "examples" / "seed-004-reply", "2020-0584", "reply", None),
    # beyond the acceptance list: 版头 (joint organs, 份号, 密级, 紧急程度), 附件, 版记, deeper levels, a kind
    # that a project defines (请示, with 签发人)
    "imprint/2024-01": (ROOT / "tests" / "cases" / "imprint", "2024-01", "notice", None),
    "imprint/2024-02": (ROOT / "tests" / "cases" / "imprint", "2024-02", "notice", None),
    "imprint/2024-03": (ROOT / "tests" / "cases" / "imprint", "2024-03", "notice", None),
    "structures/2024": (ROOT / "tests" / "cases" / "structures", "2024", "report", None),
    "structures/2025": (ROOT / "tests" / "cases" / "structures", "2025", "report", None),
    "structures/plan": (ROOT / "tests" / "cases" / "structures", "plan", "outline", 2024),
    "kind-request": (ROOT / "tests" / "cases" / "kind-request", "2024-01", "request", None),
}


def rebuilt(project: Path, text: str) -> list[str]:
    """The paragraphs the imported YAML builds to, through the pipeline build uses."""
    from reportgen.document import document_paragraphs
    from reportgen.pipeline import load_bytes
    from reportgen.project import Project

    loaded = load_bytes(Project(project), text.encode("utf-8"), "imported.yaml")
    return document_paragraphs(loaded.document)


def imported(path: Path, project: Path, kind: str, year: int | None):
    from reportgen.importer import import_read, read_file
    from reportgen.project import Project

    return import_read(Project(project), read_file(path, str(path)), str(path), kind_name=kind, year=year)


@pytest.fixture(scope="module")
def case_build(built, tmp_path_factory):
    def get(name: str) -> dict:
        source, id, _kind, _year = CASES[name]
        if name == "sample":
            from conftest import make_project

            project = tmp_path_factory.mktemp("imp-sample") / "project"
            if not project.exists():
                make_project(project)
                run_cli("build", cwd=project, check=True)
            out = project / "output" / "2023"
            return {"txt": out / "report-2023.txt", "docx": out / "report-2023.docx",
                    "pdf": out / "report-2023.pdf", "project": project}
        return {**built(source)[id], "project": source}
    return get


@pytest.mark.parametrize("fmt", ["txt", "docx", "pdf"])
@pytest.mark.parametrize("name", list(CASES))
def test_round_trip(case_build, name, fmt):
    """Import the built DOCX, PDF and text: the data builds to the same text, paragraph for paragraph,
    and the import itself found no difference."""
    _source, _id, kind, year = CASES[name]
    out = case_build(name)
    expected = out["txt"].read_text(encoding="utf-8").splitlines()
    result = imported(out[fmt], out["project"], kind, year)
    assert rebuilt(out["project"], result.text) == expected
    assert result.differences == []


def test_sample_txt_is_the_sample_data(case_build):
    """From the sample's text, the import writes the sample's structure: derived title left out, roles,
    leads and texts as in data/years/2023.yaml (the metrics are not in the text)."""
    import yaml

    out = case_build("sample")
    data = yaml.safe_load(imported(out["txt"], out["project"], "report", None).text)
    sample = yaml.safe_load((ROOT / "data" / "years" / "2023.yaml").read_text(encoding="utf-8"))

    def strip(node):
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k != "metrics"}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    assert data == strip(sample)


def test_seed_000_from_web_text(tmp_path):
    """The published text (blank lines between paragraphs, as on the website) imports and rebuilds exactly."""
    result = imported(GOLDEN / "seed-000.txt", ROOT, "report", None)
    assert rebuilt(ROOT, result.text) == seed_paragraphs()
    assert result.notes == []


SEED_MD = GOLDEN / "seed-000.md"


def test_seed_000_from_markdown():
    """A Markdown rendering (# title, ## headings, a numbered list, **bold** leads) imports to the same text."""
    result = imported(SEED_MD, ROOT, "report", None)
    assert rebuilt(ROOT, result.text) == seed_paragraphs()


def test_cli_writes_once_and_refuses_to_overwrite(tmp_path, case_build):
    out = case_build("variant-b")
    project = tmp_path / "p"
    (project / "data").mkdir(parents=True)
    r = run_cli("import", str(out["docx"]), cwd=project)
    assert r.returncode == 0, r.stderr
    target = project / "data" / "years" / "2024.yaml"
    assert target.is_file()
    first = target.read_bytes()
    assert first.startswith(b"# yaml-language-server: $schema=")
    assert run_cli("check", cwd=project).returncode == 0
    again = run_cli("import", str(out["docx"]), cwd=project)
    assert again.returncode == 1 and "--force" in again.stderr
    assert target.read_bytes() == first
    forced = run_cli("import", str(out["txt"]), "--force", "--json", cwd=project)
    assert forced.returncode == 0, forced.stderr
    result = json.loads(forced.stdout)
    assert result["ok"] and result["output"] == "data/years/2024.yaml" and result["differences"] == []


@pytest.mark.parametrize("content,expected", [
    (b"", "no text"),
    (b"\x00\x01\x02binary\x00\x00", "text"),
    (b"PK\x03\x04broken zip", "DOCX"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "encrypted"),
    (b"%PDF-1.7\n%broken", "PDF"),
])
def test_bad_input_writes_nothing(tmp_path, content, expected):
    project = tmp_path / "p"
    (project / "data").mkdir(parents=True)
    suffix = {b"PK": ".docx", b"%P": ".pdf", b"\xd0\xcf": ".docx"}.get(content[:2], ".txt")
    bad = tmp_path / f"bad{suffix}"
    bad.write_bytes(content)
    r = run_cli("import", str(bad), "--year", "2023", "--lang", "en", cwd=project)
    assert r.returncode != 0
    assert "Traceback" not in r.stderr and expected.lower() in r.stderr.lower(), r.stderr
    assert str(bad) in r.stderr
    assert list((project / "data").rglob("*")) == []


def test_typed_numbering_that_skips_is_reported(tmp_path):
    text = ("某局2023年法治建设情况\n2023年，某局认真履职。\n一、工作开展情况\n（一）加强学习。学习了法律。\n"
            "（三）严格执法。执法规范。\n二、存在的问题\n人员不足。\n")
    src = tmp_path / "skip.txt"
    src.write_text(text, encoding="utf-8")
    result = imported(src, ROOT, "report", None)
    skips = [n for n in result.notes if n.code == "numbering-skip"]
    assert [n.para for n in skips] == [5]
    assert "（二）" not in result.text and "（三）" not in result.text
    assert rebuilt(ROOT, result.text)[4] == "（二）严格执法。执法规范。"


def test_changes_are_reported_with_their_paragraph(tmp_path):
    """A stray space, an ASCII comma and a soft line break are each changed and each noted."""
    text = "某局2023年法治建设情况\n2023年, 某局认真 履职。\n一、工作开展情况\n（一）加强学习。学习了法律。\n"
    src = tmp_path / "changes.txt"
    src.write_text(text, encoding="utf-8")
    result = imported(src, ROOT, "report", None)
    codes = {(n.para, n.code) for n in result.notes}
    assert (2, "space-removed") in codes and (2, "punct-fullwidth") in codes
    assert "2023年，某局认真履职。" in result.text


@pytest.fixture(scope="module")
def word_draft(case_build, tmp_path_factory):
    """The sample's DOCX as Word would hold it after a round trip through LibreOffice, then edited with
    python-docx: one figure changed (1433 → 1520), one sentence deleted."""
    import subprocess

    import docx

    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = case_build("sample")
    work = tmp_path_factory.mktemp("word-draft")
    proc = subprocess.run(["soffice", "--headless", f"-env:UserInstallation={(work / 'profile').as_uri()}",
                           "--convert-to", "docx", "--outdir", str(work / "lo"), str(out["docx"])],
                          capture_output=True, text=True, timeout=180)
    converted = work / "lo" / out["docx"].name
    assert converted.is_file(), proc.stderr
    d = docx.Document(str(converted))
    edit_figure_and_sentence(d)
    draft = work / "2023.docx"
    d.save(str(draft))
    return draft


def edit_figure_and_sentence(d) -> None:
    """The two edits a leader makes in Word: 1433 → 1520 in one paragraph, one sentence deleted in another."""
    done = set()
    for p in d.paragraphs:
        for run in p.runs:
            if "1433" in run.text:
                run.text = run.text.replace("1433", "1520")
                done.add("figure")
            if DELETED in run.text:
                run.text = run.text.replace(DELETED, "")
                done.add("sentence")
    assert done == {"figure", "sentence"}


DELETED = "探索开展中医药、数据知识产权保护规则研究。"


def project_copy(tmp_path: Path, case_build) -> Path:
    project = tmp_path / "p"
    shutil.copytree(case_build("sample")["project"] / "data", project / "data")
    return project


def test_word_draft_imports_to_the_sample_with_exactly_the_edits(word_draft, case_build):
    out = case_build("sample")
    sample = out["txt"].read_text(encoding="utf-8").splitlines()
    text = rebuilt(ROOT, imported(word_draft, ROOT, "report", None).text)
    expected = [p.replace("1433件", "1520件").replace(DELETED, "") for p in sample]
    assert text == expected and text != sample


def test_diff_names_the_edits_of_a_word_draft(tmp_path, case_build, word_draft):
    """diff accepts a .docx side: the two edits and nothing else; the draft is read into the year file of
    its name, so the metrics are the file's and only the edited one changes."""
    project = project_copy(tmp_path, case_build)
    r = run_cli("diff", "2023", str(word_draft), "--json", cwd=project)
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["stats"]["changed"] == 2 and result["stats"]["added"] == result["stats"]["removed"] == 0
    summary = result["summary"]
    assert [(m["name"], m["old"], m["new"]) for m in summary["metrics_changed"]] == [
        ("立案查办侵犯知识产权案件", 1433, 1520)]
    assert summary["metrics_removed"] == [] and summary["metrics_added"] == []
    assert DELETED in json.dumps(result, ensure_ascii=False)


def test_into_takes_the_word_edits_and_keeps_the_rest(tmp_path, case_build, word_draft):
    """import --into shows the two edits; --write takes exactly them in (the metric of the changed figure
    follows it), comments and the other metrics kept."""
    project = project_copy(tmp_path, case_build)
    year_file = project / "data" / "years" / "2023.yaml"
    before = year_file.read_text(encoding="utf-8")
    shown = run_cli("import", str(word_draft), "--into", str(year_file), cwd=project)
    assert shown.returncode == 0, shown.stderr
    assert "[-1433-]{+1520+}" in shown.stdout and "--write" in shown.stdout
    assert year_file.read_text(encoding="utf-8") == before
    r = run_cli("import", str(word_draft), "--into", str(year_file), "--write", cwd=project)
    assert r.returncode == 0, r.stderr
    after = year_file.read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert len(before.splitlines()) == len(after.splitlines()) and len(changed) == 3
    assert after.replace("1520", "1433").replace("立法工作。印发实施", "立法工作。" + DELETED + "印发实施") == before
    assert run_cli("check", cwd=project).returncode == 0
    again = run_cli("import", str(word_draft), "--into", str(year_file), "--json", cwd=project)
    assert json.loads(again.stdout)["changes"] == []


def office_docx(path: Path) -> None:
    """A report as an office types it in Word's default template: Normal style everywhere, numbering
    typed, 　　 indents, bold leads, a soft line break, a stray space and an ASCII comma."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    d = docx.Document()
    title = d.add_paragraph("某某区司法局2024年法治建设情况")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    d.add_paragraph("　　2024年，某某区司法局坚持以习近平法治思想为指导，法治建设取得新成效。")
    d.add_paragraph("　　一、工作开展情况")
    p = d.add_paragraph("　　（一）")
    p.add_run("加强组织领导。").bold = True
    p.add_run("局党组召开专题会议3次, 研究部署法治建设工作。")
    p = d.add_paragraph("　　（二）")
    p.add_run("严格规范执法。").bold = True
    run = p.add_run("全面落实行政执法三项制度，")
    run.add_break()
    p.add_run("案卷评查优秀率达到 95%。")
    d.add_paragraph("　　二、存在的不足和原因")
    d.add_paragraph("　　基层执法力量不足，究其原因，主要是编制 有限。")
    d.add_paragraph("　　三、2025年工作计划")
    p = d.add_paragraph("　　（一）")
    p.add_run("深化法治宣传。").bold = True
    p.add_run("开展“八五”普法总结验收。")
    d.save(str(path))


OFFICE_YAML = """\
organ: 某某区司法局
year: 2024
opening:
  - 2024年，某某区司法局坚持以习近平法治思想为指导，法治建设取得新成效。
sections:
  - role: work
    heading: 工作开展情况
    items:
      - lead: 加强组织领导。
        text: 局党组召开专题会议3次，研究部署法治建设工作。
      - lead: 严格规范执法。
        text: 全面落实行政执法三项制度，案卷评查优秀率达到95%。
  - role: problems
    heading: 存在的不足和原因
    paragraphs:
      - 基层执法力量不足，究其原因，主要是编制有限。
  - role: plans
    heading: 2025年工作计划
    items:
      - lead: 深化法治宣传。
        text: 开展“八五”普法总结验收。
"""


def test_typical_office_docx(tmp_path):
    """The hand-made DOCX imports to the expected YAML, each change reported with its paragraph."""
    src = tmp_path / "office.docx"
    office_docx(src)
    result = imported(src, ROOT, "report", None)
    body = "\n".join(line for line in result.text.splitlines() if not line.startswith("#")) + "\n"
    assert body == OFFICE_YAML
    codes = sorted((n.para, n.code) for n in result.notes)
    assert codes == [(4, "punct-fullwidth"), (4, "space-removed"), (5, "joined-break"), (5, "space-removed"), (7, "space-removed")]
    assert result.differences == []


def test_scanned_and_empty_documents_write_nothing(tmp_path):
    """A scanned PDF (no text layer) and an empty Word document: a clear error each, exit 1, nothing written."""
    import docx
    from PIL import Image, ImageDraw

    project = tmp_path / "p"
    (project / "data").mkdir(parents=True)
    scan = tmp_path / "scan.pdf"
    image = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(image).rectangle((100, 100, 500, 140), fill="black")
    image.save(str(scan), "PDF")
    empty = tmp_path / "empty.docx"
    docx.Document().save(str(empty))
    for path, expected in ((scan, "OCR"), (empty, "no text")):
        r = run_cli("import", str(path), "--lang", "en", cwd=project)
        assert r.returncode == 1 and expected in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert list((project / "data").rglob("*")) == []


def test_extract_on_a_docx_points_at_import(tmp_path, case_build):
    r = run_cli("extract", str(case_build("sample")["docx"]), "--lang", "en", cwd=tmp_path)
    assert r.returncode == 1 and "reportgen import" in r.stderr and "Traceback" not in r.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_bold_lead_with_its_typed_number(tmp_path):
    """Word users often set the typed number bold with the lead: the lead is still the sentence."""
    import docx

    d = docx.Document()
    d.add_paragraph("某局2024年法治建设情况").alignment = 1
    d.add_paragraph("2024年，某局认真履职。")
    d.add_paragraph("一、工作开展情况")
    p = d.add_paragraph()
    p.add_run("（一）" + LONG_LEAD).bold = True
    p.add_run("召开专题会议。")
    src = tmp_path / "bold.docx"
    d.save(str(src))
    import yaml

    result = imported(src, ROOT, "report", None)
    data = yaml.safe_load(result.text)
    assert data["sections"][0]["items"] == [{"lead": LONG_LEAD, "text": "召开专题会议。"}]
    assert [n for n in result.notes if n.code == "guess-lead"] == []  # the format said where the lead ends


LONG_LEAD = "坚持把加强组织领导作为推进法治建设的首要任务，层层压实工作责任，确保各项任务落地见效。"


VARIANTS = {  # the outline variants of real reports (reference: domain.md §4–5), as their websites print them
    "heading lines with 一是 paragraphs": """\
深圳市某某区人民政府2021年法治政府建设年度报告
2021年，某某区坚持以习近平新时代中国特色社会主义思想为指导，法治政府建设取得新成效。现将有关情况报告如下：
一、推进法治政府建设的主要举措和成效
（一）深入学习贯彻习近平法治思想，法治政府建设在党的正确领导下全面铺开
一是健全学法制度。区政府常务会议会前学法12次。
二是强化述法考核。将述法纳入年度考核。
（二）深入推进严格规范公正文明执法，行政执法公信力和执行力双向提升
全面落实行政执法三项制度，案卷评查优秀率达到95%。
二、存在问题
2021年，我区法治政府建设取得一定成效，但也存在一些薄弱环节，一是推进不平衡；二是创新亮点不多；三是法治队伍力量薄弱。
三、2022年工作计划
2022年，某某区将认真贯彻落实党中央决策部署，为经济社会发展提供有力法治保障。
（一）坚持党的领导。严格落实第一责任人职责。
（二）深化法治政府建设示范创建。巩固示范创建成果。
特此报告。
深圳市某某区人民政府
2022年3月25日
""",
    "thematic, no problems section": """\
某区2019年法治政府建设工作报告
一、加强部署监督
（一）强化组织领导。成立法治政府建设领导小组。
（二）加强督察考核。开展专项督察2次。
二、深化放管服改革
（一）精简审批事项。取消审批事项12项。
三、2020年法治政府建设工作计划
（一）持续深化改革。推进一网通办。
""",
    "three levels with leads": """\
某局2023年度法治政府建设情况报告
一、主要举措和成效
（一）深入学习贯彻习近平法治思想，不断推动法治政府建设。
1.抓好理论学习。局党组会议会前学法10次。
2.加强成果转化。将学习成果转化为具体举措。
（二）严格规范执法。全面落实行政执法三项制度。
二、存在的不足和原因
（一）法治队伍建设有待加强。究其原因，主要是培训的系统性不够。
三、2024年工作安排
（一）持续强化党的领导。严格落实第一责任人职责。
""",
}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_outline_variants_rebuild_exactly(tmp_path, name):
    import yaml

    src = tmp_path / "variant.txt"
    src.write_text(VARIANTS[name], encoding="utf-8")
    result = imported(src, ROOT, "report", None)
    assert rebuilt(ROOT, result.text) == VARIANTS[name].splitlines()
    assert result.differences == []
    data = yaml.safe_load(result.text)
    roles = [s["role"] for s in data["sections"]]
    year = data["year"]
    assert roles[-1] == "plans" and str(year + 1) in data["sections"][-1]["heading"]
    assert ("problems" in roles) == (name != "thematic, no problems section")


def test_mangled_texts_never_break_the_import(case_build):
    """Seeded: lines of the built texts deleted, doubled, shuffled and sprinkled with numbering, dates and
    punctuation, imported as each kind: a result or a located ReportgenError, never a traceback."""
    import os
    import random

    from reportgen.errors import ReportgenError
    from reportgen.importer import import_read, read_bytes
    from reportgen.project import Project

    seed = int(os.environ.get("REPORTGEN_FUZZ_SEED", "9704"))
    texts = [(GOLDEN / "seed-000.txt").read_text(encoding="utf-8")] + [
        case_build(name)["txt"].read_text(encoding="utf-8") for name in ("seed-002-notice", "seed-004-reply",
                                                                          "imprint/2024-02", "variant-b")]
    alphabet = "一二三四五六七八九十（）()、，。：:；;是年月日 　\t\n1234567890.特此报告附件抄送印发〔〕号文件★"
    project = Project(ROOT)
    failures = []
    for case in range(120):
        rng = random.Random(f"{seed}:import:{case}")
        lines = rng.choice(texts).splitlines()
        for _ in range(rng.randint(1, 6)):
            op = rng.random()
            if op < 0.25 and lines:
                del lines[rng.randrange(len(lines))]
            elif op < 0.45 and lines:
                i = rng.randrange(len(lines))
                lines.insert(i, lines[i])
            elif op < 0.6:
                rng.shuffle(lines)
            elif lines:
                i = rng.randrange(len(lines))
                j = rng.randint(0, len(lines[i]))
                lines[i] = lines[i][:j] + "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 5))) + lines[i][j:]
        try:
            read = read_bytes("\n".join(lines).encode("utf-8"), "f.txt", "txt")
            import_read(project, read, "f.txt", kind_name=rng.choice(["", "reply", "notice", "outline"]),
                        year=rng.choice([None, 2023]), strict=False)
        except ReportgenError:
            pass
        except Exception as e:  # noqa: BLE001 - what the test is for
            failures.append(f"case {case}: {type(e).__name__}: {e}")
    assert failures == [], f"seed {seed}:\n" + "\n".join(failures)


def test_the_kind_is_taken_from_the_title(case_build):
    """Without --kind, a reply's title (…的答复函) makes it a reply, and the import says so."""
    import yaml

    out = case_build("seed-004-reply")
    result = imported(out["txt"], out["project"], "", None)
    assert yaml.safe_load(result.text)["kind"] == "reply"
    assert [n.code for n in result.notes if n.code == "guess-kind"] == ["guess-kind"]
    assert rebuilt(out["project"], result.text) == out["txt"].read_text(encoding="utf-8").splitlines()


def test_diff_of_the_built_text_against_its_document_is_empty(tmp_path, case_build):
    """A draft whose name names no document is read into the other side's: the sample's own text and PDF
    diff as identical to data/years/2023.yaml (metrics included), in either order."""
    out = case_build("sample")
    project = project_copy(tmp_path, case_build)
    for a, b in (("2023", str(out["txt"])), (str(out["pdf"]), "2023")):
        r = run_cli("diff", a, b, "--json", "--exit-code", cwd=project)
        assert r.returncode == 0, r.stdout + r.stderr
        assert json.loads(r.stdout)["identical"] is True


REVIEW_CASES = {  # what a second pair of eyes found in documents typed as offices type them
    "a problems paragraph of 一是…；二是…": ("某某局2023年法治建设情况\n一、工作开展情况\n（一）加强学习。组织学习5次。\n二、存在问题\n"
                                      "一是学习不深入；二是执法不规范。\n", []),
    "a title that starts with 关于": ("关于2023年度法治政府建设情况的报告\n一、工作开展情况\n（一）加强学习。组织学习5次。\n",
                                 ["no-organ"]),
    "a repeated number": ("某某局2023年法治建设情况\n一、工作开展情况\n（一）加强学习。组织学习5次。\n（一）规范执法。开展培训。\n"
                          "（三）强化监督。开展检查。\n", ["numbering-skip"]),
    "the web page's lines": ("发布时间：2024-01-05　来源：区司法局\n某某局2023年法治建设情况\n一、工作开展情况\n"
                             "（一）加强学习。组织学习5次。\n【字体：大 中 小】\n", ["web-line-dropped", "web-line-dropped"]),
    "a date with no signature": ("某某局2023年法治建设情况\n一、工作开展情况\n（一）加强学习。组织学习5次。\n2024年1月5日\n",
                                 ["date-unsigned"]),
    "a work section naming the next year": ("某某局2023年法治建设情况\n一、服务保障2024年运动会筹办工作\n（一）加强学习。组织学习。\n"
                                            "二、2024年工作打算\n（一）继续推进。落实责任。\n", []),
    "a closing that asks for review": ("某某区人民政府2023年法治政府建设年度报告\n一、主要工作\n（一）加强学习。组织学习。\n"
                                       "主任、各位副主任、秘书长、各位委员，以上报告，请予审议。\n", []),
}


@pytest.mark.parametrize("name", list(REVIEW_CASES))
def test_documents_as_offices_type_them(tmp_path, name):
    import yaml

    text, codes = REVIEW_CASES[name]
    src = tmp_path / "doc.txt"
    src.write_text(text, encoding="utf-8")
    result = imported(src, ROOT, "report", None)
    assert [n.code for n in result.notes] == codes
    data = yaml.safe_load(result.text)
    if name == "a problems paragraph of 一是…；二是…":
        assert data["sections"][1]["paragraphs"] == [{"points": ["学习不深入；", "执法不规范。"]}]
    if name == "a title that starts with 关于":
        assert data["organ"] == "【待填写】"
    if name == "a repeated number":  # the note names the number reportgen prints: （二）, then （三） as typed
        assert [n.message for n in result.notes] == [
            "编号 1 跟在 1 之后：reportgen 将编为 2"] and len(result.differences) == 1
    if name == "a work section naming the next year":
        assert [s["role"] for s in data["sections"]] == ["work", "plans"]
    if name == "a closing that asks for review":
        assert data["closing"].endswith("以上报告，请予审议。")
    if name != "a repeated number":
        kept = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith(("发布", "【"))]
        assert rebuilt(ROOT, result.text) == [p.replace("　", "") for p in kept]
