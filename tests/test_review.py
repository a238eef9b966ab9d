"""reportgen diff: terminal, JSON summary, HTML review page (headless Chromium) and DOCX tracked changes.

The pair used throughout: A is the sample; B changes one sentence in （二）, adds an item （六） at the
end of section 一, and changes the metric 立案查办侵犯知识产权案件 on （三） from 1433 to 1500.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, make_project, run_cli, screenshot_colours
from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
SAMPLE = (ROOT / "data" / "years" / "2023.yaml").read_text(encoding="utf-8")

OLD_SENTENCE = "探索开展中医药、数据知识产权保护规则研究。"
NEW_SENTENCE = "探索开展中医药、数据、人工智能等新领域知识产权保护规则研究。"
NEW_ITEM = ("      - lead: 强化行政执法监督。\n"
            "        text: 开展行政执法案卷评查，组织执法人员参加法律知识培训2次，规范行政执法行为。\n")


def text_a() -> str:
    """The sample as shipped; it declares the metric 立案查办侵犯知识产权案件 = 1433件 on item （三）."""
    assert "{name: 立案查办侵犯知识产权案件, value: 1433, unit: 件}" in SAMPLE
    return SAMPLE


def text_b() -> str:
    b = text_a().replace("1433件", "1500件").replace("value: 1433", "value: 1500")
    assert OLD_SENTENCE in b
    b = b.replace(OLD_SENTENCE, NEW_SENTENCE)
    return b.replace("  - role: problems", NEW_ITEM + "  - role: problems")


@pytest.fixture
def pair(tmp_path) -> tuple[Path, Path]:
    """(project whose data/years/2023.yaml is A, the sample; path of B's year file outside it)."""
    project = make_project(tmp_path / "project")
    b = tmp_path / "b" / "2023.yaml"
    b.parent.mkdir()
    b.write_text(text_b(), encoding="utf-8")
    return project, b


def diff(project: Path, *args: str, env: dict | None = None, check: bool = True):
    return run_cli("--lang", "en", "diff", *args, cwd=project, env=env, check=check)


def loaded(project: Path, path: Path):
    from reportgen.pipeline import load_year
    from reportgen.project import Project

    return load_year(Project(project), path, 2023)


# --- terminal ---------------------------------------------------------------------------------------

def test_terminal_names_exactly_the_changes(pair):
    project, b = pair
    proc = diff(project, "2023", str(b))
    out = proc.stdout
    assert proc.returncode == 0
    assert "\x1b[" not in out  # piped: plain
    heads = [line for line in out.splitlines() if line.startswith("@@ ")]
    assert heads == ["@@ 一、工作开展情况 › （二） — changed @@",
                     "@@ 一、工作开展情况 › （三） — changed @@",
                     "@@ 一、工作开展情况 › （六） — added @@"]
    assert "数据{+、人工智能等新领域+}知识产权保护规则研究" in out  # character level, not the whole clause
    assert "案件[-1433-]{+1500+}件" in out  # a number is never split
    assert "+ （六）强化行政执法监督。开展行政执法案卷评查" in out
    assert "item added: 一、工作开展情况 › （六） 强化行政执法监督。" in out
    assert "metric changed: 立案查办侵犯知识产权案件: 1433件 → 1500件 (+4.7%)" in out
    assert "paragraphs: 2 changed, 1 added, 0 removed, 0 renumbered; characters: 62 inserted, 4 deleted" in out
    assert "renumbered" not in out.split("renumbered;", 1)[1]
    assert "item removed" not in out and "item moved" not in out and "heading renamed" not in out


def test_terminal_colour_on_a_tty_and_no_color(pair):
    import pty

    project, b = pair
    for env, coloured in (({}, True), ({"NO_COLOR": "1"}, False)):
        leader, follower = pty.openpty()
        full_env = {**os.environ, "LANG": "C.UTF-8", **env}
        if not env:
            full_env.pop("NO_COLOR", None)
        import sys

        proc = subprocess.run([sys.executable, "-m", "reportgen", "--lang", "en", "diff", "2023", str(b)],
                              cwd=project, stdout=follower, stderr=subprocess.PIPE, env=full_env)
        os.close(follower)
        chunks = []
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        os.close(leader)
        out = b"".join(chunks).decode("utf-8")
        assert proc.returncode == 0, proc.stderr
        assert ("\x1b[" in out) is coloured
        assert "1500" in out
    always = diff(project, "2023", str(b), "--color", "always").stdout
    assert "\x1b[32m" in always and "\x1b[31m" in always


def test_exit_code_like_git(pair):
    project, b = pair
    assert diff(project, "2023", str(b)).returncode == 0
    assert diff(project, "2023", str(b), "--exit-code", check=False).returncode == 1
    same = diff(project, "2023", "2023", "--exit-code")
    assert same.returncode == 0 and "no changes" in same.stdout


def test_json_summary(pair):
    project, b = pair
    data = json.loads(diff(project, "2023", str(b), "--json").stdout)
    assert data["ok"] and not data["identical"]
    s = data["summary"]
    assert [i["title"] for i in s["items_added"]] == ["强化行政执法监督。"]
    assert s["items_added"][0]["label"] == "一、工作开展情况 › （六）"
    assert s["metrics_changed"] == [{"name": "立案查办侵犯知识产权案件", "label": "一、工作开展情况 › （三）",
                                     "old": 1433, "new": 1500, "old_text": "1433件", "new_text": "1500件",
                                     "unit": "件", "change_pct": 4.7}]
    assert not (s["items_removed"] or s["items_moved"] or s["headings_renamed"] or s["metrics_added"])
    assert [c["op"] for c in data["changes"]] == ["change", "change", "insert"]
    assert data["stats"]["changed"] == 2 and data["stats"]["added"] == 1


def test_semantic_moves_renames_and_ids():
    from reportgen.review.semantic import summarize

    a = {"sections": [
        {"heading": "工作开展情况", "role": "work", "items": [
            {"id": "law", "lead": "推进立法。", "text": "甲。"},
            {"lead": "普法宣传。", "text": "开展普法宣传活动，参与活动33150人次。",
             "metrics": [{"name": "参与人次", "value": 33150, "unit": "人次"}]}]},
        {"heading": "存在的主要问题", "role": "problems", "paragraphs": ["问题。"]},
        {"heading": "2024年打算", "role": "plans", "items": [{"lead": "继续推进。", "text": "乙。"}]}]}
    b = {"sections": [
        {"heading": "法治建设工作开展情况", "role": "work", "items": [
            {"lead": "普法宣传教育。", "text": "开展普法宣传活动，参与活动40000人次。",
             "metrics": [{"name": "参与人次", "value": 40000, "unit": "人次"}]}]},
        {"heading": "存在的主要问题", "role": "problems", "paragraphs": ["问题。"]},
        {"heading": "2024年打算", "role": "plans", "items": [
            {"lead": "继续推进。", "text": "乙。"}, {"id": "law", "lead": "加快地方立法。", "text": "甲。"}]}]}
    from reportgen.kinds import load_kind

    report = load_kind(ROOT, "report")
    s = summarize(report, a, report, b, [], [])
    assert s["items_added"] == [] and s["items_removed"] == []
    assert [(m["title"], m["from_path"], m["to_path"]) for m in s["items_moved"]] == [
        ("加快地方立法。", "sections[0].items[0]", "sections[2].items[1]")]
    renamed = {(h["kind"], h["old"], h["new"]) for h in s["headings_renamed"]}
    assert renamed == {("section", "工作开展情况", "法治建设工作开展情况"), ("item", "普法宣传。", "普法宣传教育。"),
                       ("item", "推进立法。", "加快地方立法。")}
    assert s["metrics_changed"][0]["change_pct"] == 20.7


def test_semantic_summary_finds_the_items_wherever_the_kind_puts_them():
    """A notice's items live in the document it issues (issued.sections): the summary sees them there."""
    from reportgen.kinds import load_kind
    from reportgen.review.semantic import summarize

    notice = load_kind(ROOT, "notice")
    item = {"lead": "强化司法保护。", "text": "加快案件审理。", "units": {"lead": ["区法院"]}}
    a = {"kind": "notice", "issued": {"title": "要点", "sections": [{"heading": "保护", "items": [item]}]}}
    b = {"kind": "notice", "issued": {"title": "要点", "sections": [{"heading": "保护", "items": [
        item, {"lead": "强化行政保护。", "text": "开展专项行动。"}]}]}}
    s = summarize(notice, a, notice, b, [], [])
    assert [(i["title"], i["path"]) for i in s["items_added"]] == [("强化行政保护。", "issued.sections[0].items[1]")]


# --- character diff ---------------------------------------------------------------------------------

def test_char_diff_reconstructs_both_sides():
    from reportgen.review.textdiff import char_diff

    rng = random.Random(9704)
    alphabet = "法治建设工作知识产权保护。，、1234《》"
    for _ in range(400):
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        b = list(a)
        for _ in range(rng.randint(0, 6)):
            k = rng.randint(0, len(b))
            if rng.random() < 0.5 and k < len(b):
                del b[k]
            else:
                b.insert(k, rng.choice(alphabet))
        b = "".join(b)
        ops = char_diff(a, b)
        assert "".join(t for op, t in ops if op != "+") == a
        assert "".join(t for op, t in ops if op != "-") == b


# --- DOCX tracked changes ---------------------------------------------------------------------------

def _apply(document_xml: bytes, mode: str) -> list[str]:
    """Accept or reject every revision, then return the body's paragraph texts."""
    root = etree.fromstring(document_xml)
    drop, unwrap = ("del", "ins") if mode == "accept" else ("ins", "del")
    body = root.find("w:body", NS)
    # A paragraph whose mark is removed joins the next paragraph.
    paragraphs = body.findall("w:p", NS)
    for p in paragraphs:
        mark = p.find(f"w:pPr/w:rPr/w:{drop}", NS)
        for el in p.findall(f".//w:{drop}", NS):
            if el.getparent().tag != f"{{{W}}}rPr":
                el.getparent().remove(el)
        for el in p.findall(f".//w:{unwrap}", NS):
            parent = el.getparent()
            if parent.tag == f"{{{W}}}rPr":
                parent.remove(el)
                continue
            idx = parent.index(el)
            for child in list(el):
                parent.insert(idx, child)
                idx += 1
            parent.remove(el)
        for t in p.iter(f"{{{W}}}delText"):
            t.tag = f"{{{W}}}t"
        p.set("joins-next", "1" if mark is not None else "0")
    texts, carry = [], ""
    for p in paragraphs:
        text = carry + "".join(t.text or "" for t in p.iter(f"{{{W}}}t"))
        if p.get("joins-next") == "1":
            carry = text
        else:
            texts.append(text)
            carry = ""
    assert carry == ""
    return texts


def _check_revision_xml(xml: bytes, author: str, date: str) -> list:
    root = etree.fromstring(xml)
    revs = root.xpath("//w:ins|//w:del", namespaces=NS)
    assert revs
    ids = [r.get(f"{{{W}}}id") for r in revs]
    all_ids = root.xpath("//@w:id", namespaces=NS)
    assert len(set(all_ids)) == len(all_ids), "w:id must be unique"
    assert [int(i) for i in ids] == sorted(int(i) for i in ids), "ids follow document order"
    assert {r.get(f"{{{W}}}author") for r in revs} == {author}
    assert {r.get(f"{{{W}}}date") for r in revs} == {date}
    for r in revs:
        assert r.getparent().tag in (f"{{{W}}}p", f"{{{W}}}rPr"), "ins/del sit next to runs, never inside them"
        if r.getparent().tag == f"{{{W}}}rPr":
            assert r.getparent().getparent().tag == f"{{{W}}}pPr" and len(r) == 0
    for t in root.iter(f"{{{W}}}delText"):
        assert t.xpath("ancestor::w:del", namespaces=NS), "delText only inside w:del"
    for t in root.xpath("//w:del//w:t", namespaces=NS):
        raise AssertionError("deleted text must be w:delText")
    for p in root.iter(f"{{{W}}}p"):
        assert len(p.xpath("w:pPr/w:rPr/w:ins|w:pPr/w:rPr/w:del", namespaces=NS)) <= 1
    return revs


def _redline(project, a_spec, b_spec, tmp_path, *extra, env=None) -> bytes:
    out = tmp_path / "redline.docx"
    diff(project, a_spec, b_spec, "--docx", str(out), *extra, env=env)
    return zipfile.ZipFile(out).read("word/document.xml")


def test_docx_accept_all_is_b_and_reject_all_is_a(pair, tmp_path):
    from reportgen.document import document_paragraphs

    project, b = pair
    xml = _redline(project, "2023", str(b), tmp_path, "--author", "起草组", "--date", "2024-01-15")
    revs = _check_revision_xml(xml, "起草组", "2024-01-15T00:00:00Z")
    a_doc = loaded(project, project / "data" / "years" / "2023.yaml").document
    b_doc = loaded(project, b).document
    assert _apply(xml, "accept") == document_paragraphs(b_doc)
    assert _apply(xml, "reject") == document_paragraphs(a_doc)
    # Character granularity: the changed number is exactly the four digits on each side.
    root = etree.fromstring(xml)
    assert "1433" in root.xpath("//w:del//w:delText/text()", namespaces=NS)
    assert "1500" in root.xpath("//w:ins//w:t/text()", namespaces=NS)
    # The added paragraph: its mark is inserted, and its lead keeps the lead's character style.
    added = [p for p in root.iter(f"{{{W}}}p") if p.find("w:pPr/w:rPr/w:ins", NS) is not None]
    assert len(added) == 1
    first_run = added[0].find("w:ins/w:r", NS)
    assert first_run.find("w:rPr/w:rStyle", NS).get(f"{{{W}}}val") == "GWLead2"
    assert len(revs) == 5  # ins sentence, del 1433, ins 1500, paragraph mark, paragraph runs


def test_docx_removed_renumbered_and_retitled_paragraphs(pair, tmp_path):
    """A harder pair: a title change, an item inserted mid-section (renumbering the rest), a whole
    item and the problems paragraph removed, and a signature added at the end."""
    from reportgen.document import document_paragraphs

    project, _ = pair
    a_text = text_a()
    b_text = a_text.replace("year: 2023\n", "year: 2023\ntitle: [重庆市知识产权局, 2023年度法治政府建设情况报告]\n"
                            "date: 2024-01-20\nsignature: true\n")
    b_text = b_text.replace("      - lead: 全面推进法治政府建设。", NEW_ITEM + "      - lead: 全面推进法治政府建设。")
    start = b_text.index("      - lead: 深入推进机关法治政府建设。")
    end = b_text.index("      - lead: 持续营造良好的营商环境。")
    b_text = b_text[:start] + b_text[end:]
    start = b_text.index("    paragraphs:\n      - 2023年，我局在推进")
    end = b_text.index("  - role: plans")
    b_text = b_text[:start] + b_text[end:]
    b = project.parent / "b2" / "2023.yaml"
    b.parent.mkdir()
    b.write_text(b_text, encoding="utf-8")
    out = diff(project, "2023", str(b)).stdout
    assert "renumbered （三） → （四）" in out
    assert "— removed @@" in out and "item removed: 三、2024年主要工作思路和打算 › （二） 深入推进机关法治政府建设。" in out
    xml = _redline(project, "2023", str(b), tmp_path)
    _check_revision_xml(xml, "reportgen", "2024-01-20T00:00:00Z")  # default date: B's 成文日期
    # B's core properties carry the instant B's own build stamps: midnight in China on its 成文日期.
    core = zipfile.ZipFile(tmp_path / "redline.docx").read("docProps/core.xml").decode()
    assert '<dcterms:created xsi:type="dcterms:W3CDTF">2024-01-19T16:00:00Z</dcterms:created>' in core
    a_paragraphs = document_paragraphs(loaded(project, project / "data" / "years" / "2023.yaml").document)
    b_paragraphs = document_paragraphs(loaded(project, b).document)
    assert _apply(xml, "accept") == b_paragraphs
    assert _apply(xml, "reject") == a_paragraphs
    # The other way round: items added back, the signature and date removed at the very end.
    back = _redline(project, str(b), "2023", tmp_path)
    _check_revision_xml(back, "reportgen", "1980-01-01T00:00:00Z")
    assert _apply(back, "accept") == a_paragraphs
    assert _apply(back, "reject") == b_paragraphs
    root = etree.fromstring(xml)
    assert root.xpath("//w:ins//w:br", namespaces=NS) or root.xpath("//w:p[w:pPr/w:pStyle/@w:val='GWTitle']//w:br",
                                                                      namespaces=NS)


def test_docx_date_defaults_never_the_clock(pair, tmp_path):
    project, b = pair
    xml = _redline(project, "2023", str(b), tmp_path)
    _check_revision_xml(xml, "reportgen", "1980-01-01T00:00:00Z")
    xml = _redline(project, "2023", str(b), tmp_path, env={"SOURCE_DATE_EPOCH": "1700000000"})
    _check_revision_xml(xml, "reportgen", "2023-11-14T22:13:20Z")
    bad = diff(project, "2023", str(b), "--docx", str(tmp_path / "x.docx"), "--date", "yesterday", check=False)
    assert bad.returncode == 2 and "--date" in bad.stderr
    assert not (tmp_path / "x.docx").exists()


def test_docx_opens_in_libreoffice(pair, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed")
    project, b = pair
    docx = tmp_path / "redline.docx"
    diff(project, "2023", str(b), "--docx", str(docx))
    outdir = tmp_path / "lo"
    proc = subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                           "--convert-to", "fodt", "--outdir", str(outdir), str(docx)],
                          capture_output=True, text=True, timeout=180)
    fodt = outdir / "redline.fodt"
    assert fodt.exists(), proc.stdout + proc.stderr
    text = fodt.read_text(encoding="utf-8")
    assert text.count("<text:changed-region") >= 3  # LibreOffice read the revisions as revisions
    assert "<text:insertion>" in text and "<text:deletion>" in text
    assert "reportgen" in text and "强化行政执法监督" in text


# --- HTML review page -------------------------------------------------------------------------------

def test_html_review_page_in_headless_chromium(pair, tmp_path):
    project, b = pair
    page = tmp_path / "review.html"
    diff(project, "2023", str(b), "--html", str(page))
    html = page.read_text(encoding="utf-8")
    assert "<ins>、人工智能等新领域</ins>" in html
    assert "<del>1433</del>" in html and "<ins>1500</ins>" in html
    assert "<details>" in html and "metric changed" in html
    for forbidden in ("<script", "<link", "<img", "src=", "http://", "https://", "url(", "@import"):
        assert forbidden not in html, forbidden
    import re

    assert set(re.findall(r'href="([^"]*)"', html)) == {"#change-1", "#change-2", "#change-3"}  # in-page only
    assert html.count('id="change-') == 3
    counts = screenshot_colours(page, tmp_path)
    assert counts.get((0xC9, 0xF2, 0xCF), 0) > 200, "insertions are highlighted"
    assert counts.get((0xFF, 0xD5, 0xD2), 0) > 50, "deletions are highlighted"


def test_html_escapes_data(tmp_path):
    project = make_project(tmp_path / "project")
    b = tmp_path / "b" / "2023.yaml"
    b.parent.mkdir()
    b.write_text(SAMPLE.replace(OLD_SENTENCE, "探索<script>alert(1)</script>&amp;研究。"), encoding="utf-8")
    page = tmp_path / "review.html"
    diff(project, "2023", str(b), "--html", str(page))
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;" in html


# --- determinism, git revisions and finals ----------------------------------------------------------

def test_identical_inputs_identical_outputs(pair, tmp_path):
    project, b = pair
    outs = []
    for k in range(2):
        d = tmp_path / f"run{k}"
        d.mkdir()
        term = diff(project, "2023", str(b), "--html", str(d / "r.html"), "--docx", str(d / "r.docx")).stdout
        js = diff(project, "2023", str(b), "--json").stdout
        outs.append((term, js, (d / "r.html").read_bytes(), (d / "r.docx").read_bytes()))
    assert outs[0] == outs[1]


def _git(project: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z"}
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "init.defaultBranch=main",
                    "-c", "commit.gpgsign=false", *args], cwd=project, check=True, capture_output=True, env=env)


def test_git_revisions(tmp_path):
    if not shutil.which("git"):
        pytest.skip("git is not installed")
    project = make_project(tmp_path / "project")
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "2023 draft")
    clean = diff(project, "2023@HEAD", "2023", "--exit-code")
    assert clean.returncode == 0 and "no changes" in clean.stdout, clean.stderr
    year = project / "data" / "years" / "2023.yaml"
    year.write_text(SAMPLE.replace(OLD_SENTENCE, NEW_SENTENCE), encoding="utf-8")
    dirty = diff(project, "2023@HEAD", "2023", "--exit-code", check=False)
    assert dirty.returncode == 1 and "{+、人工智能等新领域+}" in dirty.stdout
    _git(project, "commit", "-q", "-am", "revise")
    assert "{+、人工智能等新领域+}" in diff(project, "2023@HEAD~1", "2023@HEAD").stdout
    assert "no changes" in diff(project, "2023@HEAD", "2023").stdout
    bad = diff(project, "2023@HEAD~5", "2023", check=False)
    assert bad.returncode == 2 and "HEAD~5" in bad.stderr


def test_frozen_final(tmp_path):
    project = make_project(tmp_path / "project")
    missing = diff(project, "2023@v1", "2023", check=False)
    assert missing.returncode == 2 and "no frozen final v1" in missing.stderr
    final = project / "output" / "2023" / "final" / "v1"
    final.mkdir(parents=True)
    (final / "2023.yaml").write_text(SAMPLE, encoding="utf-8")
    (project / "data" / "years" / "2023.yaml").write_text(SAMPLE.replace(OLD_SENTENCE, NEW_SENTENCE), encoding="utf-8")
    out = diff(project, "2023@v1", "2023").stdout
    assert "{+、人工智能等新领域+}" in out and "output/2023/final/v1/2023.yaml" in out


def test_bad_side_is_a_clear_error(tmp_path):
    project = make_project(tmp_path / "project")
    proc = diff(project, "2023", "nowhere/2023.yaml", check=False)
    assert proc.returncode == 2 and "nowhere/2023.yaml" in proc.stderr
    proc = diff(project, "2023", "2019", check=False)
    assert proc.returncode == 1 and "2019" in proc.stderr


def test_context_zero_shows_only_the_changes():
    from reportgen.review.textdiff import Painter, inline

    segments = [("=", "前面的文字"), ("-", "旧"), ("+", "新"), ("=", "中间的文字很长很长"), ("+", "加"), ("=", "后面的文字")]
    plain = Painter(False)
    assert inline(segments, plain, 0) == "…[-旧-]{+新+}…{+加+}…"
    assert inline(segments, plain, 1) == "…字[-旧-]{+新+}中…长{+加+}后…"
    assert inline(segments, plain, -1) == "前面的文字[-旧-]{+新+}中间的文字很长很长{+加+}后面的文字"


def test_a_failing_output_writes_no_file(pair, tmp_path):
    """The DOCX fails in the font check (a character no font has): the HTML is not written either,
    and an older HTML of the same name is left as it was."""
    from reportgen.fonts import resolve
    from reportgen.layout import load_layout

    ch = "\ue000"  # private use: no font draws it
    if not resolve(load_layout())["fangsong"].missing(ch):
        pytest.skip("an installed font draws U+E000")
    project, b = pair
    b.write_text(text_b().replace(NEW_SENTENCE, NEW_SENTENCE[:-1] + ch + "。"), encoding="utf-8")
    html, docx, old = tmp_path / "r.html", tmp_path / "r.docx", tmp_path / "old.html"
    proc = diff(project, "2023", str(b), "--html", str(html), "--docx", str(docx), check=False)
    assert proc.returncode == 1 and "U+E000" in proc.stderr, proc.stderr
    assert not html.exists() and not docx.exists()
    old.write_text("previous review", encoding="utf-8")
    proc = diff(project, "2023", str(b), "--html", str(old), "--docx", str(docx), check=False)
    assert proc.returncode == 1
    assert old.read_text(encoding="utf-8") == "previous review" and not docx.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("author, shown", [("a\x01b", "U+0001"), ("a\ufffeb", "U+FFFE"), ("a\uffffb", "U+FFFF"),
                                           ("a\udc81b", "U+DC81")])
def test_author_xml_cannot_hold_is_a_usage_error(pair, tmp_path, author, shown):
    project, b = pair
    out = tmp_path / "r.docx"
    proc = diff(project, "2023", str(b), "--docx", str(out), "--author", author, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "--author" in proc.stderr and shown in proc.stderr
    assert not out.exists()
    zh = run_cli("--lang", "zh_CN", "diff", "2023", str(b), "--docx", str(out), "--author", author, cwd=project)
    assert zh.returncode == 2 and "--author" in zh.stderr and shown in zh.stderr and "DOCX 文件无法保存" in zh.stderr


def test_author_with_tab_and_cjk_is_fine(pair, tmp_path):
    project, b = pair
    xml = _redline(project, "2023", str(b), tmp_path, "--author", "法规科\t张三")
    assert 'w:author="法规科&#9;张三"' in xml.decode("utf-8") or 'w:author="法规科\t张三"' in xml.decode("utf-8")


def test_bad_date_is_refused_before_any_work(pair, tmp_path):
    project, b = pair
    proc = diff(project, "2023", "nowhere/2023.yaml", "--date", "2024-13-45", check=False)
    assert proc.returncode == 2 and "--date" in proc.stderr and "nowhere" not in proc.stderr
    proc = diff(project, "2023", str(b), "--date", "2024-01-01\x01", check=False)
    assert proc.returncode == 2 and "--date" in proc.stderr and "Traceback" not in proc.stderr


def test_frozen_final_source_is_the_copy_its_manifest_names(tmp_path):
    """The final's manifest records which file is the frozen source (``final.source_copy``); another
    YAML file in the folder, even one named 2023.yaml, is not it."""
    from reportgen.archive import manifest as mf

    project = make_project(tmp_path / "project")
    final = project / "output" / "2023" / "final" / "v1"
    final.mkdir(parents=True)
    (final / "draft-2023.yaml").write_text(SAMPLE, encoding="utf-8")
    (final / "2023.yaml").write_text(SAMPLE.replace(OLD_SENTENCE, NEW_SENTENCE), encoding="utf-8")
    (final / mf.MANIFEST).write_text(json.dumps({"format": mf.FORMAT, "outputs": [], "finals": [],
                                                 "final": {"version": 1, "source_copy": "draft-2023.yaml"}}),
                                     encoding="utf-8")
    (project / "data" / "years" / "2023.yaml").write_text(SAMPLE.replace(OLD_SENTENCE, NEW_SENTENCE),
                                                          encoding="utf-8")
    out = diff(project, "2023@v1", "2023").stdout
    assert "output/2023/final/v1/draft-2023.yaml" in out and "{+、人工智能等新领域+}" in out
    (final / "draft-2023.yaml").unlink()
    lost = diff(project, "2023@v1", "2023", check=False)
    assert lost.returncode == 1 and "lost its source copy draft-2023.yaml" in lost.stderr


def test_without_git(tmp_path):
    project = make_project(tmp_path / "project")
    env = {"PATH": str(tmp_path / "no-bin")}
    proc = diff(project, "2023@HEAD", "2023", env=env, check=False)
    assert proc.returncode == 2 and "git is not installed; cannot read 2023@HEAD" in proc.stderr, proc.stderr
    proc = diff(project, "2023@v1", "2023", env=env, check=False)
    assert proc.returncode == 2 and "no frozen final v1" in proc.stderr


def test_not_a_repository(tmp_path):
    if not shutil.which("git"):
        pytest.skip("git is not installed")
    project = make_project(tmp_path / "project")
    proc = diff(project, "2023@HEAD", "2023", env={"GIT_CEILING_DIRECTORIES": str(tmp_path)}, check=False)
    assert proc.returncode == 2 and "'HEAD' is not a git revision" in proc.stderr, proc.stderr


def test_a_git_side_carries_its_bytes_and_template(tmp_path):
    if not shutil.which("git"):
        pytest.skip("git is not installed")
    from reportgen.project import Project
    from reportgen.review.sides import load_side

    project = make_project(tmp_path / "project")
    year = project / "data" / "years" / "2023.yaml"
    year.write_bytes(b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"))  # with a BOM: the bytes, not the text re-encoded
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "2023 draft")
    side = load_side(Project(project), "2023@HEAD")
    assert side.loaded.raw == year.read_bytes()
    assert side.loaded.templates and side.loaded.templates[0].is_file()
