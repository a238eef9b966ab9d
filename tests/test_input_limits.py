"""Inputs a real office meets: odd YAML scalars, hidden line breaks and characters, metadata too long for
the document properties, huge or unreadable files, many problems in one file (probe findings F1, F2,
F5–F9, F16). Each gives a located message and exit 1, never a traceback or a file written."""
from __future__ import annotations

import io
import json
import os
import resource
import shutil
import subprocess
import sys
import time

import pytest
from conftest import run_cli

from reportgen.errors import ReportgenError
from reportgen.source import MAX_BYTES, parse_source, read_bounded

SECTIONS = """sections:
  - heading: 工作
    paragraphs:
      - 本年度各项工作稳步推进，取得明显成效，全面完成年度目标任务，群众满意度进一步提升。
"""
YEAR = "data/years/2023.yaml"


def project_with(tmp_path, text: str):
    project = tmp_path / "p"
    (project / "data" / "years").mkdir(parents=True)
    (project / YEAR).write_text(text, encoding="utf-8", newline="")
    return project


def check_json(project, *args):
    proc = run_cli("check", "--json", *args, cwd=project)
    assert "Traceback" not in proc.stderr + proc.stdout
    return proc, json.loads(proc.stdout)


def located(diags):
    return {(d["line"], d["col"], d["path"]) for d in diags}


# ── F1: a scalar PyYAML cannot construct ───────────────────────────────────────────────────────────


def test_bad_timestamp_is_located_for_check_and_build(tmp_path):
    project = project_with(tmp_path, "organ: 某局\nyear: !!timestamp x\n" + SECTIONS)
    for command in ("check", "build"):
        proc = run_cli(command, cwd=project)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert proc.stderr.startswith(f"{YEAR}:2:7: 错误: year: 'x' 不是有效日期"), proc.stderr
    assert not (project / "output").exists()


@pytest.mark.parametrize("value", ["!!timestamp x", "!!timestamp 2023-99-99", "!!bool maybe", "!!int 0x",
                                   "!!float abc", "!!binary '!!'", "!!omap x", "!!set x", "!!python/name:os.system x"])
def test_any_unconstructible_scalar_is_a_diagnostic(value):
    with pytest.raises(ReportgenError) as e:
        parse_source(f"organ: 某局\nyear: 2023\nsubtitle: {value}\n", "y.yaml")
    (d,) = e.value.diagnostics
    assert (d.line, d.col, d.path) == (3, 11, "subtitle")


# ── F5, F6, F9: line breaks a one-line text must not hold ─────────────────────────────────────────


def test_hidden_and_trailing_line_breaks_are_located_errors(tmp_path):
    text = ("organ: 某局\n"                              # 1
            "year: 2023\n"                               # 2
            'closing: "特此\\n报告。"\n'                  # 3
            'note: "（此件公开发布）\\u2028"\n'           # 4
            'subtitle: "副标题\\N"\n'                     # 5
            'title: "标题\\u2029"\n'                       # 6
            "sections:\n"                                # 7
            "  - heading: |\n"                           # 8
            "      工作\n"                               # 9
            "    paragraphs:\n"                          # 10
            '      - "回车\\r之后。"\n'                   # 11
            "      - >\n"                                # 12
            "        折叠的段落。\n"                      # 13
            "      - |+\n"                               # 14
            "        保留的段落。\n"                      # 15
            "\n"                                         # 16
            '      - "结尾有换行。\\n"\n'                 # 17
            "      - |-\n"                               # 18
            "        这样写可以。\n"                      # 19
            '      - "\\n开头有换行。"\n')                # 20 (the fuzz: a break at the start passed)
    project = project_with(tmp_path, text)
    proc, out = check_json(project)
    assert proc.returncode == 1
    assert located(out["errors"]) == {
        (3, 10, "closing"), (4, 7, "note"), (5, 11, "subtitle"), (6, 8, "title"),
        (8, 14, "sections[0].heading"), (11, 9, "sections[0].paragraphs[0]"), (12, 9, "sections[0].paragraphs[1]"),
        (14, 9, "sections[0].paragraphs[2]"), (17, 9, "sections[0].paragraphs[3]"),
        (20, 9, "sections[0].paragraphs[5]")}
    by_path = {d["path"]: d for d in out["errors"]}
    assert "U+000D" in by_path["sections[0].paragraphs[0]"]["message"]
    assert "U+2028" in by_path["note"]["message"] and "U+0085" in by_path["subtitle"]["message"]
    assert "U+2029" in by_path["title"]["message"]
    assert "含有换行" in by_path["sections[0].paragraphs[5]"]["message"]  # inside, not "at its end"
    assert "|" in by_path["sections[0].heading"]["hint"]  # the block scalar is named as the cause
    assert "|" not in by_path["sections[0].paragraphs[3]"]["hint"]  # a quoted "\n" is not a block


def test_cr_in_a_paragraph_and_lf_in_closing_fail_check_with_file_line_col(tmp_path):
    """The probe's acceptance: the human-readable form names file:line:col; nothing is built."""
    project = project_with(tmp_path, 'organ: 某局\nyear: 2023\nclosing: "特此\\n报告。"\n' + SECTIONS
                           + '      - "回车\\r之后。"\n')
    proc = run_cli("check", cwd=project)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert f"{YEAR}:3:10: 错误: closing: 文字中含有换行" in proc.stderr
    assert f"{YEAR}:8:9: 错误: sections[0].paragraphs[1]: 文字中含有换行符 U+000D（CARRIAGE RETURN）" in proc.stderr
    assert run_cli("build", cwd=project).returncode == 1
    assert not (project / "output").exists()


def test_crlf_files_are_read_and_shown_line_by_line(tmp_path):
    """CRLF line ends are the file's, not the text's: the file checks, and an excerpt is one line without CR."""
    text = ("organ: 某局\nyear: 2023\n" + SECTIONS + "    colour: red\n").replace("\n", "\r\n")
    project = project_with(tmp_path, text)
    proc = run_cli("check", cwd=project)
    assert proc.returncode == 1 and f"{YEAR}:7:5: 错误: sections[0].colour" in proc.stderr
    assert "    7 |     colour: red\n" in proc.stderr
    (project / YEAR).write_text(("organ: 某局\nyear: 2023\n" + SECTIONS).replace("\n", "\r\n"), encoding="utf-8",
                                newline="")
    assert run_cli("check", cwd=project).returncode == 0


def test_radicals_are_refused_with_the_usual_character(tmp_path):
    """A Kangxi radical (text copied from a PDF) prints like its usual character, and the PDF's text reads it
    as that character while the text and the DOCX keep the radical (the fuzz found it): an error, with the fix;
    a radical with no usual form is a warning."""
    project = project_with(tmp_path, 'organ: 某局\nyear: 2023\nsubtitle: "\\u2f00\\u2f06年"\n'  # ⼀⼆年 for 一二年
                           'note: "（此件公开发布）\\u2e80"\n' + SECTIONS)
    proc = run_cli("check", "--json", "--lang", "en", cwd=project)
    out = json.loads(proc.stdout)
    assert proc.returncode == 1, proc.stdout
    errors = {(d["line"], d["col"], d["path"], d["message"], d["hint"]) for d in out["errors"]}
    warnings = {(d["line"], d["col"], d["path"], d["message"], d["hint"]) for d in out["warnings"]}
    assert (3, 11, "subtitle", "text contains the radical ⼀ (U+2F00), which looks like 一 (U+4E00) but is another "
                               "character; search and the PDF's text read it as 一", "replace ⼀ with 一") in errors
    assert any(w[2] == "subtitle" and w[4] == "replace ⼆ with 二" for w in errors)
    assert any(w[:3] == (4, 7, "note") and "⺀ (U+2E80)" in w[3] for w in warnings)
    assert len(errors) == 2


def test_invisible_characters_are_named(tmp_path):
    """Zero-width characters, bidi controls and U+FEFF: a located warning naming each (and where no font
    of the role draws one, the glyph check's error besides: never a silent difference between outputs)."""
    project = project_with(tmp_path, 'organ: 某局\nyear: 2023\n'
                           'addressee: "某\\u200d局\\u200b\\u202e："\n'  # ZWJ, ZWSP, RLO
                           'note: "（此件\\ufeff公开发布）"\n' + SECTIONS)
    proc, out = check_json(project)
    messages = {(d["line"], d["col"], d["path"], d["message"]) for d in out["warnings"]}
    for cp, name in (("200D", "ZERO WIDTH JOINER"), ("200B", "ZERO WIDTH SPACE"), ("202E", "RIGHT-TO-LEFT OVERRIDE")):
        assert (3, 12, "addressee", f"文字中含有不可见字符 U+{cp}（{name}），各输出文件对它的处理不一致") in messages
    assert (4, 7, "note", "文字中含有不可见字符 U+FEFF（ZERO WIDTH NO-BREAK SPACE），各输出文件对它的处理不一致") in messages
    assert proc.returncode == (1 if out["errors"] else 0)


# ── F2: metadata the DOCX core properties (255 characters) cannot hold ───────────────────────────


@pytest.mark.parametrize("head,path,line,message", ids=["title", "derived-title", "keywords"], argvalues=[
    ("organ: 某局\nyear: 2023\ntitle: " + "字" * 300 + "\n", "title", 3, "标题长 300 个字符；标题最多 120 个字符"),
    ("organ: " + "局" * 118 + "\nyear: 2023\n", "organ", 1, "由发文机关生成的标题长 129 个字符"),
    ("organ: 某局\nyear: 2023\nkeywords: [" + ", ".join(["关键词" * 10] * 9) + "]\n", "keywords", 3,
     "关键词合计 286 个字符；文档属性最多容纳 255 个字符"),
])
def test_metadata_too_long_for_the_properties_fails_check_and_build(tmp_path, head, path, line, message):
    project = project_with(tmp_path, head + SECTIONS)
    for command in ("check", "build"):
        proc = run_cli(command, cwd=project)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert proc.stderr.startswith(f"{YEAR}:{line}:") and f"错误: {path}: {message}" in proc.stderr, proc.stderr
    assert not (project / "output").exists()


def test_the_longest_accepted_metadata_builds_and_docx_and_pdf_agree(tmp_path):
    import docx
    import pikepdf

    organ, title = "某" * 99 + "局", "关于" + "字" * 118
    project = project_with(tmp_path, f"organ: {organ}\nyear: 2023\ntitle:\n  - {title[:60]}\n  - {title[60:]}\n"
                           + SECTIONS)
    proc = run_cli("build", cwd=project)
    assert proc.returncode == 0, proc.stderr
    out = project / "output" / "2023"
    props = docx.Document(str(out / "report-2023.docx")).core_properties
    assert (props.title, props.author) == (title, organ)
    with pikepdf.open(out / "report-2023.pdf") as pdf:
        info = pdf.docinfo
        assert (str(info["/Title"]), str(info["/Author"])) == (title, organ)
        keywords = str(info["/Keywords"])
    # organ + 2023年 + title = 229 characters with their separators: all three fit in 255.
    assert props.keywords == f"{organ}, 2023年, {title}" and keywords.replace(" ", "") == props.keywords.replace(" ", "")


def test_writers_fit_metadata_that_did_not_pass_check(tmp_path):
    """The writers never fail on long metadata (an API caller, a template that makes it): cut at a
    character, the same in the DOCX and the PDF."""
    from reportgen import document as d
    from reportgen.archive.pdfa import archival_document
    from reportgen.fonts import resolve
    from reportgen.kinds import load_kind
    from reportgen.writers.docx import write_docx

    meta = d.Meta(title="题" * 300, organ="局" * 256, keywords=("甲" * 100, "乙" * 100, "丙" * 100))
    fitted = archival_document(d.Document("report", meta), None).meta
    assert fitted.title == "题" * 254 + "…" and fitted.organ == "局" * 254 + "…"
    assert fitted.keywords == ("甲" * 100, "乙" * 100)  # whole keywords, as many as fit
    assert d.Meta(title="x", organ="y", keywords=("k" * 300,)).fitted().keywords == ("k" * 254 + "…",)
    assert fitted.fitted() is fitted
    import docx

    layout = load_kind(tmp_path, "report").layout
    data = write_docx(d.Document("report", meta), layout, resolve(layout, tmp_path / "fonts"))
    props = docx.Document(io.BytesIO(data)).core_properties
    assert (props.title, props.author, props.keywords) == (fitted.title, fitted.organ, ", ".join(fitted.keywords))


# ── F8: sizes checked before reading; only regular files ──────────────────────────────────────────


def _limited(limit_bytes: int):
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))
    return apply


def test_a_huge_sparse_file_is_refused_without_reading_it(tmp_path):
    project = project_with(tmp_path, "")
    with open(project / YEAR, "wb") as f:
        f.truncate(3 * 1024 ** 3)  # 3 GB, sparse: nothing on disk
    env = {**os.environ, "LANG": "C.UTF-8"}
    proc = subprocess.run([sys.executable, "-m", "reportgen", "check"], cwd=project, capture_output=True, text=True,
                          env=env, timeout=60, preexec_fn=_limited(1024 ** 3))  # reading it would need 3 GB
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.startswith(f"{YEAR}: 错误: 文件大于 1000000 字节"), proc.stderr


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_only_regular_files_are_read(tmp_path, kind):
    project = project_with(tmp_path, "")
    target = project / YEAR
    target.unlink()
    if kind == "fifo":
        os.mkfifo(target)  # nobody writes: opening it for reading would block forever
    elif kind == "device":
        target.symlink_to("/dev/zero")  # endless
    else:
        target.mkdir()
    args = ["check", "--json"] if kind != "folder" else ["check", "--json", YEAR]
    proc = subprocess.run([sys.executable, "-m", "reportgen", *args], cwd=project, capture_output=True, text=True,
                          env={**os.environ, "LANG": "en_US.UTF-8"}, timeout=60)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    (error,) = json.loads(proc.stdout)["errors"]
    assert error["file"].endswith(YEAR) and error["message"].startswith("not a regular file"), error
    direct = run_cli("check", "/dev/zero", cwd=project)
    assert direct.returncode == 1 and direct.stderr.startswith("/dev/zero: 错误: 不是普通文件"), direct.stderr


def test_the_bounded_reader_reads_at_most_one_byte_more_than_the_limit():
    class Endless(io.RawIOBase):
        given = 0

        def readinto(self, b):
            self.given += len(b)
            b[:] = b"a" * len(b)
            return len(b)

    stream = Endless()
    with pytest.raises(ReportgenError) as e:
        read_bounded(stream, "x.yaml")
    assert stream.given == MAX_BYTES + 1 and str(MAX_BYTES) in e.value.diagnostics[0].message
    assert read_bounded(io.BytesIO(b"b" * MAX_BYTES), "x.yaml") == b"b" * MAX_BYTES


def test_a_huge_file_at_a_git_revision_is_refused(tmp_path):
    if not shutil.which("git"):
        pytest.skip("git is not installed")
    project = project_with(tmp_path, "organ: 某局\nyear: 2023\n" + SECTIONS + "# " + "x" * MAX_BYTES + "\n")
    env = {**os.environ, "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "big"]):
        subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false",
                        *args], cwd=project, check=True, capture_output=True, env=env)
    (project / YEAR).write_text("organ: 某局\nyear: 2023\n" + SECTIONS, encoding="utf-8")
    proc = run_cli("diff", "2023@HEAD", "2023", cwd=project)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert f"{YEAR}@HEAD: 错误: 文件大于 1000000 字节" in proc.stderr


# ── F16: a symlink loop ────────────────────────────────────────────────────────────────────────────


def test_a_symlink_loop_is_a_message(tmp_path):
    project = project_with(tmp_path, "")
    (project / YEAR).unlink()
    (project / YEAR).symlink_to("2023.yaml")
    for args in ((), ("2023",), (YEAR,)):
        proc = run_cli("check", *args, cwd=project, env={"LANG": "en_US.UTF-8"})
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, (args, proc.stderr)
        assert proc.stderr.startswith(f"{YEAR}: error: cannot read the file: "), (args, proc.stderr)
    assert run_cli("build", cwd=project).returncode == 1 and not (project / "output").exists()


# ── F7: the time to report problems grows with their number, not its square ─────────────────────


def _time(run) -> float:
    start = time.perf_counter()
    with pytest.raises(ReportgenError) as e:
        run()
    str(e.value)  # the message of every diagnostic, formatted with its excerpt
    return time.perf_counter() - start


def _ratio(small, large, runs: int = 3) -> tuple[float, float, float]:
    """The time of ``large`` over that of ``small``, each the least of ``runs`` runs taken in turns (the
    machine's noise only ever adds time, and comes and goes)."""
    best_small = best_large = float("inf")
    for _ in range(runs):
        best_small = min(best_small, _time(small))
        best_large = min(best_large, _time(large))
    return best_large / best_small, best_small, best_large


def test_many_duplicate_keys_take_linear_time():
    """The probe's duplicate keys (40,000 `note:` took 54 s, 10,000 took 2.8 s): 4× the problems may take at
    most 6× the time (it was 8× at these sizes, and 19× at the probe's, when each problem split the whole file
    into lines)."""
    def duplicates(n):
        return "organ: 某局\nyear: 2023\n" + "note: 附注\n" * n + SECTIONS

    small, large = duplicates(2000), duplicates(8000)
    ratio = _ratio(lambda: parse_source(small, "y.yaml"), lambda: parse_source(large, "y.yaml"))
    assert ratio[0] <= 9, ratio  # 4× the input: linear is about 4×, quadratic 16× (slack for a loaded machine)


def test_many_schema_errors_take_linear_time(tmp_path):
    """Schema errors through validation, as check meets them: unknown keys, each a located diagnostic with a
    suggestion (the probe's ``opening:`` + N × ``- 1`` spends most of its time in jsonschema itself, which
    hides the cost of reporting at sizes a test can afford)."""
    from reportgen.pipeline import load_year
    from reportgen.project import Project

    def loader(n):
        project = project_with(tmp_path / str(n), "organ: 某局\nyear: 2023\n"
                               + "".join(f"k{i}: x\n" for i in range(n)) + SECTIONS)
        return lambda: load_year(Project(project), project / YEAR, 2023)

    ratio = _ratio(loader(1000), loader(4000), runs=5)  # it was 12× with the old excerpts
    assert ratio[0] <= 9, ratio  # 4× the input: linear is about 4×, quadratic 16× (slack for a loaded machine)


def test_a_check_reports_at_most_a_thousand_schema_errors(tmp_path):
    """Beyond 1,000 schema errors check stops looking and says so (the probe's 160,000 took > 600 s)."""
    project = project_with(tmp_path, "organ: 某局\nyear: 2023\nopening:\n" + "  - 1\n" * 1500 + SECTIONS)
    proc, out = check_json(project, "--lang", "en")
    assert proc.returncode == 1
    errors = out["errors"]
    assert len(errors) == 1001 and [e["path"] for e in errors[:2]] == ["opening[0]", "opening[1]"]
    assert errors[-1]["message"] == "more than 1000 problems: only the first 1000 are reported"
    assert errors[-1]["file"] == YEAR and errors[-1]["line"] is None


def test_a_long_line_shows_a_window_around_each_problem(tmp_path):
    """A file on one line with many problems: each shows at most 120 characters of it (and the caret under
    its column), not the whole line each time (the output grew with the square of the line's length)."""
    line = "opening: [" + ",".join(["1"] * 900) + "]"  # 1,810 characters, 900 problems
    project = project_with(tmp_path, "organ: 某局\nyear: 2023\n" + line + "\n" + SECTIONS)
    proc = run_cli("check", "--lang", "en", cwd=project)
    assert proc.returncode == 1
    out = proc.stderr.splitlines()
    heads = [i for i, text in enumerate(out) if text.startswith(f"{YEAR}:3:")]
    assert len(heads) == 900 and len(proc.stderr) < 900 * 400
    for i in (heads[0], heads[450], heads[-1]):
        col = int(out[i].split(":")[2])
        excerpt, caret = out[i + 1], out[i + 2]
        assert excerpt.startswith("    3 | ") and len(excerpt) <= len("    3 | ") + 122
        shown = excerpt[len("    3 | "):]
        at = caret.index("^") - len("      | ")
        assert shown[at] == "1" and line[col - 1] == "1"
        assert shown[at - 2:at + 3] == line[col - 3:col + 2]  # the same place of the line


def test_keywords_are_the_same_in_the_docx_and_the_pdf(tmp_path):
    """The PDF splits keywords at commas, strips spaces and drops repeats (F9: ``[1,2]`` became ``[1, 2]``):
    a comma in a keyword is refused, and the DOCX gets the keywords as the PDF keeps them."""
    import docx
    import pikepdf

    project = project_with(tmp_path, "organ: 某局\nyear: 2023\nkeywords: ['[1,2]', 法治]\n" + SECTIONS)
    proc = run_cli("check", cwd=project)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"{YEAR}:3:12: 错误: keywords[0]: 关键词不能含有逗号（,）"), proc.stderr
    (project / YEAR).write_text("organ: 某局\nyear: 2023\nkeywords: [法治, ' 政府 ', 法治]\n" + SECTIONS, encoding="utf-8")
    run_cli("build", cwd=project, check=True)
    out = project / "output" / "2023"
    assert docx.Document(str(out / "report-2023.docx")).core_properties.keywords == "法治, 政府"
    with pikepdf.open(out / "report-2023.pdf") as pdf:
        assert str(pdf.docinfo["/Keywords"]) == "法治, 政府"
